"""Issue 16 and 20 figures: what the schema fixers do on the shared corpus, by action, and cfn-lint around it.

    python bench/schema_homes.py [--fixers a,b] [--corpus tap|all] [--no-lint] [--sample N]

Each template of ``../shared/corpus/tap/*/model*`` (``--corpus all``: every template of the
shared corpus) runs through the chosen fixers alone, as ``apply --all`` would (review fixes
written). Per fixer it prints the templates with findings, fixed, reported, and the changes
by action word (the first word of each change-log message after the finding's head: rename,
wrap, lift, split, remove, ...). For every changed template cfn-lint (pinned, us-east-1) is
run on input and output: codes that appear only after are new errors and must be none.
``--sample N`` lints only every N-th changed template (cfn-lint costs ~0.5 s a template).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support import CORPUS, lint_codes  # noqa: E402

from cfnfix.config import Config  # noqa: E402
from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

DEFAULT = ("unsupported-property", "allowed-value", "required-property", "engine-version", "db-password-secret",
           # issue 20, part C: schema values
           "lambda-reserved-variable", "backup-lifecycle", "guardduty-features", "duplicate-resource",
           # issue 20, part F: policy documents
           "policy-statement")
ACTIONS = ("rename", "wrap", "lift", "split", "remove", "add", "replace", "report")


def files(which: str) -> list[Path]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    if which == "all":
        return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in suffixes and p.name != "labels.json")
    out = []
    for task in sorted((CORPUS / "tap").iterdir()):
        out += sorted(p for p in task.glob("model*") if p.is_file() and p.suffix in suffixes)
        out += sorted(p for p in task.glob("model/*") if p.is_file() and p.suffix in suffixes)
    return out


def action_of(message: str) -> str:
    found = re.search(r"(?:^|; )(rename|wrap|lift|split|remove)\b", message)
    return found.group(1) if found else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixers", default=",".join(n for n in DEFAULT if n in all_fixers()))
    parser.add_argument("--corpus", default="tap", choices=("tap", "all"))
    parser.add_argument("--no-lint", action="store_true")
    parser.add_argument("--sample", type=int, default=1)
    args = parser.parse_args()
    names = args.fixers.split(",")
    config = Config(unsafe_fixes=True)
    with_findings: Counter = Counter()
    fixed: Counter = Counter()
    reported: Counter = Counter()
    actions: dict[str, Counter] = defaultdict(Counter)
    lint_before: Counter = Counter()
    lint_after: Counter = Counter()
    new_errors: list[tuple[str, list[str]]] = []
    changed = linted = 0
    for path in files(args.corpus):
        try:
            doc = parse(path.read_text(encoding="utf-8"))
        except (TemplateError, UnicodeDecodeError):
            continue
        text = doc.text
        any_change = False
        for name in names:
            result = fix_document(parse(text), [name], config)
            unfixed = [p for p in result.unfixed if p.fixer == name]
            if result.changes or unfixed:
                with_findings[name] += 1
            if result.changes:
                fixed[name] += 1
                any_change = True
                for change in result.changes:
                    actions[name][action_of(change.message) or change.action] += 1
            reported[name] += len(unfixed)
            actions[name]["report"] += len(unfixed)
            text = result.after
        if not any_change:
            continue
        changed += 1
        if args.no_lint or (changed - 1) % args.sample:
            continue
        linted += 1
        before, after = lint_codes(doc.text), lint_codes(text)
        lint_before.update(before)
        lint_after.update(after)
        if after - before:
            new_errors.append((str(path.relative_to(CORPUS)), sorted(after - before)))
    print(f"| fixer | templates with findings | fixed | reported | {' | '.join(ACTIONS[:-1])} |")
    print("|---|---|---|---|" + "---|" * (len(ACTIONS) - 1))
    for name in names:
        row = " | ".join(str(actions[name][a]) for a in ACTIONS[:-1])
        print(f"| {name} | {with_findings[name]} | {fixed[name]} | {reported[name]} | {row} |")
    print(f"\nchanged templates: {changed}; linted: {linted}")
    if linted:
        codes = sorted(set(lint_before) | set(lint_after))
        print("\n| cfn-lint code | templates before | after |\n|---|---|---|")
        for code in codes:
            print(f"| {code} | {lint_before[code]} | {lint_after[code]} |")
        print(f"\nnew error codes: {new_errors or 'none'}")


if __name__ == "__main__":
    main()
