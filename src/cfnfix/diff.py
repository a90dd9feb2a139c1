"""Unified diffs that stay fast when a fix touches thousands of places.

The engine records the edits of each fix it applies (``FileResult.applied``), so the text
the fixes left alone is known: its lines are matched as they stand, and difflib matches only
the lines between them, which the fixes changed (issue 21: searching both whole texts was a
tenth of ``apply --all --dry-run``). Where there is no record (the pass that merges repeated
keys), difflib matches lines by repeatedly scanning what is left of both texts for the
longest common run; with thousands of similar changes (a fix on each of 15,000 buckets) that
is quadratic. Texts longer than ``EXACT_LINES`` are first cut at anchors, lines found exactly
once in each text and in the same order (patience diff's anchors), and difflib matches the
pieces between them one by one; shorter texts get difflib's own result.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate

EXACT_LINES = 5000


def unified_diff(before: str, after: str, path: str, unchanged: list[tuple[int, int, int]] | None = None) -> str:
    """The unified diff of a template before and after its fixes, as `git apply` accepts it
    (a missing final newline is marked). ``unchanged``: (offset in ``before``, offset in
    ``after``, length) of text the fixes left as it was, in order (``edits.unchanged_spans``)."""
    out = []
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for line in _diff_lines(a, b, f"a/{path}", f"b/{path}", line_matcher(a, b, unchanged)):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def line_matcher(a: list[str], b: list[str], unchanged: list[tuple[int, int, int]] | None) -> difflib.SequenceMatcher:
    """A difflib matcher of the lines ``a`` and ``b`` (of ``before`` and ``after``) whose matching
    blocks come from ``unchanged`` (see unified_diff) where it is given, else from the search."""
    if unchanged is None:
        return _Matcher(None, a, b)
    matcher = _Matcher(None, (), ())  # nothing to search: difflib's index of ``b`` is not built
    vars(matcher).update(a=a, b=b, matching_blocks=_kept_lines(a, b, unchanged))
    return matcher


def _diff_lines(a: list[str], b: list[str], fromfile: str, tofile: str, matcher: difflib.SequenceMatcher,
                n: int = 3) -> Iterator[str]:
    """Lines of the unified diff of ``a`` and ``b`` as ``matcher`` matches them, formatted
    exactly as ``difflib.unified_diff``."""
    started = False
    for group in matcher.get_grouped_opcodes(n):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it (difflib's ``_format_range_unified``)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


class _Matcher(difflib.SequenceMatcher):
    """difflib's matcher, whose matching blocks come piece by piece between anchors on long texts."""

    def get_matching_blocks(self) -> list[difflib.Match]:
        state = vars(self)  # difflib's own attributes, which typeshed does not declare
        if state["matching_blocks"] is not None:
            return state["matching_blocks"]
        a, b = state["a"], state["b"]
        if max(len(a), len(b)) <= EXACT_LINES:
            return super().get_matching_blocks()
        blocks: list[tuple[int, int, int]] = []
        i = j = 0
        for ai, bj in [*_anchors(a, b), (len(a), len(b))]:
            piece = difflib.SequenceMatcher(None, a[i:ai], b[j:bj], autojunk=False)
            blocks += [(i + x, j + y, size) for x, y, size in piece.get_matching_blocks() if size]
            if ai < len(a):
                blocks.append((ai, bj, 1))
            i, j = ai + 1, bj + 1
        blocks_found = _merged(blocks, len(a), len(b))
        state["matching_blocks"] = blocks_found
        return blocks_found


def _kept_lines(a: list[str], b: list[str], unchanged: list[tuple[int, int, int]]) -> list[difflib.Match]:
    """Matching blocks of the lines of ``a`` and ``b`` (as difflib reports them): the lines that
    lie whole within text no fix touched (``unchanged``, character offsets), and between them
    what difflib matches in the few lines the fixes changed.

    The fixes' own record replaces difflib's search of both whole texts (its longest-match
    scan touched every line, and every other line equal to it, per change). A run of lines is
    taken only where the lines of both texts compare equal, so a wrong record could cost a
    larger diff, never a wrong one."""
    starts_a = list(accumulate(map(len, a), initial=0))
    starts_b = list(accumulate(map(len, b), initial=0))
    runs: list[tuple[int, int, int]] = []
    for old, new, size in unchanged:
        i = bisect.bisect_left(starts_a, old)  # the first line of ``a`` that begins in the span
        j = bisect.bisect_left(starts_b, new + starts_a[i] - old) if i < len(a) else len(b)
        i_end = bisect.bisect_right(starts_a, old + size) - 1  # lines of ``a`` that end in it
        count = i_end - i
        if count > 0 and j + count <= len(b) and starts_b[j] - new == starts_a[i] - old and a[i:i_end] == b[j:j + count]:
            runs.append((i, j, count))
    blocks: list[tuple[int, int, int]] = []
    i = j = 0
    for x, y, size in [*runs, (len(a), len(b), 0)]:
        if x > i and y > j:  # changed lines between two runs: difflib matches what is left alike
            piece = _Matcher(None, a[i:x], b[j:y])
            blocks += [(i + p, j + q, k) for p, q, k in piece.get_matching_blocks() if k]
        if size:
            blocks.append((x, y, size))
        i, j = x + size, y + size
    return _merged(blocks, len(a), len(b))


def _merged(blocks: list[tuple[int, int, int]], len_a: int, len_b: int) -> list[difflib.Match]:
    """``blocks`` with adjacent ones made one, as difflib reports them, and its closing block."""
    merged: list[tuple[int, int, int]] = []
    for x, y, size in blocks:
        if merged and merged[-1][0] + merged[-1][2] == x and merged[-1][1] + merged[-1][2] == y:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        else:
            merged.append((x, y, size))
    return [difflib.Match(*m) for m in merged] + [difflib.Match(len_a, len_b, 0)]


def _anchors(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """(i, j) of lines once in ``a`` and once in ``b``: the longest run of them in the same order."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {line: j for j, line in enumerate(b) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(a) if count_a[line] == 1 and line in where_b]
    # longest increasing subsequence of j (patience sorting), with links to rebuild it
    tails: list[int] = []  # tails[k]: index in pairs of the smallest j ending a run of length k+1
    tail_js: list[int] = []  # that j
    links: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_js, j)
        links.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(n)
            tail_js.append(j)
        else:
            tails[k], tail_js[k] = n, j
    out = []
    n = tails[-1] if tails else -1
    while n != -1:
        out.append(pairs[n])
        n = links[n]
    return out[::-1]
