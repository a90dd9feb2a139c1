"""Issue-20 part F (session 4) deploy fixer ``placeholder-value`` over the shared tap corpus:
counts and cfn-lint as ``bench/qa_fixers.py`` prints them, then every value it changes (task,
place, placeholder, parameter), for checking each by eye: a false positive is worse than a miss.

    python bench/placeholder_values.py [--no-lint] [--jobs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import CONFIG, TAP, main  # noqa: E402

from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402

FIXERS = ["placeholder-value"]


def changed_values() -> None:
    files = sorted(p for p in TAP.glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    values, templates = 0, 0
    print("\nvalues changed:")
    for path in files:
        try:
            doc = parse(path.read_bytes().decode("utf-8"))
        except TemplateError:
            continue
        result = fix_document(doc, FIXERS, CONFIG)
        rows = [c for c in result.changes if c.action == "replace"]
        templates += bool(rows)
        for c in rows:
            values += 1
            print(f"- {path.parent.name} {'/'.join(map(str, c.path[1:]))}: {c.before!r} -> {c.after}")
        for finding, why in result.unfixed:
            print(f"- {path.parent.name} reported: {finding.message} ({why})")
    print(f"{values} values in {templates} templates")


if __name__ == "__main__":
    main(FIXERS)
    changed_values()
