"""What a property's value can be: its literal alternatives, its Fn::If branches, and where each
branch lives in the text (short-form intrinsics have no key for their function name)."""

from __future__ import annotations

from typing import Any, Iterator

from .document import Document
from .memo import cached, entrywise

NO_VALUE = {"Ref": "AWS::NoValue"}


def branches(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every concrete alternative of ``value``: itself, or the branches of its
    (nested) ``Fn::If``; ``AWS::NoValue`` branches are left out."""
    if value == NO_VALUE:
        return
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::If"), list) and len(value["Fn::If"]) == 3:
        for i in (1, 2):
            yield from branches(value["Fn::If"][i], path + ("Fn::If", i))
        return
    yield path, value


def literal_nodes(value: Any, path: tuple) -> list[tuple[tuple, Any]]:
    """(path, value) of ``value`` and of every mapping, list and scalar inside it that is written
    literally: what an intrinsic (``Ref``, ``Fn::*``, ``Condition``) computes is left out. The
    walk fills one list and calls itself for mappings and lists only: it runs over every
    property of every resource."""
    found: list[tuple[tuple, Any]] = []
    _literal_nodes(value, path, found)
    return found


def _literal_nodes(value: Any, path: tuple, found: list[tuple[tuple, Any]]) -> None:
    if isinstance(value, dict):
        if len(value) == 1 and (str(next(iter(value))) in ("Ref", "Condition") or str(next(iter(value))).startswith("Fn::")):
            return
        found.append((path, value))
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                _literal_nodes(v, path + (k,), found)
            else:
                found.append((path + (k,), v))
    elif isinstance(value, list):
        found.append((path, value))
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _literal_nodes(v, path + (i,), found)
            else:
                found.append((path + (i,), v))
    else:
        found.append((path, value))


def property_literals(doc: Document) -> dict[str, list[tuple[tuple, Any]]]:
    """Resource id -> ``literal_nodes`` of its ``Properties`` (a mapping), under
    ``("Resources", id, "Properties")``.

    Computed once per document, and not again for a resource a fix left alone
    (``memo.entrywise``): allowed-value, required-property, policy-statement and
    placeholder-value each look for something among every literal of every resource's
    properties. Callers must not change the lists."""
    def compute() -> dict[str, list[tuple[tuple, Any]]]:
        found = [(rid, res) for rid, res in doc.resources.items()
                 if isinstance(res, dict) and isinstance(res.get("Properties"), dict)]
        walked = entrywise("values.property_literals", found,
                           lambda rid, res: literal_nodes(res["Properties"], ("Resources", rid, "Properties")))
        return {rid: nodes for (rid, _), nodes in zip(found, walked)}

    return cached(doc, "values.property_literals", compute)


def parameter(doc: Document, name: Any) -> dict | None:
    params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
    param = params.get(name) if isinstance(params, dict) and isinstance(name, str) else None
    return param if isinstance(param, dict) else None


def literal_choices(doc: Document, value: Any) -> list | None:
    """Every literal ``value`` may take: itself; for a parameter, its ``AllowedValues`` (else its
    ``Default``); both branches of an ``Fn::If``. None when some alternative is unknown here."""
    if isinstance(value, (str, int, float, bool)):
        return [value]
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            param = parameter(doc, arg)
            if param is None:
                return None
            allowed = param.get("AllowedValues")
            if isinstance(allowed, list) and allowed and all(isinstance(v, (str, int, float, bool)) for v in allowed):
                return list(allowed)
            default = param.get("Default")
            return [default] if isinstance(default, (str, int, float, bool)) else None
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            first, second = literal_choices(doc, arg[1]), literal_choices(doc, arg[2])
            return None if first is None or second is None else first + second
    return None


def ref_name(value: Any) -> str | None:
    """The logical name ``value`` refers to (``Ref`` or ``Fn::GetAtt``), else None."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and isinstance(arg, str):
            return arg
        if fn == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
            return target if isinstance(target, str) else None
    return None


def common_condition(doc: Document, resource_ids: list[str]) -> str | None:
    """The one ``Condition`` every listed resource carries, else None (new shared content is then
    unconditional, which is always valid)."""
    conditions = [doc.resources[r].get("Condition") if isinstance(doc.resources.get(r), dict) else None
                  for r in resource_ids]
    if conditions and all(c == conditions[0] for c in conditions):
        only = conditions[0]
        return only if isinstance(only, str) else None
    return None
