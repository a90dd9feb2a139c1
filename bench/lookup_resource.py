"""Issue-20 part E (session 5) fixer (a resource written as a lookup of an existing one) over the
shared tap corpus, counts and cfn-lint as ``bench/qa_fixers.py`` prints them; then its findings
over the AWS sample templates, which should have none (each one is listed to be read).

    python bench/lookup_resource.py [--no-lint] [--sample N] [--jobs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import ROOT, main  # noqa: E402

from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

FIXERS = ["lookup-resource"]
SAMPLES = ROOT.parent / "shared" / "corpus" / "aws-samples"


def samples(fixers: list[str]) -> None:
    files = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))
    hits = 0
    for path in files:
        try:
            doc = parse(path.read_bytes().decode("utf-8", errors="replace"))
        except (TemplateError, ValueError):
            continue
        for name in fixers:
            for f in all_fixers()[name]().find(doc):
                hits += 1
                print(f"  {path.relative_to(SAMPLES)}: {name} {'fixable' if f.fixable else 'reported'}: {f.message}")
    print(f"\naws-samples: {len(files)} files, {hits} findings")


if __name__ == "__main__":
    main(FIXERS)
    samples(FIXERS)
