"""Checkov failures before and after the `security` fixers, over the shared tap corpus.

    python bench/checkov_report.py [--checkov PATH] [--sample N] [--seed S] [--lint] [--keep DIR]

Copies the corpus templates (`/work/shared/corpus/tap/*/model.*`) into a temporary directory
twice, runs `cfnfix apply --select security --unsafe-fixes` on one copy (so every fixer of the
group counts, whatever exists when this runs), then runs Checkov once over each copy
(`--framework cloudformation -o json --quiet`) and prints, per check id: failures before,
failures after, and new failures (a check that passed on a resource before and fails after);
the checks named on the `Checkov:` line of a `security` fixer's docs are always listed.
Then per fixer: templates it changed, changes, findings reported but not fixed. With `--lint`,
the cfn-lint error codes of the changed templates before and after (slow: ~0.5 s a template).
With `--keep DIR`, the two copies, the change log and every failure (`failures.json`: file,
resource, check id, before/after) stay in DIR for a closer look.

Checkov is a development tool, not a dependency: install it in its own virtual environment
(`python3 -m venv /work/checkov-venv && /work/checkov-venv/bin/pip install checkov`) and pass
`--checkov /work/checkov-venv/bin/checkov`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

CORPUS = Path("/work/shared/corpus/tap")


def checkov_failures(checkov: str, folder: Path) -> set[tuple[str, str, str]]:
    """(file name, resource, check id) of every failed check in ``folder``."""
    run = subprocess.run(
        [checkov, "-d", str(folder), "--framework", "cloudformation", "-o", "json", "--quiet", "--skip-download"],
        capture_output=True, text=True)
    if not run.stdout.strip():
        sys.exit(f"checkov produced no output (exit {run.returncode}): {run.stderr[-2000:]}")
    reports = json.loads(run.stdout)
    failures = set()
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report.get("results", {}).get("failed_checks", []):
            failures.add((Path(check["file_path"]).name, check.get("resource", ""), check["check_id"]))
    return failures


def group_checks() -> set[str]:
    """The Checkov ids the `security` fixers name on the `Checkov:` line of their docs."""
    from cfnfix.registry import all_fixers

    found: set[str] = set()
    for cls in all_fixers().values():
        if cls.group == "security":
            for line in cls.docs.splitlines():
                if line.strip().startswith("Checkov:"):
                    found.update(re.findall(r"CKV2?_AWS_\d+", line))
    return found


def lint_errors(path: Path) -> frozenset[str]:
    from cfnlint.api import ManualArgs, lint

    matches = lint(path.read_text(encoding="utf-8"), config=ManualArgs(regions=["us-east-1"]))
    return frozenset(m.rule.id for m in matches if m.rule.id.startswith("E"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", default="checkov", help="checkov executable (default: checkov on PATH)")
    parser.add_argument("--sample", type=int, default=0, help="run on N random templates (default: all)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lint", action="store_true", help="cfn-lint error codes of changed templates before/after")
    parser.add_argument("--keep", type=Path, help="keep the copies, change log and failures.json in this directory")
    args = parser.parse_args()
    if shutil.which(args.checkov) is None:
        sys.exit(f"checkov not found: {args.checkov}")

    sources = sorted(p for p in CORPUS.glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    if args.sample and args.sample < len(sources):
        sources = sorted(random.Random(args.seed).sample(sources, args.sample))
    with tempfile.TemporaryDirectory(prefix="checkov-report-") as tmp:
        before, after = Path(tmp, "before"), Path(tmp, "after")
        before.mkdir()
        after.mkdir()
        for src in sources:
            name = f"{src.parent.name}{src.suffix}"
            shutil.copyfile(src, before / name)
            shutil.copyfile(src, after / name)
        changelog = Path(tmp, "changelog.json")
        subprocess.run([sys.executable, "-m", "cfnfix", "apply", "--select", "security", "--unsafe-fixes", "-q",
                        "-j", str(args.jobs), "--changelog", str(changelog), str(after)], capture_output=True, text=True)
        log = json.loads(changelog.read_text())
        failed_before = checkov_failures(args.checkov, before)
        failed_after = checkov_failures(args.checkov, after)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(tmp, args.keep)
            rows = [[*f, "before"] for f in sorted(failed_before)] + [[*f, "after"] for f in sorted(failed_after)]
            Path(args.keep, "failures.json").write_text(json.dumps(rows, indent=0) + "\n")

        print(f"{len(sources)} templates" + (f" (random sample, seed {args.seed})" if args.sample else "") + "\n")
        print("| check | failures before | after | new |")
        print("|---|---:|---:|---:|")
        count_before = Counter(c for _, _, c in failed_before)
        count_after = Counter(c for _, _, c in failed_after)
        new = Counter(c for _, _, c in failed_after - failed_before)
        ours = group_checks()
        checks = sorted(set(count_before) | set(count_after) | ours, key=lambda c: (-count_before[c], c))
        shown = [c for c in checks if c in ours or count_before[c] != count_after[c] or new[c]]
        for check in shown:
            print(f"| {check} | {count_before[check]} | {count_after[check]} | {new[check]} |")
        unchanged = [c for c in checks if c not in shown]
        print(f"\n{len(unchanged)} other checks unchanged. Total failures: {len(failed_before)} before, "
              f"{len(failed_after)} after, {len(failed_after - failed_before)} new.\n")

        templates, changes, unfixed = Counter(), Counter(), Counter()
        statuses = Counter(f["status"] for f in log["files"])
        for f in log["files"]:
            for name in {c["fixer"] for c in f.get("changes", [])}:
                templates[name] += 1
            changes.update(c["fixer"] for c in f.get("changes", []))
            unfixed.update(u["fixer"] for u in f.get("unfixed", []))
        print("files: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + "\n")
        print("| fixer | templates changed | changes | reported, not fixed |")
        print("|---|---:|---:|---:|")
        for name in sorted(set(templates) | set(unfixed)):
            print(f"| {name} | {templates[name]} | {changes[name]} | {unfixed[name]} |")

        if args.lint:
            changed = [Path(f["path"]) for f in log["files"] if f["status"] == "fixed"]
            introduced: Counter = Counter()
            before_codes: Counter = Counter()
            for path in changed:
                old, fixed = lint_errors(before / path.name), lint_errors(after / path.name)
                before_codes.update(old)
                introduced.update(fixed - old)
            print(f"\ncfn-lint on the {len(changed)} changed templates: errors before {dict(before_codes)}; "
                  f"new after the fix: {dict(introduced) or 'none'}")


if __name__ == "__main__":
    main()
