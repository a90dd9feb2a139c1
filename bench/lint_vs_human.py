"""cfn-lint errors left by `cfnfix apply --all` next to those left by the human correction.

    python bench/lint_vs_human.py [--jobs N] [--json OUT] [--fixers A,B] [--limit N]

For every task of the tap corpus (``../shared/corpus/tap/<task>/``) with one generated template
(``model.*``) and its human correction (``ideal.*``): copies the model into a temporary
directory, runs ``cfnfix apply --all`` on the copy, and lints the model, the fixed copy and the
ideal. Prints, counted in files: files with at least one cfn-lint error on each side, the error
codes left on each side, and every error code a fix introduced (in the fixed copy, not in the
model). ``--fixers`` narrows the run to some fixers (``apply --all --select A,B``).

cfn-lint's verdicts come from ``tests/corpus/lint-cache.json`` (keyed by the SHA-1 of the
template text; cfn-lint is pinned) and from this script's own cache in the temporary directory
of the machine (``$TMPDIR/cfnfix-lint-vs-human.json``), which it extends with every text it
had to lint: a second run lints only what a code change made new.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAP = ROOT.parent / "shared" / "corpus" / "tap"
SHARED_CACHE = ROOT / "tests" / "corpus" / "lint-cache.json"
OWN_CACHE = Path(tempfile.gettempdir()) / "cfnfix-lint-vs-human.json"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def tasks() -> list[tuple[str, Path, Path]]:
    """(task, model, ideal) for every task with exactly one of each."""
    out = []
    for folder in sorted(p for p in TAP.iterdir() if p.is_dir()):
        models = [p for p in folder.glob("model.*") if p.suffix in SUFFIXES]
        ideals = [p for p in folder.glob("ideal.*") if p.suffix in SUFFIXES]
        if len(models) == 1 and len(ideals) == 1:
            out.append((folder.name, models[0], ideals[0]))
    return out


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def lint(text: str, cache: dict) -> list[str]:
    key = digest(text)
    if key not in cache:
        from cfnlint.api import ManualArgs, lint as cfn_lint

        try:
            matches = cfn_lint(text, config=ManualArgs(regions=["us-east-1"]))
            cache[key] = sorted({m.rule.id for m in matches if m.rule.id.startswith("E")})
        except Exception:  # noqa: BLE001 - a template cfn-lint cannot read counts as E0000
            cache[key] = ["E0000"]
    return cache[key]


def one(args: tuple) -> dict:
    task, model, ideal, cache, select = args
    from cfnfix.api import fix_file, make_config
    from cfnfix.changelog import FileResult

    seen: dict[str, list[str]] = {}
    before = model.read_bytes().decode("utf-8", "replace")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / model.name
        shutil.copyfile(model, copy)
        try:
            result = fix_file(copy, make_config(select=select, unsafe_fixes=True), write=True)
        except Exception as error:  # noqa: BLE001 - unreadable models are counted, not fatal
            result = FileResult(path=str(copy), status="error", error=str(error))
        after = copy.read_bytes().decode("utf-8", "replace")
    local = dict(cache)
    row = {
        "task": task,
        "status": result.status,
        "error": result.error,
        "fixers": sorted({c.fixer for c in result.changes}),
        "reported": sorted({u.fixer for u in result.unfixed}),
        "model": lint(before, local),
        "fixed": lint(after, local) if after != before else None,
        "ideal": lint(ideal.read_bytes().decode("utf-8", "replace"), local),
    }
    row["fixed"] = row["model"] if row["fixed"] is None else row["fixed"]
    seen.update({k: v for k, v in local.items() if k not in cache})
    row["seen"] = seen
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="write the per-task rows here")
    parser.add_argument("--fixers", help="comma-separated fixer names (default: all, as apply --all)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    cache: dict = {}
    for source in (SHARED_CACHE, OWN_CACHE):
        if source.exists():
            cache.update(json.loads(source.read_text()))
    select = tuple(args.fixers.split(",")) if args.fixers else ("ALL",)
    todo = tasks()[: args.limit or None]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one, [(t, m, i, cache, select) for t, m, i in todo], chunksize=4))
    fresh = {}
    for row in rows:
        fresh.update(row.pop("seen"))
    if fresh:
        own = json.loads(OWN_CACHE.read_text()) if OWN_CACHE.exists() else {}
        own.update(fresh)
        OWN_CACHE.write_text(json.dumps(own, sort_keys=True) + "\n")
    report(rows, len(fresh))
    per_fixer(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


def per_fixer(rows: list[dict]) -> None:
    """Templates each fixer changed or reported on, and the error codes of the changed ones."""
    changed: Counter = Counter()
    reported: Counter = Counter()
    cleared: dict[str, Counter] = {}
    for r in rows:
        for name in r["fixers"]:
            changed[name] += 1
            cleared.setdefault(name, Counter()).update(set(r["model"]) - set(r["fixed"]))
        for name in r.get("reported", ()):
            reported[name] += 1
    print()
    print("| fixer | templates fixed | templates with findings reported | codes gone from the templates it fixed |")
    print("|---|---:|---:|---|")
    for name in sorted(set(changed) | set(reported), key=lambda n: (-changed[n], n)):
        gone = ", ".join(f"{c} {n}" for c, n in cleared.get(name, Counter()).most_common(6))
        print(f"| {name} | {changed[name]} | {reported[name]} | {gone} |")


def report(rows: list[dict], linted: int) -> None:
    sides = ("model", "fixed", "ideal")
    print(f"{len(rows)} tasks (one model, one ideal); {linted} texts linted afresh, the rest from the caches")
    errors = [r for r in rows if r["status"] == "error"]
    if errors:
        print(f"cfnfix could not process {len(errors)} models: "
              + ", ".join(f"{r['task']} ({r['error']})" for r in errors[:5]))
    print()
    print("| | generated | after `apply --all` | human-corrected |")
    print("|---|---:|---:|---:|")
    print("| files with a cfn-lint error | " + " | ".join(str(sum(1 for r in rows if r[s])) for s in sides) + " |")
    counts = {s: Counter(code for r in rows for code in r[s]) for s in sides}
    codes = sorted(set().union(*counts.values()), key=lambda c: (-counts["fixed"][c], -counts["model"][c], c))
    for code in codes:
        print(f"| {code} | " + " | ".join(str(counts[s][code]) for s in sides) + " |")
    introduced: Counter = Counter()
    where: dict[str, list[str]] = {}
    for r in rows:
        for code in set(r["fixed"]) - set(r["model"]):
            introduced[code] += 1
            where.setdefault(code, []).append(f"{r['task']} ({', '.join(r['fixers'])})")
    print()
    if introduced:
        print("New error codes introduced by a fix (files):")
        for code, n in introduced.most_common():
            print(f"- {code}: {n} — " + "; ".join(where[code][:6]))
    else:
        print("New error codes introduced by a fix: none")


if __name__ == "__main__":
    main()
