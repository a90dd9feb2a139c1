"""Values derived from one document, computed once and shared by every fixer that reads them.

A document is immutable once parsed, so what is derived from it (its dependency graph, its
reference index) holds as long as it lives; the entries go when the document does. Every
cache goes through :func:`cached`, so the store can move onto the document itself later.
``Document`` compares by value (a dataclass), so it cannot key a ``WeakKeyDictionary``: the
store is keyed by ``id`` and each entry is dropped by a ``weakref.finalize`` when its document
is freed, before the id can be reused.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_STORE: dict[int, dict[str, Any]] = {}


def cached(doc: Any, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` for ``doc`` under ``key``, computed on the first call only. Callers must not
    change what it returns."""
    memo = _STORE.get(id(doc))
    if memo is None:
        memo = _STORE[id(doc)] = {}
        weakref.finalize(doc, _STORE.pop, id(doc), None)
    if key not in memo:
        memo[key] = compute()
    return memo[key]
