"""The pull-request forms of a run: Markdown comment and SARIF."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cfnfix.changelog import FileResult, anchor
from cfnfix.cli import main
from cfnfix.report import Context
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
    text = markdown_report([FileResult("t.yaml", "fixed", changes=[change])], Context())
    assert "| `s3-lifecycle` | Bucket | add `Resources/Bucket`: expires \\| data | ⚠️ **review** |" in text


def _pending(name: str, lines: int = 3000, changes: int = 1, body: str = "line") -> FileResult:
    from cfnfix.changelog import Change

    before = "".join(f"{body} {i}\n" for i in range(lines))
    after = "".join(f"{body} {i} {'x' * 60}\n" for i in range(lines))
    entries = [Change("inline-lambda-handler", f"Fn{i}", ("Resources", f"Fn{i}"), "replace", "a", "b", "safe", "m")
               for i in range(changes)]
    return FileResult(name, "pending", before=before, after=after, changes=entries)


def test_markdown_truncates_diffs_and_repeats_the_options():
    context = Context(check=True, options=("--all", "--select", "a b"), paths=("stacks",))
    text = markdown_report([_pending(f"f{i}.yaml") for i in range(3)], context)
    assert len(text) <= LIMIT
    assert text.count("| fixer | resource | change | safety |") == 3
    assert "_Diff truncated to fit the comment; run `cfnfix apply --dry-run --all --select 'a b' f0.yaml` to see all of it._" in text
    assert text.count("```diff") == text.count("\n```\n")  # every fence that opens also closes


@pytest.mark.parametrize("files", [1, 50, 1000])
def test_markdown_always_fits_and_says_what_it_left_out(files, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    results = [_pending(f"t{i:04}.yaml", lines=40, changes=3) for i in range(files)]
    text = markdown_report(results, Context(check=True, options=("--all",), paths=("t",)))
    assert len(text) <= LIMIT
    assert "| `inline-lambda-handler` | " + str(files) + " | " + str(3 * files) + " | 0 | 0 |" in text  # per-fixer summary
    shown = len(re.findall(r"^### `", text, re.M))
    if shown < files:
        assert text.endswith(f"_{files - shown} more files left out to fit GitHub's comment limit; run "
                             "`cfnfix check --all --format json t` for the whole report._\n")
    else:
        assert files <= 50 and "more files left out" not in text
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    in_actions = markdown_report(results, Context(check=True))
    assert files < 1000 or "the job summary and the `cfnfix-report` artifact of this run have the whole report" in in_actions


def test_markdown_table_rows_are_cut_when_one_file_has_thousands():
    text = markdown_report([_pending("big.yaml", lines=10, changes=5000)], Context(check=True))
    assert len(text) <= LIMIT
    assert re.search(r"_\d+ more rows left out to fit the comment; run `cfnfix apply --dry-run big.yaml` to see all of it._", text)


def test_markdown_fence_outlasts_backticks_in_the_diff():
    result = _pending("t.yaml", lines=2, body="Description: run ````code````")
    text = markdown_report([result], Context(check=True))
    assert "`````diff\n" in text and "\n`````\n" in text


def test_markdown_comment_id_marks_the_comment():
    text = markdown_report([_pending("t.yaml", lines=2)], Context(check=True, comment_id="prod"))
    assert text.startswith("<!-- cfnfix:prod -->\n")


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


def test_sarif_one_result_per_finding_with_fingerprint_uri_and_notifications(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (Path(__file__).resolve().parent.parent / "fixtures" / "password-pattern" / "mysql-alphanumeric.yaml")
    (tmp_path / "my stacks").mkdir()
    (tmp_path / "my stacks" / "db.yaml").write_text(source.read_text())
    (tmp_path / "bad.yaml").write_text("Resources: [\n")
    result = CliRunner().invoke(main, ["check", "--format", "sarif", "my stacks/db.yaml", "bad.yaml"])
    log = json.loads(result.stdout)
    jsonschema.validate(log, SCHEMA)
    run = log["runs"][0]
    changes = json.loads(CliRunner().invoke(main, ["check", "--format", "json", "my stacks/db.yaml"]).output)
    logged = changes["files"][0]["changes"]
    assert len(logged) > 1 and len(run["results"]) == 1  # several changes, one finding
    (res,) = run["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20stacks/db.yaml"
    assert len(res["relatedLocations"]) == len(logged) - 1
    assert re.fullmatch(r"[0-9a-f]{32}", res["partialFingerprints"]["cfnfixFinding/v1"])
    assert res["fixes"][0]["artifactChanges"][0]["replacements"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.yaml"
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "password-pattern")
    assert "## Why it matters" in rule["help"]["markdown"]


def test_reports_take_places_from_the_engine_not_a_second_parse(monkeypatch):
    """The engine records where every entry points in the original; reports parse nothing
    (issue 21: re-parsing every original for the text report cost a tenth of `check`)."""
    import cfnfix.report as report_mod
    from cfnfix.api import fix_text
    from cfnfix.report import entries, text_report
    from cfnfix.report_sarif import sarif_report

    result = fix_text(EXAMPLE, path="a.yaml")
    assert result.changes and set(result.places) == {anchor(c) for c in result.changes}
    expected = [(e.line, e.column) for e in entries(result)]

    def no_parse(*args, **kwargs):
        raise AssertionError("the report parsed the original again")

    monkeypatch.setattr(report_mod, "parse", no_parse)
    assert [(e.line, e.column) for e in entries(result)] == expected
    text_report([result], Context(check=True))
    sarif_report([result])
    # a result built without the engine's places still gets them, from one parse of the original
    monkeypatch.undo()
    bare = FileResult(result.path, result.status, changes=result.changes, before=result.before, after=result.after)
    assert [(e.line, e.column) for e in entries(bare)] == expected


def test_a_move_is_reported_where_the_author_wrote_the_value(tmp_path):
    """A rename is logged at the object holding the key (its path), the old and new keys in
    before/after; reports point at the misspelt key's value, not at the holder's first line."""
    template = tmp_path / "sg.yaml"
    template.write_text(
        "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n"
        "      SecurityGroupInress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}\n"
        "      Tags: [{Key: team, Vaule: web}]\n")
    result = CliRunner().invoke(main, ["check", "--select", "property-name", str(template)])
    assert [line.split(": ")[0] for line in result.output.splitlines() if "property-name" in line] == [
        f"{template}:7:9", f"{template}:8:33"]
    sarif = CliRunner().invoke(main, ["check", "--select", "property-name", "--format", "sarif", str(template)])
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in json.loads(sarif.output)["runs"][0]["results"]]
    assert [(r["startLine"], r["startColumn"]) for r in regions] == [(7, 9), (8, 33)]


def test_a_run_that_prints_and_writes_no_report_records_no_places(tmp_path, monkeypatch):
    """`-q` without a report to write leaves places out (the spans kept before the nodes move,
    and a walk to each place, for nobody to read), and without a diff to show, also each
    result's texts and changes (which a forked process would pickle); any report asked for has
    the changes, only a diff or a report that shows the fixes (Markdown, SARIF) the texts, and
    a report given a result without places finds the same ones itself."""
    import cfnfix.runner as runner_mod
    from cfnfix.api import fix_text
    from cfnfix.report import entries

    located = fix_text(EXAMPLE, path="a.yaml")
    bare = fix_text(EXAMPLE, path="a.yaml", locate=False)
    assert located.places and bare.places == {}
    assert (bare.after, bare.changes) == (located.after, located.changes)
    assert [(e.line, e.column) for e in entries(bare)] == [(e.line, e.column) for e in entries(located)]

    asked = []
    process = runner_mod.process

    def recording(path, explicit, job, stdin_bytes=None):
        asked.append((job.locate, job.details, job.texts))
        return process(path, explicit, job, stdin_bytes)

    monkeypatch.setattr(runner_mod, "process", recording)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(EXAMPLE)
    runs = [(["check", "-q"], (False, False, False)), (["check"], (True, True, False)),
            (["check", "-q", "--format", "json"], (True, True, False)),
            (["check", "-q", "--report", "sarif=out.sarif"], (True, True, True)),
            (["check", "--format", "markdown"], (True, True, True)),
            (["check", "-q", "--changelog", "log.json"], (True, True, False)),
            (["check", "-q", "--diff"], (False, True, True)), (["apply", "-q", "--dry-run"], (False, True, True))]
    for args, _ in runs:
        result = CliRunner().invoke(main, [args[0], "-j", "1", *args[1:], "a.yaml"])
        assert result.exit_code == 1, result.output
    assert asked == [expected for _, expected in runs]
    quiet = CliRunner().invoke(main, ["check", "-j", "1", "-q", "a.yaml"])
    assert (quiet.exit_code, quiet.output) == (1, "")


def test_sarif_replacements_follow_the_record_of_applied_edits():
    """Among equal lines the record says where a fix put the new one (first), as the diff shows
    it; without a record the search would put it last."""
    from cfnfix.changelog import Change
    from cfnfix.report_sarif import sarif_report

    change = Change("inline-lambda-handler", "Fn", ("Resources", "Fn"), "add", None, "k", "safe", "m")
    result = FileResult("t.yaml", "pending", before="k\nk\n", after="k\nk\nk\n", changes=[change], applied=[[(0, 0, 2)]])
    (fix,) = json.loads(sarif_report([result]))["runs"][0]["results"][0]["fixes"]
    assert fix["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"charOffset": 0, "charLength": 0}, "insertedContent": {"text": "k\n"}}]
    result.applied = None
    (fix,) = json.loads(sarif_report([result]))["runs"][0]["results"][0]["fixes"]
    assert fix["artifactChanges"][0]["replacements"][0]["deletedRegion"]["charOffset"] == 4
