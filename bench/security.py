"""The security fixers over the tap corpus: per-fixer counts and cfn-lint errors before/after.

    python bench/security.py [--lint-sample N] [--seed S]

Runs every fixer of the `security` group (review fixes written) on each
/work/shared/corpus/tap/*/model.* template, then prints per fixer: templates with findings,
templates fixed, templates with reported (not fixed) findings, changes. cfn-lint is slow, so
error codes before/after are compared on a random sample of N changed files (default 60;
0 means all of them); new codes must be none.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import CORPUS, lint_codes, run_fixers  # noqa: E402

from cfnfix.document import TemplateError  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    names = [n for n, cls in all_fixers().items() if cls.group == "security"]
    files = sorted(p for p in (CORPUS / "tap").glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    found, fixed, reported, changes = Counter(), Counter(), Counter(), Counter()
    changed: list[tuple[Path, str, str]] = []
    errors = 0
    for path in files:
        text = path.read_bytes().decode("utf-8")
        try:
            result = run_fixers(text, names)
        except TemplateError:
            errors += 1
            continue
        if result.status == "error":
            errors += 1
            continue
        with_changes = {c.fixer for c in result.changes}
        with_reports = {u.fixer for u in result.unfixed}
        for name in with_changes | with_reports:
            found[name] += 1
        for name in with_changes:
            fixed[name] += 1
        for name in with_reports:
            reported[name] += 1
        for c in result.changes:
            changes[c.fixer] += 1
        if result.after != text:
            changed.append((path, text, result.after))
    print(f"{len(files)} tap model templates, {len(changed)} changed, {errors} not parsed\n")
    print("| fixer | templates with findings | fixed | reported | changes |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        print(f"| {name} | {found[name]} | {fixed[name]} | {reported[name]} | {changes[name]} |")
    size = _arg("--lint-sample", 60)
    sample = changed if size == 0 or size >= len(changed) else random.Random(_arg("--seed", 19)).sample(changed, size)
    new: Counter = Counter()
    worse = []
    for path, before, after in sample:
        added = lint_codes(after) - lint_codes(before)
        if added:
            worse.append(path.parent.name)
            new.update(added)
    print(f"\ncfn-lint on {len(sample)} of {len(changed)} changed files: {len(worse)} with new error codes {dict(new)}")
    for name in worse:
        print(f"- {name}")


if __name__ == "__main__":
    main()
