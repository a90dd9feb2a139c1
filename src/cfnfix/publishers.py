"""Who sends messages to a topic or queue of the template: code with an IAM role, or an AWS service.

AWS services that publish on their own (S3 event notifications, EventBridge, CloudWatch alarms,
SNS to a queue, CloudFormation custom resources, ...) cannot use the AWS managed keys
``alias/aws/sns`` and ``alias/aws/sqs``: the key policy of an AWS managed key cannot be changed
to let their service principals in. A resource that merely holds the ARN for code running with
an IAM role (a function's environment, a policy) is no such publisher.
"""

from __future__ import annotations

from .document import Document
from .fixer import Finding
from .memo import cached
from .graph import references
from .policy_document import service_principals, statements
from .properties import properties

_ROLE_HOLDERS = frozenset((
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group",
    "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
    "AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::EventSourceMapping", "AWS::Serverless::Function", "AWS::Serverless::StateMachine",
    "AWS::StepFunctions::StateMachine", "AWS::ECS::TaskDefinition", "AWS::SSM::Parameter",
    "AWS::Pipes::Pipe", "AWS::Batch::JobDefinition",
))
# Resources that watch a queue or topic's metrics: they name it without sending to it.
_MONITORS = frozenset(("AWS::CloudWatch::Dashboard",))
TOPIC_POLICIES = ("AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy")
QUEUE_POLICIES = ("AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy")
# Resources that refer to a topic without publishing to it.
TOPIC_READERS = _ROLE_HOLDERS | _MONITORS | {"AWS::SNS::Subscription", "AWS::SQS::QueuePolicy", *TOPIC_POLICIES}
# Resources that refer to a queue without sending to it on their own (a queue's RedrivePolicy:
# SQS moves messages itself; an alarm or a scaling policy on the queue's metrics: alarm actions
# cannot target a queue).
QUEUE_READERS = _ROLE_HOLDERS | _MONITORS | {"AWS::SQS::Queue", "AWS::CloudWatch::Alarm",
                                             "AWS::ApplicationAutoScaling::ScalingPolicy", *QUEUE_POLICIES}


def publishers_text(found: list[str], limit: int = 3) -> str:
    """The first reasons, and how many more: a finding message stays one readable line."""
    shown = "; ".join(found[:limit])
    return shown + (f"; and {len(found) - limit} more" if len(found) > limit else "")


def service_publishers(doc: Document, target: str, readers: frozenset | set, policies: tuple) -> list[str]:
    """Why AWS services may send to ``target``: each a short phrase naming the resource; empty
    when only code with IAM roles refers to it."""
    found: list[str] = []
    resources = doc.resources
    for rid in _referrers(doc).get(target, ()):
        if rid == target:
            continue
        res = resources[rid]
        rtype = res.get("Type")
        if rtype in policies:
            props = properties(res) or {}
            services = sorted({s for st in statements(props.get("PolicyDocument")) or [] for s in service_principals(st)})
            if services:
                found.append(f"{rid} lets {', '.join(services)} send to it")
            elif statements(props.get("PolicyDocument")) is None:
                found.append(f"{rid} is a policy built with intrinsics")
            continue
        if not isinstance(rtype, str) or rtype not in readers:
            found.append(f"{rid} ({rtype}) sends to it")
    return found


def _referrers(doc: Document) -> dict[str, list[str]]:
    """Resource name -> the resources whose body (Type, Condition, DependsOn and Metadata aside)
    refers to it, in template order; built once per document (one scan per topic or queue made
    the encryption fixers quadratic in the number of resources)."""
    return cached(doc, "publishers.referrers", lambda: _index_referrers(doc))


def _index_referrers(doc: Document) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rid, res in doc.resources.items():
        if not isinstance(res, dict):
            continue
        body = {k: v for k, v in res.items() if k not in ("Type", "Condition", "DependsOn", "Metadata")}
        for name in dict.fromkeys(name for name, _ in references(body) if isinstance(name, str)):
            found.setdefault(name, []).append(rid)
    return found


def aws_managed_key_finding(doc: Document, rid: str, path: tuple, noun: str, key: str, readers: frozenset | set,
                            policies: tuple, check: str) -> Finding:
    """The finding for a topic or queue that lacks a KMS key: fixed with the AWS managed ``key``,
    or reported when AWS services send to it (they cannot use that key)."""
    found = service_publishers(doc, rid, readers, policies)
    if found:
        return Finding(rid, path, f"{noun} not encrypted with KMS, but AWS services may send to it ({publishers_text(found)}) and cannot use {key}; "
                       f"left as it is (Checkov {check}): use a customer managed key whose key policy allows them", fixable=False)
    return Finding(rid, path, f"{noun} not encrypted with KMS: encrypted with the AWS managed key {key} (Checkov {check})", detail=key)
