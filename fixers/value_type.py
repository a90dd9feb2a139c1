"""Property values of the wrong JSON type whose conversion loses nothing (cfn-lint E3012)."""

from __future__ import annotations

from typing import Any, NamedTuple

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer


def _kinds(schema: dict) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _is_tag_list(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(i, dict) and set(i) == {"Key", "Value"} and isinstance(i["Key"], str) for i in value)
            and len({i["Key"] for i in value}) == len(value))


def _tag_items(root: dict, schema: dict) -> bool:
    """Whether an array schema's items are ``{Key, Value}`` objects (a tag list)."""
    items = schemas.resolve(root, schema.get("items", {}))
    props = items.get("properties") or {}
    return "Key" in props and "Value" in props


_TEXT_FUNCTIONS = ("Fn::Sub", "Fn::Join", "Ref")  # intrinsics that give a string
_CONTAINERS = ({"object"}, {"array"})  # the kinds of schema where a scalar has a conversion


def _container(schema: dict) -> bool:
    """Whether ``_kinds(schema)`` is one of ``_CONTAINERS``: for a ``type`` that is one word (what
    nearly every schema the walk meets has) without building the set, which is that word alone."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind == "object" or kind == "array"
    return isinstance(kind, list) and _kinds(schema) in _CONTAINERS


def conversion(root: dict, schema: dict, value: Any, key: str = "") -> tuple[Any, str] | None:
    """(converted value, how) when ``value`` has the wrong type and one lossless form fits.
    ``key`` is the property's name: a text in an object named ``StageDescription`` goes to its
    ``Description``."""
    kinds = _kinds(schema)
    if kinds == {"object"} and key and (isinstance(value, str) or schemas.is_intrinsic(value)
                                        and next(iter(value)) in _TEXT_FUNCTIONS):
        props = schema.get("properties") or {}
        named = [p for p in props if key.endswith(p) and key != p
                 and _kinds(schemas.resolve(root, props[p])) == {"string"}]
        if len(named) == 1:
            return {named[0]: value}, f"a text where an object is wanted; it is the object's '{named[0]}', as the property's name says"
    if kinds == {"array"} and _if_gives_object(root, schema, value):
        return _REPORT, ("an Fn::If whose branch gives one object where a list is wanted; write that branch as "
                         "a list (cfnfix does not rewrite the branches of a condition)")
    if not kinds or value is None or schemas.is_intrinsic(value):
        return None
    scalar = isinstance(value, (str, int, float, bool))
    if kinds == {"array"} and isinstance(value, dict) and _fits_items(root, schema, value):
        return OneItem(value), "a single object written where the property takes a list of such objects; it is the list's one item"
    if kinds == {"array"}:
        if isinstance(value, dict) and _tag_items(root, schema) and all(isinstance(k, str) for k in value):
            return [{"Key": k, "Value": v} for k, v in value.items()], "a Key/Value mapping written as the tag list the property takes"
        items = schemas.resolve(root, schema.get("items", {}))
        if scalar and _kinds(items) and _kinds(items) - {"object", "array"}:
            if isinstance(value, str) and "," in value:
                return _REPORT, "a comma-separated text where a list is wanted; write its items as a list"
            return [value], "a single value written as the one-item list the property takes"
        if isinstance(value, dict) and _kinds(items) == {"object"}:
            return _REPORT, ("one object where a list of objects is wanted, but it does not fit the list's items "
                             "(a key they do not take, a required one missing, or a value of another type): write the list meant")
        return None
    if kinds == {"object"}:
        if _is_tag_list(value) and (schema.get("patternProperties") or isinstance(schema.get("additionalProperties"), dict)
                                    or schema.get("additionalProperties") is True) and not schema.get("properties"):
            return {i["Key"]: i["Value"] for i in value}, "a tag list written as the Key: Value mapping the property takes"
        if isinstance(value, str):
            props = schema.get("properties") or {}
            fitting = [name for name, sub in props.items()
                       if value in (schemas.resolve(root, sub).get("enum") or ())]
            if len(props) == 1 and len(fitting) == 1:
                return {fitting[0]: value}, f"the value of the object's only property '{fitting[0]}'"
        if scalar:
            names = ", ".join(f"'{n}'" for n in list(schema.get("properties") or {})[:6])
            return _REPORT, f"a single value where an object is wanted{'; its properties: ' + names if names else ''}; write the object meant"
    return None


_REPORT = object()  # a wrong type no lossless conversion fits: reported, not changed


class OneItem(NamedTuple):
    """An object that becomes the one item of a list: its text is moved, not re-rendered."""

    value: Any


def _object_fits(root: dict, schema: dict, value: dict) -> bool:
    """Whether a (non-intrinsic, non-empty) object fits an object schema at its own level: every
    key a property the schema names (or matches), every required one present, each value of the
    type its property asks for."""
    if not value or schemas.is_intrinsic(value) or _kinds(schema) != {"object"}:
        return False
    props = schema.get("properties") or {}
    patterns = schema.get("patternProperties") or {}
    if not props and not patterns:
        return False
    for key, item in value.items():
        sub = props.get(key)
        if sub is None:
            sub = next((patterns[p] for p in patterns if isinstance(key, str) and schemas.value_matches(p, key)), None)
        if sub is None or not schemas.shape_fits(root, sub, item):
            return False
    return all(k in value for k in schema.get("required") or ())


def _fits_items(root: dict, schema: dict, value: dict) -> bool:
    """Whether ``value`` fits the item schema of the array schema ``schema``."""
    return _object_fits(root, schemas.resolve(root, schema.get("items", {})), value)


def _if_gives_object(root: dict, schema: dict, value: Any) -> bool:
    """An ``Fn::If`` with a branch that is one object fitting the array's items."""
    call = value.get("Fn::If") if isinstance(value, dict) and len(value) == 1 else None
    return isinstance(call, list) and len(call) == 3 and any(
        isinstance(b, dict) and _fits_items(root, schema, b) for b in call[1:])


def _may_convert(kinds: set[str], value: Any) -> bool:
    """Whether :func:`conversion` can find anything for ``value`` whose schema allows ``kinds``.

    Why it is exact: every branch of ``conversion`` asks for kinds of exactly ``{"object"}`` or
    ``{"array"}``, and of those a mapping that is not an intrinsic where an object is wanted, or
    a list where a list is wanted, has the type asked for (an intrinsic mapping such as
    ``Fn::Sub`` where an object is wanted may still convert). Most values visited are such."""
    if kinds == {"object"}:
        return not isinstance(value, dict) or schemas.is_intrinsic(value)
    return kinds == {"array"} and not isinstance(value, list)


class TheItem(NamedTuple):
    """A one-item list whose item becomes the value: its text is moved, not re-rendered."""

    value: Any


# intrinsics that give one value, which a one-item list around them only wraps
_ONE_VALUE = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::ImportValue", "Fn::FindInMap",
                        "Fn::Select", "Fn::Base64"})


def _one_item(schema: dict, value: list) -> bool:
    """A list of one scalar, or of one intrinsic that gives one value, where the schema wants a
    single scalar (`EnableKeyRotation: [true]`, `SubnetId: [!Ref Subnet]`)."""
    if len(value) != 1:
        return False
    kinds = _kinds(schema)
    if not kinds or kinds & {"object", "array"}:
        return False
    item = value[0]
    if isinstance(item, (str, int, float, bool)):
        return True
    return isinstance(item, dict) and len(item) == 1 and next(iter(item)) in _ONE_VALUE


def _walk(root: dict, schema: dict, value: Any, path: tuple, found: list[tuple[tuple, Any, str]]) -> None:
    """Conversions in ``value`` at ``path``, whose resolved schema is ``schema``, added to
    ``found`` (the schema is carried down, step by step, instead of looked up from the resource's
    root at each node). One list is filled and only values that can hold a conversion get a call."""
    if _container(schema) and _may_convert(_kinds(schema), value):  # else _may_convert is False
        hit = conversion(root, schema, value, path[-1] if isinstance(path[-1], str) else "")
        if hit is not None:
            found.append((path, hit[0], hit[1]))
            return
    elif isinstance(value, list) and _one_item(schema, value):
        found.append((path, TheItem(value[0]), "a one-item list where a single value is wanted; its item is the value"))
        return
    if isinstance(value, dict) and len(value) == 1 and schemas.is_intrinsic(value):
        return
    for key, item, below in schemas.resolved_children(root, schema, value):
        # nothing converts below a value with no schema (a policy document's statements), and a
        # scalar converts only where an object or a list is wanted: most need no call of their own
        if below and (isinstance(item, (dict, list)) or _container(below)):
            _walk(root, below, item, path + (key,), found)


_clean = schemas.CleanProperties()  # properties found to need no conversion


class ValueType(Fixer):
    name = "value-type"
    summary = "Convert property values of the wrong type when the conversion loses nothing (E3012)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E3012",)
    default = False
    docs = """
    ## What it detects
    Resource property values whose JSON type is not the one the resource schema (as shipped
    with cfn-lint) asks for, where one lossless conversion fits (cfn-lint E3012):
    - tags written as a `Key: Value` mapping where the property takes a list of `{Key, Value}`
      objects, and a `{Key, Value}` list where it takes a mapping (`AWS::SecurityHub::Hub`,
      `AWS::SSM::Parameter`);
    - a single value where the property takes a list of such values (`Layers: arn:...`), and a
      one-item list where it takes a single value (`EnableKeyRotation: [true]`,
      `SubnetId: [!Ref Subnet]`; the item's own text is kept);
    - one object where the property takes a list of objects and the object fits the list's
      items (every key one they take, the required ones present: S3
      `ServerSideEncryptionConfiguration: {ServerSideEncryptionByDefault: ...}`, a single
      `{Key, Value}` tag): it becomes the list's one item, its own text kept (comments too),
      written as a block list item, or `[{...}]` when the object is written in flow style;
    - a string where the property takes an object whose only property accepts exactly that
      value (`TracingConfig: Active` is `TracingConfig: {Mode: Active}`);
    - a text (or `Fn::Sub`/`Fn::Join`/`Ref`) where the property takes an object with a text
      property its own name ends in (`StageDescription: Production` is
      `StageDescription: {Description: Production}`; cfn-lint reports E1019 when the text is an
      `Fn::Sub`).

    Other single values where an object is wanted are reported with the object's properties.
    One object where a list is wanted that does not fit the list's items, and an `Fn::If`
    whose branch is one such object, are reported.

    Strings such as `"true"` or `"30"` where a boolean or number is wanted are not touched:
    CloudFormation converts them and cfn-lint accepts them. Nor is a local path where
    `aws cloudformation package` takes one (`Code: ./src` of a Lambda function, a REST API's
    `BodyS3Location: openapi.yaml`): the package command uploads it and writes the object.

    ## Why it matters
    CloudFormation refuses the resource (`Model validation failed (#/Tags: expected type:
    JSONObject, found: JSONArray)`).

    ## Example
    ```yaml
    # before
    Hub:
      Type: AWS::SecurityHub::Hub
      Properties:
        Tags:
          - Key: Team
            Value: security
    # after
    Hub:
      Type: AWS::SecurityHub::Hub
      Properties:
        Tags:
          Team: security
    ```

    ## Fix safety
    Safe: the same data in the shape CloudFormation reads; nothing is added or dropped.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, type_name, root, props in schemas.judged_properties(doc):
            key = _clean.key(root, props)
            if key is None:
                continue
            found: list[tuple[tuple, Any, str]] = []
            _walk(root, schemas.resolve(root, root), props, ("Resources", rid, "Properties"), found)
            found = [f for f in found if not schemas.packaged(type_name, f[0][3:], doc.value(f[0]))]
            if not found:
                _clean.add(key, root, props)
            for path, new, how in found:
                rule = "E1019" if isinstance(doc.value(path), dict) and "Fn::Sub" in doc.value(path) else "E3012"
                message = f"{rule} {'/'.join(map(str, path[3:]))}: {how}"
                findings.append(Finding(rid, path, message, detail=new, fixable=new is not _REPORT))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                before = doc.value(f.path)
                if isinstance(f.detail, OneItem):  # the object's own text becomes the list's item
                    node = doc.node(f.path)
                    if doc.format != "json" and node is not None and node.style == "flow" and not node.shared:
                        editor.insert(node.start, "[")  # {a: b} becomes [{a: b}] where it stands
                        editor.insert(node.end, "]")
                    else:
                        editor.set(f.path, [editor.source(f.path)])
                    changes.append(self.change(f, "replace", before, [f.detail.value], f.message))
                    continue
                if isinstance(f.detail, TheItem):  # the item's own text becomes the value
                    editor.set(f.path, editor.source(f.path + (0,)))
                    changes.append(self.change(f, "replace", before, f.detail.value, f.message))
                    continue
                editor.set(f.path, f.detail)
                changes.append(self.change(f, "replace", before, f.detail, f.message))
        return Fix.of(editor, changes)
