"""Resource types that do not exist (cfn-lint E3006) replaced by the real type plainly meant."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, NamedTuple

from cfnfix import built_names, property_names, schemas
from cfnfix.changelog import Safety
from cfnfix.cycles import reaches
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import dependency_graph, depends_on, entries, references
from cfnfix.values import ref_name

_CLOSE = 0.9  # difflib ratio of a near spelling


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _parts(type_name: str) -> tuple[str, str]:
    """(service, resource) of ``AWS::Svc::Name``; ("", whole) when it has another shape."""
    bits = type_name.split("::")
    return (bits[1], bits[-1]) if len(bits) >= 3 else ("", type_name)


def fits(type_name: str, props: Any) -> bool:
    """Whether a resource's properties are all accepted by ``type_name`` and its required ones present."""
    names, required = schemas.property_names(type_name)
    if props is None:
        return not required
    if not isinstance(props, dict):
        return True  # an intrinsic or odd value: nothing to judge by
    return all(k in names for k in props) and all(r in props for r in required)


def renamed_properties(type_name: str, props: Any) -> dict[str, str] | None:
    """The property renames that make ``props`` fit ``type_name``: each name the type lacks is the
    one property of the type, absent from ``props``, whose name ends with it or that it ends with
    (``OriginAccessIdentityConfig`` is ``CloudFrontOriginAccessIdentityConfig``). None when some
    name has no such counterpart, or the result still does not fit."""
    if not isinstance(props, dict):
        return None
    names, _ = schemas.property_names(type_name)
    renames: dict[str, str] = {}
    for key in props:
        if key in names:
            continue
        match = [n for n in names if n not in props and isinstance(key, str) and (
            n.lower().endswith(key.lower()) or key.lower().endswith(n.lower()))]
        if len(match) != 1 or match[0] in renames.values():
            return None
        renames[key] = match[0]
    fixed = {renames.get(k, k): v for k, v in props.items()}
    return renames if renames and fits(type_name, fixed) else None


# Names that circulate for a resource CloudFormation calls otherwise (API or console names).
KNOWN_NAMES = {
    "AWS::SecurityHub::StandardsSubscription": "AWS::SecurityHub::Standard",  # BatchEnableStandards' subscription
}


def candidates(type_name: str, props: Any) -> tuple[list[str], str, bool, list[str]]:
    """(real types meant, how they were found, whether the match is a spelling of the same name,
    the types the rule found before the properties were compared).

    Tried in order, the first rule that yields a type wins: the same name spelt with other case or
    punctuation; the same resource name in another service (``AWS::CloudWatch::LogGroup``); a
    name in the same service that ends with this one (``OriginAccessIdentity``); a name in the same
    service this one ends with (``TargetTrackingScalingPolicy`` is a ``ScalingPolicy``); a known
    other name (``KNOWN_NAMES``); a near spelling. Each list keeps only the types that accept the
    resource's properties."""
    known = schemas.resource_types()
    norm = _norm(type_name)
    same = [t for t in known if _norm(t) == norm]
    if same:
        return same, "is the same name spelt as CloudFormation spells it", True, same
    service, res = _parts(type_name)
    rules = [
        ([t for t in known if _parts(t)[1].lower() == res.lower() and t.startswith("AWS::")],
         f"is the only resource named '{res}' whose properties match"),
        ([t for t in known if _parts(t)[0].lower() == service.lower() and _parts(t)[1].lower().endswith(res.lower())
          and _parts(t)[1].lower() != res.lower()],
         f"is the only {service} resource whose name ends in '{res}' and whose properties match"),
        ([t for t in known if _parts(t)[0].lower() == service.lower() and res.lower().endswith(_parts(t)[1].lower())
          and _parts(t)[1].lower() != res.lower()],
         f"is the only {service} resource whose name '{res}' ends with and whose properties match"),
        ([KNOWN_NAMES[type_name]] if type_name in KNOWN_NAMES else [],
         "is what CloudFormation calls this resource"),
        (difflib.get_close_matches(type_name, known, n=5, cutoff=_CLOSE), "is a near spelling whose properties match"),
    ]
    for found, why in rules:
        if not res or not found:
            continue
        return [t for t in found if fits(t, props)], why, False, found
    return [], "", False, []


class Fold(NamedTuple):
    """An invented type whose properties CloudFormation takes as a property of another resource:
    ``parent_keys`` name the parent (a ``Ref`` to a resource of ``parent_type``), ``keys`` map the
    invented type's properties to the keys of the value written at the parent's ``into``
    (None: the property's value is that value itself); ``item``: the value is an item of a list."""

    parent_keys: tuple[str, ...]
    parent_type: str
    into: str
    keys: dict
    item: bool = False


FOLDS = {
    "AWS::ElasticLoadBalancingV2::TargetGroupAttachment": Fold(
        ("TargetGroupArn",), "AWS::ElasticLoadBalancingV2::TargetGroup", "Targets",
        {"TargetId": "Id", "Port": "Port", "AvailabilityZone": "AvailabilityZone"}, item=True),
    "AWS::IAM::RolePolicyAttachment": Fold(
        ("RoleName", "Role"), "AWS::IAM::Role", "ManagedPolicyArns", {"PolicyArn": None}, item=True),
    "AWS::IAM::GroupPolicyAttachment": Fold(
        ("GroupName", "Group"), "AWS::IAM::Group", "ManagedPolicyArns", {"PolicyArn": None}, item=True),
    "AWS::IAM::UserPolicyAttachment": Fold(
        ("UserName", "User"), "AWS::IAM::User", "ManagedPolicyArns", {"PolicyArn": None}, item=True),
    "AWS::S3::BucketLoggingConfiguration": Fold(
        ("Bucket", "BucketName"), "AWS::S3::Bucket", "LoggingConfiguration",
        {"DestinationBucketName": "DestinationBucketName", "LogFilePrefix": "LogFilePrefix",
         "TargetObjectKeyFormat": "TargetObjectKeyFormat", "LoggingConfiguration": None}),
    "AWS::S3::BucketNotification": Fold(
        ("Bucket", "BucketName"), "AWS::S3::Bucket", "NotificationConfiguration",
        {"NotificationConfiguration": None, "LambdaConfigurations": "LambdaConfigurations",
         "QueueConfigurations": "QueueConfigurations", "TopicConfigurations": "TopicConfigurations",
         "EventBridgeConfiguration": "EventBridgeConfiguration"}),
    "AWS::S3::BucketReplicationConfiguration": Fold(
        ("Bucket", "BucketName"), "AWS::S3::Bucket", "ReplicationConfiguration",
        {"Role": "Role", "Rules": "Rules", "ReplicationConfiguration": None}),
}
# Invented types that ask for what CloudFormation does by itself: type -> (the property naming
# the resource it acts on, that resource's type, the properties and values that mean "as
# CloudFormation does anyway", why nothing is lost).
REDUNDANT = {
    "AWS::Config::ConfigurationRecorderStatus": (
        "ConfigurationRecorderName", "AWS::Config::ConfigurationRecorder", {"IsEnabled": (True, "true")},
        "CloudFormation starts a configuration recorder it creates as soon as the delivery channel is available"),
}

# Invented types for account or stack settings CloudFormation has no resource for: type -> what
# is lost when the resource goes, and how to set it instead.
ACCOUNT_SETTINGS = {
    "AWS::IAM::AccountPasswordPolicy": ("the account's IAM password policy",
                                        "aws iam update-account-password-policy"),
    "AWS::EC2::EBSEncryptionByDefault": ("EBS encryption by default (per account and region)",
                                         "aws ec2 enable-ebs-encryption-by-default"),
    "AWS::EC2::EBSDefaultKmsKey": ("the default KMS key of EBS encryption (per account and region)",
                                   "aws ec2 modify-ebs-default-kms-key-id"),
    "AWS::S3::AccountPublicAccessBlock": ("the account's S3 Block Public Access settings",
                                          "aws s3control put-public-access-block"),
    "AWS::CloudFormation::StackPolicy": ("the stack policy",
                                         "aws cloudformation set-stack-policy (or --stack-policy-body when "
                                         "creating the stack)"),
}

# Invented types for what CloudFormation has no resource for, and what to do instead (reported).
NO_RESOURCE = {
    "AWS::ManagedBlockchain::Network": "CloudFormation creates a Managed Blockchain network only with its first "
    "member: write it as an AWS::ManagedBlockchain::Member with NetworkConfiguration",
}

# Parameter types written as a resource type: the resource is a parameter (its Name the default).
PARAMETER_TYPES = ("AWS::SSM::Parameter::Value<",)


class ResourceType(Fixer):
    name = "resource-type"
    summary = "Replace resource types that do not exist with the real type plainly meant (E3006)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ("E3006",)
    default = False
    docs = """
    ## What it detects
    Resources whose `Type` is not a resource type CloudFormation knows (cfn-lint E3006), judged
    against the resource schemas cfn-lint ships. `Custom::` types, SAM types and modules are
    left alone, and so are templates with a transform other than SAM's (a macro defines its own).

    ## Why it matters
    CloudFormation refuses the whole template (`Unrecognized resource types`): nothing deploys.

    ## How it decides
    The type is replaced when exactly one real type is plainly meant and accepts the resource's
    properties (every property name known to it, every property it requires present):
    - the same name spelt with other case or punctuation (`AWS::LambdaFunction`,
      `AWS::EC2::Security-Group`, `AWS::EC2::SubnetRouteTable Association`);
    - the same resource name in another service (`AWS::CloudWatch::LogGroup` is
      `AWS::Logs::LogGroup`);
    - the one resource of the same service whose name ends in the given one
      (`AWS::CloudFront::OriginAccessIdentity` is `AWS::CloudFront::CloudFrontOriginAccessIdentity`,
      `AWS::EC2::RouteTableAssociation` with `SubnetId` is `AWS::EC2::SubnetRouteTableAssociation`),
      or that the given one ends in (`AWS::AutoScaling::TargetTrackingScalingPolicy` is
      `AWS::AutoScaling::ScalingPolicy`);
    - a name that circulates for the resource (`AWS::SecurityHub::StandardsSubscription` is
      `AWS::SecurityHub::Standard`);
    - a near spelling (difflib ratio at least 0.9).

    When the one type found lacks some of the resource's property names, each of them that is
    the end of exactly one of its properties (or ends with one) is renamed with it
    (`OriginAccessIdentityConfig` becomes `CloudFrontOriginAccessIdentityConfig`).

    Some invented types are a property of another resource of the template, which they name;
    their properties move there and the invented resource goes (`review`: the other resource
    changes in place):
    - `AWS::ElasticLoadBalancingV2::TargetGroupAttachment` (`TargetGroupArn: !Ref TG`,
      `TargetId`, `Port`) becomes an item of the target group's `Targets`;
    - `AWS::IAM::RolePolicyAttachment`, `GroupPolicyAttachment` and `UserPolicyAttachment`
      (`RoleName: !Ref R`, `PolicyArn`) add the policy ARN to the role's, group's or user's
      `ManagedPolicyArns`;
    - `AWS::S3::BucketLoggingConfiguration`, `AWS::S3::BucketNotification` and
      `AWS::S3::BucketReplicationConfiguration` (`Bucket: !Ref B`) become the bucket's
      `LoggingConfiguration`, `NotificationConfiguration`, `ReplicationConfiguration`.

    A `Condition` on the invented resource becomes an `Fn::If` around the moved value; a
    `DependsOn` naming it names the resource it moved into; what its own `DependsOn` names
    beyond what its values need (the `AWS::Lambda::Permission` a notification needs first) is
    added to the `DependsOn` of the resource it moved into, when that closes no cycle and has no
    other condition. A top-level key the property knows
    under another name is renamed (`LambdaFunctionConfigurations`, the S3 API's name, is
    `LambdaConfigurations`). When the move would close a dependency cycle (a replication role
    whose policy names the bucket, a log bucket named `${Bucket}-logs`) and the parent's name is
    fixed by the template (`BucketName` as text, `Fn::Sub` or a parameter), the references to
    the parent that close it are replaced by the value they resolve to, built from that name
    (`!GetAtt Bucket.Arn` becomes `!Sub arn:${AWS::Partition}:s3:::<name>`), as
    `reference-cycle` does. It is reported instead when the parent is not a resource of the
    template, already has that property, the values do not fit the property, the cycle cannot
    be broken that way, or something else refers to the invented resource.

    `AWS::Config::ConfigurationRecorderStatus` with `IsEnabled: true` for a recorder of the
    template is removed (`safe`): CloudFormation starts a recorder it creates as soon as the
    delivery channel is available. A `DependsOn` naming it names the recorder and what it
    depended on itself.

    A resource whose type is a parameter type (`AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`
    with `Name: /aws/service/...`) becomes a parameter of that type whose `Default` is the name
    (`safe`): `Ref` reads the same value. A `DependsOn` naming it is dropped (parameters need no
    ordering); it is reported when something reads an attribute of it.

    Invented types for account or stack settings CloudFormation has no resource for
    (`AWS::IAM::AccountPasswordPolicy`, `AWS::EC2::EBSEncryptionByDefault`,
    `AWS::EC2::EBSDefaultKmsKey`, `AWS::S3::AccountPublicAccessBlock`,
    `AWS::CloudFormation::StackPolicy`) are removed (`review`): the stack cannot set them, the
    change log keeps what was written, and the message names the CLI command that sets it. A
    `DependsOn` naming one names what it depended on itself. When anything else refers to it, it
    is reported instead.

    Settings of one resource written as a resource of their own move into the resource they
    name with a `Ref` (`review`: that resource changes in place), and the pseudo resource goes:
    - `AWS::EC2::Tag` (`ResourceId: !Ref X`, `Key`, `Value`, optionally `ResourceType`) becomes
      an item of X's `Tags` (added when absent), when X's type takes a `Tags` list of `Key` and
      `Value`; X already carrying that tag with the same value: the pseudo resource just goes
      (`safe`); with another value: reported.
    - `AWS::EC2::AssociateIamInstanceProfile` (`InstanceId: !Ref I`, `IamInstanceProfile`)
      becomes I's `IamInstanceProfile`, which takes the profile's name: a `Ref` to an
      `AWS::IAM::InstanceProfile` is kept, its `!GetAtt P.Arn` becomes `!Ref P`, a literal ARN
      becomes the name that ends it. The same profile already set: the pseudo resource just goes
      (`safe`); another one, or a profile given by a parameter (a name or an ARN?): reported.
    - An `AWS::AutoScaling::AutoScalingGroup` whose `AutoScalingGroupName` is a `Ref` to another
      group of the template, with no sizes and nothing to launch (cfn-lint E3003/E3014), and
      only `TargetGroupARNs`/`LoadBalancerNames`: its lists are merged into that group's
      (without duplicates). Any other property on it is reported.

    Each is reported when the named resource is not one of the template (a parameter: a
    resource created outside the stack, which only `aws ec2 create-tags` or
    `aws ec2 associate-iam-instance-profile` can change), when anything other than a
    `DependsOn` refers to the pseudo resource, when its `Condition` differs from the target's,
    or when the move would close a dependency cycle. A `DependsOn` naming it names the target.

    Otherwise it is reported with the candidates, changing nothing. Some invented types are
    reported with what to write instead (`AWS::ManagedBlockchain::Network`: an
    `AWS::ManagedBlockchain::Member` with `NetworkConfiguration`): they need a redesign only a
    person can choose.

    A real type from a service AWS has shut down (cfn-lint E3710: `AWS::QLDB::Ledger`,
    `AWS::Evidently::*`, `AWS::IoTAnalytics::*`...) is reported: CloudFormation can no longer
    create it, and no type takes its place as written.

    ## Example
    ```yaml
    # before
    AppLogs:
      Type: AWS::CloudWatch::LogGroup
      Properties:
        RetentionInDays: 30
    # after
    AppLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        RetentionInDays: 30
    ```

    ## Fix safety
    A template with an unknown type deploys nothing, so no deployed resource changes. A type
    that only differs in spelling (case, punctuation, `::`) is `safe`: it is the same name. Any
    other match (another service, a longer name, a near spelling) is `review`: the fixer chose
    which resource gets created, and a person should confirm it is the one meant. Moving an
    invented resource into the resource it names is `review` (that resource changes in place);
    removing an account or stack setting is `review` (the stack no longer asks for it); removing
    a configuration recorder status CloudFormation gives anyway is `safe`, and so is removing a
    tag, profile association or target group attachment the resource it names already has.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, type_name, res in schemas.judged_resources(doc):
            schema = schemas.resource_schema(type_name)
            if schema is not None:
                life = schema.get("lifecycle")
                if isinstance(life, dict) and life.get("status") == "shutdown":
                    when = f" on {life['date']}" if life.get("date") else ""
                    findings.append(Finding(rid, ("Resources", rid, "Type"), (
                        f"E3710 resource type '{type_name}' is from a service that was shut down{when}: "
                        "CloudFormation can no longer create it, and no other type takes its place as it is; "
                        "move the workload to another service (see "
                        "https://docs.aws.amazon.com/general/latest/gr/full_shutdown_services.html)"), fixable=False))
                elif type_name == "AWS::AutoScaling::AutoScalingGroup":
                    attaching = _attaching_group(doc, rid, res)
                    if attaching is not None:
                        findings.append(attaching)
                continue
            if type_name in ("AWS::EC2::Tag", "AWS::EC2::AssociateIamInstanceProfile"):
                findings.append(_tag(doc, rid, res) if type_name == "AWS::EC2::Tag" else _profile(doc, rid, res))
                continue
            if type_name in NO_RESOURCE:
                findings.append(Finding(rid, ("Resources", rid, "Type"), (
                    f"E3006 resource type '{type_name}' does not exist; {NO_RESOURCE[type_name]}"), fixable=False))
                continue
            if type_name.startswith(PARAMETER_TYPES):
                findings.append(_parameter(doc, rid, type_name, res))
                continue
            if type_name in FOLDS or type_name in REDUNDANT or type_name in ACCOUNT_SETTINGS:
                findings.append(_fold(doc, rid, type_name, res) if type_name in FOLDS else _redundant(
                    doc, rid, type_name, res) if type_name in REDUNDANT else _setting(doc, rid, type_name, res))
                continue
            found, why, spelling, near = candidates(type_name, res.get("Properties"))
            path = ("Resources", rid, "Type")
            if len(found) == 1:
                message = f"E3006 resource type '{type_name}' does not exist; '{found[0]}' {why}"
                findings.append(Finding(rid, path, message, detail=(found[0], spelling, {})))
                continue
            renames = renamed_properties(near[0], res.get("Properties")) if len(near) == 1 and not found else None
            if renames:
                spelt = ", ".join(f"'{k}' as '{v}'" for k, v in renames.items())
                message = (f"E3006 resource type '{type_name}' does not exist; '{near[0]}' is the only type near it, "
                           f"and accepts its properties with {spelt}")
                findings.append(Finding(rid, path, message, detail=(near[0], False, renames)))
                continue
            if found:
                hint = "candidates: " + ", ".join(f"'{t}'" for t in found) + "; set the one meant"
            elif near:
                hint = (("the nearest real types " if len(near) > 1 else "the nearest real type ")
                        + ", ".join(f"'{t}'" for t in near)
                        + (" do" if len(near) > 1 else " does") + " not accept its properties as written;"
                        " rename them or choose another type")
            else:
                hint = "no real type is plainly meant; use an existing type (or a property of another resource)"
            findings.append(Finding(rid, path, f"E3006 resource type '{type_name}' does not exist; {hint}", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            if isinstance(f.detail, Moved):
                with editor.finding(f):
                    changes.extend(self._move(doc, editor, f))
                continue
            target, spelling, renames = f.detail
            with editor.finding(f):
                editor.set(f.path, target)
                changes.append(self.change(f, "replace", doc.value(f.path), target, f.message,
                                           safety=Safety.SAFE if spelling else Safety.REVIEW))
                for old, new in renames.items():
                    where = ("Resources", f.resource, "Properties")
                    editor.rename(where + (old,), new)
                    changes.append(self.change(f, "move", old, new, f.message, path=where))
        return Fix.of(editor, changes)

    def _move(self, doc: Document, editor: Editor, f: Finding) -> list:
        """Remove the invented resource, write its value into its parent, and make every
        ``DependsOn`` naming it name the parent."""
        m: Moved = f.detail
        rid = f.resource
        if rid is None:
            raise EditConflict("the finding names no resource to move")
        body = doc.resources[rid]
        safety = m.safety
        changes = []
        after: Any  # what each change leaves at its path
        editor.remove(("Resources", rid))
        changes.append(self.change(f, "remove", body, None, f.message, path=("Resources", rid), safety=safety))
        if m.parameter is not None:
            editor.set(("Parameters", rid), m.parameter)
            changes.append(self.change(f, "add", None, m.parameter, f.message, path=("Parameters", rid), safety=safety))
        if m.into:
            where = ("Resources", m.parent, "Properties", m.into)
            current = doc.value(where)
            value = _placed(editor, m.value)
            if m.item and isinstance(current, list):
                editor.append(where, value)
                after = current + [_plain(m.value)]
            else:
                after = [_plain(m.value)] if m.item else _plain(m.value)
                editor.set(where, [value] if m.item else value)
            changes.append(self.change(f, "replace" if current is not None else "add", current, after, f.message,
                                       path=where, safety=safety))
        for into, items in m.merges:
            where = ("Resources", m.parent, "Properties", into)
            current = doc.value(where)
            if isinstance(current, list):
                for item in items:
                    editor.append(where, _placed(editor, item))
                after = current + [_plain(i) for i in items]
            else:
                after = [_plain(i) for i in items]
                editor.set(where, [_placed(editor, i) for i in items])
            changes.append(self.change(f, "replace" if current is not None else "add", current, after, f.message,
                                       path=where, safety=safety))
        if m.waits:
            parent_deps = ("Resources", m.parent, "DependsOn")
            current = doc.value(parent_deps)
            if isinstance(current, list):
                for d in m.waits:
                    editor.append(parent_deps, d)
                after = current + list(m.waits)
            else:
                after = ([current] if isinstance(current, str) else []) + list(m.waits)
                after = after[0] if len(after) == 1 else after
                editor.set(parent_deps, after)
            changes.append(self.change(f, "add" if current is None else "replace", current, after, f.message,
                                       path=parent_deps, safety=safety))
        for site in m.rewrites:
            before, after = built_names.rewrite(doc, editor, site)
            changes.append(self.change(f, "replace", before, after, f"E3006 {site[0][1]} names '{m.parent}' by the "
                                       "value its reference resolved to, so that the moved value closes no dependency "
                                       "cycle", path=site[0], safety=safety))
        for path, deps in m.dependents:
            old = deps if isinstance(deps, list) else [deps]
            instead = m.after or ((m.parent,) if m.parent else ())
            after = list(dict.fromkeys(t for d in old for t in (instead if d == rid else (d,))))
            if not after:
                editor.remove(path)
                after = None
            elif not isinstance(deps, list) and len(after) == 1:
                editor.replace_text(path, rid, after[0])
                after = after[0]
            else:
                editor.set(path, after)
            changes.append(self.change(f, "replace", deps, after, f.message, path=path, safety=safety))
        return changes


class Source(NamedTuple):
    """A value of the invented resource that moves with its own text (quoting, tags, comments)."""

    path: tuple
    value: Any


def _placed(editor: Editor, value: Any) -> Any:
    """``value`` to write: each Source in it as its source text."""
    if isinstance(value, Source):
        return editor.source(value.path)
    if isinstance(value, dict):
        return {k: _placed(editor, v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """``value`` as plain data, for the change log."""
    if isinstance(value, Source):
        return value.value
    return {k: _plain(v) for k, v in value.items()} if isinstance(value, dict) else value


class Moved(NamedTuple):
    """What the fix of an invented resource does: write ``value`` at the parent's ``into`` (an
    item of it when ``item``; nothing when ``into`` is empty) and retarget the ``dependents``
    (path of a DependsOn, its value) from the invented resource to ``parent``."""

    parent: str | None
    into: str
    value: Any
    item: bool
    dependents: tuple
    after: tuple = ()  # what a DependsOn naming it names instead; default: the parent
    safety: Safety = Safety.REVIEW
    parameter: dict | None = None  # the parameter the resource becomes, under the same name
    rewrites: tuple = ()  # built_names sites that keep the moved value from closing a cycle
    waits: tuple = ()  # what the invented resource's DependsOn named that the parent now names
    merges: tuple = ()  # (property, items): items added to a list property of the parent


def _parent(doc: Document, props: dict, keys: tuple, parent_type: str) -> str | None:
    """The resource of ``parent_type`` that ``props`` name with a ``Ref`` under one of ``keys``."""
    named = [props[k] for k in keys if k in props]
    if len(named) != 1 or not (isinstance(named[0], dict) and set(named[0]) == {"Ref"}) or not isinstance(
            named[0]["Ref"], str):
        return None
    target = doc.resources.get(named[0]["Ref"])
    return named[0]["Ref"] if isinstance(target, dict) and target.get("Type") == parent_type else None


def _dependents(doc: Document, rid: str) -> tuple[tuple, list[str]]:
    """(DependsOn entries naming ``rid``: (path, value)), and the places referring to it otherwise."""
    deps, others = [], []
    for section, key, item in entries(doc.data):
        if section == "Resources" and rid in depends_on(item):
            value = item["DependsOn"]
            if isinstance(value, list) and not all(isinstance(d, str) for d in value):
                others.append(f"{section}/{key}")  # a DependsOn with odd items: left to a person
            else:
                deps.append(((section, key, "DependsOn"), value))
        body = {k: v for k, v in item.items() if k not in ("DependsOn", "Condition", "Type")}
        others += [f"{section}/{key}" for name, _ in references(body) if name == rid]
    return tuple(deps), sorted(set(others))


def _fold(doc: Document, rid: str, type_name: str, res: dict) -> Finding:
    fold = FOLDS[type_name]
    path = ("Resources", rid, "Type")
    head = f"E3006 resource type '{type_name}' does not exist; it is the {fold.into} of an {fold.parent_type}"
    props = res.get("Properties")

    def report(why: str) -> Finding:
        return Finding(rid, path, f"{head}: {why}", fixable=False)

    if not isinstance(props, dict):
        return report("it has no properties to move; write them under the resource's " + fold.into)
    parent = _parent(doc, props, fold.parent_keys, fold.parent_type)
    if parent is None:
        return report(f"'{'/'.join(fold.parent_keys)}' names no {fold.parent_type} of this template with a Ref; "
                      f"write the values under its {fold.into}")
    extra = [k for k in res if k not in ("Type", "Properties", "Condition", "DependsOn")]
    stray = [k for k in props if k not in fold.keys and k not in fold.parent_keys]
    if extra or stray:
        keys = ", ".join(f"'{k}'" for k in extra + stray)
        return report(f"{keys} {'have' if len(extra + stray) > 1 else 'has'} no place there; move the values to "
                      f"'{parent}' by hand")
    whole = [k for k, v in fold.keys.items() if v is None and k in props]
    if whole and len(props) - 1 > 1:
        return report(f"'{whole[0]}' and other properties both give it; move the values to '{parent}' by hand")
    value = props[whole[0]] if whole else {fold.keys[k]: v for k, v in props.items() if k in fold.keys}
    root = schemas.resource_schema(fold.parent_type) or {}
    schema = schemas.schema_at(fold.parent_type, ("Resources", parent, "Properties", fold.into))
    parent_props = doc.resources[parent].get("Properties")
    target = parent_props.get(fold.into) if isinstance(parent_props, dict) else None
    if parent_props is not None and not isinstance(parent_props, dict):
        return report(f"the properties of '{parent}' are not a mapping; move the values by hand")
    if fold.item:
        if target is not None and not isinstance(target, list):
            return report(f"'{parent}' gives {fold.into} as a computed value; add the item there by hand")
        schema = schemas.resolve(root, schema.get("items", {}))
    elif target is not None:
        return report(f"'{parent}' already has a {fold.into}; merge the values by hand")
    required = schema.get("required") or []
    renamed: dict[str, str] = {}
    if isinstance(value, dict) and not schemas.is_intrinsic(value) and "properties" in schema:
        allowed = [n for n in schema["properties"] if isinstance(n, str)]
        for key in value:
            if isinstance(key, str) and not schemas.accepts(fold.parent_type, schema, key):
                new, _ = property_names.candidate(key, allowed, set(value) | set(renamed.values()))
                if new:
                    renamed[key] = new
        value = {renamed.get(k, k): v for k, v in value.items()}
    if schema.get("type") != "object" and "properties" not in schema:
        fitting = schemas.shape_fits(root, schema, value) and not isinstance(value, (dict, list)) or schemas.is_intrinsic(value)
    else:
        fitting = isinstance(value, dict) and not schemas.is_intrinsic(value) and all(
            schemas.accepts(fold.parent_type, schema, k) for k in value) and all(r in value for r in required)
    where = ("Resources", parent, "Properties", fold.into) + ((0,) if fold.item else ())
    if not fitting or schemas.value_violations(fold.parent_type, where, value):
        return report(f"its values do not fit {fold.into} as written; move them to '{parent}' by hand")
    deps = depends_on(res)
    needed = {n for n, _ in references(value)}
    parent_res = doc.resources[parent]
    waits = [d for d in deps if d not in needed and d != parent and d not in depends_on(parent_res)]
    for d in waits:
        other = doc.resources.get(d)
        if not isinstance(other, dict) or other.get("Condition") not in (None, parent_res.get("Condition")):
            return report(f"its DependsOn names '{d}', which '{parent}' cannot wait for (not a resource, or one of "
                          f"another condition); move the values to '{parent}' by hand")
    graph = dependency_graph({k: v for k, v in doc.resources.items() if k != rid})
    loops = sorted(n for n in needed | set(waits) if n != parent and n in graph and reaches(graph, [n], parent))
    rewrites = _cycle_cut(doc, graph, loops, parent) if loops else []
    if rewrites is None:
        return report(f"moved into '{parent}', it would close a dependency cycle through '{loops[0]}', "
                      f"whose references to '{parent}' cannot all be built from a name the template fixes; "
                      "break the cycle (for example a role naming the bucket by a built ARN) first")
    dependents, others = _dependents(doc, rid)
    if others:
        return report(f"{', '.join(others)} refer to it; move the values to '{parent}' and correct those references")
    condition = res.get("Condition")
    if isinstance(condition, str) and condition != doc.resources[parent].get("Condition"):
        value = {"Fn::If": [condition, value, {"Ref": "AWS::NoValue"}]}
    elif condition is not None and not isinstance(condition, str):
        return report("its Condition is not a condition name; move the values by hand")
    message = (f"{head} named by '{'/'.join(k for k in fold.parent_keys if k in props)}': its values "
               f"moved to {'an item of ' if fold.item else ''}'{parent}' {fold.into}")
    if renamed:
        message += " (" + ", ".join(f"'{k}' as '{v}'" for k, v in renamed.items()) + ", the name CloudFormation uses)"
    if rewrites:
        names = sorted({site[0][1] for site in rewrites})
        message += (f"; {', '.join(repr(n) for n in names)} {'name' if len(names) > 1 else 'names'} '{parent}' by "
                    "the value built from its name instead of referencing it, which would have closed a dependency cycle")
    if waits:
        message += f"; '{parent}' waits for {', '.join(repr(d) for d in waits)}, as '{rid}' did"
    return Finding(rid, path, message, detail=Moved(parent, fold.into, value, fold.item, dependents,
                                                    rewrites=tuple(rewrites), waits=tuple(waits)))


def _cycle_cut(doc: Document, graph: dict, loops: list[str], parent: str) -> list | None:
    """The references to ``parent`` to replace by values built from its fixed name so that none of
    ``loops`` (what the moved value needs) needs ``parent`` any more; None when one of them cannot be
    built or the cycle remains without them."""
    reached: set[str] = set()
    todo = list(loops)
    while todo:
        node = todo.pop()
        if node not in reached and node != parent:
            reached.add(node)
            todo.extend(graph.get(node, ()))
    sites = []
    for x in sorted(n for n in reached if parent in graph.get(n, ())):
        found = built_names.sites(doc, x, parent)
        if found is None:
            return None
        sites.extend(found)
    cut = {n: deps - {parent} if n in reached else deps for n, deps in graph.items()}
    return sites if sites and not any(reaches(cut, [n], parent) for n in loops) else None


def _redundant(doc: Document, rid: str, type_name: str, res: dict) -> Finding:
    key, owner_type, meaning, why = REDUNDANT[type_name]
    path = ("Resources", rid, "Type")
    head = f"E3006 resource type '{type_name}' does not exist"
    props = res.get("Properties")
    owner = _parent(doc, props, (key,), owner_type) if isinstance(props, dict) else None
    plain = isinstance(props, dict) and owner is not None and all(
        k == key or (k in meaning and props[k] in meaning[k] and not isinstance(props[k], dict)) for k in props)
    extra = [k for k in res if k not in ("Type", "Properties", "Condition", "DependsOn")]
    condition = res.get("Condition")
    if not plain or extra or (condition is not None and condition != doc.resources[owner].get("Condition")):
        return Finding(rid, path, f"{head}; {why}, but this one asks for something else (or for a "
                       f"resource of another template): remove it, or set that up outside CloudFormation",
                       fixable=False)
    dependents, others = _dependents(doc, rid)
    if others:
        return Finding(rid, path, f"{head}; {why}, but {', '.join(others)} refer to it: remove it and those "
                       "references", fixable=False)
    after = tuple(dict.fromkeys([d for d in depends_on(res) if d in doc.resources] + [owner]))
    message = (f"{head}; {why}: removed, and what depended on it depends on "
               + ", ".join(f"'{a}'" for a in after))
    return Finding(rid, path, message, detail=Moved(owner, "", None, False, dependents, after, Safety.SAFE))


def _setting(doc: Document, rid: str, type_name: str, res: dict) -> Finding:
    what, how = ACCOUNT_SETTINGS[type_name]
    path = ("Resources", rid, "Type")
    head = f"E3006 resource type '{type_name}' does not exist; CloudFormation has no resource for {what}"
    dependents, others = _dependents(doc, rid)
    if others:
        return Finding(rid, path, f"{head}: set it with `{how}`; {', '.join(others)} refer to it: remove it and "
                       "those references", fixable=False)
    after = tuple(d for d in depends_on(res) if d in doc.resources)
    message = f"{head}: removed, so the stack no longer sets it; set it with `{how}`"
    return Finding(rid, path, message, detail=Moved(None, "", None, False, dependents, after))


def _parameter(doc: Document, rid: str, type_name: str, res: dict) -> Finding:
    path = ("Resources", rid, "Type")
    head = f"E3006 resource type '{type_name}' does not exist; it is a parameter type"
    props = res.get("Properties")
    if not isinstance(props, dict):
        props = {}
    dependents, others = _dependents(doc, rid)
    plain = isinstance(props.get("Name"), str) and all(
        k in ("Name", "Description") and isinstance(v, str) for k, v in props.items())
    extra = [k for k in res if k not in ("Type", "Properties")]
    attrs = [where for where in others if _reads_attribute(doc, where, rid)]
    if not plain or extra or attrs:
        return Finding(rid, path, f"{head}: write it under Parameters (Type: {type_name}, Default: the SSM "
                       "parameter's name) and read it with Ref", fixable=False)
    params = doc.data.get("Parameters")
    if params is not None and not isinstance(params, dict):
        return Finding(rid, path, f"{head}, but Parameters is not a mapping: move it there by hand", fixable=False)
    parameter = {"Type": type_name, "Default": props["Name"]}
    if "Description" in props:
        parameter["Description"] = props["Description"]
    message = f"{head}: it becomes parameter '{rid}' with the SSM parameter's name as its Default; Ref reads the same value"
    return Finding(rid, path, message, detail=Moved(None, "", None, False, dependents, (), Safety.SAFE, parameter))


def _reads_attribute(doc: Document, where: str, rid: str) -> bool:
    """Whether the resource or output ``where`` (``section/key``) reads an attribute of ``rid``."""
    section, key = where.split("/", 1)

    def reads(value: Any) -> bool:
        if isinstance(value, dict):
            getatt, sub = value.get("Fn::GetAtt"), value.get("Fn::Sub")
            target = getatt[0] if isinstance(getatt, list) and getatt else getatt.split(".")[0] if isinstance(
                getatt, str) else None
            text = sub[0] if isinstance(sub, list) and sub else sub
            if target == rid or (isinstance(text, str) and "${" + rid + "." in text):
                return True
            return any(reads(v) for v in value.values())
        return isinstance(value, list) and any(reads(v) for v in value)

    return reads((doc.data.get(section) or {}).get(key))


def _joins(doc: Document, rid: str, res: dict, parent: str, value: Any) -> tuple[tuple, str | None]:
    """How the invented resource ``rid`` joins ``parent``, which takes ``value`` from it: (what
    its DependsOn named that ``parent`` must now wait for, None), or ((), why it cannot: a
    reference to it, a Condition other than the parent's, a dependency cycle)."""
    parent_res = doc.resources[parent]
    condition = res.get("Condition")
    if condition is not None and condition != parent_res.get("Condition"):
        other = parent_res.get("Condition")
        return (), (f"it has Condition {_shown(condition)} and '{parent}' "
                    f"{'has ' + _shown(other) if other is not None else 'has none'}")
    extra = [k for k in res if k not in ("Type", "Properties", "Condition", "DependsOn")]
    if extra:
        return (), f"{', '.join(repr(k) for k in extra)} of it {'have' if len(extra) > 1 else 'has'} no place there"
    _, others = _dependents(doc, rid)
    if others:
        return (), f"{', '.join(others)} refer to it"
    needed = {n for n, _ in references(value)}
    waits = tuple(d for d in depends_on(res) if d not in needed and d != parent and d not in depends_on(parent_res))
    for d in waits:
        other = doc.resources.get(d)
        if not isinstance(other, dict) or other.get("Condition") not in (None, parent_res.get("Condition")):
            return (), f"its DependsOn names '{d}', which '{parent}' cannot wait for (not a resource, or one of " \
                "another condition)"
    graph = dependency_graph({k: v for k, v in doc.resources.items() if k != rid})
    loops = sorted(n for n in needed | set(waits) if n != parent and n in graph and reaches(graph, [n], parent))
    if loops:
        return (), f"moved into '{parent}', it would close a dependency cycle through '{loops[0]}'"
    return waits, None


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)


def _named(doc: Document, value: Any) -> tuple[str | None, str]:
    """(the resource a ``Ref`` names, None), or (None, how else ``value`` names the resource)."""
    name = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
    if isinstance(name, str) and isinstance(doc.resources.get(name), dict):
        return name, ""
    params = doc.data.get("Parameters")
    if isinstance(name, str) and isinstance(params, dict) and name in params:
        return None, f"parameter '{name}' (a resource created outside this stack)"
    return None, "no resource of this template with a Ref"


def _tag(doc: Document, rid: str, res: dict) -> Finding:
    """An ``AWS::EC2::Tag`` (ResourceId, Key, Value): the tag goes into the Tags of the resource
    of the template its ResourceId names."""
    path = ("Resources", rid, "Type")
    head = "E3006 resource type 'AWS::EC2::Tag' does not exist; CloudFormation tags the resources it creates through their Tags"
    props = res.get("Properties")

    def report(why: str) -> Finding:
        return Finding(rid, path, f"{head}, and {why}", fixable=False)

    if not isinstance(props, dict) or "Key" not in props or "Value" not in props:
        return report("this one gives no Key and Value: put the tag in the Tags of the resource meant by hand")
    stray = [k for k in props if k not in ("ResourceId", "ResourceType", "Key", "Value")]
    if stray:
        return report(f"{', '.join(repr(k) for k in stray)} {'have' if len(stray) > 1 else 'has'} no place in a tag: "
                      "tag the resource by hand")
    parent, how = _named(doc, props.get("ResourceId"))
    if parent is None:
        return report(f"ResourceId names {how}: put the tag in the Tags of the resource meant, or tag a resource the "
                      "stack does not create outside CloudFormation (aws ec2 create-tags)")
    parent_type = doc.resources[parent].get("Type")
    schema = schemas.schema_at(parent_type, ("Resources", parent, "Properties", "Tags")) if isinstance(
        parent_type, str) else {}
    item = schemas.resolve(schemas.resource_schema(parent_type) or {}, schema.get("items", {})) if isinstance(
        parent_type, str) else {}
    if schema.get("type") != "array" or not {"Key", "Value"} <= set(item.get("properties") or ()) or set(
            item.get("required") or ()) - {"Key", "Value"}:
        return report(f"'{parent}' ({parent_type}) takes no Tags list of Key and Value: tag it by hand")
    parent_props = doc.resources[parent].get("Properties")
    tags = parent_props.get("Tags") if isinstance(parent_props, dict) else None
    if parent_props is not None and not isinstance(parent_props, dict) or tags is not None and (
            not isinstance(tags, list) or not all(isinstance(t, dict) and "Key" in t for t in tags)):
        return report(f"the Tags of '{parent}' are computed: add the tag there by hand")
    key, value = props["Key"], props["Value"]
    same = [t for t in tags or () if t["Key"] == key]
    waits, why = _joins(doc, rid, res, parent, {"Key": key, "Value": value})
    if why is not None:
        return report(f"{why}: put the tag in the Tags of '{parent}' by hand")
    dependents, _ = _dependents(doc, rid)
    shown = f"{_shown(key)}={_shown(value)}"
    if same and all(t.get("Value") == value for t in same):
        return Finding(rid, path, f"{head}: '{parent}' already has tag {shown}, so '{rid}' goes and nothing is lost",
                       detail=Moved(parent, "", None, False, dependents, waits=waits, safety=Safety.SAFE))
    if same:
        return report(f"'{parent}' already has tag {_shown(key)} with another value: keep the one meant by hand")
    return Finding(rid, path, f"{head}: tag {shown} moved into the Tags of '{parent}', named by ResourceId",
                   detail=Moved(parent, "", None, False, dependents, waits=waits, merges=(("Tags", (
                       {k: Source(("Resources", rid, "Properties", k), props[k]) for k in ("Key", "Value")},)),)))


PROFILE_KEYS = ("IamInstanceProfile", "IamInstanceProfileName", "InstanceProfileName", "InstanceProfile",
                "IamInstanceProfileArn", "InstanceProfileArn")
_PROFILE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:instance-profile/(?:[^/]+/)*([\w+=,.@-]{1,128})$")


def _profile_name(doc: Document, value: Any) -> tuple[Any, str]:
    """(the instance profile's name, how it was found), or (None, why it cannot be told): what an
    instance's IamInstanceProfile takes."""
    if isinstance(value, dict) and len(value) == 1 and set(value) <= {"Name", "Arn"}:
        return _profile_name(doc, next(iter(value.values())))  # the API's IamInstanceProfileSpecification
    if isinstance(value, str):
        match = _PROFILE_ARN.match(value)
        if match:
            return match.group(1), f" (the name ending its ARN {value!r})"
        if value and not value.startswith("arn:") and not set(value) & set(":/"):
            return value, ""
        return None, f"{value!r} is not an instance profile's name or ARN"
    target = ref_name(value)
    profile = doc.resources.get(target) if isinstance(target, str) else None
    if isinstance(profile, dict) and profile.get("Type") == "AWS::IAM::InstanceProfile":
        if value == {"Ref": target}:
            return value, ""
        if value in ({"Fn::GetAtt": [target, "Arn"]}, {"Fn::GetAtt": f"{target}.Arn"}):
            return {"Ref": target}, f" (Ref of '{target}', its name, for its ARN)"
    if target is not None and target not in doc.resources:
        return None, f"it is parameter '{target}', which may hold a name or an ARN"
    return None, "it is not a name, an ARN, or a reference to an AWS::IAM::InstanceProfile of the template"


def _profile(doc: Document, rid: str, res: dict) -> Finding:
    """An ``AWS::EC2::AssociateIamInstanceProfile`` (InstanceId, IamInstanceProfile): the profile
    becomes the IamInstanceProfile of the instance of the template its InstanceId names."""
    path = ("Resources", rid, "Type")
    head = ("E3006 resource type 'AWS::EC2::AssociateIamInstanceProfile' does not exist; an instance's profile is "
            "its IamInstanceProfile property")
    props = res.get("Properties")

    def report(why: str) -> Finding:
        return Finding(rid, path, f"{head}, and {why}", fixable=False)

    given = [k for k in PROFILE_KEYS if isinstance(props, dict) and k in props]
    if not isinstance(props, dict) or len(given) != 1:
        return report("this one names no single profile: set IamInstanceProfile on the AWS::EC2::Instance by hand")
    stray = [k for k in props if k not in ("InstanceId", given[0])]
    if stray:
        return report(f"{', '.join(repr(k) for k in stray)} {'have' if len(stray) > 1 else 'has'} no place there: "
                      "set IamInstanceProfile on the instance by hand")
    parent, how = _named(doc, props.get("InstanceId"))
    if parent is not None and doc.resources[parent].get("Type") != "AWS::EC2::Instance":
        parent, how = None, f"'{doc.resources[parent].get('Type')}' resource '{parent}', not an AWS::EC2::Instance"
    if parent is None:
        return report(f"InstanceId names {how}: set the IamInstanceProfile of the instance meant, or associate the "
                      "profile with an instance the stack does not create outside CloudFormation "
                      "(aws ec2 associate-iam-instance-profile)")
    name, found = _profile_name(doc, props[given[0]])
    if name is None:
        return report(f"{found}: set IamInstanceProfile of '{parent}' to the profile's name by hand")
    parent_props = doc.resources[parent].get("Properties")
    if not isinstance(parent_props, dict):
        return report(f"the properties of '{parent}' are not a mapping: set its IamInstanceProfile by hand")
    waits, why = _joins(doc, rid, res, parent, name)
    if why is not None:
        return report(f"{why}: set IamInstanceProfile of '{parent}' by hand")
    dependents, _ = _dependents(doc, rid)
    current = parent_props.get("IamInstanceProfile")
    if current == name:
        return Finding(rid, path, f"{head}: '{parent}' already has IamInstanceProfile {_shown(name)}, so '{rid}' "
                       "goes and nothing is lost", detail=Moved(parent, "", None, False, dependents, waits=waits,
                                                                safety=Safety.SAFE))
    if current is not None:
        return report(f"'{parent}' already has another IamInstanceProfile, {_shown(current)}: keep the one meant by hand")
    value = Source(("Resources", rid, "Properties", given[0]), name) if name == props[given[0]] else name
    return Finding(rid, path, f"{head}: '{parent}', named by InstanceId, gets IamInstanceProfile {_shown(name)}{found}",
                   detail=Moved(parent, "IamInstanceProfile", value, False, dependents, waits=waits))


# What an Auto Scaling group that only names another one may carry: lists of that other group.
ATTACHING_LISTS = ("TargetGroupARNs", "LoadBalancerNames")
_LAUNCH = ("LaunchTemplate", "LaunchConfigurationName", "InstanceId", "MixedInstancesPolicy", "MinSize", "MaxSize")


def _attaching_group(doc: Document, rid: str, res: dict) -> Finding | None:
    """An Auto Scaling group whose AutoScalingGroupName is a ``Ref`` to another group of the
    template and that has no sizes and nothing to launch: an attachment written as a group (its
    target groups and load balancers belong to the group it names). None for any other group."""
    props = res.get("Properties")
    if not isinstance(props, dict) or any(k in props for k in _LAUNCH):
        return None
    parent, _ = _named(doc, props.get("AutoScalingGroupName"))
    if parent is None or parent == rid or doc.resources[parent].get("Type") != "AWS::AutoScaling::AutoScalingGroup":
        return None
    path = ("Resources", rid, "Properties", "AutoScalingGroupName")
    head = (f"E3003 AWS::AutoScaling::AutoScalingGroup: '{rid}' has no sizes and nothing to launch, and its "
            f"AutoScalingGroupName is '{parent}': it attaches to that group what belongs in its own properties")

    def report(why: str) -> Finding:
        return Finding(rid, path, f"{head}, but {why}", fixable=False)

    stray = [k for k in props if k not in ATTACHING_LISTS and k != "AutoScalingGroupName"]
    if stray:
        return report(f"{', '.join(repr(k) for k in stray)} {'are' if len(stray) > 1 else 'is'} more than an "
                      f"attachment: merge it into '{parent}' by hand")
    parent_props = doc.resources[parent].get("Properties")
    merges, added = [], []
    for key in (k for k in ATTACHING_LISTS if k in props):
        items, current = props[key], parent_props.get(key) if isinstance(parent_props, dict) else None
        if not isinstance(items, list) or not isinstance(parent_props, dict) or not isinstance(current, (list, type(None))):
            return report(f"its {key} or that of '{parent}' is computed: merge them by hand")
        new = [n for n, i in enumerate(items) if i not in (current or []) and i not in items[:n]]
        if new:
            merges.append((key, tuple(Source(("Resources", rid, "Properties", key, n), items[n]) for n in new)))
            added.append(f"{key} {', '.join(_shown(items[n]) for n in new)}")
    waits, why = _joins(doc, rid, res, parent, [i.value for _, items in merges for i in items])
    if why is not None:
        return report(f"{why}: merge its lists into '{parent}' by hand")
    dependents, _ = _dependents(doc, rid)
    if not merges:
        return Finding(rid, path, f"{head}; '{parent}' already lists all of it, so '{rid}' goes and nothing is lost",
                       detail=Moved(parent, "", None, False, dependents, waits=waits, safety=Safety.SAFE))
    return Finding(rid, path, f"{head}; {'; '.join(added)} added to '{parent}', and '{rid}' removed",
                   detail=Moved(parent, "", None, False, dependents, waits=waits, merges=tuple(merges)))
