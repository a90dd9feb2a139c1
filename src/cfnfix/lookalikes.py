"""Characters that look like an ASCII hyphen or space but are not: what a word processor or a chat
window puts into text copied from it (a non-breaking hyphen in ``env‑security``, a no-break space).

A value written with them reads right and fails every check that compares characters: an IAM
policy ``Version``, a tag value's pattern, an allowed value. ``plain`` gives the text as it reads.
"""

from __future__ import annotations

import re

# Dashes: U+2010 to U+2015 (hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal
# bar), U+2212 minus sign, U+FE58 small em dash, U+FE63 small hyphen-minus, U+FF0D fullwidth
# hyphen-minus.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# Spaces: U+00A0 no-break space, U+2000 to U+200A (en quad to hair space), U+202F narrow no-break
# space, U+3000 ideographic space.
SPACES = "\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u3000"
# U+200B zero width space shows as nothing: the text reads as if it were not there.
INVISIBLE = "\u200b"

_TABLE: dict[int, str | None] = {**dict.fromkeys(map(ord, DASHES), "-"), **dict.fromkeys(map(ord, SPACES), " "),
                                 **dict.fromkeys(map(ord, INVISIBLE), None)}
_ALL = frozenset(DASHES + SPACES + INVISIBLE)
# Escapes that write a non-ASCII character into a string of ASCII text: JSON's \uXXXX, and in a
# YAML double-quoted scalar \x, \u, \U and \N, \_ (a no-break space), \L, \P.
_NON_ASCII_ESCAPE = re.compile(r"\\[xuUN_LP]")


def may_hold_lookalikes(text: str) -> bool:
    """Whether a template whose source is ``text`` can hold a look-alike character in any value:
    the text has a non-ASCII character or an escape that writes one. Most templates are plain
    ASCII: this lets a caller skip walking every string of every resource."""
    return not text.isascii() or _NON_ASCII_ESCAPE.search(text) is not None


def has_lookalikes(text: str) -> bool:
    """Whether ``text`` holds a character ``plain`` would change."""
    return not _ALL.isdisjoint(text)


def plain(text: str) -> str:
    """``text`` with look-alike dashes as ``-``, odd spaces as a space, zero-width spaces gone."""
    return text.translate(_TABLE)


def named(text: str) -> str:
    """The look-alike characters of ``text``, named for a message (``U+2011``, once each)."""
    return ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(c for c in text if c in _ALL))
