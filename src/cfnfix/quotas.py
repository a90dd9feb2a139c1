"""CloudFormation's quotas on a template, to warn when a fix pushes a template past them.

Values from the AWS CloudFormation User Guide, "Understand CloudFormation quotas": a template
body in an Amazon S3 object is at most 1 MB (counted as 1,000,000 bytes, as cfn-lint's E1002
counts it), and a template declares at most 500 resources, 200 outputs, 200 parameters and
200 mappings. cfnfix reads inputs up to 5 MiB, so without this check ``apply --all`` could
write a template CloudFormation refuses.
"""

from __future__ import annotations

from .document import Document

BODY_BYTES = 1_000_000
SECTIONS = (("Resources", 500, "resources"), ("Outputs", 200, "outputs"),
            ("Parameters", 200, "parameters"), ("Mappings", 200, "mappings"))


def excess(doc: Document) -> dict[str, tuple[int, int]]:
    """What of ``doc`` passes a quota: name -> (its size, the quota)."""
    out: dict[str, tuple[int, int]] = {}
    size = len(doc.text) if doc.text.isascii() else len(doc.text.encode("utf-8"))
    if size > BODY_BYTES:
        out["bytes"] = (size, BODY_BYTES)
    data = doc.data if isinstance(doc.data, dict) else {}
    for section, limit, noun in SECTIONS:
        body = data.get(section)
        if isinstance(body, dict) and len(body) > limit:
            out[noun] = (len(body), limit)
    return out


def crossed(before: Document, after: Document) -> str | None:
    """One line naming the quotas ``after`` passes and ``before`` did not, or None."""
    old = excess(before)
    new = {k: v for k, v in excess(after).items() if k not in old}
    if not new:
        return None
    parts = [f"{size:,} {noun} (CloudFormation's limit: {limit:,}{' for a template in S3' if noun == 'bytes' else ''})"
             for noun, (size, limit) in new.items()]
    return "the fixed template passes CloudFormation's quotas: " + ", ".join(parts) + "; split it (nested stacks) before deploying"
