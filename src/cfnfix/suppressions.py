"""The checks of other scanners a template tells them to pass over, resource by resource.

A security fixer answers a check Checkov, cfn-guard or cfn_nag also runs (``log-group-encryption``
is Checkov's CKV_AWS_158). Where the author suppressed that check on a resource, with a reason
the scanner records, they decided it does not hold there (a replica bucket logs nowhere, a
log group keeps AWS's own encryption); a fix would undo that decision. The forms read are the
scanners' own:

- Checkov: ``Metadata: {checkov: {skip: [{id: CKV_AWS_18, comment: ...}]}}`` (also under
  ``bridgecrew``), or a ``# checkov:skip=CKV_AWS_18: reason`` comment in the resource's text;
- cfn-guard (the AWS Guard Rules Registry): ``Metadata: {guard: {SuppressedRules: [S3_BUCKET_LOGGING_ENABLED]}}``;
- cfn_nag: ``Metadata: {cfn_nag: {rules_to_suppress: [{id: W35, reason: ...}]}}``.
"""

from __future__ import annotations

import re
from typing import Any

from .document import Document

# Checkov's own pattern for the comment form (``checkov:skip=ID`` or ``bridgecrew:skip=ID``,
# spaces allowed before the id, a reason after a colon)
_COMMENT = re.compile(r"(?:checkov|bridgecrew):skip= *([A-Za-z_\d]+)")


def scanner_suppressions(metadata: Any) -> set[str]:
    """The check ids a resource's (or the template's) ``Metadata`` suppresses."""
    out: set[str] = set()
    if not isinstance(metadata, dict):
        return out
    for tool, key, field in (("checkov", "skip", "id"), ("bridgecrew", "skip", "id"),
                             ("cfn_nag", "rules_to_suppress", "id"), ("guard", "SuppressedRules", None)):
        section = metadata.get(tool)
        items = section.get(key) if isinstance(section, dict) else None
        for item in items if isinstance(items, list) else ():
            check = item if field is None else item.get(field) if isinstance(item, dict) else None
            if isinstance(check, str):
                out.add(check)
    return out


def comment_suppressions(doc: Document) -> dict[str, set[str]]:
    """The check ids each resource suppresses with a ``checkov:skip=`` comment in its text: from
    the line of its key to the line of the next entry's, the comments after its last line
    included, as Checkov takes a resource's lines (to where the parser's next token starts)."""
    out: dict[str, set[str]] = {}
    root = doc.root
    if root.kind != "map" or "skip=" not in doc.text:  # a text without the form: no walk
        return out
    sections = root.value
    for i, (name, resources) in enumerate(sections):
        if name.value != "Resources" or resources.kind != "map":
            continue
        section_end = doc.line_start(sections[i + 1][0].start) if i + 1 < len(sections) else len(doc.text)
        entries = resources.value
        for j, (key, _) in enumerate(entries):
            end = doc.line_start(entries[j + 1][0].start) if j + 1 < len(entries) else section_end
            found = set(_COMMENT.findall(doc.text, doc.line_start(key.start), end))
            if found and isinstance(key.value, str):
                out[key.value] = found
    return out
