"""Required properties that are missing (cfn-lint E3003, E3021), added only where AWS documents the value."""

from __future__ import annotations

from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer


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
DEPENDENT_ADVICE: dict[tuple[str, str], str] = {
    ("AWS::EC2::SecurityGroup", "VpcId"): (
        "egress rules exist only for groups in a VPC, and a group without VpcId is created in the "
        "default VPC: set VpcId to the VPC the group is for, or remove SecurityGroupEgress"),
}


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
    - A security group with `SecurityGroupEgress` but no `VpcId` is reported: only the author
      knows the VPC (without one the group lands in the default VPC).

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
    Safe: the value added is the one the template's own declarations ask for.

    A ScalableTarget's `RoleARN` is no longer required by the schema cfn-lint ships (the service
    uses its service-linked role when it is absent); hard-coded role ARNs there are
    `service-linked-role`'s.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
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
        advice = DEPENDENT_ADVICE.get((v.type_name, v.name), "no value is right for every template, set it by hand")
        return Finding(v.resource, v.path, f"{head}; {advice}", fixable=False)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)

