"""How a file writes itself, read off the file, so that new content looks like its neighbours."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .document import Document, Node

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
    """The document's style, read once per document however many fixers edit it."""
    global _last
    if _last is not None and _last[0] is doc:
        return _last[1]
    newline = "\r\n" if "\r\n" in doc.text else "\n"
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
    indents: Counter = Counter()
    seq_offsets: Counter = Counter()
    item_offsets: Counter = Counter()
    quotes: Counter = Counter()
    forms: Counter = Counter()
    samples = 0
    stack: list[Node] = [doc.root]
    while stack and samples < _MAX_SAMPLES:
        node = stack.pop()
        samples += 1
        if node.tag:
            forms["short"] += 1
        if node.kind == "map" and node.style == "block":
            for key, value in node.value:
                if _INTRINSIC_KEY.match(str(key.value)):
                    forms["long"] += 1
                if key.style in ("'", '"'):
                    quotes[key.style] += 1
                kcol = doc.column(key.start)
                if value.kind == "map" and value.style == "block" and value.value and not value.tag:
                    indents[doc.column(value.start) - kcol] += 1
                elif value.kind == "seq" and value.style == "block" and value.value and not value.tag:
                    seq_offsets[doc.column(value.start) - kcol] += 1
                stack.append(value)
        elif node.kind == "seq":
            for item in node.value:
                if node.style == "block" and item.kind == "map" and item.style == "block" and item.value:
                    item_offsets[doc.column(item.start) - doc.column(node.start)] += 1
                stack.append(item)
        elif node.kind == "map":
            stack.extend(v for _, v in node.value)
        elif node.style in ("'", '"'):
            quotes[node.style] += 1
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
