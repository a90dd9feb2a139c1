"""SQS queues without server-side encryption stated in the template."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.properties import properties
from cfnfix.publishers import QUEUE_POLICIES, QUEUE_READERS, aws_managed_key_finding, publishers_text, service_publishers

AWS_MANAGED_KEY = "alias/aws/sqs"


class SqsEncryption(Fixer):
    name = "sqs-encryption"
    summary = "Encrypt SQS queues: the AWS managed KMS key when only IAM principals send, SQS managed keys when AWS services do"
    group = "security"
    scanner_checks = ("CKV_AWS_27", "SQS_QUEUE_KMS_MASTER_KEY_ID_RULE", "W48")
    resource_types = ("AWS::SQS::Queue",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("key", "auto",
               "`auto`: KmsMasterKeyId alias/aws/sqs (review; clears CKV_AWS_27) on queues only IAM principals send "
               "to, SqsManagedSseEnabled true (safe) on queues AWS services send to; "
               "`sqs-managed`: SqsManagedSseEnabled true everywhere (safe; Checkov's CloudFormation check does not "
               "count it); `aws-managed`: alias/aws/sqs, queues AWS services send to reported",
               choices=("auto", "sqs-managed", "aws-managed")),
    )
    docs = """
    ## What it detects
    `AWS::SQS::Queue` resources with neither `KmsMasterKeyId` nor `SqsManagedSseEnabled`.

    Checkov: CKV_AWS_27 (Checkov's CloudFormation check looks at `KmsMasterKeyId` alone, although
    its Terraform twin accepts SQS managed encryption: only the KMS key clears it)

    ## Why it matters
    Messages waiting in a queue should be encrypted at rest, and the template should say so
    rather than rely on a default that has changed over time.

    ## What it changes
    With the default `key = "auto"`, per queue:
    - a queue that only code with an IAM role sends to (functions, containers, users of the
      account) gets `KmsMasterKeyId: alias/aws/sqs` (SSE-KMS with the AWS managed key). Its
      senders and receivers keep working without new permissions: the key policy of an AWS
      managed key lets every principal of the account use it through SQS. This is the form
      Checkov CKV_AWS_27 accepts. Review: SQS calls KMS for data keys, billed per request
      (`KmsDataKeyReusePeriodSeconds`, 300 s by default, keeps that low), and senders from other
      accounts lose access.
    - a queue an AWS service sends to on its own (an SNS subscription, an S3 event
      notification, an EventBridge rule target or dead-letter queue, a queue policy naming a
      service principal, or a policy built with intrinsics) gets `SqsManagedSseEnabled: true`
      (SSE-SQS) instead, which is safe: such services cannot use an AWS managed key (its key
      policy cannot be changed to let their principals in), so `alias/aws/sqs` would drop their
      messages. Checkov CKV_AWS_27 keeps failing on these: encrypt them with a customer managed
      key whose key policy allows the service (`kms:GenerateDataKey*`, `kms:Decrypt`) to clear it.
    - A queue that only refers to another one (a `RedrivePolicy` naming it as dead-letter queue)
      does not count as a sender: SQS moves the messages itself.

    With `key = "sqs-managed"`: `SqsManagedSseEnabled: true` everywhere (safe, no cost; Checkov
    CKV_AWS_27 keeps failing). With `key = "aws-managed"`: `alias/aws/sqs` on the queues only IAM
    principals send to, and the queues AWS services send to are reported and left alone.

    A queue with `SqsManagedSseEnabled: false` (someone turned encryption off) is reported; one
    with `SqsManagedSseEnabled: true` is encrypted already and left alone with any option.

    ## Example
    ```yaml
    # before
    Queue:
      Type: AWS::SQS::Queue
    FromTopic:
      Type: AWS::SQS::Queue
    Subscription:
      Type: AWS::SNS::Subscription
      Properties: {Protocol: sqs, TopicArn: !Ref Topic, Endpoint: !GetAtt FromTopic.Arn}
    # after
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        KmsMasterKeyId: alias/aws/sqs
    FromTopic:
      Type: AWS::SQS::Queue
      Properties:
        SqsManagedSseEnabled: true
    ```

    ## Fix safety
    `SqsManagedSseEnabled: true` is safe: SQS encrypts and decrypts transparently, at no cost.
    `alias/aws/sqs` is review: cross-account senders lose access, and KMS bills the data key
    requests. Both are updated in place; messages already in the queue stay readable.
    """

    def find(self, doc: Document) -> list[Finding]:
        mode = self.config["key"]
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
            if mode == "sqs-managed":
                findings.append(Finding(rid, sse_path, "queue without stated encryption: SQS managed encryption (SSE-SQS) enabled "
                                        "(Checkov CKV_AWS_27 looks only at KmsMasterKeyId; option key=auto or aws-managed clears it)", detail=True))
                continue
            if mode == "auto":
                senders = service_publishers(doc, rid, QUEUE_READERS, QUEUE_POLICIES)
                if senders:
                    findings.append(Finding(rid, sse_path, (
                        f"queue without stated encryption: SQS managed encryption (SSE-SQS) enabled, not the AWS managed key "
                        f"alias/aws/sqs, because AWS services send to it ({publishers_text(senders)}) and cannot use that key "
                        "(Checkov CKV_AWS_27 stays: it accepts only KmsMasterKeyId; a customer managed key whose key policy "
                        "allows those services clears it)"), detail=True))
                    continue
            findings.append(aws_managed_key_finding(doc, rid, key_path, "queue", AWS_MANAGED_KEY, QUEUE_READERS, QUEUE_POLICIES, "CKV_AWS_27"))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, f.detail)
                if f.path[-1] == "KmsMasterKeyId":
                    message = (f"{f.message}; KMS bills the data key requests and senders from other accounts lose access")
                    changes.append(self.change(f, "add", None, f.detail, message, safety=Safety.REVIEW))
                else:
                    changes.append(self.change(f, "add", None, f.detail, f.message, safety=Safety.SAFE))
        return Fix.of(editor, changes)
