"""The pre-commit hooks, run through the pre-commit framework against a temporary git repository.

The hooks are published as ``language: python`` (pre-commit builds cfnfix into its own
environment). To run offline, the test feeds pre-commit the same hook definitions as a
``repo: local`` with ``language: system``, so the cfnfix installed in this environment runs:
the hook ids, entries, file filters and filename passing are exactly the published ones.
"""

import os
import shutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "inline-handler.yaml").read_text()
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

pytestmark = pytest.mark.skipif(not PRE_COMMIT.exists() or not shutil.which("git"), reason="needs pre-commit and git")


def _repo(tmp_path: Path) -> Path:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        hook["language"] = "system"
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    repo = tmp_path / "repo"
    repo.mkdir()
    env = _env(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (repo / "stack.yaml").write_text(EXAMPLE)
    (repo / "queue.template").write_text(EXAMPLE.replace("ProcessorFunction", "QueueWorker"))
    (repo / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")  # YAML, not a template
    (repo / "notes.txt").write_text("Resources: not yaml at all\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    return repo


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return env


def _hook(repo: Path, tmp_path: Path, hook_id: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), "run", hook_id, "--all-files"], cwd=repo, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)


def test_check_hook_fails_on_pending_fix_and_skips_other_yaml(tmp_path):
    repo = _repo(tmp_path)
    result = _hook(repo, tmp_path, "cfnfix-check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^stack\.yaml:\d+:\d+: inline-lambda-handler ", result.stdout, re.M)
    assert "docker-compose.yml" not in result.stdout
    assert (repo / "stack.yaml").read_text() == EXAMPLE


def test_apply_hook_fixes_the_file_then_passes(tmp_path):
    repo = _repo(tmp_path)
    first = _hook(repo, tmp_path, "cfnfix")
    assert first.returncode == 1  # pre-commit fails a hook that modified files
    assert "index.lambda_handler" in (repo / "stack.yaml").read_text()
    assert "index.lambda_handler" in (repo / "queue.template").read_text()  # .template files are seen too
    second = _hook(repo, tmp_path, "cfnfix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert _hook(repo, tmp_path, "cfnfix-check").returncode == 0


def test_apply_hook_writes_only_safe_fixes(tmp_path):
    """The hook runs plain `cfnfix apply`: a deprecated runtime (a review fix) stays as it is."""
    repo = _repo(tmp_path)
    (repo / "stack.yaml").write_text(EXAMPLE.replace("python3.12", "python3.9"))
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=_env(tmp_path))
    result = _hook(repo, tmp_path, "cfnfix")
    text = (repo / "stack.yaml").read_text()
    assert "index.lambda_handler" in text and "Runtime: python3.9" in text
    assert "review fix available, not applied" in result.stdout
