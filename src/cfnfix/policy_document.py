"""Reading IAM policy documents as templates hold them: statements, principals, public grants.

Values may be intrinsics anywhere; every helper answers from what the template states literally
and says "unknown" (None) where an intrinsic hides the answer, so callers can report rather than guess.
"""

from __future__ import annotations

from typing import Any

# Condition keys that restrict a "Principal: *" grant to known callers: S3 does not count such a
# statement as public (Block Public Access, "The meaning of public").
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceAccount", "aws:SourceOwner",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:userid", "aws:SourceIp",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
))


def statements(policy: Any) -> list | None:
    """The statements of a policy document (one statement or a list), or None when an intrinsic
    (``Fn::If``, ``Ref``) stands where the document or its statement list should be."""
    if not isinstance(policy, dict) or _intrinsic(policy):
        return None
    found = policy.get("Statement")
    if isinstance(found, dict) and not _intrinsic(found):
        return [found]
    if isinstance(found, list):
        return found
    return None


def _intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref", "Condition"))


def _strings(value: Any) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def service_principals(statement: Any) -> list[str]:
    """The literal service principals a statement names (``Principal: {Service: ...}``)."""
    principal = statement.get("Principal") if isinstance(statement, dict) else None
    services = principal.get("Service") if isinstance(principal, dict) else None
    return [s for s in _strings(services) if isinstance(s, str)]


def everyone(statement: Any) -> bool:
    """Whether the statement's principal is anyone: ``"*"`` or ``{"AWS": "*"}`` (or a list holding it)."""
    principal = statement.get("Principal") if isinstance(statement, dict) else None
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _strings(principal.get("AWS"))
    return False


def restricted(statement: dict) -> bool:
    """Whether the statement's Condition ties it to known callers (a key S3 does not call public)."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for tests in condition.values():
        if not isinstance(tests, dict):
            return True  # an intrinsic: not known to be public
        if any(isinstance(k, str) and k.lower() in RESTRICTING_KEYS for k in tests):
            return True
    return False


def public_grant(policy: Any) -> bool | None:
    """Whether a policy document allows anyone, unconditionally; None when intrinsics hide it."""
    found = statements(policy)
    if found is None:
        return None
    unknown = False
    for statement in found:
        if not isinstance(statement, dict) or _intrinsic(statement):
            unknown = True
            continue
        if statement.get("Effect") != "Allow":
            continue
        if everyone(statement) and not restricted(statement):
            return True
    return None if unknown else False
