"""Template switches: a true/false parameter, the condition that reads it, and conditions combined with it.

Fixers that make resources optional (``config-singletons``) put them behind a condition on a
new parameter; a resource that already has a ``Condition`` gets ``Fn::And`` of both. These
helpers plan that content as plain data (path, body) so the fixer decides who owns each
change; nothing here edits text.
"""

from __future__ import annotations

from typing import Any

from .edits import Editor
from .shapes import mapping

TRUE_FALSE = ("true", "false")


def condition_parameters(conditions: Any, name: Any, seen: frozenset = frozenset()) -> set[str]:
    """Parameters condition ``name`` reads, following ``Condition`` references transitively."""
    if not isinstance(conditions, dict) or not isinstance(name, str) or name in seen or name not in conditions:
        return set()
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if len(value) == 1:
                (fn, arg), = value.items()
                if fn == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    return
                if fn == "Condition" and isinstance(arg, str):
                    found.update(condition_parameters(conditions, arg, seen | {name}))
                    return
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(conditions[name])
    return found


def is_switch(parameter: Any) -> bool:
    """A String parameter whose AllowedValues are exactly true and false."""
    if not isinstance(parameter, dict) or parameter.get("Type") != "String":
        return False
    allowed = parameter.get("AllowedValues")
    return isinstance(allowed, list) and sorted(str(a).lower() for a in allowed) == ["false", "true"]


def switch_condition(conditions: Any, parameter: str) -> str | None:
    """An existing condition that is exactly ``Fn::Equals [Ref parameter, 'true']`` (either order)."""
    if not isinstance(conditions, dict):
        return None
    for name, body in conditions.items():
        if isinstance(body, dict) and list(body) == ["Fn::Equals"]:
            args = body["Fn::Equals"]
            if isinstance(args, list) and len(args) == 2:
                for a, b in (args, args[::-1]):
                    if a == {"Ref": parameter} and isinstance(b, (str, bool)) and str(b).lower() == "true":
                        return name
    return None


class Switch:
    """Plans a true/false parameter, its condition, and ``Fn::And`` combinations with it.

    ``additions`` collects (path, body, message) for every new parameter or condition; the
    caller writes them with its editor and logs them.
    """

    def __init__(self, editor: Editor, parameter: str, description: str, condition_base: str,
                 default: str = "false") -> None:
        data = editor.doc.data if isinstance(editor.doc.data, dict) else {}
        self.editor = editor
        self.parameter = parameter
        self.additions: list[tuple[tuple, Any, str]] = []
        self._combined: dict[tuple, str] = {}
        params = mapping(data.get("Parameters"))
        if parameter not in params:
            body = {"Type": "String", "Default": default, "AllowedValues": list(TRUE_FALSE), "Description": description}
            self.additions.append((("Parameters", parameter), body, f"new switch parameter {parameter} (default '{default}')"))
        existing = switch_condition(data.get("Conditions"), parameter)
        if existing is not None:
            self.condition = existing
        else:
            self.condition = editor.unique_id(condition_base)
            equals: dict[str, Any] = {"Fn::Equals": [{"Ref": parameter}, "true"]}
            self.additions.append((("Conditions", self.condition), equals, f"condition {self.condition}: {parameter} is 'true'"))

    def combined(self, *conditions: Any) -> str:
        """The condition that holds when the switch and every one of ``conditions`` (names or None) hold."""
        others = tuple(dict.fromkeys(c for c in conditions if isinstance(c, str) and c != self.condition))
        if not others:
            return self.condition
        names = others + (self.condition,)
        if names in self._combined:
            return self._combined[names]
        name = self.editor.unique_id("And".join(names))
        body = {"Fn::And": [{"Condition": c} for c in names]}
        self._combined[names] = name
        self.additions.append((("Conditions", name), body, f"condition {name}: {' and '.join(names)}"))
        return name
