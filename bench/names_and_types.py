"""Issue-20 part B fixers (names and types: resource types, references, template structure) over
the shared tap corpus: counts and cfn-lint, as ``bench/qa_fixers.py`` prints them.

    python bench/names_and_types.py [--no-lint] [--sample N] [--jobs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import main  # noqa: E402

FIXERS = ["resource-type", "dangling-reference", "template-structure", "parameter-type", "resource-shape"]

if __name__ == "__main__":
    main(FIXERS)
