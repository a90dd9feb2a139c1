"""SARIF 2.1.0 for code scanning: one rule per fixer, one result per finding, with its fix attached.

A result's locations are the nodes its changes' paths name in the original file, or the nearest
ancestor that exists there (an added key points at the mapping that receives it). Fixes are the
textual replacements between the original and the fixed file, each attached to the finding
whose location it overlaps. Files that could not be processed are tool execution notifications.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from itertools import groupby
from typing import Any
from urllib.parse import quote

from . import REPOSITORY, __version__
from .changelog import Change, FileResult, anchor
from .diff import line_matcher
from .report import places
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
            "help": {"text": cls.summary, "markdown": cls.docs.strip() or cls.summary},
            "helpUri": DOCS_URI.format(name=name),
            "defaultConfiguration": {"level": "warning" if cls.safety == "review" else "note"},
            "properties": {"safety": str(cls.safety), "default": cls.default, "group": getattr(cls, "group", "")},
        })
    return rules


def _uri(path: str) -> str:
    """A relative, percent-encoded URI, as code scanning matches it against the repository."""
    return quote(path.replace("\\", "/").removeprefix("./"))


def _region(where: Callable[[tuple], tuple[int, int, int, int] | None], path: tuple) -> dict:
    place = where(path)
    if place is None:
        return {"startLine": 1, "startColumn": 1}
    start_line, start_col, end_line, end_col = place
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def _replacements(before: str, after: str, unchanged: list[tuple[int, int, int]] | None) -> list[tuple[int, int, dict]]:
    """(first line, last line, SARIF replacement) for every differing run of lines, matched as
    the diff matches them (``FileResult.unchanged``: a search of both whole texts took 40 s
    for a template of 2,000 resources)."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    offsets = [0]
    for line in a:
        offsets.append(offsets[-1] + len(line))
    out = []
    for tag, i1, i2, j1, j2 in line_matcher(a, b, unchanged).get_opcodes():
        if tag == "equal":
            continue
        replacement = {
            "deletedRegion": {"charOffset": offsets[i1], "charLength": offsets[i2] - offsets[i1]},
            "insertedContent": {"text": "".join(b[j1:j2])},
        }
        out.append((i1 + 1, max(i2, i1 + 1), replacement))
    return out


def _findings(changes: list[Change]) -> list[list[Change]]:
    """Changes grouped by the finding they fix, in order."""
    keyed = [(c.finding if c.finding is not None else -1 - i, c) for i, c in enumerate(changes)]
    return [[c for _, c in group] for _, group in groupby(keyed, key=lambda item: item[0])]


def _fingerprint(path: str, changes: list[Change]) -> str:
    first = changes[0]
    key = json.dumps([path, first.fixer, first.resource, list(first.path), first.message], default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def sarif_report(results: list[FileResult]) -> str:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    sarif_results = []
    notifications = []
    for r in sorted(results, key=lambda r: r.path):
        uri = _uri(r.path)
        for problem in ([r.error] if r.status == "error" else []) + [e.message for e in r.fixer_errors]:
            notifications.append({
                "level": "error",
                "message": {"text": problem},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            })
        if not r.changes or r.status not in ("fixed", "pending"):
            continue
        where = places(r)
        pending = _replacements(r.before, r.after, r.unchanged) if r.before is not None and r.after is not None else []
        file_results: list[dict[str, Any]] = []
        for changes in _findings(r.changes):
            review = any(c.safety == "review" for c in changes)
            messages = list(dict.fromkeys(c.message for c in changes))
            steps = "; ".join(f"{c.action} {'/'.join(map(str, c.path))}" for c in changes)
            file_results.append({
                "ruleId": changes[0].fixer,
                "ruleIndex": index[changes[0].fixer],
                "level": "warning" if review else "note",
                "message": {"text": f"{' '.join(messages)} ({steps}; safety: {'review' if review else 'safe'})"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": _region(where, anchor(c))}}
                              for c in changes[:1]],
                "relatedLocations": [
                    {"id": i, "physicalLocation": {"artifactLocation": {"uri": uri}, "region": _region(where, anchor(c))}}
                    for i, c in enumerate(changes[1:], 1)],
                "partialFingerprints": {"cfnfixFinding/v1": _fingerprint(r.path, changes)},
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
                "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": []}],
            }])
            fixes[0]["artifactChanges"][0]["replacements"].append(replacement)
        for res in file_results:
            if not res["relatedLocations"]:
                del res["relatedLocations"]
        sarif_results.extend(file_results)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cfnfix", "version": __version__,
                                "informationUri": REPOSITORY, "rules": rules}},
            "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}],
            "columnKind": "unicodeCodePoints",
            "results": sarif_results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
