"""SNS topics without server-side encryption."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties
from cfnfix.publishers import TOPIC_POLICIES, TOPIC_READERS, aws_managed_key_finding

AWS_MANAGED_KEY = "alias/aws/sns"


class SnsEncryption(Fixer):
    name = "sns-encryption"
    summary = "Encrypt SNS topics with the AWS managed key when only IAM principals publish to them"
    group = "security"
    scanner_checks = ("CKV_AWS_26", "SNS_ENCRYPTED_KMS", "W47")
    resource_types = ("AWS::SNS::Topic",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::SNS::Topic` resources without `KmsMasterKeyId`.

    Checkov: CKV_AWS_26

    ## Why it matters
    Messages waiting for delivery are stored unencrypted at rest. Most compliance frameworks
    ask for server-side encryption of every message store.

    ## What it changes
    Sets `KmsMasterKeyId: alias/aws/sns`, the AWS managed key for SNS: no key to create or pay
    for, and IAM principals of the account (functions, containers, users) keep publishing without
    any new permission.

    Reported and left alone: topics an AWS service publishes to. S3 event notifications,
    EventBridge rules, CloudWatch alarms, CloudFormation custom resources, Budgets, CodeStar
    notifications, Auto Scaling and RDS events publish as service principals, and the policy of
    an AWS managed key cannot let them in: with `alias/aws/sns` their messages are dropped. A
    topic is treated as such when a resource other than an IAM policy holder, a function, a
    subscription or a policy refers to it, or when a topic policy names a service principal.
    Encrypt those with a customer managed key whose key policy allows the service (`kms:Decrypt`,
    `kms:GenerateDataKey*`).

    ## Example
    ```yaml
    # before
    Topic:
      Type: AWS::SNS::Topic
    # after
    Topic:
      Type: AWS::SNS::Topic
      Properties:
        KmsMasterKeyId: alias/aws/sns
    ```

    ## Fix safety
    Review: publishers from other accounts cannot use the AWS managed key either, and SNS calls
    KMS for every message it stores (billed per request). Subscribers are not affected: SNS
    decrypts before delivery.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::SNS::Topic"):
            path = ("Resources", rid, "Properties", "KmsMasterKeyId")
            props = properties(res)
            if props is None:
                findings.append(Finding(rid, path, "topic properties are not a plain mapping; not encrypted (Checkov CKV_AWS_26)", fixable=False))
                continue
            if "KmsMasterKeyId" in props:
                continue
            findings.append(aws_managed_key_finding(doc, rid, path, "topic", AWS_MANAGED_KEY, TOPIC_READERS, TOPIC_POLICIES, "CKV_AWS_26"))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
