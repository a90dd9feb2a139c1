"""The pull-request comment: a summary, a change table per file and its diff, under GitHub's size limit.

Tables are never cut; diffs are, last files first, with a note saying how to see them whole.
The first line is a fixed HTML marker so a bot can find and update its own comment.
"""

from __future__ import annotations

from .changelog import FileResult
from .report import unsafe_hint

MARKER = "<!-- cfnfix -->"
LIMIT = 65536  # GitHub's maximum comment body, in characters


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(result: FileResult) -> list[str]:
    lines = ["| fixer | resource | change | safety |", "|---|---|---|---|"]
    for e in result.changes:
        action = e.action
        where = "/".join(str(p) for p in e.path)
        safety = "⚠️ **review**" if e.safety == "review" else e.safety
        lines.append(f"| `{e.fixer}` | {_cell(e.resource or '—')} | {action} `{_cell(where)}`: {_cell(e.message)} | {safety} |")
    for e in result.available:
        where = "/".join(str(p) for p in e.path)
        lines.append(f"| `{e.fixer}` | {_cell(e.resource or '—')} | available, not applied: {e.action} "
                     f"`{_cell(where)}`: {_cell(e.message)} | review |")
    for u in result.unfixed:
        lines.append(f"| `{u.fixer}` | {_cell(u.resource or '—')} | not fixed: {_cell(u.message)} | — |")
    for x in result.fixer_errors:
        lines.append(f"| `{x.fixer}` | — | failed: {_cell(x.message)} | — |")
    return lines


def _summary(results: list[FileResult]) -> str:
    checked = [r for r in results if r.status != "skipped"]
    with_fixes = [r for r in checked if r.status in ("fixed", "pending")]
    safety: dict[str, int] = {}
    for r in with_fixes:
        for e in r.changes:
            safety[e.safety or "safe"] = safety.get(e.safety or "safe", 0) + 1
    errors = sum(1 for r in checked if r.status == "error")
    parts = [f"**{len(checked)}** file{'s' if len(checked) != 1 else ''} checked",
             f"**{len(with_fixes)}** with fixes"]
    if safety:
        parts.append(", ".join(f"{n} {s}" for s, n in sorted(safety.items())))
    if errors:
        parts.append(f"**{errors}** could not be processed")
    return " · ".join(parts)


def markdown_report(results: list[FileResult], check: bool) -> str:
    """``check`` is part of every report form's signature; this form always shows built fixes."""
    hint = unsafe_hint(results)
    head = [MARKER, "## cfnfix", "", _summary(results), ""] + ([hint, ""] if hint else [])
    sections: list[tuple[list[str], str, str]] = []  # (table lines, diff, path)
    for r in sorted(results, key=lambda r: r.path):
        if r.status == "error":
            sections.append(([f"### `{r.path}`", "", f"Could not be processed: {_cell(r.error)}", ""], "", r.path))
        elif r.status in ("fixed", "pending") or r.unfixed or r.available or r.fixer_errors:
            sections.append(([f"### `{r.path}`", "", *_table(r), ""], r.diff, r.path))
    fixed_size = len("\n".join(head)) + sum(len("\n".join(t)) + 1 for t, _, _ in sections)
    budget = LIMIT - fixed_size - 200 * len(sections) - 100
    out = list(head)
    for table, diff, path in sections:
        out.extend(table)
        if not diff:
            continue
        block = _details(diff)
        if len(block) <= budget:
            budget -= len(block)
            out.append(block)
            continue
        cut = diff[: max(budget - 200, 0)]
        cut = cut[: cut.rfind("\n") + 1]
        note = f"_Diff truncated to fit the comment; run `cfnfix apply --dry-run {path}` to see all of it._"
        out.append(_details(cut) + "\n" + note if cut else note)
        budget -= len(out[-1])
    text = "\n".join(out).rstrip("\n") + "\n"
    return text


def _details(diff: str) -> str:
    count = diff.count("\n")
    return f"<details><summary>Diff ({count} lines)</summary>\n\n```diff\n{diff.rstrip(chr(10))}\n```\n\n</details>\n"
