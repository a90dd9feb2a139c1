"""The whole-corpus sweep (issue 9): every fixer on every real template, with the usual guarantees.

Run alone with `pytest -m corpus`. One sweep feeds every assertion; each assertion lists all
offending files so one failing run shows the whole picture.
"""

import json
import pickle

import pytest
from filelock import FileLock

from corpus_sweep import EXPECTED_ERRORS, REVIEWED_REMOVALS, sweep, unsupported_removals
from support import CORPUS, ROOT

KNOWN_STRAY = ROOT / "tests" / "corpus" / "known-stray-lines.json"
KNOWN_LINT = ROOT / "tests" / "corpus" / "known-new-lint-errors.json"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}"),
]


# Outputs the lint cache lacks are linted here, up to this many; more means a code change altered
# many outputs: refresh the cache (python bench/corpus_report.py --refresh-lint-cache, minutes).
MAX_UNCACHED = 40


def _outcomes() -> list:
    found = sweep(lint="cached")
    uncached = [o.path for o in found if o.lint_missing]
    if 0 < len(uncached) <= MAX_UNCACHED:
        again = {o.path: o for o in sweep(lint=True, files=[CORPUS / p for p in uncached])}
        found = [again.get(o.path, o) for o in found]
    return found


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, worker_id):
    """One sweep per test run: under xdist, the first worker to need it sweeps and leaves the
    result where the others read it (each worker computing its own doubled the suite's time)."""
    if worker_id == "master":
        return _outcomes()
    shared = tmp_path_factory.getbasetemp().parent / "corpus-sweep.pickle"
    with FileLock(f"{shared}.lock"):
        if shared.is_file():
            return pickle.loads(shared.read_bytes())
        found = _outcomes()
        shared.write_bytes(pickle.dumps(found))
        return found


def test_no_crash(outcomes):
    assert [(o.path, o.error) for o in outcomes if o.status == "crash"] == []


def test_errors_are_exactly_the_invalid_templates(outcomes):
    """Files that cannot be read, and fixers that refuse a file (flatten without its children)."""
    expected = json.loads(EXPECTED_ERRORS.read_text())
    errors = {o.path: o.error for o in outcomes if o.status == "error"}
    errors.update({o.path: "; ".join(o.fixer_errors) for o in outcomes if o.fixer_errors})
    assert errors == expected


def test_check_agrees_with_apply(outcomes):
    """`check` fails exactly when `apply` with the same options writes something."""
    assert [(o.path, o.check_status, o.apply_wrote) for o in outcomes
            if o.status != "error" and (o.check_status == "pending") != o.apply_wrote] == []


def test_second_run_changes_nothing(outcomes):
    assert [o.path for o in outcomes if o.status == "pending" and o.second_run_changes] == []


def test_fixed_files_differ_only_on_logged_lines(outcomes):
    """Lines that changed are covered by logged changes. The checker maps every logged path onto
    the original text; where a later round's fixer moves what an earlier one edited (a policy
    statement moved after its ARN was made portable), paths name intermediate documents and the
    mapping misses: those files are listed in known-stray-lines.json, reviewed by hand."""
    known = set(json.loads(KNOWN_STRAY.read_text()))
    assert [(o.path, o.stray_lines[:5]) for o in outcomes if o.stray_lines and o.path not in known] == []


def test_every_diff_patches_the_template_into_its_fix(outcomes):
    """The diff is built from the engine's record of the text the fixes left alone (issue 21)."""
    assert [o.path for o in outcomes if not o.diff_patches] == []


def test_lint_cache_covers_the_outputs(outcomes):
    uncached = [o.path for o in outcomes if o.lint_missing]
    assert not uncached, (f"{len(uncached)} outputs are not in tests/corpus/lint-cache.json: run "
                          "python bench/corpus_report.py --refresh-lint-cache")


def test_no_new_cfn_lint_errors(outcomes):
    """Known exceptions, each with its reason, are in known-new-lint-errors.json."""
    known = {path: sorted(entry[:-1]) for path, entry in json.loads(KNOWN_LINT.read_text()).items()}  # codes, reason
    assert [(o.path, o.new_lint_errors) for o in outcomes
            if o.new_lint_errors and o.new_lint_errors != known.get(o.path)] == []
    still = {o.path for o in outcomes if o.new_lint_errors and o.new_lint_errors == known.get(o.path)}
    assert sorted(set(known) - still) == [], "no longer happens: remove it from known-new-lint-errors.json"


def test_unsupported_property_removes_only_reviewed_values(outcomes):
    """A removal is right only when the schema has no home for the value; a new one (or one that
    went away) needs a review and a new record."""
    assert unsupported_removals(outcomes) == json.loads(REVIEWED_REMOVALS.read_text(encoding="utf-8"))
