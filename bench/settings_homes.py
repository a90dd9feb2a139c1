"""Issue 20, session 4 part C: settings written where CloudFormation has another home for them.

    python bench/settings_homes.py [--corpus tap|all] [--no-lint]

Each template of ``../shared/corpus/tap/*/model*`` (``--corpus all``: every template of the
shared corpus) is checked by the fixers that own these cases, and per case it prints the
templates with findings, fixed (a fixable finding) and reported:
- ``ec2-tag``: an ``AWS::EC2::Tag`` folded into the Tags of the resource it names (resource-type);
- ``profile``: an ``AWS::EC2::AssociateIamInstanceProfile`` folded into the instance (resource-type);
- ``asg-attachment``: an Auto Scaling group that only names another one (resource-type);
- ``public-ip``: an instance's ``AssociatePublicIpAddress`` moved into a network interface
  (unsupported-property);
- ``vpc-parameter``: a security group's VpcId from a new parameter (required-property).
Every template with one of them fixed runs through the owning fixer alone (``apply --all``
semantics: review fixes written) and cfn-lint (pinned) lints input and output: codes that appear
only after are new errors and must be none (other fixes of the same fixer in the template count
too).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from schema_homes import files  # noqa: E402
from support import CORPUS, lint_codes  # noqa: E402

from cfnfix.config import Config  # noqa: E402
from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

CASES = {
    "ec2-tag": ("resource-type", re.compile(r"resource type 'AWS::EC2::Tag'")),
    "profile": ("resource-type", re.compile(r"resource type 'AWS::EC2::AssociateIamInstanceProfile'")),
    "asg-attachment": ("resource-type", re.compile(r"has no sizes and nothing to launch")),
    "public-ip": ("unsupported-property", re.compile(r"'AssociatePublicIpAddress' is not a property of the resource")),
    "vpc-parameter": ("required-property", re.compile(r"defines no VPC")),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="tap", choices=("tap", "all"))
    parser.add_argument("--no-lint", action="store_true")
    args = parser.parse_args()
    config = Config(unsafe_fixes=True)
    fixers = all_fixers()
    found: Counter = Counter()
    fixed: Counter = Counter()
    reported: Counter = Counter()
    lint_before: Counter = Counter()
    lint_after: Counter = Counter()
    new_errors = []
    for path in files(args.corpus):
        try:
            doc = parse(path.read_text(encoding="utf-8"))
        except (TemplateError, UnicodeDecodeError):
            continue
        owners = set()
        for case, (owner, pattern) in CASES.items():
            hits = [f for f in fixers[owner]().find(doc) if pattern.search(f.message)]
            found[case] += bool(hits)
            fixed[case] += any(f.fixable for f in hits)
            reported[case] += any(not f.fixable for f in hits)
            if any(f.fixable for f in hits):
                owners.add(owner)
        for owner in sorted(owners):
            result = fix_document(parse(doc.text), [owner], config)
            if args.no_lint or result.after == doc.text:
                continue
            before, after = lint_codes(doc.text), lint_codes(result.after)
            lint_before.update(before)
            lint_after.update(after)
            if after - before:
                new_errors.append((str(path.relative_to(CORPUS)), owner, sorted(after - before)))
    print("| case | templates with findings | fixed | reported |\n|---|---:|---:|---:|")
    for case in CASES:
        print(f"| {case} | {found[case]} | {fixed[case]} | {reported[case]} |")
    if lint_before or lint_after:
        print("\n| cfn-lint code | templates before | after |\n|---|---:|---:|")
        for code in sorted(set(lint_before) | set(lint_after)):
            print(f"| {code} | {lint_before[code]} | {lint_after[code]} |")
    print(f"\nnew error codes: {new_errors or 'none'}")


if __name__ == "__main__":
    main()
