"""Report forms of a run's results. Each form is a function from results and the run's context to text.

Every form names places the way ruff and cfn-lint do (`path:line:col`), at the node a change's
path names in the original file, or the nearest ancestor that exists there (an added key
points at the mapping that receives it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from .changelog import Change, FileResult, Problem, anchor, changelog
from .document import Document, TemplateError, parse


class Context(NamedTuple):
    """What a report needs to know of the run besides its results."""

    check: bool = False  # `check` (findings pending) rather than `apply`
    options: tuple[str, ...] = ()  # command-line options that shaped the run, for the commands a report suggests
    paths: tuple[str, ...] = ()  # the paths the run was given
    comment_id: str = ""  # tells two pull-request comments of one workflow apart
    show_fixes: bool = False  # apply: list the fixes written, not only their count
    statistics: bool = False  # a count per fixer instead of one line per entry


class Entry(NamedTuple):
    """One line of a report: a change written or pending, a review fix held back, or a finding
    left unfixed, with the place it points at."""

    kind: str  # "change" | "available" | "unfixed"
    fixer: str
    message: str
    review: bool
    line: int
    column: int
    resource: str | None
    path: tuple


def entries(result: FileResult) -> Iterator[Entry]:
    """The result's entries in file order of kind: changes, then held-back fixes, then unfixed."""
    where = places(result)

    def place(path: tuple) -> tuple[int, int]:
        found = where(path)
        return found[:2] if found is not None else (1, 1)

    groups: list[tuple[str, list[Change] | list[Problem]]] = [
        ("change", result.changes), ("available", result.available), ("unfixed", result.unfixed)]
    for kind, group in groups:
        for e in group:
            line, column = place(anchor(e))
            review = isinstance(e, Change) and e.safety == "review"
            yield Entry(kind, e.fixer, e.message, review, line, column, e.resource, tuple(e.path))


def places(result: FileResult) -> Callable[[tuple], tuple[int, int, int, int] | None]:
    """Where a path of the result points in its original text: (start line, start column, end
    line, end column), None when the original does not parse. The engine records every entry's
    place; a result built elsewhere (a library caller's) has the original parsed here, once,
    when a place is missing."""
    doc: list[Document | None] = []

    def place(path: tuple) -> tuple[int, int, int, int] | None:
        found = result.places.get(path)
        if found is not None:
            return found
        if not doc:
            doc.append(_original(result))
        if doc[0] is None:
            return None
        return doc[0].place(path)

    return place


def _original(result: FileResult) -> Document | None:
    if result.before is None:
        return None
    try:
        return parse(result.before)
    except TemplateError:
        return None


def text_report(results: list[FileResult], context: Context) -> str:
    """`path:line:col: fixer [review] message` per entry (as ruff), then a summary line.

    ``apply`` lists what it wrote only with --show-fixes (it always lists what it left), as
    ruff does; ``check`` and ``--dry-run`` list what is pending."""
    if context.statistics:
        return statistics_report(results, context)
    lines: list[str] = []
    for r in results:
        if r.status in ("skipped", "error"):
            continue
        for e in entries(r):
            if e.kind == "change" and r.status == "fixed" and not context.show_fixes:
                continue
            mark = " [review]" if e.review else ""
            where = f"{r.path}:{e.line}:{e.column}"
            if e.kind == "change":
                lines.append(f"{where}: {e.fixer}{mark} {e.message}")
            elif e.kind == "available":
                lines.append(f"{where}: {e.fixer} [review] {e.message} (not applied: use --unsafe-fixes)")
            else:
                lines.append(f"{where}: {e.fixer} not fixed: {e.message}")
    lines += [f"{r.path} -> {r.output}: {r.status}" for r in results if r.output and r.status in ("fixed", "pending")]
    fixed = sum(len(r.changes) for r in results if r.status == "fixed")
    if fixed and not context.show_fixes:
        files = sum(1 for r in results if r.status == "fixed")
        lines.append(f"Fixed {fixed} finding{'' if fixed == 1 else 's'} in {files} file{'' if files == 1 else 's'}.")
    lines.append(summary(results))
    hint = unsafe_hint(results)
    if hint:
        lines.append(hint)
    return "\n".join(lines) + "\n"


def statistics_report(results: list[FileResult], context: Context) -> str:
    """A count per fixer and kind, most frequent first (ruff's --statistics)."""
    counts: Counter[tuple[str, str]] = Counter()
    for r in results:
        for e in r.changes:
            counts[(e.fixer, "[review]" if e.safety == "review" else "")] += 1
        for e in r.available:
            counts[(e.fixer, "[review, not applied]")] += 1
        for u in r.unfixed:
            counts[(u.fixer, "[not fixed]")] += 1
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [f"{n:>{width}}  {fixer} {kind}".rstrip() for (fixer, kind), n in
             sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return "\n".join([*lines, summary(results)]) + "\n"


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


def json_report(results: list[FileResult], context: Context) -> str:
    return json.dumps(changelog(results), indent=2, ensure_ascii=False) + "\n"


def _markdown(results: list[FileResult], context: Context) -> str:
    from .report_markdown import markdown_report

    return markdown_report(results, context)


def _sarif(results: list[FileResult], context: Context) -> str:
    from .report_sarif import sarif_report

    return sarif_report(results)


def _github(results: list[FileResult], context: Context) -> str:
    from .report_ci import github_report

    return github_report(results, context)


def _junit(results: list[FileResult], context: Context) -> str:
    from .report_ci import junit_report

    return junit_report(results, context)


FORMATS: dict[str, Callable[[list[FileResult], Context], str]] = {
    "text": text_report,
    "json": json_report,
    "markdown": _markdown,
    "sarif": _sarif,
    "github": _github,
    "junit": _junit,
}
# the formats that show the fixes themselves (a diff, SARIF's replacements), and so read each
# result's texts
SHOW_TEXTS = frozenset(("markdown", "sarif"))
