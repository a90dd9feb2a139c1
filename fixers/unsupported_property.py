"""Properties a resource does not accept (cfn-lint E3002): given the home the schema has for them
(renamed, wrapped, lifted, split into their own resource), removed only when there is none."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from cfnfix import pipeline_failures, schemas
from cfnfix.changelog import Change, Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor, is_function_key
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.property_names import candidate, minus, context_words, word_match, words

# What people mean by properties that do not exist, and what to write instead.
MISCONCEPTIONS = {
    "CloudWatchConfigurations": (
        "S3 sends no event notifications to CloudWatch; to route bucket events set "
        "NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled: true and match them "
        "with an AWS::Events::Rule, or use Lambda/Queue/TopicConfigurations"),
    "EnableBacktrack": "Aurora MySQL backtracking is turned on by BacktrackWindow (seconds to keep)",
    "Replicas": "replicas in other Regions need an AWS::DynamoDB::GlobalTable",
}
# Settings that do have a home, though not under a property name: reported, never removed.
HOMES_ELSEWHERE = {
    "DeregistrationDelay": (
        "a target group sets it as TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: '30'}]"),
}
# Settings whose home is an item of a list of named settings: (resource type, property written
# at the top level) -> (list property, the fields that name the item). The value moves there as
# the item's Value, as text.
ATTRIBUTE_HOMES = {
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "DeregistrationDelay"): (
        "TargetGroupAttributes", {"Key": "deregistration_delay.timeout_seconds"}),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "DeregistrationDelayTimeoutSeconds"): (
        "TargetGroupAttributes", {"Key": "deregistration_delay.timeout_seconds"}),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "IdleTimeout"): (
        "LoadBalancerAttributes", {"Key": "idle_timeout.timeout_seconds"}),
}
# Elastic Beanstalk environment settings that are configuration options, not properties (the
# "General options for all environments" of the Elastic Beanstalk Developer Guide), by option name:
# written as a property of an environment or configuration template, each becomes an
# OptionSettings item in its namespace.
BEANSTALK_OPTIONS = {
    "aws:elasticbeanstalk:environment": ("ServiceRole", "EnvironmentType", "LoadBalancerType"),
    "aws:autoscaling:launchconfiguration": ("InstanceType", "IamInstanceProfile", "EC2KeyName"),
    "aws:autoscaling:asg": ("MinSize", "MaxSize"),
    "aws:ec2:vpc": ("VPCId", "Subnets", "ELBSubnets"),
}
ATTRIBUTE_HOMES.update({
    (kind, option): ("OptionSettings", {"Namespace": namespace, "OptionName": option})
    for kind in ("AWS::ElasticBeanstalk::Environment", "AWS::ElasticBeanstalk::ConfigurationTemplate")
    for namespace, options in BEANSTALK_OPTIONS.items() for option in options
})
# Settings of an API Gateway stage written on its REST API: they apply to the API's stages, the
# Stage resources and the stages Deployments create (StageName, StageDescription).
STAGE_SETTINGS = ("TracingEnabled", "CacheClusterEnabled", "CacheClusterSize", "MethodSettings", "Variables",
                  "AccessLogSetting", "ClientCertificateId")
# Objects that name the CloudWatch Logs group a service writes to, but keep no retention: (resource
# type, path of the object below Properties) -> the key naming the group. A RetentionInDays
# written there is the group's (an AWS::Logs::LogGroup of that name).
LOG_GROUP_NAMES = {
    ("AWS::CodeBuild::Project", ("LogsConfig", "CloudWatchLogs")): "GroupName",
}
# Objects written under the name of a narrower form of themselves: (resource type, property) ->
# the property that takes every key of the narrower one and more (Firehose's extended S3
# destination is the S3 destination plus processing, format conversion, dynamic partitioning).
WIDER_FORMS = {
    ("AWS::KinesisFirehose::DeliveryStream", "S3DestinationConfiguration"): "ExtendedS3DestinationConfiguration",
}
# Names written for Firehose's OpenSearch destinations, which it spells AmazonopensearchserviceDestinationConfiguration
# (a domain) and AmazonOpenSearchServerlessDestinationConfiguration (a collection).
OPENSEARCH_DESTINATIONS = frozenset((
    "OpenSearchDestinationConfiguration", "OpensearchDestinationConfiguration",
    "AmazonOpenSearchDestinationConfiguration", "AmazonOpenSearchServiceDestinationConfiguration",
    "OpenSearchServiceDestinationConfiguration", "AmazonOpensearchServiceDestinationConfiguration",
))
# SAM resources' settings written in the shape of the resource SAM generates -> (key -> SAM's
# property, why). SAM rejects properties it does not define.
SAM_FORMS = {
    ("AWS::Serverless::Api", "TracingConfig"): (
        {"TracingEnabled": "TracingEnabled"}, "a SAM Api turns X-Ray tracing on with TracingEnabled"),
    ("AWS::Serverless::Function", "TracingConfig"): (
        {"Mode": "Tracing"}, "a SAM Function sets its tracing mode with Tracing"),
}
# Why an action's OnFailure has no home of the same shape.
ACTION_ON_FAILURE = (
    "a stage's OnFailure takes only Result (ROLLBACK or RETRY), not an action to run; to be told "
    "when the action fails, add an AWS::CodeStarNotifications::NotificationRule (event "
    "codepipeline-pipeline-action-execution-failed) or an AWS::Events::Rule on 'CodePipeline Action "
    "Execution State Change' with state FAILED, targeting the topic: rework it by hand")
# What becomes of an action's OnFailure that notifies a topic of the template.
ACTION_NOTIFY = (
    "a stage's OnFailure takes only Result (ROLLBACK or RETRY), not an action to run: the notification "
    "moves to an AWS::Events::Rule on the action's 'CodePipeline Action Execution State Change' "
    "events with state FAILED, publishing to the same topic")
RESOURCE_ATTRIBUTES = ("DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy",
                       "CreationPolicy", "Metadata")
# Resource types whose access policy CloudFormation models as a resource of its own:
# (policy type, property naming the owner, whether that property is a list).
POLICY_RESOURCES = {
    "AWS::S3::Bucket": ("AWS::S3::BucketPolicy", "Bucket", False),
    "AWS::SQS::Queue": ("AWS::SQS::QueuePolicy", "Queues", True),
    "AWS::SNS::Topic": ("AWS::SNS::TopicPolicy", "Topics", True),
}
# Transforms known not to read resource properties of their own; any other one (a macro) may.
# What an instance gives itself that its primary network interface takes instead, by the
# interface's name for it (RunInstances refuses both forms in one request).
INTERFACE_KEYS = {"SubnetId": "SubnetId", "SecurityGroupIds": "GroupSet", "PrivateIpAddress": "PrivateIpAddress",
                  "Ipv6AddressCount": "Ipv6AddressCount", "Ipv6Addresses": "Ipv6Addresses"}

PLAIN_TRANSFORMS = (schemas.SAM_TRANSFORM, "AWS::LanguageExtensions")


@dataclass
class Plan:
    """What a fixable finding does. ``keys`` are the names it takes out of the holding object."""

    action: str  # rename | wrap | lift | split | remove | home | stages | log_group | notify | index | interface
    keys: tuple
    target: tuple = ()  # rename: (new name,); wrap: path of the object or list; lift: new holder; split: ();
    # stages: the paths of the objects that take the setting; log_group: (key naming the group,)
    inner: dict = field(default_factory=dict)  # wrap: key -> name inside the new object
    convert: str = ""  # rename: "unwrap" (a one-item list becomes its item) or "list" (a scalar becomes a list)
    into: str = "new"  # wrap: "new" object, "list" (new list), "append" (to a list), "object" (existing object)
    drop_parent: bool = False  # remove: the holding object would be empty and goes too
    item: dict = field(default_factory=dict)  # home: the new list item, None standing for the value


def _conditional_targets(doc: Document, resource: dict, v: schemas.Violation, head: str) -> Finding | None:
    """A DependsOn written under Properties that names resources created under another condition:
    lifted, it would fail the stack whenever they are not created (CloudFormation has no
    conditional DependsOn), so it goes when it names only those, and is reported when it mixes."""
    names = v.value if isinstance(v.value, list) else [v.value]
    own = resource.get("Condition")
    other = {n: doc.resources[n].get("Condition") for n in names if isinstance(n, str) and isinstance(
        doc.resources.get(n), dict) and doc.resources[n].get("Condition") not in (None, own)}
    if not other:
        return None
    said = ", ".join(f"{n} (only when {c})" for n, c in other.items())
    if len(other) < len(names):
        return Finding(v.resource, v.path, f"{head}; it names {said}, which may not exist: a DependsOn on them "
                       "fails the stack when they are not created; lift the others by hand", fixable=False)
    return Finding(v.resource, v.path, f"{head}; remove: it names {said}, which may not exist, and CloudFormation "
                   "has no conditional DependsOn (lifted, it would fail the stack when they are not created); "
                   "lost: the ordering after them", detail=Plan("remove", (v.name,)))


def _head(v: schemas.Violation) -> str:
    where = "/".join(map(str, v.path[3:-1])) or "the resource"
    return f"E3002 {v.type_name}: '{v.name}' is not a property of {where}"


def _homes_elsewhere(type_name: str, name: str, here: tuple) -> list[tuple]:
    """The objects of a resource type's schema, other than ``here``, that accept ``name``; a
    one-word name (Description, Enabled) counts only in objects near ``here``, where it is
    likely the same setting."""
    homes = [h for h in schemas.homes(type_name, name) if h != here]
    if len(words(name)) < 2:
        homes = [h for h in homes if set(h) & set(here) - {"*"}]
    return homes


def _show(path: tuple) -> str:
    return "/".join(map(str, path)) or "Properties"


def _policy_document(value: Any) -> tuple | None:
    """Where the policy document is inside an inline policy value: () for the value itself,
    ("PolicyDocument",) when it wraps one; None when the value is no policy document."""
    if isinstance(value, dict) and "Statement" in value:
        return ()
    if isinstance(value, dict) and set(value) <= {"PolicyDocument"} and isinstance(value.get("PolicyDocument"), dict):
        return ("PolicyDocument",) if "Statement" in value["PolicyDocument"] else None
    return None


def _macro(doc: Document) -> str | None:
    transform = doc.data.get("Transform") if isinstance(doc.data, dict) else None
    names = transform if isinstance(transform, list) else [transform] if transform is not None else []
    for name in names:
        if not (isinstance(name, str) and name in PLAIN_TRANSFORMS):
            return name if isinstance(name, str) else "a transform"
    return None


class UnsupportedProperty(Fixer):
    name = "unsupported-property"
    summary = "Give properties a resource does not accept the home its schema has for them; remove only what has none (E3002)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ("E3002",)
    default = False
    docs = """
    ## What it detects
    A resource property, at any depth, that the resource type's schema (as shipped with cfn-lint,
    `$ref`/`definitions` resolved) does not accept. cfn-lint reports these as E3002.

    ## Why it matters
    CloudFormation refuses the stack operation (`Encountered unsupported property ...`). Deleting
    what cfn-lint flags makes the template deploy, but silently drops what the author meant: key
    rotation, point-in-time recovery, a lifecycle rule's action, a backup plan's rules.

    ## How it decides
    It looks for the value's home in the schema first, and moves the value there with its
    original text (comments, `!Ref` tags, quoting, compact JSON):
    - **rename**: the object accepts one name that is plainly meant: differing in case, a near
      spelling, a documented name (`KeyRotationStatus`, `DefaultCooldown`), or the same words in
      another order or form (`KeyRotationEnabled` is `EnableKeyRotation`, `Rules` in a
      `BackupPlan` is `BackupPlanRule`), or the one name the object lacks that holds every
      word of it and takes a value of the same kind, unless a key present already names part of
      it (`ManageUserPassword: true` is `ManageMasterUserPassword`; a one-word name only for a
      required property: `Keys` in a DynamoDB index is its missing `KeySchema`). A plural written for a singular (`ResourceIds: [x]` for
      `ResourceId`) becomes the single item; several items are reported.
      A Firehose OpenSearch destination written under a name Firehose lacks
      (`OpenSearchDestinationConfiguration`) is renamed by what it points at: a domain
      (`DomainARN`, `ClusterEndpoint`) is `AmazonopensearchserviceDestinationConfiguration`, a
      collection (`CollectionEndpoint`) is `AmazonOpenSearchServerlessDestinationConfiguration`.
    - **wrap**: the key (with its siblings) belongs one level down, in the single object the
      schema offers for it: `TransitionInDays` and `StorageClass` in a lifecycle rule become
      `Transitions: [{TransitionInDays, StorageClass}]`; `PointInTimeRecoveryEnabled` on a table
      becomes `PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: ...}`;
      `MonitoringEnabled` becomes `Monitoring: {Enabled: ...}`.
    - **lift**: resource attributes written under `Properties` (`DependsOn`, `Condition`,
      `DeletionPolicy`, `UpdateReplacePolicy`, `UpdatePolicy`, `CreationPolicy`, `Metadata`) go
      to the resource; a key written inside an object that its enclosing object accepts
      (CloudFront `Tags` inside `DistributionConfig`) goes up there.
    - **split**: an inline access policy on an S3 bucket, SQS queue or SNS topic becomes its own
      `AWS::S3::BucketPolicy` / `AWS::SQS::QueuePolicy` / `AWS::SNS::TopicPolicy`, with the owner's
      `Condition`.
    - SAM resources (`AWS::Serverless::*`, which SAM validates itself): a `TracingConfig`
      written in the generated resource's shape moves to SAM's own property (an Api's
      `TracingConfig: {TracingEnabled: true}` becomes `TracingEnabled: true`, a Function's
      `TracingConfig: {Mode: Active}` becomes `Tracing: Active`).
    - **index**: a DynamoDB global table's index defined inside a replica (`KeySchema` or
      `Keys`, and `Projection`, under `Replicas/*/GlobalSecondaryIndexes`) moves to the table's
      `GlobalSecondaryIndexes`; the replica keeps the `IndexName` and its per-replica settings.
      Only when one replica defines it, the table is `PAY_PER_REQUEST` (a provisioned index also
      needs write capacity) and its key attributes are defined; otherwise reported.
    - **wider form**: an object whose stray keys all belong to its wider form is renamed to it
      (a Firehose `S3DestinationConfiguration` with `ProcessingConfiguration` becomes the
      `ExtendedS3DestinationConfiguration`, which takes every key of the plain one).
    - **spread**: an object the schema lacks whose keys are each one setting of the holder,
      named by the object's subject and the key, moves key by key (`StageDescription`'s
      `ThrottleSettings: {RateLimit, BurstLimit}` becomes `ThrottlingRateLimit` and
      `ThrottlingBurstLimit`); any key without exactly one such setting leaves it reported.
    - **home**: a setting whose home is an entry of a list: a target group's
      `DeregistrationDelay` becomes the `TargetGroupAttributes` entry
      `{Key: deregistration_delay.timeout_seconds, Value: '30'}` (a load balancer's
      `IdleTimeout` likewise `idle_timeout.timeout_seconds`); an Elastic Beanstalk environment's
      or configuration template's configuration option written as a property (`ServiceRole`,
      `EnvironmentType`, `LoadBalancerType`, `InstanceType`, `IamInstanceProfile`, `EC2KeyName`,
      `MinSize`, `MaxSize`, `VPCId`, `Subnets`, `ELBSubnets`) becomes the `OptionSettings` item
      `{Namespace: aws:elasticbeanstalk:environment, OptionName: ServiceRole, Value: ...}` in the
      option's namespace; a launch template's
      `LaunchTemplateData.Tags` becomes `TagSpecifications: [{ResourceType: instance, Tags}]`;
      a method setting written on an API Gateway stage (`CacheTtlInSeconds`) moves into the
      stage-wide `MethodSettings` item (`ResourcePath: /*`, `HttpMethod: '*'`), or goes when that
      item already holds the same value;
      a configuration recorder's `RecordingGroup.RecordingModeOverrides` moves to
      `RecordingMode` (created with `RecordingFrequency: CONTINUOUS`, AWS Config's frequency
      when none is given).
      An attribute or option already set there (to another value), or an instance tag specification
      already present, is reported.
    - **stages**: a stage setting written on an `AWS::ApiGateway::RestApi` (`TracingEnabled`,
      `CacheClusterEnabled`, `CacheClusterSize`, `MethodSettings`, `Variables`,
      `AccessLogSetting`, `ClientCertificateId`) applies to the API's stages: it is copied to
      each stage of that API the template creates (an `AWS::ApiGateway::Stage`, the
      `StageDescription` of a Deployment with a `StageName`) that lacks it, and goes when they
      all have the same value already. A stage that sets it to another value leaves it
      reported; an API without a stage in the template has no home for it (removed, saying what
      is lost).
    - **log group**: a CodeBuild project's `LogsConfig.CloudWatchLogs.RetentionInDays` is the
      retention of the log group it names (`GroupName`): it moves to the template's
      `AWS::Logs::LogGroup` of that name (or goes when that group keeps the same), or to one
      created for it, with the project's `Condition`. Reported when the project names no group,
      when another project writes to the same group, or when the group keeps another retention.
    - **notify**: a CodePipeline action's `OnFailure` (an action to run; a stage's `OnFailure`
      takes only a result, `ROLLBACK` or `RETRY`) that publishes to an SNS topic of the template
      becomes an `AWS::Events::Rule` on the action's "CodePipeline Action Execution State Change"
      events with state `FAILED` (pipeline, stage and action named), targeting the same topic with
      the same message (an input template), and with the pipeline's `Condition`. When no topic
      policy covers the topic, an `AWS::SNS::TopicPolicy` letting this account's EventBridge rules
      publish is added. Reported instead: a topic given as a parameter or ARN, an encrypted topic
      (EventBridge needs a key policy that lets it in), a topic policy without EventBridge, a
      topic under another condition, other configuration keys, names or messages built with
      intrinsics.
    - **interface**: `AssociatePublicIpAddress` on an `AWS::EC2::Instance` is a setting of its
      primary network interface. With `NetworkInterfaces` EC2 takes the subnet, security groups
      and addresses in the interface, not on the instance, so the instance gets
      `NetworkInterfaces: [{AssociatePublicIpAddress, DeviceIndex: '0', SubnetId, GroupSet}]`
      built from its own `SubnetId` and `SecurityGroupIds` (and `PrivateIpAddress`,
      `Ipv6AddressCount`, `Ipv6Addresses` when given), moved, not copied. Reported when the
      instance already has `NetworkInterfaces`, names its groups by name (`SecurityGroups`, the
      default VPC's), or has no `SubnetId` (a public address needs the subnet in the interface).
    - The `KeyId` of an SSM `SecureString` parameter (a type CloudFormation cannot create) is
      reported and left to `allowed-value`: it turns such a parameter into a Secrets Manager
      secret, where the key is the `KmsKeyId`, or, when the template reads it as a parameter and
      its value is in clear text, into a `String` parameter, and removes the key saying what is lost.
    - A `Description` among the `Properties` of a type without one is a note on the resource:
      it moves under the resource's `Metadata` (as `resource-shape` moves one written beside the
      resource's attributes), unless `Metadata` already has a `Description`.
    - **remove** only when the schema has no home for the value; the change log quotes the text
      and says what is lost (and what to use instead where that is known: S3
      `CloudWatchConfigurations`, `Tags` on a type that cannot be tagged). When the key was the
      only one of an optional object, the object goes with it.

    It reports (changes nothing) when the home is ambiguous or not a plain move (a list of
    replicas, a network interface), when the object written holds a setting the schema places
    elsewhere in another form (EKS `CloudWatch: {ClusterLogging: true}`, whose setting is
    `Logging.ClusterLogging.EnabledTypes`), when a resource attribute is already set to another value,
    when removing would leave the object invalid (required properties missing, none of the
    properties of which it needs one, a list item left empty), for a function (`Fn::If`, `Ref`)
    written beside other keys, for `TemplateBody` on a nested stack (`flatten-nested-stacks` inlines it), and in
    templates processed by a macro, which may consume the property.

    ## Example
    ```yaml
    # before
    Key:
      Type: AWS::KMS::Key
      Properties:
        KeyRotationEnabled: true
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoveryEnabled: true
    # after
    Key:
      Type: AWS::KMS::Key
      Properties:
        EnableKeyRotation: true
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: true
    ```

    ## Fix safety
    Review: a renamed, wrapped, lifted or split setting takes effect for the first time (key
    rotation really turns on, a new policy resource is created); a removed property may have
    carried intent that now needs another form (see the change-log message). Moving an
    instance's subnet into a network interface replaces a deployed instance. A log group created
    for a retention makes the stack own the group: where the group exists already (a build ran
    before the stack), creating it fails; import it into the stack instead.
    """

    # ------------------------------------------------------------ find

    def find(self, doc: Document) -> list[Finding]:
        by_holder: dict[tuple, list[schemas.Violation]] = {}
        for v in schemas.violations(doc):
            if v.kind == "unknown":
                by_holder.setdefault(v.path[:-1], []).append(v)
        findings: list[Finding] = []
        macro = _macro(doc)
        for holder_path, group in by_holder.items():
            holder = doc.value(holder_path)
            if not isinstance(holder, dict):
                continue
            if macro is not None:
                findings += [Finding(v.resource, v.path, f"{_head(v)}; the template is processed by {macro}, "
                                     "which may read it: left as it is", fixable=False) for v in group]
                continue
            calls = [v for v in group if is_function_key(v.name)]
            if calls:
                # the author's function, ended by the keys beside it: which of them was meant
                # (inside each branch, or instead of it) only the author knows
                others = ", ".join(sorted(repr(k) for k in holder if not is_function_key(k)))
                findings += [Finding(v.resource, v.path, f"E3002 {v.type_name}: '{v.name}' stands beside {others}, "
                                     "and a function must be the only key of its mapping; move them into the "
                                     "function's values (each branch of an Fn::If) or keep one side",
                                     fixable=False) for v in calls]
                group = [v for v in group if v not in calls]
                if not group:
                    continue
            findings += self._plan(doc, holder_path, holder, group)
        if macro is None:
            findings += self._sam(doc)
        return findings

    def _sam(self, doc: Document) -> list[Finding]:
        """SAM resources (no schema here) with a setting written in the form of the resource SAM
        generates: `TracingConfig: {TracingEnabled: true}` on an Api is SAM's `TracingEnabled`."""
        out = []
        for (rtype, name), (inner, why) in SAM_FORMS.items():
            for rid, res in doc.resources_of_type(rtype):
                props = res.get("Properties")
                if not isinstance(props, dict):
                    continue
                value = props.get(name)
                if not isinstance(value, dict) or set(value) != set(inner) or any(k in props for k in inner.values()):
                    continue
                moves = ", ".join(f"{k} as {t}" for k, t in inner.items())
                out.append(Finding(rid, ("Resources", rid, "Properties", name), f"E3002 {rtype}: '{name}' is not a "
                                   f"property of the resource; lift: {why} ({moves})",
                                   detail=Plan("lift", (name,), into="unwrap", inner=dict(inner))))
        return out

    def _plan(self, doc: Document, holder_path: tuple, holder: dict, group: list) -> list[Finding]:
        index = self._replica_index(doc, holder_path, holder, group)
        if index is not None:
            return [index]
        wider = self._wider(doc, holder_path, holder, group)
        if wider is not None:
            return [wider]
        out: list[Finding] = []
        left: list[schemas.Violation] = []
        for v in group:
            found = self._direct(doc, holder, v)
            if found is None:
                left.append(v)
            else:
                out.append(found)
        renames = [f for f in out if f.fixable and f.detail.action == "rename"]
        claims = Counter(f.detail.target for f in renames)
        contested = [f for f in renames if claims[f.detail.target] > 1]
        for f in contested:
            # two names for one property (`KeyRotationStatus`, `EnableKeeyRotation`): renaming both
            # writes the key twice, and which value is meant only the author knows
            others = sorted(repr(g.path[-1]) for g in contested if g is not f and g.detail.target == f.detail.target)
            f.fixable = False
            f.message += f"; {', '.join(others)} also {'stands' if len(others) == 1 else 'stand'} for it: keep one by hand"
        renamed = {f.detail.target[0]: f.path[-1] for f in renames if f.fixable}
        wraps, left = self._wraps(holder_path, holder, left, renamed)
        lifts, left = self._lifts(doc, holder_path, left)
        leaving = {k for f in out + wraps + lifts if f.fixable and f.detail.action != "rename" for k in f.detail.keys}
        leaving |= {v.name for v in left}
        removals = [self._removal(doc, holder_path, holder, v, set(holder) <= leaving) for v in left]
        if len(holder_path) > 3 and any(not f.fixable for f in removals) and any(f.fixable for f in removals):
            for f in removals:  # the object is half in the wrong place: rework it as a whole
                if f.fixable:
                    f.fixable = False
                    f.message += "; other keys here belong elsewhere: rework the object by hand"
        if wraps and any(f.fixable for f in removals):
            # a sibling with no place (Route 53 `Config: {AlarmIdentifier}`) may hold part of a
            # new object: neither moved nor removed
            for f in removals + wraps:
                f.fixable = False
                f.message += "; other keys here may belong with it: rebuild the object by hand"
        return out + wraps + lifts + removals

    def _replica_index(self, doc: Document, holder_path: tuple, holder: dict, group: list) -> Finding | None:
        """A global table's index defined in a replica's GlobalSecondaryIndexes (its key schema and
        projection): the definition belongs in the table's GlobalSecondaryIndexes, the replica
        keeping the IndexName (and its per-replica settings)."""
        v0 = group[0]
        names = {v.name for v in group}
        here = tuple("*" if isinstance(p, int) else p for p in holder_path[3:])
        if v0.type_name != "AWS::DynamoDB::GlobalTable" or here != ("Replicas", "*", "GlobalSecondaryIndexes", "*") \
                or not names <= {"Keys", "KeySchema", "Projection"}:
            return None
        head = f"{_head(v0)}; a global table defines its indexes in GlobalSecondaryIndexes, a replica only names them"
        keys = [k for k in ("Keys", "KeySchema") if k in holder]
        index, props = holder.get("IndexName"), doc.value(holder_path[:3])

        def refuse(why: str) -> Finding:
            return Finding(v0.resource, v0.path, f"{head}; {why}: move the definition by hand", fixable=False)

        if len(keys) != 1 or "Projection" not in holder or not isinstance(index, str):
            return refuse("it needs one key schema, a Projection and a literal IndexName to move")
        table_indexes = props.get("GlobalSecondaryIndexes", [])
        if not isinstance(table_indexes, list) or any(isinstance(i, dict) and i.get("IndexName") == index for i in table_indexes):
            return refuse(f"the table's GlobalSecondaryIndexes {'already defines ' + index if isinstance(table_indexes, list) else 'is not a plain list'}")
        defining = [r for r in props.get("Replicas") or [] if isinstance(r, dict) and isinstance(r.get("GlobalSecondaryIndexes"), list)
                    and any(isinstance(i, dict) and i.get("IndexName") == index and set(i) & {"Keys", "KeySchema"}
                            for i in r["GlobalSecondaryIndexes"])]
        if len(defining) != 1:
            return refuse(f"{len(defining)} replicas define {index}")
        if props.get("BillingMode") != "PAY_PER_REQUEST":
            return refuse("the table is not PAY_PER_REQUEST, and a provisioned index needs WriteProvisionedThroughputSettings")
        definitions = props.get("AttributeDefinitions")
        known = {a["AttributeName"] for a in definitions if isinstance(a, dict) and isinstance(a.get("AttributeName"), str)} \
            if isinstance(definitions, list) else set()
        schema = holder[keys[0]]
        if not isinstance(schema, list) or any(not isinstance(k, dict) or not isinstance(k.get("AttributeName"), str)
                                               or k["AttributeName"] not in known for k in schema):
            return refuse("its key attributes are not all in AttributeDefinitions")
        moved = tuple(keys) + ("Projection",)
        return Finding(v0.resource, holder_path + (keys[0],), f"{head}; move: {index}'s {keys[0]}{' (as KeySchema)' if keys[0] == 'Keys' else ''} and Projection "
                       "go to the table's GlobalSecondaryIndexes, the replica keeps its IndexName",
                       detail=Plan("index", moved, holder_path[:3] + ("GlobalSecondaryIndexes",),
                                   into="append" if "GlobalSecondaryIndexes" in props else "list"))

    def _wider(self, doc: Document, holder_path: tuple, holder: dict, group: list) -> Finding | None:
        """One finding for an object whose stray keys all belong to the wider form of it (a Firehose
        S3DestinationConfiguration with ProcessingConfiguration is an ExtendedS3DestinationConfiguration)."""
        v0 = group[0]
        if len(holder_path) != 4 or (v0.type_name, holder_path[-1]) not in WIDER_FORMS:
            return None
        wide = WIDER_FORMS[(v0.type_name, holder_path[-1])]
        props = doc.value(holder_path[:-1])
        schema = schemas.schema_at(v0.type_name, holder_path[:-1] + (wide,))
        if not isinstance(props, dict) or wide in props or not all(schemas.accepts(v0.type_name, schema, k) for k in holder):
            return None
        keys = ", ".join(v.name for v in group)
        return Finding(v0.resource, holder_path, f"{_head(v0)}; rename {holder_path[-1]} to '{wide}', the wider form "
                       f"of the same destination that takes {keys} and every key already there",
                       detail=Plan("rename", (holder_path[-1],), (wide,)))

    def _direct(self, doc: Document, holder: dict, v: schemas.Violation) -> Finding | None:
        """A finding for keys with a home of their own: stack bodies, attributes, policies, renames."""
        head, top = _head(v), v.path[3:] == (v.name,)
        if top and v.type_name == "AWS::CloudFormation::Stack" and v.name == "TemplateBody":
            return Finding(v.resource, v.path, f"{head}; a nested stack's inline body is flatten-nested-stacks' "
                           "to inline into this template, never removed", fixable=False)
        if top and v.name in RESOURCE_ATTRIBUTES:
            resource = doc.resources[v.resource]
            if v.name == "DependsOn" and v.name not in resource:
                finding = _conditional_targets(doc, resource, v, head)
                if finding is not None:
                    return finding
            if v.name not in resource:
                return Finding(v.resource, v.path, f"{head}; lift: {v.name} is a resource attribute, moved out "
                               "of Properties", detail=Plan("lift", (v.name,), ("Resources", v.resource)))
            if _same(resource[v.name], v.value):
                return Finding(v.resource, v.path, f"{head}; remove: the resource already has this {v.name}, "
                               "nothing is lost", detail=Plan("remove", (v.name,)))
            return Finding(v.resource, v.path, f"{head}; {v.name} is a resource attribute, but the resource "
                           f"already has another {v.name}: merge them by hand", fixable=False)
        if top and v.type_name == "AWS::SSM::Parameter" and v.name in ("KeyId", "KmsKeyId") and holder.get("Type") == "SecureString":
            return Finding(v.resource, v.path, f"{head}; it is the KMS key of a SecureString parameter, which "
                           "CloudFormation cannot create: left to allowed-value, which keeps it as the KmsKeyId of "
                           "the Secrets Manager secret the parameter can become, or removes it, saying what is lost, "
                           "when the parameter becomes a String", fixable=False)
        if top and v.type_name == "AWS::KinesisFirehose::DeliveryStream" and v.name in OPENSEARCH_DESTINATIONS:
            found = self._opensearch(holder, v)
            if found is not None:
                return found
        if top and (v.type_name, v.name) in ATTRIBUTE_HOMES:
            return self._attribute(holder, v)
        if v.name == "Tags" and v.type_name == "AWS::EC2::LaunchTemplate" and v.path[3:] == ("LaunchTemplateData", "Tags"):
            return self._tag_specification(holder, v)
        if v.name == "RetentionInDays" and (v.type_name, v.path[3:-1]) in LOG_GROUP_NAMES:
            return self._retention_home(doc, holder, v)
        if top and v.type_name == "AWS::ApiGateway::RestApi" and v.name in STAGE_SETTINGS:
            found = self._api_stages(doc, v)
            if found is not None:
                return found
        if top and v.type_name == "AWS::ApiGateway::Stage":
            found = self._stage_wide(holder, v)
            if found is not None:
                return found
        if v.type_name == "AWS::Config::ConfigurationRecorder" and v.path[3:] == ("RecordingGroup", "RecordingModeOverrides"):
            return self._recording_mode(doc, v)
        if v.name == "OnFailure" and v.type_name == "AWS::CodePipeline::Pipeline" and v.path[3:4] == ("Stages",) \
                and v.path[5:6] == ("Actions",) and len(v.path) == 8:
            notify, why = pipeline_failures.plan(doc, v.path)
            if notify is None:
                return Finding(v.resource, v.path, f"{head}; {ACTION_ON_FAILURE} ({why})", fixable=False)
            return Finding(v.resource, v.path, f"{head}; {ACTION_NOTIFY}", detail=Plan("notify", (v.name,), item=notify))
        if v.name == "OnFailure" and v.type_name == "AWS::CodePipeline::Pipeline" and "Actions" in v.path:
            return Finding(v.resource, v.path, f"{head}; {ACTION_ON_FAILURE}", fixable=False)
        if top and v.type_name in POLICY_RESOURCES and "policy" in words(v.name) and _policy_document(v.value) is not None:
            policy_type = POLICY_RESOURCES[v.type_name][0]
            return Finding(v.resource, v.path, f"{head}; split: the policy becomes its own {policy_type}",
                           detail=Plan("split", (v.name,)))
        if top and v.type_name == "AWS::EC2::Instance" and v.name == "AssociatePublicIpAddress":
            return self._public_ip(holder, v)
        return self._renamed(holder, v)

    def _public_ip(self, holder: dict, v: schemas.Violation) -> Finding:
        """An instance's AssociatePublicIpAddress: a setting of its primary network interface. With
        NetworkInterfaces the subnet, groups and addresses must be given in the interface, so the
        instance's own move into it with the setting."""
        head = f"{_head(v)}; CloudFormation accepts it in NetworkInterfaces/*, not here"
        if "NetworkInterfaces" in holder:
            why = "already has NetworkInterfaces: set it on the primary interface (DeviceIndex '0')"
        elif "SecurityGroups" in holder:
            why = ("names its security groups by name (SecurityGroups, default VPC), which an interface does not take: "
                   "give their ids in the interface's GroupSet")
        elif "SubnetId" not in holder or "AWS::NoValue" in json.dumps(holder["SubnetId"]):
            why = "has no SubnetId to put in the interface, which needs one for a public address: give the subnet there"
        else:
            why = ""
        if why:
            return Finding(v.resource, v.path, f"{head}, and the instance {why}; move it by hand", fixable=False)
        keys = ("AssociatePublicIpAddress",) + tuple(k for k in INTERFACE_KEYS if k in holder)
        moved = ", ".join(k if INTERFACE_KEYS.get(k, k) == k else f"{k} as {INTERFACE_KEYS[k]}" for k in keys[1:])
        return Finding(v.resource, v.path, (
            f"{head}; move: it is a setting of the primary network interface, and an instance with NetworkInterfaces "
            f"takes its subnet and security groups there only: NetworkInterfaces gets one interface with DeviceIndex "
            f"'0', AssociatePublicIpAddress and the instance's own {moved} (moved, not copied); a deployed instance is "
            "replaced"), detail=Plan("interface", keys, ("NetworkInterfaces",), inner=dict(INTERFACE_KEYS)))

    def _opensearch(self, holder: dict, v: schemas.Violation) -> Finding | None:
        """A Firehose OpenSearch destination under a name Firehose does not have: a domain
        (DomainARN, ClusterEndpoint) is the Amazonopensearchservice destination, a collection
        (CollectionEndpoint) the Amazon OpenSearch Serverless one."""
        value = v.value if isinstance(v.value, dict) else {}
        domain = bool({"DomainARN", "ClusterEndpoint"} & set(value))
        if domain == ("CollectionEndpoint" in value):
            return None
        target = "AmazonopensearchserviceDestinationConfiguration" if domain else "AmazonOpenSearchServerlessDestinationConfiguration"
        if target in holder or not _fits(v, v.property_schema(target), v.value):
            return None
        what = "an OpenSearch Service domain (DomainARN/ClusterEndpoint)" if domain else "a Serverless collection (CollectionEndpoint)"
        return Finding(v.resource, v.path, f"{_head(v)}; rename to '{target}': the destination is {what}, and "
                       f"that is the name Firehose gives its configuration", detail=Plan("rename", (v.name,), (target,)))

    def _attribute(self, holder: dict, v: schemas.Violation) -> Finding:
        """A setting written as a property whose home is an item of the resource's list of named settings."""
        home, names = ATTRIBUTE_HOMES[(v.type_name, v.name)]
        if "Key" in names:
            head = f"{_head(v)}; {v.type_name} sets it as {home} key {names['Key']}"
        else:
            head = f"{_head(v)}; {v.type_name} sets it as {home} option {names['OptionName']} (namespace {names['Namespace']})"
        present = holder.get(home, [])
        if not isinstance(present, list):
            return Finding(v.resource, v.path, f"{head}, but {home} is not a plain list: move it by hand", fixable=False)
        there = [a for a in present if isinstance(a, dict) and all(a.get(k) == n for k, n in names.items())]
        if there:
            if _same(str(there[0].get("Value")), str(v.value)):
                return Finding(v.resource, v.path, f"{head}, which already holds the same value: remove, nothing is lost",
                               detail=Plan("remove", (v.name,)))
            return Finding(v.resource, v.path, f"{head}, which already holds {json.dumps(there[0].get('Value'))}: "
                           "keep one by hand", fixable=False)
        if isinstance(v.value, (bool, list)) or (isinstance(v.value, dict) and not schemas.is_intrinsic(v.value)):
            return Finding(v.resource, v.path, f"{head}, but {json.dumps(v.value)} is not a value it takes: move it by hand",
                           fixable=False)
        into = "append" if home in holder else "list"
        return Finding(v.resource, v.path, f"{head}: moved there",
                       detail=Plan("home", (v.name,), v.path[:-1] + (home,), item={**names, "Value": None}, into=into))

    def _retention_home(self, doc: Document, holder: dict, v: schemas.Violation) -> Finding:
        """A retention written where a service names its log group: the group's own setting, on
        the template's AWS::Logs::LogGroup of that name, or on one created for it."""
        key = LOG_GROUP_NAMES[(v.type_name, v.path[3:-1])]
        head = f"{_head(v)}; retention is a setting of the log group ({key})"
        name = holder.get(key)
        if name is None:
            return Finding(v.resource, v.path, f"{head}, which it does not name: give {key} and set RetentionInDays on "
                           "an AWS::Logs::LogGroup of that name by hand", fixable=False)
        if isinstance(v.value, (bool, list)) or (isinstance(v.value, str) and not v.value.isdigit()) or (
                isinstance(v.value, dict) and not schemas.is_intrinsic(v.value)):
            return Finding(v.resource, v.path, f"{head}, but {json.dumps(v.value)} is not a number of days: move it by hand",
                           fixable=False)
        groups = [rid for rid, r in doc.resources_of_type("AWS::Logs::LogGroup")
                  if isinstance(r.get("Properties"), dict) and r["Properties"].get("LogGroupName") == name]
        if len(groups) > 1:
            return Finding(v.resource, v.path, f"{head}, and {', '.join(groups)} all have that name: move it by hand",
                           fixable=False)
        if groups:
            held = doc.resources[groups[0]]["Properties"].get("RetentionInDays")
            if held is None:
                return Finding(v.resource, v.path, f"{head}, {groups[0]}: moved there",
                               detail=Plan("home", (v.name,), ("Resources", groups[0], "Properties"),
                                           item={"RetentionInDays": None}, into="key"))
            if _same(held, v.value):
                return Finding(v.resource, v.path, f"{head}, {groups[0]}, which already keeps the same: remove, nothing "
                               "is lost", detail=Plan("remove", (v.name,)))
            return Finding(v.resource, v.path, f"{head}, {groups[0]}, which keeps {json.dumps(held)}: keep one by hand",
                           fixable=False)
        sharing = [rid for rid, _ in doc.resources_of_type(v.type_name) if rid != v.resource
                   and doc.value(("Resources", rid, "Properties") + v.path[3:-1] + (key,)) == name]
        if sharing:
            return Finding(v.resource, v.path, f"{head}, which {', '.join(sharing)} also write{'s' if len(sharing) == 1 else ''} "
                           "to: create one AWS::Logs::LogGroup of that name by hand", fixable=False)
        return Finding(v.resource, v.path, (
            f"{head}: moved to an AWS::Logs::LogGroup of that name, created for it (a group of that name that "
            "exists already, outside the stack, fails the stack: import it instead)"),
            detail=Plan("log_group", (v.name,), (key,)))

    def _api_stages(self, doc: Document, v: schemas.Violation) -> Finding | None:
        """A stage setting written on a REST API: it moves to every stage of the API the template
        creates (a Stage resource, a Deployment's StageDescription), copied to each; None when the
        template creates none (then nothing takes it, and it goes as any property without a home)."""
        api = ({"Ref": v.resource}, {"Fn::GetAtt": [v.resource, "RestApiId"]}, {"Fn::GetAtt": f"{v.resource}.RestApiId"})
        homes: list[tuple] = []
        for name, resource in doc.resources.items():
            props = resource.get("Properties") if isinstance(resource, dict) else None
            if not isinstance(props, dict) or props.get("RestApiId") not in api:
                continue
            if resource.get("Type") == "AWS::ApiGateway::Stage":
                homes.append(("Resources", name, "Properties"))
            elif resource.get("Type") == "AWS::ApiGateway::Deployment" and "StageName" in props:
                if ("StageDescription",) not in schemas.homes("AWS::ApiGateway::Deployment", v.name):
                    return None
                description = props.get("StageDescription", {})
                if not isinstance(description, dict) or schemas.is_intrinsic(description):
                    return Finding(v.resource, v.path, f"{_head(v)}; it is a setting of the API's stages, but the "
                                   f"StageDescription of {name} is not a plain object: move it by hand", fixable=False)
                homes.append(("Resources", name, "Properties", "StageDescription"))
        if not homes:
            return None
        head = f"{_head(v)}; it is a setting of the API's stages ({', '.join(h[1] for h in homes)})"
        held = {h: doc.value(h + (v.name,)) for h in homes}
        other = [h[1] for h, value in held.items() if value is not None and not _same(value, v.value)]
        if other:
            return Finding(v.resource, v.path, f"{head}, but {', '.join(other)} already sets it to another value: keep "
                           "one by hand", fixable=False)
        missing = tuple(h for h, value in held.items() if value is None)
        if not missing:
            return Finding(v.resource, v.path, f"{head}, and each has the same value already: remove, nothing is lost",
                           detail=Plan("remove", (v.name,)))
        return Finding(v.resource, v.path, f"{head}: moved to each that lacks it",
                       detail=Plan("stages", (v.name,), missing))

    def _stage_wide(self, holder: dict, v: schemas.Violation) -> Finding | None:
        """A method setting written on a stage: the stage-wide MethodSettings item (every resource
        path, every method) is where it applies to the whole stage."""
        item_schema = schemas.resolve(v.root, v.property_schema("MethodSettings").get("items", {}))
        if not schemas.accepts(v.type_name, item_schema, v.name):
            return None
        settings = holder.get("MethodSettings")
        items = settings if isinstance(settings, list) else []
        wide = [i for i, m in enumerate(items) if isinstance(m, dict) and m.get("ResourcePath") == "/*"
                and m.get("HttpMethod") == "*"]
        if len(wide) != 1:
            return None
        item = items[wide[0]]
        head = f"{_head(v)}; it is a method setting, and the stage-wide one is MethodSettings item {wide[0]} (/*, *)"
        if v.name in item:
            if _same(item[v.name], v.value):
                return Finding(v.resource, v.path, f"{head}, which already holds the same value: remove, nothing is lost",
                               detail=Plan("remove", (v.name,)))
            return Finding(v.resource, v.path, f"{head}, which holds {json.dumps(item[v.name], default=str)}: keep one "
                           "by hand", fixable=False)
        return Finding(v.resource, v.path, f"{head}: moved there",
                       detail=Plan("home", (v.name,), v.path[:-1] + ("MethodSettings", wide[0]), item={v.name: None},
                                   into="key"))

    def _recording_mode(self, doc: Document, v: schemas.Violation) -> Finding:
        """Recording frequency overrides belong in RecordingMode, beside the default frequency."""
        head = f"{_head(v)}; overrides of the recording frequency belong in RecordingMode"
        target = v.path[:3] + ("RecordingMode",)
        mode = doc.value(target)
        if mode is None:
            return Finding(v.resource, v.path, f"{head}: moved there, with RecordingFrequency CONTINUOUS, the "
                           "frequency AWS Config records at when no RecordingMode is given",
                           detail=Plan("home", (v.name,), target,
                                       item={"RecordingFrequency": "CONTINUOUS", "RecordingModeOverrides": None},
                                       into="new"))
        if isinstance(mode, dict) and not schemas.is_intrinsic(mode) and "RecordingModeOverrides" not in mode:
            return Finding(v.resource, v.path, f"{head}: moved there",
                           detail=Plan("home", (v.name,), target, item={"RecordingModeOverrides": None}, into="key"))
        return Finding(v.resource, v.path, f"{head}, which already has overrides: merge them by hand", fixable=False)

    def _tag_specification(self, holder: dict, v: schemas.Violation) -> Finding:
        """Launch template tags: TagSpecifications tags what the template launches, per resource type."""
        head = (f"{_head(v)}; a launch template tags the instances it launches through TagSpecifications "
                "(ResourceType: instance)")
        specs = holder.get("TagSpecifications", [])
        if not isinstance(v.value, list) or not isinstance(specs, list):
            return Finding(v.resource, v.path, f"{head}: move it by hand", fixable=False)
        if any(isinstance(s, dict) and s.get("ResourceType") == "instance" for s in specs):
            return Finding(v.resource, v.path, f"{head}, which already has an instance entry: merge the tags by hand",
                           fixable=False)
        into = "append" if "TagSpecifications" in holder else "list"
        return Finding(v.resource, v.path, f"{head}: moved there; the instances it launches now carry these tags",
                       detail=Plan("home", (v.name,), v.path[:-1] + ("TagSpecifications",),
                                   item={"ResourceType": "instance", "Tags": None}, into=into))

    def _renamed(self, holder: dict, v: schemas.Violation) -> Finding | None:
        allowed, head = v.allowed_names(), _head(v)
        target, why = candidate(v.name, allowed, set(holder))
        if target is None:
            target, why = word_match(v.name, [a for a in allowed if a not in holder], context_words(v))
        if target is None:
            target, why = _contained(holder, v)
        if target is None:
            taken, _ = candidate(v.name, allowed, set())
            if taken is None:
                taken, _ = word_match(v.name, allowed, context_words(v))
            if taken is None:
                return self._by_content(holder, v)
            if taken in holder:
                if _same(holder[taken], v.value):
                    return Finding(v.resource, v.path, f"{head}; remove: '{taken}' is the name meant and already "
                                   "holds the same value, nothing is lost", detail=Plan("remove", (v.name,)))
                return Finding(v.resource, v.path, f"{head}; '{taken}' is the name meant, but it is already set "
                               "to another value: keep one by hand", fixable=False)
            return None
        if why == "names the same setting":
            home = _wrap_home(holder, v)
            if home is not None and home[0] == target and home[2] == v.name:
                return None  # the object takes the key by its own name: wrapped, not renamed
        sub = v.property_schema(target)
        kind = sub.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        say = f"{head}; rename to '{target}', which {why}"
        if _fits(v, sub, v.value):
            return Finding(v.resource, v.path, say, detail=Plan("rename", (v.name,), (target,)))
        if isinstance(v.value, list) and "array" not in kinds:
            if len(v.value) == 1 and _fits(v, sub, v.value[0]):
                return Finding(v.resource, v.path, f"{say}; its one item becomes the value",
                               detail=Plan("rename", (v.name,), (target,), convert="unwrap"))
            return Finding(v.resource, v.path, f"{head}; '{target}' takes one value, not a list of "
                           f"{len(v.value)}: one resource per item, by hand", fixable=False)
        if "array" in kinds and _fits(v, sub.get("items", {}), v.value):
            return Finding(v.resource, v.path, f"{say}; the value becomes its one item",
                           detail=Plan("rename", (v.name,), (target,), convert="list"))
        return None

    def _by_content(self, holder: dict, v: schemas.Violation) -> Finding | None:
        """An object whose keys are exactly those of one object property the holder lacks
        (`BackupPolicy: {PointInTimeRecoveryEnabled}` on a table), or of the holder itself
        (`TracingConfig: {TracingEnabled}` on a stage)."""
        if not isinstance(v.value, dict) or not v.value or schemas.is_intrinsic(v.value):
            return None
        head = _head(v)
        fitting = []
        for name in v.allowed_names():
            sub = v.property_schema(name)
            if not sub.get("properties") or not _fits(v, sub, v.value):
                continue
            if name in holder:
                there = holder[name]
                if isinstance(there, dict) and all(k in there for k in v.value) and len(v.value) == len(there):
                    if all(_same(there[k], item) for k, item in v.value.items()):
                        return Finding(v.resource, v.path, f"{head}; remove: its keys are those of '{name}', which "
                                       "already holds the same values, nothing is lost", detail=Plan("remove", (v.name,)))
                    return Finding(v.resource, v.path, f"{head}; its keys are those of '{name}', which holds other "
                                   "values: keep one by hand", fixable=False)
                continue
            if all(r in v.value for r in sub.get("required") or ()):
                fitting.append(name)
        if len(fitting) == 1:
            return Finding(v.resource, v.path, f"{head}; rename to '{fitting[0]}', whose keys these are",
                           detail=Plan("rename", (v.name,), (fitting[0],)))
        if not fitting and all(k not in holder for k in v.value) and _fits(v, v.schema, v.value):
            keys = ", ".join(v.value)
            return Finding(v.resource, v.path, f"{head}; lift: its {keys} belong directly here",
                           detail=Plan("lift", (v.name,), into="unwrap"))
        return None

    def _wraps(self, holder_path: tuple, holder: dict, left: list, renamed: dict) -> tuple[list[Finding], list]:
        """Keys that belong together one level down, in the one object the schema offers them
        (an object renamed into place counts as that object)."""
        chosen: dict[tuple, list[tuple[schemas.Violation, str]]] = {}
        rest = []
        view = dict(holder)
        for new, old in renamed.items():
            view[new] = view.pop(old)
        holder = view
        for v in left:
            home = None if v.name == "Tags" else _wrap_home(holder, v)  # tags go per type: see _advice
            if home is None:
                rest.append(v)
            else:
                chosen.setdefault(home[:2], []).append((v, home[2]))
        out: list[Finding] = []
        for (name, is_list), members in chosen.items():
            v0 = members[0][0]
            said = {w for v, _ in members for w in words(v.name, form=False)}
            if (not isinstance(holder.get(name), dict) and not said & set(words(name, form=False))
                    and name not in (v0.schema.get("required") or ())):
                rest += [v for v, _ in members]  # nothing says they belong there (`CacheTtlInSeconds` is no MethodSettings item)
                continue
            sub = v0.property_schema(name)
            item = schemas.resolve(v0.root, sub.get("items", {})) if is_list else sub
            present = holder.get(name)
            have = set(present) if isinstance(present, dict) else set()
            missing = [r for r in item.get("required") or () if r not in have | {inner for _, inner in members}]
            keys = tuple(v.name for v, _ in members)
            shown = ", ".join(keys)
            if missing:
                out += [Finding(v.resource, v.path, f"{_head(v)}; it belongs in {name}, which also needs "
                                f"{', '.join(missing)}: complete it by hand", fixable=False) for v, _ in members]
                continue
            into = "append" if isinstance(present, list) else "object" if isinstance(present, dict) else "list" if is_list else "new"
            where = f"a new item of {name}" if into in ("append", "list") else name
            message = f"{_head(v0)}; wrap: {shown} moved into {where}"
            plan = Plan("wrap", keys, holder_path + (renamed.get(name, name),), {v.name: inner for v, inner in members}, into=into)
            out.append(Finding(v0.resource, v0.path, message, detail=plan))
        return out, rest

    def _lifts(self, doc: Document, holder_path: tuple, left: list) -> tuple[list[Finding], list]:
        """Keys the nearest enclosing object accepts (CloudFront `Tags` inside `DistributionConfig`)."""
        out, rest = [], []
        for v in left:
            target = None
            for depth in range(len(holder_path) - 1, 2, -1):
                path = holder_path[:depth]
                if isinstance(path[-1], int):
                    break  # a list item's key does not belong to the object holding the list
                outer = doc.value(path)
                if isinstance(outer, dict) and schemas.accepts(v.type_name, schemas.schema_at(v.type_name, path), v.name):
                    target = path if v.name not in outer else None
                    break
            if target is None or not schemas.shape_fits(v.root, schemas.schema_at(v.type_name, target + (v.name,)), v.value):
                rest.append(v)
                continue
            out.append(Finding(v.resource, v.path, f"{_head(v)}; lift: it belongs in {_show(target[3:])}",
                               detail=Plan("lift", (v.name,), target)))
        return out, rest

    def _removal(self, doc: Document, holder_path: tuple, holder: dict, v: schemas.Violation, empties: bool) -> Finding:
        head = _head(v)
        if v.name in HOMES_ELSEWHERE:
            return Finding(v.resource, v.path, f"{head}; {HOMES_ELSEWHERE[v.name]}: move it by hand", fixable=False)
        here = tuple("*" if isinstance(p, int) else p for p in holder_path[3:])
        homes = _homes_elsewhere(v.type_name, v.name, here)
        if homes:
            shown = ", ".join(_show(h) for h in homes[:3])
            return Finding(v.resource, v.path, f"{head}; CloudFormation accepts it in {shown}, not here: "
                           "move it by hand", fixable=False)
        close = [a for a in v.allowed_names() if a not in holder
                 and SequenceMatcher(None, v.name.lower(), a.lower()).ratio() >= 0.8]
        if close:
            return Finding(v.resource, v.path, f"{head}; it is probably meant as {' or '.join(close)}: "
                           "rename it by hand", fixable=False)
        if isinstance(v.value, dict):
            free = [a for a in v.allowed_names() if a not in holder]
            alike = [a for k in v.value for a in free
                     if len(words(k, form=False)) > 1 and not minus(words(k, form=False), words(a, form=False))]
            if alike:
                spread = _spread(v, free)
                if spread is not None:
                    moves = ", ".join(f"{k} as {a}" for k, a in spread.items())
                    return Finding(v.resource, v.path, f"{head}; lift: its keys are settings of this object ({moves})",
                                   detail=Plan("lift", (v.name,), into="unwrap", inner=spread))
                return Finding(v.resource, v.path, f"{head}; its keys look like {', '.join(dict.fromkeys(alike))} "
                               "of this object: move them by hand", fixable=False)
            # a setting the author wrapped in an object of their own (EKS `CloudWatch: {ClusterLogging:
            # true}`): CloudFormation has a place for it, in the shape its schema gives there
            placed = {k: h for k in v.value if isinstance(k, str) and (h := _homes_elsewhere(v.type_name, k, here))}
            if placed:
                shown = "; ".join(f"{k} in {', '.join(_show(h) for h in found[:3])}" for k, found in placed.items())
                return Finding(v.resource, v.path, f"{head}; CloudFormation accepts what it holds elsewhere ({shown}), "
                               "in the form the schema gives there: move it by hand", fixable=False)
        required = [r for r in v.schema.get("required") or () if r not in holder]
        if required:
            return Finding(v.resource, v.path, f"{head}; the object also lacks {', '.join(required)}, which it "
                           "may have meant: fix it by hand", fixable=False)
        # one of several is required (cfn-lint's requiredXor, requiredOr) and none is there: the
        # key may be that one under another name (ACMCertificateIdentifier for AcmCertificateArn)
        either = [r for key in ("requiredXor", "requiredOr") for r in v.schema.get(key) or ()]
        if either and not any(r in holder for r in either):
            return Finding(v.resource, v.path, f"{head}; the object also lacks one of {', '.join(either)}, which it "
                           "may have meant: fix it by hand", fixable=False)
        if v.name == "Description" and len(holder_path) == 3:
            metadata = doc.resources[v.resource].get("Metadata")
            if metadata is None or (isinstance(metadata, dict) and "Description" not in metadata):
                # a note on the resource: kept where a note may stand, as resource-shape keeps one
                # written beside the resource's attributes
                return Finding(v.resource, v.path, f"{head}; lift: a note on the resource, kept under its Metadata, "
                               "which CloudFormation does not read", detail=Plan("lift", (v.name,),
                                                                                 ("Resources", v.resource, "Metadata")))
        advice = _advice(v)
        shown = json.dumps(v.value, default=str)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        lost = f"the schema has no place for it, so {v.name} {shown} is lost{'; ' + advice if advice else ''}"
        drop_parent = False
        if empties and len(holder_path) == 3 and not v.root.get("required"):
            empties = False  # `Properties: {}` is a valid resource of a type that requires nothing
        if empties:  # nothing would remain
            parent = doc.value(holder_path[:-1])
            parent_schema = schemas.schema_at(v.type_name, holder_path[:-1]) if len(holder_path) > 4 else v.root
            if (len(holder_path) <= 3 or isinstance(holder_path[-1], int) or not isinstance(parent, dict)
                    or (len(parent) < 2 and (len(holder_path) > 4 or v.root.get("required")))
                    or holder_path[-1] in (parent_schema.get("required") or ())):
                return Finding(v.resource, v.path, f"{head}; {lost}, but removing it would leave "
                               f"{_show(holder_path[3:])} empty: fix it by hand", fixable=False)
            drop_parent = True
            lost += f"; {holder_path[-1]} held nothing else and goes too"
        return Finding(v.resource, v.path, f"{head}; remove: {lost}", detail=Plan("remove", (v.name,), drop_parent=drop_parent))

    # ------------------------------------------------------------ fix

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes: list[Change] = []
        emptied: set[tuple] = set()
        self._leaving: dict[tuple, set] = {}
        for f in findings:
            if f.detail.action != "rename":
                self._leaving.setdefault(f.path[:-1], set()).update(f.detail.keys)
        for topic in dict.fromkeys(f.detail.item["topic"] for f in findings
                                   if f.detail.action == "notify" and f.detail.item["policy"] == "missing"):
            # one policy per topic, shared by the rules of every action notifying it
            body = pipeline_failures.topic_policy_body(doc, topic)
            new_id = editor.add_resource(f"{topic}EventsPolicy", body)
            changes.append(self.change(None, "add", None, body["Properties"]["PolicyDocument"], (
                f"add: lets EventBridge rules of this account and Region publish to {topic}, as the rules "
                "replacing CodePipeline actions' OnFailure notifications must"), path=("Resources", new_id)))
        for f in findings:
            plan: Plan = f.detail
            holder_path = f.path[:-1]
            with editor.finding(f):
                if plan.action == "remove" and plan.drop_parent:
                    if holder_path in emptied:
                        continue  # the object is already gone with a sibling's removal
                    parent = doc.node(holder_path[:-1])
                    entry = parent.entry(holder_path[-1]) if parent is not None else None
                    if entry is None:  # find() drops only an object under a key of a mapping
                        raise EditConflict(f"{_show(holder_path[3:])} is not found under its key")
                    emptied.add(holder_path)
                    key, value = entry
                    editor.remove(holder_path)
                    changes.append(self.change(f, "remove", doc.text[key.start:value.end], None, f.message, path=holder_path))
                    continue
                changes += getattr(self, "_" + plan.action)(doc, editor, f, plan, holder_path)
        return Fix.of(editor, changes)

    def _remove(self, doc, editor, f, plan, holder_path) -> list[Change]:
        key, value = doc.node(holder_path).entry(f.path[-1])
        editor.remove(f.path)
        return [self.change(f, "remove", doc.text[key.start:value.end], None, f.message)]  # ``before`` keeps the text

    def _rename(self, doc, editor, f, plan, holder_path) -> list[Change]:
        (target,) = plan.target
        editor.rename(f.path, target)
        if plan.convert == "unwrap":
            editor.set(f.path, editor.source(f.path + (0,)))
        elif plan.convert == "list":
            editor.set(f.path, [editor.source(f.path)])
        return [self.change(f, "move", f.path[-1], target, f.message, path=holder_path)]

    def _lift(self, doc, editor, f, plan, holder_path) -> list[Change]:
        if plan.into == "unwrap":
            inner = doc.value(f.path)
            names = {k: plan.inner.get(k, k) for k in inner}
            for k in inner:
                editor.set(holder_path + (names[k],), editor.source(f.path + (k,)))
            editor.remove(f.path)
            return [self._moved(f, f.path + (k,), holder_path + (names[k],)) for k in inner]
        new_path = plan.target + (f.path[-1],)
        editor.move(f.path, new_path)
        return [self._moved(f, f.path, new_path)]

    def _wrap(self, doc, editor, f, plan, holder_path) -> list[Change]:
        target = plan.target
        body = {plan.inner[k]: editor.source(holder_path + (k,)) for k in plan.keys}
        everything = set(doc.value(holder_path))
        if plan.into in ("new", "list") and self._leaving.get(holder_path) == everything:
            if set(plan.keys) != everything:
                raise EditConflict(f"{_show(holder_path[3:])} would be emptied and rebuilt by two fixes; run again")
            # every key goes into the new object: the holder is rewritten whole, as removals and an
            # insertion into one mapping would collide
            editor.set(holder_path, {target[-1]: [body] if plan.into == "list" else body})
            return [self._moved(f, holder_path + (k,), target + ((0,) if plan.into == "list" else ()) + (plan.inner[k],))
                    for k in plan.keys]
        for k in plan.keys:
            editor.remove(holder_path + (k,))
        if plan.into == "object":
            for k in plan.keys:
                editor.set(target + (plan.inner[k],), body[plan.inner[k]])
        index = 0
        if plan.into == "append":
            index = editor.append(target, body)
        elif plan.into != "object":
            editor.set(target, [body] if plan.into == "list" else body)
        inside = target + ((index,) if plan.into in ("append", "list") else ())
        return [self._moved(f, holder_path + (k,), inside + (plan.inner[k],)) for k in plan.keys]

    def _home(self, doc, editor, f, plan, holder_path) -> list[Change]:
        value = doc.value(f.path)
        attribute = "Value" in plan.item  # a named setting's Value is text
        moved = (str(value) if attribute and isinstance(value, (int, float)) and not isinstance(value, bool)
                 else editor.source(f.path))
        item = {k: (moved if v is None else v) for k, v in plan.item.items()}
        slot = next(k for k, v in plan.item.items() if v is None)
        editor.remove(f.path)
        if plan.into in ("new", "key"):  # an object: a new one, or a key added to the existing one
            editor.set(plan.target + ((slot,) if plan.into == "key" else ()), moved if plan.into == "key" else item)
            return [self._moved(f, f.path, plan.target + (slot,))]
        index = 0
        if plan.into == "append":
            index = editor.append(plan.target, item)
        else:
            editor.set(plan.target, [item])
        return [self._moved(f, f.path, plan.target + (index, slot))]

    def _log_group(self, doc, editor, f, plan, holder_path) -> list[Change]:
        (key,) = plan.target
        body: dict = {"Type": "AWS::Logs::LogGroup"}
        if "Condition" in doc.resources[f.resource]:
            body["Condition"] = doc.resources[f.resource]["Condition"]
        body["Properties"] = {"LogGroupName": editor.source(holder_path + (key,)), "RetentionInDays": editor.source(f.path)}
        editor.remove(f.path)
        new_id = editor.add_resource(f"{f.resource}LogGroup", body)
        return [self._moved(f, f.path, ("Resources", new_id, "Properties", "RetentionInDays"))]

    def _stages(self, doc, editor, f, plan, holder_path) -> list[Change]:
        moved = editor.source(f.path)
        editor.remove(f.path)
        changes = []
        for home in plan.target:
            if doc.node(home) is None:  # a Deployment without a StageDescription yet
                editor.set(home, {f.path[-1]: moved})
            else:
                editor.set(home + (f.path[-1],), moved)
            changes.append(self._moved(f, f.path, home + (f.path[-1],)))
        return changes

    def _interface(self, doc, editor, f, plan, holder_path) -> list[Change]:
        item = {"AssociatePublicIpAddress": editor.source(f.path), "DeviceIndex": "0"}
        item.update({plan.inner[k]: editor.source(holder_path + (k,)) for k in plan.keys[1:]})
        target = holder_path + plan.target
        if set(plan.keys) == set(doc.value(holder_path)):  # nothing else stays: rewrite the mapping whole
            editor.set(holder_path, {plan.target[0]: [item]})
        else:
            for k in plan.keys:
                editor.remove(holder_path + (k,))
            editor.set(target, [item])
        return [self._moved(f, holder_path + (k,), target + (0, plan.inner.get(k, k))) for k in plan.keys] + [
            self.change(f, "add", None, "0", f.message, path=target + (0, "DeviceIndex"))]

    def _index(self, doc, editor, f, plan, holder_path) -> list[Change]:
        key, _ = plan.keys
        item = {"IndexName": doc.value(holder_path + ("IndexName",)), "KeySchema": editor.source(holder_path + (key,)),
                "Projection": editor.source(holder_path + ("Projection",))}
        for k in plan.keys:
            editor.remove(holder_path + (k,))
        if plan.into == "append":
            inside = plan.target + (editor.append(plan.target, item),)
        else:
            editor.set(plan.target, [item])
            inside = plan.target + (0,)
        return [self._moved(f, holder_path + (key,), inside + ("KeySchema",)),
                self._moved(f, holder_path + ("Projection",), inside + ("Projection",))]

    def _notify(self, doc, editor, f, plan, holder_path) -> list[Change]:
        key, value = doc.node(holder_path).entry(f.path[-1])
        editor.remove(f.path)
        body = plan.item["body"]
        rule = editor.add_resource(plan.item["rule"], body)
        topic = plan.item["topic"]
        what = "the message" if "InputTransformer" in body["Properties"]["Targets"][0] else "the failure event"
        return [
            self.change(f, "remove", doc.text[key.start:value.end], None, (
                f"{f.message}; removed: the notification is now sent by {rule}, which publishes {what} "
                f"to {topic} when the action fails")),
            self.change(f, "add", None, body["Properties"], (
                f"add: {rule} notifies {topic} when the action fails, as the action's OnFailure meant to"),
                path=("Resources", rule)),
        ]

    def _split(self, doc, editor, f, plan, holder_path) -> list[Change]:
        rid = f.resource
        resource = doc.resources[rid]
        policy_type, owner_key, as_list = POLICY_RESOURCES[resource["Type"]]
        inner = _policy_document(doc.value(f.path))
        document = editor.source(f.path + inner)
        body: dict = {"Type": policy_type}
        if "Condition" in resource:
            body["Condition"] = resource["Condition"]
        ref = {"Ref": rid}
        body["Properties"] = {owner_key: [ref] if as_list else ref, "PolicyDocument": document}
        key, value = doc.node(holder_path).entry(f.path[-1])
        editor.remove(f.path)
        new_id = editor.add_resource(f"{rid}Policy", body)
        return [
            self.change(f, "remove", doc.text[key.start:value.end], None, f.message),
            self.change(f, "add", None, doc.value(f.path + inner), f"split: {policy_type} for {rid}, with the "
                        f"policy that was its {f.path[-1]}", path=("Resources", new_id)),
        ]

    def _moved(self, f: Finding, old: tuple, new: tuple) -> Change:
        common = _common_prefix(old, new)
        return self.change(f, "move", list(old[len(common):]), list(new[len(common):]), f.message, path=common)


def _fits(v: schemas.Violation, schema: Any, value: Any, depth: int = 4) -> bool:
    """Whether ``value`` has the shape ``schema`` asks for, the keys of its objects included (at
    least half of an object's keys must be known to the schema)."""
    schema = schemas.resolve(v.root, schema)
    if not schemas.shape_fits(v.root, schema, value):
        return False
    if depth == 0 or schemas.is_intrinsic(value):
        return True
    if isinstance(value, dict) and schema.get("properties") and schema.get("additionalProperties") is False:
        # most keys known (a misnamed one inside is the next finding's), and each known one fitting
        known = [k for k in value if schemas.accepts(v.type_name, schema, k)]
        return 2 * len(known) >= len(value) and all(
            _fits(v, schema["properties"].get(k, {}), value[k], depth - 1) for k in known)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return all(_fits(v, schema["items"], item, depth - 1) for item in value)
    return True


def _contained(holder: dict, v: schemas.Violation) -> tuple[str | None, str]:
    """The single name the object lacks that holds every word of ``v.name`` and takes a value of
    the same kind (`ManageUserPassword: true` is the boolean `ManageMasterUserPassword`); a
    one-word name (`Keys`) only for a required property the object lacks (`KeySchema`)."""
    mine = words(v.name, form=False)
    if not mine:
        return None, ""
    required = set(v.schema.get("required") or ()) if isinstance(v.schema, dict) else set()
    found = []
    for a in v.allowed_names():
        if a in holder or a == v.name or minus(mine, words(a, form=False)):
            continue
        if len(mine) < 2 and a not in required:
            continue
        theirs = words(a, form=False)
        if any(k != v.name and isinstance(k, str) and not minus(words(k, form=False), theirs) for k in holder):
            continue  # a key present names part of it (MasterUserPassword beside ManageMasterUserPassword)
        sub = schemas.resolve(v.root, v.property_schema(a))
        kind = sub.get("type") if isinstance(sub, dict) else None
        kinds = kind if isinstance(kind, list) else [kind]
        value = v.value
        same_kind = ("boolean" in kinds if isinstance(value, bool) else "array" in kinds if isinstance(value, list)
                     else "object" in kinds if isinstance(value, dict) and not schemas.is_intrinsic(value) else True)
        if same_kind and _fits(v, sub, value):
            found.append(a)
    if len(found) == 1:
        return found[0], ("is the required property it names part of" if found[0] in required
                          else "holds every word of it and takes a value of this kind")
    return None, ""


def _wrap_home(holder: dict, v: schemas.Violation) -> tuple[str, bool, str] | None:
    """(property, is a list, key inside) of the single object property of the holder that takes
    ``v``'s key: by its own name, or split (`MonitoringEnabled` is `Monitoring: {Enabled}`)."""
    found = []
    for name in v.allowed_names():
        sub = v.property_schema(name)
        is_list = isinstance(sub.get("items"), dict)
        item = schemas.resolve(v.root, sub["items"]) if is_list else sub
        if not item.get("properties"):
            continue
        present = holder.get(name)
        if present is not None and not (isinstance(present, list) and is_list) and not (
                isinstance(present, dict) and not schemas.is_intrinsic(present) and not is_list):
            continue
        inner = v.name if schemas.accepts(v.type_name, item, v.name) else next(
            (k for k in item["properties"] if sorted(words(v.name)) == sorted(words(name) + words(k))), None)
        if inner is None or (isinstance(present, dict) and inner in present):
            continue
        if not schemas.shape_fits(v.root, schemas.resolve(v.root, item["properties"].get(inner, {})), v.value):
            continue
        extra = len(set(words(name, form=False)) - set(words(v.name, form=False)))
        found.append((extra, not is_list, name, is_list, inner))
    if not found:
        return None
    found.sort()
    best = [c for c in found if c[0] == found[0][0]]
    if len(best) > 1:
        same = {tuple(words(c[2])) for c in best}
        lists = [c for c in best if c[3]]
        if len(same) > 1 or len(lists) != 1:
            return None
        best = lists  # `Transition` and `Transitions` take the same item: the list is the current form
    _, _, name, is_list, inner = best[0]
    return name, is_list, inner


def _spread(v: schemas.Violation, free: list[str]) -> dict[str, str] | None:
    """Each key of an object property the schema lacks mapped to the one free setting of the holder
    named by the object's subject plus the key (`ThrottleSettings: {RateLimit}` is
    `ThrottlingRateLimit`); None unless every key has exactly one, all different, of a fitting shape."""
    if not isinstance(v.value, dict) or not v.value or schemas.is_intrinsic(v.value):
        return None
    subject = words(v.name, form=False)

    def related(a: str) -> bool:
        return any(x[:5] == y[:5] and len(x) >= 5 and len(y) >= 5 for x in subject for y in words(a, form=False))

    spread: dict[str, str] = {}
    for key, item in v.value.items():
        fits = [a for a in free if related(a) and not minus(words(key, form=False), words(a, form=False))
                and len(words(a, form=False)) == len(words(key, form=False)) + 1]
        if len(fits) != 1 or not schemas.shape_fits(v.root, v.property_schema(fits[0]), item):
            return None
        spread[key] = fits[0]
    return spread if len(set(spread.values())) == len(spread) else None


def _same(a: Any, b: Any) -> bool:
    """Equal values, a switch written as true/Enabled and as True counting as the same."""
    def norm(x: Any) -> Any:
        if isinstance(x, (bool, str)):
            text = str(x).lower()
            return {"true": True, "enabled": True, "false": False, "disabled": False}.get(text, x)
        return x
    return a == b or norm(a) == norm(b)


def _advice(v: schemas.Violation) -> str:
    """What to use instead, where that is known."""
    root_props = v.root.get("properties") or {}
    if v.name == "Tags" and "TagSpecifications" in root_props:
        return f"{v.type_name} is tagged through TagSpecifications, per resource type it creates"
    if v.name == "Tags" and "Tags" not in root_props:
        return (f"{v.type_name} cannot be tagged (its schema has no Tags); tag the resources it "
                "creates, or pass stack-level tags, which CloudFormation propagates")
    return MISCONCEPTIONS.get(v.name, "")


def _common_prefix(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
