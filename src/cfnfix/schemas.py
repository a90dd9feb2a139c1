"""The resource schemas cfn-lint ships, and the schema violations the schema fixers repair.

The files are read straight from cfn-lint's package directory: importing cfn-lint itself
costs about a second, which a template with nothing to repair should not pay. Every file is
loaded once per process, on first use. ``violations`` walks a template's resource properties
against their schemas ($ref/definitions resolved, nested objects and list items included) and
reports what cfn-lint would report as E3002 (property not allowed), E3003 (required property
missing), E3021 (a property another one present depends on is missing) and E3030 (value outside
an enum).
"""

from __future__ import annotations

import importlib.util
import json
import marshal
from contextlib import contextmanager
from contextvars import ContextVar
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, NamedTuple

from .document import Document
from .getatts import getatts
from .memo import cached

REGION = "us-east-1"  # schemas differ little between regions; cfn-lint's default region
# The regions a run targets (--regions, config `regions`): a property valid in any of them is
# valid. Set by the engine around a run of the fixers, so fixers need not pass it along.
_regions: ContextVar[tuple[str, ...]] = ContextVar("regions", default=(REGION,))
# Where `aws cloudformation package` takes a local path (a file or folder beside the template),
# uploads it and writes its S3 location, per the AWS CLI reference: a text there is no type
# error, though the schema wants an object (cfn-lint skips E3012 there and warns W3002). The
# properties whose schema takes a text anyway (TemplateURL, the AppSync S3 locations, a Glue
# job's ScriptLocation) and SAM's own (CodeUri...) need no entry.
_PACKAGED = frozenset({
    ("AWS::ApiGateway::RestApi", ("BodyS3Location",)),
    ("AWS::Lambda::Function", ("Code",)),
    ("AWS::Lambda::LayerVersion", ("Content",)),
    ("AWS::ElasticBeanstalk::ApplicationVersion", ("SourceBundle",)),
    ("AWS::StepFunctions::StateMachine", ("DefinitionS3Location",)),
    ("AWS::CodeCommit::Repository", ("Code", "S3")),
})


def packaged(type_name: str, path: tuple, value: Any) -> bool:
    """Whether ``value`` at ``path`` (under the resource's Properties) is a local path that
    `aws cloudformation package` replaces before the template is deployed."""
    return isinstance(value, str) and (type_name, tuple(path)) in _PACKAGED


@contextmanager
def regions(names: tuple[str, ...]) -> Iterator[None]:
    token = _regions.set(names or (REGION,))
    try:
        yield
    finally:
        _regions.reset(token)


def region() -> str:
    """The run's first region: the one :func:`resource_schema`, :func:`schema_at` and
    :func:`mentions` judge in (for a cache that must tell regions apart)."""
    return _regions.get()[0]


def known_regions() -> list[str]:
    return sorted(p.stem for p in (data_dir() / "providers").glob("*.json"))
_SKIPPED_PREFIXES = ("Custom::", "AWS::Serverless::", "AWS::CloudFormation::CustomResource")
_COMBINATORS = ("allOf", "anyOf", "oneOf")


class Violation(NamedTuple):
    """One schema violation in a resource's properties.

    ``kind`` is "unknown" (E3002), "required" (E3003), "dependency" (E3021: a key another key
    present needs, ``value`` naming that key) or "enum" (E3030). ``path`` is the full template
    path of the offending key, of the missing key, or of the value. ``schema`` is the resolved
    schema of the object holding the key (unknown, required, dependency) or of the value (enum).
    """

    kind: str
    resource: str
    type_name: str
    path: tuple
    value: Any
    schema: dict

    @property
    def rule(self) -> str:
        return {"unknown": "E3002", "required": "E3003", "dependency": "E3021", "enum": "E3030"}[self.kind]

    @property
    def name(self) -> str:
        return str(self.path[-1])

    def allowed_names(self) -> list[str]:
        """Property names the holding object accepts (for unknown and required violations)."""
        return list(_properties(self.root, self.schema)[0])

    def property_schema(self, name: str) -> dict:
        """The resolved schema of property ``name`` of the holding object."""
        return resolve(self.root, _properties(self.root, self.schema)[0].get(name, {}))

    @property
    def root(self) -> dict:
        return resource_schema(self.type_name) or {}


@lru_cache(maxsize=1)
def cfnlint_data() -> Path:
    """cfn-lint's ``data`` directory, found without importing cfn-lint (the import costs ~1 s)."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed; the schema fixers need its schemas")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def data_dir() -> Path:
    """cfn-lint's ``data/schemas`` directory."""
    return cfnlint_data() / "schemas"


@lru_cache(maxsize=None)
def _provider_index(region: str) -> dict[str, str]:
    with open(data_dir() / "providers" / f"{region}.json", encoding="utf-8") as handle:
        return json.load(handle)


def resource_schema(type_name: str, region: str | None = None) -> dict | None:
    """The provider schema of a resource type in ``region`` (default: the run's first region), or
    None when cfn-lint does not know the type there."""
    return _resource_schema(region or _regions.get()[0], type_name)


@lru_cache(maxsize=None)
def _resource_schema(region: str, type_name: str) -> dict | None:
    """Kept per region and type: the fixers ask ~24,000 times over aws-samples' 312 templates,
    for a few hundred types. One lookup where the region's index and the file's cache were two;
    the objects are still the file cache's, so regions that share a file share its schema."""
    return _schema_file(_provider_index(region).get(type_name))


@lru_cache(maxsize=None)
def _schema_file(digest: str | None) -> dict | None:
    if not digest:
        return None
    with open(data_dir() / "resources" / f"{digest}.json", encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def extension(folder: str, filename: str) -> dict:
    """One of cfn-lint's extension schemas (e.g. ``aws_rds_dbinstance``, ``engine_version.json``)."""
    with open(data_dir() / "extensions" / folder / filename, encoding="utf-8") as handle:
        return json.load(handle)


def resolve(root: dict, schema: Any) -> dict:
    """``schema`` with its local ``$ref`` chain followed (``#/definitions/...``)."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        schema, seen = target, seen + 1
    return schema if isinstance(schema, dict) else {}


_PROPERTIES: dict[tuple[int, int], tuple[dict, dict, tuple[dict, dict]]] = {}


def _properties(root: dict, schema: dict) -> tuple[dict, dict]:
    """Named and pattern properties an object schema accepts, its combinator branches included.

    Kept per schema object (schemas are loaded once and never change); the entry holds the
    objects themselves, so their ids cannot be reused while cached. Callers must not change
    what it returns."""
    key = (id(root), id(schema))
    hit = _PROPERTIES.get(key)
    if hit is not None and hit[0] is root and hit[1] is schema:
        return hit[2]
    found = _collect_properties(root, schema)
    if root and schema:  # an empty schema is a throwaway default ({}): nothing to keep
        _PROPERTIES[key] = (root, schema, found)
    return found


def _collect_properties(root: dict, schema: dict) -> tuple[dict, dict]:
    props = dict(schema.get("properties") or {})
    patterns = dict(schema.get("patternProperties") or {})
    for word in _COMBINATORS:
        for branch in schema.get(word) or ():
            sub = resolve(root, branch)
            for key, value in (sub.get("properties") or {}).items():
                props.setdefault(key, value)
            patterns.update(sub.get("patternProperties") or {})
    return props, patterns


def schema_at(type_name: str, path: tuple) -> dict:
    """The resolved schema of the value at ``path`` (Resources, id, Properties, ...); {} if unknown.

    Kept per (region, type, property path as written, list indexes included): fixers ask about
    the same places of every resource of a type. The path is the key as it comes, not made over
    with every list index alike first (which cost more than the walks a shared key saves: 5,258
    calls over aws-samples, 813 paths, 354 alike); the walk takes any index to the items' schema,
    so each index finds what the others do. A float key is equal to an int index (``1.0 == 1``)
    but a key to the walk, not an index: a path with one is walked, not cached. Callers must not
    change what it returns."""
    steps = path[3:]
    if float in map(type, steps):
        return _schema_at.__wrapped__(_regions.get()[0], type_name, steps)
    return _schema_at(_regions.get()[0], type_name, steps)


@lru_cache(maxsize=65536)
def _schema_at(region: str, type_name: str, steps: tuple) -> dict:
    root = resource_schema(type_name, region) or {}
    schema: Any = root
    for part in steps:
        schema = child_schema(root, resolve(root, schema), part)
    return resolve(root, schema)


def mentions(type_name: str, keyword: str) -> bool:
    """Whether any object of the schema of ``type_name`` (in the run's first region, as
    :func:`schema_at`) has the key ``keyword``: where none has, no place of the resource has a
    schema that says it, and a check for it has nothing to look up."""
    return _mentions(_regions.get()[0], type_name, keyword)


@lru_cache(maxsize=None)
def _mentions(region: str, type_name: str, keyword: str) -> bool:
    todo: list = [resource_schema(type_name, region)]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if keyword in item:
                return True
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


def child_schema(root: dict, schema: dict, part: Any) -> Any:
    """The schema (unresolved) of item or property ``part`` of a value whose resolved schema is
    ``schema``: one step of :func:`schema_at`, for walks that go down a value themselves."""
    if isinstance(part, int):
        return schema.get("items", {})
    return _named_child(*_properties(root, schema), part)


def _named_child(props: dict, patterns: dict, name: Any) -> Any:
    """The schema of property ``name`` among an object schema's named and pattern properties."""
    if name in props:
        return props[name]
    return next((patterns[p] for p in patterns if _pattern_matches(p, name)), {})


def resolved_children(root: dict, schema: dict, value: Any) -> list[tuple[Any, Any, dict]]:
    """(key or index, item, resolved schema) of each property or item of ``value`` (a mapping or
    a list) whose resolved schema is ``schema``: the step of a walk that carries schemas down.
    Each key's schema is :func:`child_schema`'s, resolved; a mapping's are taken from a table
    kept per schema object (:func:`_resolved_children`), not resolved again for every value."""
    if isinstance(value, dict):
        named, patterns = _resolved_children(root, schema)
        out = []
        for k, v in value.items():
            if isinstance(k, int):  # as child_schema: an integer key (YAML's ``1:``) takes the items' schema
                below = resolve(root, schema.get("items", {}))
            else:
                below = named.get(k, _MISSING)
                if below is _MISSING:
                    below = next((patterns[p] for p in patterns if _pattern_matches(p, k)), {})
            out.append((k, v, below))
        return out
    if isinstance(value, list):
        below = resolve(root, schema.get("items", {}))
        return [(i, v, below) for i, v in enumerate(value)]
    return []


def accepts(type_name: str, schema: dict, name: str) -> bool:
    """Whether an object schema of ``type_name`` names property ``name``."""
    return name in _properties(resource_schema(type_name) or {}, schema)[0]


def homes(type_name: str, name: str, max_depth: int = 7) -> list[tuple]:
    """Where in a resource type's properties an object accepts ``name``: property paths below
    ``Properties``, with ``"*"`` for a list's items (``("Replicas", "*", "SSESpecification")``)."""
    root = resource_schema(type_name) or {}
    found: list[tuple] = []

    def walk(schema: Any, path: tuple, seen: frozenset) -> None:
        schema = resolve(root, schema)
        if len(path) > max_depth or id(schema) in seen:
            return
        seen = seen | {id(schema)}
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], path + ("*",), seen)
        props, _ = _properties(root, schema)
        if name in props:
            found.append(path)
        for key, sub in props.items():
            walk(sub, path + (key,), seen)

    walk(root, (), frozenset())
    return found


def is_intrinsic(value: Any) -> bool:
    """A value CloudFormation computes (``Ref``, ``Fn::*``, ``Condition``): not checkable here."""
    if not (isinstance(value, dict) and len(value) == 1):
        return False
    key = str(next(iter(value)))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def shape_fits(root: dict, schema: Any, value: Any) -> bool:
    """Whether ``value`` is an object, list or scalar as the schema's ``type`` asks (intrinsics fit)."""
    kind = resolve(root, schema).get("type")
    if is_intrinsic(value) or kind is None:
        return True
    kinds = kind if isinstance(kind, list) else [kind]
    if isinstance(value, dict):
        return "object" in kinds
    if isinstance(value, list):
        return "array" in kinds
    return bool(set(kinds) - {"object", "array"})


def enum_matches(value: Any, allowed: list) -> bool:
    """Whether ``value`` is one of ``allowed`` the way CloudFormation compares (as text)."""
    text = _text(value)
    return any(_text(a) == text for a in allowed)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:  # ECMA-only syntax such as \p{L}
        return None


@lru_cache(maxsize=None)
def _ecma(pattern: str) -> Any:
    import regex  # cfn-lint's own engine: reads \p{L} and the other ECMA forms Python's re does not

    try:
        return regex.compile(pattern)
    except regex.error:
        return None


def value_matches(pattern: str, text: str) -> bool | None:
    """Whether a schema ``pattern`` accepts the string ``text`` as cfn-lint judges it (a search,
    as JSON Schema does); None when the pattern cannot be read."""
    compiled = _ecma(pattern)
    return None if compiled is None else compiled.search(text) is not None


def _pattern_matches(pattern: str, key: str) -> bool:
    """Whether a patternProperties key accepts ``key``; a pattern Python cannot read accepts all."""
    compiled = _compiled(pattern)
    return compiled is None or compiled.search(key) is not None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def violations(doc: Document) -> list[Violation]:
    """Every E3002/E3003/E3021/E3030 violation in the document's resources, in every region of the run
    (cached for the last document)."""
    global _last
    chosen = _regions.get()
    if _last is not None and _last[0] is doc and _last[1] == chosen:
        return _last[2]
    found = _violations(doc, chosen[0])
    for region in chosen[1:]:
        elsewhere = {(v.rule, v.path) for v in _violations(doc, region)}
        found = [v for v in found if (v.rule, v.path) in elsewhere]
    _last = (doc, chosen, found)
    return found


class CleanProperties:
    """Resource properties a check found nothing wrong with, remembered across documents.

    A fix changes a resource or two, and the re-parse hands every check all the others again:
    a check that walks each resource's properties against its schema, and whose result depends
    on nothing else (the schema and the properties: not the logical id, other resources or the
    text), skips those it found clean before. The re-parse keeps the very objects of the entries
    a fix did not touch, and a document never changes, so the same object is known clean at
    once; other properties are compared by their ``marshal`` form, version 2: each value with
    its exact type (``True`` apart from ``1``, ``1`` from ``1.0``, what ``==`` joins), keys in
    their order, and no back-reference or interning mark (later versions write those by object
    identity and reference count, so equal properties parsed apart would differ), so equal bytes
    are equal properties. It is a third of the cost of their ``repr``, the earlier form (1.6% of
    ``check --all``'s instructions over aws-samples); a value marshal does not write falls back
    to its ``repr`` (a str never equals bytes). Only clean results are kept, so no result of
    another document is ever handed out.
    """

    LIMIT = 20_000
    OBJECTS = 4_096  # the objects of the last documents or so: each entry keeps its object alive
    # the form of the properties objects asked about last, shared by every check: each check
    # that keeps a CleanProperties asks about the same objects in turn
    _texts: ClassVar[dict[int, tuple[Any, bytes | str]]] = {}

    def __init__(self) -> None:
        self._seen: set[tuple[int, bytes | str]] = set()
        self._roots: dict[int, dict] = {}  # keeps each schema alive, so no other takes its id
        self._objects: dict[tuple[int, int], Any] = {}  # (schema id, properties id) -> the properties

    def key(self, root: dict, props: Any) -> tuple[int, bytes | str] | None:
        """None when ``props`` was found clean against the resource schema ``root`` before (this
        very object, or one with the same form); else the key to ``add`` if it is clean now."""
        if self._objects.get((id(root), id(props))) is props:
            return None
        self._roots.setdefault(id(root), root)
        key = id(root), self._text(props)
        if key not in self._seen:
            return key
        self._remember(root, props)
        return None

    def add(self, key: tuple[int, bytes | str], root: dict, props: Any) -> None:
        """``props`` (whose ``key`` this is) is clean against ``root``."""
        if len(self._seen) >= self.LIMIT:
            self._seen.clear()
        self._seen.add(key)
        self._remember(root, props)

    @classmethod
    def _text(cls, props: Any) -> bytes | str:
        hit = cls._texts.get(id(props))
        if hit is not None and hit[0] is props:
            return hit[1]
        if len(cls._texts) >= cls.OBJECTS:
            cls._texts.clear()
        try:
            text: bytes | str = marshal.dumps(props, 2)
        except ValueError:  # a type (or depth) marshal does not write
            text = repr(props)
        cls._texts[id(props)] = (props, text)
        return text

    def _remember(self, root: dict, props: Any) -> None:
        if len(self._objects) >= self.OBJECTS:
            self._objects.clear()
        self._objects[id(root), id(props)] = props


_clean_violations = CleanProperties()


def _violations(doc: Document, region: str) -> list[Violation]:
    found: list[Violation] = []
    for rid, res in doc.resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            continue
        type_name = res["Type"]
        if type_name.startswith(_SKIPPED_PREFIXES):
            continue
        root = resource_schema(type_name, region)
        if root is None:
            continue
        props = res.get("Properties", {})
        if props is None:
            props = {}
        key = _clean_violations.key(root, props)
        if key is None:
            continue
        before = len(found)
        found.extend(_walk(rid, type_name, root, root, props, ("Resources", rid, "Properties")))
        if len(found) == before:
            _clean_violations.add(key, root, props)
    return found


_last: tuple[Document, tuple[str, ...], list[Violation]] | None = None


def value_violations(type_name: str, path: tuple, value: Any) -> list[Violation]:
    """The violations ``value`` would have written at ``path`` (Resources, id, Properties, ...) of a
    resource of ``type_name``: for a fix that moves a value, before it moves it."""
    root = resource_schema(type_name)
    if root is None or len(path) < 3:
        return []
    return _walk(str(path[1]), type_name, root, schema_at(type_name, path), value, tuple(path))


def _walk(rid: str, type_name: str, root: dict, schema: Any, value: Any, path: tuple) -> list[Violation]:
    """The violations in ``value`` at ``path``, whose (unresolved) schema is ``schema``."""
    found: list[Violation] = []
    below = resolve(root, schema)
    if below:
        _walk_into(found, rid, type_name, root, below, value, path)
    return found


def _walk_into(found: list[Violation], rid: str, type_name: str, root: dict, schema: dict, value: Any, path: tuple) -> None:
    """_walk() below a non-empty resolved ``schema``: fills one list, takes each property's
    resolved schema from :func:`_resolved_children` and makes no call for a value it cannot judge
    (a scalar without an ``enum``, anything without a schema)."""
    if isinstance(value, dict):
        if len(value) == 1 and is_intrinsic(value):
            return
        if schema.keys().isdisjoint(_OBJECT_WORDS):
            return
        named, patterns = _resolved_children(root, schema)
        closed = schema.get("additionalProperties") is False
        for key, item in value.items():
            below = named.get(key, _MISSING)
            if below is _MISSING:
                pattern = next((p for p in patterns if _pattern_matches(p, str(key))), None)
                if pattern is None:
                    if closed:
                        found.append(Violation("unknown", rid, type_name, path + (key,), item, schema))
                    continue
                below = patterns[pattern]
            if below and (isinstance(item, (dict, list)) or (item is not None and "enum" in below)):
                _walk_into(found, rid, type_name, root, below, item, path + (key,))
        for key in schema.get("required") or ():
            if key not in value:
                found.append(Violation("required", rid, type_name, path + (key,), None, schema))
        needs = schema.get("dependentRequired")
        for key, wanted in (needs.items() if isinstance(needs, dict) else ()):
            if key in value and isinstance(wanted, list):
                for other in wanted:
                    if isinstance(other, str) and other not in value:
                        found.append(Violation("dependency", rid, type_name, path + (other,), key, schema))
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            below = resolve(root, items)
            if below:
                enum = "enum" in below
                for i, item in enumerate(value):
                    if isinstance(item, (dict, list)) or (item is not None and enum):
                        _walk_into(found, rid, type_name, root, below, item, path + (i,))
    elif value is not None and isinstance(schema.get("enum"), list) and not enum_matches(value, schema["enum"]):
        found.append(Violation("enum", rid, type_name, path, value, schema))


# the keys that give an object schema properties (its own, or its combinators' branches')
_OBJECT_WORDS = frozenset(("properties", "patternProperties") + _COMBINATORS)
_MISSING = object()  # a key that is no named property
_RESOLVED: dict[tuple[int, int], tuple[dict, dict, tuple[dict, dict]]] = {}


def _resolved_children(root: dict, schema: dict) -> tuple[dict, dict]:
    """:func:`_properties` of ``schema`` with every property's and pattern's schema resolved:
    :func:`_walk_into` takes them from here instead of resolving a ``$ref`` chain again for each
    key of each value it meets. Kept per schema object as :func:`_properties` is (schemas never
    change); callers must not change what it returns."""
    key = (id(root), id(schema))
    hit = _RESOLVED.get(key)
    if hit is not None and hit[0] is root and hit[1] is schema:
        return hit[2]
    props, patterns = _properties(root, schema)
    found = ({name: resolve(root, sub) for name, sub in props.items()},
             {pattern: resolve(root, sub) for pattern, sub in patterns.items()})
    if root and schema:  # an empty schema is a throwaway default ({}): nothing to keep
        _RESOLVED[key] = (root, schema, found)
    return found


def resource_types() -> list[str]:
    """Every resource type cfn-lint knows in any region of the run (its provider schemas)."""
    return sorted(set().union(*(_provider_index(region) for region in _regions.get())))


def property_names(type_name: str) -> tuple[set[str], list[str]]:
    """(top-level property names, required ones) of a resource type; empty when unknown."""
    root = resource_schema(type_name) or {}
    return set(_properties(root, root)[0]), [r for r in root.get("required") or () if isinstance(r, str)]


# resource types whose attributes are not fixed by a schema
_OPEN_TYPES = ("Custom::", "AWS::CloudFormation::Stack", "AWS::CloudFormation::CustomResource", "AWS::Serverless::")


def attributes(type_name: str) -> list[str] | None:
    """Attributes ``Fn::GetAtt`` accepts on a type, as cfn-lint judges them; None when open or unknown."""
    if type_name.startswith(_OPEN_TYPES):
        return None
    if resource_schema(type_name) is None:
        return None
    found = _getatts(type_name)
    return list(found) if found is not None else None


@lru_cache(maxsize=None)
def _getatts(type_name: str) -> tuple[str, ...] | None:
    """cfn-lint's answer for ``type_name`` in its default region, from the schema files (not
    cfn-lint itself, whose import costs about a second)."""
    schema = resource_schema(type_name, REGION)
    if schema is None:
        return None
    try:
        return tuple(getatts(type_name, schema))
    except Exception:  # noqa: BLE001 - a schema cfn-lint could not answer for is left alone
        return None


def primary_identifier(type_name: str) -> tuple[str, ...] | None:
    """The property names of a type's ``primaryIdentifier``, in order; None when the schema is
    unknown or states none, or a part is no top-level property (a nested path). Kept per type
    (and region): lookup-resource and duplicate-resource ask for every resource they see."""
    return _primary_identifier(type_name, _regions.get()[0])


@lru_cache(maxsize=None)
def _primary_identifier(type_name: str, region: str) -> tuple[str, ...] | None:
    ids = (resource_schema(type_name, region) or {}).get("primaryIdentifier") or []
    if not ids or any(not isinstance(p, str) or not p.startswith("/properties/") or "/" in p[len("/properties/"):]
                      for p in ids):
        return None
    return tuple(p[len("/properties/"):] for p in ids)


def read_only_attributes(type_name: str) -> frozenset[str]:
    """Attributes from the schema's read-only properties: enough to accept most GetAtts without cfn-lint."""
    return _read_only_attributes(type_name, _regions.get()[0])


@lru_cache(maxsize=None)
def _read_only_attributes(type_name: str, region: str) -> frozenset[str]:
    root = resource_schema(type_name, region) or {}
    return frozenset(p[len("/properties/"):].replace("/", ".") for p in root.get("readOnlyProperties") or ()
                     if isinstance(p, str) and p.startswith("/properties/"))


SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def serverless_ids(data: Any) -> tuple[str, ...]:
    """The logical ids of a template's SAM resources (``AWS::Serverless::*``), in template order."""
    return _ids_of(data, lambda type_name: type_name.startswith("AWS::Serverless::"))


def module_ids(data: Any) -> tuple[str, ...]:
    """The logical ids of a template's modules (a type ``Org::Service::Name::MODULE``), in template
    order: CloudFormation names each resource of a module after it (``Storage`` + ``Bucket``)."""
    return _ids_of(data, lambda type_name: type_name.endswith("::MODULE"))


def _ids_of(data: Any, kind: Callable[[str], bool]) -> tuple[str, ...]:
    resources = data.get("Resources") if isinstance(data, dict) else None
    return tuple(str(rid) for rid, body in (resources.items() if isinstance(resources, dict) else ())
                 if isinstance(body, dict) and kind(str(body.get("Type", ""))))


def transforms(data: Any) -> list:
    """The transforms a template names (``Transform`` is one name or a list)."""
    transform = data.get("Transform") if isinstance(data, dict) else None
    return transform if isinstance(transform, list) else [transform] if transform is not None else []


def rewritten_by_transform(data: Any) -> bool:
    """Whether a template names a transform other than SAM's (a macro, AWS::LanguageExtensions):
    its resources are not final until the transform ran, so they are not judged against schemas."""
    return any(n != SAM_TRANSFORM for n in transforms(data))


def judged_resources(doc: Document) -> Iterator[tuple[str, str, dict]]:
    """(logical id, type, body) of the resources a schema can judge: typed mappings, not custom,
    SAM or module types, in a template no macro rewrites. Found once per document: most schema
    checks ask for them."""
    return iter(cached(doc, "schemas.judged_resources", lambda: list(_judged_resources(doc))))


def _judged_resources(doc: Document) -> Iterator[tuple[str, str, dict]]:
    if rewritten_by_transform(doc.data):
        return
    for rid, res in doc.resources.items():
        if isinstance(res, dict) and isinstance(res.get("Type"), str):
            type_name = res["Type"]
            if not type_name.startswith(_SKIPPED_PREFIXES) and not type_name.endswith("::MODULE"):
                yield rid, type_name, res


def judged_properties(doc: Document) -> Iterator[tuple[str, str, dict, dict]]:
    """(logical id, type, resource schema, properties) of the judged resources with a schema and a
    ``Properties`` mapping, found once per document and region (the run's first)."""
    region = _regions.get()[0]
    return iter(cached(doc, f"schemas.judged_properties.{region}", lambda: list(_judged_properties(doc, region))))


def _judged_properties(doc: Document, region: str) -> Iterator[tuple[str, str, dict, dict]]:
    for rid, type_name, res in judged_resources(doc):
        root = resource_schema(type_name, region)
        props = res.get("Properties")
        if root is not None and isinstance(props, dict):
            yield rid, type_name, root, props
