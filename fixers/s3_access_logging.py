"""S3 buckets without server access logging."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties
from cfnfix.schemas import is_intrinsic
from cfnfix.s3 import BUCKET, S3_LOG_PRINCIPAL, access_log_targets, logging_destinations

LOG_BUCKET_SKIP = {"id": "CKV_AWS_18", "comment": "Receives the server access logs of the other buckets; logging it would loop"}


def log_bucket_body() -> dict:
    return {
        "Type": BUCKET,
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": {"checkov": {"skip": [dict(LOG_BUCKET_SKIP)]}},
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "VersioningConfiguration": {"Status": "Enabled"},
        },
    }


def log_policy_body(bucket: str) -> dict:
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "S3ServerAccessLogsPolicy",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOG_PRINCIPAL},
                    "Action": "s3:PutObject",
                    "Resource": {"Fn::Sub": "${%s.Arn}/*" % bucket},
                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                }],
            },
        },
    }


class S3AccessLogging(Fixer):
    name = "s3-access-logging"
    summary = "Send S3 server access logs of every bucket to one locked-down log bucket"
    group = "security"
    scanner_checks = ("CKV_AWS_18", "S3_BUCKET_LOGGING_ENABLED", "W35")
    resource_types = (BUCKET,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources without a `LoggingConfiguration`. Buckets that already receive
    server access logs (named as another bucket's logging destination, with
    `AccessControl: LogDeliveryWrite`, or with a bucket policy letting
    `logging.s3.amazonaws.com` write) are not logged: logging them would log their own logs.
    Such a log bucket gets the Checkov skip of CKV_AWS_18 with that reason in its `Metadata`
    instead (unless it has one), as the log bucket this fixer creates does.

    Checkov: CKV_AWS_18

    ## Why it matters
    Server access logs record every request made to a bucket (who, what, when, from where):
    without them there is no trail for a security investigation or an access audit.

    ## What it changes
    Every such bucket gets `LoggingConfiguration` with `DestinationBucketName` set to one log
    bucket shared by the template and `LogFilePrefix: <LogicalId>/`. When the template already
    sends access logs to an unconditional bucket of its own, that bucket is reused. Otherwise a
    log bucket is added once, locked down: public access blocked, SSE-S3 encryption (the
    encryption server access logging supports), versioning, `OwnershipControls:
    BucketOwnerEnforced` (ACLs disabled), `DeletionPolicy`/`UpdateReplacePolicy: Retain` (the
    logs outlive the stack), and a Checkov skip of CKV_AWS_18 with the reason. With it comes the
    `AWS::S3::BucketPolicy` the S3 documentation prescribes for log delivery: it lets
    `logging.s3.amazonaws.com` `s3:PutObject`, for sources of this account only
    (`aws:SourceAccount`); the log delivery group ACL is the legacy way.

    The log bucket is unconditional, so buckets with a `Condition` can use it.

    ## Example
    ```yaml
    # before
    Data:
      Type: AWS::S3::Bucket
    # after
    Data:
      Type: AWS::S3::Bucket
      Properties:
        LoggingConfiguration:
          DestinationBucketName: !Ref AccessLogsBucket
          LogFilePrefix: Data/
    AccessLogsBucket:
      Type: AWS::S3::Bucket
      DeletionPolicy: Retain
      ...
    AccessLogsBucketPolicy:
      Type: AWS::S3::BucketPolicy
      ...
    ```

    ## Fix safety
    The Checkov skip on a log bucket is safe: `Metadata` changes nothing deployed.
    Logging is review: a new bucket and policy are created and kept after the stack is deleted, and log
    storage is billed (one log record per request). Reads and writes of the logged buckets are
    unaffected; logs arrive within hours, best effort.
    """

    def find(self, doc: Document) -> list[Finding]:
        targets = access_log_targets(doc)
        findings = []
        for rid, res in doc.resources_of_type(BUCKET):
            path = ("Resources", rid, "Properties", "LoggingConfiguration")
            props = properties(res)
            if props is None:
                findings.append(Finding(rid, path, "bucket properties are not a plain mapping; no access logging added (Checkov CKV_AWS_18)", fixable=False))
                continue
            if "LoggingConfiguration" in props:
                continue
            if rid in targets:
                skip = self._skip_path(res)
                if skip is not None:
                    where, has_list = skip
                    findings.append(Finding(rid, ("Resources", rid) + where, "log bucket: it receives server access logs, so it is not logged itself "
                                            "(it would log its own logs); that reason recorded as a Checkov skip "
                                            "(Checkov CKV_AWS_18)", detail="append" if has_list else "set"))
                continue
            findings.append(Finding(rid, path, "bucket without server access logging (Checkov CKV_AWS_18)"))
        return findings

    @staticmethod
    def _skip_path(res: dict) -> tuple[tuple, bool] | None:
        """Where the Checkov skip of CKV_AWS_18 goes on a log bucket (the path of the skip list,
        and whether that list exists); None when it is there already or the metadata is not plain
        mappings and lists."""
        path: tuple = ("Metadata", "checkov", "skip")
        node: Any = res
        for key in path:
            if not isinstance(node, dict) or is_intrinsic(node):
                return None
            if key not in node:
                return path, False
            node = node[key]
        if not isinstance(node, list):
            return None
        if any(isinstance(entry, dict) and entry.get("id") == LOG_BUCKET_SKIP["id"] for entry in node):
            return None
        return path, True

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        skips = [f for f in findings if f.detail in ("set", "append")]
        for f in skips:
            with editor.finding(f):
                value: Any = dict(LOG_BUCKET_SKIP)
                if f.detail == "append":
                    editor.append(f.path, value)
                else:
                    value = [value]
                    editor.set(f.path, value)
                changes.append(self.change(f, "add", None, value, f.message, safety=Safety.SAFE))
        findings = [f for f in findings if all(f is not s for s in skips)]
        if not findings:
            return Fix.of(editor, changes)
        reusable = [b for b in logging_destinations(doc) if "Condition" not in doc.resources[b]]
        if reusable:
            log_bucket = reusable[0]
            how = f"the template's log bucket {log_bucket}"
        else:
            body = log_bucket_body()
            log_bucket = editor.add_resource("AccessLogsBucket", body)
            changes.append(self.change(None, "add", None, body, "log bucket for server access logs: public access blocked, encrypted, versioned, "
                                       "ACLs disabled, kept on stack deletion", path=("Resources", log_bucket)))
            policy = log_policy_body(log_bucket)
            policy_id = editor.add_resource(f"{log_bucket}Policy", policy)
            changes.append(self.change(None, "add", None, policy, f"lets S3 log delivery (logging.s3.amazonaws.com) write to {log_bucket} "
                                       "for buckets of this account", path=("Resources", policy_id)))
            how = f"the new log bucket {log_bucket}"
        for f in findings:
            setting = {"DestinationBucketName": {"Ref": log_bucket}, "LogFilePrefix": f"{f.resource}/"}
            with editor.finding(f):
                editor.set(f.path, setting)
                changes.append(self.change(f, "add", None, setting, f"server access logs sent to {how} (Checkov CKV_AWS_18)"))
        return Fix.of(editor, changes)
