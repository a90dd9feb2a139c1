"""AWS Backup lifecycles that delete a recovery point less than 90 days after moving it to cold storage (cfn-lint E3504)."""

from __future__ import annotations

from typing import Any, Iterator

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties

COLD_MINIMUM = 90  # days a recovery point must stay in cold storage


def _days(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def lifecycles(doc: Document) -> Iterator[tuple[str, tuple, dict]]:
    """(logical id, path, mapping) of every Lifecycle of a backup plan's rules and their copy actions."""
    for rid, res in doc.resources_of_type("AWS::Backup::BackupPlan"):
        props = properties(res) or {}
        plan = props.get("BackupPlan")
        rules = plan.get("BackupPlanRule") if isinstance(plan, dict) else None
        if not isinstance(rules, list):
            continue
        base = ("Resources", rid, "Properties", "BackupPlan", "BackupPlanRule")
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            if isinstance(rule.get("Lifecycle"), dict):
                yield rid, base + (i, "Lifecycle"), rule["Lifecycle"]
            copies = rule.get("CopyActions")
            for j, copy in enumerate(copies if isinstance(copies, list) else ()):
                if isinstance(copy, dict) and isinstance(copy.get("Lifecycle"), dict):
                    yield rid, base + (i, "CopyActions", j, "Lifecycle"), copy["Lifecycle"]


class BackupLifecycle(Fixer):
    name = "backup-lifecycle"
    summary = "Keep backups moved to cold storage for the 90 days AWS Backup requires before deleting them (E3504)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ("E3504",)
    default = False
    docs = """
    ## What it detects
    A lifecycle of an `AWS::Backup::BackupPlan` rule (or of one of its copy actions) whose
    `DeleteAfterDays` is less than 90 days after `MoveToColdStorageAfterDays`. cfn-lint reports
    these as E3504.

    ## Why it matters
    AWS Backup keeps a recovery point in cold storage for at least 90 days and refuses a plan
    whose lifecycle deletes it sooner (`DeleteAfterDays must be at least 90 days greater than
    MoveToColdStorageAfterDays`): the stack operation fails.

    ## How it decides
    `DeleteAfterDays` becomes `MoveToColdStorageAfterDays + 90`: recovery points are kept at
    least as long as the template asks, never less, and still move to cold storage when it
    asks. The other repair, removing `MoveToColdStorageAfterDays` to keep the shorter
    retention in warm storage, is named in the change-log message for those who prefer it.
    A lifecycle that deletes before it moves to cold storage (`DeleteAfterDays` not above
    `MoveToColdStorageAfterDays`) contradicts itself and is reported. Values given by
    intrinsics or as strings are left alone.

    ## Example
    ```yaml
    # before
    Lifecycle:
      MoveToColdStorageAfterDays: 7
      DeleteAfterDays: 30
    # after
    Lifecycle:
      MoveToColdStorageAfterDays: 7
      DeleteAfterDays: 97
    ```

    ## Fix safety
    Review: recovery points are kept longer (more storage cost, data kept longer than the
    template said).
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, path, lifecycle in lifecycles(doc):
            delete, cold = _days(lifecycle.get("DeleteAfterDays")), _days(lifecycle.get("MoveToColdStorageAfterDays"))
            if delete is None or cold is None or delete - cold >= COLD_MINIMUM:
                continue
            new = cold + COLD_MINIMUM
            if delete <= cold:
                findings.append(Finding(
                    rid, path + ("DeleteAfterDays",),
                    f"E3504 DeleteAfterDays {delete} is not after MoveToColdStorageAfterDays {cold}: recovery points "
                    "would be deleted before they reach cold storage, so which number is meant is unclear; set "
                    f"DeleteAfterDays to at least {new}, or remove MoveToColdStorageAfterDays", fixable=False))
                continue
            findings.append(Finding(
                rid, path + ("DeleteAfterDays",),
                f"E3504 DeleteAfterDays {delete} is less than {COLD_MINIMUM} days after MoveToColdStorageAfterDays "
                f"{cold}, and AWS Backup keeps cold recovery points at least {COLD_MINIMUM} days: DeleteAfterDays "
                f"becomes {new}, keeping backups longer, never shorter, than asked (to keep {delete} days instead, "
                "remove MoveToColdStorageAfterDays)", detail=new))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
