"""The engine's promises: review fixes only when asked, one finding = one fix, a failing fixer
loses only its own findings, and check agrees with apply."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfnfix.changelog import Safety
from cfnfix.cli import main
from cfnfix.config import Config
from cfnfix.document import parse
from cfnfix.edits import Editor
from cfnfix.engine import fix_document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.registry import all_fixers


class QueueSettings(Fixer):
    """Test fixer: two findings per queue, a safe one and a review one, both under Properties."""

    name = "zz-queue-settings"
    summary = "Test fixer"
    group = "qa"
    safety = Safety.SAFE
    default = False
    WANTED = (("DelaySeconds", 5, Safety.SAFE), ("MessageRetentionPeriod", 60, Safety.REVIEW))

    def find(self, doc):
        out = []
        for rid, res in doc.resources_of_type("AWS::SQS::Queue"):
            props = res.get("Properties") or {}
            for key, value, safety in self.WANTED:
                if key not in props:
                    out.append(Finding(rid, ("Resources", rid, "Properties", key), f"{key} missing", detail=(value, safety)))
        return out

    def fix(self, doc, findings):
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, f.detail[0])
                changes.append(self.change(f, "add", None, f.detail[0], f.message, safety=f.detail[1]))
        return Fix.of(editor, changes)


class Broken(Fixer):
    """Test fixer that raises on every template."""

    name = "zz-broken"
    summary = "Test fixer that fails"
    group = "qa"
    safety = Safety.SAFE
    default = False

    def find(self, doc):
        raise KeyError("Properties")


@pytest.fixture
def fixers(monkeypatch):
    monkeypatch.setitem(all_fixers(), QueueSettings.name, QueueSettings)
    monkeypatch.setitem(all_fixers(), Broken.name, Broken)


def run(text: str, names: list[str], unsafe: bool = True):
    return fix_document(parse(text), names, Config(unsafe_fixes=unsafe))


BARE = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
"""


def test_findings_adding_the_same_key_are_applied_one_pass_after_the_other(fixers):
    result = run(BARE, [QueueSettings.name])
    assert result.after == BARE + "    Properties:\n      DelaySeconds: 5\n      MessageRetentionPeriod: 60\n"
    assert [(c.path[-1], c.safety) for c in result.changes] == [
        ("DelaySeconds", Safety.SAFE), ("MessageRetentionPeriod", Safety.REVIEW)]
    assert not result.unfixed


def test_review_fixes_are_listed_not_written_unless_asked(fixers):
    result = run(BARE, [QueueSettings.name], unsafe=False)
    assert result.after == BARE + "    Properties:\n      DelaySeconds: 5\n"
    assert [c.path[-1] for c in result.changes] == ["DelaySeconds"]
    assert [(c.path[-1], c.safety) for c in result.available] == [("MessageRetentionPeriod", Safety.REVIEW)]
    assert result.to_json()["available"][0]["safety"] == "review"


ANCHORED = """\
Resources:
  First:
    Type: AWS::SQS::Queue
    Properties: &shared
      VisibilityTimeout: 30
  Second:
    Type: AWS::SQS::Queue
    Properties: *shared
  Third:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
"""


def test_an_anchor_conflict_costs_only_that_finding(fixers):
    result = run(ANCHORED, [QueueSettings.name])
    assert {c.resource for c in result.changes} == {"Third"}
    assert result.after.endswith("      VisibilityTimeout: 30\n      DelaySeconds: 5\n      MessageRetentionPeriod: 60\n")
    assert {(u.resource, u.message) for u in result.unfixed} >= {
        ("First", "DelaySeconds missing (not fixed: mapping is shared through a YAML anchor; not edited)")}


def test_a_failing_fixer_loses_only_its_own_findings(fixers):
    result = run(BARE, [Broken.name, QueueSettings.name])
    assert [c.fixer for c in result.changes] == [QueueSettings.name] * 2
    assert [e.message for e in result.fixer_errors] == ["zz-broken: internal error (KeyError: 'Properties')"]
    assert "Traceback" in result.fixer_errors[0].trace
    assert result.to_json()["errors"] == [{"fixer": "zz-broken", "error": "zz-broken: internal error (KeyError: 'Properties')"}]


def _cli(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_writes_other_fixes_and_exits_2_when_a_fixer_fails(fixers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text(BARE)
    result = _cli("apply", "--select", f"{Broken.name},{QueueSettings.name}", "--changelog", "log.json", "q.yaml")
    assert result.exit_code == 2
    assert "cfnfix: q.yaml: zz-broken: internal error (KeyError: 'Properties')\n" in result.stderr
    assert "Traceback" not in result.stderr
    assert Path("q.yaml").read_text() == BARE + "    Properties:\n      DelaySeconds: 5\n"
    log = json.loads(Path("log.json").read_text())
    assert log["files"][0]["errors"] == [{"fixer": "zz-broken", "error": "zz-broken: internal error (KeyError: 'Properties')"}]
    verbose = _cli("check", "-v", "--select", Broken.name, "q.yaml")
    assert "Traceback (most recent call last)" in verbose.stderr


def test_check_fails_exactly_when_apply_would_write(fixers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    only_review = BARE + "    Properties:\n      DelaySeconds: 1\n"
    Path("q.yaml").write_text(only_review)
    check = _cli("check", "--select", QueueSettings.name, "q.yaml")
    assert check.exit_code == 0
    assert "1 review fix available, not applied: use --unsafe-fixes (or unsafe-fixes = true in the config) to write them" in check.output
    assert _cli("apply", "--select", QueueSettings.name, "q.yaml").exit_code == 0
    assert Path("q.yaml").read_text() == only_review
    assert _cli("check", "--select", QueueSettings.name, "--unsafe-fixes", "q.yaml").exit_code == 1
    assert _cli("apply", "--select", QueueSettings.name, "--unsafe-fixes", "q.yaml").exit_code == 0
    assert Path("q.yaml").read_text() == only_review + "      MessageRetentionPeriod: 60\n"
    assert _cli("check", "--select", QueueSettings.name, "--unsafe-fixes", "q.yaml").exit_code == 0


def test_unsafe_fixes_from_the_config_file(fixers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text(BARE)
    Path(".cfnfix.toml").write_text(f'select = ["{QueueSettings.name}"]\nunsafe-fixes = true\n')
    assert _cli("apply", "q.yaml").exit_code == 0
    assert "MessageRetentionPeriod: 60" in Path("q.yaml").read_text()


def test_group_names_select_their_fixers(fixers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text(BARE)
    assert _cli("check", "--select", "qa", "--ignore", Broken.name, "q.yaml").exit_code == 1
    assert _cli("check", "--select", "deploy", "q.yaml").exit_code == 0


RUNTIME = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.9
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/x
      Code:
        S3Bucket: b
        S3Key: k
"""


def test_default_apply_changes_no_runtime_and_all_does(tmp_path, monkeypatch):
    """The pre-commit hook runs plain `cfnfix apply`: lambda-runtime is a review fixer."""
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text(RUNTIME)
    plain = _cli("apply", "--ignore-non-templates", "--as-of", "2026-12-01", "f.yaml")
    assert plain.exit_code == 0
    assert Path("f.yaml").read_text() == RUNTIME
    assert "1 review fix available, not applied" in plain.output
    assert _cli("apply", "--all", "--as-of", "2026-12-01", "f.yaml").exit_code == 0
    assert "Runtime: python3.11" in Path("f.yaml").read_text()  # the nearest supported successor


def test_as_of_fixes_the_day_deprecations_are_judged_at(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text(RUNTIME)
    runtime = ("--select", "lambda-runtime", "--unsafe-fixes")
    assert _cli("check", *runtime, "--as-of", "2025-01-01", "f.yaml").exit_code == 0  # python3.9 not yet deprecated
    assert _cli("check", *runtime, "--as-of", "2026-01-01", "f.yaml").exit_code == 1
    Path(".cfnfix.toml").write_text("as-of = 2025-01-01\n")
    assert _cli("check", *runtime, "f.yaml").exit_code == 0
    bad = _cli("check", *runtime, "--as-of", "soon", "f.yaml")
    assert (bad.exit_code, bad.stderr) == (2, "cfnfix: --as-of must be a day as YYYY-MM-DD, not 'soon'\n")


def test_a_fixer_judges_at_today_unless_told_a_day():
    """``as_of`` is read when first asked: today by default, the day the engine sets otherwise."""
    fixer = all_fixers()["lambda-runtime"]()
    assert fixer.as_of == date.today()
    told = all_fixers()["lambda-runtime"]()
    told.as_of = date(2025, 1, 1)
    assert told.as_of == date(2025, 1, 1)


_ONE_ZONE_ALB = """Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  PublicSubnet1:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: us-east-1a
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets:
        - !Ref PublicSubnet1
"""


def test_a_problem_a_later_round_fixes_is_not_reported_as_not_fixed():
    """required-property cannot twin a subnet whose zone is a literal (round 1); hardcoded-az then
    writes the zone as Fn::GetAZs, and round 2 adds the twin: the report must not still say
    "not fixed"."""
    from cfnfix.api import fix_text

    result = fix_text(_ONE_ZONE_ALB, select=("required-property", "hardcoded-az"), unsafe_fixes=True)
    assert "PublicSubnet2" in result.after
    assert any(c.fixer == "required-property" and c.path[:4] == ("Resources", "LoadBalancer", "Properties", "Subnets")
               for c in result.changes)
    assert [p.message for p in result.unfixed if p.fixer == "required-property"] == []


class Counting(Fixer):
    """Test fixer that finds nothing and records each instance built and each document read."""

    name = "zz-counting"
    summary = "Test fixer that counts"
    group = "qa"
    safety = Safety.SAFE
    default = False
    built: list = []
    read: list = []

    def __init__(self, options=None):
        super().__init__(options)
        self.built.append(self)

    def find(self, doc):
        self.read.append((self, doc.text))
        return []


def test_a_fixer_is_built_once_per_template_and_runs_again_in_a_later_round(fixers, monkeypatch):
    """The engine keeps one instance per fixer for a template: round 2 runs the same instance on
    the document a later fixer made (the Fixer docstring's contract: state is set afresh in the
    call that uses it)."""
    monkeypatch.setitem(all_fixers(), Counting.name, Counting)
    monkeypatch.setattr(Counting, "built", [])
    monkeypatch.setattr(Counting, "read", [])
    result = run(BARE, [Counting.name, QueueSettings.name])
    assert Counting.read == [(Counting.built[0], BARE), (Counting.built[0], result.after)]
    assert len(Counting.built) == 1


class DropName(Fixer):
    """Test fixer: removes every queue's QueueName."""

    name = "zz-drop-name"
    summary = "Test fixer that removes a value"
    group = "qa"
    safety = Safety.SAFE
    default = False

    def find(self, doc):
        return [Finding(rid, ("Resources", rid, "Properties", "QueueName"), "QueueName set")
                for rid, res in doc.resources_of_type("AWS::SQS::Queue") if "QueueName" in (res.get("Properties") or {})]

    def fix(self, doc, findings):
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                editor.remove(f.path)
                changes.append(self.change(f, "remove", doc.value(f.path), None, f.message))
        return Fix.of(editor, changes)


class StarPolicy(QueueSettings):
    """Test fixer: sets a value that YAML must quote."""

    name = "zz-star-policy"
    WANTED = (("RedriveAllowPolicy", "*", Safety.SAFE),)


def test_new_content_takes_the_style_of_the_text_it_goes_into_not_of_the_text_before_the_last_fix(monkeypatch):
    """The style is read again off each document a fix makes: the first fix removes the file's
    only double-quoted scalar, so the next one quotes as a file without any quotes does (a style
    carried over from the document before would write "*")."""
    for cls in (DropName, StarPolicy):
        monkeypatch.setitem(all_fixers(), cls.name, cls)
    text = BARE + '    Properties:\n      QueueName: "jobs"\n      DelaySeconds: 5\n'
    result = run(text, [DropName.name, StarPolicy.name])
    assert result.after == BARE + "    Properties:\n      DelaySeconds: 5\n      RedriveAllowPolicy: '*'\n"


def test_a_detached_change_keeps_every_field_but_its_owner_and_takes_its_number():
    """_detached builds the Change field by field (cheaper than dataclasses.replace): a field
    added to Change must be carried over too, or this fails."""
    import dataclasses

    from cfnfix.changelog import Change
    from cfnfix.engine import _detached

    values = {f.name: object() for f in dataclasses.fields(Change)}
    detached = _detached(Change(**values), 7)
    for f in dataclasses.fields(Change):
        expected = {"owner": None, "finding": 7}.get(f.name, values[f.name])
        assert getattr(detached, f.name) is expected, f.name
