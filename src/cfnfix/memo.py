"""Values derived from one document, computed once and shared by every fixer that reads them.

A parsed document never changes (a fix produces a new text, parsed into a new document), so
what is derived from it (its dependency graph, its reference index) holds as long as it lives.
The values live in the document's own ``memo`` and go with it; :func:`entrywise` also carries
what was derived from one section entry over to the next document, where a fix left it alone.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, TypeVar

T = TypeVar("T")


def cached(doc: Any, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` for ``doc`` under ``key``, computed on the first call only. Callers must not
    change what it returns."""
    memo = doc.memo
    if key not in memo:
        memo[key] = compute()
    return memo[key]


K = TypeVar("K", bound=Hashable)

# name -> key -> (entry, result) of the last document computed under that name
_LAST: dict[str, dict[Any, tuple[Any, Any]]] = {}


def entrywise(name: str, entries: Iterable[tuple[K, Any]], compute: Callable[[K, Any], T]) -> list[T]:
    """``compute(key, entry)`` for each (key, entry), in order, taking the result of the last
    call under ``name`` for a key whose entry is the very same object.

    A fix re-parses only the section entries it touched (``reparse``): every other entry of the
    new document is the object the old one held, and a parsed entry never changes, so what was
    derived from it holds. Only the last call's entries are held (by ``name``), which keeps
    their ids from being reused. ``compute`` must depend on nothing but its key and entry;
    callers must not change what it returns."""
    last = _LAST.get(name, {})
    kept: dict[Any, tuple[Any, Any]] = {}
    out: list[T] = []
    for key, entry in entries:
        hit = last.get(key)
        result = hit[1] if hit is not None and hit[0] is entry else compute(key, entry)
        kept[key] = (entry, result)
        out.append(result)
    _LAST[name] = kept
    return out


# name -> (object, result) of the last call of ``last_of`` under that name
_ONE: dict[str, tuple[Any, Any]] = {}


def last_of(name: str, obj: Any, compute: Callable[[], T]) -> T:
    """``compute()`` for ``obj``, taken from the last call under ``name`` when that call was for
    the very same object: for a value the callers ask about one object at a time, several times
    in a row (a document's style, a text's escapes, a resource's reference paths). ``obj`` is
    held until the next call, so its id cannot be reused meanwhile; ``compute`` must depend on
    nothing but ``obj``, which must not change, and callers must not change what it returns."""
    hit = _ONE.get(name)
    if hit is None or hit[0] is not obj:
        hit = _ONE[name] = (obj, compute())
    return hit[1]
