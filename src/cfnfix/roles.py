"""IAM roles a service assumes: the body of a role trusted by one service principal with AWS
managed policies, and the roles of a template already trusted by a principal."""

from __future__ import annotations

from typing import Any

from .document import Document


def service_role(principal: str, managed_policies: list[str], description: str, condition: str | None = None) -> dict:
    """An ``AWS::IAM::Role`` that ``principal`` (``monitoring.rds.amazonaws.com``) may assume, with
    the AWS managed policies named relative to ``arn:<partition>:iam::aws:policy/``."""
    body: dict[str, Any] = {"Type": "AWS::IAM::Role"}
    if condition:
        body["Condition"] = condition
    body["Properties"] = {
        "Description": description,
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}],
        },
        "ManagedPolicyArns": [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{p}"} for p in managed_policies],
    }
    return body


def trusted_roles(doc: Document, principal: str, managed_policy: str | None = None) -> list[str]:
    """Logical ids of the template's unconditional roles that ``principal`` may assume (and that
    carry ``managed_policy``, named as in :func:`service_role`, when given), in template order."""
    found = []
    for rid in roles_trusting(doc, principal):
        res = doc.resources[rid]
        if "Condition" in res:
            continue
        if managed_policy is not None and not any(_names_policy(arn, managed_policy)
                                                  for arn in _list(res["Properties"].get("ManagedPolicyArns"))):
            continue
        found.append(rid)
    return found


def roles_trusting(doc: Document, principal: str) -> list[str]:
    """Logical ids of every role of the template (conditional ones too) that ``principal``
    (``lambda.amazonaws.com``) may assume, in template order."""
    return [rid for rid, res in doc.resources_of_type("AWS::IAM::Role")
            if isinstance(res.get("Properties"), dict) and _trusts(res["Properties"].get("AssumeRolePolicyDocument"), principal)]


def _service_name(value: Any) -> Any:
    """A service principal as text: ``lambda.${AWS::URLSuffix}`` (``Fn::Sub``) and
    ``Fn::Join ['', ['lambda.', !Ref AWS::URLSuffix]]`` read as ``lambda.amazonaws.com``."""
    suffix = "amazonaws.com"
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and len(arg) == 2 and arg[1] in ({}, None) else arg
            if isinstance(text, str):
                return text.replace("${AWS::URLSuffix}", suffix)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
            parts = [suffix if p == {"Ref": "AWS::URLSuffix"} else p for p in arg[1]]
            if all(isinstance(p, str) for p in parts):
                return arg[0].join(parts)
    return value


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def _trusts(document: Any, principal: str) -> bool:
    if not isinstance(document, dict):
        return False
    for statement in _list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = _list(statement.get("Action"))
        who = statement.get("Principal")
        services = [_service_name(v) for v in _list(who.get("Service"))] if isinstance(who, dict) else []
        if principal in services and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            return True
    return False


def _names_policy(arn: Any, policy: str) -> bool:
    if isinstance(arn, dict) and len(arn) == 1 and isinstance(arn.get("Fn::Sub"), str):
        arn = arn["Fn::Sub"]
    return isinstance(arn, str) and arn.endswith(f":iam::aws:policy/{policy}")
