"""A resource's properties as fixers read them: a plain mapping or nothing, and where one
property stands against the value a fixer wants."""

from __future__ import annotations

from typing import Any, Iterator

from .document import Document


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
