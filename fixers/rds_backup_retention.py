"""RDS instances and clusters that keep automated backups for too short a time or lose their tags on snapshots."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, int_range
from cfnfix.literals import intrinsic
from cfnfix.rds import cluster_member

RETENTION = "BackupRetentionPeriod"
COPY_TAGS = "CopyTagsToSnapshot"
DEFAULT_RETENTION = 1  # what RDS keeps when the property is not set


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _flag(value: Any) -> bool | None:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    return None


class RdsBackupRetention(Fixer):
    name = "rds-backup-retention"
    summary = "Keep RDS automated backups for at least a week and copy tags to snapshots"
    group = "data-protection"
    scanner_checks = ("DB_INSTANCE_BACKUP_ENABLED", "W75")
    resource_types = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (Option("days", 7, "the least BackupRetentionPeriod to set, in days (1-35)", parse=int_range(1, 35)),)
    docs = """
    ## What it detects
    `AWS::RDS::DBCluster` and `AWS::RDS::DBInstance` resources whose `BackupRetentionPeriod` is
    missing (RDS then keeps one day of backups) or below `days`, and those without
    `CopyTagsToSnapshot: true`.

    Left alone, as the RDS documentation says: instances that belong to a cluster
    (`DBClusterIdentifier` set, or an `aurora*` engine among those it may run), whose backups and snapshot tags the
    cluster manages (neither property applies to them); and read replicas
    (`SourceDBInstanceIdentifier` set), which are rebuilt from their source rather than restored
    from their own backups. A retention given by `!Ref` or another intrinsic function is reported,
    not changed. A retention of `0` written out turns automated backups off: a choice (a
    scratch database, backups taken another way), reported and not changed, as the other
    data-protection fixers treat an explicit "off" (`PointInTimeRecoveryEnabled: false`).

    ## Why it matters
    One day of automated backups leaves no room to notice a bad migration or deletion before
    the restore points are gone, and snapshots without the database's tags escape the
    tag-based policies (cost allocation, backup plans, access) that apply to the database.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        AllocatedStorage: '20'
    # after
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        AllocatedStorage: '20'
        BackupRetentionPeriod: 7
        CopyTagsToSnapshot: true
    ```

    ## Fix safety
    Review: longer retention costs backup storage beyond the free allowance. The database is
    updated in place.
    """

    def find(self, doc: Document) -> list[Finding]:
        days = self.config["days"]
        findings = []
        for rid, res in doc.resources_of_type("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            base = ("Resources", rid, "Properties")
            if res["Type"] == "AWS::RDS::DBInstance":
                if cluster_member(doc, props):
                    continue
                if "SourceDBInstanceIdentifier" in props:
                    continue
            kind = "cluster" if res["Type"] == "AWS::RDS::DBCluster" else "instance"
            retention = props.get(RETENTION)
            current = DEFAULT_RETENTION if retention is None else _number(retention)
            if current is None:
                findings.append(Finding(rid, base + (RETENTION,), f"{RETENTION} of the {kind} is computed "
                                        f"({_show(retention)}); make sure it is at least {days} days", fixable=False))
            elif current == 0 and retention is not None:  # written out: the author's choice, as an explicit "off" is elsewhere
                findings.append(Finding(rid, base + (RETENTION,), f"{kind} has automated backups turned off "
                                        f"({RETENTION}: 0); set at least {days} days if nothing depends on that",
                                        fixable=False))
            elif current < days:
                if retention is None:
                    message = f"{kind} keeps automated backups for RDS's default of 1 day"
                else:
                    message = f"{kind} keeps automated backups for {current} day{'s' if current != 1 else ''}"
                findings.append(Finding(rid, base + (RETENTION,), message, detail=(retention, days, current)))
            copy = props.get(COPY_TAGS)
            flag = _flag(copy)
            if copy is not None and flag is None:
                findings.append(Finding(rid, base + (COPY_TAGS,), f"{COPY_TAGS} of the {kind} is computed "
                                        f"({_show(copy)}); make sure it is true", fixable=False))
            elif not flag:
                findings.append(Finding(rid, base + (COPY_TAGS,), f"{kind} snapshots do not copy its tags",
                                        detail=(copy, True, None)))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            before, after, current = f.detail
            with editor.finding(f):
                editor.set(f.path, after)
                if f.path[-1] == RETENTION:
                    message = f"automated backups kept for {after} days (were {current})"
                else:
                    message = "snapshots copy the database's tags"
                changes.append(self.change(f, "add" if before is None else "replace", before, after, message))
        return Fix.of(editor, changes)


def _show(value: Any) -> str:
    call = intrinsic(value)
    if call and call[0] == "Ref":
        return f"!Ref {call[1]}"
    if call:
        return call[0].replace("Fn::", "!")
    return repr(value)
