"""Per-fixer figures over the whole shared corpus, as Markdown on stdout.

    python bench/corpus_report.py [--no-lint] [--refresh-lint-cache] [--record-removals]

For each fixer: templates where it applied, changes made, changes flagged `review`, and the
findings it reported but did not fix, grouped by reason. Then the sweep's guarantees: crashes,
errors, second runs that changed something, stray lines, new cfn-lint errors.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from corpus_sweep import REVIEWED_REMOVALS, refresh_lint_cache, sweep, unsupported_removals  # noqa: E402

from cfnfix.registry import all_fixers  # noqa: E402


def _reason(message: str) -> str:
    """Group messages that differ only in names and numbers."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "…", message)
    text = re.sub(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*\b", "…", text)
    return re.sub(r"\d+", "N", text)[:140]


def main() -> None:
    lint = "--no-lint" not in sys.argv
    outcomes = sweep(lint=lint)
    if "--refresh-lint-cache" in sys.argv:
        refresh_lint_cache(outcomes)
    if "--record-removals" in sys.argv:  # review every entry before committing it
        REVIEWED_REMOVALS.write_text(json.dumps(unsupported_removals(outcomes), indent=1) + "\n", encoding="utf-8")
    applied: Counter = Counter()
    changes: Counter = Counter()
    review: Counter = Counter()
    unfixed: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        for name in {c["fixer"] for c in o.changes}:
            applied[name] += 1
        for c in o.changes:
            changes[c["fixer"]] += 1
            review[c["fixer"]] += c["safety"] == "review"
        for u in o.unfixed:
            unfixed[u["fixer"]][_reason(u["message"])] += 1
    status = Counter(o.status for o in outcomes)
    print(f"{len(outcomes)} corpus files: " + ", ".join(f"{n} {s}" for s, n in sorted(status.items())) + "\n")
    print("| fixer | templates | changes | review | not fixed |")
    print("|---|---:|---:|---:|---:|")
    for name in all_fixers():
        print(f"| {name} | {applied[name]} | {changes[name]} | {review[name]} | {sum(unfixed[name].values())} |")
    print("\n## Findings not fixed, by reason\n")
    for name in all_fixers():
        for reason, count in unfixed[name].most_common(8):
            print(f"- `{name}` ({count}): {reason}")
    print("\n## Guarantees\n")
    print(f"- crashes: {status['crash']}")
    print(f"- second run changed something: {sum(1 for o in outcomes if o.second_run_changes)}")
    print(f"- check disagreed with apply: {sum(1 for o in outcomes if o.status != 'error' and (o.check_status == 'pending') != o.apply_wrote)}")
    print(f"- files where a fixer failed: {sum(1 for o in outcomes if o.fixer_errors)}")
    print(f"- files with lines changed outside logged changes: {sum(1 for o in outcomes if o.stray_lines)}")
    if lint:
        new = Counter(code for o in outcomes for code in o.new_lint_errors)
        print(f"- files with new cfn-lint errors: {sum(1 for o in outcomes if o.new_lint_errors)} {dict(new)}")


if __name__ == "__main__":
    main()
