"""CloudWatch Logs log groups that keep their events for ever."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer, Option, int_range
from cfnfix.properties import property_states

# The values CloudWatch Logs accepts (AWS::Logs::LogGroup RetentionInDays).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


class LogGroupRetention(Fixer):
    name = "log-group-retention"
    summary = "Give CloudWatch Logs log groups a retention period"
    group = "security"
    scanner_checks = ("CKV_AWS_66", "CW_LOGGROUP_RETENTION_PERIOD_CHECK", "W86")
    resource_types = ("AWS::Logs::LogGroup",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("days", 365, "retention period in days; a value CloudWatch Logs accepts", choices=RETENTION_DAYS,
               parse=int_range(RETENTION_DAYS[0], RETENTION_DAYS[-1])),
    )
    docs = """
    ## What it detects
    `AWS::Logs::LogGroup` resources without `RetentionInDays`.

    Checkov: CKV_AWS_66

    ## Why it matters
    Without a retention period CloudWatch Logs keeps every event for ever: storage is billed
    month after month, and logs holding personal data outlive any retention policy the
    organisation has.

    ## What it changes
    Sets `RetentionInDays` to the `days` option (365 unless configured; CloudWatch Logs accepts
    only 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288 or 3653). A retention given by an intrinsic is left alone.

    ## Example
    ```yaml
    # before
    AppLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /app/api
    # after
    AppLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /app/api
        RetentionInDays: 365
    ```

    ## Fix safety
    Review: once deployed, events older than the period are deleted, for good. Choose `days`
    to match how long these logs must be kept (audit logs often need years).
    """

    def find(self, doc: Document) -> list[Finding]:
        days = self.config["days"]
        findings = []
        for rid, path, state, _value in property_states(doc, "AWS::Logs::LogGroup", "RetentionInDays", wanted=None):
            if state == "missing":
                findings.append(Finding(rid, path, f"log group keeps events for ever: retention set to {days} days, older events will be deleted (Checkov CKV_AWS_66)", detail=days))
            elif state == "unreadable":
                findings.append(Finding(rid, path, "log group properties are not a plain mapping; no retention set (Checkov CKV_AWS_66)", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
