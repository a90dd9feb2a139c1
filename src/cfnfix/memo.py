"""Values derived from one document, computed once and shared by every fixer that reads them.

A parsed document never changes (a fix produces a new text, parsed into a new document), so
what is derived from it (its dependency graph, its reference index) holds as long as it lives.
The values live in the document's own ``memo`` and go with it.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")


def cached(doc: Any, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` for ``doc`` under ``key``, computed on the first call only. Callers must not
    change what it returns."""
    memo = doc.memo
    if key not in memo:
        memo[key] = compute()
    return memo[key]
