"""Issue-20 part E (session 4) fixer (a Ref where the property wants the resource's ARN, and the
reverse) over the shared tap corpus: counts and cfn-lint, as ``bench/qa_fixers.py`` prints them.

    python bench/reference_format.py [--no-lint] [--sample N] [--jobs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import main  # noqa: E402

FIXERS = ["reference-format"]

if __name__ == "__main__":
    main(FIXERS)
