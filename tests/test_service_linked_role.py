"""service-linked-role beyond the goldens: strategies, ids, the public ScalableTarget helper."""

import pytest

from cfnfix.document import parse
from cfnfix.edits import Editor, apply_edits
from cfnfix.fixer import OptionError
from cfnfix.fixers.service_linked_role import KNOWN_ROLES, ServiceLinkedRole, scalable_target_role_fix
from support import run_fixers

ECS_ARN = "arn:aws:iam::{acct}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"

TEMPLATE = """\
Resources:
  ECSServiceAutoScalingRole:
    Type: AWS::SNS::Topic
  ECSServiceAutoScalingRole2:
    Type: AWS::SNS::Topic
  A:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MaxCapacity: 2
      MinCapacity: 1
      ResourceId: service/c/a
      RoleARN: !Sub arn:aws:iam::${{AWS::AccountId}}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService
      ScalableDimension: ecs:service:DesiredCount
      ServiceNamespace: ecs
  B:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MaxCapacity: 2
      MinCapacity: 1
      ResourceId: service/c/b
      RoleARN: {literal}
      ScalableDimension: ecs:service:DesiredCount
      ServiceNamespace: ecs
"""


def fixed(strategy, literal=ECS_ARN.format(acct="123456789012")):
    text = TEMPLATE.format(literal=literal)
    return text, run_fixers(text, ["service-linked-role"], {"service-linked-role": {"strategy": strategy}})


def test_create_role_shares_one_collision_free_role():
    _, result = fixed("create-role")
    data = parse(result.after).data["Resources"]
    assert data["ECSServiceAutoScalingRole3"]["Type"] == "AWS::IAM::Role"
    assert data["A"]["Properties"]["RoleARN"] == data["B"]["Properties"]["RoleARN"] == {"Fn::GetAtt": ["ECSServiceAutoScalingRole3", "Arn"]}
    assert [c.action for c in result.changes] == ["replace", "replace", "add"]
    assert result.changes[-1].safety == "review"


def test_sub_arn_writes_partition_and_account():
    _, result = fixed("sub-arn")
    props = parse(result.after).data["Resources"]["B"]["Properties"]
    assert props["RoleARN"] == {"Fn::Sub": ECS_ARN.format(acct="${AWS::AccountId}").replace("arn:aws:", "arn:${AWS::Partition}:")}
    assert run_fixers(result.after, ["service-linked-role"]).changes == []


def test_omit_removes_the_scalable_target_property():
    _, result = fixed("omit")
    for rid in ("A", "B"):
        assert "RoleARN" not in parse(result.after).data["Resources"][rid]["Properties"]


def test_other_partitions_are_rewritten():
    _, result = fixed("sub-arn", ECS_ARN.format(acct="123456789012").replace("arn:aws:", "arn:aws-cn:"))
    assert "aws-cn" not in result.after


def test_unknown_service_linked_role_is_reported_not_guessed():
    text, result = fixed("create-role", "arn:aws:iam::123456789012:role/aws-service-role/example.amazonaws.com/AWSServiceRoleForExample")
    assert any("not one this fixer knows" in u.message for u in result.unfixed)
    assert "AWSServiceRoleForExample" in result.after


def test_unknown_strategy_is_an_option_error():
    with pytest.raises(OptionError):
        ServiceLinkedRole({"strategy": "guess"})


def test_known_roles_cover_the_services_the_issue_names():
    principals = set(KNOWN_ROLES)
    for service in ("ecs.application-autoscaling", "dynamodb.application-autoscaling", "spotfleet",
                    "elasticmapreduce", "elasticache.application-autoscaling", "rds.application-autoscaling"):
        assert f"{service}.amazonaws.com" in principals
    for known in KNOWN_ROLES.values():
        assert known.principal is None or bool(known.managed_policy) != bool(known.actions)
        assert not (known.managed_policy or "").startswith("aws-service-role/")  # not attachable to customer roles


MISSING = """\
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MaxCapacity: 2
      MinCapacity: 1
      ResourceId: table/t
      ScalableDimension: dynamodb:table:ReadCapacityUnits
      ServiceNamespace: dynamodb
"""


@pytest.mark.parametrize("strategy,expected", [
    ("create-role", {"Fn::GetAtt": ["DynamoDBAutoScalingRole", "Arn"]}),
    ("sub-arn", {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"}),
    ("omit", None),
])
def test_scalable_target_role_fix_for_a_missing_role(strategy, expected):
    doc = parse(MISSING)
    editor = Editor(doc)
    assert scalable_target_role_fix(editor, "Target", strategy) == expected
    after = parse(apply_edits(doc.text, editor.edits())).data["Resources"]
    assert after["Target"]["Properties"].get("RoleARN") == expected
    assert ("DynamoDBAutoScalingRole" in after) == (strategy == "create-role")


def test_render_keeps_long_tagged_scalar_on_one_line():
    """Engine regression: a long !Sub string stays on its line instead of turning into a |- block."""
    _, result = fixed("sub-arn")
    assert "!Sub |-" not in result.after
    assert "RoleARN: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/" in result.after


def test_auto_omits_scalable_target_roles_and_creates_the_rest():
    _, result = fixed("auto")
    data = parse(result.after).data["Resources"]
    assert all("RoleARN" not in data[r]["Properties"] for r in ("A", "B"))
    assert not any(r["Type"] == "AWS::IAM::Role" for r in data.values())
    assert all("property is optional" in c.message for c in result.changes)


def test_auto_is_the_default():
    assert ServiceLinkedRole().config["strategy"] == "auto"


CONFIG = """\
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '1'
      AvailabilityZones: !GetAZs ''
      LaunchConfigurationName: lc
      ServiceLinkedRoleARN: arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling
"""


def test_auto_gives_a_config_recorder_a_role_with_aws_config_role_and_unknown_roles_a_portable_arn():
    result = run_fixers(CONFIG, ["service-linked-role"])
    data = parse(result.after).data["Resources"]
    role = data["ConfigRecorderRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWS_ConfigRole"}]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "config.amazonaws.com"}
    assert data["Recorder"]["Properties"]["RoleARN"] == {"Fn::GetAtt": ["ConfigRecorderRole", "Arn"]}
    assert data["Group"]["Properties"]["ServiceLinkedRoleARN"]["Fn::Sub"].startswith("arn:${AWS::Partition}:iam::${AWS::AccountId}:")
    assert any("must exist in the account" in c.message for c in result.changes)
    assert not result.unfixed


def test_sub_arn_still_keeps_the_config_service_linked_role():
    result = run_fixers(CONFIG, ["service-linked-role"], {"service-linked-role": {"strategy": "sub-arn"}})
    assert "ConfigRecorderRole" not in parse(result.after).data["Resources"]


def test_role_properties_are_those_of_each_resource_object():
    """The role properties a resource holds are kept per resource object (``memo.entrywise``):
    the same document gives the same findings again, another resource under the same id its own."""
    fixer = ServiceLinkedRole()
    text = TEMPLATE.format(literal=ECS_ARN.format(acct="123456789012"))
    doc = parse(text)
    first = [(f.resource, f.message) for f in fixer.find(doc)]
    assert first == [("A", "service-linked role ARN with the partition written out"),
                     ("B", "service-linked role ARN with the partition and account id written out")]
    assert [(f.resource, f.message) for f in fixer.find(doc)] == first
    portable = text.replace("RoleARN: arn:aws:iam::123456789012:", "RoleARN: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:")
    assert [(f.resource, f.message) for f in fixer.find(parse(portable))] == first[:1]
