"""The diff of a fixed template: built from the engine's record of the text its fixes left alone."""

from __future__ import annotations

from cfnfix.changelog import FileResult
from cfnfix.diff import unified_diff
from cfnfix.edits import Edit, apply_edits, edit_spans, unchanged_spans

from support import patched, run_fixers

CRLF_TEXT = "A: 1\r\nB: 2\r\nC: 3\r\n"


def test_unchanged_spans_follow_the_text_through_each_fix():
    """An insertion cuts a span even where it takes nothing away; an edit's line breaks count
    as the file's own (CRLF here)."""
    first = [Edit(6, 6, "X: 0\n"), Edit(15, 16, "4")]  # a line before B; C's value
    middle = apply_edits(CRLF_TEXT, first, "\r\n")
    second = [Edit(0, 6, "")]  # A's line
    last = apply_edits(middle, second, "\r\n")
    assert last == "X: 0\r\nB: 2\r\nC: 4\r\n"
    spans = unchanged_spans(len(CRLF_TEXT), [edit_spans(first, "\r\n"), edit_spans(second, "\r\n")])
    assert spans == [(6, 6, 9), (16, 16, 2)]  # "B: 2\r\nC: " and C's line break
    assert unified_diff(CRLF_TEXT, last, "t.yaml", spans) == (
        "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,3 +1,3 @@\n-A: 1\r\n+X: 0\r\n B: 2\r\n-C: 3\r\n+C: 4\r\n")


def test_the_diff_shows_an_insertion_where_the_fix_made_it():
    """Among equal lines difflib would put the new one last; the record says it went first."""
    assert unified_diff("k\nk\n", "k\nk\nk\n", "t.yaml", [(0, 2, 4)]) == (
        "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,3 @@\n+k\n k\n k\n")
    assert unified_diff("k\nk\n", "k\nk\nk\n", "t.yaml") == "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,3 @@\n k\n k\n+k\n"


def test_a_result_diffs_by_its_record_of_applied_edits():
    result = FileResult("t.yaml", "fixed", before="k\nk\n", after="k\nk\nk\n", applied=[[(0, 0, 2)]])
    assert result.diff == "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,3 @@\n+k\n k\n k\n"
    result.applied = None  # not recorded: difflib searches
    assert result.diff == "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,3 @@\n k\n k\n+k\n"


def test_a_wrong_record_costs_a_larger_diff_never_a_wrong_one():
    before, after = "a\nb\nc\nd\n", "a\nx\nc\nd\n"
    searched = unified_diff(before, after, "t.yaml")
    for lie in ([(0, 0, 8)], [(2, 2, 2)], [(4, 0, 4)]):  # all kept; "b" kept as "x"; lines moved
        diff = unified_diff(before, after, "t.yaml", lie)
        assert patched(before, diff) == after
        assert diff == searched


def test_a_fixed_template_keeps_its_record_and_its_diff_patches_back():
    text = ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
            "      Handler: app.main\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n"
            "        ZipFile: |\n          def main(event, context):\n            return 1\n")
    result = run_fixers(text, ["inline-lambda-handler"])
    result.path = "t.yaml"
    assert result.applied == [[(text.index("app.main"), text.index("app.main") + len("app.main"), len("index.main"))]]
    assert result.diff == ("--- a/t.yaml\n+++ b/t.yaml\n@@ -3,7 +3,7 @@\n     Type: AWS::Lambda::Function\n     Properties:\n"
                           "       Runtime: python3.12\n-      Handler: app.main\n+      Handler: index.main\n"
                           "       Role: arn:aws:iam::123456789012:role/r\n       Code:\n         ZipFile: |\n")
    assert patched(text, result.diff) == result.after
