"""A resource's properties as fixers read them: a plain mapping or nothing, and where one
property stands against the value a fixer wants."""

from __future__ import annotations

import json
from typing import Any, Iterator

from .document import Document
from .fixer import Finding


def properties(res: Any) -> dict | None:
    """A resource's Properties as a mapping ({} when absent), None when they are not a plain mapping."""
    props = res.get("Properties") if isinstance(res, dict) else None
    if props is None:
        return {}
    if not isinstance(props, dict) or any(str(k).startswith("Fn::") for k in props):
        return None
    return props


def literal_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def property_states(doc: Document, rtype: str, key: str, wanted: Any = True) -> Iterator[tuple[str, tuple, str, Any]]:
    """(logical id, path of the property, state, current value) for every resource of ``rtype``
    whose ``key`` is not ``wanted``. State: ``missing``, ``other`` (a literal the author chose),
    ``intrinsic``, or ``unreadable`` (Properties are not a plain mapping)."""
    for rid, res in doc.resources_of_type(rtype):
        path = ("Resources", rid, "Properties", key)
        props = properties(res)
        if props is None:
            yield rid, path, "unreadable", None
            continue
        if key not in props:
            yield rid, path, "missing", None
            continue
        value = props[key]
        if value == wanted or (wanted is True and literal_true(value)):
            continue
        yield rid, path, "intrinsic" if isinstance(value, (dict, list)) else "other", value


def flag_findings(doc: Document, rtype: str, key: str, fixed: str, what: str, check: str) -> list:
    """Findings for a boolean property that should be true: missing ones are set (``fixed`` is
    the message), a literal the author chose or an intrinsic is reported and left alone."""
    findings = []
    for rid, path, state, value in property_states(doc, rtype, key):
        if state == "missing":
            findings.append(Finding(rid, path, f"{fixed} (Checkov {check})", detail=True))
        elif state == "other":
            findings.append(Finding(rid, path, f"{what} is set to {json.dumps(value)}, as the template chose; left as it is (Checkov {check})", fixable=False))
        else:
            how = "an intrinsic" if state == "intrinsic" else "in properties that are not a plain mapping"
            findings.append(Finding(rid, path, f"{what} is {how}; left as it is (Checkov {check})", fixable=False))
    return findings
