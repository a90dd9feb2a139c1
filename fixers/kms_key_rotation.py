"""Symmetric KMS keys without automatic rotation."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import flag_findings, properties

_SYMMETRIC = "SYMMETRIC_DEFAULT"


class KmsKeyRotation(Fixer):
    name = "kms-key-rotation"
    summary = "Turn on automatic rotation for symmetric KMS keys"
    group = "security"
    scanner_checks = ("CKV_AWS_7", "CMK_BACKING_KEY_ROTATION_ENABLED", "F19")
    resource_types = ("AWS::KMS::Key",)  # find() reports only resources of these types
    safety = Safety.SAFE
    default = False
    docs = """
    ## What it detects
    Symmetric encryption keys (`AWS::KMS::Key` with no `KeySpec` or `KeySpec: SYMMETRIC_DEFAULT`)
    without `EnableKeyRotation: true`. Asymmetric and HMAC keys cannot rotate automatically and
    are skipped; an HMAC key is reported, since Checkov still expects rotation on it.

    Checkov: CKV_AWS_7

    ## Why it matters
    Rotation limits how much data one key version protects and is required by most compliance
    frameworks (CIS, PCI DSS). Without it the same key material is used for ever.

    ## What it changes
    Sets `EnableKeyRotation: true` (yearly rotation, the default period). A key with rotation
    explicitly `false` (someone chose that) or given by an intrinsic, or whose `KeySpec` is an
    intrinsic, is reported and left alone.

    ## Example
    ```yaml
    # before
    Key:
      Type: AWS::KMS::Key
      Properties:
        KeyPolicy: {...}
    # after
    Key:
      Type: AWS::KMS::Key
      Properties:
        KeyPolicy: {...}
        EnableKeyRotation: true
    ```

    ## Fix safety
    Safe: rotation is transparent. The key id, ARN and policy stay the same, and data encrypted
    under earlier key material still decrypts. KMS bills each of the first two rotations of a key
    like a key ($1 a month each).
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for f in flag_findings(doc, "AWS::KMS::Key", "EnableKeyRotation",
                               "symmetric key without automatic rotation: rotation enabled", "key rotation", "CKV_AWS_7"):
            props = properties(doc.resources[f.resource])
            spec = props.get("KeySpec", _SYMMETRIC) if props is not None else _SYMMETRIC
            if spec == _SYMMETRIC:
                findings.append(f)
            elif isinstance(spec, str) and spec.startswith("HMAC"):
                findings.append(Finding(f.resource, f.path, f"{spec} keys cannot rotate automatically; nothing to fix "
                                        "(Checkov CKV_AWS_7 expects rotation anyway: suppress it for this key)", fixable=False))
            elif not isinstance(spec, str):
                findings.append(Finding(f.resource, f.path, "KeySpec is an intrinsic; rotation (symmetric keys only) not turned on (Checkov CKV_AWS_7)", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
