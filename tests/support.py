"""Shared test machinery: golden-fixture discovery and the guarantees every fix must keep."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from cfnfix.config import Config
from cfnfix.document import parse
from cfnfix.engine import fix_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
EXTS = (".yaml", ".yml", ".json")
AS_OF = date(2026, 12, 1)  # deprecations are judged at this day, so goldens do not age
# A resource "Role" (YAML, under Resources) that Lambda may assume, for tests of Lambda functions.
LAMBDA_ROLE_YAML = """  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
"""


def fixture_cases(fixer: str) -> list[Path]:
    """Inputs under fixtures/<fixer>/: every template that is not a .fixed/.changes/.options file."""
    folder = FIXTURES / fixer
    return sorted(
        p for p in folder.glob("*")
        if p.suffix in EXTS and ".fixed." not in p.name and not p.name.endswith((".changes.json", ".options.json"))
    )


def expected_paths(case: Path) -> tuple[Path, Path, Path]:
    stem = case.name[: -len(case.suffix)]
    return (
        case.with_name(f"{stem}.fixed{case.suffix}"),
        case.with_name(f"{stem}.changes.json"),
        case.with_name(f"{stem}.options.json"),
    )


def run_fixers(text: str, names: list[str], options: dict | None = None, unsafe_fixes: bool = True):
    """The fixers' result on ``text``; review fixes are written unless ``unsafe_fixes`` is False."""
    config = Config(fixer_options=options or {}, unsafe_fixes=unsafe_fixes, as_of=AS_OF)
    return fix_source(text, names, config)


@lru_cache(maxsize=1)
def _lint_cache() -> dict[str, list[str]]:
    """cfn-lint verdicts recorded by content hash (tests/corpus/lint-cache.json, cfn-lint pinned)."""
    path = ROOT / "tests" / "corpus" / "lint-cache.json"
    return json.loads(path.read_text()) if path.exists() else {}


@lru_cache(maxsize=512)
def lint_codes(text: str) -> frozenset[str]:
    """Error rule ids cfn-lint reports on a template (warnings and informational ones left out);
    from the recorded verdicts when the text is there (fixtures and corpus outputs are)."""
    recorded = _lint_cache().get(hashlib.sha1(text.encode("utf-8")).hexdigest())
    if recorded is not None:
        return frozenset(recorded)
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return frozenset(m.rule.id for m in matches if m.rule.id.startswith("E"))


def data_diff(a: Any, b: Any, path: tuple = ()) -> list[tuple]:
    """Paths where two plain-data trees differ (the shallowest differing path on each branch)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple] = []
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                out.append(path + (key,))
            else:
                out += data_diff(a[key], b[key], path + (key,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += data_diff(x, y, path + (i,))
        return out
    return [] if a == b and type(a) is type(b) else [path]


def covered(path: tuple, logged: list[tuple]) -> bool:
    """A differing path is explained when a logged change path is a prefix of it or lies under it."""
    return any(path[: len(p)] == p or p[: len(path)] == path for p in logged)


def assert_fix_guarantees(before: str, after: str, changes, names: list[str], options: dict | None = None) -> None:
    """Idempotent, no new cfn-lint error, data differs only at logged paths."""
    second = run_fixers(after, names, options)
    assert second.after == after, "a second run changed the output again"
    assert not second.changes
    if after == before:
        return
    new_errors = lint_codes(after) - lint_codes(before)
    assert not new_errors, f"cfn-lint errors introduced: {sorted(new_errors)}"
    logged = [tuple(c.path) for c in changes]
    stray = [p for p in data_diff(parse(before, duplicates=True).data, parse(after).data) if not covered(p, logged)]
    assert not stray, f"data changed at paths no change names: {stray}"


def check_fixture(case: Path, fixer: str) -> None:
    """The golden test: output and change log as recorded, plus the general guarantees."""
    fixed, changes_file, options_file = expected_paths(case)
    options = json.loads(options_file.read_text()) if options_file.exists() else {}
    before = case.read_bytes().decode("utf-8")
    result = run_fixers(before, [fixer], {fixer: options} if options else None)
    assert result.status != "error", result.error
    expected_after = fixed.read_bytes().decode("utf-8") if fixed.exists() else before
    assert result.after == expected_after
    expected_log = json.loads(changes_file.read_text())
    actual_log = {
        "changes": [c.to_json() for c in result.changes],
        "unfixed": [u.to_json() for u in result.unfixed],
    }
    assert actual_log == expected_log
    assert_fix_guarantees(before, result.after, result.changes, [fixer], {fixer: options} if options else None)


def record_fixture(case: Path, fixer: str) -> None:
    """Write the .fixed file and .changes.json for a new case (run by hand, then review them)."""
    fixed, changes_file, options_file = expected_paths(case)
    options = json.loads(options_file.read_text()) if options_file.exists() else {}
    before = case.read_bytes().decode("utf-8")
    result = run_fixers(before, [fixer], {fixer: options} if options else None)
    if result.after != before:
        fixed.write_bytes(result.after.encode("utf-8"))
    log = {"changes": [c.to_json() for c in result.changes], "unfixed": [u.to_json() for u in result.unfixed]}
    changes_file.write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n")


def same_document(doc, whole) -> str | None:
    """Where two documents differ (node kinds, spans, tags, styles, values; the data), or None."""
    todo = [((), doc.root, whole.root)]
    while todo:
        path, a, b = todo.pop()
        if (a.kind, a.start, a.end, a.tag, a.style, a.shared) != (b.kind, b.start, b.end, b.tag, b.style, b.shared):
            return f"{'/'.join(map(str, path)) or 'root'}: {(a.kind, a.start, a.end, a.tag, a.style)} != {(b.kind, b.start, b.end, b.tag, b.style)}"
        if a.kind == "scalar":
            if a.value != b.value or type(a.value) is not type(b.value):
                return f"{'/'.join(map(str, path))}: {a.value!r} != {b.value!r}"
        elif len(a.value) != len(b.value):
            return f"{'/'.join(map(str, path)) or 'root'}: {len(a.value)} != {len(b.value)} items"
        elif a.kind == "map":
            for (ka, va), (kb, vb) in zip(a.value, b.value):
                todo += [(path + ("(key)",), ka, kb), (path + (ka.value,), va, vb)]
        else:
            todo += [(path + (i,), x, y) for i, (x, y) in enumerate(zip(a.value, b.value))]
    if repr(doc.data) != repr(whole.data) or doc.format != whole.format:
        return "the plain data"
    if doc._aliases != whole._aliases:
        return f"whether aliases were met: {doc._aliases} != {whole._aliases}"
    return None


def patched(before: str, diff: str) -> str:
    """``before`` with the unified ``diff`` (as cfnfix prints it) applied, each context and
    removed line checked against ``before``: what `git apply` would make of it."""
    old = before.splitlines(keepends=True)  # the lines unified_diff compares
    lines = re.findall(r"[^\n]*\n|[^\n]+$", diff)
    out: list[str] = []
    at = i = 0
    while i < len(lines):
        hunk = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n", lines[i])
        i += 1
        if hunk is None:
            assert lines[i - 1].startswith(("--- ", "+++ ")), lines[i - 1]
            continue
        first = int(hunk[1]) - (hunk[2] != "0")  # a hunk that takes no line names the line before it
        assert first >= at, "hunks out of order"
        out += old[at:first]
        at = first
        while i < len(lines) and not lines[i].startswith("@@ "):
            tag, text = lines[i][0], lines[i][1:]
            i += 1
            if i < len(lines) and lines[i] == "\\ No newline at end of file\n":
                text, i = text[:-1], i + 1
            if tag in " -":
                assert old[at] == text, (at, old[at], text)
                at += 1
            if tag in " +":
                out.append(text)
    return "".join(out + old[at:])
