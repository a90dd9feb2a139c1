"""Who uses a resource: every Ref, GetAtt, Sub and DependsOn that names it, and what can be done there.

Fixers that remove a resource or make it conditional must first know each place that names
it: a ``DependsOn`` entry can be dropped, a reference standing alone as a property value can
be wrapped in ``Fn::If`` with ``AWS::NoValue`` or redirected, anything inside another function
cannot be edited without guessing.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from .edits import Editor
from .graph import depends_on, references
from .schemas import schema_at


class Use(NamedTuple):
    """One place that names a target resource: a Ref, GetAtt, Sub or DependsOn entry."""

    section: str  # "Resources" or "Outputs"
    owner: str  # the resource or output that names the target
    path: tuple  # from the template root to the naming node (or to DependsOn)
    target: str
    kind: str  # "DependsOn", "Ref", "Fn::GetAtt" or "Fn::Sub"

    @property
    def inner(self) -> tuple:
        """The path inside the owner (after Resources/<id> or Outputs/<id>)."""
        return self.path[2:]


def uses(data: Any, targets: set[str] | frozenset[str]) -> list[Use]:
    """Every use of ``targets`` in Resources (bodies and DependsOn) and Outputs, in template order."""
    found: list[Use] = []
    if not isinstance(data, dict):
        return found
    for section in ("Resources", "Outputs"):
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for owner, body in entries.items():
            if not isinstance(body, dict):
                continue
            if section == "Resources":
                for dep in depends_on(body):
                    if dep in targets:
                        found.append(Use(section, owner, (section, owner, "DependsOn"), dep, "DependsOn"))
            rest = {k: v for k, v in body.items() if k not in ("DependsOn", "Type", "Condition")}
            for name, path in references(rest):
                if name in targets:
                    found.append(Use(section, owner, (section, owner) + path, name, _kind(data, (section, owner) + path)))
    return found


def _kind(data: Any, path: tuple) -> str:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return "Ref"
    return next(iter(node)) if isinstance(node, dict) and len(node) == 1 else "Ref"


def standalone(use: Use) -> bool:
    """Whether the naming node is a value on its own (a property, list item, Fn::If branch, output
    value), where ``Fn::If [c, it, AWS::NoValue]`` or another resource's id may take its place."""
    return plain_value(use.inner, ("Properties", "Metadata", "Value"))


def plain_value(inner: tuple, roots: tuple, through: tuple = (("Fn::If", 1), ("Fn::If", 2))) -> bool:
    """Whether ``inner`` (a path inside a resource or output) starts at one of ``roots`` and runs
    through plain mappings and lists only, or through the (function, argument) pairs ``through``
    (by default the branches of ``Fn::If``), never into another function's arguments."""
    if not inner or inner[0] not in roots:
        return False
    i = 1
    while i < len(inner):
        part = inner[i]
        if i + 1 < len(inner) and (part, inner[i + 1]) in through:
            i += 2
            continue
        if isinstance(part, str) and (part.startswith("Fn::") or part == "Ref"):
            return False
        i += 1
    return True


def wrap_point(data: Any, use: Use) -> tuple | None:
    """Where ``Fn::If [cond, <original>, AWS::NoValue]`` can stand in for ``use``: the naming node
    itself, or the nearest enclosing list item or optional property when the schema requires the
    property it is in (a tag's ``Value``). None when no such place exists (a required top-level
    property, or a use inside another function)."""
    if not standalone(use) or use.section != "Resources":
        return None
    rtype = data["Resources"][use.owner].get("Type")
    path = use.path
    while len(path) > 3:
        if path[-2] == "Fn::If" and path[-1] in (1, 2):
            path = path[:-2]
            continue
        if isinstance(path[-1], int) or path[2] == "Metadata":
            return path
        plain = tuple(p for i, p in enumerate(path[:-1]) if p != "Fn::If" and not (i and path[i - 1] == "Fn::If"))
        if not isinstance(rtype, str) or path[-1] not in (schema_at(rtype, plain).get("required") or ()):
            return path
        path = path[:-1]
    return None


def remove_items(editor: Editor, path: tuple, indexes: set[int]) -> list:
    """Remove items ``indexes`` of the list at data path ``path``; returns the list that is left.

    A list inside a short-form intrinsic (``!Join [',', [...]]``) has no node of its own in the
    text: the nearest enclosing node is rewritten as a whole instead."""
    doc = editor.doc
    current = doc.value(path)
    left = [v for i, v in enumerate(current) if i not in indexes]
    anchor = path
    while anchor and doc.node(anchor) is None:
        anchor = anchor[:-1]
    if anchor == path:
        for i in sorted(indexes):
            editor.remove(path + (i,))
        return left
    whole = copy.deepcopy(doc.value(anchor))
    holder = whole
    for part in path[len(anchor):-1]:
        holder = holder[part]
    holder[path[-1]] = left
    editor.set(anchor, whole)
    return left


def prune_depends_on(editor: Editor, rid: str, drop: set[str]) -> tuple[Any, Any] | None:
    """Remove ``drop`` from resource ``rid``'s DependsOn (the key too when nothing is left).

    Returns (before, after) with after None when the key goes, or None when nothing changes."""
    body = editor.doc.resources.get(rid)
    deps = body.get("DependsOn") if isinstance(body, dict) else None
    path = ("Resources", rid, "DependsOn")
    if isinstance(deps, str):
        if deps in drop:
            editor.remove(path)
            return deps, None
        return None
    if not isinstance(deps, list):
        return None
    gone = [i for i, d in enumerate(deps) if isinstance(d, str) and d in drop]
    if not gone:
        return None
    if len(gone) == len(deps):
        editor.remove(path)
        return deps, None
    for i in gone:
        editor.remove(path + (i,))
    return deps, [d for i, d in enumerate(deps) if i not in gone]
