"""The qa fixers of issue 18: options, reported cases and second files that fixtures do not show."""

from pathlib import Path

from click.testing import CliRunner

from cfnfix.cli import main
from cfnfix.config import Config
from cfnfix.document import parse
from cfnfix.engine import fix_document
from support import AS_OF, FIXTURES, run_fixers

RECORDER = """\
Parameters:
  CreateConfigRecorder:
    Type: String
    Default: 'no'
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/config
"""


def test_config_singletons_refuses_a_parameter_of_its_name_that_is_no_switch():
    result = run_fixers(RECORDER, ["config-singletons"])
    assert result.after == RECORDER
    assert "parameter CreateConfigRecorder exists and is not a true/false switch" in result.unfixed[0].message


def test_config_singletons_parameter_option_and_existing_switch_condition():
    text = RECORDER.replace("Default: 'no'", "Default: 'false'\n    AllowedValues: ['true', 'false']").replace(
        "CreateConfigRecorder", "WithConfig")
    text = text.replace("Resources:", "Conditions:\n  ConfigOn: !Equals ['true', !Ref WithConfig]\nResources:")
    result = run_fixers(text, ["config-singletons"], {"config-singletons": {"parameter": "WithConfig"}})
    assert [(c.path, c.after) for c in result.changes] == [(("Resources", "Recorder", "Condition"), "ConfigOn")]


def test_config_singletons_rule_message_says_it_works_with_an_existing_recorder():
    text = (FIXTURES / "config-singletons" / "recorder.yaml").read_text()
    result = run_fixers(text, ["config-singletons"])
    message = next(c.message for c in result.changes if c.path == ("Resources", "S3VersioningRule", "DependsOn"))
    assert message == ("DependsOn on ConfigRecorder removed from S3VersioningRule: it may not exist "
                       "(see CreateConfigRecorder); it works with the account's existing recorder")


def test_review_fixes_are_withheld_without_unsafe_fixes():
    text = (FIXTURES / "nat-gateways" / "three-azs.yaml").read_text()
    result = run_fixers(text, ["nat-gateways"], unsafe_fixes=False)
    assert result.after == text and result.available


def test_nat_gateways_single_needs_two_and_conditions_must_agree():
    text = (FIXTURES / "nat-gateways" / "one-nat.yaml").read_text()
    assert not run_fixers(text, ["nat-gateways"]).unfixed
    two = ("Conditions:\n  Never: !Equals [a, b]\n" + text + "  Nat2:\n    Type: AWS::EC2::NatGateway\n"
           "    Condition: Never\n    Properties:\n      ConnectivityType: private\n      SubnetId: subnet-0123456789abcdef0\n")
    result = run_fixers(two, ["nat-gateways"])
    assert result.after == two
    assert result.unfixed[0].message.endswith("not changed: the NAT gateways have different Conditions")


def test_nat_gateways_endpoints_mode_on_a_single_nat():
    text = (FIXTURES / "nat-gateways" / "one-nat.yaml").read_text()
    result = run_fixers(text, ["nat-gateways"], {"nat-gateways": {"mode": "endpoints"}})
    assert [c.path for c in result.changes] == [("Resources", "Nat"), ("Resources", "Eip")]
    assert "AWS::EC2::NatGateway" not in result.after


def test_az_count_option_keeps_three():
    text = (FIXTURES / "az-count" / "three-azs.yaml").read_text()
    assert run_fixers(text, ["az-count"], {"az-count": {"count": 3}}).after == text


def test_az_count_never_leaves_a_subnet_list_with_one_item():
    text = (FIXTURES / "az-count" / "instance-in-third.yaml").read_text()
    text = text.replace("  Instance3:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n"
                        "      InstanceType: t3.micro\n      SubnetId: !Ref Subnet3\n",
                        "  Db:\n    Type: AWS::RDS::DBSubnetGroup\n    Properties:\n      DBSubnetGroupDescription: db\n"
                        "      SubnetIds: [!Ref Subnet1, !Ref Subnet3]\n")
    result = run_fixers(text, ["az-count"])
    assert result.after == text
    assert result.unfixed[0].message.endswith("would keep 1 item of 2; its consumer needs 2 AZs")


def _macro_case(tmp_path: Path) -> Path:
    target = tmp_path / "app.yaml"
    target.write_text((FIXTURES / "macro-split" / "upper.yaml").read_text())
    return target


def test_macro_split_writes_the_macro_stack_beside_the_template(tmp_path):
    target = _macro_case(tmp_path)
    out = CliRunner().invoke(main, ["apply", "--unsafe-fixes", "--show-fixes", "--select", "macro-split", str(target)])
    assert out.exit_code == 0, out.output
    macro = tmp_path / "app.macro.yaml"
    assert "moved to app.macro.yaml" in out.output
    companion = parse(macro.read_text())
    assert list(companion.resources) == ["UpperRole", "UpperFunction", "UpperLogGroup", "UpperMacro"]
    assert list(companion.data["Parameters"]) == ["LogRetention"]
    assert companion.data["Description"] == "Macro Upper used by app.yaml; deploy this stack first"
    assert "UpperMacro" not in parse(target.read_text()).resources
    second = CliRunner().invoke(main, ["apply", "--unsafe-fixes", "--select", "macro-split", str(tmp_path)])
    assert second.exit_code == 0 and "fixed" not in second.output.split("checked:")[-1]


def test_macro_split_check_writes_nothing_and_stdin_is_refused(tmp_path):
    target = _macro_case(tmp_path)
    out = CliRunner().invoke(main, ["check", "--unsafe-fixes", "--select", "macro-split", str(target)])
    assert out.exit_code == 1 and not (tmp_path / "app.macro.yaml").exists()
    piped = CliRunner().invoke(main, ["apply", "--unsafe-fixes", "--select", "macro-split", "-"], input=target.read_text())
    assert piped.exit_code == 2 and "not stdin" in piped.output


def test_macro_split_without_unsafe_fixes_writes_no_second_file(tmp_path):
    target = _macro_case(tmp_path)
    before = target.read_text()
    out = CliRunner().invoke(main, ["apply", "--select", "macro-split", str(target)])
    assert out.exit_code == 0, out.output
    assert target.read_text() == before and not (tmp_path / "app.macro.yaml").exists()


def test_stackset_to_stack_reads_a_local_template_file(tmp_path):
    (tmp_path / ".git").mkdir()  # the project root: child templates are read only inside it
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "topic.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    text = ("Resources:\n  Alerts:\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n"
            "      StackSetName: alerts\n      PermissionModel: SELF_MANAGED\n      TemplateURL: sets/topic.yaml\n")
    parent = tmp_path / "app.yaml"
    parent.write_text(text)
    result = fix_document(parse(text), ["stackset-to-stack"], Config(unsafe_fixes=True, as_of=AS_OF), str(parent))
    assert result.after == "Resources:\n  AlertsTopic:\n    Type: AWS::SNS::Topic\n"
    assert result.changes[0].message == ("stack set replaced by the 1 resource of sets/topic.yaml, ids prefixed with Alerts; "
                                         "StackSetName, PermissionModel of the StackSet resource have no equivalent and are dropped")
