"""CloudTrail trails without log file integrity validation."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import flag_findings


class CloudTrailLogValidation(Fixer):
    name = "cloudtrail-log-validation"
    summary = "Turn on log file integrity validation for CloudTrail trails"
    group = "security"
    scanner_checks = ("CKV_AWS_36", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED")
    resource_types = ("AWS::CloudTrail::Trail",)  # find() reports only resources of these types
    safety = Safety.SAFE
    default = False
    docs = """
    ## What it detects
    `AWS::CloudTrail::Trail` resources without `EnableLogFileValidation: true`.

    Checkov: CKV_AWS_36

    ## Why it matters
    Without validation nobody can prove that a log file was not changed or deleted after
    CloudTrail delivered it: an intruder who reaches the log bucket can edit the evidence.
    With it, CloudTrail delivers hourly signed digest files that `aws cloudtrail
    validate-logs` checks.

    ## What it changes
    Sets `EnableLogFileValidation: true`. A trail with validation explicitly `false` (someone
    chose that) or given by an intrinsic is reported and left alone.

    ## Example
    ```yaml
    # before
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        IsLogging: true
        S3BucketName: !Ref TrailBucket
    # after
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        IsLogging: true
        S3BucketName: !Ref TrailBucket
        EnableLogFileValidation: true
    ```

    ## Fix safety
    Safe: the trail is updated in place and logs keep flowing; digest files are small objects
    written next to the logs, under `CloudTrail-Digest/`, with the trail's existing bucket access.
    """

    def find(self, doc: Document) -> list[Finding]:
        return flag_findings(doc, "AWS::CloudTrail::Trail", "EnableLogFileValidation",
                             "trail without log file validation: validation enabled", "log file validation", "CKV_AWS_36")

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
