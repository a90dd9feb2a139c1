"""Versioned S3 buckets without a replication configuration."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from cfnfix.changelog import Change, Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, name_list
from cfnfix.graph import references

_STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER",
                    "DEEP_ARCHIVE", "REDUCED_REDUNDANCY")
_KMS = ("aws:kms", "aws:kms:dsse")
_LOG_PRINCIPALS = ("logging.s3.amazonaws.com", "delivery.logs.amazonaws.com", "cloudtrail.amazonaws.com",
                   "config.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com")
_BUCKET_ARN_PATTERN = r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
_KMS_ARN_PATTERN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$"
_VIA_S3 = {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ValueError("true or false")


def _names(value: Any) -> set[str]:
    return {name for name, _ in references(value)}


def log_buckets(doc: Document) -> set[str]:
    """Buckets that receive logs: replicating them copies logs, and their writers often refuse versioning rules."""
    found: set[str] = set()
    for rid, res in doc.resources.items():
        if not isinstance(res, dict):
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            props = {}
        kind = res.get("Type")
        if kind == "AWS::S3::Bucket":
            if props.get("AccessControl") == "LogDeliveryWrite":
                found.add(rid)
            logging = props.get("LoggingConfiguration")
            if isinstance(logging, dict):
                found |= _names(logging.get("DestinationBucketName"))
        elif kind in ("AWS::CloudTrail::Trail", "AWS::Config::DeliveryChannel"):
            found |= _names(props.get("S3BucketName"))
        elif kind == "AWS::ElasticLoadBalancing::LoadBalancer":
            found |= _names(props.get("AccessLoggingPolicy"))
        elif kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            for attr in props.get("LoadBalancerAttributes") or []:
                if isinstance(attr, dict) and attr.get("Key") == "access_logs.s3.bucket":
                    found |= _names(attr.get("Value"))
        elif kind == "AWS::CloudFront::Distribution":
            config = props.get("DistributionConfig")
            if isinstance(config, dict):
                found |= _names(config.get("Logging"))
        elif kind == "AWS::EC2::FlowLog":
            found |= _names(props.get("LogDestination"))
        elif kind == "AWS::S3::BucketPolicy" and _grants_log_delivery(props.get("PolicyDocument")):
            found |= _names(props.get("Bucket"))
    return found


def _grants_log_delivery(policy: Any) -> bool:
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        services = principal.get("Service") if isinstance(principal, dict) else None
        services = [services] if isinstance(services, str) else services if isinstance(services, list) else []
        if any(s in _LOG_PRINCIPALS for s in services if isinstance(s, str)):
            return True
    return False


def replication_destinations(doc: Document) -> set[str]:
    found: set[str] = set()
    for _, res in doc.resources_of_type("AWS::S3::Bucket"):
        props = res.get("Properties")
        config = props.get("ReplicationConfiguration") if isinstance(props, dict) else None
        rules = config.get("Rules") if isinstance(config, dict) else None
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and isinstance(rule.get("Destination"), dict):
                found |= _names(rule["Destination"].get("Bucket"))
    return found


def sse_kms(props: dict) -> tuple[bool, Any]:
    """(uses SSE-KMS, its KMSMasterKeyID expression or None for the AWS managed key)."""
    encryption = props.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, dict) else None
    for rule in rules if isinstance(rules, list) else []:
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if isinstance(default, dict) and default.get("SSEAlgorithm") in _KMS:
            return True, default.get("KMSMasterKeyID")
    return False, None


def key_arn(doc: Document, key: Any) -> Any:
    """The key's ARN as a template value, or None when the template does not say it.

    ``Ref`` of an ``AWS::KMS::Key`` is its id, but IAM resources and ``ReplicaKmsKeyID`` need an ARN.
    """
    if isinstance(key, str):
        return key if key.startswith("arn:") else None
    if isinstance(key, dict) and len(key) == 1:
        (fn, arg), = key.items()
        if fn == "Ref" and isinstance(arg, str):
            target = doc.resources.get(arg)
            if isinstance(target, dict) and target.get("Type") == "AWS::KMS::Key":
                return {"Fn::GetAtt": [arg, "Arn"]}
            return None
        if fn == "Fn::GetAtt":
            return key
    return None


class S3Replication(Fixer):
    name = "s3-replication"
    summary = "Add cross-region replication (versioning, role and rule) to S3 buckets that lack it"
    group = "data-protection"
    scanner_checks = ("S3_BUCKET_REPLICATION_ENABLED",)
    resource_types = ("AWS::S3::Bucket",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("buckets", (), "logical ids of the buckets to replicate (comma-separated); empty: every target bucket",
               parse=name_list),
        Option("destination", "parameter",
               "'parameter': a new parameter takes the destination bucket ARN (cross-region); "
               "'bucket': a versioned, encrypted, private destination bucket in this template, so the "
               "template deploys with no new input (same region, for single-account QA); 'create' is its "
               "former name",
               choices=("parameter", "bucket"), parse=lambda raw: "bucket" if raw == "create" else raw),
        Option("storage-class", None, "storage class of the replicas; unset: the source object's class",
               choices=_STORAGE_CLASSES),
        Option("replication-time", False,
               "enable S3 Replication Time Control (15 minutes) with the replication metrics it requires", parse=_flag),
    )
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources without a `ReplicationConfiguration`, except buckets that
    receive logs (the `LoggingConfiguration.DestinationBucketName` of another bucket, CloudTrail,
    Config, load balancer, CloudFront and flow-log buckets, buckets with `AccessControl:
    LogDeliveryWrite` or a bucket policy granting a log-delivery service) and buckets that are
    already a replication destination, which includes the buckets this fixer creates. Option
    `buckets` narrows the targets to the logical ids it lists.

    Reported and left alone: buckets with Object Lock (replicating locked objects needs Object
    Lock on the destination and more permissions), or whose versioning status is not a literal;
    with `destination: bucket`, SSE-KMS buckets whose key ARN the template does not give; buckets
    named by an invented `AWS::S3::BucketReplicationConfiguration` resource (a type that does not
    exist, which `resource-type` moves into the bucket when it can): their replication is given.

    Buckets with a `Condition` are fixed too: every condition gets its own role and policy
    (`<Condition>ReplicationRole`, `<Condition>ReplicationRolePolicy` when buckets of several
    conditions are fixed), carrying that condition, as does a created replica bucket. One role
    for all with an `Fn::Or` condition would need `Fn::If` around every bucket its policy names,
    and a statement whose buckets are all absent would be left with no resource, which IAM
    refuses. Parameters cannot carry a condition: their description names it.

    ## Why it matters
    A bucket in one region is lost with that region, and a deleted or overwritten object is
    lost with the bucket. Replication keeps a second copy elsewhere.

    ## What it adds
    - `VersioningConfiguration: {Status: Enabled}` where versioning is missing (replication
      requires it). A bucket whose versioning is `Suspended` (someone chose that) is reported,
      as `s3-versioning` leaves it.
    - A rule in the V2 schema: `Priority`, `Filter: {Prefix: ''}` (all objects) and
      `DeleteMarkerReplication: Disabled`, so a deletion in the source does not hide the replica
      (S3 never replicates permanent version deletions). Option `storage-class`; option
      `replication-time` adds `ReplicationTime` (15 minutes) with the `Metrics` S3 requires
      with it.
    - One `ReplicationRole` for all buckets, trusted by `s3.amazonaws.com`, and a separate
      `AWS::IAM::Policy` with the permissions S3 documents: `s3:GetReplicationConfiguration`,
      `s3:ListBucket` on the sources, `s3:GetObjectVersionForReplication`,
      `s3:GetObjectVersionAcl`, `s3:GetObjectVersionTagging` on their objects,
      `s3:ReplicateObject`, `s3:ReplicateDelete`, `s3:ReplicateTags` on the destinations'.
      For SSE-KMS sources also `kms:Decrypt` and `kms:Encrypt` (used through S3 only),
      `SourceSelectionCriteria.SseKmsEncryptedObjects` and `EncryptionConfiguration.ReplicaKmsKeyID`.
    - The destination: with `destination: parameter` (default) a `ReplicationDestinationBucketArn`
      parameter (one per bucket, `<Bucket>ReplicationDestinationBucketArn`, when several buckets
      are fixed: replicas of two buckets in one destination would overwrite each other's keys),
      plus a `...KmsKeyArn` parameter for SSE-KMS sources. With `destination: bucket` (formerly
      `create`), a versioned, encrypted (the source's encryption, else SSE-S3), private
      `<Bucket>Replica` bucket in the same template, so the template deploys with no new input
      (same region: for QA in one account, not disaster recovery).

    ## Example
    ```yaml
    # before
    Data:
      Type: AWS::S3::Bucket
    # after
    Data:
      Type: AWS::S3::Bucket
      Properties:
        VersioningConfiguration:
          Status: Enabled
        ReplicationConfiguration:
          Role: !GetAtt ReplicationRole.Arn
          Rules:
            - Id: ReplicateAll
              Status: Enabled
              Priority: 1
              Filter:
                Prefix: ''
              DeleteMarkerReplication:
                Status: Disabled
              Destination:
                Bucket: !Ref ReplicationDestinationBucketArn
    ```

    ## Why not the usual correction
    Corrections that circulate put the permissions in the role's inline policy with
    `!GetAtt Bucket.Arn` or `!Sub arn:aws:s3:::${Bucket}`: the bucket then needs the role (for
    `Role`) and the role needs the bucket, a circular dependency CloudFormation refuses (E3004).
    Others hard-code `arn:aws:s3:::name` from a `BucketName` (breaks in other partitions and when
    the name is generated) or grant `s3:*` on `*`. Here the role has no reference to the buckets;
    the separate policy, which nothing depends on, names them.

    ## Fix safety
    Review. New resources (role, policy, maybe a bucket), a new parameter without a default that
    every deployment must now supply, and replication costs. The destination must exist,
    be versioned, and (in another account) have a bucket policy that lets the role replicate.
    Objects already in the bucket are not replicated (that needs S3 Batch Replication).
    """

    def find(self, doc: Document) -> list[Finding]:
        wanted = set(self.config["buckets"])
        logs, destinations = log_buckets(doc), replication_destinations(doc)
        invented_for: dict = {}  # bucket -> the resource of an invented replication type naming it
        for k, r in doc.resources.items():
            if isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].endswith(
                    "::BucketReplicationConfiguration") and isinstance(r.get("Properties"), dict):
                for named in (r["Properties"].get("Bucket"), r["Properties"].get("BucketName")):
                    if isinstance(named, dict) and set(named) == {"Ref"} and isinstance(named["Ref"], str):
                        invented_for.setdefault(named["Ref"], k)
        findings = []
        for rid, res in doc.resources_of_type("AWS::S3::Bucket"):
            if wanted and rid not in wanted:
                continue
            props = res.get("Properties", {})
            props = {} if props is None else props
            path = ("Resources", rid, "Properties", "ReplicationConfiguration")
            if isinstance(props, dict) and "ReplicationConfiguration" in props:
                continue
            if rid in destinations:
                continue
            if rid in logs:
                if wanted:
                    findings.append(Finding(rid, path, "bucket receives logs; its logs are not replicated", fixable=False))
                continue
            reason = self._unfixable(doc, rid, res, props)
            invented = invented_for.get(rid)
            if invented:
                reason = (f"'{invented}' ({doc.resources[invented]['Type']}, a type that does not exist) gives its "
                          "replication; move it into the bucket's ReplicationConfiguration (resource-type does when "
                          "it can)")
            if reason:
                findings.append(Finding(rid, path, f"bucket without replication: {reason}", fixable=False))
                continue
            findings.append(Finding(rid, path, "bucket without replication"))
        return findings

    def _unfixable(self, doc: Document, rid: str, res: dict, props: Any) -> str | None:
        if not re.fullmatch(r"[A-Za-z0-9]+", rid):
            return "its logical id is not alphanumeric (cfn-lint E3001), so the policy cannot name it in Fn::Sub"
        if not isinstance(props, dict):
            return "its properties are not a plain mapping"
        if "Condition" in res and not isinstance(res["Condition"], str):
            return "its Condition is not a condition name"
        if props.get("ObjectLockEnabled") not in (None, False, "false") or "ObjectLockConfiguration" in props:
            return "Object Lock needs a destination with Object Lock and more permissions; set it up by hand"
        versioning = props.get("VersioningConfiguration")
        if versioning is not None and not (isinstance(versioning, dict) and versioning.get("Status") in ("Enabled", "Suspended", None)):
            return "its versioning status is not a literal; replication needs versioning enabled"
        if isinstance(versioning, dict) and versioning.get("Status") == "Suspended":
            # someone suspended it (s3-versioning leaves that choice alone too)
            return "its versioning is Suspended, as the template chose; replication needs it Enabled: turn it on by hand"
        kms, key = sse_kms(props)
        if kms and self.config["destination"] == "bucket" and key is not None and key_arn(doc, key) is None:
            return "the SSE-KMS key is not given as an ARN or a key of this template; the replica key cannot be named"
        return None

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        """One role and one policy per bucket ``Condition`` (and one for unconditional buckets),
        each carrying that condition: a policy then only names buckets that exist whenever it
        does, with no ``Fn::If`` and no statement left without resources."""
        editor = Editor(doc)
        changes: list[Change] = []
        groups: dict[str | None, list[Finding]] = {}
        for f in findings:
            groups.setdefault(doc.resources[f.resource].get("Condition"), []).append(f)
        several = len(groups) > 1
        for condition, group in groups.items():
            prefix = condition if several and condition else ""
            self._fix_group(doc, editor, group, prefix, condition, len(findings) == 1, changes)
        return Fix.of(editor, changes)

    def _fix_group(self, doc: Document, editor: Editor, findings: list[Finding], prefix: str, condition: str | None,
                   single: bool, changes: list[Change]) -> None:
        role = editor.unique_id(f"{prefix}ReplicationRole")
        policy = editor.unique_id(f"{prefix}ReplicationRolePolicy")
        sources, objects, targets, decrypt, encrypt = [], [], [], [], []
        for f in findings:
            rid = f.resource
            props = doc.resources[rid].get("Properties") or {}
            kms, key = sse_kms(props)
            source_arn = {"Fn::GetAtt": [rid, "Arn"]}
            sources.append(source_arn)
            objects.append({"Fn::Sub": f"${{{rid}.Arn}}/*"})
            dest_arn, replica_key = self._destination(doc, editor, f, single, props, kms, key, changes, condition)
            targets.append({"Fn::Sub": f"${{{dest_arn['Ref']}}}/*"} if "Ref" in dest_arn
                           else {"Fn::Sub": f"${{{dest_arn['Fn::GetAtt'][0]}.Arn}}/*"})
            if kms:
                decrypt.append(key_arn(doc, key) or "*")
                encrypt.append(replica_key)
            self._versioning(editor, f, props, changes)
            config = self._configuration(role, dest_arn, kms, replica_key)
            editor.set(f.path, config)
            message = ("replicate every new object version to " + self._describe(dest_arn) +
                       "; existing objects are not replicated (S3 Batch Replication does that)")
            changes.append(self.change(f, "add", None, config, message))
        statements: list[dict[str, Any]] = [
            {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": sources},
            {"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                                           "s3:GetObjectVersionTagging"], "Resource": objects},
            {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
             "Resource": targets},
        ]
        if decrypt:
            statements.append({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": _unique(decrypt), "Condition": _VIA_S3})
            statements.append({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": _unique(encrypt), "Condition": _VIA_S3})
        role_body = {
            "Type": "AWS::IAM::Role",
            **({"Condition": condition} if condition else {}),
            "Properties": {
                "Description": "Assumed by S3 to replicate objects; its permissions are in a separate policy",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                },
            },
        }
        policy_body = {
            "Type": "AWS::IAM::Policy",
            **({"Condition": condition} if condition else {}),
            "Properties": {
                "PolicyName": "s3-replication",
                "Roles": [{"Ref": role}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            },
        }
        editor.set(("Resources", role), role_body)
        editor.set(("Resources", policy), policy_body)
        first = findings[0]
        changes.append(self._new(first, role, role_body, "role S3 assumes to replicate"))
        changes.append(self._new(first, policy, policy_body, "the replication permissions S3 documents, kept out of the "
                                 "role so that no bucket -> role -> bucket dependency cycle arises"))

    def _new(self, finding: Finding, rid: str, body: Any, message: str, section: str = "Resources") -> Change:
        change = self.change(finding, "add", None, body, message, path=(section, rid))
        return dataclasses.replace(change, resource=rid if section == "Resources" else finding.resource)

    def _destination(self, doc: Document, editor: Editor, f: Finding, single: bool, props: dict, kms: bool, key: Any,
                     changes: list[Change], condition: str | None = None) -> tuple[dict, Any]:
        """The destination bucket ARN and, for SSE-KMS sources, the replica key, creating what they need
        (a created bucket carries the source's ``condition``; parameters cannot, their description says it)."""
        rid = f.resource
        when = f" (used when condition {condition} is true)" if condition else ""
        if self.config["destination"] == "bucket":
            encryption = props["BucketEncryption"] if kms else {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
            body = {
                "Type": "AWS::S3::Bucket",
                **({"Condition": condition} if condition else {}),
                "Properties": {
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "BucketEncryption": encryption,
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True, "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
                    },
                },
            }
            replica = editor.add_resource(f"{rid}Replica", body)
            changes.append(self._new(f, replica, body, f"versioned, encrypted, private replica bucket of {rid} "
                                     "(same region: for QA, not disaster recovery)"))
            replica_key = None
            if kms:
                replica_key = key_arn(doc, key) if key is not None else {
                    "Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/s3"}
            return {"Fn::GetAtt": [replica, "Arn"]}, replica_key
        prefix = "" if single else rid
        param = editor.unique_id(f"{prefix}ReplicationDestinationBucketArn")
        body = {"Type": "String", "AllowedPattern": _BUCKET_ARN_PATTERN,
                "Description": f"ARN of the versioned bucket, in another region, that receives the replicas of {rid}{when}"}
        editor.set(("Parameters", param), body)
        changes.append(self._new(f, param, body, "the stack now needs the replication destination bucket ARN", "Parameters"))
        replica_key = None
        if kms:
            key_param = editor.unique_id(f"{prefix}ReplicationDestinationKmsKeyArn")
            key_body = {"Type": "String", "AllowedPattern": _KMS_ARN_PATTERN,
                        "Description": f"ARN of the KMS key, in the destination region, that encrypts the replicas of {rid}{when}"}
            editor.set(("Parameters", key_param), key_body)
            changes.append(self._new(f, key_param, key_body, "the stack now needs the replicas' KMS key ARN", "Parameters"))
            replica_key = {"Ref": key_param}
        return {"Ref": param}, replica_key

    def _versioning(self, editor: Editor, f: Finding, props: dict, changes: list[Change]) -> None:
        base = f.path[:-1] + ("VersioningConfiguration",)
        versioning = props.get("VersioningConfiguration")
        if versioning is None:
            editor.set(base, {"Status": "Enabled"})
            changes.append(self.change(f, "add", None, {"Status": "Enabled"}, "replication requires versioning", path=base))
        elif versioning.get("Status") is None:  # a configuration without a status (Suspended is reported)
            editor.set(base + ("Status",), "Enabled")
            changes.append(self.change(f, "add", None, "Enabled", "replication requires versioning", path=base + ("Status",)))

    def _configuration(self, role: str, dest_arn: dict, kms: bool, replica_key: Any) -> dict:
        destination: dict = {"Bucket": dest_arn}
        if self.config["storage-class"]:
            destination["StorageClass"] = self.config["storage-class"]
        if self.config["replication-time"]:
            destination["ReplicationTime"] = {"Status": "Enabled", "Time": {"Minutes": 15}}
            destination["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
        if kms:
            destination["EncryptionConfiguration"] = {"ReplicaKmsKeyID": replica_key}
        rule: dict = {
            "Id": "ReplicateAll",
            "Status": "Enabled",
            "Priority": 1,
            "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": destination,
        }
        if kms:
            rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        return {"Role": {"Fn::GetAtt": [role, "Arn"]}, "Rules": [rule]}

    @staticmethod
    def _describe(dest_arn: dict) -> str:
        if "Ref" in dest_arn:
            return f"the bucket given by parameter {dest_arn['Ref']}"
        return f"bucket {dest_arn['Fn::GetAtt'][0]} (created in this template)"


def _unique(values: list) -> list:
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return ["*"] if "*" in out else out
