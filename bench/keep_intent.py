"""Issue 16 (keep intent): per-fixer counts of the fixers it changes, over the shared corpus.

    python bench/keep_intent.py [--lint [--sample N]] [--json OUT] [--flatten]

Runs each fixer alone (review fixes written, --as-of 2026-12-01) over
/work/shared/corpus/tap/*/model.* and /work/shared/corpus/aws-samples/**, and prints per fixer:
templates with findings, templates changed, changes (review), findings reported unfixed.
With --lint, cfn-lint error codes before/after for every changed file (new codes must be none);
--sample N lints only the first N changed files of each fixer (cfn-lint is slow).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from cfnfix.config import Config
from cfnfix.document import TemplateError, parse
from cfnfix.engine import fix_document

FIXERS = ["service-linked-role", "lambda-runtime", "aurora-backtrack", "security-group-cycle",
          "iam-policy-cycle", "s3-replication", "s3-notification-cycle"]
CORPUS = Path("/work/shared/corpus")


def templates() -> list[Path]:
    tap = sorted(CORPUS.glob("tap/*/model.*"))
    samples = sorted(p for p in (CORPUS / "aws-samples").rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))
    return tap + samples


def lint_codes(text: str) -> set[str]:
    from cfnlint.api import ManualArgs, lint

    return {m.rule.id for m in lint(text, config=ManualArgs(regions=["us-east-1"])) if m.rule.id.startswith("E")}


def main() -> None:
    names = FIXERS + (["flatten-nested-stacks"] if "--flatten" in sys.argv else [])
    config = Config(unsafe_fixes=True, as_of=date(2026, 12, 1))
    stats = {n: Counter() for n in names}
    per_file: dict[str, dict] = {}
    new_codes: list = []
    linted = 0
    sample = int(sys.argv[sys.argv.index("--sample") + 1]) if "--sample" in sys.argv else None
    linted_by: Counter = Counter()
    for path in templates():
        try:
            doc = parse(path.read_text(encoding="utf-8"))
        except (TemplateError, UnicodeDecodeError, OSError):
            continue
        for name in names:
            try:
                result = fix_document(doc, [name], config, source_path=str(path))
            except Exception as exc:  # noqa: BLE001 - a bench counts crashes
                stats[name]["crash"] += 1
                print(f"crash {name} {path}: {exc}", file=sys.stderr)
                continue
            if not result.changes and not result.unfixed:
                continue
            s = stats[name]
            s["with findings"] += 1
            s["changed"] += bool(result.changes)
            s["changes"] += len(result.changes)
            s["review"] += sum(c.safety == "review" for c in result.changes)
            s["reported"] += len(result.unfixed)
            per_file[f"{name} {path}"] = {"changes": len(result.changes), "unfixed": [u.message for u in result.unfixed]}
            if "--lint" in sys.argv and result.changes and result.after and (sample is None or linted_by[name] < sample):
                linted += 1
                linted_by[name] += 1
                before, after = lint_codes(doc.text), lint_codes(result.after)
                if after - before:
                    new_codes.append((name, str(path), sorted(after - before)))
    print("| fixer | with findings | changed | changes | review | reported | crashes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        s = stats[name]
        print(f"| {name} | {s['with findings']} | {s['changed']} | {s['changes']} | {s['review']} | {s['reported']} | {s['crash']} |")
    if "--lint" in sys.argv:
        print(f"\ncfn-lint on {linted} changed files ({dict(linted_by)}): new error codes in {len(new_codes)}")
        for item in new_codes:
            print("  ", *item)
    if "--json" in sys.argv:
        Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(per_file, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
