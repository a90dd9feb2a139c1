"""The command line as users meet it: exit codes, messages, what is written and what is not."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cfnfix import runner as runner_mod
from cfnfix.changelog import Safety
from cfnfix.cli import main
from cfnfix.document import MAX_BYTES
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, int_range
from cfnfix.registry import all_fixers

ROOT = Path(__file__).resolve().parent.parent
HANDLER = "inline-lambda-handler"

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: lambda_function.lambda_handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def lambda_handler(event, context):
              return event
"""
FIXED = TEMPLATE.replace("Handler: lambda_function.lambda_handler", "Handler: index.lambda_handler")
CLEAN = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
# Encryption stated, so that no fixer but the test's dummy (and --all runs them all) changes it.
QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: true\n"

BAD_INPUTS = {
    # name: (bytes, the cause the one stderr line must name)
    "not-yaml.yaml": (b"Resources:\n  Queue: [unclosed\n", "invalid YAML"),
    "invalid.json": (b'{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}\n', "invalid JSON"),
    "not-template.yaml": (b"name: my-app\nversion: 2\n", "not a CloudFormation template"),
    "duplicate.yaml": (b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Type: AWS::SNS::Topic\n",
                       "line 4: duplicate key 'Type' in Resources/Queue"),
    "binary.yaml": (b"Resources:\x00\x01\x02\xff", "binary file"),
    "huge.yaml": (QUEUE.encode() + b"#" * MAX_BYTES, "larger than 5 MB"),
}


class QueueDelay(Fixer):
    """A test-only fixer, off by default, with a validated option."""

    name = "zz-test-queue-delay"
    summary = "Test fixer: give queues a DelaySeconds"
    group = "qa"
    safety = Safety.SAFE
    default = False
    options = (Option("delay", 5, "Seconds.", parse=int_range(0, 900)),)

    def find(self, doc):
        return [
            Finding(rid, ("Resources", rid, "Properties", "DelaySeconds"), "queue without delay")
            for rid, res in doc.resources_of_type("AWS::SQS::Queue")
            if "DelaySeconds" not in (res.get("Properties") or {})
        ]

    def fix(self, doc, findings):
        editor = Editor(doc)
        for f in findings:
            editor.set(f.path, self.config["delay"])
        return Fix(editor.edits(), [self.change(f, "add", None, self.config["delay"], f.message) for f in findings])


@pytest.fixture
def dummy_fixer(monkeypatch):
    """Registers QueueDelay for one test (the registry's cached dict is shared by every module)."""
    monkeypatch.setitem(all_fixers(), QueueDelay.name, QueueDelay)
    return QueueDelay.name


def invoke(*args: str, input: bytes | str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- apply / check exit codes ---------------------------------------------------------------

def test_apply_writes_the_fix_and_exits_0(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "t.yaml")
    assert result.exit_code == 0
    assert (work / "t.yaml").read_text() == FIXED
    assert result.stdout == "Fixed 1 finding in 1 file.\n1 file checked: 1 fixed\n"
    shown = invoke("apply", "--show-fixes", "t.yaml")
    assert shown.stdout == "1 file checked: 1 clean\n"  # nothing left to fix, nothing listed
    again = invoke("apply", "t.yaml")
    assert again.exit_code == 0 and (work / "t.yaml").read_text() == FIXED


def test_check_exits_1_when_fixes_pend_and_writes_nothing(work):
    write(work / "t.yaml", TEMPLATE)
    write(work / "clean.yaml", CLEAN)
    result = invoke("check", "t.yaml", "clean.yaml")
    assert result.exit_code == 1
    assert (work / "t.yaml").read_text() == TEMPLATE
    assert result.stdout == "t.yaml:17:16: inline-lambda-handler inline code is stored as index.py; handler must be index.<function>\n2 files checked: 1 pending, 1 clean\n"
    assert invoke("check", "clean.yaml").exit_code == 0


def test_check_ignores_problems_it_cannot_fix(work):
    write(work / "java.yaml", TEMPLATE.replace("python3.12", "java17"))
    result = invoke("check", "java.yaml")
    assert result.exit_code == 0
    assert "java.yaml:17:16: inline-lambda-handler not fixed: runtime java17 cannot run inline code" in result.stdout


def test_dry_run_prints_a_unified_diff_and_exits_1(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--dry-run", "t.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/t.yaml\n+++ b/t.yaml\n@@ ")
    assert "-      Handler: lambda_function.lambda_handler\n+      Handler: index.lambda_handler\n" in result.stdout
    assert "t.yaml:17:16: inline-lambda-handler inline code is stored as index.py; handler must be index.<function>" in result.stderr  # the report stays out of the diff
    assert (work / "t.yaml").read_text() == TEMPLATE


# --- bad input: one line naming file and cause, exit 2, the rest still processed ---------------

@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_the_good_file_still_fixed(work, name):
    content, cause = BAD_INPUTS[name]
    bad = write(work / name, content)
    write(work / "good.yaml", TEMPLATE)
    result = invoke("apply", name, "good.yaml")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("cfnfix:")]
    assert len(errors) == 1 and errors[0].startswith(f"cfnfix: {name}: ") and cause in errors[0]
    assert bad.read_bytes() == content
    assert (work / "good.yaml").read_text() == FIXED


def test_missing_path(work):
    write(work / "good.yaml", TEMPLATE)
    result = invoke("apply", "nope.yaml", "good.yaml")
    assert result.exit_code == 2
    assert "cfnfix: nope.yaml: no such file or directory" in result.stderr
    assert (work / "good.yaml").read_text() == FIXED


def test_unreadable_path(work):
    os.symlink("loop.yaml", work / "loop.yaml")  # ELOOP: unreadable even for root
    result = invoke("check", "loop.yaml")
    assert result.exit_code == 2
    assert "cfnfix: loop.yaml: cannot read: Too many levels of symbolic links" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(work):
    path = write(work / "secret.yaml", TEMPLATE)
    path.chmod(0)
    try:
        result = invoke("apply", "secret.yaml")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 2
    assert "cfnfix: secret.yaml: cannot read: Permission denied" in result.stderr


@pytest.mark.parametrize("contents", [{}, {"README.md": "# hi", "package.json": '{"name": "app"}', "ci.yml": "on: push\n"}])
def test_directory_without_templates(work, contents):
    (work / "empty").mkdir()
    for name, text in contents.items():
        write(work / "empty" / name, text)
    result = invoke("check", "empty")
    assert result.exit_code == 2
    assert "cfnfix: empty: no CloudFormation templates found in this directory" in result.stderr


def test_failed_write_leaves_the_file_whole(work, monkeypatch):
    write(work / "t.yaml", TEMPLATE)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner_mod.os, "replace", broken_replace)
    result = invoke("apply", "t.yaml")
    assert result.exit_code == 2
    assert "cfnfix: t.yaml: cannot write t.yaml: No space left on device" in result.stderr
    assert (work / "t.yaml").read_text() == TEMPLATE
    assert sorted(p.name for p in work.iterdir()) == ["t.yaml"]  # no temporary file left behind


def test_atomic_write_keeps_the_file_mode(work):
    path = write(work / "t.yaml", TEMPLATE)
    path.chmod(0o640)
    inode = path.stat().st_ino
    assert invoke("apply", "t.yaml").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert path.read_text() == FIXED


# --- reports and outputs ----------------------------------------------------------------------



def assert_changelog_schema(log: dict) -> None:
    """The change log validates against the JSON Schema the project ships (docs/changelog.schema.json)."""
    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "changelog.schema.json").read_text())
    jsonschema.validate(log, schema)


def test_json_format_matches_the_changelog_schema(work):
    write(work / "t.yaml", TEMPLATE)
    write(work / "java.yaml", TEMPLATE.replace("python3.12", "java17"))
    write(work / "dup.yaml", BAD_INPUTS["duplicate.yaml"][0])
    result = invoke("apply", "--format", "json", "t.yaml", "java.yaml", "dup.yaml")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert_changelog_schema(log)
    assert log["files"] == [
        {"path": "t.yaml", "status": "fixed", "changes": [{
            "fixer": HANDLER, "resource": "Worker", "path": ["Resources", "Worker", "Properties", "Handler"],
            "action": "replace", "before": "lambda_function.lambda_handler", "after": "index.lambda_handler",
            "safety": "safe", "message": "inline code is stored as index.py; handler must be index.<function>"}]},
        {"path": "java.yaml", "status": "clean", "changes": [], "unfixed": [{
            "fixer": HANDLER, "resource": "Worker", "path": ["Resources", "Worker", "Properties", "Handler"],
            "message": "runtime java17 cannot run inline code (only Python and Node.js can)"}]},
        {"path": "dup.yaml", "status": "error", "error": "line 4: duplicate key 'Type' in Resources/Queue"},
    ]


def test_json_format_of_a_dry_run_and_a_check(work):
    write(work / "t.yaml", TEMPLATE)
    dry = json.loads(invoke("apply", "--dry-run", "--format", "json", "t.yaml").stdout)
    assert_changelog_schema(dry)
    assert dry["files"][0]["status"] == "pending" and dry["files"][0]["changes"][0]["after"] == "index.lambda_handler"
    checked = json.loads(invoke("check", "--format", "json", "t.yaml").stdout)
    assert_changelog_schema(checked)
    assert checked["files"] == dry["files"]  # the JSON form of check carries the same change log
    assert (work / "t.yaml").read_text() == TEMPLATE


def test_changelog_file(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--changelog", "log.json", "t.yaml")
    assert result.exit_code == 0
    log = json.loads((work / "log.json").read_text())
    assert_changelog_schema(log)
    assert [f["status"] for f in log["files"]] == ["fixed"]
    assert "Fixed 1 finding in 1 file." in result.stdout  # the text report is still printed


def test_changelog_file_that_cannot_be_written(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--changelog", "no/such/dir/log.json", "t.yaml")
    assert result.exit_code == 2
    assert "cfnfix: cannot write change log no/such/dir/log.json: No such file or directory" in result.stderr


def test_output_file(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "-o", "out.yaml", "t.yaml")
    assert result.exit_code == 0
    assert (work / "out.yaml").read_text() == FIXED and (work / "t.yaml").read_text() == TEMPLATE
    assert "t.yaml -> out.yaml: fixed" in result.stdout
    write(work / "clean.yaml", CLEAN)
    assert invoke("apply", "--output", "copy.yaml", "clean.yaml").exit_code == 0
    assert (work / "copy.yaml").read_text() == CLEAN  # -o always gets the template


@pytest.mark.parametrize("inputs", [("a.yaml", "b.yaml"), ("dir",)])
def test_output_needs_exactly_one_input_file(work, inputs):
    write(work / "a.yaml", TEMPLATE)
    write(work / "b.yaml", TEMPLATE)
    write(work / "dir" / "c.yaml", TEMPLATE)
    result = invoke("apply", "-o", "out.yaml", *inputs)
    assert result.exit_code == 2
    assert "-o/--output takes exactly one input file" in result.stderr
    assert not (work / "out.yaml").exists()


def test_stdin_to_stdout(work):
    result = invoke("apply", "-", input=TEMPLATE)
    assert result.exit_code == 0
    assert result.stdout == FIXED
    assert "Fixed 1 finding in 1 file." in result.stderr
    clean = invoke("apply", "-", input=CLEAN)
    assert clean.exit_code == 0 and clean.stdout == CLEAN


def test_stdin_dry_run_prints_only_the_diff(work):
    result = invoke("apply", "--dry-run", "-", input=TEMPLATE)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/-\n+++ b/-\n") and "AWSTemplateFormatVersion" not in result.stdout


def test_stdin_to_output_file(work):
    result = invoke("apply", "-o", "out.yaml", "-", input=TEMPLATE)
    assert result.exit_code == 0
    assert (work / "out.yaml").read_text() == FIXED and result.stdout.startswith("-")


def test_bad_stdin(work):
    result = invoke("apply", "-", input=b"Resources: [\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("cfnfix: -: line 2: invalid YAML")


def test_directories_are_walked_for_templates_only(work):
    write(work / "stacks" / "app.yaml", TEMPLATE)
    write(work / "stacks" / "nested" / "db.template", TEMPLATE)
    write(work / "stacks" / "nested" / "api.json", json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    write(work / "stacks" / "package.json", '{"name": "app", "version": "1.0.0"}')
    write(work / "stacks" / "docker-compose.yml", "services:\n  web:\n    image: nginx\n")
    write(work / "stacks" / "notes.txt", TEMPLATE)
    write(work / "stacks" / ".hidden" / "x.yaml", TEMPLATE)
    write(work / "stacks" / "cdk.out" / "gen.yaml", TEMPLATE)
    write(work / ".cfnfix.toml", 'exclude = ["**/cdk.out/**"]\n')
    result = invoke("apply", "--format", "json", "stacks")
    assert result.exit_code == 0
    statuses = {f["path"]: f["status"] for f in json.loads(result.stdout)["files"]}
    assert statuses == {
        "stacks/app.yaml": "fixed",
        "stacks/docker-compose.yml": "skipped",
        "stacks/nested/api.json": "clean",
        "stacks/nested/db.template": "fixed",
        "stacks/package.json": "skipped",
    }
    assert (work / "stacks" / "notes.txt").read_text() == TEMPLATE
    assert (work / "stacks" / ".hidden" / "x.yaml").read_text() == TEMPLATE
    assert (work / "stacks" / "cdk.out" / "gen.yaml").read_text() == TEMPLATE


def test_a_non_template_named_explicitly_is_an_error(work):
    write(work / "package.json", '{"name": "app"}')
    result = invoke("check", "package.json")
    assert result.exit_code == 2 and "cfnfix: package.json: not a CloudFormation template" in result.stderr


def test_verbose_and_quiet(work):
    write(work / "t.yaml", TEMPLATE)
    write(work / "clean.yaml", CLEAN)
    assert "clean.yaml: clean" in invoke("check", "-v", "t.yaml", "clean.yaml").stdout
    quiet = invoke("check", "-q", "t.yaml", "clean.yaml")
    assert quiet.exit_code == 1 and quiet.stdout == ""


# --- choosing fixers and their options -------------------------------------------------------

def test_ignore_and_select(work):
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "--ignore", HANDLER, "t.yaml").exit_code == 0
    assert invoke("check", "--select", HANDLER, "t.yaml").exit_code == 1


def test_select_and_ignore_of_the_same_fixer_selects_nothing(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("check", "--select", f"{HANDLER},{HANDLER}", "--ignore", HANDLER, "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == ("cfnfix: no fixer selected: every fixer chosen is also ignored "
                             "(see --select, --ignore and the config file)\n")
    assert result.stdout == ""  # not "clean"


def test_unknown_fixer_in_select_or_ignore(work):
    write(work / "t.yaml", TEMPLATE)
    for flag in ("--select", "--ignore"):
        result = invoke("check", flag, "no-such-fixer", "t.yaml")
        assert result.exit_code == 2
        assert f"cfnfix: {flag}: unknown fixer 'no-such-fixer' in '{flag[2:]}'" in result.stderr


def test_all_runs_fixers_that_are_off_by_default(work, dummy_fixer):
    write(work / "q.yaml", QUEUE)
    assert invoke("check", "q.yaml").exit_code == 0
    assert invoke("check", "--all", "q.yaml").exit_code == 1
    assert invoke("check", "--select", dummy_fixer, "q.yaml").exit_code == 1
    assert invoke("check", "--all", "--ignore", dummy_fixer, "q.yaml").exit_code == 0


def test_option_from_the_command_line(work, dummy_fixer):
    write(work / "q.yaml", QUEUE)
    result = invoke("apply", "--all", "--option", f"{dummy_fixer}.delay=30", "q.yaml")
    assert result.exit_code == 0
    assert (work / "q.yaml").read_text() == QUEUE + "      DelaySeconds: 30\n"


@pytest.mark.parametrize("option,message", [
    ("zz-test-queue-delay.delay=never", "--option: fixers.zz-test-queue-delay: invalid value 'never' for option 'delay'"),
    ("zz-test-queue-delay.delay=1000", "invalid value '1000' for option 'delay': must be between 0 and 900"),
    ("zz-test-queue-delay.speed=1", "unknown option 'speed' for fixer 'zz-test-queue-delay'"),
    ("no-such-fixer.delay=1", "unknown fixer 'no-such-fixer'"),
    ("delay=1", "--option delay=1: expected FIXER.KEY=VALUE"),
    ("zz-test-queue-delay.delay", "expected FIXER.KEY=VALUE"),
])
def test_invalid_option(work, dummy_fixer, option, message):
    write(work / "q.yaml", QUEUE)
    result = invoke("apply", "--all", "--option", option, "q.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("cfnfix: ") and message in result.stderr
    assert (work / "q.yaml").read_text() == QUEUE


def test_fixers_table():
    result = invoke("fixers")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "group", "safety", "default", "summary"]
    row = next(line for line in lines if line.startswith(HANDLER + " "))
    assert row.split()[1:4] == ["deploy", "safe", "yes"]
    assert len(lines) == 1 + len(all_fixers())


def test_explain():
    result = invoke("explain", HANDLER)
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(f"# {HANDLER}\n")
    for heading in ("## What it detects", "## Why it matters", "## Example", "## Fix safety", "## Options"):
        assert heading in text


def test_explain_unknown_fixer():
    result = invoke("explain", "no-such-fixer")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: unknown fixer 'no-such-fixer' (see 'cfnfix fixers')\n"


def test_usage_errors_exit_2(work):
    assert invoke("check").exit_code == 2  # no path
    assert invoke("apply", "--format", "yaml", "x.yaml").exit_code == 2
    assert invoke("frobnicate").exit_code == 2


# --- real processes ---------------------------------------------------------------------------

def run_cli(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cfnfix", *args], cwd=cwd, input=input, capture_output=True, timeout=120)


def test_subprocess_mixed_run(tmp_path):
    write(tmp_path / "good.yaml", TEMPLATE)
    write(tmp_path / "bad.yaml", BAD_INPUTS["not-yaml.yaml"][0])
    proc = run_cli("apply", "good.yaml", "bad.yaml", "missing.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    stderr = proc.stderr.decode()
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        "cfnfix: missing.yaml: no such file or directory",
        "cfnfix: bad.yaml: line 3: invalid YAML: did not find expected ',' or ']'",
    ]
    assert (tmp_path / "good.yaml").read_text() == FIXED


def test_subprocess_stdin_check(tmp_path):
    proc = run_cli("check", "-", cwd=tmp_path, input=TEMPLATE.encode())
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert proc.stdout.decode().startswith("-:17:16: inline-lambda-handler inline code is stored as index.py; handler must be index.<function>\n")


def test_stdin_among_files_handled_by_worker_processes(work):
    names = [f"t{i}.yaml" for i in range(8)]
    for name in names:
        write(work / name, TEMPLATE)
    result = invoke("apply", "-j", "2", "-", *names, input=TEMPLATE)
    assert result.exit_code == 0
    assert result.stdout == FIXED
    assert all((work / name).read_text() == FIXED for name in names)
