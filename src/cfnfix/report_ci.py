"""CI report forms: GitHub workflow annotations and JUnit XML.

Annotations show on a pull request's changed files without code scanning (which private
repositories may not have); JUnit is what most CI systems render as a test report.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .changelog import FileResult
from .report import Context, entries, summary


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(results: list[FileResult], context: Context) -> str:
    """One `::warning` per pending fix, `::notice` per fix written or held back, `::error` per
    file or fixer that failed (GitHub's workflow-command syntax and escaping)."""
    lines = []
    for r in results:
        if r.status == "error":
            lines.append(f"::error file={_escape_property(r.path)},title=cfnfix::{_escape_data(r.error or '')}")
            continue
        for x in r.fixer_errors:
            lines.append(f"::error file={_escape_property(r.path)},title={_escape_property('cfnfix ' + x.fixer)}::"
                         f"{_escape_data(x.message)}")
        for e in entries(r):
            if e.kind == "change":
                level = "warning" if r.status == "pending" else "notice"
                message = e.message + (" (review)" if e.review else "")
            elif e.kind == "available":
                level, message = "notice", f"{e.message} (review fix, not applied: use --unsafe-fixes)"
            else:
                level, message = "notice", f"not fixed: {e.message}"
            props = f"file={_escape_property(r.path)},line={e.line},col={e.column},title={_escape_property('cfnfix ' + e.fixer)}"
            lines.append(f"::{level} {props}::{_escape_data(message)}")
    lines.append(summary(results))
    return "\n".join(lines) + "\n"


def junit_report(results: list[FileResult], context: Context) -> str:
    """One testsuite per file; one testcase per entry, failing when a fix is pending or a file
    or fixer failed; a clean file is one passing testcase."""
    suites = ET.Element("testsuites", name="cfnfix")
    total = failures = errors = 0
    for r in results:
        if r.status == "skipped":
            continue
        suite = ET.SubElement(suites, "testsuite", name=r.path)
        cases = failed = broken = 0
        if r.status == "error":
            case = ET.SubElement(suite, "testcase", classname="cfnfix", name=r.path)
            ET.SubElement(case, "error", message=r.error or "").text = r.error
            cases, broken = 1, 1
        for x in r.fixer_errors:
            case = ET.SubElement(suite, "testcase", classname=x.fixer, name=r.path)
            ET.SubElement(case, "error", message=x.message).text = x.message
            cases, broken = cases + 1, broken + 1
        for e in entries(r):
            name = f"{r.path}:{e.line}:{e.column} {'/'.join(map(str, e.path))}"
            case = ET.SubElement(suite, "testcase", classname=e.fixer, name=name)
            cases += 1
            if e.kind == "change" and r.status == "pending":
                ET.SubElement(case, "failure", message=e.message, type="review" if e.review else "safe").text = e.message
                failed += 1
            elif e.kind != "change":
                ET.SubElement(case, "skipped", message=f"{e.kind}: {e.message}")
        if cases == 0:
            ET.SubElement(suite, "testcase", classname="cfnfix", name=f"{r.path} is clean")
            cases = 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("errors", str(broken))
        total, failures, errors = total + cases, failures + failed, errors + broken
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
