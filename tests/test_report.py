"""The pull-request forms of a run: Markdown comment and SARIF."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cfnfix.changelog import FileResult
from cfnfix.cli import main
from cfnfix.report_markdown import LIMIT, MARKER, markdown_report

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0.json").read_text())
EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "inline-handler.yaml").read_text()


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "second.yaml").write_text(EXAMPLE.replace("ProcessorFunction", "Worker"))
    (tmp_path / "a.yaml").write_text(EXAMPLE)
    (tmp_path / "clean.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    return tmp_path



def test_markdown_comment_structure(tmp_path, monkeypatch):
    monkeypatch.chdir(_tree(tmp_path))
    result = CliRunner().invoke(main, ["check", "--format", "markdown", "."])
    assert result.exit_code == 1
    text = result.output
    assert text.startswith(MARKER + "\n## cfnfix\n\n**3** files checked · **2** with fixes · 2 safe\n")
    sections = re.findall(r"^### `(.+)`$", text, re.M)
    assert sections == ["a.yaml", "b/second.yaml"]  # sorted, clean files left out
    assert text.count("| fixer | resource | change | safety |") == 2
    assert "| `inline-lambda-handler` | Worker | replace `Resources/Worker/Properties/Handler`:" in text
    assert text.count("<details><summary>Diff (") == 2 and text.count("```diff\n--- a/") == 2
    assert text.count("</details>") == 2
    again = CliRunner().invoke(main, ["check", "--format", "markdown", "."]).output
    assert again == text  # deterministic, so a bot can update its comment in place


def test_markdown_marks_review_changes():
    from cfnfix.changelog import Change

    change = Change("s3-lifecycle", "Bucket", ("Resources", "Bucket"), "add", None, {}, "review", "expires | data")
    text = markdown_report([FileResult("t.yaml", "fixed", changes=[change])], check=False)
    assert "| `s3-lifecycle` | Bucket | add `Resources/Bucket`: expires \\| data | ⚠️ **review** |" in text


def test_markdown_truncates_diffs_but_keeps_tables():
    from cfnfix.changelog import Change

    before = "".join(f"line {i}\n" for i in range(3000))
    after = "".join(f"line {i} {'x' * 60}\n" for i in range(3000))
    results = [
        FileResult(f"f{i}.yaml", "pending", before=before, after=after,
                   changes=[Change("inline-lambda-handler", "Fn", ("Resources", "Fn"), "replace", "a", "b", "safe", "m")])
        for i in range(3)
    ]
    text = markdown_report(results, check=False)
    assert len(text) <= LIMIT
    assert text.count("| fixer | resource | change | safety |") == 3
    assert "Diff truncated to fit the comment; run `cfnfix apply --dry-run f0.yaml` to see all of it." in text
    assert "run `cfnfix apply --dry-run f2.yaml`" in text
    assert text.count("```diff") == text.count("\n```\n")  # every fence that opens also closes


def test_sarif_validates_and_carries_fixes(tmp_path, monkeypatch):
    monkeypatch.chdir(_tree(tmp_path))
    result = CliRunner().invoke(main, ["check", "--format", "sarif", "."])
    assert result.exit_code == 1
    log = json.loads(result.output)
    jsonschema.validate(log, SCHEMA)
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "inline-lambda-handler" in rule_ids
    rule = run["tool"]["driver"]["rules"][rule_ids.index("inline-lambda-handler")]
    assert rule["helpUri"].endswith("/docs/fixers/inline-lambda-handler.md")
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
        "a.yaml", "b/second.yaml"]
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 22, "startColumn": 16, "endLine": 22, "endColumn": 46}
    (replacement,) = first["fixes"][0]["artifactChanges"][0]["replacements"]
    original = (tmp_path / "a.yaml").read_text()
    start = replacement["deletedRegion"]["charOffset"]
    end = start + replacement["deletedRegion"]["charLength"]
    patched = original[:start] + replacement["insertedContent"]["text"] + original[end:]
    assert patched == original.replace("lambda_function.lambda_handler", "index.lambda_handler")


@pytest.mark.parametrize("fmt", ["markdown", "sarif"])
def test_pull_request_forms_write_nothing(tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(_tree(tmp_path))
    before = (tmp_path / "a.yaml").read_bytes()
    CliRunner().invoke(main, ["apply", "--dry-run", "--format", fmt, "a.yaml"])
    assert (tmp_path / "a.yaml").read_bytes() == before
