"""Issue-18 fixers (qa, deploy, data-protection) over the shared tap corpus: counts and cfn-lint.

    python bench/qa_fixers.py [--no-lint] [--sample N] [--jobs N]

Each fixer runs alone on every `tap/*/model.*` template (review fixes written), then again on
its own output. Per fixer: templates with findings, templates fixed, changes, templates with
reported (not fixable) findings, second runs that changed something, and outputs where the
fixer still finds something it could fix (problem not removed). Then all of them run together
and cfn-lint compares the error codes of every changed template before and after (lint codes
of unchanged inputs come from tests/corpus/lint-cache.json and bench/lint_vs_human.py's cache
when present). `--sample N` lints
only every k-th changed template so that about N are linted.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cfnfix.config import Config  # noqa: E402
from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

FIXERS = ["hardcoded-partition", "hardcoded-az", "hardcoded-ami", "unique-names", "retain-policy",
          "dynamodb-pitr", "rds-backup-retention"]
TAP = ROOT.parent / "shared" / "corpus" / "tap"
LINT_CACHE = ROOT / "tests" / "corpus" / "lint-cache.json"
OWN_CACHE = Path(tempfile.gettempdir()) / "cfnfix-lint-vs-human.json"  # bench/lint_vs_human.py's
CONFIG = Config(unsafe_fixes=True)


def _one(path: str, fixers: list[str]) -> dict:
    text = Path(path).read_bytes().decode("utf-8")
    out: dict = {"path": path, "fixers": {}}
    try:
        doc = parse(text)
    except TemplateError as exc:
        out["error"] = str(exc)
        return out
    for name in fixers:
        result = fix_document(doc, [name], CONFIG)
        row = {"changes": len(result.changes), "reported": len(result.unfixed), "errors": len(result.fixer_errors),
               "findings": 0, "second": 0, "left": 0}
        finder = all_fixers()[name]()
        row["findings"] = len(finder.find(doc))
        if result.after != text:
            again = fix_document(parse(result.after), [name], CONFIG)
            row["second"] = len(again.changes)
            row["left"] = sum(1 for f in finder.find(parse(result.after)) if f.fixable)
        out["fixers"][name] = row
    combined = fix_document(doc, fixers, CONFIG)
    out["before"], out["after"] = text, combined.after
    return out


def _lint(text: str) -> list[str]:
    from support import lint_codes

    return sorted(lint_codes(text))


def main(fixers: list[str] = FIXERS) -> None:
    """Counts for ``fixers`` (other bench scripts pass their group's), then cfn-lint before/after."""
    args = sys.argv[1:]
    lint = "--no-lint" not in args
    sample = int(args[args.index("--sample") + 1]) if "--sample" in args else 0
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 2
    files = sorted(str(p) for p in TAP.glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(partial(_one, fixers=fixers), files, chunksize=8))
    errors = [r for r in results if "error" in r]
    print(f"{len(files)} tap model templates ({len(errors)} not parsed)\n")
    print("| fixer | with findings | fixed | changes | reported | fixer errors | second run changed | problem left |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in fixers:
        rows = [r["fixers"][name] for r in results if name in r.get("fixers", {})]
        print(f"| {name} | {sum(1 for r in rows if r['findings'])} | {sum(1 for r in rows if r['changes'])} "
              f"| {sum(r['changes'] for r in rows)} | {sum(1 for r in rows if r['reported'])} "
              f"| {sum(r['errors'] for r in rows)} | {sum(1 for r in rows if r['second'])} "
              f"| {sum(1 for r in rows if r['left'])} |")
    changed = [r for r in results if "after" in r and r["after"] != r["before"]]
    print(f"\nall {len(fixers)} together changed {len(changed)} templates")
    if not lint:
        return
    if sample and len(changed) > sample:
        step = len(changed) / sample
        changed = [changed[int(i * step)] for i in range(sample)]
        print(f"linting a sample of {len(changed)} of them (every {step:.1f}th)")
    cache = {}
    for source in (LINT_CACHE, OWN_CACHE):
        if source.exists():
            cache.update(json.loads(source.read_text()))

    def cached(text: str) -> list[str] | None:
        return cache.get(hashlib.sha1(text.encode("utf-8")).hexdigest())

    def before_codes(text: str) -> list[str]:
        codes = cached(text)
        return linted[text] if codes is None else codes

    todo = [r["before"] for r in changed if cached(r["before"]) is None] + [
        r["after"] for r in changed if cached(r["after"]) is None]
    with ProcessPoolExecutor(jobs) as pool:
        linted = dict(zip(todo, pool.map(_lint, todo, chunksize=4)))
    linted.update({r["after"]: cached(r["after"]) for r in changed if cached(r["after"]) is not None})
    before_all: Counter = Counter()
    after_all: Counter = Counter()
    new: Counter = Counter()
    for r in changed:
        before = set(before_codes(r["before"]))
        after = set(linted[r["after"]])
        before_all.update(before)
        after_all.update(after)
        for code in after - before:
            new[code] += 1
            print(f"  new {code}: {Path(r['path']).parent.name}")
    print(f"cfn-lint error codes over {len(changed)} changed templates: before {sum(before_all.values())} "
          f"({sum(1 for r in changed if before_codes(r['before']))} templates with errors), "
          f"after {sum(after_all.values())}; new codes: {dict(new) or 'none'}")
    gone = before_all - after_all
    if gone:
        print(f"codes gone: {dict(gone)}")


if __name__ == "__main__":
    main()
