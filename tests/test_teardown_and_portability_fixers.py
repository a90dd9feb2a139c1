"""Issue 18 fixers: retain-policy, unique-names, hardcoded-ami (qa); hardcoded-partition, hardcoded-az
(deploy); dynamodb-pitr, rds-backup-retention (data-protection). Options, report cases and
messages the golden fixtures do not show."""

from __future__ import annotations

import re

import pytest

from cfnfix.document import parse
from cfnfix.fixer import OptionError
from cfnfix.names import occurs_in
from cfnfix.registry import all_fixers
from support import run_fixers

HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"


def fix(text: str, name: str, options: dict | None = None, unsafe: bool = True):
    return run_fixers(text, [name], {name: options} if options else None, unsafe_fixes=unsafe)


def messages(result) -> list[str]:
    return [u.message for u in result.unfixed]


# ---------------------------------------------------------------- hardcoded-partition

def test_partition_escapes_dollar_braces_and_is_safe():
    text = HEAD + """Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::bucket/${aws:username}/*
"""
    result = fix(text, "hardcoded-partition", unsafe=False)  # safe: written without --unsafe-fixes
    assert "Resource: !Sub arn:${AWS::Partition}:s3:::bucket/${!aws:username}/*\n" in result.after


def test_string_sites_containing_a_word_are_the_sites_that_hold_it():
    """``containing`` may only leave out sites whose text lacks the word: plain strings, Fn::Sub
    templates, strings in Sub variables and in Join/If arguments, each in the walk's order."""
    from cfnfix.literals import string_sites

    value = parse(
        "Resources: {}\nProperties:\n"
        "  A: arn:aws:s3:::x\n"
        "  B: [plain, !Sub 'arn:aws:iam::${AWS::AccountId}:root', !Join [':', [arn, aws, 'arn:aws:sns']]]\n"
        "  C: !Sub ['${X}', {X: !If [Cond, 'arn:aws:sqs', other]}]\n"
        "  D: {E: arn:aws-cn:s3:::y, F: !Ref Thing}\n").data["Properties"]
    every = string_sites(value, ("P",))
    assert string_sites(value, ("P",), containing="arn:aws:") == [s for s in every if "arn:aws:" in s.text]
    assert len(string_sites(value, ("P",), containing="arn:aws:")) == 4 and len(every) == 10

def test_partition_skips_code_prose_metadata_mappings_and_other_partitions():
    text = HEAD + """Description: 'uses arn:aws:s3:::x'
Mappings:
  M:
    us-east-1: {Arn: 'arn:aws:sns:us-east-1:1:t'}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Metadata:
      Source: arn:aws:s3:::code
    Properties:
      Description: reads arn:aws:s3:::x
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws-cn:iam::123456789012:role/r
      Code:
        ZipFile: "X = 'arn:aws:s3:::x'"
"""
    assert fix(text, "hardcoded-partition").after == text


# ---------------------------------------------------------------- hardcoded-az

@pytest.mark.parametrize("names,expected", [
    ({"us-east-1a", "us-east-1b"}, {"us-east-1a": 0, "us-east-1b": 1}),
    ({"us-east-1c"}, {"us-east-1c": 2}),
    ({"us-east-1a", "us-east-1d", "us-east-1f"}, {"us-east-1a": 0, "us-east-1d": 1, "us-east-1f": 2}),
    ({"us-east-1a", "us-west-2a"}, {"us-east-1a": 0, "us-west-2a": 1}),
])
def test_az_indexes_stay_distinct_and_consistent(names, expected):
    from cfnfix.fixers.hardcoded_az import indexes

    assert indexes(names) == expected


def test_az_leaves_local_zones_ids_and_other_keys():
    text = HEAD + """Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: us-west-2-lax-1a
      Tags:
        - {Key: zone, Value: us-west-2a}
  Other:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
      CidrBlock: 10.0.1.0/24
      AvailabilityZoneId: use1-az1
"""
    assert fix(text, "hardcoded-az").after == text


@pytest.mark.parametrize("zone", ['us-east-1\\x61', 'us-east-\\\n        1a'])
def test_az_text_check_does_not_skip_a_zone_written_through_an_escape(zone):
    """The zone's tail (-east-1a) is not in the text; the pre-check must still let the walk run."""
    text = HEAD + f"""Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: "{zone}"
"""
    assert "-east-1a" not in text
    assert parse(text).data["Resources"]["Subnet"]["Properties"]["AvailabilityZone"] == "us-east-1a"
    assert "AvailabilityZone: !Select [0, !GetAZs " in fix(text, "hardcoded-az").after


# ---------------------------------------------------------------- hardcoded-ami

@pytest.mark.parametrize("instance_type,arm", [
    ("t4g.micro", True), ("m7g.large", True), ("c7gn.xlarge", True), ("r6gd.large", True), ("a1.medium", True),
    ("im4gn.large", True), ("g5g.xlarge", True), ("t3.micro", False), ("g4dn.xlarge", False), ("m5.large", False),
    ("g5.xlarge", False), ({"Ref": "Type"}, False),
])
def test_ami_architecture_from_instance_type(instance_type, arm):
    from cfnfix.fixers.hardcoded_ami import is_arm

    assert is_arm(instance_type) is arm


def test_ami_one_parameter_per_id_and_mapping_reported():
    text = HEAD + """Mappings:
  RegionMap:
    us-east-1: {AMI: ami-0123456789abcdef0}
Resources:
  A:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: t3.micro, ImageId: ami-0123456789abcdef0}
  B:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: t3.micro, ImageId: ami-0123456789abcdef0}
"""
    result = fix(text, "hardcoded-ami")
    data = parse(result.after).data
    assert list(data["Parameters"]) == ["LatestAmiId"]
    assert data["Resources"]["A"]["Properties"]["ImageId"] == {"Ref": "LatestAmiId"} == data["Resources"]["B"]["Properties"]["ImageId"]
    assert data["Mappings"] == parse(text).data["Mappings"]
    assert messages(result) == ["mapping RegionMap holds 1 AMI ID; they expire: consider a parameter of type "
                                "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id> with a public SSM path"]


def test_ami_text_check_does_not_skip_an_id_written_through_an_escape():
    """Neither id's head (ami- and eight hex digits) is in the text; the pre-check must still
    let the walk run, for the resource and for the mapping."""
    text = HEAD + """Mappings:
  RegionMap:
    us-east-1: {AMI: "ami-0123\\x34567"}
Resources:
  A:
    Type: AWS::EC2::Instance
    Properties: {InstanceType: t3.micro, ImageId: "ami-\\u0030123456789abcdef0"}
"""
    assert not re.search(r"ami-[0-9a-f]{8}", text)
    result = fix(text, "hardcoded-ami")
    assert parse(result.after).data["Resources"]["A"]["Properties"]["ImageId"] == {"Ref": "LatestAmiId"}
    assert messages(result) == ["mapping RegionMap holds 1 AMI ID; they expire: consider a parameter of type "
                                "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id> with a public SSM path"]


# ---------------------------------------------------------------- unique-names

def test_names_occurrences_are_whole_names():
    assert occurs_in("orders", "arn:aws:sqs:us-east-1:1:orders")
    assert occurs_in("my-bucket", "aws s3 cp x s3://my-bucket/key")
    assert not occurs_in("orders", "arn:aws:sqs:us-east-1:1:orders-dlq")
    assert not occurs_in("web", "echo web server")
    assert occurs_in("web-assets", "aws s3 ls web-assets now")


def test_unique_names_reuses_an_existing_parameter_and_warns_on_capitals():
    text = HEAD + """Parameters:
  EnvironmentSuffix:
    Type: String
    Default: dev
    AllowedPattern: '^[a-zA-Z0-9]+$'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: reports
"""
    result = fix(text, "unique-names")
    assert "BucketName: !Sub reports-${EnvironmentSuffix}" in result.after
    assert result.after.count("EnvironmentSuffix:") == 1
    assert [c.message for c in result.changes] == [
        "per-stack name; the resource is replaced on update; EnvironmentSuffix must be lowercase here: "
        "its AllowedPattern accepts capitals"]
    assert not result.unfixed


def test_unique_names_sub_without_fn_sub_is_reported():
    text = HEAD + """Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders-${EnvironmentSuffix}
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
"""
    result = fix(text, "unique-names")
    assert result.after == text
    assert messages(result) == ["TableName 'orders-${EnvironmentSuffix}' holds ${...} but is not an Fn::Sub, so it "
                                "is used literally; write it as !Sub"]


def test_unique_names_name_in_nested_inline_code_is_reported():
    """Only strings under ZipFile/InlineCode are read as code: the name in code nested under
    Code must still block the rename; a string beside the code (an environment variable) must not."""
    text = HEAD + """Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: reports-data
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Environment:
        Variables:
          QUEUE: jobs
      Code:
        ZipFile: |
          BUCKET = "reports-data"
"""
    result = fix(text, "unique-names")
    assert "BucketName: reports-data" in result.after
    assert "QueueName: !Sub jobs-${EnvironmentSuffix}" in result.after
    assert messages(result) == ["BucketName 'reports-data' is also written out in the inline code of Fn; make that a "
                                "reference (!Ref/!GetAtt) first, then the name can get a per-stack suffix"]


def test_unique_names_bucket_over_the_limit_is_reported_not_truncated():
    name = "b" * 55
    text = HEAD + f"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {name}\n"
    result = fix(text, "unique-names")
    assert result.after == text
    assert "over the limit of 63" in messages(result)[0]


def test_unique_names_review_is_not_written_without_unsafe_fixes():
    text = HEAD + "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: jobs\n"
    assert fix(text, "unique-names", unsafe=False).after == text


@pytest.mark.parametrize("rtype", ["AWS::SSM::Parameter", "AWS::Events::Rule", "AWS::SQS::Queue"])
def test_unique_names_asks_about_a_template_with_one_named_resource(rtype):
    """resource_types (every type NAME_PROPERTIES names) lets the engine skip templates without
    one: a template whose only resource is of such a type must still be asked about."""
    from cfnfix.names import NAME_PROPERTIES

    prop = NAME_PROPERTIES[rtype].prop
    text = HEAD + f"Resources:\n  R:\n    Type: {rtype}\n    Properties:\n      {prop}: jobs\n"
    assert [c.path[-1] for c in fix(text, "unique-names").changes] == ["EnvironmentSuffix", prop]


def test_unique_names_option_is_validated():
    with pytest.raises(OptionError):
        all_fixers()["unique-names"]({"suffix": "random"})


# ---------------------------------------------------------------- retain-policy

def test_retain_policy_reports_parameters_and_leaves_them():
    text = HEAD + """Parameters:
  Protect:
    Type: String
    Default: 'true'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: '20'
      DeletionProtection: !Ref Protect
"""
    result = fix(text, "retain-policy")
    assert result.after == text
    assert messages(result) == ["DeletionProtection is computed (!Ref Protect); pass false for it when deploying into a test account"]


def test_retain_policy_reports_a_computed_deletion_policy():
    """Only a mapping is asked whether it is an intrinsic: a computed policy is still reported."""
    text = HEAD + """Parameters:
  Keep:
    Type: String
Conditions:
  Keeping: !Equals [!Ref Keep, 'yes']
Resources:
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: !If [Keeping, Retain, Delete]
    UpdateReplacePolicy: Delete
"""
    result = fix(text, "retain-policy")
    assert result.after == text
    assert messages(result) == ["DeletionPolicy is computed (!If); make sure it resolves to Delete in a test account"]


def test_retain_policy_turns_off_protection_that_is_on_by_default():
    text = HEAD + "Resources:\n  Ledger:\n    Type: AWS::QLDB::Ledger\n    Properties:\n      PermissionsMode: STANDARD\n"
    result = fix(text, "retain-policy")
    assert "      DeletionProtection: false\n" in result.after
    assert [c.message for c in result.changes] == ["deletion protection off: the stack's deletion deletes the resource and its data"]


# ---------------------------------------------------------------- dynamodb-pitr / rds-backup-retention

def test_pitr_explicit_false_is_reported():
    text = HEAD + """Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}
"""
    result = fix(text, "dynamodb-pitr")
    assert result.after == text
    assert "turned off explicitly" in messages(result)[0]


@pytest.mark.parametrize("days", [0, 36, "week"])
def test_rds_days_option_is_validated(days):
    with pytest.raises(OptionError):
        all_fixers()["rds-backup-retention"]({"days": days})


def test_rds_cluster_members_and_replicas_are_left_to_their_cluster_and_source():
    text = HEAD + """Resources:
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-postgresql
      DBClusterIdentifier: cluster-1
      DBInstanceClass: db.r6g.large
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: db-1
      DBInstanceClass: db.t4g.micro
"""
    assert fix(text, "rds-backup-retention").after == text


def test_unique_names_rewrites_a_block_sub_under_a_long_form_key():
    text = HEAD + """Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /app/web-logs
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          echo '{"log_group_name": "/app/web-logs"}' > /etc/agent.json
"""
    result = fix(text, "unique-names")
    assert "        Fn::Base64: !Sub |\n" in result.after
    assert '{"log_group_name": "/app/web-logs-${EnvironmentSuffix}"}' in result.after


def test_partition_written_with_an_escape_is_found():
    # the text never says arn:aws: (a JSON escape, a YAML line continuation), the value does
    json_text = '{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "arn\\u003aaws:kms:us-east-1:111122223333:key/k"}}}}\n'
    yaml_text = 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: "arn:\\\n        aws:kms:us-east-1:111122223333:key/k"\n'
    for text in (json_text, yaml_text):
        (f,) = all_fixers()["hardcoded-partition"]().find(parse(text))
        assert f.message == "ARN with a literal aws partition"
