"""DynamoDB tables (and global table replicas) without point-in-time recovery."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.literals import intrinsic

SPEC = "PointInTimeRecoverySpecification"
ENABLED = "PointInTimeRecoveryEnabled"


def _state(spec: Any) -> str:
    """"missing", "enabled", "disabled" (literal false) or "computed" (an intrinsic decides)."""
    if spec is None:
        return "missing"
    if not isinstance(spec, dict) or intrinsic(spec):
        return "computed"
    enabled = spec.get(ENABLED)
    if enabled is True or enabled == "true":
        return "enabled"
    if enabled is None:
        return "missing"
    if enabled is False or enabled == "false":
        return "disabled"
    return "computed"


class DynamoDBPitr(Fixer):
    name = "dynamodb-pitr"
    summary = "Turn on point-in-time recovery for DynamoDB tables and global table replicas that lack it"
    group = "data-protection"
    scanner_checks = ("CKV_AWS_28", "DYNAMODB_PITR_ENABLED", "W78")
    resource_types = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::DynamoDB::Table` resources without `PointInTimeRecoverySpecification` (or with one
    that does not set `PointInTimeRecoveryEnabled`), and each replica of an
    `AWS::DynamoDB::GlobalTable` without one. A table or replica where point-in-time recovery is
    written out as `false` is reported, not changed (someone turned it off); one where an
    intrinsic function (`!Ref`, `!If`) decides is reported too.

    ## Why it matters
    Without point-in-time recovery, a bad write or delete can only be undone from an on-demand
    backup, if one was taken. With it, a table can be restored to any second of the last 35 days.

    ## Example
    ```yaml
    # before
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    # after
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: true
    ```

    ## Fix safety
    Review: continuous backups are billed per GB-month of table size (and restores per GB). The
    table is updated in place; nothing is replaced.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            props = res.get("Properties")
            base = ("Resources", rid, "Properties")
            if not isinstance(props, dict):
                continue
            if res["Type"] == "AWS::DynamoDB::Table":
                findings.extend(self._check(rid, base, props, "table"))
                continue
            replicas = props.get("Replicas")
            if not isinstance(replicas, list):
                continue
            for i, replica in enumerate(replicas):
                if isinstance(replica, dict) and not intrinsic(replica):
                    region = replica.get("Region")
                    what = f"replica in {region}" if isinstance(region, str) else f"replica {i + 1}"
                    findings.extend(self._check(rid, base + ("Replicas", i), replica, what))
        return findings

    def _check(self, rid: str, base: tuple, body: dict, what: str) -> list[Finding]:
        spec = body.get(SPEC)
        state = _state(spec)
        if state == "enabled":
            return []
        if state == "disabled":
            return [Finding(rid, base + (SPEC, ENABLED), f"point-in-time recovery of the {what} is turned off explicitly; "
                            "set PointInTimeRecoveryEnabled to true to protect its data", fixable=False)]
        if state == "computed":
            return [Finding(rid, base + (SPEC,), f"point-in-time recovery of the {what} is decided by an intrinsic function; "
                            "make sure it resolves to true", fixable=False)]
        path = base + (SPEC, ENABLED) if isinstance(spec, dict) else base + (SPEC,)
        value = True if isinstance(spec, dict) else {ENABLED: True}
        return [Finding(rid, path, f"{what} without point-in-time recovery", detail=value)]

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings,
                                lambda f: "point-in-time recovery turned on (continuous backups, billed per GB-month)")
