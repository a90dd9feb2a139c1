"""The pull-request comment: a summary per fixer, then per-file detail while GitHub's limit allows.

GitHub rejects a comment over 65,536 characters (HTTP 422), so the comment is built against a
budget: the summary always goes in; each file's change table and diff follow in path order
while they fit (a diff that does not fit is cut at a line, a table that does not fit is cut at a
row); the files that no longer fit are counted in one closing line that says where the whole
report is. The first line is an HTML marker so a bot can find and update its own comment.
"""

from __future__ import annotations

import os
import re
import shlex
from collections import Counter
from collections.abc import Sequence

from .changelog import FileResult
from .report import Context, unsafe_hint

MARKER = "<!-- cfnfix -->"
LIMIT = 65536  # GitHub's maximum comment body, in characters
_FOOTER_ROOM = 600  # kept free for the closing line
_TABLE_HEAD = ["| fixer | resource | change | safety |", "|---|---|---|---|"]


def marker(comment_id: str = "") -> str:
    """The comment's marker; two invocations in one workflow keep separate comments by id."""
    return f"<!-- cfnfix:{comment_id} -->" if comment_id else MARKER


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _where(path: Sequence) -> str:
    return "/".join(str(p) for p in path)


def _rows(result: FileResult) -> list[str]:
    rows = []
    for e in result.changes:
        safety = "⚠️ **review**" if e.safety == "review" else str(e.safety)
        rows.append(f"| `{e.fixer}` | {_cell(e.resource or '—')} | {e.action} `{_cell(_where(e.path))}`: "
                    f"{_cell(e.message)} | {safety} |")
    for e in result.available:
        rows.append(f"| `{e.fixer}` | {_cell(e.resource or '—')} | available, not applied: {e.action} "
                    f"`{_cell(_where(e.path))}`: {_cell(e.message)} | review |")
    for u in result.unfixed:
        rows.append(f"| `{u.fixer}` | {_cell(u.resource or '—')} | not fixed: {_cell(u.message)} | — |")
    for x in result.fixer_errors:
        rows.append(f"| `{x.fixer}` | — | failed: {_cell(x.message)} | — |")
    return rows


def _summary(results: list[FileResult]) -> str:
    checked = [r for r in results if r.status != "skipped"]
    with_fixes = [r for r in checked if r.status in ("fixed", "pending")]
    safety = Counter(str(e.safety) for r in with_fixes for e in r.changes)
    errors = sum(1 for r in checked if r.status == "error" or r.fixer_errors)
    parts = [f"**{len(checked)}** file{'s' if len(checked) != 1 else ''} checked",
             f"**{len(with_fixes)}** with fixes"]
    if safety:
        parts.append(", ".join(f"{n} {s}" for s, n in sorted(safety.items())))
    if errors:
        parts.append(f"**{errors}** could not be processed")
    return " · ".join(parts)


def _per_fixer(results: list[FileResult]) -> list[str]:
    """One row per fixer: files, changes written or pending, review fixes held back, not fixed."""
    files: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    held: Counter[str] = Counter()
    unfixed: Counter[str] = Counter()
    for r in results:
        touched: set[str] = set()
        for group, counter in ((r.changes, changes), (r.available, held), (r.unfixed, unfixed)):
            for e in group:
                counter[e.fixer] += 1
                touched.add(e.fixer)
        files.update(touched)
    if not files:
        return []
    lines = ["| fixer | files | changes | review, not applied | not fixed |", "|---|---:|---:|---:|---:|"]
    for fixer in sorted(files):
        lines.append(f"| `{fixer}` | {files[fixer]} | {changes[fixer]} | {held[fixer]} | {unfixed[fixer]} |")
    return lines + [""]


def _fence(diff: str) -> str:
    """A code fence longer than any run of backticks in the diff, so no diff line can close it."""
    longest = max((len(run) for run in re.findall(r"`+", diff)), default=0)
    return "`" * max(3, longest + 1)


def _details(diff: str) -> str:
    fence = _fence(diff)
    count = diff.count("\n")
    return f"<details><summary>Diff ({count} lines)</summary>\n\n{fence}diff\n{diff.rstrip(chr(10))}\n{fence}\n\n</details>\n"


def _command(verb: str, options: Sequence[str], path: str) -> str:
    return " ".join(["cfnfix", verb, *map(shlex.quote, options), shlex.quote(path)])


def _shown(result: FileResult) -> bool:
    return result.status in ("fixed", "pending", "error") or bool(result.unfixed or result.available or result.fixer_errors)


def markdown_report(results: list[FileResult], context: Context, limit: int = LIMIT) -> str:
    """The comment, at most ``limit`` characters; the commands it suggests repeat the options of
    the run (``context.options``)."""
    options = context.options
    head = [marker(context.comment_id), "## cfnfix", "", _summary(results), ""]
    hint = unsafe_hint(results)
    if hint:
        head += [hint, ""]
    head += _per_fixer(results)
    out = list(head)
    budget = limit - len("\n".join(out)) - _FOOTER_ROOM
    shown = [r for r in sorted(results, key=lambda r: r.path) if _shown(r)]
    tables: list[tuple[FileResult, str]] = []  # every table that fits comes before any diff
    for r in shown:
        table = _table_section(r, budget, options)
        if table is None:
            break
        budget -= len(table) + 1
        tables.append((r, table))
    for r, table in tables:
        diff = r.diff if r.status != "error" else ""
        block = _diff_block(diff, budget, _rerun(options, r.path)) if diff else ""
        budget -= len(block)
        out.append(table + block)
    left_out = len(shown) - len(tables)
    if left_out:
        out.append(_left_out_line(left_out, context))
    return "\n".join(out).rstrip("\n") + "\n"


def _rerun(options: Sequence[str], path: str) -> str:
    return f"run `{_command('apply --dry-run', options, path)}` to see all of it"


def _table_section(r: FileResult, budget: int, options: Sequence[str]) -> str | None:
    """The file's heading and change table within ``budget``, cut at a row where needed; None
    when not even the heading and a first row fit."""
    title = f"### `{r.path}`\n\n"
    if r.status == "error":
        text = f"{title}Could not be processed: {_cell(r.error)}\n"
        return text if len(text) <= budget else None
    rows = _rows(r)
    table = title + "\n".join(_TABLE_HEAD + rows) + "\n\n"
    if len(table) <= budget:
        return table
    kept: list[str] = []
    size = len(title) + 400
    for row in rows:
        if size + len(row) + 1 > budget:
            break
        kept.append(row)
        size += len(row) + 1
    if not kept:
        return None
    return (title + "\n".join(_TABLE_HEAD + kept) + f"\n\n_{len(rows) - len(kept)} more rows left out to fit the "
            f"comment; {_rerun(options, r.path)}._\n\n")


def _diff_block(diff: str, budget: int, rerun: str) -> str:
    """The diff in a collapsed block, cut at a line when it does not fit, or a note saying how to see it."""
    full = _details(diff)
    if len(full) <= budget:
        return full
    room = budget - 300
    cut = diff[: max(room, 0)]
    cut = cut[: cut.rfind("\n") + 1]
    if cut:
        return f"{_details(cut)}_Diff truncated to fit the comment; {rerun}._\n"
    note = f"_Diff left out to fit the comment; {rerun}._\n"
    return note if len(note) <= budget else ""


def _left_out_line(count: int, context: Context) -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        where = "the job summary and the `cfnfix-report` artifact of this run have the whole report"
    else:
        command = " ".join(["cfnfix check", *map(shlex.quote, [*context.options, "--format", "json", *context.paths])])
        where = f"run `{command}` for the whole report"
    return f"_{count} more file{'s' if count != 1 else ''} left out to fit GitHub's comment limit; {where}._\n"

