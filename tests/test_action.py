"""The GitHub Action: inputs reach its scripts only through the environment, and its check step
runs cfnfix once with paths and arguments split safely, never evaluated."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
TEMPLATE = (ROOT / "examples" / "inline-handler.yaml").read_text()


def _step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_no_input_is_interpolated_into_a_script():
    for step in STEPS:
        assert "${{" not in step.get("run", ""), f"step {step.get('name')!r} interpolates into its script"


def test_pinned_actions_and_settings():
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert "github/codeql-action/upload-sarif@v4" in uses
    python = next(s for s in STEPS if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["update-environment"] is False and python["with"]["cache"] == "pip"
    assert ACTION["branding"]["icon"] == "check-circle"
    assert "comment-id" in ACTION["inputs"]


def _check_step(tmp_path: Path, paths: str, args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Runs the action's check step as the runner would: bash with the step's env."""
    temp = tmp_path / "runner"
    (temp / "cfnfix-venv").mkdir(parents=True)
    (temp / "cfnfix-venv" / "bin").symlink_to(Path(sys.executable).parent)
    step = _step("Run cfnfix check")
    env = {**os.environ, "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "INPUT_PATHS": paths, "INPUT_ARGS": args,
           "COMMENT_ID": "", "GITHUB_ACTIONS": "true"}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path / "repo", env=env,
                          capture_output=True, text=True, timeout=120)
    return proc, tmp_path


def test_paths_with_spaces_and_arguments_are_never_evaluated(tmp_path):
    repo = tmp_path / "repo"
    (repo / "my stacks").mkdir(parents=True)
    (repo / "my stacks" / "app.yaml").write_text(TEMPLATE)
    proc, _ = _check_step(tmp_path, "'my stacks/app.yaml'", "--all $(touch PWNED)")
    assert not (repo / "PWNED").exists()
    outputs = (tmp_path / "out.txt").read_text()
    assert "exit-code=2" in outputs  # '$(touch' and 'PWNED)' are taken as paths that do not exist
    assert "cfnfix: $(touch: no such file or directory" in proc.stderr


def test_check_step_writes_comment_summary_sarif_and_change_log_in_one_run(tmp_path):
    repo = tmp_path / "repo"
    (repo / "my stacks").mkdir(parents=True)
    (repo / "my stacks" / "app.yaml").write_text(TEMPLATE)
    (repo / "other.yaml").write_text(TEMPLATE)
    proc, _ = _check_step(tmp_path, "my stacks/app.yaml\nother.yaml\n", "--select inline-lambda-handler")
    assert proc.returncode == 0, proc.stderr
    assert "exit-code=1" in (tmp_path / "out.txt").read_text()
    report = tmp_path / "runner" / "cfnfix"
    assert (report / "cfnfix.md").read_text().startswith("<!-- cfnfix -->\n")
    assert "### `my stacks/app.yaml`" in (report / "cfnfix.md").read_text()
    assert '"runs"' in (report / "cfnfix.sarif").read_text()
    assert '"files"' in (report / "cfnfix.json").read_text()
    assert (tmp_path / "summary.md").read_text() == (report / "cfnfix.md").read_text()


def test_config_error_fails_the_step_before_any_upload(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "t.yaml").write_text(TEMPLATE)
    (repo / ".cfnfix.toml").write_text("selct = []\n")
    proc, _ = _check_step(tmp_path, "t.yaml", "")
    assert proc.returncode == 2
    assert re.search(r"::error title=cfnfix::cfnfix: .*unknown key 'selct'", proc.stdout)
    names = [s.get("name") or s.get("uses") for s in STEPS]
    assert names.index("Run cfnfix check") < names.index("Upload SARIF")
