"""Role properties that point at a service-linked role through a hard-coded ARN."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from cfnfix.values import common_condition
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.memo import entrywise
from cfnfix.text_checks import entry_check, may_write

STRATEGIES = ("auto", "create-role", "sub-arn", "omit")
_APP_AUTOSCALING = "application-autoscaling.amazonaws.com"
_SLR_ARN = re.compile(
    r"^arn:(?P<partition>\$\{[^}]*\}|[^:]*):iam::(?P<account>\$\{[^}]*\}|[^:]*):role/aws-service-role/(?P<service>[^/]+)/(?P<name>[^/]+)$"
)
_SUB_VAR = re.compile(r"\$\{([^}!]*)\}")
_PORTABLE = ("${AWS::Partition}", "${AWS::AccountId}")
# Where a role ARN is data, not a role property: policy documents name ARNs in Principal/Resource.
_POLICY_KEYS = re.compile(r"(PolicyDocument|^Policies|^KeyPolicy|^Condition)$")
# Resource types that use their service-linked role by themselves when the property is absent.
_OMITTABLE = {"AWS::ApplicationAutoScaling::ScalableTarget": "RoleARN"}


class KnownRole(NamedTuple):
    """A service-linked role we know how to replace with an ordinary role of the same powers."""

    base_id: str  # logical id of the role create-role adds
    principal: str | None  # service that assumes the new role; None: create-role falls back to sub-arn
    managed_policy: str | None = None  # AWS managed policy under policy/ attachable to customer roles
    actions: tuple[str, ...] = ()  # else: an inline policy with the service-linked role's own actions
    why_not: str = ""  # why create-role is not offered (principal None)


# Keyed by the service principal in the service-linked role's path. Policies under
# policy/aws-service-role/ cannot be attached to customer roles (IAM: PolicyNotAttachable), so
# where AWS publishes no service-role/ policy the new role gets the same actions inline.
KNOWN_ROLES: dict[str, KnownRole] = {
    "ecs.application-autoscaling.amazonaws.com": KnownRole(
        "ECSServiceAutoScalingRole", _APP_AUTOSCALING, "service-role/AmazonEC2ContainerServiceAutoscaleRole"),
    "ec2.application-autoscaling.amazonaws.com": KnownRole(
        "SpotFleetAutoScalingRole", _APP_AUTOSCALING, "service-role/AmazonEC2SpotFleetAutoscaleRole"),
    "dynamodb.application-autoscaling.amazonaws.com": KnownRole(
        "DynamoDBAutoScalingRole", _APP_AUTOSCALING, actions=(
            "dynamodb:DescribeTable", "dynamodb:UpdateTable",
            "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms")),
    "elasticache.application-autoscaling.amazonaws.com": KnownRole(
        "ElastiCacheAutoScalingRole", _APP_AUTOSCALING, actions=(
            "elasticache:DescribeReplicationGroups", "elasticache:ModifyCacheCluster",
            "elasticache:ModifyReplicationGroupShardConfiguration", "elasticache:IncreaseReplicaCount",
            "elasticache:DecreaseReplicaCount", "elasticache:DescribeCacheClusters",
            "elasticache:DescribeCacheParameters",
            "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms")),
    "rds.application-autoscaling.amazonaws.com": KnownRole(
        "AuroraReplicaAutoScalingRole", _APP_AUTOSCALING, actions=(
            "rds:AddTagsToResource", "rds:CreateDBInstance", "rds:DeleteDBInstance",
            "rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:ModifyDBCluster",
            "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms")),
    "spotfleet.amazonaws.com": KnownRole(
        "SpotFleetRole", "spotfleet.amazonaws.com", "service-role/AmazonEC2SpotFleetTaggingRole"),
    "elasticmapreduce.amazonaws.com": KnownRole(
        "EMRServiceRole", "elasticmapreduce.amazonaws.com", "service-role/AmazonElasticMapReduceRole"),
    # AWS Config documents a customer role with AWS_ConfigRole for recording; writing to the
    # delivery channel's bucket is granted inline by role_body when the bucket is in the template.
    "config.amazonaws.com": KnownRole(
        "ConfigRecorderRole", "config.amazonaws.com", "service-role/AWS_ConfigRole"),
}
_CONFIG = "config.amazonaws.com"

# The service-linked role Application Auto Scaling uses for each ServiceNamespace.
SCALABLE_TARGET_ROLES = {
    "ecs": ("ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService"),
    "dynamodb": ("dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"),
    "ec2": ("ec2.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest"),
    "elasticache": ("elasticache.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG"),
    "rds": ("rds.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_RDSCluster"),
}


def arn_text(value: Any) -> str | None:
    """The ARN as ``Fn::Sub`` text (``${AWS::AccountId}`` for pseudo-parameter refs), or None."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (fn, arg), = value.items()
    if fn == "Fn::Sub":
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            return arg[0] if not any(v in arg[1] for v in _SUB_VAR.findall(arg[0])) else None
        return arg if isinstance(arg, str) else None
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and arg[0] == "" and isinstance(arg[1], list):
        parts = []
        for part in arg[1]:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("Ref") in ("AWS::Partition", "AWS::AccountId") and len(part) == 1:
                parts.append("${%s}" % part["Ref"])
            else:
                return None
        return "".join(parts)
    return None


def portable_arn(service: str, name: str) -> dict:
    """The service-linked role's ARN in the deploying account and partition."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/aws-service-role/{service}/{name}"}


def role_body(known: KnownRole, statements: list | None = None) -> dict:
    """An ``AWS::IAM::Role`` the service can assume, with the service-linked role's permissions
    (plus ``statements`` inline, such as the AWS Config delivery bucket's)."""
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": known.principal}, "Action": "sts:AssumeRole"}],
        }
    }
    if known.managed_policy:
        props["ManagedPolicyArns"] = [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{known.managed_policy}"}]
    else:
        props["Policies"] = [{
            "PolicyName": known.base_id,
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": list(known.actions), "Resource": "*"}],
            },
        }]
    if statements:
        props["Policies"] = props.get("Policies", []) + [{
            "PolicyName": f"{known.base_id}Delivery",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        }]
    return {"Type": "AWS::IAM::Role", "Properties": props}


def config_delivery_statements(doc: Document, condition: str | None = None) -> tuple[list, str]:
    """The S3 permissions AWS Config documents for a customer role writing to the delivery
    channel's bucket, when the template names that bucket (``S3BucketName`` as a string or a
    ``Ref`` to something that exists whenever the role, of ``condition``, does), and a note for
    the change log."""
    names = []
    for _, res in doc.resources_of_type("AWS::Config::DeliveryChannel"):
        props = res.get("Properties")
        if not isinstance(props, dict):
            props = {}
        bucket = props.get("S3BucketName")
        if isinstance(bucket, dict) and set(bucket) == {"Ref"} and isinstance(bucket["Ref"], str):
            target = doc.resources.get(bucket["Ref"])
            if isinstance(target, dict) and target.get("Condition") not in (None, condition):
                return [], "; grant it write access to the delivery channel's bucket"
            bucket = "${%s}" % bucket["Ref"]
        if not isinstance(bucket, str) or "${!" in bucket:
            return [], "; grant it write access to the delivery channel's bucket"
        prefix = props.get("S3KeyPrefix")
        prefix = f"{prefix.strip('/')}/" if isinstance(prefix, str) and prefix.strip("/") else ""
        names.append((bucket, prefix))
    if not names:
        return [], "; the delivery channel's bucket must accept its writes"
    statements = []
    for bucket, prefix in names:
        statements += [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
             "Resource": {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}/{prefix}AWSLogs/${{AWS::AccountId}}/*"},
             "Condition": {"StringLike": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            {"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}"}},
        ]
    return statements, ", and write access to the delivery channel's bucket"


def new_role_body(doc: Document, service: str, condition: str | None = None) -> dict:
    """The role create-role adds for ``service`` in ``doc``; ``condition``: that of every
    resource using it."""
    statements = config_delivery_statements(doc, condition)[0] if service == _CONFIG else None
    body = role_body(KNOWN_ROLES[service], statements)
    return {"Type": body["Type"], "Condition": condition, "Properties": body["Properties"]} if condition else body


def chosen(strategy: str, service: str, omittable: str | None) -> str:
    """The strategy used at one property: ``auto`` omits an optional property the service fills
    in by itself, else creates a role where the service's role is known, else writes ``sub-arn``."""
    if strategy == "auto":
        known = KNOWN_ROLES.get(service)
        return "omit" if omittable else "create-role" if known and known.principal else "sub-arn"
    return strategy


def replacement(editor: Editor, service: str, name: str, strategy: str, roles: dict[str, str],
                omittable: str | None = None, condition: str | None = None) -> tuple[str, Any, str]:
    """(action, new value, message) for a role property naming service-linked role ``service``/``name``.

    ``omittable`` is the resource type when the property may simply be dropped. ``roles`` maps a
    service principal to the logical id of a role already added through ``editor``, so that
    several properties share one new role; ``condition`` is the condition a new role carries.
    """
    strategy = chosen(strategy, service, omittable)
    known = KNOWN_ROLES.get(service)
    if strategy == "omit" and omittable:
        return "remove", None, (f"property is optional: {omittable} uses its service-linked role {name} "
                                "when it is absent, and creates that role if the account has none")
    if strategy == "create-role" and known is not None and known.principal is not None:
        note = ""
        if service not in roles:
            roles[service] = editor.add_resource(known.base_id, new_role_body(editor.doc, service, condition))
        if service == _CONFIG:
            note = config_delivery_statements(editor.doc, condition)[1]
        policy = f" with {known.managed_policy.rsplit('/', 1)[-1]}" if service == _CONFIG and known.managed_policy else ""
        return "replace", {"Fn::GetAtt": [roles[service], "Arn"]}, (
            f"service-linked role {name} replaced by role {roles[service]} assumable by {known.principal}{policy}{note}")
    why = ""
    if strategy == "create-role" and known is not None:
        why = f" (no new role: {known.why_not})"
    elif strategy == "omit":
        why = " (the resource needs the property)"
    return "replace", portable_arn(service, name), (
        f"service-linked role ARN written for any account and partition{why}; the role must exist in the account")


def scalable_target_role_fix(editor: Editor, resource_id: str, strategy: str,
                             roles: dict[str, str] | None = None) -> Any | None:
    """Give a ScalableTarget without ``RoleARN`` the role ``strategy`` calls for.

    Returns the value written at ``Properties/RoleARN``, or None when nothing is written
    (``auto`` and ``omit``: the property is optional, the service uses its own role; or a ServiceNamespace without a known service-linked role). ``roles`` is shared
    with :func:`replacement` so that targets of one service share one new role.
    """
    res = editor.doc.resources.get(resource_id)
    props = res.get("Properties") if isinstance(res, dict) else None
    namespace = props.get("ServiceNamespace") if isinstance(props, dict) else None
    if strategy in ("omit", "auto") or namespace not in SCALABLE_TARGET_ROLES:
        return None
    service, name = SCALABLE_TARGET_ROLES[namespace]
    _, value, _ = replacement(editor, service, name, strategy, roles if roles is not None else {})
    editor.set(("Resources", resource_id, "Properties", "RoleARN"), value)
    return value


@lru_cache(maxsize=8192)
def _key_kind(key: str) -> tuple[bool, bool]:
    """(a policy document's key, a key naming a role): asked of every key, and templates repeat them."""
    return bool(_POLICY_KEYS.search(key)), "role" in key.lower()


def _resource_roles(rid: str, res: dict) -> list[tuple[tuple, Any]]:
    """``_role_properties`` of a resource's ``Properties``. It depends on the resource alone, so
    a resource a fix left alone keeps its list (``memo.entrywise``): the engine runs this
    fixer again on every document a fix makes, and most templates write ``Join``."""
    return _role_properties(res["Properties"], ("Resources", rid, "Properties"))


def _role_properties(value: Any, path: tuple) -> list[tuple[tuple, Any]]:
    """(path, value) of every mapping entry whose key names a role, outside policy documents.
    The walk fills one list and calls itself for mappings and lists only (no generator per
    node, no call per scalar): it runs over every property of most templates."""
    found: list[tuple[tuple, Any]] = []
    _walk_roles(value, path, found)
    return found


def _walk_roles(value: Any, path: tuple, found: list[tuple[tuple, Any]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            policy, role = _key_kind(key)
            if policy:
                continue
            if role and not isinstance(item, list):
                found.append((path + (key,), item))
            if isinstance(item, (dict, list)):
                _walk_roles(item, path + (key,), found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _walk_roles(item, path + (i,), found)


class ServiceLinkedRole(Fixer):
    name = "service-linked-role"
    summary = "Replace hard-coded service-linked role ARNs with a role the stack creates (or a portable ARN)"
    group = "deploy"
    safety = Safety.SAFE
    default = True
    options = (
        Option("strategy", "auto",
               "auto: omit where the property is optional and the service uses its own role "
               "(ScalableTarget), else create-role; "
               "create-role: add an IAM role the service can assume and point at it; "
               "sub-arn: keep the service-linked role, written with ${AWS::Partition} and ${AWS::AccountId}; "
               "omit: drop the property where the resource then uses its service-linked role by itself "
               "(ScalableTarget), else sub-arn",
               choices=STRATEGIES),
    )
    docs = """
    ## What it detects
    Role properties (`RoleARN`, `ServiceRoleArn`, `IamFleetRole`, `ServiceRole`, ...) whose value
    is a service-linked role ARN (`arn:aws:iam::123456789012:role/aws-service-role/<service>/<role>`)
    with the partition or the account id written out, as a literal string, `Fn::Sub` or `Fn::Join`.
    ARNs inside IAM policy documents (`Principal`, `Resource`, `Condition`) are not role
    properties and are left alone.

    ## Why it matters
    A literal account id breaks the template in every other account; a literal `aws` partition
    breaks it in China and GovCloud. And a service-linked role exists only once something created
    it: in a fresh QA account the stack fails with "role does not exist" or "unable to assume".

    ## Example
    ```yaml
    # before
    ServiceScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        RoleARN: !Sub arn:aws:iam::${AWS::AccountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService
    # after (strategy auto): RoleARN is optional, the service uses (and creates) its own role
    ServiceScalableTarget:
      Type: AWS::ApplicationAutoScaling::ScalableTarget
      Properties:
        ScalableDimension: ecs:service:DesiredCount
    # after (strategy create-role)
        RoleARN: !GetAtt ECSServiceAutoScalingRole.Arn
    ECSServiceAutoScalingRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Principal:
                Service: application-autoscaling.amazonaws.com
              Action: sts:AssumeRole
        ManagedPolicyArns:
          - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceAutoscaleRole
    ```

    ## Strategies (option `strategy`)
    - `auto` (default): per resource type, the best of the three. An
      `AWS::ApplicationAutoScaling::ScalableTarget`'s `RoleARN` is optional and Application Auto
      Scaling creates its service-linked role when the account has none, so the property is
      removed (`omit`). Everywhere else a role is created (`create-role`), including for an AWS
      Config recorder, whose service-linked role may not exist yet (the deploy failure `sub-arn`
      keeps). A service-linked role the fixer knows no stand-in for is written as `sub-arn`, and
      the change log says the role must exist in the account.
    - `create-role`: add one `AWS::IAM::Role` per service-linked role, assumable by the
      service, and point every property that named it at `!GetAtt <Role>.Arn`. Known roles:
      Application Auto Scaling for ECS services, DynamoDB tables, Spot Fleet requests, ElastiCache
      replication groups and Aurora replicas; EC2 Spot Fleet (`IamFleetRole`); EMR (`ServiceRole`).
      ECS, Spot Fleet and EMR get the AWS managed `service-role/` policy made for them. The
      policies of the DynamoDB, ElastiCache and Aurora service-linked roles live under
      `policy/aws-service-role/`, which IAM refuses to attach to a customer role
      (`PolicyNotAttachable`), so those roles get the same actions as an inline policy.
      An AWS Config recorder (`AWS::Config::ConfigurationRecorder` `RoleARN`) gets a role with the
      managed policy `service-role/AWS_ConfigRole` and, when the template's
      `AWS::Config::DeliveryChannel` names its bucket (a string or `!Ref`), the `s3:PutObject`,
      `s3:PutObjectAcl` and `s3:GetBucketAcl` permissions AWS Config documents for a customer
      role writing to it; otherwise the change log says the bucket must accept the role's writes.
    - `sub-arn`: keep the service-linked role, written as
      `!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/...`. The role
      must exist in the deploying account (created by the service, or by an
      `AWS::IAM::ServiceLinkedRole`).
    - `omit`: remove the property where the resource uses its service-linked role by itself when
      the property is absent (`AWS::ApplicationAutoScaling::ScalableTarget`); elsewhere `sub-arn`.

    A service-linked role the table does not know is reported, not guessed, under `create-role`;
    the other strategies need no table and fix it too.

    ## Fix safety
    Safe, except the role `create-role` adds, which is review. `create-role` adds a role (new logical ids never collide with existing ones) and
    switches the property to it; `sub-arn` names the same role as before in the deploying account.
    `omit` hands the choice of role back to the service.
    """

    def find(self, doc: Document) -> list[Finding]:
        strategy = self.config["strategy"]
        findings: list[Finding] = []
        if not may_write(doc.text, "aws-service-role", "Join"):  # an ARN, or an Fn::Join that may split it
            return findings
        entries = [(rid, res) for rid, res in doc.resources.items()
                   if isinstance(res, dict) and isinstance(res.get("Properties"), dict) and isinstance(res.get("Type"), str)]
        # a resource whose own text writes neither word holds no such ARN (entry_check): its roles
        # are not walked, and none are kept for it (the same entry has the same text)
        may_hold = entry_check(doc, "aws-service-role", "Join")
        roles_of = entrywise("service-linked-role.roles", entries,
                             lambda rid, res: _resource_roles(rid, res) if may_hold(("Resources", rid)) else [])
        for (rid, res), roles in zip(entries, roles_of):
            kind = res["Type"]
            for path, value in roles:
                text = arn_text(value)
                match = _SLR_ARN.match(text) if text else None
                if not text or not match:
                    continue
                partition, account = match["partition"], match["account"]
                if (partition, account) == _PORTABLE:
                    continue
                baked = [what for what, part, good in (("partition", partition, _PORTABLE[0]), ("account id", account, _PORTABLE[1])) if part != good]
                message = f"service-linked role ARN with the {' and '.join(baked)} written out"
                service, name = match["service"], match["name"]
                if any(v not in ("AWS::Partition", "AWS::AccountId") for v in _SUB_VAR.findall(text)):
                    findings.append(Finding(rid, path, f"{message}; it uses template variables, left alone", fixable=False))
                    continue
                omittable = kind if _OMITTABLE.get(kind) == path[-1] else None
                if chosen(strategy, service, omittable) == "create-role" and service not in KNOWN_ROLES:
                    findings.append(Finding(rid, path, f"{message}; service-linked role of {service} is not one this fixer knows (use strategy sub-arn)", fixable=False))
                    continue
                findings.append(Finding(rid, path, message, detail=(value, service, name, omittable)))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        strategy = self.config["strategy"]
        roles: dict[str, str] = {}
        changes, role_changes = [], []
        users: dict[str, list[str]] = {}
        for f in findings:
            _, service, _, omittable = f.detail
            known = KNOWN_ROLES.get(service)
            if chosen(strategy, service, omittable) == "create-role" and known and known.principal and f.resource:
                users.setdefault(service, []).append(f.resource)
        conditions = {service: common_condition(doc, ids) for service, ids in users.items()}
        for service in users:  # roles several findings may share are added outside any finding
            body = new_role_body(doc, service, conditions[service])
            roles[service] = editor.add_resource(KNOWN_ROLES[service].base_id, body)
            role_changes.append(self.change(None, "add", None, body,
                                           f"role standing in for the service-linked role of {service}",
                                           path=("Resources", roles[service]), safety="review"))
        for f in findings:
            before, service, name, omittable = f.detail
            with editor.finding(f):
                action, after, message = replacement(editor, service, name, strategy, roles, omittable,
                                                     conditions.get(service))
                if action == "remove":
                    editor.remove(f.path)
                else:
                    editor.set(f.path, after)
                changes.append(self.change(f, action, before, after, message))
        return Fix.of(editor, changes + role_changes)
