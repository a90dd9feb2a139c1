"""RDS databases whose storage is not encrypted."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.rds import CLUSTER, INSTANCE, cluster_member
from cfnfix.values import literal_choices

_CHECKS = {INSTANCE: "CKV_AWS_16", CLUSTER: "CKV_AWS_96"}
# Properties that make the database a copy of another: its encryption is inherited, not chosen here.
_INHERITS = {
    INSTANCE: ("SourceDBInstanceIdentifier", "DBSnapshotIdentifier", "DBClusterSnapshotIdentifier",
               "SourceDBInstanceAutomatedBackupsArn", "SourceDbiResourceId", "RestoreTime", "UseLatestRestorableTime"),
    CLUSTER: ("SnapshotIdentifier", "SourceDBClusterIdentifier", "RestoreType", "ReplicationSourceIdentifier",
              "GlobalClusterIdentifier", "SourceDbClusterResourceId", "RestoreToTime", "UseLatestRestorableTime"),
}
# Previous-generation instance classes without RDS encryption support.
_UNENCRYPTABLE = ("db.m1.", "db.m2.", "db.t1.micro")


class RdsStorageEncryption(Fixer):
    name = "rds-storage-encryption"
    summary = "Encrypt RDS DB instance and cluster storage (StorageEncrypted: true; replaces a deployed database)"
    group = "security"
    scanner_checks = ("CKV_AWS_16", "CKV_AWS_96", "RDS_STORAGE_ENCRYPTED", "F26", "F27")
    resource_types = (INSTANCE, CLUSTER)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    Checkov: `CKV_AWS_16` (DB instances), `CKV_AWS_96` (DB clusters)

    ## What it detects
    `AWS::RDS::DBInstance` and `AWS::RDS::DBCluster` resources without `StorageEncrypted`, so the
    database, its automated backups, snapshots and replicas are stored unencrypted.

    Left alone, because their encryption is not chosen here: DB instances that belong to a
    cluster (Aurora instances, or any `DBClusterIdentifier`: the cluster's setting applies), read
    replicas and databases restored from a snapshot, a backup or a point in time (they inherit the
    source's encryption), secondary clusters of a global database. Reported, not changed: an
    explicit `StorageEncrypted: false`, and previous-generation instance classes that do not
    support encryption (`db.m1.*`, `db.m2.*`, `db.t1.micro`).

    ## Why it matters
    Unencrypted storage exposes the data in snapshots shared by mistake and in the underlying
    volumes. Encryption can only be chosen when the database is created; turning it on later means
    a new database. The key is the account's `aws/rds` key unless `KmsKeyId` names another.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
    # after
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        StorageEncrypted: true
    ```

    ## Fix safety
    Review. `StorageEncrypted` cannot change on an existing database: on a deployed stack
    CloudFormation **replaces** the DB instance or cluster, and the new one starts empty. Apply it
    to databases not created yet; for a live one, snapshot it, copy the snapshot with encryption,
    and restore (set `DBSnapshotIdentifier` / `SnapshotIdentifier`) in the same update.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(INSTANCE, CLUSTER):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            rtype = res["Type"]
            path = ("Resources", rid, "Properties", "StorageEncrypted")
            current = props.get("StorageEncrypted")
            if current is not None:
                if current is False or (isinstance(current, str) and current.lower() == "false"):
                    findings.append(Finding(rid, path, "storage encryption is explicitly off; turning it on replaces the "
                                            "database: snapshot, copy with encryption and restore "
                                            f"(Checkov {_CHECKS[rtype]})", fixable=False))
                continue
            if any(key in props for key in _INHERITS[rtype]):
                continue
            if rtype == INSTANCE:
                if cluster_member(doc, props):
                    continue
                classes = literal_choices(doc, props.get("DBInstanceClass")) or []
                old = sorted({c for c in classes if isinstance(c, str) and c.startswith(_UNENCRYPTABLE)})
                if old:
                    findings.append(Finding(rid, path, f"instance class {', '.join(old)} does not support encryption; "
                                            "choose a current class, then encrypt", fixable=False))
                    continue
            kind = "DB instance" if rtype == INSTANCE else "DB cluster"
            findings.append(Finding(rid, path, f"{kind} storage not encrypted", detail=True))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        def message(f: Finding) -> str:
            rtype = doc.resources[f.resource]["Type"]
            kind = "DB instance" if rtype == INSTANCE else "DB cluster"
            return (f"storage encrypted with the aws/rds key unless KmsKeyId names one (Checkov {_CHECKS[rtype]}); "
                    f"a deployed {kind} is replaced by a new, empty one: migrate the data through an encrypted snapshot")
        return self.set_details(doc, findings, message)
