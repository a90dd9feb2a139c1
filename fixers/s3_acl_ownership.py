"""S3 bucket ACLs that bucket-owner-enforced object ownership (the default) refuses (cfn-lint E3045)."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

# canned ACLs S3 accepts while ACLs are disabled (and cfn-lint does not flag)
_ALLOWED = ("Private", "BucketOwnerFullControl", "BucketOwnerRead")
_LOG_DELIVERY = "LogDeliveryWrite"
OWNERSHIP = "BucketOwnerPreferred"


class S3AclOwnership(Fixer):
    name = "s3-acl-ownership"
    summary = "Enable ACLs (OwnershipControls) on log-delivery buckets whose AccessControl the default ownership refuses (E3045)"
    group = "deploy"
    resource_types = ("AWS::S3::Bucket",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    lint_rules = ("E3045",)
    default = False
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources with a canned `AccessControl` ACL other than `Private`,
    `BucketOwnerFullControl` or `BucketOwnerRead`, and no `OwnershipControls` rule (cfn-lint
    E3045).

    ## Why it matters
    Since April 2023 new buckets default to the object ownership `BucketOwnerEnforced`, which
    disables ACLs: creating the bucket fails (`Bucket cannot have ACLs set with ObjectOwnership's
    BucketOwnerEnforced setting`).

    ## What it changes
    - `LogDeliveryWrite` marks a bucket that receives logs from services that write with ACLs
      (S3 server access logs through the log-delivery group, CloudFront standard logs). The fix
      AWS documents for such buckets is to keep ACLs enabled: it adds
      `OwnershipControls: {Rules: [{ObjectOwnership: BucketOwnerPreferred}]}`, which permits the
      ACL while objects written with `bucket-owner-full-control` belong to the bucket owner.
    - Any other ACL (`PublicRead`, `PublicReadWrite`, `AuthenticatedRead`, `AwsExecRead`) grants
      access beyond the owner: it is reported, not changed. Use a bucket policy instead, or, if
      the access is really intended, set `OwnershipControls` yourself.
    - An `AccessControl` computed by an intrinsic function is reported.

    ## Example
    ```yaml
    # before
    AccessLogsBucket:
      Type: AWS::S3::Bucket
      Properties:
        AccessControl: LogDeliveryWrite
    # after
    AccessLogsBucket:
      Type: AWS::S3::Bucket
      Properties:
        AccessControl: LogDeliveryWrite
        OwnershipControls:
          Rules:
            - ObjectOwnership: BucketOwnerPreferred
    ```

    ## Fix safety
    Review: enabling ACLs changes who owns objects written to the bucket and which ACLs S3
    honours. A template that could not create the bucket before deploys after the fix; on a
    bucket created before 2023 (ACLs enabled by default) the setting changes object ownership
    of new objects to the bucket owner.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::S3::Bucket"):
            props = res.get("Properties")
            if not isinstance(props, dict) or "AccessControl" not in props:
                continue
            acl = props["AccessControl"]
            controls = props.get("OwnershipControls")
            if isinstance(controls, dict) and controls.get("Rules"):
                continue
            if controls is not None and not isinstance(controls, dict):
                continue  # an intrinsic: not judged
            path = ("Resources", rid, "Properties", "AccessControl")
            if not isinstance(acl, str):
                findings.append(Finding(rid, path, "E3045 AccessControl is computed; with ACLs disabled by default the "
                                        "bucket needs OwnershipControls when the ACL is not Private. Set them by hand",
                                        fixable=False))
                continue
            if acl in _ALLOWED:
                continue
            if acl == _LOG_DELIVERY:
                message = (f"E3045 AccessControl {acl} needs ACLs enabled; OwnershipControls {OWNERSHIP} added so the "
                           "log-delivery ACL is accepted")
                findings.append(Finding(rid, ("Resources", rid, "Properties", "OwnershipControls"), message))
                continue
            findings.append(Finding(rid, path, f"E3045 AccessControl {acl} grants access beyond the bucket owner and "
                                    "ACLs are disabled by default; use a bucket policy, or set OwnershipControls "
                                    "(ObjectWriter or BucketOwnerPreferred) if the ACL is intended", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        value = {"Rules": [{"ObjectOwnership": OWNERSHIP}]}
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, value)
                changes.append(self.change(f, "add" if doc.value(f.path) is None else "replace", doc.value(f.path), value, f.message))
        return Fix.of(editor, changes)
