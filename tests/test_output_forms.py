"""What a CI user sees: text lines that name the place, annotations, JUnit, and ruff's flags."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from cfnfix.cli import main
from test_cli import CLEAN, FIXED, TEMPLATE, write

HANDLER_LINE = "t.yaml:17:16: inline-lambda-handler inline code is stored as index.py; handler must be index.<function>"
RUNTIME = TEMPLATE.replace("python3.12", "python3.9")  # lambda-runtime: a review fix on top


def invoke(*args: str):
    return CliRunner().invoke(main, [*args])


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_lines_name_path_line_and_column(work):
    write(work / "t.yaml", RUNTIME)
    result = invoke("check", "--as-of", "2026-12-01", "t.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        HANDLER_LINE,
        "t.yaml:16:16: lambda-runtime [review] python3.9 was deprecated on 2025-12-15 (creation blocked from "
        "2027-02-01, updates from 2027-03-03); python3.14 is its supported successor. Review: the code now runs "
        "on a new language version "
        "(not applied: use --unsafe-fixes)",
        "1 file checked: 1 pending",
        "1 review fix available, not applied: use --unsafe-fixes (or unsafe-fixes = true in the config) to write them",
    ]


def test_show_fixes_lists_what_apply_wrote(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--show-fixes", "t.yaml")
    assert result.exit_code == 0
    assert result.stdout == HANDLER_LINE + "\n1 file checked: 1 fixed\n"


def test_statistics_counts_per_fixer(work):
    write(work / "a.yaml", TEMPLATE)
    write(work / "b.yaml", RUNTIME)
    result = invoke("check", "--statistics", "--as-of", "2026-12-01", "a.yaml", "b.yaml")
    assert result.stdout == ("2  inline-lambda-handler\n1  lambda-runtime [review, not applied]\n"
                             "2 files checked: 2 pending\n")


def test_exit_zero_keeps_errors(work):
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "--exit-zero", "t.yaml").exit_code == 0
    assert invoke("check", "--exit-zero", "t.yaml", "missing.yaml").exit_code == 2


@pytest.mark.parametrize("command", ["apply", "check"])
def test_diff_shows_the_fix_and_writes_nothing(work, command):
    write(work / "t.yaml", TEMPLATE)
    result = invoke(command, "--diff", "t.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/t.yaml\n+++ b/t.yaml\n@@ ")
    assert (work / "t.yaml").read_text() == TEMPLATE


def test_color_always_colours_the_diff_and_never_does_not(work):
    write(work / "t.yaml", TEMPLATE)
    coloured = CliRunner().invoke(main, ["apply", "--diff", "--color", "always", "t.yaml"], color=True)
    assert "\x1b[32m+      Handler: index.lambda_handler\n\x1b[0m" in coloured.stdout
    plain = CliRunner().invoke(main, ["apply", "--diff", "--color", "never", "t.yaml"], color=True)
    assert "\x1b[" not in plain.stdout


def test_github_annotations(work):
    write(work / "t.yaml", RUNTIME)
    result = invoke("check", "--format", "github", "--as-of", "2026-12-01", "t.yaml", "gone.yaml")
    lines = result.stdout.splitlines()
    assert lines[0] == "::error file=gone.yaml,title=cfnfix::no such file or directory"
    assert lines[1] == ("::warning file=t.yaml,line=17,col=16,title=cfnfix inline-lambda-handler::"
                        "inline code is stored as index.py; handler must be index.<function>")
    assert lines[2].startswith("::notice file=t.yaml,line=16,col=16,title=cfnfix lambda-runtime::python3.9 was deprecated")
    assert lines[2].endswith("(review fix, not applied: use --unsafe-fixes)")


def test_github_escapes_properties_and_data(work):
    write(work / "a,b:c.yaml", TEMPLATE)
    line = invoke("check", "--format", "github", "a,b:c.yaml").stdout.splitlines()[0]
    assert line.startswith("::warning file=a%2Cb%3Ac.yaml,line=17,col=16,")


def test_junit_report(work):
    write(work / "t.yaml", TEMPLATE)
    write(work / "clean.yaml", CLEAN)
    result = invoke("check", "--format", "junit", "t.yaml", "clean.yaml")
    suites = ET.fromstring(result.stdout)
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("2", "1", "0")
    pending, clean = suites.findall("testsuite")
    assert pending.get("name") == "t.yaml"
    failure = pending.find("testcase/failure")
    assert failure is not None and failure.get("message").startswith("inline code is stored as index.py")
    assert clean.find("testcase").get("name") == "clean.yaml is clean"


def test_report_writes_more_forms_from_the_same_run(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--report", "sarif=out.sarif", "--report", "junit=out.xml", "t.yaml")
    assert result.exit_code == 0
    assert (work / "t.yaml").read_text() == FIXED
    assert json.loads((work / "out.sarif").read_text())["runs"][0]["results"]
    assert ET.parse(work / "out.xml").getroot().get("tests") == "1"
    bad = invoke("check", "--report", "pdf=x.pdf", "t.yaml")
    assert bad.exit_code == 2 and "--report pdf=x.pdf: expected FORMAT=FILE" in bad.stderr


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_shows_on_a_terminal_once_a_run_is_slow():
    from cfnfix.progress import Progress

    now = [0.0]
    terminal = _Terminal(tty=True)
    progress = Progress(terminal, clock=lambda: now[0])
    progress(1, 100)
    assert terminal.text == ""  # the first two seconds stay quiet
    now[0] = 2.5
    progress(40, 100)
    progress.close()
    assert terminal.text == "\rcfnfix: 40/100 files\r\x1b[K"
    piped = _Terminal(tty=False)
    quiet = Progress(piped, clock=lambda: now[0] + 10)
    quiet(50, 100)
    quiet.close()
    assert piped.text == ""
