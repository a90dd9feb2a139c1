"""Misspelt resource property names (cfn-lint E3002) renamed to the one the schema accepts."""

from __future__ import annotations

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

MAX_DISTANCE = 2

# Names that circulate for a property under another name, where the value means the same thing.
# Applied only where the holding object accepts the target name and does not have it yet.
ALIASES = {
    "KeyRotationStatus": "EnableKeyRotation",  # KMS: the API's GetKeyRotationStatus vs the property
    "ReservedConcurrencyLimit": "ReservedConcurrentExecutions",  # Lambda
    "VisibilityTimeoutSeconds": "VisibilityTimeout",  # SQS: the API attribute is VisibilityTimeout
    "SourceSecurityGroupId": "DestinationSecurityGroupId",  # egress rules name a destination
    "DestinationSecurityGroupId": "SourceSecurityGroupId",  # ingress rules name a source
    "MaximumEventAge": "MaximumEventAgeInSeconds",  # EventBridge target RetryPolicy
    "Tags": ("HostedZoneTags", "HealthCheckTags"),  # Route 53 names its tag lists after the resource
}


def distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: one typo (insert, delete, replace, swap) costs 1."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def candidate(name: str, allowed: list[str], present: set[str]) -> tuple[str | None, str]:
    """The single allowed name ``name`` was meant to be, and how it was matched; None when unsure."""
    free = [a for a in allowed if a not in present]
    same_case = [a for a in free if a.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    aliases = ALIASES.get(name, ())
    for alias in (aliases,) if isinstance(aliases, str) else aliases:
        if alias in free:
            return alias, "is the name AWS documents for this setting"
    scored = sorted((distance(name.lower(), a.lower()), a) for a in free)
    close = [(d, a) for d, a in scored if d <= MAX_DISTANCE and d < len(name) // 2]
    if close and (len(close) == 1 or close[0][0] < close[1][0]):
        return close[0][1], f"is {close[0][0]} edit{'s' if close[0][0] > 1 else ''} away"
    return None, ""


def rename_target(doc: Document, violation: schemas.Violation) -> tuple[str | None, str]:
    """(new name, why) for an unknown property, judged against its holding object's keys."""
    holder = doc.data
    for part in violation.path[:-1]:
        holder = holder[part]
    target, why = candidate(violation.name, violation.allowed_names(), set(holder))
    if target and not schemas.shape_fits(violation.root, violation.property_schema(target), violation.value):
        return None, ""
    return target, why


class PropertyName(Fixer):
    name = "property-name"
    summary = "Rename resource properties whose name is a near miss of one the schema accepts (E3002)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ('E3002',)
    default = False
    docs = """
    ## What it detects
    A resource property, at any depth (inside `NotificationConfiguration`, a security group
    rule, a list item...), that the resource type's schema does not accept, while the same
    object accepts a name that is obviously the one meant. cfn-lint reports these as E3002.

    ## Why it matters
    CloudFormation rejects the whole stack operation on an unknown property
    (`Encountered unsupported property RoleArn`). Nothing else is wrong with the value.

    ## How it decides
    The schemas are the ones cfn-lint ships (its `data/schemas`, with `$ref`/`definitions`
    resolved). A name is renamed to the allowed name that
    - differs from it only in case (`RoleArn` to `RoleARN` on a ScalableTarget), or
    - is a documented name for the same setting that circulates under another one
      (`KeyRotationStatus` to `EnableKeyRotation`, `ReservedConcurrencyLimit` to
      `ReservedConcurrentExecutions`, `SourceSecurityGroupId` in an egress rule to
      `DestinationSecurityGroupId`, `Tags` to Route 53's `HostedZoneTags`/`HealthCheckTags`), or
    - is the single closest one within two typos (insert, delete, replace, swap).

    Names already present in the object are never targets. When no name, or several, qualify the
    property is left to `unsupported-property`.

    ## Example
    ```yaml
    # before
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      RoleArn: !GetAtt ScalingRole.Arn
    # after
    Properties:
      RoleARN: !GetAtt ScalingRole.Arn
    ```

    ## Fix safety
    Safe: only the key changes; the value, and with it the intent, stays as written.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for v in schemas.violations(doc):
            if v.kind != "unknown":
                continue
            target, why = rename_target(doc, v)
            if target is None:
                continue
            message = f"E3002 {v.type_name}: '{v.name}' is not a property here; '{target}' {why}"
            findings.append(Finding(v.resource, v.path, message, detail=target))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.rename(f.path, f.detail)
                # logged at the holding object: the value moves from one key of it to another
                changes.append(self.change(f, "move", f.path[-1], f.detail, f.message, path=f.path[:-1]))
        return Fix.of(editor, changes)
