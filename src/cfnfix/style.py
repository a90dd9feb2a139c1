"""How a file writes itself, read off the file, so that new content looks like its neighbours."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from .document import Document, Node, line_break
from .memo import last_of

_INTRINSIC_KEY = re.compile(r"^(Ref|Condition|Fn::\w+)$")
_MAX_SAMPLES = 400
_QUOTES = frozenset(("'", '"'))  # a set: most styles asked about are None (plain), no match


class Style(NamedTuple):
    """How the file writes itself (format, indentation, quotes, short forms), for new content to match."""

    format: str  # "yaml" | "json"
    newline: str  # "\n" | "\r\n"
    indent: str  # one level of indentation ("  ", "    ", "\t" in JSON)
    seq_offset: int = 0  # YAML: columns from a key to the dash of its block-sequence value
    item_offset: int = 2  # YAML: columns from a dash to the item's content
    short_form: bool = True  # YAML: !Ref rather than Ref:
    quote: str = "'"  # YAML: the quote the file prefers when a scalar needs one
    key_sep: str = ": "  # JSON: between a key and its value
    compact: bool = False  # JSON written on one line


def detect(doc: Document) -> Style:
    """The document's style, read once per document however many fixers edit it.

    Each fix's new document is read again, not given the style of the one before: a fix can
    change what the style is read from (removing the file's only double-quoted scalar makes
    ``'`` the quote, see tests/test_engine.py), and over aws-samples 276 of 323 YAML fixes are
    on documents small enough that detection reads every node (one would have left what it
    reads untouched)."""
    return last_of("style.detect", doc, lambda: _detect(doc))


def _detect(doc: Document) -> Style:
    newline = line_break(doc.text)
    return _json_style(doc, newline) if doc.format == "json" else _yaml_style(doc, newline)


def _json_style(doc: Document, newline: str) -> Style:
    text = doc.text
    indent_match = re.search(r"\n([ \t]+)\S", text)
    sep = re.search(r'"\s*:([ \t]*)', text)
    compact = "\n" not in text.strip()
    return Style(
        format="json",
        newline=newline,
        indent=indent_match.group(1) if indent_match else "  ",
        key_sep=":" + (sep.group(1) if sep else " "),
        compact=compact,
    )


def _yaml_style(doc: Document, newline: str) -> Style:
    # runs once per fix (each fix makes a new document), over up to _MAX_SAMPLES nodes, most of
    # them scalars: columns are read off the text here, not through ``doc.column``, whose call
    # per key was most of its cost; a scalar is dealt with first, and the forms are counted in
    # plain integers (only their totals are compared). The walk's order stays as it was: it
    # decides which nodes are sampled in a large file and, through the order in which values
    # are first counted, which one wins a tie. Whether a key is a long-form intrinsic is looked
    # up (_LONG_FORM), and a block sequence's column read once for all its items.
    indents: Counter = Counter()
    seq_offsets: Counter = Counter()
    item_offsets: Counter = Counter()
    quotes: Counter = Counter()
    short = long = 0
    long_form = _LONG_FORM
    rfind = doc.text.rfind
    samples = 0
    stack: list[Node] = [doc.root]
    pop, push = stack.pop, stack.append
    while stack and samples < _MAX_SAMPLES:
        node = pop()
        samples += 1
        if node.tag:
            short += 1
        kind, style = node.kind, node.style
        if kind == "scalar":
            if style in _QUOTES:
                quotes[style] += 1
        elif kind == "map" and style == "block":
            for key, value in node.value:
                found = long_form.get(key.value)
                if found is None:
                    found = _long_form(key.value)
                if found:
                    long += 1
                if key.style in _QUOTES:
                    quotes[key.style] += 1
                if value.style == "block" and value.value and not value.tag:
                    line = rfind("\n", 0, key.start)  # both columns count from the line break before
                    if value.kind == "map":
                        indents[value.start - rfind("\n", 0, value.start) - key.start + line] += 1
                    elif value.kind == "seq":
                        seq_offsets[value.start - rfind("\n", 0, value.start) - key.start + line] += 1
                push(value)
        elif kind == "seq":
            if style == "block":
                column = None  # of the sequence's first dash, from the line break before it
                for item in node.value:
                    if item.kind == "map" and item.style == "block" and item.value:
                        if column is None:
                            column = node.start - rfind("\n", 0, node.start)
                        item_offsets[item.start - rfind("\n", 0, item.start) - column] += 1
                    push(item)
            else:
                stack.extend(node.value)
        else:
            stack.extend(v for _, v in node.value)
    unit = _most_common(indents, 2)
    return Style(
        format="yaml",
        newline=newline,
        indent=" " * (unit if unit > 0 else 2),
        seq_offset=_most_common(seq_offsets, 0),
        item_offset=_most_common(item_offsets, 2),
        short_form=short >= long,
        quote=_most_common(quotes, "'"),
    )


# whether a mapping key names an intrinsic function in long form, per key value met: a dict
# look-up is half the cost of testing the name, and templates repeat their keys (Type,
# Properties, Ref); see _long_form
_LONG_FORM: dict = {}


def _long_form(key: Any) -> bool:
    """Whether a mapping key's value names an intrinsic function in long form (``Ref:``,
    ``Fn::If:``), remembered in _LONG_FORM.

    The answer depends on the value alone, so a remembered one is the one the test would give.
    Key values are strings (the parsers take a scalar key's text); should two values be equal
    without being the same string (``1`` and ``True``), neither is a name the pattern takes.
    The table is emptied at 4,096 names: logical ids make many keys one-offs across a run."""
    if len(_LONG_FORM) >= 4096:
        _LONG_FORM.clear()
    found = _LONG_FORM[key] = _INTRINSIC_KEY.match(str(key)) is not None
    return found


def _most_common(counter: Counter, default):
    return counter.most_common(1)[0][0] if counter else default
