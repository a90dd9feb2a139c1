"""Inline Python code (a Lambda's ``ZipFile``) parsed with libcst once per process, and what the
fixers read from it: module-level functions and imported modules.

Several fixers read the same code (``inline-lambda-handler``, ``lambda-runtime``), and every
re-parse of a template after a fix hands them the same text again: the parse is kept per code
text. Only the statements are walked (imports are statements): the matchers module of libcst,
whose import alone costs about 0.3 s, is not needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


def preload() -> None:
    """Import libcst now: a process about to fork its workers imports it once for all of them,
    rather than each worker on its first inline code."""
    import libcst
    import libcst.helpers  # noqa: F401 - what imports() uses


@lru_cache(maxsize=512)
def parse(code: str) -> Any:
    """The libcst module of ``code``, or None when it does not parse as Python 3 (libcst is
    imported on first use: only templates with inline Python pay for it)."""
    import libcst

    try:
        return libcst.parse_module(code)
    except libcst.ParserSyntaxError:
        return None


def functions(module: Any) -> dict[str, int]:
    """Module-level functions and their positional-parameter counts."""
    import libcst

    found = {}
    for stmt in module.body:
        if isinstance(stmt, libcst.FunctionDef):
            params = stmt.params
            found[stmt.name.value] = len(params.posonly_params) + len(params.params)
    return found


_BLOCKS = ("body", "orelse", "handlers", "finalbody", "cases")  # where compound statements hold statements


def imports(module: Any) -> list[list[str]]:
    """Dotted names of every import statement anywhere in ``module`` (inside functions, classes,
    branches and handlers too); relative imports are left out."""
    import libcst
    from libcst.helpers import get_full_name_for_node

    names: list[list[str]] = []
    todo: list[Any] = [module]
    while todo:
        node = todo.pop()
        if isinstance(node, libcst.Import):
            names.append([get_full_name_for_node(a.name) or "" for a in node.names])
        elif isinstance(node, libcst.ImportFrom):
            if node.module is not None and not node.relative:
                names.append([get_full_name_for_node(node.module) or ""])
        elif isinstance(node, (libcst.BaseSmallStatement, libcst.BaseExpression)):
            continue
        else:
            for attr in _BLOCKS:
                block = getattr(node, attr, None)
                if isinstance(block, Sequence):
                    todo.extend(reversed(block))
                elif block is not None:
                    todo.append(block)
    return names
