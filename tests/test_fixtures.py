"""Golden fixtures for every fixer: fixtures/<fixer>/<case>.{yaml,json} with .fixed and .changes.json."""

import pytest

from cfnfix.registry import all_fixers
from support import FIXTURES, check_fixture, fixture_cases

CASES = [(name, case) for name in all_fixers() for case in fixture_cases(name)]


@pytest.mark.parametrize("fixer,case", CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_fixture(fixer, case):
    check_fixture(case, fixer)


@pytest.mark.parametrize("fixer", list(all_fixers()))
def test_every_fixer_has_fixtures(fixer):
    assert (FIXTURES / fixer).is_dir() and fixture_cases(fixer), f"fixtures/{fixer}/ has no cases"
