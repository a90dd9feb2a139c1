"""Resources written to look up an existing one by its id: CloudFormation has no lookup, so they go
and every reference reads the id directly."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import depends_on, references
from cfnfix.nodepath import node_path
from cfnfix.usage import Use, prune_depends_on, uses, wrap_point

# Read-only properties that hold the same value as the type's primary identifier (what Ref returns):
# a security group's GroupId is its Id (AWS: "Ref returns the ID of the security group"; GetAtt
# GroupId "the group ID of the specified security group, such as sg-94b3a1f6").
ALIASES = {
    "AWS::EC2::SecurityGroup": {"GroupId": "Id"},
}
# resource attributes a lookup may carry; anything else (UpdatePolicy, CreationPolicy...) is not this case
_ATTRIBUTES = frozenset({"Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"})
_NO_ESCAPE = re.compile(r"[^'\"\\\r\n]*")


class Plan(NamedTuple):
    """What happens to the uses of one lookup resource: ``sets`` (data path, before, after) for a
    Ref/GetAtt node or a whole Fn::Sub, ``tokens`` per Fn::Sub path (its text path, [(old, new)]),
    ``drop`` the resources whose DependsOn loses the entry."""

    sets: tuple = ()
    subs: tuple = ()  # (Sub data path, text node path, ((old token, new token), ...), before, after)
    drop: tuple = ()


class LookupResource(Fixer):
    name = "lookup-resource"
    summary = "Remove a resource that only names an existing one by its id; references read the id directly"
    group = "deploy"
    safety = Safety.REVIEW
    lint_rules = ("E3040",)
    default = False
    docs = """
    ## What it detects
    A resource whose properties are only its type's identifier, a property the schema marks
    read-only (its `primaryIdentifier`, such as a VPC's `VpcId` or a subnet's `SubnetId`, or a
    security group's `GroupId`, which is the same id):

    ```yaml
    VpcInfo:
      Type: AWS::EC2::VPC
      Properties:
        VpcId: !Ref VpcId
    ```

    Templates are written so when they mean "the existing VPC with this id". A resource that
    sets anything else besides its id is a real resource and is left alone.

    ## Why it matters
    CloudFormation creates resources; it has no way to look one up. Read-only properties are not
    passed to the resource provider, so such a resource either fails (a VPC without `CidrBlock`)
    or creates a new, different resource whose id is not the one written.

    ## How it decides
    The resource is removed (with the comment lines directly above it) and every use of it
    reads the id instead:
    - `Ref` of it becomes the id's value (what `Ref` returns is the primary identifier);
    - `Fn::GetAtt` of the identifier attribute (`VpcInfo.VpcId`) becomes the value too;
    - in `Fn::Sub`, `${VpcInfo}` becomes `${VpcId}` when the id is a `Ref` to a parameter (or
      `${X.Attr}` for a `GetAtt`), or the id itself when it is plain text;
    - a `DependsOn` entry naming it is dropped (nothing is created to wait for), unless the
      lookup's id refers to a resource of the template or the lookup has its own `DependsOn`:
      then the ordering would be lost, and the resource is reported.
    - when the lookup carries a `Condition`, a use that holds only under that condition (a
      resource or output with the same `Condition`, the true branch of an `Fn::If` on it) reads
      the value; another use becomes `Fn::If [Condition, value, !Ref AWS::NoValue]` where it
      stands alone as an optional value, and is reported elsewhere.

    Reported, not changed: a `GetAtt` of any other attribute (`VpcInfo.CidrBlock`: the
    existing resource's attributes cannot be read; pass them as parameters), a `Ref` where the
    identifier has several parts, a `Sub` token the id cannot be written into, lookups whose
    ids refer to one another, and a lookup that is the template's only resource.

    ## Example
    ```yaml
    # before
    VpcInfo:
      Type: AWS::EC2::VPC
      Properties:
        VpcId: !Ref VpcId
    LambdaSecurityGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: Lambda
        VpcId: !Ref VpcInfo
    # after
    LambdaSecurityGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: Lambda
        VpcId: !Ref VpcId
    ```

    ## Fix safety
    Review: a resource leaves the template. Nothing the template meant is lost (CloudFormation
    has no lookup; the id written is kept where it is used), but in a stack where the resource
    did deploy, it was a new resource, which the update deletes.
    """

    def find(self, doc: Document) -> list[Finding]:
        lookups = {rid: (type_name, res, ids) for rid, type_name, res in schemas.judged_resources(doc)
                   if (ids := _lookup(type_name, res)) is not None}
        findings: list[Finding] = []
        for rid, (type_name, res, ids) in lookups.items():
            chained = sorted({n for n, _ in references(ids) if n in lookups and n != rid} |
                             {o for o, (_, _, theirs) in lookups.items() if o != rid and rid in dict(references(theirs))})
            if chained:
                findings.append(Finding(rid, ("Resources", rid), f"{rid} ({type_name}) sets only its id, and it and "
                                        f"{', '.join(chained)} (also only an id) refer to one another: replace them by "
                                        "the ids as parameters by hand", fixable=False))
                continue
            findings.append(self._finding(doc, rid, type_name, res, ids))
        return findings

    def _finding(self, doc: Document, rid: str, type_name: str, res: dict, ids: dict) -> Finding:
        keys = ", ".join(ids)
        head = (f"{rid} ({type_name}) sets only its id ({keys}): a lookup of an existing resource, which "
                "CloudFormation cannot do")
        where = ("Resources", rid)
        if len(doc.resources) == 1:
            return Finding(rid, where, f"{head}; it is the template's only resource: pass the id as a parameter and "
                           "remove it by hand", fixable=False)
        problems: list[str] = []
        sets: list[tuple] = []
        subs: dict[tuple, tuple] = {}
        drop: list[str] = []
        condition = res.get("Condition")
        for use in uses(doc.data, {rid}):
            if use.section == "Resources" and use.owner == rid:
                continue  # its own Metadata: removed with it
            if use.kind == "DependsOn":
                why = _ordering(doc, res, ids)
                if why:
                    problems.append(f"{use.owner}'s DependsOn on it {why}")
                else:
                    drop.append(use.owner)
                continue
            guarded = condition is None or _guarded(doc.data, use, condition)
            if use.kind == "Fn::Sub":
                if use.path not in subs:
                    plan = _sub_plan(doc, rid, type_name, ids, use)
                    if isinstance(plan, str):
                        problems.append(plan)
                    elif not guarded:
                        problems.append(f"{_show(use)} holds when condition {condition} may be false: refer to the id there by hand")
                    else:
                        subs[use.path] = plan
                continue
            call = doc.value(use.path)
            value, why = _value_for(call, rid, type_name, ids)
            if why:
                problems.append(f"{_show(use)}: {why}")
            elif guarded:
                sets.append((use.path, call, value))
            elif wrap_point(doc.data, use) == use.path:
                sets.append((use.path, call, {"Fn::If": [condition, value, {"Ref": "AWS::NoValue"}]}))
            else:
                problems.append(f"{_show(use)} holds when condition {condition} may be false and cannot be wrapped in "
                                "Fn::If: refer to the id there by hand")
        if problems:
            return Finding(rid, where, f"{head}; not removed: " + "; ".join(problems), fixable=False)
        said = f"{head}; removed, nothing lost (CloudFormation has no lookup)"
        if sets or subs:
            said += "; every reference to it reads the id directly"
        if drop:
            said += f"; DependsOn entries naming it dropped ({', '.join(drop)})"
        return Finding(rid, where, said, detail=Plan(tuple(sets), tuple((p,) + s for p, s in subs.items()), tuple(drop)))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            plan: Plan = f.detail
            rid = f.resource
            if rid is None:  # find() names the resource of every finding
                continue
            with editor.finding(f):
                editor.remove(("Resources", rid))
                changes.append(self.change(f, "remove", doc.value(("Resources", rid)), None, f.message))
                for path, before, after in plan.sets:
                    editor.set(node_path(doc, path) or path, after)
                    changes.append(self.change(f, "replace", before, after, f"{rid} is removed (CloudFormation has no "
                                               "lookup): the reference reads the id directly", path=path))
                for path, text_path, tokens, before, after in plan.subs:
                    for old, new in tokens:
                        editor.replace_text(text_path, old, new)
                    changes.append(self.change(f, "replace", before, after, f"{rid} is removed (CloudFormation has no "
                                               "lookup): the Fn::Sub reads the id directly", path=path))
                for owner in plan.drop:
                    pruned = prune_depends_on(editor, owner, {rid})
                    if pruned:
                        changes.append(self.change(f, "replace" if pruned[1] is not None else "remove", pruned[0], pruned[1],
                                                   f"{rid} is removed: it created nothing for {owner} to wait for",
                                                   path=("Resources", owner, "DependsOn")))
        return Fix.of(editor, changes)


def _lookup(type_name: str, res: dict) -> dict | None:
    """The identifier properties of a resource that sets nothing else, or None."""
    if not res.keys() <= _ATTRIBUTES:
        return None
    props = res.get("Properties")
    if not isinstance(props, dict) or not props or not props.keys() <= _identifiers(type_name, schemas.region()):
        return None
    if any(v is None or v == {"Ref": "AWS::NoValue"} or isinstance(v, (list, bool)) for v in props.values()):
        return None
    return dict(props)


@lru_cache(maxsize=None)
def _identifiers(type_name: str, region: str) -> frozenset[str]:
    """The property names a lookup of ``type_name`` may set: those of its primary identifier, or
    an alias of one (``ALIASES``), that are also read-only attributes. Kept per type and region
    (the schema functions read the run's region, passed here so the cache tells regions apart):
    ``find`` asks for every resource."""
    names = set(schemas.primary_identifier(type_name) or ()) | set(ALIASES.get(type_name, {}))
    return frozenset(names & schemas.read_only_attributes(type_name))


def _attribute(type_name: str, ids: dict, attr: str | None) -> tuple[Any, str | None]:
    """The value of ``attr`` (None: what Ref returns) on the lookup with identifier values ``ids``."""
    primary = schemas.primary_identifier(type_name) or ()
    if attr is None:
        if len(primary) != 1:
            return None, f"a Ref of it: its type's identifier has {len(primary)} parts ({', '.join(primary)})"
        attr = primary[0]
    if attr in ids:
        return ids[attr], None
    aliases = ALIASES.get(type_name, {})
    same = {a for a, p in aliases.items() if p == attr} | ({aliases[attr]} if attr in aliases else set())
    for other in same:
        if other in ids:
            return ids[other], None
    return None, (f"the attribute {attr} of the existing resource cannot be read from CloudFormation: pass it as a "
                  "parameter and refer to that")


def _value_for(call: Any, rid: str, type_name: str, ids: dict) -> tuple[Any, str | None]:
    if isinstance(call, dict) and list(call) == ["Ref"]:
        return _attribute(type_name, ids, None)
    arg = call.get("Fn::GetAtt") if isinstance(call, dict) else None
    attr = (".".join(map(str, arg[1:])) if isinstance(arg, list) and len(arg) > 1 and all(isinstance(a, str) for a in arg)
            else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None)
    if attr is None:
        return None, "a reference to it that is not a plain Ref or Fn::GetAtt"
    return _attribute(type_name, ids, attr)


def _sub_plan(doc: Document, rid: str, type_name: str, ids: dict, use: Use) -> tuple | str:
    """(text node path, token replacements, before, after) for an Fn::Sub naming the lookup, or why not."""
    call = doc.value(use.path)
    arg = call.get("Fn::Sub") if isinstance(call, dict) else None
    text = arg[0] if isinstance(arg, list) and arg else arg
    local = arg[1] if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else {}
    where = node_path(doc, use.path + ("Fn::Sub",) + ((0,) if isinstance(arg, list) else ()))
    if not isinstance(text, str) or where is None:
        return f"{_show(use)}: an Fn::Sub whose text cannot be edited in place"
    tokens = []
    for match in sorted(set(re.findall(r"\$\{\s*" + re.escape(rid) + r"(?:\.[^}]*)?\s*\}", text))):
        inner = match[2:-1].strip()
        value, why = _attribute(type_name, ids, inner.split(".", 1)[1] if "." in inner else None)
        if why:
            return f"{_show(use)}: {why}"
        new = _sub_token(value, local)
        if new is None:
            return (f"{_show(use)}: its id ({_shown(value)}) cannot be written into the Fn::Sub text; add it as a Sub "
                    "variable by hand")
        tokens.append((match, new))
    after_text = text
    for old, new in tokens:
        after_text = after_text.replace(old, new)
    after = {"Fn::Sub": [after_text] + list(arg[1:])} if isinstance(arg, list) else {"Fn::Sub": after_text}
    return where, tuple(tokens), call, after


def _sub_token(value: Any, local: dict) -> str | None:
    """How an Fn::Sub text writes ``value``: ``${Param}``, ``${Res.Attr}`` or the plain text."""
    if isinstance(value, dict) and list(value) == ["Ref"] and isinstance(value["Ref"], str) and value["Ref"] not in local:
        return "${" + value["Ref"] + "}"
    arg = value.get("Fn::GetAtt") if isinstance(value, dict) and list(value) == ["Fn::GetAtt"] else None
    if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg) and arg[0] not in local:
        return "${" + arg[0] + "." + arg[1] + "}"
    if isinstance(arg, str) and "." in arg and arg.split(".", 1)[0] not in local:
        return "${" + arg + "}"
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        if "${" not in text and _NO_ESCAPE.fullmatch(text):
            return text
    return None


def _ordering(doc: Document, res: dict, ids: dict) -> str | None:
    """Why a DependsOn on the lookup cannot simply be dropped (an ordering it carries), or None."""
    if depends_on(res):
        return "carries its own DependsOn ordering, which would be lost"
    named = sorted({n for n, _ in references(ids) if n in doc.resources})
    if named:
        return f"also orders after {', '.join(named)}, which its id refers to"
    return None


def _guarded(data: Any, use: Use, condition: Any) -> bool:
    """Whether ``use`` is evaluated only when ``condition`` is true: its owner carries the same
    Condition, or it stands in the true branch of an Fn::If on that condition."""
    owner = data.get(use.section, {}).get(use.owner)
    if isinstance(owner, dict) and owner.get("Condition") == condition:
        return True
    node = data
    for i, part in enumerate(use.path):
        if part == "Fn::If" and isinstance(node, dict) and i + 1 < len(use.path) and use.path[i + 1] == 1:
            args = node.get("Fn::If")
            if isinstance(args, list) and args and args[0] == condition:
                return True
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return False


def _show(use: Use) -> str:
    return f"{use.kind} in {'/'.join(map(str, use.path[:2]))}"


def _shown(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    return repr(value)

