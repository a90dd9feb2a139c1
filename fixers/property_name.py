"""Misspelt resource property names (cfn-lint E3002) renamed to the one the schema accepts."""

from __future__ import annotations

from collections import Counter

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.property_names import rename_target


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
    property, or when two names in one object stand for the same property, it is left to
    `unsupported-property`.

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
        # two names in one object that both stand for the same property (`KeyRotationStatus` and
        # `EnableKeeyRotation`): which value is meant is the author's call (unsupported-property says so)
        claims = Counter((f.path[:-1], f.detail) for f in findings)
        return [f for f in findings if claims[f.path[:-1], f.detail] == 1]

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.rename(f.path, f.detail)
                # logged at the holding object: the value moves from one key of it to another
                changes.append(self.change(f, "move", f.path[-1], f.detail, f.message, path=f.path[:-1]))
        return Fix.of(editor, changes)
