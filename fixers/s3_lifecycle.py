"""S3 buckets without a lifecycle configuration."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, OptionError, int_range

_IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")  # S3 refuses transitions to these before 30 days
_IA_MINIMUM_DAYS = 30
_STORAGE_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
_ABORT_DAYS = 7
_MAX_DAYS = 36500


def object_lock(props: dict) -> bool:
    """Whether the bucket may hold objects under Object Lock retention (unless literally disabled)."""
    enabled = props.get("ObjectLockEnabled")
    return "ObjectLockConfiguration" in props or (enabled is not None and enabled is not False and enabled != "false")


class S3Lifecycle(Fixer):
    name = "s3-lifecycle"
    summary = "Add a LifecycleConfiguration that cleans up multipart uploads and tiers old versions"
    group = "data-protection"
    resource_types = ("AWS::S3::Bucket",)  # find() reports only resources of these types
    safety = Safety.SAFE
    default = True
    options = (
        Option("noncurrent-transition-days", 30,
               "days after which noncurrent versions move to STANDARD_IA (versioned buckets; at least 30)",
               parse=int_range(_IA_MINIMUM_DAYS, _MAX_DAYS)),
        Option("noncurrent-expiration-days", None,
               "days after which noncurrent versions are deleted; unset (default) deletes nothing. Makes the fix 'review'",
               parse=int_range(1, _MAX_DAYS)),
        Option("expiration-days", None,
               "days after which current objects expire; unset (default) deletes nothing. Makes the fix 'review'",
               parse=int_range(1, _MAX_DAYS)),
        Option("transition-days", None,
               "days after which current objects move to `storage-class`; unset (default) adds no such transition",
               parse=int_range(1, _MAX_DAYS)),
        Option("storage-class", "STANDARD_IA", "storage class for `transition-days`", choices=_STORAGE_CLASSES),
    )
    docs = """
    ## What it detects
    `AWS::S3::Bucket` resources without a `LifecycleConfiguration`. A bucket that has one, even
    an empty or partial one, is left alone: its rules are someone's decision.

    ## Why it matters
    Without lifecycle rules, parts of failed multipart uploads and every noncurrent version of a
    versioned bucket are kept and billed forever, invisibly (they do not show up as objects).

    ## What it adds
    By default nothing is deleted:
    - `AbortIncompleteMultipartUpload` after 7 days, for every bucket;
    - for versioned buckets (any `VersioningConfiguration`), noncurrent versions move to
      `STANDARD_IA` after `noncurrent-transition-days` (30, the S3 minimum for STANDARD_IA).

    Opt-in options: `transition-days` with `storage-class` moves current objects;
    `expiration-days` and `noncurrent-expiration-days` delete data, and then the change is
    logged as `review`. Expirations must come after the matching transition.

    Never added: transitions on a bucket with `IntelligentTieringConfigurations` (objects in
    S3 Intelligent-Tiering cannot move to STANDARD_IA, and the archive tiers are that
    configuration's job), and expirations on a bucket with Object Lock (retention forbids the
    deletion the rule asks for). The default storage class minimums are respected: 30 days before
    STANDARD_IA or ONEZONE_IA.

    ## Example
    ```yaml
    # before
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        VersioningConfiguration:
          Status: Enabled
    # after
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        VersioningConfiguration:
          Status: Enabled
        LifecycleConfiguration:
          Rules:
            - Id: AbortIncompleteMultipartUploads
              Status: Enabled
              AbortIncompleteMultipartUpload:
                DaysAfterInitiation: 7
            - Id: NoncurrentVersions
              Status: Enabled
              NoncurrentVersionTransitions:
                - StorageClass: STANDARD_IA
                  TransitionInDays: 30
    ```
    Corrections that circulate often add `ExpirationInDays` (deleting live data the template's
    author never meant to expire), or a transition to STANDARD_IA after fewer than 30 days,
    which S3 rejects at deployment.

    ## Fix safety
    Safe with the default options: nothing is deleted and the bucket is updated in place. With
    an expiration option the change is `review`: objects will be deleted.
    """

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        c = self.config
        if c["transition-days"] is not None and c["storage-class"] in _IA_CLASSES and c["transition-days"] < _IA_MINIMUM_DAYS:
            raise OptionError(f"option 'transition-days' must be at least {_IA_MINIMUM_DAYS} for {c['storage-class']}")
        if c["expiration-days"] is not None and c["transition-days"] is not None and c["expiration-days"] <= c["transition-days"]:
            raise OptionError("option 'expiration-days' must be greater than 'transition-days'")
        if c["noncurrent-expiration-days"] is not None and c["noncurrent-expiration-days"] <= c["noncurrent-transition-days"]:
            raise OptionError("option 'noncurrent-expiration-days' must be greater than 'noncurrent-transition-days'")

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::S3::Bucket"):
            props = res.get("Properties", {})
            path = ("Resources", rid, "Properties", "LifecycleConfiguration")
            if props is None:
                props = {}
            if not isinstance(props, dict):
                findings.append(Finding(rid, path, "bucket properties are not a plain mapping; no lifecycle added", fixable=False))
                continue
            if "LifecycleConfiguration" in props:
                continue
            findings.append(Finding(rid, path, "bucket without lifecycle rules", detail=self._rules(props)))
        return findings

    def _rules(self, props: dict) -> tuple[list[dict], list[str]]:
        """The rules for one bucket, and the notes on what was left out and why."""
        c = self.config
        tiering = bool(props.get("IntelligentTieringConfigurations"))
        locked = object_lock(props)
        notes: list[str] = []
        rules: list[dict] = [{
            "Id": "AbortIncompleteMultipartUploads",
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": _ABORT_DAYS},
        }]
        current: dict = {}
        if c["transition-days"] is not None:
            if tiering:
                notes.append("no transition of current objects: the bucket uses intelligent tiering")
            else:
                current["Transitions"] = [{"StorageClass": c["storage-class"], "TransitionInDays": c["transition-days"]}]
        if c["expiration-days"] is not None:
            if locked:
                notes.append("no expiration: Object Lock retention forbids it")
            else:
                current["ExpirationInDays"] = c["expiration-days"]
        if current:
            rules.append({"Id": "CurrentObjects", "Status": "Enabled", **current})
        if "VersioningConfiguration" in props:
            noncurrent: dict = {}
            if tiering:
                notes.append("no transition of noncurrent versions: the bucket uses intelligent tiering")
            else:
                noncurrent["NoncurrentVersionTransitions"] = [
                    {"StorageClass": "STANDARD_IA", "TransitionInDays": c["noncurrent-transition-days"]}]
            if c["noncurrent-expiration-days"] is not None:
                if locked:
                    notes.append("no noncurrent-version expiration: Object Lock retention forbids it")
                else:
                    noncurrent["NoncurrentVersionExpiration"] = {"NoncurrentDays": c["noncurrent-expiration-days"]}
            if noncurrent:
                rules.append({"Id": "NoncurrentVersions", "Status": "Enabled", **noncurrent})
        return rules, notes

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            rules, notes = f.detail
            value = {"Rules": rules}
            deletes = any("ExpirationInDays" in r or "NoncurrentVersionExpiration" in r for r in rules)
            message = "lifecycle rules: " + ", ".join(r["Id"] for r in rules)
            message += "; objects will be deleted by expiration" if deletes else "; nothing is deleted"
            if notes:
                message += "; " + "; ".join(notes)
            with editor.finding(f):
                editor.set(f.path, value)
                changes.append(self.change(f, "add", None, value, message, safety=Safety.REVIEW if deletes else None))
        return Fix.of(editor, changes)
