"""Bucket notifications that close a circular dependency (E3004), moved into a custom resource."""

from __future__ import annotations

import copy
import re
from functools import partial
from typing import Any, Callable

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.s3_notification_handler import HANDLER_CODE
from cfnfix.cycles import document_cycles
from cfnfix.graph import cycles, dependency_graph, depends_on, references

RUNTIME = "python3.13"  # cfn-lint's LmbdRuntimeLifecycle: deprecated 2029-06-30
CUSTOM_TYPE = "Custom::S3BucketNotifications"
_FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
_NO_VALUE = {"Ref": "AWS::NoValue"}
# CloudFormation shape -> (S3 API list, CloudFormation target key, S3 API target key)
_KINDS = {
    "LambdaConfigurations": ("LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"),
    "QueueConfigurations": ("QueueConfigurations", "Queue", "QueueArn"),
    "TopicConfigurations": ("TopicConfigurations", "Topic", "TopicArn"),
}
_POLICIES = {"QueueConfigurations": ("AWS::SQS::QueuePolicy", "Queues"), "TopicConfigurations": ("AWS::SNS::TopicPolicy", "Topics")}
_S3_ARN = re.compile(r"arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):s3:::(.+)")
# placeholders standing for resources the fix adds, when find() checks that the fix breaks the cycle
_SIM_HANDLER, _SIM_ROLE = "\0handler", "\0role"


class _Unfixable(Exception):
    """The reason a cyclic notification is reported but not moved."""


class S3NotificationCycle(Fixer):
    name = "s3-notification-cycle"
    summary = "Move bucket notifications that close a dependency cycle into a custom resource"
    group = "deploy"
    resource_types = ("AWS::S3::Bucket",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    lint_rules = ('E3004',)
    default = True
    options = (
        Option(
            "mode",
            "merge",
            "merge: the handler keeps notifications set on the bucket outside the stack and only "
            "adds or removes its own; replace: the stack owns the bucket's whole notification "
            "configuration (and empties it on delete).",
            choices=("merge", "replace"),
        ),
    )
    docs = """
    ## What it detects
    An `AWS::S3::Bucket` whose `NotificationConfiguration` names a Lambda function, SQS queue or
    SNS topic of the same template that depends back on the bucket: the function's role grants
    access to the bucket ARN, its environment names the bucket, its `Lambda::Permission` has the
    bucket as `SourceArn` while the bucket `DependsOn` the permission, or a queue/topic policy
    names the bucket. The dependency graph follows `Ref`, `Fn::GetAtt`, `Fn::Sub` (`${X}` and
    `${X.Attr}`), `DependsOn` and both branches of `Fn::If`. A notification that takes part in
    no cycle is left alone.

    ## Why it matters
    CloudFormation refuses the stack (`Circular dependency between resources`); cfn-lint reports
    E3004. The bucket cannot be created before the function, nor the function's role before the
    bucket.

    ## The fix
    `NotificationConfiguration` leaves the bucket and is applied by a
    `Custom::S3BucketNotifications` resource created after the bucket, the function and the
    function's `Lambda::Permission` (and any queue or topic policy of the targets):

    - its properties carry `BucketName: !Ref Bucket` and the configuration in the S3 API shape
      (`LambdaFunctionConfigurations` with `LambdaFunctionArn` and `Events`, `QueueArn`,
      `TopicArn`, `Filter.Key.FilterRules`, `EventBridgeConfiguration`), filters included;
    - one handler function (inline Python, `index.handler`, a current runtime) and its role
      serve every bucket of the template; the role may only read and write the notification
      configuration of those buckets (by `Fn::GetAtt Bucket.Arn`: the bucket no longer depends
      on anything the fix adds, so no new cycle appears) and write its logs;
    - a `Lambda::Permission` for `s3.amazonaws.com` with `SourceArn`
      `arn:${AWS::Partition}:s3:::${Bucket}` and `SourceAccount` is added when no permission of
      the template lets this bucket invoke the function (S3 checks it before accepting the
      configuration). `DependsOn` entries of the bucket that only served the notification
      (the permission, a queue policy) move to the custom resource.

    The handler answers CloudFormation on every path (errors become a `FAILED` response with
    the reason, and `ServiceTimeout` bounds the wait), restores the configuration on delete,
    and in the default `merge` mode leaves alone notifications set outside the stack: it tags
    its own configurations with ids derived from the stack and logical id and only replaces those.

    ## Example
    ```yaml
    # before
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        NotificationConfiguration:
          LambdaConfigurations:
            - Event: s3:ObjectCreated:*
              Function: !GetAtt Processor.Arn
              Filter: {S3Key: {Rules: [{Name: suffix, Value: .csv}]}}
    # after
    Bucket:
      Type: AWS::S3::Bucket
      Properties: {}
    BucketNotifications:
      Type: Custom::S3BucketNotifications
      DependsOn: BucketInvokePermission
      Properties:
        ServiceToken: !GetAtt S3NotificationHandler.Arn
        ServiceTimeout: 300
        BucketName: !Ref Bucket
        NotificationConfiguration:
          LambdaFunctionConfigurations:
            - LambdaFunctionArn: !GetAtt Processor.Arn
              Events: [s3:ObjectCreated:*]
              Filter: {Key: {FilterRules: [{Name: suffix, Value: .csv}]}}
    # plus BucketInvokePermission, S3NotificationHandler and S3NotificationHandlerRole
    ```

    ## Fix safety
    Review: on a deployed stack the notifications move from the bucket to the new custom
    resource (the bucket update removes them, the custom resource puts them back moments later),
    and four kinds of resources are added. Configurations written with `Fn::If` keep their
    conditions; unknown keys in `NotificationConfiguration` are reported and left alone.

    ## Compared with corrections that circulate
    The usual advice — give the bucket a fixed `BucketName` and build ARNs from that string —
    breaks the cycle only for templates that can name their buckets, and names collide across
    stacks and accounts. Dropping `DependsOn` on the permission instead makes the deployment
    fail in S3's destination validation. A custom resource works for generated and `!Sub`
    names alike and keeps the template's intent.
    """

    # ------------------------------------------------------------------ find

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        in_cycle: dict[str, set[str]] | None = None  # found once a bucket has notifications: most have none
        findings = []
        for bid, res in doc.resources_of_type("AWS::S3::Bucket"):
            props = res.get("Properties")
            if not isinstance(props, dict) or "NotificationConfiguration" not in props:
                continue
            if in_cycle is None:
                in_cycle = {name: set(comp) for comp in document_cycles(doc) for name in comp}
            component = in_cycle.get(bid, set())
            if not component:  # nothing of it can be in a loop
                continue
            targets, related = _targets(resources, bid)
            looped = sorted((set(targets) | set(related)) & component)
            if not looped:
                continue
            path = ("Resources", bid, "Properties", "NotificationConfiguration")
            problem = (
                f"the notifications of bucket {bid} close a circular dependency through {', '.join(looped)} "
                f"(cycle: {', '.join(sorted(component))})"
            )
            try:
                plan = _plan(resources, bid, component, targets, related)
            except _Unfixable as exc:
                findings.append(Finding(bid, path, f"{problem}; not moved: {exc}", fixable=False))
                continue
            findings.append(Finding(bid, path, problem + "; notifications moved to a custom resource", detail=plan))
        return findings

    # ------------------------------------------------------------------ fix

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        handler_id = editor.unique_id("S3NotificationHandler")
        role_id = editor.unique_id("S3NotificationHandlerRole")
        buckets: list[tuple[str, str | None]] = []
        for finding in findings:
            plan = finding.detail
            bid = finding.resource
            if bid is None:  # find() names the bucket of every finding
                continue
            editor.remove(finding.path)
            changes.append(self.change(
                finding, "remove", plan["original"], None,
                "notifications move to a Custom::S3BucketNotifications resource that runs after the bucket and its targets",
            ))
            if plan["bucket_depends"] is not None:
                dep_path = ("Resources", bid, "DependsOn")
                kept = plan["bucket_depends"]
                before = doc.resources[bid]["DependsOn"]
                if kept:
                    after = kept if isinstance(before, list) else kept[0]
                    editor.set(dep_path, after)
                    changes.append(self.change(finding, "replace", before, after, _MOVED_DEPENDS, path=dep_path))
                else:
                    editor.remove(dep_path)
                    changes.append(self.change(finding, "remove", before, None, _MOVED_DEPENDS, path=dep_path))
            depends = list(plan["depends"])
            for function in plan["new_permissions"]:
                pid = editor.unique_id(f"{bid}InvokePermission")
                body = _permission(bid, function, plan["condition"])
                editor.set(("Resources", pid), body)
                depends.append(pid)
                changes.append(self.change(
                    finding, "add", None, body,
                    f"no permission lets this bucket invoke {function}, and S3 checks it before it accepts the notification",
                    path=("Resources", pid),
                ))
            cid = editor.unique_id(f"{bid}Notifications")
            body = _custom_resource(bid, handler_id, plan, depends, self.config["mode"])
            editor.set(("Resources", cid), body)
            changes.append(self.change(
                finding, "add", None, body,
                f"applies the notification configuration of {bid} once the bucket and its targets exist",
                path=("Resources", cid),
            ))
            buckets.append((bid, plan["condition"]))
        first = findings[0]
        role = _role(buckets)
        editor.set(("Resources", role_id), role)
        changes.append(self.change(
            first, "add", None, role,
            "handler role: read and write the notification configuration of these buckets, write its logs",
            path=("Resources", role_id),
        ))
        handler = _handler(role_id)
        editor.set(("Resources", handler_id), handler)
        changes.append(self.change(
            first, "add", None, handler,
            "applies Custom::S3BucketNotifications; answers CloudFormation on every path",
            path=("Resources", handler_id),
        ))
        return Fix.of(editor, changes)


_MOVED_DEPENDS = "dependencies that only served the notification move to the custom resource"


# ---------------------------------------------------------------------- planning


def _targets(resources: dict, bid: str) -> tuple[dict[str, str], dict[str, str]]:
    """Resources the notifications name (id -> configuration kind), and the permissions and
    queue/topic policies that exist for them (id -> the target they serve)."""
    original = resources[bid]["Properties"]["NotificationConfiguration"]
    configs = original if isinstance(original, dict) else {}
    targets = {n: "" for n, _ in references(original) if n in resources}
    related: dict[str, str] = {}
    for kind in _KINDS:
        for tid in sorted({n for n, _ in references(configs.get(kind))} & set(targets)):
            targets[tid] = kind
            wanted = ("AWS::Lambda::Permission", "FunctionName") if kind == "LambdaConfigurations" else _POLICIES[kind]
            for pid, p in resources.items():
                if isinstance(p, dict) and p.get("Type") == wanted[0] and isinstance(p.get("Properties"), dict):
                    if kind == "LambdaConfigurations" and p["Properties"].get("Principal") != "s3.amazonaws.com":
                        continue
                    if tid in {n for n, _ in references(p["Properties"].get(wanted[1]))}:
                        related[pid] = tid
    return targets, related


def _plan(resources: dict, bid: str, component: set, targets: dict, related: dict) -> dict:
    """What the fix of one bucket adds and moves; raises _Unfixable when it cannot break the cycle."""
    bucket = resources[bid]
    props = bucket["Properties"]
    original = props["NotificationConfiguration"]
    translated = _translate(original)
    depends: list[str] = []
    new_permissions: list[str] = []
    for tid, kind in sorted(targets.items()):
        served = [pid for pid, target in related.items() if target == tid]
        if kind != "LambdaConfigurations":
            depends += served
            continue
        covering = [pid for pid in served if _covers(resources[pid], bid, props.get("BucketName"))]
        depends += covering
        if not covering and resources[tid].get("Type") in _FUNCTION_TYPES:
            new_permissions.append(tid)
    own_depends = depends_on(bucket)
    moved = [d for d in own_depends if d in component and (d in targets or d in related)]
    depends += [d for d in moved if d not in targets]
    plan = {
        "original": original,
        "translated": translated,
        "condition": bucket.get("Condition") if isinstance(bucket.get("Condition"), str) else None,
        "depends": list(dict.fromkeys(depends)),
        "new_permissions": new_permissions,
        "bucket_depends": [d for d in own_depends if d not in moved] if moved else None,
    }
    _check_breaks_cycle(resources, bid, plan, set(targets))
    return plan


def _check_breaks_cycle(resources: dict, bid: str, plan: dict, targets: set) -> None:
    """Apply the plan to a copy of the resources and make sure no cycle is left through it."""
    after = dict(resources)
    bucket = copy.deepcopy(resources[bid])
    del bucket["Properties"]["NotificationConfiguration"]
    if plan["bucket_depends"] is not None:
        bucket["DependsOn"] = plan["bucket_depends"]
    after[bid] = bucket
    added = {f"\0permission{i}": _permission(bid, f, plan["condition"]) for i, f in enumerate(plan["new_permissions"])}
    added["\0custom"] = _custom_resource(bid, _SIM_HANDLER, plan, plan["depends"] + list(added), "merge")
    added[_SIM_ROLE] = _role([(bid, plan["condition"])])
    added[_SIM_HANDLER] = _handler(_SIM_ROLE)
    after.update(added)
    for component in cycles(dependency_graph(after)):
        stuck = set(component) & (targets | set(added))
        if (bid in component and stuck) or set(component) & set(added):
            names = ", ".join(sorted(n for n in component if not n.startswith("\0")))
            raise _Unfixable(f"the bucket stays in a circular dependency without its notifications ({names})")


def _covers(permission: dict, bid: str, bucket_name: Any) -> bool:
    """Whether a permission's SourceArn is this bucket's ARN (or absent, which allows any bucket)."""
    source = permission["Properties"].get("SourceArn")
    if source is None or source == {"Fn::GetAtt": [bid, "Arn"]}:
        return True
    text = _sub_text(source)
    match = _S3_ARN.fullmatch(text) if text is not None else None
    if not match:
        return False
    name = match.group(1)
    return name in ("${%s}" % bid, _sub_text(bucket_name))


def _sub_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Fn::Sub"]:
        arg = value["Fn::Sub"]
        text = arg[0] if isinstance(arg, list) and arg else arg
        return text if isinstance(text, str) else None
    return None


# ---------------------------------------------------------------------- CloudFormation -> S3 API shape


def _each(value: Any, convert: Callable[[Any], Any]) -> Any:
    """``convert`` applied through ``Fn::If`` branches; ``AWS::NoValue`` passes as it is."""
    if value == _NO_VALUE:
        return value
    if isinstance(value, dict) and list(value) == ["Fn::If"]:
        arg = value["Fn::If"]
        if isinstance(arg, list) and len(arg) == 3:
            return {"Fn::If": [arg[0], _each(arg[1], convert), _each(arg[2], convert)]}
    return convert(value)


def _translate(config: Any) -> Any:
    def convert(cfg: Any) -> dict:
        if not isinstance(cfg, dict):
            raise _Unfixable("NotificationConfiguration is not a mapping")
        out: dict = {}
        for key, value in cfg.items():
            if key in _KINDS:
                api_key, target, api_target = _KINDS[key]
                out[api_key] = _each(value, partial(_items, target=target, api_target=api_target))
            elif key == "EventBridgeConfiguration":
                enabled = _each(value, _event_bridge)
                if enabled != _NO_VALUE:
                    out[key] = enabled
            else:
                raise _Unfixable(f"unknown key {key} in NotificationConfiguration")
        return out

    return _each(config, convert)


def _items(items: Any, target: str, api_target: str) -> list:
    if not isinstance(items, list):
        raise _Unfixable("a notification list is not a list")
    return [_each(item, lambda i: _item(i, target, api_target)) for item in items]


def _item(item: Any, target: str, api_target: str) -> dict:
    if not isinstance(item, dict) or not {"Event", target} <= set(item) or set(item) - {"Event", target, "Filter"}:
        raise _Unfixable(f"a notification is not a mapping of Event, {target} and Filter")
    out = {api_target: item[target], "Events": [item["Event"]]}
    if "Filter" in item:
        out["Filter"] = _each(item["Filter"], _filter)
    return out


def _filter(value: Any) -> dict:
    key = value.get("S3Key") if isinstance(value, dict) and list(value) == ["S3Key"] else None
    rules = key.get("Rules") if isinstance(key, dict) and list(key) == ["Rules"] else None
    if rules is None:
        raise _Unfixable("a notification Filter is not S3Key.Rules")
    return {"Key": {"FilterRules": rules}}


def _event_bridge(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - {"EventBridgeEnabled"}:
        raise _Unfixable("EventBridgeConfiguration holds more than EventBridgeEnabled")
    return {} if value.get("EventBridgeEnabled") in (True, "true", "True") else _NO_VALUE


# ---------------------------------------------------------------------- new resources


def _custom_resource(bid: str, handler_id: str, plan: dict, depends: list[str], mode: str) -> dict:
    body: dict = {"Type": CUSTOM_TYPE}
    if plan["condition"]:
        body["Condition"] = plan["condition"]
    if depends:
        body["DependsOn"] = depends[0] if len(depends) == 1 else depends
    props: dict = {
        "ServiceToken": {"Fn::GetAtt": [handler_id, "Arn"]},
        "ServiceTimeout": 300,
        "BucketName": {"Ref": bid},
    }
    if mode == "replace":
        props["Mode"] = "replace"
    props["NotificationConfiguration"] = plan["translated"]
    body["Properties"] = props
    return body


def _permission(bid: str, fid: str, condition: str | None) -> dict:
    body: dict = {"Type": "AWS::Lambda::Permission"}
    if condition:
        body["Condition"] = condition
    body["Properties"] = {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [fid, "Arn"]},
        "Principal": "s3.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${%s}" % bid},
    }
    return body


def _bucket_statement(bids: list[str]) -> dict:
    arns = [{"Fn::GetAtt": [bid, "Arn"]} for bid in bids]
    return {
        "Effect": "Allow",
        "Action": ["s3:GetBucketNotification", "s3:PutBucketNotification"],
        "Resource": arns[0] if len(arns) == 1 else arns,
    }


def _role(buckets: list[tuple[str, str | None]]) -> dict:
    """The handler's role; a conditional bucket gets its own statement under its condition."""
    plain = [bid for bid, condition in buckets if not condition]
    statements = [_bucket_statement(plain)] if plain else []
    statements += [
        {"Fn::If": [condition, _bucket_statement([bid]), _NO_VALUE]} for bid, condition in buckets if condition
    ]
    logs = {
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:/aws/lambda/*"},
    }
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            },
            "Policies": [
                {
                    "PolicyName": "S3BucketNotifications",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [logs] + statements},
                }
            ],
        },
    }


def _handler(role_id: str) -> dict:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Description": "Applies Custom::S3BucketNotifications (added by cfnfix s3-notification-cycle)",
            "Runtime": RUNTIME,
            "Handler": "index.handler",
            "Timeout": 120,
            "Role": {"Fn::GetAtt": [role_id, "Arn"]},
            "Code": {"ZipFile": HANDLER_CODE},
        },
    }
