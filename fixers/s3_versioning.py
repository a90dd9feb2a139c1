"""S3 buckets without versioning."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties
from cfnfix.s3 import BUCKET


class S3Versioning(Fixer):
    name = "s3-versioning"
    summary = "Turn on versioning for S3 buckets that have no VersioningConfiguration"
    group = "security"
    scanner_checks = ("CKV_AWS_21", "S3_BUCKET_VERSIONING_ENABLED")
    resource_types = (BUCKET,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources without a `VersioningConfiguration`.

    Checkov: CKV_AWS_21

    ## Why it matters
    Without versioning, an overwrite or a delete (by mistake, by a bug, by ransomware) destroys
    the only copy of an object. Versioning keeps the previous versions, and replication and
    Object Lock both require it.

    ## What it changes
    Adds `VersioningConfiguration: {Status: Enabled}`. A bucket whose versioning is `Suspended`
    (someone chose that) or given by an intrinsic is reported and left alone.

    ## Example
    ```yaml
    # before
    Bucket:
      Type: AWS::S3::Bucket
    # after
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        VersioningConfiguration:
          Status: Enabled
    ```

    ## Fix safety
    Review: every overwritten or deleted object is kept as a noncurrent version and billed
    until a lifecycle rule expires it (`s3-lifecycle` adds transitions, not expirations, unless
    asked). Once enabled, versioning can be suspended but never removed from the bucket.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(BUCKET):
            path = ("Resources", rid, "Properties", "VersioningConfiguration")
            props = properties(res)
            if props is None:
                findings.append(Finding(rid, path, "bucket properties are not a plain mapping; versioning not added (Checkov CKV_AWS_21)", fixable=False))
                continue
            if "VersioningConfiguration" not in props:
                findings.append(Finding(rid, path, "bucket without versioning: versioning enabled (Checkov CKV_AWS_21)",
                                        detail={"Status": "Enabled"}))
                continue
            config = props["VersioningConfiguration"]
            status = config.get("Status") if isinstance(config, dict) else None
            if status == "Enabled":
                continue
            if status == "Suspended":
                message = "versioning is Suspended, as the template chose; left as it is (Checkov CKV_AWS_21): set Status to Enabled if it should keep versions"
            else:
                message = "versioning status is not a literal Enabled or Suspended; left as it is (Checkov CKV_AWS_21)"
            findings.append(Finding(rid, path, message, fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
