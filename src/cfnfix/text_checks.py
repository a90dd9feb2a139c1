"""Whether a template's text can hold a word anywhere in its data, from a few searches of the text.

A check that looks for a key or a value nobody writes in most templates (``Fn::If``, a
service-linked role ARN) walks every resource for nothing. What the parser reads is the text
itself, except where the text writes characters another way: an escape in a quoted string
(``\\x49``, ``\\u0049``, ``\\U00000049``), a line continuation in a double-quoted one, a %TAG
directive or a %-escape in a tag (``!%49f`` is ``!If``). A text with none of these and not the
word cannot hold it, and the walk can be skipped; with one of them it must be walked as before.
"""

from __future__ import annotations

import re
from re import Pattern
from typing import TYPE_CHECKING, Callable

from .memo import last_of

if TYPE_CHECKING:
    from .document import Document

# YAML double-quoted and JSON escapes that write a letter, a digit or one of -:${, and a line
# continuation (backslash, line break), which joins the two lines' text without a space
_ESCAPE = re.compile(r"\\[xuU\r\n]")
_TAG_ESCAPE = re.compile(r"![^\s%]*%")


def may_write(text: str, *words: str) -> bool:
    """Whether the data parsed from ``text`` can hold one of ``words`` (in a key, a value or as
    a short-form tag): the text has one, or writes characters in a way the search cannot see.
    The words are of letters, digits and ``-:${`` (other characters have escapes of their own)."""
    return any(word in text for word in words) or _written_otherwise(text)


def may_match(text: str, pattern: Pattern[str]) -> bool:
    """Whether a string in the data parsed from ``text`` can hold a match of ``pattern``: the
    text has one, or writes characters in a way the search cannot see. The pattern must match
    letters, digits and ``-:${`` only, as a word of :func:`may_write` is made of, so that a
    string holding a match writes that match in the text as it is."""
    return pattern.search(text) is not None or _written_otherwise(text)


def entry_check(doc: Document, *words: str) -> Callable[[tuple], bool]:
    """A test of whether the data at a path of ``doc`` (a section entry) can hold one of
    ``words``: :func:`may_write` for that node's span of the text alone, so that a walk over the
    entries of a template that writes the word somewhere skips the entries that do not (most of
    them). What holds for the whole document is asked once, here; the test costs a node lookup
    and a search of the span.

    The parser reads a node's keys, values and short-form tags from its own span, except what
    :func:`may_write` cannot see (then the whole text is answered for) and a YAML alias, whose
    data is written at its anchor, outside the span: in a document that may hold an alias every
    entry may hold the words, as may a path with no node."""
    if doc._aliases or _written_otherwise(doc.text):
        return lambda path: True
    text = doc.text

    def may_write_at(path: tuple) -> bool:
        node = doc.node(path)
        if node is None:
            return True
        for word in words:
            if text.find(word, node.start, node.end) >= 0:
                return True
        return False

    return may_write_at


def _written_otherwise(text: str) -> bool:
    """Whether ``text`` writes a character through an escape, a line continuation or a tag's
    %-escape, where a search of the text cannot see what the parser reads.

    Kept for the last text asked about (the very object, ``memo.last_of``): the fixers of a pass
    ask about the same document's text one after the other, and the regex scans the whole text
    of each template that holds a backslash (most JSON templates)."""
    return last_of("text_checks.written_otherwise", text, lambda: (
        ("\\" in text and _ESCAPE.search(text) is not None)
        or ("%" in text and ("%TAG" in text or _TAG_ESCAPE.search(text) is not None))))
