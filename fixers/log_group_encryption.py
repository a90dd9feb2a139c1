"""CloudWatch Logs log groups not encrypted with a KMS key."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.policy_document import statements
from cfnfix.properties import properties

LOG_GROUP = "AWS::Logs::LogGroup"
_LOGS_SERVICE = {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}


def _logs_principal(value: Any) -> bool:
    """Whether a Principal Service value is the CloudWatch Logs service (regional or global)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        text = item.get("Fn::Sub") if isinstance(item, dict) else item
        if isinstance(text, str) and text.startswith("logs.") and text.endswith(".amazonaws.com"):
            return True
    return False


def _any_log_group(condition: Any) -> bool:
    """Whether a statement's Condition lets the key serve every log group of the account: none,
    or an encryption-context ARN pattern ending in ``log-group:*``. A key scoped to some log
    groups would make CloudWatch Logs refuse the others."""
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return False
    for tests in condition.values():
        if not isinstance(tests, dict):
            return False
        for key, value in tests.items():
            if str(key).lower() != "kms:encryptioncontext:aws:logs:arn":
                return False
            for item in value if isinstance(value, list) else [value]:
                text = item.get("Fn::Sub") if isinstance(item, dict) else item
                if not (isinstance(text, str) and text.endswith(":log-group:*")):
                    return False
    return True


def logs_keys(doc: Document) -> list[str]:
    """Unconditional KMS keys of the template whose key policy lets CloudWatch Logs use them."""
    found = []
    for rid, res in doc.resources_of_type("AWS::KMS::Key"):
        if "Condition" in res:
            continue
        for statement in statements((properties(res) or {}).get("KeyPolicy")) or []:
            principal = statement.get("Principal") if isinstance(statement, dict) else None
            if (isinstance(principal, dict) and statement.get("Effect") == "Allow" and _logs_principal(principal.get("Service"))
                    and _any_log_group(statement.get("Condition"))):
                found.append(rid)
                break
    return found


def key_body(retain: bool) -> dict:
    body: dict[str, Any] = {"Type": "AWS::KMS::Key"}
    if retain:
        body["DeletionPolicy"] = "Retain"
        body["UpdateReplacePolicy"] = "Retain"
    body["Properties"] = {
        "Description": "Encrypts the CloudWatch Logs log groups of this stack",
        "EnableKeyRotation": True,
        "KeyPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": _LOGS_SERVICE},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {
                        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"}}},
                },
            ],
        },
    }
    return body


class LogGroupEncryption(Fixer):
    name = "log-group-encryption"
    summary = "Encrypt CloudWatch Logs log groups with one shared customer managed KMS key"
    group = "security"
    scanner_checks = ("CKV_AWS_158", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", "W84")
    resource_types = (LOG_GROUP,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::Logs::LogGroup` resources without `KmsKeyId`.

    Checkov: CKV_AWS_158

    ## Why it matters
    Log events often carry personal data, tokens and request payloads. CloudWatch Logs always
    encrypts them, but only a customer managed key lets you decide (and audit) who can read them,
    and revoke that access by disabling the key.

    ## What it changes
    Adds one `AWS::KMS::Key` for the whole template (rotation enabled; key policy: the account
    administers the key, and `logs.${AWS::Region}.amazonaws.com` may use it for this account's
    log groups, as the CloudWatch Logs documentation prescribes) and sets
    `KmsKeyId: !GetAtt Key.Arn` on every log group. An unconditional key whose policy already
    lets CloudWatch Logs use it for every log group of the account is reused instead. The key is kept on stack deletion
    (`DeletionPolicy: Retain`) when a log group it encrypts is kept, so retained logs stay readable.
    Log groups of the `DELIVERY` class are reported and left alone.

    ## Example
    ```yaml
    # before
    AppLogs:
      Type: AWS::Logs::LogGroup
    # after
    AppLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        KmsKeyId: !GetAtt LogsKey.Arn
    LogsKey:
      Type: AWS::KMS::Key
      Properties:
        EnableKeyRotation: true
        KeyPolicy: ...
    ```

    ## Fix safety
    Review: a new key is billed ($1 a month plus requests), and once deployed anyone who can
    disable or delete the key, or change its policy, controls whether the logs can be read or
    written. Writers and readers need no new permission: CloudWatch Logs uses the key itself.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(LOG_GROUP):
            path = ("Resources", rid, "Properties", "KmsKeyId")
            props = properties(res)
            if props is None:
                findings.append(Finding(rid, path, "log group properties are not a plain mapping; not encrypted (Checkov CKV_AWS_158)", fixable=False))
                continue
            if "KmsKeyId" in props:
                continue
            if props.get("LogGroupClass") not in (None, "STANDARD", "INFREQUENT_ACCESS"):
                findings.append(Finding(rid, path, f"log group of class {props['LogGroupClass']!r}; not encrypted (Checkov CKV_AWS_158)", fixable=False))
                continue
            findings.append(Finding(rid, path, "log group not encrypted with a customer managed key (Checkov CKV_AWS_158)"))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        existing = logs_keys(doc)
        if existing:
            key = existing[0]
            how = f"the existing key {key}"
        else:
            retain = any(doc.resources[f.resource].get(k) in ("Retain", "RetainExceptOnCreate")
                         for f in findings for k in ("DeletionPolicy", "UpdateReplacePolicy"))
            body = key_body(retain)
            key = editor.add_resource("LogsKey", body)
            changes.append(self.change(None, "add", None, body, "customer managed KMS key for the log groups, rotation enabled, "
                                       "usable by CloudWatch Logs in this account (Checkov CKV_AWS_158, CKV_AWS_7)", path=("Resources", key)))
            how = f"the new key {key}"
        value = {"Fn::GetAtt": [key, "Arn"]}
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, value)
                changes.append(self.change(f, "add", None, value, f"log group encrypted with {how} (Checkov CKV_AWS_158)"))
        return Fix.of(editor, changes)
