"""A Ref where the property wants another attribute of the same resource, or a GetAtt where it
wants the Ref (cfn-lint E1041, E1040): ``ExecutionRoleArn: !Ref Role`` is ``!GetAtt Role.Arn``."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from cfnfix import formats, reference_names, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.nodepath import editor_path

_SUB_ONE = re.compile(r"^\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}$")  # a Sub that is one ${X} or ${X.Attr}


class Source(NamedTuple):
    """What a value at a property gives: a ``Ref`` (``attribute`` None) or a ``GetAtt`` of
    ``resource``, written as a call (``sub`` False) or as the one ``${...}`` of an ``Fn::Sub``."""

    resource: str
    attribute: str | None
    sub: bool

    def text(self) -> str:
        inner = self.resource + (f".{self.attribute}" if self.attribute else "")
        if self.sub:
            return f"Fn::Sub '${{{inner}}}'"
        return f"Fn::GetAtt {inner}" if self.attribute else f"Ref {self.resource}"

    def value(self, template: Any) -> Any:
        """This source as a value, in the form (call or Sub) of ``template``, the value it replaces."""
        if self.sub:
            inner = "${" + self.resource + (f".{self.attribute}" if self.attribute else "") + "}"
            args = template["Fn::Sub"]
            return {"Fn::Sub": [inner, args[1]] if isinstance(args, list) else inner}
        return {"Fn::GetAtt": [self.resource, self.attribute]} if self.attribute else {"Ref": self.resource}


def source_of(value: Any) -> Source | None:
    """The resource reference a value is, when it is one call (or a one-token ``Fn::Sub``)."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    parts = _source_parts(*next(iter(value.items())))
    return Source(*parts) if parts is not None else None


def _source_parts(key: str, arg: Any) -> tuple[str, str | None, bool] | None:
    """The fields of the ``Source`` the call ``{key: arg}`` is, or None: the call's target is
    read without making a ``Source`` of every call (most name no resource a finding is about)."""
    if key == "Ref" and isinstance(arg, str):
        return arg, None, False
    if key == "Fn::GetAtt":
        if isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            return arg[0], arg[1], False
    if key == "Fn::Sub":
        text, names = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
        m = _SUB_ONE.match(text) if isinstance(text, str) else None
        if m and isinstance(names, dict) and m.group(1) not in names:
            return m.group(1), m.group(2), True
    return None


def _reached(type_name: str, root: dict, props: Any, steps: tuple) -> str | None:
    """The format the place of the call at ``steps`` below ``props`` wants, when the walk down
    the properties reaches it: through mappings, lists and the branches of ``Fn::If``, never
    into another intrinsic (a ``Ref`` in an ``Fn::Join`` gives no identifier of its own).

    Most calls sit under plain mappings and lists alone: then the walk meets no intrinsic and
    takes no branch (``steps`` follow the data, so a one-key mapping it passes is named by its
    step), and what it reaches is the schema at that place, which ``schemas.schema_at`` keeps
    per type and path (``root`` is that type's schema in the run's first region, as there)."""
    if not any(isinstance(step, str) and (step == "Ref" or step.startswith("Fn::")) for step in steps):
        return formats.wanted(schemas.schema_at(type_name, ("Resources", None, "Properties") + steps))
    raw: Any = root
    value = props
    i = 0
    while i < len(steps):
        if isinstance(value, dict) and len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Fn::If":
                if not (isinstance(arg, list) and len(arg) == 3 and steps[i] == key and i + 1 < len(steps)
                        and steps[i + 1] in (1, 2)):
                    return None
                value, i = arg[steps[i + 1]], i + 2  # a branch stands where the Fn::If stands: same schema
                continue
            if key == "Ref" or key.startswith("Fn::"):
                return None
        raw = schemas.child_schema(root, schemas.resolve(root, raw), steps[i])
        value, i = value[steps[i]], i + 1
    return formats.wanted(schemas.resolve(root, raw))


def _calls_to_resources(doc: Document) -> dict[str, list[tuple[tuple, tuple[str, str | None, bool]]]]:
    """Resource id -> (path, ``Source`` fields) in template order of the calls in its
    ``Properties`` that ``source_of`` reads as a reference to a resource of the template: the
    only places a finding can be, taken from the shared reference walk instead of a schema walk
    of every property."""
    resources = doc.resources
    found: dict[str, list[tuple[tuple, tuple[str, str | None, bool]]]] = {}
    for section, rid, _, calls in reference_names.body_calls(doc):
        if section != "Resources":
            continue
        for fn, arg, path in calls:
            if len(path) < 3 or path[2] != "Properties" or fn == "Ref" and not (isinstance(arg, str) and arg in resources):
                continue  # most Refs name a parameter: no need to read them as a Source
            parts = _source_parts(fn, arg)
            target = resources.get(parts[0]) if parts is not None else None
            if parts is not None and isinstance(target, dict) and isinstance(target.get("Type"), str):
                found.setdefault(rid, []).append((path, parts))
    return found


# wanted formats another identifier of the resource does not give in every case: reported
_NOT_MEANT = {
    "AWS::EC2::SecurityGroup.Name": "a group is named only in the default VPC (AWS: for a nondefault VPC, use "
                                    "security group IDs): move the reference to the property that takes ids "
                                    "(SecurityGroupIds)",
}


def _kind(want: str) -> str:
    """``AWS::IAM::Role.Arn`` -> ``AWS::IAM::Role``."""
    return want.rsplit(".", 1)[0]


class ReferenceFormat(Fixer):
    name = "reference-format"
    summary = "A Ref where the property wants the resource's ARN (or another attribute), and the reverse (E1041, E1040)"
    group = "schema"
    safety = Safety.REVIEW
    default = False
    lint_rules = ("E1041", "E1040")
    docs = """
    ## What it detects
    A `Ref` to a resource of the template at a property that takes another identifier of that
    resource: cfn-lint's resource schemas say which (`format: AWS::IAM::Role.Arn`,
    `AWS::KMS::Key.Arn`, `AWS::EC2::SecurityGroup.Id`, `AWS::S3::Bucket.Name` ...), and what a
    `Ref` and each attribute of a type give (a role's `Ref` is its name, a key's its key id, a
    queue's its URL, a security group's its name when it has no `VpcId`). cfn-lint reports
    E1041. When exactly one attribute of the resource gives the wanted format, the `Ref`
    becomes `Fn::GetAtt` of that attribute; a `Fn::Sub` that is only `${X}` becomes
    `${X.Attr}`.

    The reverse too (cfn-lint E1040): a `Fn::GetAtt` whose attribute does not give the format
    the property takes becomes the resource's `Ref` (or the one other attribute) when that gives
    exactly it (`Bucket: !GetAtt Logs.Arn` in a bucket policy is `!Ref Logs`).

    Reported, not changed:
    - the resource is of another type than the one the property names (a `Ref` to a user where
      a role ARN is wanted): point it at the right resource, or a parameter holding the value;
    - no attribute, or several, of the resource give the wanted format;
    - a security group named where a name is wanted (`SecurityGroups` of an instance or launch
      template) by a `Ref` that gives its id: names work only in the default VPC, so the
      reference belongs in `SecurityGroupIds`, a move the fixer leaves to you.

    A `Fn::GetAtt` of another type's attribute is left alone (an ELB's
    `SourceSecurityGroup.GroupName` is a security group's name, whatever cfn-lint says), and
    a `Ref` to a parameter too (cfn-lint does not judge those): its value is whatever the stack
    is given, and a `String` parameter can hold an ARN as well as a name. Custom resources, nested
    stacks and templates a macro rewrites are not judged.

    ## Why it matters
    The property receives a name where an ARN is wanted (or the reverse). Some services refuse
    it (`Invalid ARN`), some accept it today and not in every API (ECS documents
    `ExecutionRoleArn` as the role's ARN; `TaskRoleArn` takes a short name or an ARN), and every
    reader and linter has to guess. An ARN from `Fn::GetAtt` is always what the property takes.

    ## Example
    ```yaml
    # before
    TaskDefinition:
      Type: AWS::ECS::TaskDefinition
      Properties:
        ExecutionRoleArn: !Ref TaskExecutionRole
    # after
    TaskDefinition:
      Type: AWS::ECS::TaskDefinition
      Properties:
        ExecutionRoleArn: !GetAtt TaskExecutionRole.Arn
    ```

    ## Fix safety
    Review: the value names the same resource in the form the property takes, but its text
    changes, so CloudFormation updates the resource holding it (an ECS task definition gets a new
    revision; a property whose update requires replacement replaces the resource).
    """

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        findings: list[Finding] = []
        calls = _calls_to_resources(doc)
        if not calls:
            return findings
        for rid, type_name, root, props in schemas.judged_properties(doc):
            for path, parts in calls.get(rid, ()):
                want = _reached(type_name, root, props, path[3:])
                if want is None:
                    continue
                value = doc.value(path)  # the call {fn: arg} the walk found there, whose Source is parts
                source = Source(*parts)
                target = resources[source.resource]  # a typed resource (_calls_to_resources)
                finding = self._judge(rid, path, value, source, target["Type"], target.get("Properties"), want)
                if finding is not None:
                    findings.append(finding)
        return findings

    def _judge(self, rid: str, path: tuple, value: Any, source: Source, type_name: str,
               properties: Any, want: str) -> Finding | None:
        if source.attribute is None:
            given = formats.ref_schema(type_name, properties)
        else:
            given = formats.attribute_schema(type_name, source.attribute)
        if given is None or formats.matches(want, given):
            return None
        rule = "" if source.sub else "E1040 " if source.attribute else "E1041 "  # cfn-lint does not judge a Sub
        where = "/".join(str(p) for p in path[3:])
        gives = self._gives(type_name, source, given)
        head = f"{rule}{where}: {source.text()} gives {gives}, not the {want} the property takes"
        if _kind(want) != type_name:
            if source.attribute is not None:
                return None  # an attribute of another type may well give it (an ELB's SourceSecurityGroup.GroupName)
            return Finding(rid, path, f"{head}; '{source.resource}' is of type {type_name}, not {_kind(want)}: "
                           f"point it at a resource of type {_kind(want)} (or a parameter holding its value)", fixable=False)
        if want in _NOT_MEANT:
            return Finding(rid, path, f"{head}; {_NOT_MEANT[want]}", fixable=False)
        candidates = [Source(source.resource, a, source.sub)
                      for a in formats.attributes_giving(type_name, want) if a != source.attribute]
        if source.attribute is not None:
            ref = formats.ref_schema(type_name, properties)
            if ref is not None and formats.normal(ref.get("format")) == want and not ref.get("anyOf"):
                candidates.insert(0, Source(source.resource, None, source.sub))
        if not candidates:
            return Finding(rid, path, f"{head}; no attribute of type {type_name} gives it: write the value meant",
                           fixable=False)
        if len(candidates) > 1:
            names = ", ".join(c.text() for c in candidates)
            return Finding(rid, path, f"{head}; several fit ({names}): pick one", fixable=False)
        new = candidates[0]
        return Finding(rid, path, f"{head}; it becomes {new.text()}, the same {type_name} in the form the "
                       f"property takes ({rid} is updated to the new value)", detail=new.value(value))

    @staticmethod
    def _gives(type_name: str, source: Source, given: dict) -> str:
        fmts = formats.offered(given)
        if fmts:
            return "its " + " or ".join(fmts)
        if source.attribute is not None:
            return f"its {source.attribute}"
        prop = formats.ref_property(type_name)
        return f"its {prop}" if prop else "its physical id"

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings, where=lambda p: editor_path(doc, p))
