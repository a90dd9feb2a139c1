"""How a file writes itself, read off the file, so that new content looks like its neighbours."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .document import Document, Node, line_break

_INTRINSIC_KEY = re.compile(r"^(Ref|Condition|Fn::\w+)$")
_MAX_SAMPLES = 400


@dataclass(frozen=True)
class Style:
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
    global _last
    if _last is not None and _last[0] is doc:
        return _last[1]
    newline = line_break(doc.text)
    style = _json_style(doc, newline) if doc.format == "json" else _yaml_style(doc, newline)
    _last = (doc, style)
    return style


_last: tuple[Document, Style] | None = None


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
    # runs once per fix (each fix makes a new document): columns are read off the text here,
    # not through ``doc.column``, whose call per key was most of its cost
    indents: Counter = Counter()
    seq_offsets: Counter = Counter()
    item_offsets: Counter = Counter()
    quotes: Counter = Counter()
    forms: Counter = Counter()
    intrinsic = _INTRINSIC_KEY.match
    rfind = doc.text.rfind
    samples = 0
    stack: list[Node] = [doc.root]
    while stack and samples < _MAX_SAMPLES:
        node = stack.pop()
        samples += 1
        if node.tag:
            forms["short"] += 1
        kind, style = node.kind, node.style
        if kind == "map" and style == "block":
            for key, value in node.value:
                name = str(key.value)
                if name[:1] in "RCF" and intrinsic(name):  # the pattern's first letters
                    forms["long"] += 1
                if key.style in ("'", '"'):
                    quotes[key.style] += 1
                if value.style == "block" and value.value and not value.tag:
                    line = rfind("\n", 0, key.start)  # both columns count from the line break before
                    if value.kind == "map":
                        indents[value.start - rfind("\n", 0, value.start) - key.start + line] += 1
                    elif value.kind == "seq":
                        seq_offsets[value.start - rfind("\n", 0, value.start) - key.start + line] += 1
                stack.append(value)
        elif kind == "seq":
            block = style == "block"
            for item in node.value:
                if block and item.kind == "map" and item.style == "block" and item.value:
                    item_offsets[doc.column(item.start) - doc.column(node.start)] += 1
                stack.append(item)
        elif kind == "map":
            stack.extend(v for _, v in node.value)
        elif style in ("'", '"'):
            quotes[style] += 1
    unit = _most_common(indents, 2)
    return Style(
        format="yaml",
        newline=newline,
        indent=" " * (unit if unit > 0 else 2),
        seq_offset=_most_common(seq_offsets, 0),
        item_offset=_most_common(item_offsets, 2),
        short_form=forms["short"] >= forms["long"],
        quote=_most_common(quotes, "'"),
    )


def _most_common(counter: Counter, default):
    return counter.most_common(1)[0][0] if counter else default
