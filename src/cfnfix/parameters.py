"""Template parameters: whether one exists, and adding one a fix needs when it is missing."""

from __future__ import annotations

import re
from typing import Any

from . import render
from .document import Document
from .edits import Editor


def parameters(doc: Document) -> dict:
    section = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
    return section if isinstance(section, dict) else {}


def parameter(doc: Document, name: str) -> dict | None:
    """The declaration of parameter ``name`` (a mapping), or None."""
    body = parameters(doc).get(name)
    return body if isinstance(body, dict) else None


def is_parameter(doc: Document, name: Any) -> bool:
    return isinstance(name, str) and name in parameters(doc)


def ref_parameter(doc: Document, value: Any) -> str | None:
    """The parameter ``value`` is a ``Ref`` to, or None."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str) and is_parameter(doc, value["Ref"]):
        return value["Ref"]
    return None


def add_parameters(editor: Editor, new: dict[str, dict]) -> None:
    """Declare the parameters ``new`` (name -> body; the caller checked they are missing), in one go.

    A template without a ``Parameters`` section gets one just before ``Resources``, where
    readers look for it; where that cannot be placed, at the end of the template."""
    if not new:
        return
    doc = editor.doc
    section = doc.node(("Parameters",))
    if section is not None:
        if section.kind == "scalar" and section.value is None:  # `Parameters:` with nothing after it
            editor.set(("Parameters",), dict(new))
            return
        if section.kind == "map" and not section.value and doc.format == "yaml" and section.style == "block":
            editor.set(("Parameters",), dict(new))  # `Parameters:` with nothing under it
            return
        for name, body in new.items():
            editor.set(("Parameters", name), body)
        return
    root = doc.root
    entry = root.entry("Resources") if root.kind == "map" else None
    if entry is not None and doc.format == "yaml" and root.style == "block":
        key = entry[0]
        col = doc.column(key.start)
        if col == 0:
            lines = render.entry_lines("Parameters", dict(new), 0, editor.style)
            at = _comments_above(doc, key.start)
            editor.insert(at, "\n".join(lines) + "\n")
            return
    if entry is not None and doc.format == "json" and not editor.style.compact:
        key = entry[0]
        indent = doc.text[doc.line_start(key.start): key.start]
        if not indent.strip():
            member = render.json_member("Parameters", dict(new), indent, editor.style)
            editor.insert(key.start, member + ",\n" + indent)
            return
    editor.set(("Parameters",), dict(new))


class NewParameters:
    """Parameters that several findings of one fix each declare. A template without a
    ``Parameters`` section (or with an empty one) gets one section holding them all, written with
    the first finding applied; otherwise each finding adds its own entry, inside its block."""

    def __init__(self, editor: Editor, new: dict[str, dict]) -> None:
        section = editor.doc.node(("Parameters",))
        self.editor = editor
        self.shared = section is None or section.kind != "map" or not section.value
        if self.shared:
            add_parameters(editor, new)

    def declare(self, name: str, body: dict) -> None:
        """Declare ``name`` for the finding whose ``Editor.finding`` block this runs in."""
        if not self.shared:
            self.editor.set(("Parameters", name), body)


def add_parameter(editor: Editor, name: str, body: dict) -> None:
    add_parameters(editor, {name: body})


def _comments_above(doc: Document, start: int) -> int:
    """Start of the comment lines directly above a top-level key (they belong to it)."""
    line = doc.line_start(start)
    while line > 0:
        previous = doc.line_start(line - 1)
        if not doc.text[previous:line].startswith("#"):
            break
        line = previous
    return line


def accepts(body: dict | None, sample: str) -> bool:
    """Whether a String parameter's ``AllowedPattern`` (when it has one) accepts ``sample``."""
    pattern = body.get("AllowedPattern") if isinstance(body, dict) else None
    if not isinstance(pattern, str):
        return True
    try:
        return re.fullmatch(pattern, sample) is not None
    except re.error:
        return True


def max_length(body: dict | None, fallback: int) -> int:
    """The longest value a String parameter accepts: its ``MaxLength``, else ``fallback``."""
    value = body.get("MaxLength") if isinstance(body, dict) else None
    try:
        return int(value) if value is not None and not isinstance(value, bool) else fallback
    except (TypeError, ValueError):
        return fallback
