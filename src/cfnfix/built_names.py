"""References replaced by the value CloudFormation would resolve them to, built from the
physical name a template fixes for the resource (``BucketName``, ``FunctionName``...): how
``reference-cycle`` and ``resource-type`` break a dependency cycle without changing a value."""

from __future__ import annotations

import re
from typing import Any

from .cycles import document_index
from .document import Document
from .edits import Editor
from .graph import edges
from .nodepath import node_path

NAME = "{name}"
# type -> (property holding its physical name, {Ref or attribute: value built from the name})
NAMED: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::StepFunctions::StateMachine": ("StateMachineName", {
        "Ref": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:{name}",
        "Arn": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:{name}",
        "Name": NAME}),
    "AWS::Lambda::Function": ("FunctionName", {
        "Ref": NAME, "Arn": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:{name}"}),
    "AWS::SNS::Topic": ("TopicName", {
        "Ref": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:{name}",
        "TopicArn": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:{name}", "TopicName": NAME}),
    "AWS::SQS::Queue": ("QueueName", {
        "Arn": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:{name}", "QueueName": NAME}),
    "AWS::IAM::User": ("UserName", {"Ref": NAME, "Arn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/{name}"}),
    "AWS::IAM::Role": ("RoleName", {"Ref": NAME, "Arn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/{name}"}),
    "AWS::Logs::LogGroup": ("LogGroupName", {
        "Ref": NAME, "Arn": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:{name}:*"}),
    "AWS::S3::Bucket": ("BucketName", {"Ref": NAME, "Arn": "arn:${AWS::Partition}:s3:::{name}"}),
    "AWS::DynamoDB::Table": ("TableName", {
        "Ref": NAME, "Arn": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{name}"}),
}
_PATHED = ("AWS::IAM::User", "AWS::IAM::Role")  # with a Path, the ARN holds it: not built here


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


def as_value(text: str) -> Any:
    """A Sub text as a template value: a plain string when it substitutes nothing."""
    if "${" not in text.replace("${!", ""):
        return text.replace("${!", "${")
    return {"Fn::Sub": text}


def sites(doc: Document, x: str, t: str) -> list | None:
    """Every reference from resource ``x`` to resource ``t`` with the value that replaces it, built
    from ``t``'s fixed name: (path, "value", new value) or (path, "sub", {token: text}). None when
    one of them cannot be built (a DependsOn, an attribute with no built form, a name the
    template does not fix) or there is none."""
    resources = doc.resources
    target = resources.get(t)
    if not isinstance(target, dict) or not isinstance(target.get("Type"), str) or target["Type"] not in NAMED:
        return None
    type_name = target["Type"]
    props = target.get("Properties")
    props = props if isinstance(props, dict) else {}
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
            out.append((path, "value", as_value(built.replace(NAME, name))))
        elif fn == "Fn::GetAtt":
            attr = arg[1] if isinstance(arg, list) and len(arg) == 2 else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None
            built = values.get(attr) if isinstance(attr, str) else None
            if built is None:
                return None
            out.append((path, "value", as_value(built.replace(NAME, name))))
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
                tokens["${" + inner + "}"] = built.replace(NAME, name)
            if not tokens:
                return None
            out.append((path, "sub", tokens))
        else:
            return None
    return out or None


def rewrite(doc: Document, editor: Editor, site: tuple) -> tuple[Any, Any]:
    """Write one site of :func:`sites` with ``editor``; (value before, value after)."""
    path, kind, new = site
    where = node_path(doc, path) or path
    before = doc.value(path)
    if kind == "value":
        editor.set(where, new)
        return before, new
    (fn, arg), = before.items()
    text = arg[0] if isinstance(arg, list) else arg
    text_path = (node_path(doc, path + (fn,)) or path + (fn,)) + ((0,) if isinstance(arg, list) else ())
    for token, value in new.items():
        editor.replace_text(text_path, token, value)
        text = text.replace(token, value)
    after = {fn: [text] + list(arg[1:])} if isinstance(arg, list) else as_value(text)
    if not isinstance(arg, list) and not isinstance(after, dict):
        after = {fn: text}  # the text stays inside its Fn::Sub
    return before, after
