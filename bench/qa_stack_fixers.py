"""The qa fixers of issue 18 over the shared tap corpus: per-fixer counts and cfn-lint before/after.

    python bench/qa_stack_fixers.py [FIXER[:KEY=VALUE] ...] [--no-lint] [--sample N]

Each fixer runs alone on every ``/work/shared/corpus/tap/*/model.*`` (with unsafe fixes, as
``cfnfix apply --unsafe-fixes``). Per fixer: templates with findings, fixed, reported
(fixable=False or not placed), fixer errors, second runs that changed something, and for the
changed files the cfn-lint error codes before/after (new codes must be none). cfn-lint is slow:
``--sample N`` lints only the first N changed files per fixer.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import CORPUS, lint_codes, run_fixers  # noqa: E402

from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

QA = ("config-singletons", "nat-gateways", "az-count", "stackset-to-stack", "macro-split")


def main(argv: list[str]) -> None:
    lint = "--no-lint" not in argv
    sample = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else None
    runs = [a for a in argv if a.split(":", 1)[0] in all_fixers()] or [n for n in QA if n in all_fixers()]
    files = sorted(p for p in (CORPUS / "tap").glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    texts = {}
    for p in files:
        try:
            text = p.read_text(encoding="utf-8")
            parse(text)
        except (TemplateError, UnicodeDecodeError):
            continue
        texts[p] = text
    print(f"{len(texts)} parsable templates of {len(files)}")
    for run in runs:
        name, _, option = run.partition(":")
        options = {name: dict([option.split("=", 1)])} if option else None
        counts: Counter = Counter()
        before_codes: Counter = Counter()
        after_codes: Counter = Counter()
        new_codes: Counter = Counter()
        linted = 0
        for p, text in texts.items():
            result = run_fixers(text, [name], options)
            if result.fixer_errors:
                counts["fixer errors"] += 1
                print(f"  {name}: error in {p.parent.name}: {result.fixer_errors[0].message}")
            if result.changes or result.unfixed:
                counts["with findings"] += 1
            if result.unfixed:
                counts["reported"] += 1
            if result.after == text:
                continue
            counts["fixed"] += 1
            second = run_fixers(result.after, [name], options)
            if second.after != result.after:
                counts["second run changed"] += 1
                print(f"  {name}: not idempotent on {p.parent.name}")
            if lint and (sample is None or linted < sample):
                linted += 1
                before, after = lint_codes(text), lint_codes(result.after)
                before_codes.update(before)
                after_codes.update(after)
                new_codes.update(after - before)
                if after - before:
                    print(f"  {name}: new cfn-lint errors on {p.parent.name}: {sorted(after - before)}")
        print(f"{run}: " + ", ".join(f"{k} {counts[k]}" for k in
                                      ("with findings", "fixed", "reported", "fixer errors", "second run changed")))
        if lint:
            print(f"  cfn-lint on {linted} changed files: errors before {sum(before_codes.values())}, "
                  f"after {sum(after_codes.values())}, new codes {dict(new_codes) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1:])
