"""S3 buckets that do not block public access."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.policy_document import public_grant
from cfnfix.properties import properties
from cfnfix.s3 import BUCKET, bucket_policies

FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
CHECKS = {"BlockPublicAcls": "CKV_AWS_53", "BlockPublicPolicy": "CKV_AWS_54",
          "IgnorePublicAcls": "CKV_AWS_55", "RestrictPublicBuckets": "CKV_AWS_56"}
PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")


def _checks(flags) -> str:
    return ", ".join(CHECKS[f] for f in FLAGS if f in flags)


class S3PublicAccessBlock(Fixer):
    name = "s3-public-access-block"
    summary = "Block public access on S3 buckets that are not meant to be public"
    group = "security"
    scanner_checks = ("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56",
                      "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED")
    resource_types = (BUCKET,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources without a `PublicAccessBlockConfiguration`, or with one that
    leaves some of its four flags unset.

    Checkov: CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56

    ## Why it matters
    Without the block, one public ACL on an object or one `Principal: "*"` statement in a bucket
    policy makes data readable by anyone on the internet. The block makes S3 refuse and ignore
    such grants for the bucket.

    ## What it changes
    Adds `PublicAccessBlockConfiguration` with `BlockPublicAcls`, `BlockPublicPolicy`,
    `IgnorePublicAcls` and `RestrictPublicBuckets` all `true`; a configuration that leaves some
    flags out gets the missing ones.

    Reported and left alone, because the block would break what the template does:
    - buckets with a `WebsiteConfiguration` (a website endpoint serves public reads);
    - buckets with a public canned ACL (`AccessControl: PublicRead`, `PublicReadWrite`,
      `AuthenticatedRead`);
    - buckets an `AWS::S3::BucketPolicy` grants to anyone (`Principal: "*"` or
      `{AWS: "*"}` in an `Allow` statement without a Condition on a key such as
      `aws:SourceArn`, `aws:SourceVpce` or `aws:PrincipalOrgID`), or whose policy is hidden
      behind an intrinsic;
    - a configuration with a flag set to `false` (someone chose to allow some public access:
      completing the others could undo that choice) or to an intrinsic.

    ## Example
    ```yaml
    # before
    Bucket:
      Type: AWS::S3::Bucket
    # after
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true
    ```

    ## Fix safety
    Review: it changes who can reach the bucket. Grants the template itself makes public are
    detected and left alone, but a bucket made public from outside the template (objects uploaded
    with a `public-read` ACL, a policy attached by another stack) stops being public.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(BUCKET):
            base = ("Resources", rid, "Properties", "PublicAccessBlockConfiguration")
            props = properties(res)
            if props is None:
                findings.append(Finding(rid, base, "bucket properties are not a plain mapping; public access block not added (Checkov CKV_AWS_53-56)", fixable=False))
                continue
            current = props.get("PublicAccessBlockConfiguration")
            if current is not None and not isinstance(current, dict) or isinstance(current, dict) and any(str(k).startswith("Fn::") for k in current):
                findings.append(Finding(rid, base, "PublicAccessBlockConfiguration is an intrinsic; left as it is (Checkov CKV_AWS_53-56)", fixable=False))
                continue
            current = current or {}
            missing = [flag for flag in FLAGS if flag not in current]
            chosen = [flag for flag in FLAGS if flag in current and current[flag] is not True and current[flag] != "true"]
            if not missing and not chosen:
                continue
            why = self._public_use(doc, rid, props)
            if why:
                findings.append(Finding(rid, base, f"bucket without a full public access block, but {why}; "
                                        f"left public (Checkov {_checks(missing + chosen)}): block it by hand if that use is gone", fixable=False))
                continue
            if chosen:
                findings.append(Finding(rid, base, f"public access block flags set to something other than true: {', '.join(chosen)}; "
                                        f"the block is left as chosen (Checkov {_checks(missing + chosen)}): set all four to true if the bucket is not meant to be public",
                                        fixable=False))
                continue
            findings.append(Finding(rid, base, "bucket without " + ("a public access block" if not current else "public access block flags " + ", ".join(missing)),
                                    detail=missing if current else None))
        return findings

    @staticmethod
    def _public_use(doc: Document, rid: str, props: dict) -> str | None:
        if "WebsiteConfiguration" in props:
            return "it serves a static website (WebsiteConfiguration)"
        acl = props.get("AccessControl")
        if acl in PUBLIC_ACLS:
            return f"its ACL is {acl}"
        if acl is not None and not isinstance(acl, str):
            return "its AccessControl is an intrinsic that may make it public"
        for pid, policy in bucket_policies(doc, rid):
            public = public_grant(policy.get("PolicyDocument"))
            if public:
                return f"bucket policy {pid} grants access to anyone"
            if public is None:
                return f"bucket policy {pid} is built with intrinsics that may grant public access"
        return None

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                if f.detail is None:
                    value = {flag: True for flag in FLAGS}
                    editor.set(f.path, value)
                    changes.append(self.change(f, "add", None, value, f"public access blocked: all four flags true (Checkov {_checks(FLAGS)})"))
                else:
                    for flag in f.detail:
                        editor.set(f.path + (flag,), True)
                        changes.append(self.change(f, "add", None, True, f"{flag} set to true (Checkov {CHECKS[flag]})", path=f.path + (flag,)))
        return Fix.of(editor, changes)
