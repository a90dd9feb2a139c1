"""Required properties that are missing (cfn-lint E3003, E3021), added only where AWS documents the value."""

from __future__ import annotations

import json
from typing import Any, Iterator, NamedTuple

from cfnfix import schemas, subnet_twin
from cfnfix.changelog import Change, Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import dependency_graph, references
from cfnfix.parameters import add_parameters
from cfnfix.properties import properties
from cfnfix.roles import roles_trusting
from cfnfix.subnet_twin import alb_subnets
from cfnfix.values import property_literals, ref_name
from cfnfix.waf import CONFIGURED_RULE_GROUPS, managed_rule_group, metric_name_fits

# Principal types an AWS::IAM::Policy attaches to: (property, resource type, suffix of their ids).
HOLDERS = (("Roles", "AWS::IAM::Role", "Role"), ("Users", "AWS::IAM::User", "User"), ("Groups", "AWS::IAM::Group", "Group"))


def _base(logical_id: str, suffix: str) -> str:
    return (logical_id[: -len(suffix)] if logical_id.endswith(suffix) and len(logical_id) > len(suffix) else logical_id).lower()


def unattached_policy(doc: Document, rid: str, res: dict) -> Finding | None:
    """An AWS::IAM::Policy with none of Roles, Users, Groups (cfn-lint E3003/E3017): attached to the
    one role, user or group whose logical id it repeats (`AppPolicy` and `AppRole`), else kept as a
    standalone AWS::IAM::ManagedPolicy that grants nothing until attached."""
    props = properties(res)
    if props is None or any(k in props for k, _, _ in HOLDERS):
        return None
    path = ("Resources", rid, "Properties")
    head = f"E3003 AWS::IAM::Policy: {rid} is attached to no role, user or group (Roles, Users, Groups all missing)"
    base = _base(rid, "Policy")
    named = [(key, other) for key, rtype, suffix in HOLDERS for other, body in doc.resources_of_type(rtype)
             if _base(other, suffix) == base]
    if len(named) == 1:
        key, other = named[0]
        if doc.resources[other].get("Condition") not in (None, res.get("Condition")):
            return Finding(rid, path, f"{head}; {other} is the one it names, but it exists only when "
                           f"{doc.resources[other]['Condition']}: attach it by hand", fixable=False)
        return Finding(rid, path + (key,), f"{head}; attach it to {other}, the one {key[:-1].lower()} whose "
                       "name it repeats: its permissions take effect for that principal", detail=("attach", [{"Ref": other}]))
    if len(named) > 1:
        shown = ", ".join(o for _, o in named)
        return Finding(rid, path, f"{head}; it names several principals ({shown}): attach it by hand", fixable=False)
    if not isinstance(props.get("PolicyDocument"), dict) or "ManagedPolicyName" in props:
        return Finding(rid, path, f"{head}; attach it by hand (Roles, Users or Groups)", fixable=False)
    return Finding(rid, ("Resources", rid, "Type"), f"{head}; no principal of the template is plainly meant: it "
                   "becomes an AWS::IAM::ManagedPolicy, which CloudFormation creates unattached and which grants "
                   "nothing until a role, user or group attaches it (ManagedPolicyArns, or its Roles/Users/Groups)",
                   detail=("standalone", "AWS::IAM::ManagedPolicy"))


def lambda_role(doc: Document, v: schemas.Violation, head: str) -> Finding:
    """A Lambda function without Role: the template's one IAM role whose trust policy lets
    lambda.amazonaws.com assume it is plainly meant (review: the function gets its permissions).
    None or several such roles, one under another condition, or one that needs the function
    first (a cycle) are reported."""
    rid = v.resource
    roles = roles_trusting(doc, "lambda.amazonaws.com")
    advice = "set Role: !GetAtt <role>.Arn by hand"
    if not roles:
        return Finding(rid, v.path, f"{head}; no IAM role of the template lets lambda.amazonaws.com assume it: add one "
                       f"(with the managed policy AWSLambdaBasicExecutionRole for its logs) and {advice}", fixable=False)
    if len(roles) > 1:
        return Finding(rid, v.path, f"{head}; several IAM roles of the template let lambda.amazonaws.com assume them "
                       f"({', '.join(roles)}): {advice} with the one meant", fixable=False)
    role = roles[0]
    role_condition = doc.resources[role].get("Condition")
    if role_condition is not None and role_condition != doc.resources[rid].get("Condition"):
        return Finding(rid, v.path, f"{head}; {role}, the one IAM role Lambda may assume, exists only when "
                       f"{role_condition}: {advice}", fixable=False)
    if not isinstance(doc.value(v.path[:-1]), dict):
        return Finding(rid, v.path, f"{head}; the function has no Properties mapping: {advice}", fixable=False)
    graph = dependency_graph(doc.resources)
    seen, todo = {role}, [role]
    while todo:
        for name in graph.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    if rid in seen:
        return Finding(rid, v.path, f"{head}; {role} is the one IAM role Lambda may assume, but it needs the function "
                       f"first (its policies name it), so !GetAtt {role}.Arn would close a dependency cycle: "
                       "move that policy into an AWS::IAM::Policy of its own, then set Role", fixable=False)
    return Finding(rid, v.path, (
        f"{head}; {role} is the template's one IAM role whose trust policy lets lambda.amazonaws.com assume it: "
        f"Role: !GetAtt {role}.Arn. Review: the function runs with that role's permissions"),
        detail=("role", {"Fn::GetAtt": [role, "Arn"]}))


def _target_id(doc: Document, v: schemas.Violation) -> str:
    """An EventBridge target Id unique within its rule: any string of up to 64 characters is valid.

    Ids are handed out to the rule's targets without one in order, so that several fixed in one
    run never collide.
    """
    targets = _holder(doc, v.path[:-2])
    taken = {t["Id"] for t in targets if isinstance(t, dict) and isinstance(t.get("Id"), str)}
    n = 0
    for i, target in enumerate(targets):
        if not isinstance(target, dict) or "Id" in target:
            continue
        n += 1
        while f"Target{n}" in taken:
            n += 1
        if i == v.path[-2]:
            return f"Target{n}"
    raise ValueError("target has an Id")


def _holder(doc: Document, path: tuple) -> Any:
    value = doc.data
    for part in path:
        value = value[part]
    return value


# (resource type, property) -> (value, or a function of the document and violation; why it is right)
DEFAULTS: dict[tuple[str, str], tuple[Any, str]] = {
    ("AWS::CloudTrail::Trail", "IsLogging"): (
        True, "a trail only records while logging is on; CreateTrail alone leaves it stopped, so a declared trail means IsLogging: true"),
    ("AWS::DynamoDB::Table", "SSEEnabled"): (
        True, "an SSESpecification asks for server-side encryption with the key it names; SSEEnabled: true turns that on"),
    ("AWS::DynamoDB::GlobalTable", "SSEEnabled"): (
        True, "an SSESpecification asks for server-side encryption with the key it names; SSEEnabled: true turns that on"),
    ("AWS::Events::Rule", "Id"): (
        _target_id, "a target Id is a free label unique within the rule (up to 64 characters)"),
}

# Properties another property needs (E3021), when AWS documents a single value; the trigger
# property is named in the reason. Keyed (resource type, missing property).
DEPENDENT: dict[tuple[str, str], tuple[Any, str]] = {
    ("AWS::DynamoDB::Table", "SSEType"): (
        "KMS", "a KMSMasterKeyId asks for encryption with that KMS key, and KMS is the only SSEType"),
    ("AWS::DynamoDB::GlobalTable", "SSEType"): (
        "KMS", "a KMSMasterKeyId asks for encryption with that KMS key, and KMS is the only SSEType"),
}
# Dependencies with no value right for every template, and what to do instead.
DEPENDENT_ADVICE: dict[tuple[str, str], str] = {}


def _lists(nodes: list[tuple[tuple, Any]]):
    """(path, list) of every list among a resource's ``property_literals``."""
    return ((p, v) for p, v in nodes if isinstance(v, list))


class RequiredProperty(Fixer):
    name = "required-property"
    summary = "Add missing required properties whose value AWS documents (E3003, E3021)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ('E3003', 'E3021', 'E3032', 'E3680')
    default = False
    docs = """
    ## What it detects
    A property the resource type's schema requires (at any depth: `SSESpecification`, an
    EventBridge target...) that is missing. cfn-lint reports these as E3003.

    ## Why it matters
    CloudFormation validates required properties before it creates anything: the stack
    operation fails (`Property X cannot be empty` / `required key [X] not found`).

    ## How it decides
    A value is written only from a table of values that are right by AWS documentation:
    - CloudTrail `IsLogging: true`: a trail records only while logging is on, and
      `CreateTrail` alone leaves it stopped, so declaring a trail means logging.
    - DynamoDB `SSESpecification.SSEEnabled: true`: the specification exists to ask for
      server-side encryption.
    - EventBridge target `Id`: a free label, unique within the rule (`Target1`, ...).

    A property that another one present needs (cfn-lint E3021) is added the same way:
    - DynamoDB `SSESpecification.SSEType: KMS` when a `KMSMasterKeyId` is given: the key asks
      for KMS encryption with it, and `KMS` is the only type. Likewise any needed property whose
      schema allows exactly one value.
    - A security group with `SecurityGroupEgress` but no `VpcId` (egress rules exist only in a
      VPC) gets `VpcId: !Ref <vpc>` when the VPC is plain: the subnets of the resources that use
      the group (instances, launch templates, databases...) all lie in one VPC of the template,
      or else the template has exactly one VPC (an `AWS::EC2::VPC`, or else one
      `AWS::EC2::VPC::Id` parameter) with no other `Condition` than the group's. This change is
      `review`: the group is replaced, into that VPC. When the template defines no VPC at all
      (no `AWS::EC2::VPC`, no `AWS::EC2::VPC::Id` parameter), a parameter `VpcId` (a free name)
      of type `AWS::EC2::VPC::Id` without default is declared, shared by every such group, and
      their `VpcId` is a `Ref` to it (`review`: the deployer must pass the VPC; the default VPC's
      id keeps the groups where they were). A Ref to such a group gives its name until it has a
      VpcId and its id after: an instance's (or launch template's) `SecurityGroups` that lists
      only the group becomes `SecurityGroupIds`; any other use of the name (with other groups, an
      ingress `GroupName`, an `Fn::Sub` text) leaves it reported. Otherwise it is reported with
      what was found (several VPCs): only the author knows the VPC (without one the group lands
      in the default VPC). A `VpcId` that is `AWS::NoValue` under a condition is reported the same way.

    An `AWS::IAM::Policy` attached to nothing (none of `Roles`, `Users`, `Groups`; cfn-lint
    E3003/E3017) is attached to the one role, user or group whose logical id it repeats
    (`AppPolicy` and `AppRole`; review: the permissions take effect). When no principal is
    named it becomes an `AWS::IAM::ManagedPolicy` (its `PolicyName` the `ManagedPolicyName`),
    which CloudFormation creates unattached and which grants nothing until attached (review).
    Several principals named, or the one named under another condition, is reported.

    An S3 `IntelligentTieringConfigurations` item without `Tierings` goes (review): such a
    configuration only opts objects into the archive tiers it lists, so with none it does
    nothing S3 would do; the change log names what does put objects in Intelligent-Tiering (a
    lifecycle transition to `INTELLIGENT_TIERING`).

    AWS WAF (`AWS::WAFv2::WebACL`, `AWS::WAFv2::RuleGroup`), both review changes:
    - A web ACL rule without `Statement` whose `Name` is an AWS managed rule group of the
      AWS WAF Developer Guide's list (baseline, use-case and IP reputation groups such as
      `AWSManagedRulesCommonRuleSet`, `AWSManagedRulesSQLiRuleSet`,
      `AWSManagedRulesAmazonIpReputationList`; or the console's `AWS-<group>`) and that has an
      `OverrideAction` (only a rule group reference takes one) gets `Statement:
      {ManagedRuleGroupStatement: {VendorName: AWS, Name: <group>}}`: the web ACL now inspects
      requests with that group. The groups billed beyond the web ACL and configured with
      `ManagedRuleGroupConfigs` (Bot Control, ATP, ACFP, anti-DDoS), rules with an `Action`, and
      other names are reported.
    - A `VisibilityConfig` missing, or missing keys, on a web ACL, a rule group or a rule, is
      completed with what the AWS WAF console writes by default: `SampledRequestsEnabled: true`,
      `CloudWatchMetricsEnabled: true`, and `MetricName` the rule's, web ACL's or rule group's
      `Name` when that is a literal AWS WAF takes as a metric name (letters, digits, `-`, `_`, up
      to 128 characters, not `All` or `Default_Action`), else the logical id (`<id>-Rule<n>` for
      the n-th rule). Keys present are kept. AWS WAF then records metrics and request samples.

    An Application Load Balancer (type `application`, the default) given one subnet in `Subnets`
    or `SubnetMappings` (cfn-lint E3680; AWS: "you must specify subnets from at least two
    Availability Zones") gets a twin of that subnet (review) when the subnet is an
    `AWS::EC2::Subnet` of the template, in an `AWS::EC2::VPC` of the template, whose
    `AvailabilityZone` is `!Select [i, !GetAZs ...]`:
    - the subnet's properties, tags and resource attributes (its `Condition` too) copied, in the
      zone at index 1 (index 0 when the subnet's is past 0: indexes 0 and 1 exist in every
      region, a third does not);
    - a CIDR block of the same size that no subnet of the VPC uses: the next free block inside
      the VPC's block when the VPC's and every subnet's CIDR are literals, parameters' defaults or
      `Fn::FindInMap` values (a subnet whose own block comes from a mapping is reported, with the
      free block);
      for a `CidrBlock` that is a parameter, a sibling parameter (`PublicSubnet1Cidr` ->
      `PublicSubnet2Cidr`, its other keys copied) whose default is that block; for
      `!Select [n, !Cidr [...]]`, the next index of the same `Fn::Cidr` list whose block is free.
      The block is a proposal to review (a parameter passed at deployment can differ);
    - its id and tags follow the original's numbering (`PublicSubnet1` -> `PublicSubnet2`,
      `public-subnet-1` -> `public-subnet-2`, `WebSubnetA` -> `WebSubnetB`, `PublicSubnet` ->
      `PublicSubnet2`); tags without a number are copied;
    - each `SubnetRouteTableAssociation` and `SubnetNetworkAclAssociation` of the original is
      repeated for the twin (a public subnet without its route to the internet gateway would
      not serve the load balancer), with its own `Condition`;
    - the load balancer lists the twin. Several load balancers given the same subnet share one twin.

    It is reported, with the reason, when the subnet is a parameter, an import or an
    expression; when its zone is a literal (`hardcoded-az` writes it as `!Select` first, and the
    twin follows in the next round), absent (EC2 picks it, so a twin could share it) or an
    `AvailabilityZoneId`; when the VPC is not the template's, or a subnet CIDR of the VPC cannot
    be read (an overlap cannot be ruled out), the VPC has no free block left, or the subnet has
    IPv6 or IPAM addressing. Network and gateway load balancers take one subnet: left alone.

    A Lambda function (`AWS::Lambda::Function`) without `Role` gets `Role: !GetAtt <role>.Arn`
    when the template has exactly one `AWS::IAM::Role` whose trust policy lets
    `lambda.amazonaws.com` assume it (`Principal.Service` as a string or list, also
    `lambda.${AWS::URLSuffix}` in `Fn::Sub` or `Fn::Join`; the role may trust other services
    too). Review: the function runs with that role's permissions. Reported instead: no such role
    or several (named), a role under a condition the function does not share, and a role that
    needs the function first (its policy names the function: the `GetAtt` would close a
    dependency cycle). `AWS::Serverless::Function` needs no `Role` (SAM creates one) and is left
    alone.

    Reported, as only the author knows what is missing: a list with fewer items than the
    schema's `minItems` (an empty DataSync `AgentArns`, an EventBridge global endpoint with one
    event bus; cfn-lint E3032).

    Anything else (`MinSize`, a custom WAF rule's `Statement`) has no value that is
    right for every template: it is reported, not guessed. Route 53 health checks written
    without `HealthCheckConfig` are `unsupported-property`'s (their keys move into it).

    ## Example
    ```yaml
    # before
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        S3BucketName: !Ref TrailBucket
    # after
      Properties:
        S3BucketName: !Ref TrailBucket
        IsLogging: true
    ```

    ```yaml
    # before (VPC 10.0.0.0/16; PublicSubnet1 10.0.1.0/24 in !Select [0, !GetAZs ''])
    LoadBalancer:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets:
          - !Ref PublicSubnet1
    # after
        Subnets:
          - !Ref PublicSubnet1
          - !Ref PublicSubnet2
    PublicSubnet2:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: !Ref Vpc
        CidrBlock: 10.0.2.0/24
        AvailabilityZone: !Select [1, !GetAZs '']
    PublicSubnet2RouteTableAssociation:   # as PublicSubnet1's
      Type: AWS::EC2::SubnetRouteTableAssociation
      Properties:
        SubnetId: !Ref PublicSubnet2
        RouteTableId: !Ref PublicRouteTable
    ```

    ## Fix safety
    Safe: the value added is the one the template's own declarations ask for. A security
    group's `VpcId` is `review`: setting it replaces the group (and a new `VpcId` parameter must
    be passed by whoever deploys the stack). The WAF `Statement` and `VisibilityConfig` are
    `review`: the web ACL inspects traffic with the group, and metrics and request samples are
    recorded. The twin subnet of a load balancer is `review`: new subnets (and their
    associations and CIDR parameter) are created, and their CIDR block is a proposal. A Lambda
    function's `Role` is `review`: it grants the function that role's permissions.

    A ScalableTarget's `RoleARN` is no longer required by the schema cfn-lint ships (the service
    uses its service-linked role when it is absent); hard-coded role ARNs there are
    `service-linked-role`'s.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = list(_vpc_dropped_by_condition(doc))
        for rid, res in doc.resources_of_type("AWS::IAM::Policy"):
            found = unattached_policy(doc, rid, res)
            if found is not None:
                findings.append(found)
        findings += self._item_counts(doc)
        visibility: dict[tuple, list[schemas.Violation]] = {}
        for v in schemas.violations(doc):
            if v.type_name in WAF_TYPES and v.kind == "required" and "VisibilityConfig" in (v.name, v.path[-2]):
                visibility.setdefault(v.path if v.name == "VisibilityConfig" else v.path[:-1], []).append(v)
                continue
            if v.kind == "dependency":
                findings.append(self._dependency(doc, v))
                continue
            if v.kind != "required":
                continue
            where = "/".join(map(str, v.path[3:-1])) or "the resource"
            head = f"E3003 {v.type_name}: required property '{v.name}' is missing from {where}"
            if (v.type_name, v.name) == ("AWS::S3::Bucket", "Tierings") and v.path[3:4] == ("IntelligentTieringConfigurations",) \
                    and len(v.path) == 6:
                findings.append(self._no_tierings(doc, v, head))
                continue
            if (v.type_name, v.name) == ("AWS::WAFv2::WebACL", "Statement") and v.path[3:4] == ("Rules",) and len(v.path) == 6:
                findings.append(managed_statement(doc, v, head))
                continue
            if (v.type_name, v.name) == ("AWS::Lambda::Function", "Role") and len(v.path) == 4:
                findings.append(lambda_role(doc, v, head))
                continue
            default = DEFAULTS.get((v.type_name, v.name))
            if default is None:
                findings.append(Finding(v.resource, v.path, f"{head}; no value is right for every template, set it by hand", fixable=False))
                continue
            value, why = default
            if callable(value):
                value = value(doc, v)
            findings.append(Finding(v.resource, v.path, f"{head}; {why}", detail=value))
        findings += [visibility_config(doc, path, found) for path, found in visibility.items()]
        return findings

    def _item_counts(self, doc: Document) -> list[Finding]:
        """Lists with fewer items than the schema's minItems (E3032), and an Application Load
        Balancer with one subnet (E3680): the list is reported, as only the author knows the missing
        items; the load balancer gets a twin of its subnet in another zone when one can be planned."""
        out = []
        twins: dict[str, subnet_twin.Twin] = {}
        for rid, res in doc.resources.items():
            rtype = res.get("Type") if isinstance(res, dict) else None
            props = res.get("Properties") if isinstance(res, dict) else None
            if not isinstance(rtype, str) or not isinstance(props, dict) or not schemas.resource_schema(rtype):
                continue
            for path, items in _lists(property_literals(doc)[rid]) if schemas.mentions(rtype, "minItems") else ():
                least = schemas.schema_at(rtype, path).get("minItems")
                if isinstance(least, int) and not isinstance(least, bool) and len(items) < least:
                    name = next((p for p in reversed(path) if isinstance(p, str)), "")
                    out.append(Finding(rid, path, f"E3032 {rtype}: {name} has {len(items)} item{'s' * (len(items) != 1)}, "
                                       f"the schema asks for at least {least}: add {'them' if least - len(items) > 1 else 'it'} "
                                       "by hand (no value is right for every template)", fixable=False))
            one = alb_subnets(res) if rtype == subnet_twin.LOAD_BALANCER else None
            if one is not None:
                out.append(_twin_finding(doc, rid, one[0], twins))
        return out

    def _no_tierings(self, doc: Document, v: schemas.Violation, head: str) -> Finding:
        """An S3 Intelligent-Tiering configuration without Tierings: it only opts objects into the
        archive tiers it lists, so with none it does nothing and goes (review)."""
        item_path = v.path[:-1]
        items = doc.value(item_path[:-1])
        item = doc.value(item_path)
        if not isinstance(items, list) or not isinstance(item, dict):
            return Finding(v.resource, v.path, f"{head}; set it by hand", fixable=False)
        whole = len(items) == 1
        what = (f"an Intelligent-Tiering configuration only opts objects into the archive tiers its Tierings list "
                "(ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS, after a number of days); with none it does nothing, so "
                f"{'IntelligentTieringConfigurations goes' if whole else 'the configuration goes'}; lost: nothing "
                "S3 would do. Objects reach the Intelligent-Tiering storage class by a lifecycle Transition "
                "(StorageClass: INTELLIGENT_TIERING) or by being uploaded in it; add Tierings instead to archive them")
        return Finding(v.resource, item_path[:-1] if whole else item_path, f"{head}; {what}", detail=("drop", None))

    def _dependency(self, doc: Document, v: schemas.Violation) -> Finding:
        where = "/".join(map(str, v.path[3:-1])) or "the resource"
        head = f"E3021 {v.type_name}: '{v.name}' is needed by '{v.value}' in {where} but missing"
        known = DEPENDENT.get((v.type_name, v.name))
        holder = doc.value(v.path[:-1])
        if v.name == "SSEType" and isinstance(holder, dict) and str(holder.get("SSEEnabled")).lower() == "false":
            return Finding(v.resource, v.path, f"{head}; SSEEnabled is false but a KMS key is named: "
                           "set SSEEnabled to true to use the key, or remove KMSMasterKeyId", fixable=False)
        if known is not None:
            return Finding(v.resource, v.path, f"{head}; {known[1]}", detail=known[0])
        allowed = v.property_schema(v.name).get("enum")
        if isinstance(allowed, list) and len(allowed) == 1:
            return Finding(v.resource, v.path, f"{head}; {allowed[0]!r} is the only value the schema allows",
                           detail=allowed[0])
        if (v.type_name, v.name) == ("AWS::EC2::SecurityGroup", "VpcId") and len(v.path) == 4:
            vpc, why = group_vpc(doc, v.resource)
            if vpc is not None:
                return Finding(v.resource, v.path, f"{head}; {why}: the group goes into it (the group is replaced, "
                               "into the VPC its egress rules need)", detail=VpcChoice({"Ref": vpc}))
            if why == "the template defines no VPC":
                renames, blocked = _named_users(doc, v.resource)
                if blocked is None:
                    name = _vpc_parameter_name(doc)
                    message = (f"{head}; egress rules exist only for groups in a VPC, and the template defines no VPC: "
                               f"VpcId is set to new parameter '{name}' (type AWS::EC2::VPC::Id, no default), which "
                               "the deployer must pass (the default VPC's id keeps the group where it was; the group "
                               "is replaced, into that VPC)")
                    if renames:
                        users = ", ".join(f"'{p[1]}'" for p in renames)
                        message += (f"; {users} list{'s' if len(renames) == 1 else ''} it in SecurityGroups, which "
                                    "takes the names of default-VPC groups: renamed SecurityGroupIds, as a Ref to a "
                                    "group with a VpcId gives its id")
                    return Finding(v.resource, v.path, message, detail=VpcParameter(name, tuple(renames)))
                why += f" (a new AWS::EC2::VPC::Id parameter would do, but {blocked})"
            advice = f"{why}; set VpcId to the VPC the group is for (a parameter of type AWS::EC2::VPC::Id given the " \
                "default VPC's id keeps the group where it is), or remove SecurityGroupEgress"
            return Finding(v.resource, v.path, f"{head}; egress rules exist only for groups in a VPC, and a group "
                           f"without VpcId is created in the default VPC: {advice}", fixable=False)
        advice = DEPENDENT_ADVICE.get((v.type_name, v.name), "no value is right for every template, set it by hand")
        return Finding(v.resource, v.path, f"{head}; {advice}", fixable=False)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes: list[Change] = []
        self._add_twins(editor, [f for f in findings if isinstance(f.detail, subnet_twin.Twin)], changes)
        for name in dict.fromkeys(f.detail.name for f in findings if isinstance(f.detail, VpcParameter)):
            # one parameter for every group without a VPC: declared with the first finding applied
            body = {"Type": "AWS::EC2::VPC::Id",
                    "Description": "VPC of the security groups with egress rules (the default VPC's id keeps them "
                                   "where they were)"}
            add_parameters(editor, {name: body})
            changes.append(self.change(None, "add", None, body, (
                f"E3021 add: parameter '{name}', the VPC of the security groups whose egress rules need one; the "
                "template defines none, so the deployer must pass it"), path=("Parameters", name), safety=Safety.REVIEW))
        for f in findings:
            if isinstance(f.detail, subnet_twin.Twin):
                continue
            if isinstance(f.detail, VpcParameter):
                with editor.finding(f):
                    editor.set(f.path, {"Ref": f.detail.name})
                    changes.append(self.change(f, "add", None, {"Ref": f.detail.name}, f.message, safety=Safety.REVIEW))
                    for where in f.detail.renames:
                        editor.rename(where, "SecurityGroupIds")
                        changes.append(self.change(f, "move", "SecurityGroups", "SecurityGroupIds", f.message,
                                                   path=where[:-1], safety=Safety.REVIEW))
                continue
            how, value = f.detail if isinstance(f.detail, tuple) and f.detail[:1] in (
                ("attach",), ("standalone",), ("drop",), ("visibility",), ("statement",), ("role",)) else ("set", f.detail)
            with editor.finding(f):
                if how == "visibility" and doc.node(f.path) is not None:  # keys added to the one there
                    for key, item in value.items():
                        editor.set(f.path + (key,), item)
                    before = doc.value(f.path)
                    changes.append(self.change(f, "replace", before, {**before, **value}, f.message, safety=Safety.REVIEW))
                    continue
                if how in ("visibility", "statement"):
                    editor.set(f.path, value)
                    changes.append(self.change(f, "add", None, value, f.message, safety=Safety.REVIEW))
                    continue
                if how == "drop":
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", doc.value(f.path), None, f.message, safety=Safety.REVIEW))
                    continue
                before = doc.value(f.path) if doc.node(f.path) is not None else None
                if isinstance(value, VpcChoice):  # the group is replaced, into that VPC
                    editor.set(f.path, value.value)
                    changes.append(self.change(f, "add" if before is None else "replace", before, value.value,
                                               f.message, safety=Safety.REVIEW))
                    continue
                editor.set(f.path, value)
                if how == "set":
                    changes.append(self.change(f, "add" if before is None else "replace", before, value, f.message))
                elif how in ("attach", "role"):
                    changes.append(self.change(f, "add", None, value, f.message, safety=Safety.REVIEW))
                else:
                    changes.append(self.change(f, "replace", before, value, f.message, safety=Safety.REVIEW))
                    props = f.path[:2] + ("Properties",)
                    if "PolicyName" in doc.value(props):
                        editor.rename(props + ("PolicyName",), "ManagedPolicyName")
                        changes.append(self.change(f, "move", "PolicyName", "ManagedPolicyName", (
                            "a managed policy's name is its ManagedPolicyName (unique in the account)"),
                            path=props, safety=Safety.REVIEW))
        return Fix.of(editor, changes)

    def _add_twins(self, editor: Editor, findings: list[Finding], changes: list) -> None:
        """The twin subnets (with their associations and CIDR parameter), shared by every load
        balancer given that one subnet and written with the first of them applied; then each load
        balancer lists its twin."""
        made: set[str] = set()
        for f in findings:
            twin = f.detail
            if twin.subnet in made:
                continue
            made.add(twin.subnet)
            if twin.parameter is not None:
                name, body = twin.parameter
                add_parameters(editor, {name: body})
                changes.append(self.change(None, "add", None, body, (
                    f"E3680 add: parameter '{name}', the CIDR block of subnet '{twin.twin}', its default {twin.cidr} "
                    f"{twin.cidr_how}; a proposal to review: the blocks passed for the subnets must not overlap"),
                    path=("Parameters", name), safety=Safety.REVIEW))
            zone = twin.body["Properties"]["AvailabilityZone"]["Fn::Select"][0]
            editor.set(("Resources", twin.twin), twin.body)
            source = f" (the default of new parameter '{twin.parameter[0]}')" if twin.parameter else ""
            changes.append(self.change(None, "add", None, twin.body, (
                f"E3680 add: subnet '{twin.twin}', a copy of '{twin.subnet}' in the Availability Zone at index {zone} of "
                f"Fn::GetAZs, with CIDR block {twin.cidr}{source}, {twin.cidr_how} (a proposal to review): an "
                "Application Load Balancer needs subnets in at least two Availability Zones"),
                path=("Resources", twin.twin), safety=Safety.REVIEW))
            for aid, body in twin.associations.items():
                editor.set(("Resources", aid), body)
                what, why = ("route table", "without it a public subnet has no route to the internet gateway and would "
                             "not serve the load balancer") if body.get("Type") == subnet_twin.ASSOCIATIONS[0] else (
                    "network ACL", "without it the subnet has the VPC's default network ACL, not the rules of the first")
                changes.append(self.change(None, "add", None, body, (
                    f"E3680 add: '{aid}', the {what} association of '{twin.subnet}' repeated for '{twin.twin}' ({why})"),
                    path=("Resources", aid), safety=Safety.REVIEW))
        for f in findings:
            with editor.finding(f):
                editor.append(f.path, f.detail.item)
                changes.append(self.change(f, "add", None, f.detail.item, f.message, path=f.path + (1,),
                                           safety=Safety.REVIEW))


def _twin_finding(doc: Document, rid: str, key: str, twins: dict[str, subnet_twin.Twin]) -> Finding:
    """E3680: an Application Load Balancer with one subnet gets a twin of it in another zone, or is reported."""
    path = ("Resources", rid, "Properties", key)
    head = (f"E3680 {subnet_twin.LOAD_BALANCER}: an Application Load Balancer needs subnets in at least two "
            "Availability Zones (AWS: \"you must specify subnets from at least two Availability Zones\"), it has one")
    twin, why = subnet_twin.plan(doc, rid, twins)
    if twin is None:
        return Finding(rid, path, f"{head}; {why}", fixable=False)
    also = ", ".join(f"'{a}'" for a in twin.associations)
    return Finding(rid, path, (
        f"{head}, '{twin.subnet}': it also lists '{twin.twin}', a copy of it in another Availability Zone with CIDR "
        f"block {twin.cidr} (a proposal to review)" + (f", given the associations of '{twin.subnet}' ({also})"
                                                          if also else "")), detail=twin)


class VpcChoice(NamedTuple):
    """The VpcId a security group gets: a review change (the group is replaced)."""

    value: Any


class VpcParameter(NamedTuple):
    """A security group's VpcId from a new parameter of type AWS::EC2::VPC::Id named ``name``."""

    name: str
    renames: tuple = ()  # paths of SecurityGroups lists naming the group, which become SecurityGroupIds


# Where a security group is given by name, which a group in a VPC cannot be: (resource type, path
# of the list below Properties) of the lists that have a SecurityGroupIds sibling.
NAME_LISTS = (("AWS::EC2::Instance", ("SecurityGroups",)),
              ("AWS::EC2::LaunchTemplate", ("LaunchTemplateData", "SecurityGroups")))


def _named_users(doc: Document, group: str) -> tuple[list[tuple], str | None]:
    """The ``SecurityGroups`` lists (paths) that name ``group`` by its Ref, which gives its name
    while it has no VpcId and its id once it has one; they can become ``SecurityGroupIds`` when the
    group is all they list. (paths, None), or ([], why the group cannot get a VpcId by itself)."""
    lists = []
    for rid, res in doc.resources.items():
        if not isinstance(res, dict) or rid == group:
            continue
        base = ("Resources", rid, "Properties")
        for name, path in references(res.get("Properties"), base):
            value = doc.value(path)
            in_text = isinstance(value, dict) and "${" + group + "}" in json.dumps(value.get("Fn::Sub"))
            if name != group or value != {"Ref": group} and not in_text:
                continue  # GetAtt GroupId: the id either way
            key = next((p for p in reversed(path) if isinstance(p, str)), "")
            shape = next((inner for rtype, inner in NAME_LISTS if res.get("Type") == rtype
                          and path[3:-1] == inner and isinstance(path[-1], int)), None)
            holder = doc.value(path[:-2]) if shape is not None else None
            if shape is not None and doc.value(path[:-1]) == [{"Ref": group}] and isinstance(holder, dict) \
                    and "SecurityGroupIds" not in holder and "NetworkInterfaces" not in holder:
                lists.append(path[:-1])
            elif shape is not None:
                return [], f"'{rid}' lists it in SecurityGroups with other groups or next to SecurityGroupIds"
            elif "Name" in key or in_text:
                return [], f"'{rid}' uses its Ref, its name until it has a VpcId, at {'/'.join(map(str, path[3:]))}"
    return lists, None


def _vpc_parameter_name(doc: Document) -> str:
    """``VpcId``, or ``VpcId2``... when a section of the template already uses the name."""
    taken = {k for section in doc.data.values() if isinstance(section, dict) for k in section} if isinstance(
        doc.data, dict) else set()
    name, n = "VpcId", 2
    while name in taken:
        name, n = f"VpcId{n}", n + 1
    return name


def group_vpc(doc: Document, group: str) -> tuple[str | None, str]:
    """(the VPC resource or parameter a security group plainly belongs to, why); (None, why not).

    Plain: the subnets of the resources that use the group all lie in one VPC of the template;
    else the template's only VPC (an ``AWS::EC2::VPC`` resource, or else an ``AWS::EC2::VPC::Id``
    parameter, when it has none of the other). A VPC with another Condition than the group's
    is not chosen."""
    resources = doc.resources
    params = doc.data.get("Parameters") if isinstance(doc.data.get("Parameters"), dict) else {}
    vpcs = [k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == "AWS::EC2::VPC"]
    vpc_params = [k for k, p in params.items() if isinstance(p, dict) and p.get("Type") == "AWS::EC2::VPC::Id"]
    pinned = set()
    for rid, res in resources.items():
        if not isinstance(res, dict) or rid == group or group not in {n for n, _ in references(res.get("Properties"))}:
            continue
        for name, _ in references(res.get("Properties")):
            subnet = resources.get(name)
            if isinstance(subnet, dict) and subnet.get("Type") == "AWS::EC2::Subnet":
                props = subnet.get("Properties")
                pinned.add(ref_name(props.get("VpcId")) if isinstance(props, dict) else None)
    condition = resources[group].get("Condition")
    if len(pinned) == 1 and None not in pinned:
        vpc = next(iter(pinned))
        why = f"the subnets of the resources that use the group are in '{vpc}'"
    elif pinned:
        return None, "the resources that use the group are in subnets of several VPCs (or of one the template does not name)"
    elif len(vpcs) == 1 and not vpc_params:
        vpc, why = vpcs[0], f"'{vpcs[0]}' is the only VPC of the template"
    elif len(vpc_params) == 1 and not vpcs:
        vpc, why = vpc_params[0], f"'{vpc_params[0]}' is the only VPC parameter of the template"
    else:
        found = vpcs + vpc_params
        return None, ("the template defines no VPC" if not found else
                      "the template has several VPCs (" + ", ".join(f"'{n}'" for n in found) + ")")
    target = resources.get(vpc)
    if vpc not in params and not isinstance(target, dict):
        return None, f"'{vpc}' is not a VPC of the template"
    if isinstance(target, dict) and target.get("Condition") not in (None, condition):
        return None, f"{why}, but it exists only under condition '{target.get('Condition')}'"
    return vpc, why



def _vpc_dropped_by_condition(doc: Document) -> Iterator[Finding]:
    """Security groups with egress rules whose VpcId is ``AWS::NoValue`` under a condition (cfn-lint
    E3021 judges that branch): reported, since only the author knows the VPC of that branch."""
    for rid, res in doc.resources_of_type("AWS::EC2::SecurityGroup"):
        props = res.get("Properties")
        if not isinstance(props, dict) or "SecurityGroupEgress" not in props:
            continue
        vpc = props.get("VpcId")
        call = vpc.get("Fn::If") if isinstance(vpc, dict) and len(vpc) == 1 else None
        if not (isinstance(call, list) and len(call) == 3 and {"Ref": "AWS::NoValue"} in call[1:]):
            continue
        when = "true" if call[1] == {"Ref": "AWS::NoValue"} else "false"
        yield Finding(rid, ("Resources", rid, "Properties", "VpcId"), (
            f"E3021 AWS::EC2::SecurityGroup: 'VpcId' is needed by 'SecurityGroupEgress' but is AWS::NoValue when "
            f"condition '{call[0]}' is {when}: give VpcId a value in that branch too (the default VPC's id, from a "
            "parameter of type AWS::EC2::VPC::Id), or keep SecurityGroupEgress out of that branch"), fixable=False)


WAF_TYPES = ("AWS::WAFv2::WebACL", "AWS::WAFv2::RuleGroup")


def managed_statement(doc: Document, v: schemas.Violation, head: str) -> Finding:
    """A web ACL rule without Statement: a rule named for an AWS managed rule group that has an
    OverrideAction (only rule group references take one) references that group (review)."""
    rule = doc.value(v.path[:-1])
    group = managed_rule_group(rule.get("Name")) if isinstance(rule, dict) else None
    if group is None or "OverrideAction" not in rule or "Action" in rule:
        return Finding(v.resource, v.path, f"{head}; only the author knows what the rule inspects: write its Statement "
                       "by hand (a rule named for an AWS managed rule group, with an OverrideAction, gets it)", fixable=False)
    if group in CONFIGURED_RULE_GROUPS:
        return Finding(v.resource, v.path, f"{head}; the rule is named for the AWS managed rule group {group}, which is "
                       "billed beyond the web ACL and configured with ManagedRuleGroupConfigs: write its "
                       f"ManagedRuleGroupStatement (VendorName: AWS, Name: {group}) by hand", fixable=False)
    return Finding(v.resource, v.path, (
        f"{head}; the rule is named for the AWS managed rule group {group} and has an OverrideAction, which only a "
        f"rule group reference takes: its Statement is ManagedRuleGroupStatement (VendorName: AWS, Name: {group}); "
        "the web ACL now inspects requests with that group"),
        detail=("statement", {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}))


def visibility_config(doc: Document, path: tuple, found: list[schemas.Violation]) -> Finding:
    """A WAF web ACL's, rule group's or rule's VisibilityConfig missing, or missing keys: completed
    with what the AWS WAF console writes by default (metrics and sampled requests on, the metric
    named for the web ACL, rule group or rule), the keys present kept (review)."""
    v = found[0]
    rid = v.resource
    rule = len(path) == 6 and path[3] == "Rules" and isinstance(path[4], int)
    holder = doc.value(path[:-1])
    name = holder.get("Name") if isinstance(holder, dict) else None
    what = (f"rule '{name}' of {rid}" if isinstance(name, str) else f"rule {path[4]} of {rid}") if rule else rid
    if metric_name_fits(name):
        metric, source = name, f"the {'rule' if rule else 'resource'}'s Name"
    else:
        metric = f"{rid}-Rule{path[4] + 1}" if rule else rid
        source = ("the logical id and the rule's position" if rule else "the logical id") + (
            ", as the Name is not a literal AWS WAF takes as a metric name" if name is not None else "")
    if not rule and len(path) != 4:  # no other place of these types holds a VisibilityConfig today
        return Finding(rid, path, f"E3003 {v.type_name}: VisibilityConfig at {'/'.join(map(str, path[3:]))} is "
                       "incomplete; set it by hand", fixable=False)
    present = doc.value(path)
    missing = ["VisibilityConfig"] if v.name == "VisibilityConfig" else [x.name for x in found]
    head = f"E3003 {v.type_name}: " + (f"required property 'VisibilityConfig' is missing from {what}" if missing == ["VisibilityConfig"]
                                       else f"VisibilityConfig of {what} lacks " + ", ".join(missing))
    if not metric_name_fits(metric) and (missing == ["VisibilityConfig"] or "MetricName" in missing):
        return Finding(rid, path, f"{head}; no metric name fits (letters, digits, - and _, up to 128 characters): "
                       "set it by hand", fixable=False)
    defaults = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}
    value = defaults if missing == ["VisibilityConfig"] else {k: defaults[k] for k in defaults if k in missing}
    if not isinstance(present, dict) and missing != ["VisibilityConfig"] or any(k not in defaults for k in value):
        return Finding(rid, path, f"{head}; set it by hand", fixable=False)
    said, now = [], []
    if "SampledRequestsEnabled" in value:
        said.append("SampledRequestsEnabled: true")
        now.append("keeps samples of the requests it inspects")
    if "CloudWatchMetricsEnabled" in value:
        said.append("CloudWatchMetricsEnabled: true")
        now.append("sends CloudWatch metrics")
    if "MetricName" in value:
        said.append(f"MetricName: {metric} ({source})")
    effect = f"AWS WAF now {' and '.join(now)} for it" if now else "the name labels its CloudWatch metrics"
    kept = "; the keys present are kept" if missing != ["VisibilityConfig"] else ""
    return Finding(rid, path, f"{head}; completed as the AWS WAF console does by default: {', '.join(said)}{kept}; "
                   f"{effect}", detail=("visibility", value))
