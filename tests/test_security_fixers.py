"""The security group: Checkov ids in docs and messages, options, report-don't-change cases,
shared resources created once, and review fixes held back without --unsafe-fixes."""

from __future__ import annotations

import re

import pytest

from cfnfix.docs import render_docs
from cfnfix.document import parse
from cfnfix.fixer import OptionError
from cfnfix.registry import all_fixers
from support import assert_fix_guarantees, run_fixers

SECURITY = [name for name, cls in all_fixers().items() if cls.group == "security"]


def run(text: str, names, options=None, unsafe=True):
    names = [names] if isinstance(names, str) else names
    result = run_fixers(text, names, options, unsafe_fixes=unsafe)
    assert result.status != "error", result.error
    return result


@pytest.mark.parametrize("name", SECURITY)
def test_docs_name_the_checkov_checks_and_default_is_off(name):
    cls = all_fixers()[name]
    assert not cls.default
    assert re.search(r"^Checkov: `?CKV_AWS_\d+", render_docs(cls), re.M), f"{name}: no 'Checkov:' line"


def test_every_fix_message_names_its_checkov_check():
    text = """\
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {Version: '2012-10-17', Statement: []}}}
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic}
  Logs: {Type: AWS::Logs::LogGroup}
  Trail: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}
"""
    storage_and_logs = [n for n in SECURITY if n.startswith(("s3-", "kms-", "sqs-", "sns-", "log-group-", "cloudtrail-"))]
    result = run(text, storage_and_logs)
    per_finding = [c for c in result.changes if c.path[-1] not in ("AccessLogsBucket", "AccessLogsBucketPolicy")]
    assert {c.fixer for c in result.changes} == set(storage_and_logs)
    for change in per_finding:
        assert "(Checkov CKV_AWS_" in change.message, change


def test_review_fixes_wait_for_unsafe_fixes_and_safe_ones_do_not():
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Key:\n    Type: AWS::KMS::Key\n"
    result = run(text, ["s3-versioning", "kms-key-rotation"], unsafe=False)
    assert [c.fixer for c in result.changes] == ["kms-key-rotation"]
    assert [c.fixer for c in result.available] == ["s3-versioning"]


def test_public_access_block_reads_bucket_policies_by_literal_name():
    text = """\
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties: {BucketName: my-site}
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: my-site
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: ['*']}, Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-site/*'}
"""
    result = run(text, "s3-public-access-block")
    assert result.after == text
    assert "SitePolicy grants access to anyone" in result.unfixed[0].message


def test_public_access_block_deny_statements_and_restricted_grants_are_not_public():
    text = """\
Resources:
  Data:
    Type: AWS::S3::Bucket
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - {Effect: Deny, Principal: '*', Action: 's3:*', Resource: '*', Condition: {Bool: {aws:SecureTransport: false}}}
          - {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: {StringEquals: {aws:PrincipalOrgID: o-abc}}}
"""
    result = run(text, "s3-public-access-block")
    assert [c.resource for c in result.changes] == ["Data"]


def test_access_logging_creates_one_log_bucket_and_never_logs_it():
    text = "Resources:\n" + "".join(f"  B{i}:\n    Type: AWS::S3::Bucket\n" for i in range(3))
    result = run(text, "s3-access-logging")
    data = parse(result.after).data["Resources"]
    assert [r for r, v in data.items() if v["Type"] == "AWS::S3::Bucket" and "LoggingConfiguration" not in v.get("Properties", {})] == ["AccessLogsBucket"]
    assert sum(1 for v in data.values() if v["Type"] == "AWS::S3::BucketPolicy") == 1
    assert {data[f"B{i}"]["Properties"]["LoggingConfiguration"]["LogFilePrefix"] for i in range(3)} == {"B0/", "B1/", "B2/"}
    assert_fix_guarantees(text, result.after, result.changes, ["s3-access-logging"])


def test_access_logging_with_a_taken_id_picks_a_fresh_one():
    text = "Resources:\n  AccessLogsBucket:\n    Type: AWS::SNS::Topic\n  Data:\n    Type: AWS::S3::Bucket\n"
    result = run(text, "s3-access-logging")
    assert parse(result.after).data["Resources"]["Data"]["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket2"}


def test_access_logging_skips_a_conditional_log_bucket_for_reuse():
    text = """\
Conditions:
  C: !Equals [a, b]
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Condition: C
    Properties: {AccessControl: LogDeliveryWrite}
  App:
    Type: AWS::S3::Bucket
    Condition: C
    Properties: {LoggingConfiguration: {DestinationBucketName: !Ref Logs}}
  Media:
    Type: AWS::S3::Bucket
"""
    result = run(text, "s3-access-logging")
    media = parse(result.after).data["Resources"]["Media"]
    assert media["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}


def test_log_group_retention_option_accepts_only_cloudwatch_values():
    text = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    result = run(text, "log-group-retention", {"log-group-retention": {"days": "731"}})
    assert parse(result.after).data["Resources"]["Logs"]["Properties"]["RetentionInDays"] == 731
    with pytest.raises(OptionError):
        all_fixers()["log-group-retention"]({"days": 100})


def test_sqs_aws_managed_key_is_review_and_sqs_managed_is_safe():
    text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
    managed = run(text, "sqs-encryption", {"sqs-encryption": {"key": "sqs-managed"}}, unsafe=False)
    assert [(c.after, str(c.safety)) for c in managed.changes] == [(True, "safe")]
    for key in ("auto", "aws-managed"):
        kms = run(text, "sqs-encryption", {"sqs-encryption": {"key": key}}, unsafe=False)
        assert not kms.changes and [(c.after, str(c.safety)) for c in kms.available] == [("alias/aws/sqs", "review")]
    assert all_fixers()["sqs-encryption"]().config["key"] == "auto"
    with pytest.raises(OptionError):
        all_fixers()["sqs-encryption"]({"key": "mine"})


def test_sqs_auto_keeps_queues_services_send_to_on_sqs_managed_keys():
    text = """\
Resources:
  Topic: {Type: AWS::SNS::Topic}
  FromTopic: {Type: AWS::SQS::Queue}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties: {Protocol: sqs, TopicArn: !Ref Topic, Endpoint: !GetAtt FromTopic.Arn}
  Policied: {Type: AWS::SQS::Queue}
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Policied]
      PolicyDocument: !If [C, {Statement: []}, !Ref AWS::NoValue]
  Private: {Type: AWS::SQS::Queue}
  Sender:
    Type: AWS::Lambda::Function
    Properties: {Environment: {Variables: {QUEUE: !Ref Private}}}
"""
    safe_only = run(text, "sqs-encryption", unsafe=False)
    assert {(c.resource, c.path[-1], str(c.safety)) for c in safe_only.changes} == {
        ("FromTopic", "SqsManagedSseEnabled", "safe"), ("Policied", "SqsManagedSseEnabled", "safe")}
    assert [(c.resource, c.after) for c in safe_only.available] == [("Private", "alias/aws/sqs")]
    by_queue = {c.resource: c for c in run(text, "sqs-encryption").changes}
    assert by_queue["Private"].after == "alias/aws/sqs" and str(by_queue["Private"].safety) == "review"
    assert "Subscription (AWS::SNS::Subscription) sends to it" in by_queue["FromTopic"].message
    assert "Policy is a policy built with intrinsics" in by_queue["Policied"].message
    aws_managed = run(text, "sqs-encryption", {"sqs-encryption": {"key": "aws-managed"}})
    assert {u.resource for u in aws_managed.unfixed} == {"FromTopic", "Policied"}


def test_sns_topic_used_as_custom_resource_token_is_reported():
    text = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: !Ref Topic
"""
    result = run(text, "sns-encryption")
    assert result.after == text
    assert "Custom (Custom::Thing) sends to it" in result.unfixed[0].message


def test_log_group_encryption_key_is_shared_and_created_once():
    text = "Resources:\n" + "".join(f"  L{i}:\n    Type: AWS::Logs::LogGroup\n" for i in range(3))
    result = run(text, "log-group-encryption")
    data = parse(result.after).data["Resources"]
    assert [r for r, v in data.items() if v["Type"] == "AWS::KMS::Key"] == ["LogsKey"]
    assert "DeletionPolicy" not in data["LogsKey"]
    assert all(data[f"L{i}"]["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]} for i in range(3))
    assert_fix_guarantees(text, result.after, result.changes, ["log-group-encryption"])


@pytest.mark.parametrize("name", SECURITY)
def test_odd_but_valid_input_never_raises(name):
    text = """\
Resources:
  A: {Type: !Ref X}
  B: {Type: AWS::S3::Bucket, Properties: [1, 2]}
  C: {Type: AWS::KMS::Key, Properties: {KeySpec: [x]}}
  D: {Type: AWS::SNS::Topic, Properties: {Fn::If: [c, {}, {}]}}
  E: {Type: AWS::S3::BucketPolicy, Properties: {Bucket: !Ref B, PolicyDocument: {Statement: {Effect: Allow, Principal: '*'}}}}
  F: {Type: AWS::Logs::LogGroup, Properties: null}
  G: AWS::CloudTrail::Trail
"""
    result = run_fixers(text, [name])
    assert not result.fixer_errors, result.fixer_errors


def test_log_group_encryption_does_not_reuse_a_key_scoped_to_one_log_group():
    text = """\
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: logs.amazonaws.com}
            Action: kms:*
            Resource: '*'
            Condition:
              ArnEquals:
                kms:EncryptionContext:aws:logs:arn: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/one'
  Logs:
    Type: AWS::Logs::LogGroup
"""
    result = run(text, "log-group-encryption")
    assert parse(result.after).data["Resources"]["Logs"]["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]}


def test_sqs_an_alarm_on_queue_depth_is_no_sender():
    text = """\
Resources:
  Dlq: {Type: AWS::SQS::Queue}
  DlqDepth:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !GetAtt Dlq.QueueName}]
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
"""
    result = run(text, "sqs-encryption")
    assert [(c.resource, c.after) for c in result.changes] == [("Dlq", "alias/aws/sqs")]
