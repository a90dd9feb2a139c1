"""SARIF 2.1.0 for code scanning: one rule per fixer, one result per change, with the fix attached.

A change's location is the node its path names in the original file, or the nearest ancestor
that exists there (an added key points at the mapping that receives it). Fixes are the textual
replacements between the original and the fixed file, attached to the result they overlap.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from . import REPOSITORY, __version__
from .changelog import FileResult
from .document import Document, TemplateError, parse
from .registry import all_fixers

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URI = REPOSITORY + "/blob/main/docs/fixers/{name}.md"


def _rules() -> list[dict]:
    rules = []
    for name, cls in all_fixers().items():
        full = " ".join(cls.docs.split("## Why it matters", 1)[-1].split("##", 1)[0].split()) or cls.summary
        rules.append({
            "id": name,
            "name": "".join(part.title() for part in name.split("-")),
            "shortDescription": {"text": cls.summary},
            "fullDescription": {"text": full},
            "helpUri": DOCS_URI.format(name=name),
            "defaultConfiguration": {"level": "warning" if cls.safety == "review" else "note"},
            "properties": {"safety": cls.safety, "default": cls.default},
        })
    return rules


def _region(doc: Document | None, path: tuple) -> dict:
    if doc is None:
        return {"startLine": 1, "startColumn": 1}
    node = doc.nearest(path)
    start_line, start_col = doc.line_col(node.start)
    end_line, end_col = doc.line_col(max(node.end, node.start))
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def _replacements(before: str, after: str) -> list[tuple[int, int, dict]]:
    """(first line, last line, SARIF replacement) for every differing run of lines."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    offsets = [0]
    for line in a:
        offsets.append(offsets[-1] + len(line))
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        replacement = {
            "deletedRegion": {"charOffset": offsets[i1], "charLength": offsets[i2] - offsets[i1]},
            "insertedContent": {"text": "".join(b[j1:j2])},
        }
        out.append((i1 + 1, max(i2, i1 + 1), replacement))
    return out


def sarif_report(results: list[FileResult]) -> str:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    sarif_results = []
    for r in sorted(results, key=lambda r: r.path):
        entries = r.changes
        if not entries or r.status not in ("fixed", "pending"):
            continue
        try:
            doc = parse(r.before) if r.before is not None else None
        except TemplateError:
            doc = None
        pending = _replacements(r.before, r.after) if r.before is not None and r.after is not None else []
        file_results: list[dict[str, Any]] = []
        for e in entries:
            region = _region(doc, tuple(e.path))
            message = f"{e.message} ({e.action} {'/'.join(map(str, e.path))}; safety: {e.safety})"
            file_results.append({
                "ruleId": e.fixer,
                "ruleIndex": index[e.fixer],
                "level": "warning" if e.safety == "review" else "note",
                "message": {"text": message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.path}, "region": region}}],
            })
        for first, last, replacement in pending:
            target = next(
                (res for res in file_results
                 if res["locations"][0]["physicalLocation"]["region"]["startLine"] <= last
                 and res["locations"][0]["physicalLocation"]["region"].get("endLine", first) >= first),
                file_results[0],
            )
            fixes = target.setdefault("fixes", [{
                "description": {"text": f"cfnfix {target['ruleId']}"},
                "artifactChanges": [{"artifactLocation": {"uri": r.path}, "replacements": []}],
            }])
            fixes[0]["artifactChanges"][0]["replacements"].append(replacement)
        sarif_results.extend(file_results)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cfnfix", "version": __version__,
                                "informationUri": REPOSITORY, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": sarif_results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
