"""A CodePipeline action's ``OnFailure`` that notifies an SNS topic, in the form CloudFormation has
for it: an EventBridge rule on the action's failure that publishes the message to the topic.

CloudFormation's action declaration has no ``OnFailure`` (a stage's ``OnFailure`` takes only a
``Result``, ROLLBACK or RETRY). CodePipeline sends "CodePipeline Action Execution State Change"
events to EventBridge with the pipeline, stage and action names and the state (FAILED); a rule
matching them and targeting the topic sends the same notification. EventBridge publishes as the
service principal ``events.amazonaws.com``, which the topic's policy must allow.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .document import Document
from .policy_document import service_principals, statements
from .properties import properties
from .publishers import TOPIC_POLICIES

EVENTS = "events.amazonaws.com"


def _topic_id(doc: Document, value: Any) -> str | None:
    """The logical id of the template's SNS topic ``value`` refers to (``Ref`` gives its ARN)."""
    if isinstance(value, dict) and list(value) == ["Ref"] and isinstance(value["Ref"], str):
        res = doc.resources.get(value["Ref"])
        if isinstance(res, dict) and res.get("Type") == "AWS::SNS::Topic":
            return value["Ref"]
    return None


def _input_template(message: Any) -> tuple[Any, str]:
    """The rule target's InputTemplate for the action's Message (a JSON string, so that
    EventBridge sends the text as it is), or (None, why not)."""
    if isinstance(message, str):
        text = message
    elif isinstance(message, dict) and list(message) == ["Fn::Sub"] and isinstance(message["Fn::Sub"], str):
        text = message["Fn::Sub"]
    else:
        return None, "its Message is built with an intrinsic other than a one-string Fn::Sub"
    if "<" in text or ">" in text:
        return None, "its Message holds '<' or '>', which an EventBridge input template reads as placeholders"
    template = json.dumps(text, ensure_ascii=False)
    return (template if isinstance(message, str) else {"Fn::Sub": template}), ""


def _allows_events(policy_document: Any) -> bool | None:
    """Whether a topic policy lets EventBridge publish; None when intrinsics hide it."""
    found = statements(policy_document)
    if found is None:
        return None
    for st in found:
        if not isinstance(st, dict) or st.get("Effect") != "Allow" or EVENTS not in service_principals(st):
            continue
        actions = st.get("Action")
        actions = [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []
        if any(isinstance(a, str) and a.lower() in ("sns:publish", "sns:*", "*") for a in actions):
            return True
    return False


def topic_policy_state(doc: Document, topic: str) -> tuple[str, str]:
    """("allowed" | "missing" | "other", the policy's id): whether the template's topic policies
    for ``topic`` let EventBridge publish, none exists, or one exists without it (or unreadable)."""
    ref = {"Ref": topic}
    for rid, res in doc.resources.items():
        if not isinstance(res, dict) or res.get("Type") not in TOPIC_POLICIES:
            continue
        props = properties(res)
        if props is None:
            continue
        topics = props.get("Topics") if res["Type"] == "AWS::SNS::TopicPolicy" else [props.get("TopicArn")]
        if not isinstance(topics, list) or ref not in topics:
            continue
        return ("allowed" if _allows_events(props.get("PolicyDocument")) else "other"), rid
    return "missing", ""


def plan(doc: Document, path: tuple) -> tuple[dict | None, str]:
    """What replaces the OnFailure at ``path`` (Resources/P/Properties/Stages/i/Actions/j/OnFailure):
    {"rule": base id, "body": rule body, "topic": id, "policy": "missing"|"allowed"}, or (None, why)."""
    rid = path[1]
    res = doc.resources.get(rid)
    on_failure = doc.value(path)
    stage, action = doc.value(path[:5]), doc.value(path[:7])
    if not (isinstance(res, dict) and isinstance(on_failure, dict) and isinstance(stage, dict) and isinstance(action, dict)):
        return None, "it is not a plain action declaration"
    type_id, config = on_failure.get("ActionTypeId"), on_failure.get("Configuration")
    if not (isinstance(type_id, dict) and type_id.get("Provider") == "SNS" and isinstance(config, dict)):
        return None, "it is not an SNS notification"
    topic = _topic_id(doc, config.get("TopicArn"))
    if topic is None:
        return None, "its TopicArn is not a Ref to a topic of this template"
    if set(config) - {"TopicArn", "Message"}:
        return None, f"its Configuration holds more than TopicArn and Message ({', '.join(map(str, config))})"
    names = stage.get("Name"), action.get("Name")
    if not all(isinstance(n, str) and n for n in names):
        return None, "the stage or action name is not a literal"
    topic_res = doc.resources[topic]
    if topic_res.get("Condition") not in (None, res.get("Condition")):
        return None, f"topic {topic} is created only when {topic_res['Condition']}"
    topic_properties = properties(topic_res)
    if isinstance(topic_properties, dict) and "KmsMasterKeyId" in topic_properties:
        return None, (f"topic {topic} is encrypted (KmsMasterKeyId): EventBridge can publish to it only with a customer "
                      "managed key whose policy allows events.amazonaws.com")
    state, policy = topic_policy_state(doc, topic)
    if state == "other":
        return None, f"topic policy {policy} does not let events.amazonaws.com publish (add that statement first)"
    target: dict = {"Arn": {"Ref": topic}, "Id": re.sub(r"[^.\-_A-Za-z0-9]", "", f"{names[1]}-failed")[:64] or "Notify"}
    if "Message" in config:
        template, why = _input_template(config["Message"])
        if template is None:
            return None, why
        target["InputTransformer"] = {"InputTemplate": template}
    body: dict = {"Type": "AWS::Events::Rule"}
    if "Condition" in res:
        body["Condition"] = res["Condition"]
    body["Properties"] = {
        "Description": f"Notifies {topic} when action {names[1]} of stage {names[0]} of {rid} fails",
        "EventPattern": {
            "source": ["aws.codepipeline"],
            "detail-type": ["CodePipeline Action Execution State Change"],
            "detail": {"pipeline": [{"Ref": rid}], "stage": [names[0]], "action": [names[1]], "state": ["FAILED"]},
        },
        "State": "ENABLED",
        "Targets": [target],
    }
    return {"rule": f"{rid}{names[1]}Failed", "body": body, "topic": topic, "policy": state}, ""


def topic_policy_body(doc: Document, topic: str) -> dict:
    """An AWS::SNS::TopicPolicy letting EventBridge rules of this account and Region publish to ``topic``."""
    body: dict = {"Type": "AWS::SNS::TopicPolicy"}
    condition = doc.resources[topic].get("Condition")
    if condition is not None:
        body["Condition"] = condition
    body["Properties"] = {
        "Topics": [{"Ref": topic}],
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowEventBridgeRulesToPublish",
                "Effect": "Allow",
                "Principal": {"Service": EVENTS},
                "Action": "sns:Publish",
                "Resource": {"Ref": topic},
                "Condition": {"ArnLike": {"aws:SourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"}}},
            }],
        },
    }
    return body
