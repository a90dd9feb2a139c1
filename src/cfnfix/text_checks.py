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

# YAML double-quoted and JSON escapes that write a letter, a digit or one of -:${, and a line
# continuation (backslash, line break), which joins the two lines' text without a space
_ESCAPE = re.compile(r"\\[xuU\r\n]")
_TAG_ESCAPE = re.compile(r"![^\s%]*%")


def may_write(text: str, *words: str) -> bool:
    """Whether the data parsed from ``text`` can hold one of ``words`` (in a key, a value or as
    a short-form tag): the text has one, or writes characters in a way the search cannot see.
    The words are of letters, digits and ``-:${`` (other characters have escapes of their own)."""
    return (any(word in text for word in words) or ("\\" in text and _ESCAPE.search(text) is not None)
            or ("%" in text and ("%TAG" in text or _TAG_ESCAPE.search(text) is not None)))
