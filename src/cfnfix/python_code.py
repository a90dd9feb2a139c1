"""Inline Python code (a Lambda's ``ZipFile``) parsed with libcst once per process, and what the
fixers read from it: module-level functions and imported modules.

Several fixers read the same code (``inline-lambda-handler``, ``lambda-runtime``), and every
re-parse of a template after a fix hands them the same text again: the parse is kept per code
text. Only the statements are walked (imports are statements): the matchers module of libcst,
whose import alone costs about 0.3 s, is not needed.

Most inline code needs no reading at all: its handler already names a function it defines, and
it imports nothing a newer runtime lacks. ``parses`` and ``defines`` answer that from the text
so that libcst is imported only by a run whose code raises a question.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# The oldest Python cfnfix runs on: the grammar ``parses`` accepts, whatever interpreter runs it
# (a newer one accepts more, such as 3.14's unparenthesized ``except A, B:``, once Python 2's
# ``except A, e:``).
_OLDEST_GRAMMAR = (3, 10)


@lru_cache(maxsize=512)
def _checked(code: str) -> ast.Module | None:
    """CPython's own tree of ``code`` on the oldest grammar cfnfix supports, or None (see ``parses``)."""
    if "\t" in code or "\f" in code:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code, feature_version=_OLDEST_GRAMMAR)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def parses(code: str) -> bool:
    """Whether ``code`` certainly parses as Python 3, asked of CPython's own parser (in C, and
    imported already) on the oldest grammar cfnfix supports. Only a yes is trusted, to skip
    libcst; a no sends the caller to ``parse``, which stays the judge (libcst accepts every
    Python 3.10 program, and reads more). Code holding a tab or a form feed gets no yes: the two
    count indentation columns differently (libcst refuses some mixes CPython takes). Warnings the
    parser raises (invalid escapes) are not the user's business here."""
    return _checked(code) is not None


def defines(code: str, name: str) -> bool:
    """Whether ``code``, which ``parses``, defines the module-level function ``name`` (what
    ``functions`` would list: a ``def`` or ``async def`` among the module's statements), read
    from the tree ``parses`` built."""
    tree = _checked(code)
    return tree is not None and any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
                                    for node in tree.body)
    return False


@lru_cache(maxsize=512)
def parse(code: str) -> Any:
    """The libcst module of ``code``, or None when it does not parse as Python 3. libcst is
    imported on first use, by the process that needs it (a worker pool imports nothing ahead):
    only code that ``parses`` and ``defines`` cannot settle pays for it."""
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
