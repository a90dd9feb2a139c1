"""Record expected outputs for fixture cases that have none yet: python tests/record_fixtures.py FIXER [CASE...]

Review every recorded file before committing it: a golden file is only as right as its review.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import FIXTURES, expected_paths, fixture_cases, record_fixture  # noqa: E402

fixer, names = sys.argv[1], set(sys.argv[2:])
for case in fixture_cases(fixer):
    if names and case.name not in names:
        continue
    if not names and expected_paths(case)[1].exists():
        continue
    record_fixture(case, fixer)
    print("recorded", case.relative_to(FIXTURES))
