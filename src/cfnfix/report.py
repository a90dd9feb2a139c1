"""Report forms of a run's results. Each form is a function from results to text."""

from __future__ import annotations

import json
from typing import Callable

from .changelog import FileResult, changelog


def _path(parts: tuple) -> str:
    return "/".join(str(p) for p in parts)


def text_report(results: list[FileResult], check: bool) -> str:
    """One line per file with something to say, one per change, and a summary line."""
    lines: list[str] = []
    for r in results:
        if r.status in ("clean", "skipped", "error") and not (r.unfixed or r.available):
            continue
        where = f" -> {r.output}" if r.output else ""
        n, noun = len(r.changes), "finding" if check else "change"
        lines.append(f"{r.path}{where}: {r.status}, {n} {noun}{'' if n == 1 else 's'}")
        for e in r.changes:
            mark = " [review]" if e.safety == "review" else ""
            lines.append(f"  {e.fixer} {e.resource or '-'} {_path(e.path)}: {e.message}{mark}")
        for e in r.available:
            lines.append(f"  available [review]: {e.fixer} {e.resource or '-'} {_path(e.path)}: {e.message}")
        for u in r.unfixed:
            lines.append(f"  not fixed: {u.fixer} {u.resource or '-'} {_path(u.path)}: {u.message}")
    lines.append(summary(results))
    hint = unsafe_hint(results)
    if hint:
        lines.append(hint)
    return "\n".join(lines) + "\n"


def summary(results: list[FileResult]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    checked = sum(1 for r in results if r.status != "skipped")
    parts = [f"{counts[s]} {s}" for s in ("fixed", "pending", "clean", "error") if counts.get(s)]
    failed = sum(1 for r in results if r.fixer_errors)
    if failed:
        parts.append(f"{failed} with a failed fixer")
    return f"{checked} file{'' if checked == 1 else 's'} checked" + (": " + ", ".join(parts) if parts else "")


def unsafe_hint(results: list[FileResult]) -> str:
    """How many review fixes were held back, and how to have them written."""
    held = sum(len(r.available) for r in results)
    if not held:
        return ""
    return (f"{held} review fix{'' if held == 1 else 'es'} available, not applied: "
            "use --unsafe-fixes (or unsafe-fixes = true in the config) to write them")


def json_report(results: list[FileResult], check: bool) -> str:
    return json.dumps(changelog(results), indent=2, ensure_ascii=False) + "\n"


def _markdown(results: list[FileResult], check: bool) -> str:
    from .report_markdown import markdown_report

    return markdown_report(results, check)


def _sarif(results: list[FileResult], check: bool) -> str:
    from .report_sarif import sarif_report

    return sarif_report(results, check)


FORMATS: dict[str, Callable[[list[FileResult], bool], str]] = {
    "text": text_report,
    "json": json_report,
    "markdown": _markdown,
    "sarif": _sarif,
}
