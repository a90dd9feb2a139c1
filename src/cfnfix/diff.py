"""Unified diffs that stay fast when a fix touches thousands of places.

difflib matches lines by repeatedly scanning what is left of both texts for the longest
common run; with thousands of similar changes (a fix on each of 15,000 buckets) that is
quadratic. Texts longer than ``EXACT_LINES`` are first cut at anchors, lines found exactly
once in each text and in the same order (patience diff's anchors), and difflib matches
the pieces between them one by one. Shorter texts get difflib's own result, byte for byte.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Iterator

EXACT_LINES = 5000


def unified_diff(before: str, after: str, path: str) -> str:
    """The unified diff of a template before and after its fixes, as `git apply` accepts it
    (a missing final newline is marked)."""
    out = []
    for line in _diff_lines(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _diff_lines(a: list[str], b: list[str], fromfile: str, tofile: str, n: int = 3) -> Iterator[str]:
    """Lines of the unified diff of ``a`` and ``b``, formatted exactly as ``difflib.unified_diff``."""
    started = False
    for group in _Matcher(None, a, b).get_grouped_opcodes(n):
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
        merged: list[tuple[int, int, int]] = []
        for x, y, size in blocks:  # adjacent blocks become one, as difflib reports them
            if merged and merged[-1][0] + merged[-1][2] == x and merged[-1][1] + merged[-1][2] == y:
                merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
            else:
                merged.append((x, y, size))
        blocks_found = [difflib.Match(*m) for m in merged] + [difflib.Match(len(a), len(b), 0)]
        state["matching_blocks"] = blocks_found
        return blocks_found


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
