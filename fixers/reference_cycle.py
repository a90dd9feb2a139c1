"""Dependency cycles broken by naming a resource instead of referencing it (cfn-lint E3004)."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.cycles import document_cycles, document_graph, document_index
from cfnfix.graph import cheapest_cut, edges
from cfnfix.nodepath import node_path

_NAME = "{name}"
# type -> (property holding its physical name, {Ref or attribute: value built from the name})
NAMED: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::StepFunctions::StateMachine": ("StateMachineName", {
        "Ref": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:{name}",
        "Arn": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:{name}",
        "Name": _NAME}),
    "AWS::Lambda::Function": ("FunctionName", {
        "Ref": _NAME, "Arn": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:{name}"}),
    "AWS::SNS::Topic": ("TopicName", {
        "Ref": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:{name}",
        "TopicArn": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:{name}", "TopicName": _NAME}),
    "AWS::SQS::Queue": ("QueueName", {
        "Arn": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:{name}", "QueueName": _NAME}),
    "AWS::IAM::User": ("UserName", {"Ref": _NAME, "Arn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/{name}"}),
    "AWS::IAM::Role": ("RoleName", {"Ref": _NAME, "Arn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/{name}"}),
    "AWS::Logs::LogGroup": ("LogGroupName", {
        "Ref": _NAME, "Arn": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:{name}:*"}),
    "AWS::S3::Bucket": ("BucketName", {"Ref": _NAME, "Arn": "arn:${AWS::Partition}:s3:::{name}"}),
    "AWS::DynamoDB::Table": ("TableName", {
        "Ref": _NAME, "Arn": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{name}"}),
}
_PATHED = ("AWS::IAM::User", "AWS::IAM::Role")  # with a Path, the ARN holds it: not built here
_HINTS = {
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBCluster"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBInstance"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
}


def name_text(doc: Document, props: dict, prop: str) -> str | None:
    """The resource's physical name as text for an ``Fn::Sub`` string; None when it is computed otherwise."""
    value = props.get(prop)
    params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
    if isinstance(value, str) and value:
        return value.replace("${", "${!")
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub" and isinstance(arg, str):
            return arg
        if fn == "Ref" and isinstance(arg, str) and (arg.startswith("AWS::") or isinstance(params, dict) and arg in params):
            return "${" + arg + "}"
    return None


def _as_value(text: str) -> Any:
    """A Sub text as a template value: a plain string when it substitutes nothing."""
    if "${" not in text.replace("${!", ""):
        return text.replace("${!", "${")
    return {"Fn::Sub": text}


class ReferenceCycle(Fixer):
    name = "reference-cycle"
    summary = "Break dependency cycles by naming a resource (built ARN or name) instead of referencing it (E3004)"
    group = "deploy"
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    Resources that need each other (cfn-lint E3004) where one of the references in the cycle
    points at a resource whose physical name the template fixes: a state machine with a
    `StateMachineName`, a function with a `FunctionName`, a user with a `UserName`, a topic,
    queue, log group, bucket, table or role with its name set (as text, `Fn::Sub` or a
    parameter). The cycles the other fixers leave: a function whose environment names the state
    machine that invokes it, a log group named after the function that depends on it, a secret
    holding the name of the user whose policy reads the secret.

    ## Why it matters
    CloudFormation must create each resource of the cycle before the others: it rejects the
    stack with "Circular dependency between resources".

    ## What it changes
    The fewest references that break the cycle are replaced by the value CloudFormation would
    have returned, built from the name: `!Ref LambdaFunction` in
    `!Sub /aws/lambda/${LambdaFunction}` becomes the function's name
    (`/aws/lambda/prod-app-processor`), `!Ref StateMachine` becomes
    `!Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:<name>`
    (the pattern CDK and the AWS documentation use for log groups and state machine ARNs).

    Cycles with no such reference are reported with what the resources are; a secret that
    holds a database's endpoint is reported with the documented alternative
    (`AWS::SecretsManager::SecretTargetAttachment`).

    ## Example
    ```yaml
    # before
    LambdaLogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: !Sub /aws/lambda/${LambdaFunction}
    LambdaFunction:
      Type: AWS::Lambda::Function
      DependsOn: LambdaLogGroup
      Properties:
        FunctionName: prod-app-processor
    # after
    LambdaLogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /aws/lambda/prod-app-processor
    ```

    ## Fix safety
    Review: every value is the one CloudFormation would have resolved, but the referring
    resource no longer waits for the named one, so the creation order changes (the log group
    now exists before the function, the function may be created before its state machine).
    """

    def find(self, doc: Document) -> list[Finding]:
        if schemas.rewritten_by_transform(doc.data):
            return []
        resources = doc.resources
        graph = document_graph(doc)
        index = document_index(doc)
        findings = []
        for rid, res in resources.items():
            if isinstance(res, dict) and edges(resources, rid, rid, index):
                findings.append(Finding(rid, ("Resources", rid), f"E3004 {rid} refers to itself; a resource cannot use "
                                        "its own name or attributes in its definition: write the value out", fixable=False))
        for comp in document_cycles(doc):
            members = set(comp)
            sites: dict[tuple[str, str], list] = {}
            for x in comp:
                for t in sorted(graph[x] & members):
                    found = self._sites(doc, x, t)
                    if found:
                        sites[(x, t)] = found
            path = ("Resources", comp[0])
            kinds = ", ".join(f"{n} ({resources[n].get('Type')})" for n in comp)
            within = {n: graph[n] & members for n in comp}  # other cycles are judged on their own
            cut = cheapest_cut(within, list(sites), lambda s: sum(len(sites[e]) for e in s)) if sites else None
            if cut is None:
                hint = next((h for (a, b), h in _HINTS.items() if any(resources[n].get("Type") == a for n in comp)
                             and any(resources[n].get("Type") == b for n in comp)), None)
                message = (f"E3004 dependency cycle between {kinds}: no reference in it can be replaced by a name the "
                           "template fixes; " + (hint or "give one of them a fixed name (FunctionName, StateMachineName"
                                                  "...) or move the reference out of the cycle"))
                findings.append(Finding(comp[0], path, message, fixable=False))
                continue
            chosen = sorted(cut)
            shown = "; ".join(f"{x} names {t} instead of referencing it" for x, t in chosen)
            findings.append(Finding(comp[0], path, f"E3004 dependency cycle between {', '.join(comp)}: {shown}",
                                    detail=[(x, t, sites[(x, t)]) for x, t in chosen]))
        return findings

    def _sites(self, doc: Document, x: str, t: str) -> list | None:
        """(path of each reference from x to t, its replacement) when every one can be built; else None."""
        resources = doc.resources
        target = resources.get(t)
        type_name = target.get("Type") if isinstance(target, dict) else None
        if not isinstance(type_name, str) or type_name not in NAMED:
            return None
        props = target.get("Properties") if isinstance(target.get("Properties"), dict) else {}
        if type_name in _PATHED and "Path" in props:
            return None
        prop, values = NAMED[type_name]
        name = name_text(doc, props, prop)
        if name is None:
            return None
        out = []
        for rel in dict.fromkeys(edges(resources, x, t, document_index(doc))):
            if rel == ("DependsOn",):
                return None
            path = ("Resources", x) + rel
            call = doc.value(path)
            if not (isinstance(call, dict) and len(call) == 1):
                return None
            (fn, arg), = call.items()
            if fn == "Ref":
                built = values.get("Ref")
                if built is None:
                    return None
                out.append((path, "value", _as_value(built.replace(_NAME, name))))
            elif fn == "Fn::GetAtt":
                attr = arg[1] if isinstance(arg, list) and len(arg) == 2 else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None
                built = values.get(attr) if isinstance(attr, str) else None
                if built is None:
                    return None
                out.append((path, "value", _as_value(built.replace(_NAME, name))))
            elif fn == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) else arg
                local = arg[1] if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict) else {}
                if not isinstance(text, str) or t in local:
                    return None
                tokens = {}
                for inner in set(re.findall(r"\$\{(" + re.escape(t) + r"(?:\.[^}]*)?)\}", text)):
                    key = "Ref" if inner == t else inner.split(".", 1)[1]
                    built = values.get(key)
                    if built is None:
                        return None
                    tokens["${" + inner + "}"] = built.replace(_NAME, name)
                if not tokens:
                    return None
                out.append((path, "sub", tokens))
            else:
                return None
        return out or None

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                for x, t, sites in f.detail:
                    for path, kind, new in sites:
                        where = node_path(doc, path) or path
                        before = doc.value(path)
                        if kind == "value":
                            editor.set(where, new)
                            after = new
                        else:
                            (fn, arg), = before.items()
                            text = arg[0] if isinstance(arg, list) else arg
                            text_path = (node_path(doc, path + (fn,)) or path + (fn,)) + ((0,) if isinstance(arg, list) else ())
                            for token, value in new.items():
                                editor.replace_text(text_path, token, value)
                                text = text.replace(token, value)
                            after = {fn: [text] + list(arg[1:])} if isinstance(arg, list) else _as_value(text)
                            if not isinstance(arg, list) and not isinstance(after, dict):
                                after = {fn: text}  # the text stays inside its Fn::Sub
                        changes.append(self.change(f, "replace", before, after,
                                                   f"E3004 {x} names {t} instead of referencing it, which closed a "
                                                   "dependency cycle; the value is the one the reference resolved to",
                                                   path=path))
        return Fix.of(editor, changes)
