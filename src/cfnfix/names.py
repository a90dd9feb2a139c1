"""Physical names: which property names a resource, and the rules that name must follow.

A name given in a template is the resource's identity in the account (and, for buckets, in
the partition): two stacks from one template collide on it. ``NAME_PROPERTIES`` lists the
types whose explicit name must be unique per account and region (or wider), with the name's
length limit and character rules as the AWS resource references give them.
"""

from __future__ import annotations

from typing import NamedTuple
import bisect
import re
from functools import lru_cache


class NameRule(NamedTuple):
    """The property that names a resource type and the rules its value must follow."""

    prop: str
    max_length: int
    lowercase: bool = False  # the service refuses (or silently lowercases) capital letters
    fifo: bool = False  # a `.fifo` ending must stay last (SQS queues, SNS topics)
    min_length: int = 1


_R = NameRule
NAME_PROPERTIES: dict[str, NameRule] = {
    "AWS::S3::Bucket": _R("BucketName", 63, lowercase=True, min_length=3),
    "AWS::IAM::Role": _R("RoleName", 64),
    "AWS::IAM::ManagedPolicy": _R("ManagedPolicyName", 128),
    "AWS::IAM::User": _R("UserName", 64),
    "AWS::IAM::Group": _R("GroupName", 128),
    "AWS::IAM::InstanceProfile": _R("InstanceProfileName", 128),
    "AWS::Lambda::Function": _R("FunctionName", 64),
    "AWS::Serverless::Function": _R("FunctionName", 64),  # SAM passes the name to the function it makes
    "AWS::DynamoDB::Table": _R("TableName", 255, min_length=3),
    "AWS::Serverless::SimpleTable": _R("TableName", 255, min_length=3),
    "AWS::DynamoDB::GlobalTable": _R("TableName", 255, min_length=3),
    "AWS::SQS::Queue": _R("QueueName", 80, fifo=True),
    "AWS::SNS::Topic": _R("TopicName", 256, fifo=True),
    "AWS::Logs::LogGroup": _R("LogGroupName", 512),
    "AWS::ECS::Cluster": _R("ClusterName", 255),
    "AWS::EKS::Cluster": _R("Name", 100),
    "AWS::RDS::DBCluster": _R("DBClusterIdentifier", 63, lowercase=True),
    "AWS::RDS::DBInstance": _R("DBInstanceIdentifier", 63, lowercase=True),
    "AWS::RDS::DBSubnetGroup": _R("DBSubnetGroupName", 255, lowercase=True),
    "AWS::RDS::DBClusterParameterGroup": _R("DBClusterParameterGroupName", 255, lowercase=True),
    "AWS::RDS::DBParameterGroup": _R("DBParameterGroupName", 255, lowercase=True),
    "AWS::DocDB::DBCluster": _R("DBClusterIdentifier", 63, lowercase=True),
    "AWS::Neptune::DBCluster": _R("DBClusterIdentifier", 63, lowercase=True),
    "AWS::ElastiCache::ReplicationGroup": _R("ReplicationGroupId", 40, lowercase=True),
    "AWS::ElastiCache::SubnetGroup": _R("CacheSubnetGroupName", 255, lowercase=True),
    "AWS::Redshift::Cluster": _R("ClusterIdentifier", 63, lowercase=True),
    "AWS::StepFunctions::StateMachine": _R("StateMachineName", 80),
    "AWS::Serverless::StateMachine": _R("Name", 80),
    "AWS::ECR::Repository": _R("RepositoryName", 256, lowercase=True, min_length=2),
    "AWS::CloudWatch::Alarm": _R("AlarmName", 255),
    "AWS::CloudWatch::CompositeAlarm": _R("AlarmName", 255),
    "AWS::CloudWatch::Dashboard": _R("DashboardName", 255),
    "AWS::ElasticLoadBalancingV2::TargetGroup": _R("Name", 32),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _R("Name", 32),
    "AWS::Kinesis::Stream": _R("Name", 128),
    "AWS::KinesisFirehose::DeliveryStream": _R("DeliveryStreamName", 64),
    "AWS::KMS::Alias": _R("AliasName", 256),
    "AWS::SecretsManager::Secret": _R("Name", 512),
    "AWS::SSM::Parameter": _R("Name", 1011),
    "AWS::Events::EventBus": _R("Name", 256),
    "AWS::Events::Rule": _R("Name", 64),
    "AWS::CodeBuild::Project": _R("Name", 150, min_length=2),
    "AWS::CodePipeline::Pipeline": _R("Name", 100),
    "AWS::CloudTrail::Trail": _R("TrailName", 128, min_length=3),
    "AWS::Athena::WorkGroup": _R("Name", 128),
    "AWS::Backup::BackupVault": _R("BackupVaultName", 50, min_length=2),
    "AWS::EC2::LaunchTemplate": _R("LaunchTemplateName", 128, min_length=3),
    "AWS::EC2::KeyPair": _R("KeyName", 255),
    "AWS::AutoScaling::AutoScalingGroup": _R("AutoScalingGroupName", 255),
    "AWS::Cognito::UserPoolDomain": _R("Domain", 63, lowercase=True),
    "AWS::OpenSearchService::Domain": _R("DomainName", 28, lowercase=True, min_length=3),
    "AWS::MSK::Cluster": _R("ClusterName", 64),
    "AWS::Glue::Job": _R("Name", 255),
    "AWS::Glue::Crawler": _R("Name", 255),
    "AWS::WAFv2::WebACL": _R("Name", 128),
    "AWS::Config::ConfigRule": _R("ConfigRuleName", 128),
    "AWS::Scheduler::Schedule": _R("Name", 64),
    "AWS::ApiGateway::ApiKey": _R("Name", 1024),
}

_FIFO = ".fifo"


def split_fifo(name: str, rule: NameRule) -> tuple[str, str]:
    """(stem, ending): a FIFO queue or topic keeps ``.fifo`` as the last part of its name."""
    if rule.fifo and name.endswith(_FIFO):
        return name[: -len(_FIFO)], _FIFO
    return name, ""


def occurs_in(name: str, text: str) -> bool:
    """Whether ``text`` spells out the name ``name`` as a whole (in an ARN, a URL, a path, or as
    the entire string): bounded by the string's ends, by ``: / =`` and quotes before it and
    ``/ : * . , }`` and quotes after it, not merely as part of a longer word."""
    return name in text and _occurrence(name).search(text) is not None  # the substring test first: most texts lack it


def replace_occurrences(name: str, text: str, new: str) -> str:
    return _occurrence(name).sub(lambda _: new, text)


@lru_cache(maxsize=1024)
def _occurrence(name: str) -> re.Pattern:
    # Between words a name counts only when it looks like one (has a - _ . or /): "web" in
    # "echo web server" is prose, "web-assets" in "aws s3 ls s3://web-assets" is the bucket.
    space = r"\s" if re.search(r"[-_./]", name) else ""
    return re.compile(rf"(?:\A|(?<=[:/='\"{space}]))" + re.escape(name) + rf"(?=\Z|[/:*.,}}'\"{space}])")


class TextIndex:
    """Many texts searched for many names: which texts contain a name as a substring, found by
    one scan of the texts joined (a name per text per scan is quadratic in template size)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.joined = "\0".join(texts)
        self.starts = []
        at = 0
        for text in texts:
            self.starts.append(at)
            at += len(text) + 1

    def containing(self, name: str) -> list[int]:
        """Indexes of the texts that contain ``name``, in order."""
        if not name or "\0" in name:
            return [i for i, text in enumerate(self.texts) if name in text]
        out = []
        joined, starts, texts = self.joined, self.starts, self.texts
        at = joined.find(name)
        while at != -1:
            i = bisect.bisect_right(starts, at) - 1
            out.append(i)
            nxt = starts[i] + len(texts[i]) + 1  # the next text: one hit per text
            at = joined.find(name, nxt) if nxt < len(joined) else -1
        return out
