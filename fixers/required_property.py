"""Required properties that are missing (cfn-lint E3003, E3021), added only where AWS documents the value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import references
from cfnfix.values import ref_name


def _target_id(doc: Document, v: schemas.Violation) -> str:
    """An EventBridge target Id unique within its rule: any string of up to 64 characters is valid.

    Ids are handed out to the rule's targets without one in order, so that several fixed in one
    run never collide.
    """
    targets = _holder(doc, v.path[:-2])
    taken = {t["Id"] for t in targets if isinstance(t, dict) and isinstance(t.get("Id"), str)}
    n = 0
    for i, target in enumerate(targets):
        if not isinstance(target, dict) or "Id" in target:
            continue
        n += 1
        while f"Target{n}" in taken:
            n += 1
        if i == v.path[-2]:
            return f"Target{n}"
    raise ValueError("target has an Id")


def _holder(doc: Document, path: tuple) -> Any:
    value = doc.data
    for part in path:
        value = value[part]
    return value


# (resource type, property) -> (value, or a function of the document and violation; why it is right)
DEFAULTS: dict[tuple[str, str], tuple[Any, str]] = {
    ("AWS::CloudTrail::Trail", "IsLogging"): (
        True, "a trail only records while logging is on; CreateTrail alone leaves it stopped, so a declared trail means IsLogging: true"),
    ("AWS::DynamoDB::Table", "SSEEnabled"): (
        True, "an SSESpecification asks for server-side encryption with the key it names; SSEEnabled: true turns that on"),
    ("AWS::DynamoDB::GlobalTable", "SSEEnabled"): (
        True, "an SSESpecification asks for server-side encryption with the key it names; SSEEnabled: true turns that on"),
    ("AWS::Events::Rule", "Id"): (
        _target_id, "a target Id is a free label unique within the rule (up to 64 characters)"),
}

# Properties another property needs (E3021), when AWS documents a single value; the trigger
# property is named in the reason. Keyed (resource type, missing property).
DEPENDENT: dict[tuple[str, str], tuple[Any, str]] = {
    ("AWS::DynamoDB::Table", "SSEType"): (
        "KMS", "a KMSMasterKeyId asks for encryption with that KMS key, and KMS is the only SSEType"),
    ("AWS::DynamoDB::GlobalTable", "SSEType"): (
        "KMS", "a KMSMasterKeyId asks for encryption with that KMS key, and KMS is the only SSEType"),
}
# Dependencies with no value right for every template, and what to do instead.
DEPENDENT_ADVICE: dict[tuple[str, str], str] = {}


class RequiredProperty(Fixer):
    name = "required-property"
    summary = "Add missing required properties whose value AWS documents (E3003, E3021)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ('E3003', 'E3021')
    default = False
    docs = """
    ## What it detects
    A property the resource type's schema requires (at any depth: `SSESpecification`, an
    EventBridge target...) that is missing. cfn-lint reports these as E3003.

    ## Why it matters
    CloudFormation validates required properties before it creates anything: the stack
    operation fails (`Property X cannot be empty` / `required key [X] not found`).

    ## How it decides
    A value is written only from a table of values that are right by AWS documentation:
    - CloudTrail `IsLogging: true`: a trail records only while logging is on, and
      `CreateTrail` alone leaves it stopped, so declaring a trail means logging.
    - DynamoDB `SSESpecification.SSEEnabled: true`: the specification exists to ask for
      server-side encryption.
    - EventBridge target `Id`: a free label, unique within the rule (`Target1`, ...).

    A property that another one present needs (cfn-lint E3021) is added the same way:
    - DynamoDB `SSESpecification.SSEType: KMS` when a `KMSMasterKeyId` is given: the key asks
      for KMS encryption with it, and `KMS` is the only type. Likewise any needed property whose
      schema allows exactly one value.
    - A security group with `SecurityGroupEgress` but no `VpcId` (egress rules exist only in a
      VPC) gets `VpcId: !Ref <vpc>` when the VPC is plain: the subnets of the resources that use
      the group (instances, launch templates, databases...) all lie in one VPC of the template,
      or else the template has exactly one VPC (an `AWS::EC2::VPC`, or else one
      `AWS::EC2::VPC::Id` parameter) with no other `Condition` than the group's. This change is
      `review`: the group is replaced, into that VPC. Otherwise it is reported with what was
      found (no VPC, several): only the author knows the VPC (without one the group lands in the
      default VPC). A `VpcId` that is `AWS::NoValue` under a condition is reported the same way.

    Anything else (`MinSize`, a Lambda `Role`, a WAF `VisibilityConfig`) has no value that is
    right for every template: it is reported, not guessed. Route 53 health checks written
    without `HealthCheckConfig` are `unsupported-property`'s (their keys move into it).

    ## Example
    ```yaml
    # before
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        S3BucketName: !Ref TrailBucket
    # after
      Properties:
        S3BucketName: !Ref TrailBucket
        IsLogging: true
    ```

    ## Fix safety
    Safe: the value added is the one the template's own declarations ask for. A security
    group's `VpcId` is `review`: setting it replaces the group.

    A ScalableTarget's `RoleARN` is no longer required by the schema cfn-lint ships (the service
    uses its service-linked role when it is absent); hard-coded role ARNs there are
    `service-linked-role`'s.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = list(_vpc_dropped_by_condition(doc))
        for v in schemas.violations(doc):
            if v.kind == "dependency":
                findings.append(self._dependency(doc, v))
                continue
            if v.kind != "required":
                continue
            where = "/".join(map(str, v.path[3:-1])) or "the resource"
            head = f"E3003 {v.type_name}: required property '{v.name}' is missing from {where}"
            default = DEFAULTS.get((v.type_name, v.name))
            if default is None:
                findings.append(Finding(v.resource, v.path, f"{head}; no value is right for every template, set it by hand", fixable=False))
                continue
            value, why = default
            if callable(value):
                value = value(doc, v)
            findings.append(Finding(v.resource, v.path, f"{head}; {why}", detail=value))
        return findings

    def _dependency(self, doc: Document, v: schemas.Violation) -> Finding:
        where = "/".join(map(str, v.path[3:-1])) or "the resource"
        head = f"E3021 {v.type_name}: '{v.name}' is needed by '{v.value}' in {where} but missing"
        known = DEPENDENT.get((v.type_name, v.name))
        holder = doc.value(v.path[:-1])
        if v.name == "SSEType" and isinstance(holder, dict) and str(holder.get("SSEEnabled")).lower() == "false":
            return Finding(v.resource, v.path, f"{head}; SSEEnabled is false but a KMS key is named: "
                           "set SSEEnabled to true to use the key, or remove KMSMasterKeyId", fixable=False)
        if known is not None:
            return Finding(v.resource, v.path, f"{head}; {known[1]}", detail=known[0])
        allowed = v.property_schema(v.name).get("enum")
        if isinstance(allowed, list) and len(allowed) == 1:
            return Finding(v.resource, v.path, f"{head}; {allowed[0]!r} is the only value the schema allows",
                           detail=allowed[0])
        if (v.type_name, v.name) == ("AWS::EC2::SecurityGroup", "VpcId") and len(v.path) == 4:
            vpc, why = group_vpc(doc, v.resource)
            if vpc is not None:
                return Finding(v.resource, v.path, f"{head}; {why}: the group goes into it (the group is replaced, "
                               "into the VPC its egress rules need)", detail=VpcChoice({"Ref": vpc}))
            advice = f"{why}; set VpcId to the VPC the group is for (a parameter of type AWS::EC2::VPC::Id given the " \
                "default VPC's id keeps the group where it is), or remove SecurityGroupEgress"
            return Finding(v.resource, v.path, f"{head}; egress rules exist only for groups in a VPC, and a group "
                           f"without VpcId is created in the default VPC: {advice}", fixable=False)
        advice = DEPENDENT_ADVICE.get((v.type_name, v.name), "no value is right for every template, set it by hand")
        return Finding(v.resource, v.path, f"{head}; {advice}", fixable=False)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                value = f.detail.value if isinstance(f.detail, VpcChoice) else f.detail
                action = "add" if doc.node(f.path) is None else "replace"
                editor.set(f.path, value)
                changes.append(self.change(f, action, doc.value(f.path), value, f.message,
                                           safety=Safety.REVIEW if isinstance(f.detail, VpcChoice) else None))
        return Fix.of(editor, changes)


@dataclass(frozen=True)
class VpcChoice:
    """The VpcId a security group gets: a review change (the group is replaced)."""

    value: Any


def group_vpc(doc: Document, group: str) -> tuple[str | None, str]:
    """(the VPC resource or parameter a security group plainly belongs to, why); (None, why not).

    Plain: the subnets of the resources that use the group all lie in one VPC of the template;
    else the template's only VPC (an ``AWS::EC2::VPC`` resource, or else an ``AWS::EC2::VPC::Id``
    parameter, when it has none of the other). A VPC with another Condition than the group's
    is not chosen."""
    resources = doc.resources
    params = doc.data.get("Parameters") if isinstance(doc.data.get("Parameters"), dict) else {}
    vpcs = [k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == "AWS::EC2::VPC"]
    vpc_params = [k for k, p in params.items() if isinstance(p, dict) and p.get("Type") == "AWS::EC2::VPC::Id"]
    pinned = set()
    for rid, res in resources.items():
        if not isinstance(res, dict) or rid == group or group not in {n for n, _ in references(res.get("Properties"))}:
            continue
        for name, _ in references(res.get("Properties")):
            subnet = resources.get(name)
            if isinstance(subnet, dict) and subnet.get("Type") == "AWS::EC2::Subnet":
                props = subnet.get("Properties")
                pinned.add(ref_name(props.get("VpcId")) if isinstance(props, dict) else None)
    condition = resources[group].get("Condition")
    if len(pinned) == 1 and None not in pinned:
        vpc = next(iter(pinned))
        why = f"the subnets of the resources that use the group are in '{vpc}'"
    elif pinned:
        return None, "the resources that use the group are in subnets of several VPCs (or of one the template does not name)"
    elif len(vpcs) == 1 and not vpc_params:
        vpc, why = vpcs[0], f"'{vpcs[0]}' is the only VPC of the template"
    elif len(vpc_params) == 1 and not vpcs:
        vpc, why = vpc_params[0], f"'{vpc_params[0]}' is the only VPC parameter of the template"
    else:
        found = vpcs + vpc_params
        return None, ("the template defines no VPC" if not found else
                      "the template has several VPCs (" + ", ".join(f"'{n}'" for n in found) + ")")
    target = resources.get(vpc)
    if vpc not in params and not isinstance(target, dict):
        return None, f"'{vpc}' is not a VPC of the template"
    if isinstance(target, dict) and target.get("Condition") not in (None, condition):
        return None, f"{why}, but it exists only under condition '{target.get('Condition')}'"
    return vpc, why



def _vpc_dropped_by_condition(doc: Document) -> Iterator[Finding]:
    """Security groups with egress rules whose VpcId is ``AWS::NoValue`` under a condition (cfn-lint
    E3021 judges that branch): reported, since only the author knows the VPC of that branch."""
    for rid, res in doc.resources_of_type("AWS::EC2::SecurityGroup"):
        props = res.get("Properties")
        if not isinstance(props, dict) or "SecurityGroupEgress" not in props:
            continue
        vpc = props.get("VpcId")
        call = vpc.get("Fn::If") if isinstance(vpc, dict) and len(vpc) == 1 else None
        if not (isinstance(call, list) and len(call) == 3 and {"Ref": "AWS::NoValue"} in call[1:]):
            continue
        when = "true" if call[1] == {"Ref": "AWS::NoValue"} else "false"
        yield Finding(rid, ("Resources", rid, "Properties", "VpcId"), (
            f"E3021 AWS::EC2::SecurityGroup: 'VpcId' is needed by 'SecurityGroupEgress' but is AWS::NoValue when "
            f"condition '{call[0]}' is {when}: give VpcId a value in that branch too (the default VPC's id, from a "
            "parameter of type AWS::EC2::VPC::Id), or keep SecurityGroupEgress out of that branch"), fixable=False)
