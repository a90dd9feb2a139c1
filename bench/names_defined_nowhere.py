"""Issue-20 part D fixers (names defined nowhere: undeclared parameters, dangling references)
over the shared tap corpus: counts and cfn-lint, as ``bench/qa_fixers.py`` prints them.

    python bench/names_defined_nowhere.py [--no-lint] [--sample N] [--jobs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import main  # noqa: E402

FIXERS = ["dangling-reference", "undeclared-parameter"]

if __name__ == "__main__":
    main(FIXERS)
