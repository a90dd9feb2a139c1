"""s3-replication, s3-lifecycle, aurora-backtrack: options, targets, exclusions, schema validity of what they add."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from cfnfix.document import parse
from cfnfix.edits import Editor, apply_edits
from cfnfix.fixer import OptionError
from cfnfix.graph import cycles, dependency_graph
from cfnfix.registry import ORDER, all_fixers
from support import assert_fix_guarantees, lint_codes, run_fixers

ALL = ["s3-replication", "s3-lifecycle", "aurora-backtrack"]

BUCKETS = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: dev
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
            Action: kms:*
            Resource: '*'
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: named-data-bucket
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
      LoggingConfiguration:
        DestinationBucketName: !Ref ServerLogs
  Generated:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  ServerLogs:
    Type: AWS::S3::Bucket
  AlbLogs:
    Type: AWS::S3::Bucket
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-0a1b2c3d, subnet-4e5f6a7b]
      LoadBalancerAttributes:
        - Key: access_logs.s3.enabled
          Value: 'true'
        - Key: access_logs.s3.bucket
          Value: !Ref AlbLogs
"""

CLUSTERS = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Engine:
    Type: String
  Mode:
    Type: String
  Password:
    Type: String
    NoEcho: true
Resources:
  NoDefault:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: !Ref Engine
      MasterUsername: admin
      MasterUserPassword: !Ref Password
  UnknownMode:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      EngineMode: !Ref Mode
      MasterUsername: admin
      MasterUserPassword: !Ref Password
  Replica:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      ReplicationSourceIdentifier: arn:aws:rds:us-west-2:123456789012:cluster:source
"""


def fixer(name: str, options: dict | None = None):
    return all_fixers()[name](options)


def without_intrinsics(value: Any) -> Any:
    """Plain data with every intrinsic function replaced by a string, as the schema sees values."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return "resolved"
        return {k: without_intrinsics(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_intrinsics(v) for v in value]
    return value


def assert_schema_valid(resource_type: str, properties: dict, keys: list[str]) -> None:
    """Validate the properties a fixer added against the resource schema cfn-lint ships."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    schema = copy.deepcopy(PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema)
    schema.pop("required", None)
    added = {k: without_intrinsics(properties[k]) for k in keys}
    jsonschema.Draft7Validator(schema).validate(added)


# ------------------------------------------------------------------ options


@pytest.mark.parametrize("name,options", [
    ("aurora-backtrack", {"seconds": -1}),
    ("aurora-backtrack", {"seconds": 259201}),
    ("aurora-backtrack", {"seconds": "72h"}),
    ("aurora-backtrack", {"hours": 72}),
    ("s3-lifecycle", {"noncurrent-transition-days": 7}),
    ("s3-lifecycle", {"transition-days": 10}),
    ("s3-lifecycle", {"transition-days": 60, "expiration-days": 30}),
    ("s3-lifecycle", {"noncurrent-expiration-days": 30}),
    ("s3-lifecycle", {"storage-class": "STANDARD"}),
    ("s3-replication", {"destination": "elsewhere"}),
    ("s3-replication", {"replication-time": "yes"}),
    ("s3-replication", {"storage-class": "EXPRESS_ONEZONE"}),
])
def test_invalid_options_are_refused(name, options):
    with pytest.raises(OptionError):
        fixer(name, options)


def test_option_values_are_coerced():
    assert fixer("aurora-backtrack", {"seconds": "3600"}).config["seconds"] == 3600
    assert fixer("s3-replication", {"buckets": "A, B"}).config["buckets"] == ("A", "B")
    assert fixer("s3-replication", {"replication-time": "true"}).config["replication-time"] is True
    assert fixer("s3-lifecycle", {"transition-days": 1, "storage-class": "GLACIER"}).config["transition-days"] == 1


def test_lifecycle_runs_after_replication():
    assert ORDER.index("s3-replication") < ORDER.index("s3-lifecycle")


# ------------------------------------------------------------------ s3-replication


def test_replication_targets_exclude_log_buckets():
    found = {f.resource: f for f in fixer("s3-replication").find(parse(BUCKETS))}
    assert set(found) == {"Named", "Generated"}
    assert all(f.fixable for f in found.values())


def test_replication_buckets_option_narrows_and_reports_excluded():
    found = fixer("s3-replication", {"buckets": ["Generated", "AlbLogs"]}).find(parse(BUCKETS))
    assert [(f.resource, f.fixable) for f in found] == [("Generated", True), ("AlbLogs", False)]


@pytest.mark.parametrize("options", [{}, {"destination": "create", "replication-time": True, "storage-class": "GLACIER_IR"}])
def test_replication_is_valid_acyclic_and_complete(options):
    result = run_fixers(BUCKETS, ALL, {"s3-replication": options})
    assert result.status == "fixed"
    doc = parse(result.after)
    assert not cycles(dependency_graph(doc.resources))
    assert "E3004" not in lint_codes(result.after)
    for rid in ("Named", "Generated"):
        props = doc.resources[rid]["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        rule = props["ReplicationConfiguration"]["Rules"][0]
        assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        assert "ReplicaKmsKeyID" in rule["Destination"]["EncryptionConfiguration"]
        assert_schema_valid("AWS::S3::Bucket", props, ["VersioningConfiguration", "ReplicationConfiguration"])
    for rid in ("ServerLogs", "AlbLogs"):
        assert "ReplicationConfiguration" not in doc.resources[rid]["Properties"]
    # the role itself names no bucket: only the separate policy does
    role = doc.resources["ReplicationRole"]
    assert not dependency_graph({"ReplicationRole": role, **{k: {} for k in doc.resources if k != "ReplicationRole"}})["ReplicationRole"]
    statements = doc.resources["ReplicationRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"s3:GetReplicationConfiguration", "s3:ListBucket", "s3:GetObjectVersionForReplication",
                       "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:ReplicateObject",
                       "s3:ReplicateDelete", "s3:ReplicateTags", "kms:Decrypt", "kms:Encrypt"}
    assert_fix_guarantees(BUCKETS, result.after, result.changes, ALL, {"s3-replication": options})


def test_created_destination_is_complete_for_every_fixer():
    options = {"s3-replication": {"destination": "create"}}
    first = run_fixers(BUCKETS, ALL, options)
    replicas = [rid for rid in parse(first.after).resources if rid.endswith("Replica")]
    assert replicas == ["NamedReplica", "GeneratedReplica"]
    # the security group secures every bucket it finds lacking (logging, public access block) and
    # the qa group makes every literal name per-stack, the template's own as much as a created
    # one's: neither is a sign of an incomplete destination
    everything = [name for name, cls in all_fixers().items() if cls.group not in ("security", "qa")]
    second = run_fixers(first.after, everything, options)
    assert not second.changes and second.after == first.after


def test_replication_create_with_unknown_kms_key_is_reported():
    text = BUCKETS.replace("KMSMasterKeyID: !GetAtt Key.Arn", "KMSMasterKeyID: alias/data")
    found = {f.resource: f for f in fixer("s3-replication", {"destination": "create"}).find(parse(text))}
    assert not found["Named"].fixable and found["Generated"].fixable


# ------------------------------------------------------------------ s3-lifecycle


def test_lifecycle_rules_are_schema_valid_and_respect_minimums():
    options = {"s3-lifecycle": {"transition-days": 30, "expiration-days": 400, "noncurrent-expiration-days": 60}}
    text = BUCKETS.replace("      BucketName: named-data-bucket\n",
                           "      BucketName: named-data-bucket\n      VersioningConfiguration:\n        Status: Enabled\n")
    result = run_fixers(text, ["s3-lifecycle"], options)
    doc = parse(result.after)
    for rid in ("Named", "Generated", "ServerLogs", "AlbLogs"):
        props = doc.resources[rid]["Properties"]
        assert_schema_valid("AWS::S3::Bucket", props, ["LifecycleConfiguration"])
        for rule in props["LifecycleConfiguration"]["Rules"]:
            for t in rule.get("Transitions", []) + rule.get("NoncurrentVersionTransitions", []):
                assert t["TransitionInDays"] >= 30
    assert {c.safety for c in result.changes} == {"review"}
    assert_fix_guarantees(text, result.after, result.changes, ["s3-lifecycle"], options)


def test_lifecycle_default_deletes_nothing():
    result = run_fixers(BUCKETS, ["s3-lifecycle"])
    for change in result.changes:
        assert change.safety == "safe"
        for rule in change.after["Rules"]:
            assert not {"ExpirationInDays", "NoncurrentVersionExpiration", "Transitions"} & set(rule)


# ------------------------------------------------------------------ aurora-backtrack


def test_backtrack_skips_what_it_cannot_know():
    found = fixer("aurora-backtrack").find(parse(CLUSTERS))
    assert [(f.resource, f.fixable) for f in found] == [("UnknownMode", False)]


def test_backtrack_value_is_schema_valid():
    text = CLUSTERS.replace("      EngineMode: !Ref Mode\n", "")
    result = run_fixers(text, ["aurora-backtrack"], {"aurora-backtrack": {"seconds": 3600}})
    props = parse(result.after).resources["UnknownMode"]["Properties"]
    assert props["BacktrackWindow"] == 3600
    assert_schema_valid("AWS::RDS::DBCluster", props, ["BacktrackWindow"])
    assert "created" in result.changes[0].message and "refused" in result.changes[0].message


def test_backtrack_docs_explain_seconds_and_creation():
    docs = all_fixers()["aurora-backtrack"].docs
    assert "72 seconds" in docs and "not** replaced" in docs


# ------------------------------------------------------------------ engine regression


def test_insertions_into_nested_collections_at_one_offset_keep_nesting():
    """Adding a resource and a property to the last resource used to emit the outer edit first."""
    doc = parse("Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::S3::Bucket\n")
    editor = Editor(doc)
    editor.add_resource("C", {"Type": "AWS::SQS::Queue"})
    editor.set(("Resources", "B", "Properties", "BucketName"), "b")
    after = parse(apply_edits(doc.text, editor.edits()))
    assert after.resources["B"] == {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}
    assert after.resources["C"] == {"Type": "AWS::SQS::Queue"}


def test_s3_replication_destination_bucket_and_its_former_name():
    from cfnfix.fixers.s3_replication import S3Replication

    assert S3Replication({"destination": "bucket"}).config["destination"] == "bucket"
    assert S3Replication({"destination": "create"}).config["destination"] == "bucket"


def test_s3_replication_gives_each_condition_its_own_role():
    text = """\
Conditions:
  A: !Equals [!Ref AWS::Region, us-east-1]
  B: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  One:
    Type: AWS::S3::Bucket
    Condition: A
  Two:
    Type: AWS::S3::Bucket
    Condition: B
"""
    result = run_fixers(text, ["s3-replication"], {"s3-replication": {"destination": "bucket"}})
    data = parse(result.after).data["Resources"]
    assert data["AReplicationRole"]["Condition"] == "A" and data["BReplicationRolePolicy"]["Condition"] == "B"
    assert data["OneReplica"]["Condition"] == "A"
    assert data["Two"]["Properties"]["ReplicationConfiguration"]["Role"] == {"Fn::GetAtt": ["BReplicationRole", "Arn"]}
