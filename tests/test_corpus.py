"""The whole-corpus sweep (issue 9): every fixer on every real template, with the usual guarantees.

Run alone with `pytest -m corpus`. One sweep feeds every assertion; each assertion lists all
offending files so one failing run shows the whole picture.
"""

import json

import pytest

from corpus_sweep import EXPECTED_ERRORS, sweep
from support import CORPUS

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}"),
]


@pytest.fixture(scope="module")
def outcomes():
    return sweep()


def test_no_crash(outcomes):
    assert [(o.path, o.error) for o in outcomes if o.status == "crash"] == []


def test_errors_are_exactly_the_invalid_templates(outcomes):
    expected = json.loads(EXPECTED_ERRORS.read_text())
    assert {o.path: o.error for o in outcomes if o.status == "error"} == expected


def test_check_agrees_with_apply(outcomes):
    want = {"clean": "clean", "pending": "pending"}
    assert [(o.path, o.status, o.check_status) for o in outcomes
            if o.status in want and o.check_status != want[o.status]] == []


def test_second_run_changes_nothing(outcomes):
    assert [o.path for o in outcomes if o.status == "pending" and o.second_run_changes] == []


def test_fixed_files_differ_only_on_logged_lines(outcomes):
    assert [(o.path, o.stray_lines[:5]) for o in outcomes if o.stray_lines] == []


def test_no_new_cfn_lint_errors(outcomes):
    assert [(o.path, o.new_lint_errors) for o in outcomes if o.new_lint_errors] == []
