"""SQS queues without server-side encryption stated in the template."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.properties import properties
from cfnfix.publishers import QUEUE_POLICIES, QUEUE_READERS, aws_managed_key_finding

AWS_MANAGED_KEY = "alias/aws/sqs"


class SqsEncryption(Fixer):
    name = "sqs-encryption"
    summary = "State server-side encryption on SQS queues (SQS managed keys, or the AWS managed KMS key)"
    group = "security"
    resource_types = ("AWS::SQS::Queue",)  # find() reports only resources of these types
    safety = Safety.SAFE
    default = False
    options = (
        Option("key", "sqs-managed",
               "`sqs-managed`: SqsManagedSseEnabled true (safe; Checkov's CloudFormation check does not count it); "
               "`aws-managed`: KmsMasterKeyId alias/aws/sqs (review; clears CKV_AWS_27)",
               choices=("sqs-managed", "aws-managed")),
    )
    docs = """
    ## What it detects
    `AWS::SQS::Queue` resources with neither `KmsMasterKeyId` nor `SqsManagedSseEnabled`.

    Checkov: CKV_AWS_27 (cleared only with `key = "aws-managed"`: Checkov's CloudFormation check
    looks at `KmsMasterKeyId` alone, although its Terraform twin accepts SQS managed encryption)

    ## Why it matters
    Messages waiting in a queue should be encrypted at rest, and the template should say so
    rather than rely on a default that has changed over time.

    ## What it changes
    With the default `key = "sqs-managed"`: `SqsManagedSseEnabled: true` (SSE-SQS, keys owned by
    SQS). Nothing changes for senders and receivers, and nothing is billed.

    With `key = "aws-managed"`: `KmsMasterKeyId: alias/aws/sqs` (SSE-KMS with the AWS managed
    key). IAM principals of the account keep sending and receiving without new permissions, but
    AWS services that send on their own (SNS subscriptions, S3 event notifications, EventBridge
    rules) cannot use an AWS managed key: queues they send to are reported and left alone.

    A queue with `SqsManagedSseEnabled: false` (someone turned encryption off) is reported; one
    with `SqsManagedSseEnabled: true` is encrypted already and left alone with either option.

    ## Example
    ```yaml
    # before
    Queue:
      Type: AWS::SQS::Queue
    # after
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        SqsManagedSseEnabled: true
    ```

    ## Fix safety
    Safe with `sqs-managed`: SQS encrypts and decrypts transparently, at no cost. Review with
    `aws-managed`: cross-account senders lose access, and every data key request is billed by KMS.
    """

    def find(self, doc: Document) -> list[Finding]:
        kms = self.config["key"] == "aws-managed"
        findings = []
        for rid, res in doc.resources_of_type("AWS::SQS::Queue"):
            props = properties(res)
            key_path = ("Resources", rid, "Properties", "KmsMasterKeyId")
            sse_path = ("Resources", rid, "Properties", "SqsManagedSseEnabled")
            if props is None:
                findings.append(Finding(rid, sse_path, "queue properties are not a plain mapping; encryption not stated (Checkov CKV_AWS_27)", fixable=False))
                continue
            if "KmsMasterKeyId" in props:
                continue
            if "SqsManagedSseEnabled" in props:
                value = props["SqsManagedSseEnabled"]
                if value is False or isinstance(value, str) and value.lower() == "false":
                    findings.append(Finding(rid, sse_path, "server-side encryption is turned off (SqsManagedSseEnabled false), as the template chose; "
                                            "left as it is (Checkov CKV_AWS_27)", fixable=False))
                continue
            if not kms:
                findings.append(Finding(rid, sse_path, "queue without stated encryption: SQS managed encryption (SSE-SQS) enabled "
                                        "(Checkov CKV_AWS_27 looks only at KmsMasterKeyId; option key=aws-managed clears it)", detail=True))
                continue
            findings.append(aws_managed_key_finding(doc, rid, key_path, "queue", AWS_MANAGED_KEY, QUEUE_READERS, QUEUE_POLICIES, "CKV_AWS_27"))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        safety = Safety.REVIEW if self.config["key"] == "aws-managed" else None
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, f.detail)
                changes.append(self.change(f, "add", None, f.detail, f.message, safety=safety))
        return Fix.of(editor, changes)
