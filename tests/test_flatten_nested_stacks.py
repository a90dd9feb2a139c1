"""flatten-nested-stacks: parent + children fixture trees, and the runner's write-beside hook.

Each case is a folder fixtures/flatten-nested-stacks/<case>/ holding the parent
``template.{yaml,json}``, its children (any names, any depth), and the recorded
``template.flat.{yaml,json}`` and ``changes.json``; optional ``options.json`` (the fixer's
options) and ``error.txt`` (the expected one-line error: nothing is written).
Record with ``python tests/test_flatten_nested_stacks.py CASE...``, then review every file.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import FIXTURES, covered, data_diff, lint_codes  # noqa: E402

from cfnfix.cli import main  # noqa: E402
from cfnfix.config import Config  # noqa: E402
from cfnfix.document import parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402

NAME = "flatten-nested-stacks"
FOLDER = FIXTURES / NAME
CASES = sorted(p for p in FOLDER.iterdir() if p.is_dir()) if FOLDER.is_dir() else []


def parent_of(case: Path) -> Path:
    return next(p for p in sorted(case.glob("template.*")) if ".flat." not in p.name)


def flat_of(parent: Path) -> Path:
    return parent.with_name(f"template.flat{parent.suffix}")


def flatten(parent: Path, options: dict | None = None, text: str | None = None):
    config = Config(fixer_options={NAME: options} if options else {}, unsafe_fixes=True)
    text = parent.read_text(encoding="utf-8") if text is None else text
    return fix_document(parse(text), [NAME], config, source_path=str(parent))


def options_of(case: Path) -> dict:
    path = case / "options.json"
    return json.loads(path.read_text()) if path.exists() else {}


def children_of(case: Path, parent: Path) -> list[Path]:
    return [p for p in sorted(case.rglob("*")) if p.suffix in (".yaml", ".json") and p != parent
            and ".flat." not in p.name and p.name not in ("changes.json", "options.json")]


def flatten_copy(case: Path, where: Path):
    """The fixer's result on a copy of ``case`` without its recorded flat file: an up-to-date
    flat file beside the parent leaves nothing to do."""
    copied = where / case.name
    shutil.copytree(case, copied, ignore=shutil.ignore_patterns("*.flat.*", "changes.json", "error.txt"))
    (where / ".git").mkdir(exist_ok=True)  # the copy's project root: children are read only inside it
    return flatten(parent_of(copied), options_of(case)), parent_of(copied)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    parent = parent_of(case)
    result, copied = flatten_copy(case, tmp_path)
    error = case / "error.txt"
    if error.exists():  # the fixer refuses: its error is recorded, the template is left as it was
        assert [e.message for e in result.fixer_errors] == [f"{NAME}: {error.read_text().strip()}"]
        assert result.after == parent.read_text(encoding="utf-8")
        return
    assert not result.fixer_errors, result.fixer_errors
    expected = flat_of(parent)
    before = parent.read_text(encoding="utf-8")
    assert result.after == (expected.read_text(encoding="utf-8") if expected.exists() else before)
    log = {"changes": [c.to_json() for c in result.changes], "unfixed": [u.to_json() for u in result.unfixed]}
    assert log == json.loads((case / "changes.json").read_text())
    if not expected.exists():
        return
    assert result.output == str(flat_of(copied))
    flat = parse(result.after)
    assert not [r for r, body in flat.resources.items() if body.get("Type") == "AWS::CloudFormation::Stack"]
    second = flatten(expected, options_of(case), result.after)
    assert second.after == result.after and not second.changes and not second.unfixed
    known = set(lint_codes(before))
    for child in children_of(case, parent):
        known |= lint_codes(child.read_text(encoding="utf-8"))
    assert not lint_codes(result.after) - known, f"cfn-lint errors introduced: {sorted(lint_codes(result.after) - known)}"
    logged = [tuple(c.path) for c in result.changes]
    stray = [p for p in data_diff(parse(before).data, flat.data) if not covered(p, logged)]
    assert not stray, f"data changed at paths no change names: {stray}"


def _copy(case: str, tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)  # a project of its own: children are read only inside it
    target = tmp_path / case
    shutil.copytree(FOLDER / case, target, ignore=shutil.ignore_patterns("*.flat.*", "changes.json", "error.txt"))
    return target


def test_cli_writes_beside_the_parent_and_keeps_it(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    parent = case / "template.yaml"
    before = parent.read_bytes()
    held = CliRunner().invoke(main, ["apply", "--select", NAME, str(parent)])
    assert held.exit_code == 0, held.output
    assert not (case / "template.flat.yaml").exists()  # a review fix: listed, not written
    assert "review fixes available, not applied: use --unsafe-fixes" in held.output
    out = CliRunner().invoke(main, ["apply", "--select", NAME, "--unsafe-fixes", str(parent)])
    assert out.exit_code == 0, out.output
    assert parent.read_bytes() == before
    assert (case / "template.flat.yaml").read_bytes() == (FOLDER / "two-levels" / "template.flat.yaml").read_bytes()
    assert "-> " + str(case / "template.flat.yaml") in out.output


def test_cli_output_option_names_the_target(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    target = tmp_path / "one.yaml"
    out = CliRunner().invoke(main, ["apply", "--select", NAME, "--unsafe-fixes", "-o", str(target), str(case / "template.yaml")])
    assert out.exit_code == 0, out.output
    assert target.exists() and not (case / "template.flat.yaml").exists()


def test_cli_missing_child_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    (case / "subnets.yaml").unlink()
    out = CliRunner().invoke(main, ["apply", "--select", NAME, "--unsafe-fixes", str(case / "template.yaml")])
    assert out.exit_code == 2
    assert "nested stack Subnets: TemplateURL subnets.yaml names no local file" in out.output
    assert not (case / "template.flat.yaml").exists()


def test_check_is_clean_when_the_flat_file_is_up_to_date(tmp_path: Path) -> None:
    case = _copy("generated-answer", tmp_path)
    parent = case / "template.json"
    pending = CliRunner().invoke(main, ["check", "--select", NAME, "--unsafe-fixes", str(parent)])
    assert pending.exit_code == 1, pending.output
    shutil.copy(FOLDER / "generated-answer" / "template.flat.json", case / "template.flat.json")
    clean = CliRunner().invoke(main, ["check", "--select", NAME, "--unsafe-fixes", str(parent)])
    assert clean.exit_code == 0, clean.output
    (case / "app-stack.json").write_text((case / "app-stack.json").read_text().replace("\"HealthCheckPath\": \"/\"", "\"HealthCheckPath\": \"/health\""))
    stale = CliRunner().invoke(main, ["check", "--select", NAME, "--unsafe-fixes", str(parent)])
    assert stale.exit_code == 1, stale.output


def test_child_chosen_by_name_only_when_exactly_one_fits(tmp_path: Path) -> None:
    case = _copy("generated-answer", tmp_path)
    shutil.copy(case / "vpc-stack.json", case / "vpc.json")
    result = flatten(case / "template.json")
    assert any("several templates fit its name (vpc-stack.json, vpc.json)" in e.message for e in result.fixer_errors)


def test_check_reports_without_writing(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    out = CliRunner().invoke(main, ["check", "--select", NAME, "--unsafe-fixes", str(case / "template.yaml")])
    assert out.exit_code == 1
    assert not (case / "template.flat.yaml").exists()


def test_other_fixers_still_write_in_place_without_source_path() -> None:
    """Engine regression: fix_document's new source_path argument is optional."""
    text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    result = fix_document(parse(text), [NAME], Config())
    assert result.status == "clean" and result.output is None


# --- issue 15: children are read only inside the project, as they were before the run -------

PARENT = """\
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {url}
"""
SECRET = "Resources:\n  Leak:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: hunter2-SECRET}\n"


def _project(tmp_path: Path, url: str) -> Path:
    project = tmp_path / "repo"
    (project / ".git").mkdir(parents=True)
    (project / "app.yaml").write_text(PARENT.format(url=url))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(SECRET)
    return project


@pytest.mark.parametrize("url", ["../outside/secret.yaml", "{abs}", "file://{abs}"])
def test_children_outside_the_project_are_not_read(tmp_path: Path, monkeypatch, url: str) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    project = _project(tmp_path, url.format(abs=secret))
    monkeypatch.chdir(project)
    out = CliRunner().invoke(main, ["check", "--all", "--format", "markdown", "app.yaml"])
    assert out.exit_code == 2
    assert "hunter2" not in out.output
    shown = "../outside/secret.yaml" if url.startswith("..") else str(secret)
    assert out.stderr == (f"cfnfix: app.yaml: flatten-nested-stacks: nested stack Child: {shown} is outside "
                          f"the project ({project}); not read (allow its directory with option 'allowed-roots')\n")


def test_allowed_roots_lets_a_directory_outside_in(tmp_path: Path, monkeypatch) -> None:
    project = _project(tmp_path, "../outside/secret.yaml")
    monkeypatch.chdir(project)
    out = CliRunner().invoke(main, ["apply", "--select", NAME, "--unsafe-fixes", "--option", f"{NAME}.allowed-roots=../outside",
                                    "app.yaml"])
    assert out.exit_code == 0, out.output
    assert "ChildLeak:" in (project / "app.flat.yaml").read_text()


def test_a_loop_of_nested_stacks_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text(PARENT.format(url="q.yaml"))
    Path("q.yaml").write_text(PARENT.format(url="p.yaml"))
    out = CliRunner().invoke(main, ["check", "--select", NAME, "p.yaml"])
    assert out.exit_code == 2
    assert out.stderr == ("cfnfix: p.yaml: flatten-nested-stacks: nested stacks form a loop: "
                          "p.yaml -> q.yaml -> p.yaml\n")


INLINE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: lambda_function.handler
      Role: arn:aws:iam::123456789012:role/x
      Code:
        ZipFile: |
          def handler(event, context):
              return event
"""


@pytest.mark.parametrize("jobs", ["1", "8"])
def test_children_are_read_as_they_were_before_the_run_whatever_the_jobs(tmp_path: Path, monkeypatch, jobs) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".git").mkdir()
    Path(".cfnfix.toml").write_text('[per-file-ignores]\n"parent.yaml" = ["inline-lambda-handler"]\n')
    Path("a-child.yaml").write_text(INLINE)  # fixed in place by inline-lambda-handler in the same run
    Path("parent.yaml").write_text(PARENT.format(url="a-child.yaml"))
    for i in range(40):  # enough files for worker processes
        Path(f"topic{i:02}.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    out = CliRunner().invoke(main, ["apply", "--select", f"inline-lambda-handler,{NAME}", "--unsafe-fixes", "-j", jobs, "."])
    assert out.exit_code == 0, out.output
    assert Path("a-child.yaml").read_text() == INLINE.replace("lambda_function.handler", "index.handler")
    assert Path("parent.flat.yaml").read_text() == (
        "Resources:\n  ChildFn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: lambda_function.handler\n      Role: arn:aws:iam::123456789012:role/x\n      Code:\n"
        "        ZipFile: |\n          def handler(event, context):\n              return event\n"
    )


if __name__ == "__main__":  # record: python tests/test_flatten_nested_stacks.py CASE...
    import tempfile

    for name in sys.argv[1:]:
        case = FOLDER / name
        parent = parent_of(case)
        with tempfile.TemporaryDirectory() as where:
            result, _ = flatten_copy(case, Path(where))
        if result.fixer_errors:
            message = result.fixer_errors[0].message.removeprefix(f"{NAME}: ")
            (case / "error.txt").write_text(message + "\n")
            print("recorded error", name, message)
            continue
        if result.after != parent.read_text(encoding="utf-8"):
            flat_of(parent).write_text(result.after, encoding="utf-8")
        log = {"changes": [c.to_json() for c in result.changes], "unfixed": [u.to_json() for u in result.unfixed]}
        (case / "changes.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n")
        print("recorded", name)
