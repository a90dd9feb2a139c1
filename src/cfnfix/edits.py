"""Edits: spans of the original text replaced by new text, and the operations fixers build them with.

A fixer describes what it wants in template terms (set this path, remove that key, add a
resource); :class:`Editor` turns that into text edits that touch only the lines concerned and
write new content in the file's own style. Nothing here re-serialises a whole document.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import render
from .document import Document, Node
from .style import Style, detect

_TOP_SECTIONS = ("Resources", "Parameters", "Outputs", "Conditions", "Mappings", "Rules")


def free_id(base: str, taken: Any, fallback: str = "Resource") -> str:
    """``base`` in the letters and digits a logical id allows (``fallback`` when none are left),
    numbered 2, 3, ... until it is not in ``taken``."""
    base = re.sub(r"[^A-Za-z0-9]", "", base) or fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    return candidate


def is_function_key(key: Any) -> bool:
    """A key that makes its mapping an intrinsic function call (``Fn::If``, ``Ref``): a mapping
    with one takes no other key. ``Fn::ForEach::<name>`` keys are loops among entries, not calls."""
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::") and not key.startswith("Fn::ForEach::"))


def alphanumeric_id(name: str) -> str:
    """A name CloudFormation refuses, in letters and digits: ``prod-vpc`` -> ``prodVpc``,
    ``SchemaSync Lambda`` -> ``SchemaSyncLambda`` (each later word capitalised, so the words
    still read); empty when nothing is left."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    return (parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])) if parts else ""


@dataclass(frozen=True)
class Edit:
    """The text between ``start`` and ``end`` (offsets in the original) replaced by ``text``."""

    start: int
    end: int
    text: str
    owner: Any = field(default=None, compare=False, repr=False)  # the finding it fixes (None: shared)
    # keys this edit adds, as (mapping start, key): two findings adding the same key to one
    # mapping conflict although their insertions do not overlap (the text would repeat the key)
    claims: tuple = field(default=(), compare=False, repr=False)


class EditConflict(Exception):
    """Two edits overlap, or a change cannot be placed in the text safely."""


def apply_edits(text: str, edits: list[Edit], newline: str = "\n") -> str:
    """Apply non-overlapping edits; insertions at one offset keep their order.

    The result is joined from pieces in one pass: splicing each edit into the whole string
    copies it once per edit, quadratic for a fix touching thousands of resources.
    """
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    for (_, a), (_, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise EditConflict(f"overlapping edits at characters {a.start}-{a.end} and {b.start}-{b.end}")
    pieces, done = [], 0
    for _, edit in ordered:
        pieces.append(text[done : edit.start])
        pieces.append(edit.text.replace("\n", newline) if newline != "\n" else edit.text)
        done = edit.end
    pieces.append(text[done:])
    return "".join(pieces)


def edit_spans(edits: Iterable[Edit], newline: str = "\n") -> list[tuple[int, int, int]]:
    """(start, end, length of the new text) of ``edits`` as :func:`apply_edits` writes them with
    ``newline``, in the order it applies them."""
    extra = len(newline) - 1  # each line break an edit writes becomes ``newline``
    return sorted((e.start, e.end, len(e.text) + extra * e.text.count("\n")) for e in edits)


def unchanged_spans(length: int, applied: list[list[tuple[int, int, int]]]) -> list[tuple[int, int, int]]:
    """(offset in the text first edited, offset in the last text, length) of what stands in the
    last text as it was written in the first (``length`` characters), in order; ``applied``:
    the :func:`edit_spans` of each text's edits, one text after the other.

    The diff of a fixed template reads them instead of searching both texts for their common
    lines, which was a tenth of ``apply --all --dry-run`` (issue 21). An edit cuts a span where
    it lies; an insertion cuts it in two even where it takes nothing away."""
    unchanged = [(0, 0, length)]
    for spans in applied:
        runs = []  # (start, end, shift): what lies between the edits, and how far it moves
        done = shift = 0
        for start, end, size in spans:
            if start > done:
                runs.append((done, start, shift))
            shift += size - (end - start)
            done = max(done, end)
        runs.append((done, sys.maxsize, shift))
        carried = []
        k = 0
        for old, start, size in unchanged:
            end = start + size
            while runs[k][1] <= start:  # runs and spans are both in order: neither is gone back over
                k += 1
            i = k
            while True:
                run_start, run_end, moved = runs[i]
                if run_start >= end:
                    break
                low, high = max(start, run_start), min(end, run_end)
                if low < high:
                    carried.append((old + low - start, low + moved, high - low))
                if run_end >= end:  # the last run ends at sys.maxsize
                    break
                i += 1
        unchanged = carried
    return unchanged


class _FindingBlock:
    """The ``with`` block of ``Editor.finding``. A class rather than a contextlib generator: that
    cost ~2.2 µs a block (a generator and its wrapper made per finding), this ~0.9 µs."""

    __slots__ = ("editor", "finding", "outer")

    def __init__(self, editor: "Editor", finding: Any) -> None:
        self.editor = editor
        self.finding = finding
        self.outer: Any = None

    def __enter__(self) -> "Editor":
        editor = self.editor
        self.outer, editor._owner = editor._owner, self.finding
        return editor

    def __exit__(self, kind: Any, exc: Any, trace: Any) -> bool:
        editor = self.editor
        editor._owner = self.outer
        if kind is not None and issubclass(kind, EditConflict):
            editor._discard(self.finding)
            editor.unfixed.append((self.finding, str(exc)))
            return True  # the conflict is recorded; the fixer goes on with its next finding
        return False


class Editor:
    """Collects a fixer's changes to one document and renders them as edits."""

    def __init__(self, doc: Document, style: Style | None = None) -> None:
        self.doc = doc
        self.style = style or detect(doc)
        self._edits: list[Edit] = []
        # pending operations per (collection node, owning finding), rendered by edits()
        self._adds: dict[tuple[int, int], tuple[Node, dict, Any]] = {}  # mapping -> keys to add, in order
        self._appends: dict[tuple[int, int], tuple[Node, list, Any]] = {}  # sequence -> items to append
        self._removals: dict[tuple[int, int], tuple[Node, list, set, Any]] = {}  # collection -> indexes to drop
        self._new_ids: set[str] = set()
        self._owner: Any = None
        self.unfixed: list[tuple[Any, str]] = []  # (finding, why its fix could not be placed)

    # ------------------------------------------------------------ ownership

    def finding(self, finding: Any) -> "_FindingBlock":
        """Operations in this block fix ``finding``: the engine applies, defers or withholds them
        together with the finding's change-log entries. An EditConflict inside the block drops
        what the block did and records the finding as not fixed, with the conflict as the reason;
        the other findings are unaffected."""
        return _FindingBlock(self, finding)

    def _discard(self, owner: Any) -> None:
        mine = id(owner)
        self._edits = [e for e in self._edits if e.owner is not owner]
        for pending in (self._adds, self._appends, self._removals):
            for key in [k for k in pending if k[1] == mine]:
                del pending[key]

    def _key(self, node: Node) -> tuple[int, int]:
        return id(node), id(self._owner)

    def _edit(self, start: int, end: int, text: str) -> None:
        self._edits.append(Edit(start, end, text, self._owner))

    # ------------------------------------------------------------ public operations

    def set(self, path: tuple, value: Any) -> None:
        """Give ``path`` the value ``value``, creating missing mapping keys along the way."""
        node, parent, key = self.doc.root, None, None
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if node.kind == "scalar" and node.value is None and parent is not None:
                self._replace(node, _nest(path[i:], value), parent, key)
                return
            if isinstance(part, int):
                if node.kind != "seq" or not 0 <= part < len(node.value):
                    raise EditConflict(f"no item {part} at {_show(path[:i])}")
                parent, key, node = node, None, node.value[part]
                if last:
                    self._replace(node, value, parent)
                    return
                continue
            if node.kind != "map":
                raise EditConflict(f"{_show(path[:i])} is not a mapping")
            entry = node.entry(part)
            if entry is None:
                if any(is_function_key(k.value) for k, _ in node.value):
                    raise EditConflict(f"{_show(path[:i])} is an intrinsic function; a key beside it would end it")
                pending = self._adds.setdefault(self._key(node), (node, {}, self._owner))[1]
                _merge(pending, {part: _nest(path[i + 1 :], value)})
                return
            if last:
                self._replace(entry[1], value, node, entry[0])
                return
            parent, key, node = node, entry[0], entry[1]
        raise EditConflict("empty path")

    def remove(self, path: tuple) -> None:
        """Delete the mapping entry or sequence item at ``path`` with the lines it stood on."""
        parent = self.doc.node(path[:-1])
        if parent is None:
            raise EditConflict(f"nothing at {_show(path)}")
        if isinstance(path[-1], int):
            index = path[-1]
        else:
            keys = [k.value for k, _ in parent.value]
            if path[-1] not in keys:
                raise EditConflict(f"nothing at {_show(path)}")
            index = keys.index(path[-1])
        self.remove_entry(parent, index, path)

    def remove_entry(self, parent: Node, index: int, path: tuple = ()) -> None:
        """Delete entry ``index`` of the collection node ``parent`` with the lines it stood on:
        for entries no path names (the second of two entries with one key)."""
        entries = [(item, item) for item in parent.value] if parent.kind == "seq" else parent.value
        if parent.kind not in ("seq", "map"):
            raise EditConflict(f"{_show(path)}: not in a collection")
        if parent.shared:
            raise EditConflict("collection is shared through a YAML anchor; not edited")
        if not -len(entries) <= index < len(entries):
            raise EditConflict(f"nothing at {_show(path)}")
        self._removals.setdefault(self._key(parent), (parent, entries, set(), self._owner))[2].add(index % len(entries))

    def rename(self, path: tuple, new_key: str) -> None:
        parent = self.doc.node(path[:-1])
        entry = parent.entry(path[-1]) if parent else None
        if parent is None or entry is None:
            raise EditConflict(f"nothing at {_show(path)}")
        if parent.shared:
            raise EditConflict("mapping is shared through a YAML anchor; not edited")
        key = entry[0]
        self._edit(key.start, key.end, self._scalar(new_key, key))

    def replace_text(self, path: tuple, old: str, new: str) -> None:
        """Replace every ``old`` inside the scalar at ``path`` by ``new``, in place in its text
        (quotes, block style and a short-form tag such as ``!Ref`` kept). Refused where the
        scalar's text does not hold ``old`` exactly as its value does (escapes, folding), or
        where ``new`` would need escaping."""
        node = self.doc.node(path)
        if node is None or node.kind != "scalar" or not isinstance(node.value, str):
            raise EditConflict(f"{_show(path)} is not a string")
        if node.shared:
            raise EditConflict("value is shared through a YAML anchor; not edited")
        source = self.doc.text[node.start : node.end]
        count = source.count(old)
        if not old or count == 0 or count != node.value.count(old) or any(c in new for c in "'\"\\\n\r"):
            raise EditConflict(f"the text of {_show(path)} cannot be edited in place")
        at = source.find(old)
        while at != -1:
            self._edit(node.start + at, node.start + at + len(old), new)
            at = source.find(old, at + len(old))

    def wrap(self, path: tuple, prefix: str, suffix: str = "") -> None:
        """Write ``prefix`` before and ``suffix`` after the untagged scalar at ``path``, keeping its
        own text (quotes, escapes, block style): ``!Sub `` in YAML, ``{"Fn::Sub": `` and ``}`` in JSON."""
        node = self.doc.node(path)
        if node is None or node.kind != "scalar" or node.tag:
            raise EditConflict(f"{_show(path)} is not an untagged scalar")
        if node.shared:
            raise EditConflict("value is shared through a YAML anchor; not edited")
        if suffix and "\n" in self.doc.text[node.start : node.end]:
            raise EditConflict(f"{_show(path)} spans several lines")
        self._edit(node.start, node.start, prefix)
        if suffix:
            self._edit(node.end, node.end, suffix)

    def source(self, path: tuple) -> render.Verbatim:
        """The value at ``path`` as its source text, to place with ``set``/``append``/``add_resource``
        anywhere a plain value can go: comments, tags, quoting and layout travel with it."""
        doc = self.doc
        node, parent = doc.node(path), doc.node(path[:-1]) if path else None
        if node is None or parent is None:
            raise EditConflict(f"nothing at {_show(path)}")
        if node.shared:
            raise EditConflict("value is shared through a YAML anchor; not moved")
        text = doc.text[node.start : node.end]
        line_start = doc.line_start(node.start)
        indent = self._indent_of_line(node.start)
        if doc.format == "json":
            return render.Verbatim(text.replace("\r\n", "\n"), len(indent), indent, doc.column(node.start), False, True)
        tail = doc.text[node.end : doc.line_end(node.end)]
        comment = tail.rstrip() if tail.strip().startswith("#") else ""
        above: tuple = ()
        entry = parent.entry(path[-1]) if parent.kind == "map" else None
        if entry is not None:
            key = entry[0]
            owner = doc.column(key.start)
            if parent.style == "block":
                first = self._comments_above(key.start)
                above = tuple(line.strip() for line in doc.text[first : doc.line_start(key.start)].splitlines())
        else:
            dash = doc.text.rfind("-", 0, node.start)
            owner = doc.column(dash) if parent.style == "block" and dash >= doc.line_start(node.start) else doc.column(node.start)
        in_flow = self._in_flow(node)
        plain_safe = node.kind != "scalar" or node.style in ("'", '"') or not any(c in str(node.value) for c in ",[]{}#")
        return render.Verbatim(
            text=(text + comment).replace("\r\n", "\n"),
            owner_col=owner,
            owner_indent=indent,
            col=doc.column(node.start),
            # an untagged block collection is a block wherever it starts: an item's (``- Ref: X``)
            # starts after its dash, and under a key it goes on the lines below
            own_line=not doc.text[line_start : node.start].strip() or (node.kind != "scalar" and node.style == "block"
                                                                       and not node.tag),
            flow_ok=not comment and (in_flow or node.style == "flow" or (node.kind == "scalar" and plain_safe)),
            above=above,
            comment=(node.end, node.end + len(comment)) if comment else None,
        )

    def move(self, path: tuple, new_path: tuple) -> render.Verbatim:
        """Move the entry at ``path`` to ``new_path`` with its source text (see ``source``);
        returns the moved value."""
        value = self.source(path)
        self.remove(path)
        self.set(new_path, value)
        return value

    def append(self, path: tuple, value: Any) -> int:
        """Add ``value`` at the end of the sequence at ``path``; returns the index it will have, after
        the items appended to that sequence before it (by any finding), which come first."""
        node = self.doc.node(path)
        if node is None or node.kind != "seq":
            raise EditConflict(f"{_show(path)} is not a sequence")
        index = len(node.value) + sum(len(items) for n, items, _ in self._appends.values() if n is node)
        self._appends.setdefault(self._key(node), (node, [], self._owner))[1].append(value)
        return index

    def insert(self, offset: int, text: str) -> None:
        """Insert already rendered ``text`` at character ``offset`` (content placed before a given
        entry, such as a new top-level section ahead of ``Resources``)."""
        self._edit(offset, offset, text)

    def splice(self, start: int, end: int, text: str = "") -> None:
        """Replace the text between two offsets by already rendered ``text`` (spans a fixer has
        delimited itself, such as lines to remove or the dash of a list item)."""
        self._edit(start, end, text)

    def unique_id(self, base: str) -> str:
        """A logical id not used in any template section nor handed out before by this editor."""
        taken = set(self._new_ids)
        if isinstance(self.doc.data, dict):
            for section in _TOP_SECTIONS:
                if isinstance(self.doc.data.get(section), dict):
                    taken.update(self.doc.data[section])
        candidate = free_id(base, taken)
        self._new_ids.add(candidate)
        return candidate

    def add_resource(self, base_id: str, body: dict) -> str:
        """Add a resource under a fresh logical id derived from ``base_id``; returns the id."""
        logical_id = self.unique_id(base_id)
        self.set(("Resources", logical_id), body)
        return logical_id

    def edits(self) -> list[Edit]:
        """Every edit, each tagged with its finding, in the order apply_edits needs them."""
        out = list(self._edits)
        for parent, entries, indexes, owner in self._removals.values():
            out.extend(_owned(e, owner) for e in self._removals_of(parent, entries, sorted(indexes)))
        # Insertions into a collection and into one nested at its end land at the same offset;
        # the inner one must come first, so deeper (later-starting) collections go first.
        pending = [(node, owner, lambda n=node, a=additions: self._insertion(n, a), tuple((node.start, k) for k in additions))
                   for node, additions, owner in self._adds.values()]
        pending += [(node, owner, lambda n=node, i=items: self._append_items(n, i), ())
                    for node, items, owner in self._appends.values()]
        failed: set[int] = set()
        for _, owner, render_edit, claims in sorted(pending, key=lambda item: -item[0].start):
            try:
                edit = render_edit()
                out.append(Edit(edit.start, edit.end, edit.text, owner, claims))
            except EditConflict as exc:
                if owner is None:
                    raise
                failed.add(id(owner))
                self.unfixed.append((owner, str(exc)))
        return [e for e in out if id(e.owner) not in failed] if failed else out

    # ------------------------------------------------------------ rendering

    def _scalar(self, value: Any, old: Node) -> str:
        if self.doc.format == "json":
            return render.json_value(value, "", self.style)
        prefer = old.style if isinstance(value, str) and old.style in ("'", '"') else None
        return render.yaml_scalar(value, self.style, flow=self._in_flow(old), prefer=prefer)

    def _in_flow(self, node: Node) -> bool:
        """Whether ``node`` stands inside a flow collection, where a plain scalar may hold no
        ``,[]{}``. A bracket before it on its line says so at once; else its enclosing
        collections are looked up from the root (an item on a line of its own in a flow list
        written over several lines, which reading its line alone took for block context)."""
        before = self.doc.text[self.doc.line_start(node.start) : node.start]
        if "{" in before or "[" in before:
            return True
        current = self.doc.root
        while current is not node and current.kind != "scalar":
            if current.style == "flow":
                return True
            items = current.value
            # the last child starting at or before the node: children are in text order
            if current.kind == "map":
                at = bisect.bisect_right(items, node.start, key=lambda entry: entry[0].start) - 1
                if at < 0:
                    return False
                key, value = items[at]
                current = key if node.start < value.start or value.end < node.end else value
            else:
                at = bisect.bisect_right(items, node.start, key=lambda item: item.start) - 1
                if at < 0:
                    return False
                current = items[at]
            if current.start > node.start or current.end < node.end:
                return False
        return False

    def _indent_of_line(self, offset: int) -> str:
        start = self.doc.line_start(offset)
        line = self.doc.text[start:offset]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def _one_line(self, node: Node) -> bool:
        """Whether the node's text is on one line (JSON written so stays so when edited)."""
        return "\n" not in self.doc.text[node.start : node.end]

    def _replace(self, node: Node, value: Any, parent: Node | None = None, key: Node | None = None) -> None:
        if node.shared:
            raise EditConflict("value is shared through a YAML anchor; not edited")
        doc, style = self.doc, self.style
        if doc.format == "json":
            one_line = node.kind != "scalar" and self._one_line(node)
            in_one_line = parent is not None and self._one_line(parent)
            if one_line or in_one_line:
                style = style._replace(compact=True)  # a one-line array or object stays on its line
            text = render.json_value(value, self._indent_of_line(node.start), style)
            self._edit(node.start, node.end, text)
            return
        end = node.end
        if isinstance(value, render.Verbatim) and value.comment and node.end <= value.comment[0] < doc.line_end(node.end):
            # the value brings the comment that follows the node it replaces (a list's one item
            # becoming the value): that comment goes with it, not twice
            end = value.comment[1]
        inline = render.yaml_inline(value, style, flow=self._in_flow(node))
        if inline is not None:
            if node.kind == "scalar" and not node.tag and isinstance(value, str) and node.style in ("'", '"'):
                inline = render.yaml_scalar(value, style, prefer=node.style)
            elif node.kind == "scalar" and node.tag and node.style in ("'", '"') and style.short_form:
                call = render.intrinsic(value)  # `!Sub 'x'` -> `!Sub 'y'`: the same tag keeps its quotes
                if call and isinstance(call[1], str) and render._short_tag(call[0]) == node.tag:
                    inline = f"{node.tag} {render.yaml_scalar(call[1], style, prefer=node.style)}"
            colon = self._colon_before(node) if node.kind != "scalar" and node.style == "block" else None
            if colon is not None:
                self._edit(colon, end, " " + inline)
                return
            self._edit(node.start, end, inline)
            return
        if node.kind != "scalar" and node.style == "block" and not node.tag:
            col = doc.column(node.start)
            indent = ""
            if key is not None and col <= doc.column(key.start) and not render.is_block_sequence(value):
                # a block sequence may stand at its key's column (``- item`` under ``Key:``);
                # anything else replacing it goes one level in, or it would be the key's sibling
                indent = " " * (doc.column(key.start) + len(style.indent) - col)
            self._edit(node.start, end, indent + render.yaml_value(value, col + len(indent), style))
            return
        if parent is not None and parent.kind == "seq" and parent.style == "block":
            # an item of a block sequence: the value starts on the dash's line, its block below
            self._edit(node.start, end, render.yaml_value(value, doc.column(node.start), style))
            return
        if key is None or parent is None or parent.style != "block":
            raise EditConflict("cannot place a block value here")
        col = doc.column(key.start)
        lines = render.entry_lines(str(key.value), value, col, style)
        key_text = doc.text[key.start : key.end]
        first = lines[0][col:]
        rendered_key = render.yaml_scalar(str(key.value), style)  # as entry_lines wrote it (may hold ':')
        if first.startswith(rendered_key + ":"):
            first = key_text + first[len(rendered_key) :]
        elif ":" in first:
            first = key_text + first[first.index(":") :]
        self._edit(key.start, end, "\n".join([first] + lines[1:]))

    def _insertion(self, node: Node, additions: dict) -> Edit:
        doc, style = self.doc, self.style
        if node.shared:
            raise EditConflict("mapping is shared through a YAML anchor; not edited")
        if doc.format == "yaml" and node.style == "block" and node.value:
            col = doc.column(node.value[0][0].start)
            lines: list[str] = []
            for k, v in additions.items():
                lines.extend(render.entry_lines(k, v, col, style))
            at = self._after_deeper_comments(doc.line_end(node.end), col)
            return Edit(at, at, "\n" + "\n".join(lines))
        if doc.format == "json":
            if node.value and self._one_line(node):
                style = style._replace(compact=True)  # a one-line object stays on its line
            members = lambda indent: [render.json_member(k, v, indent, style) for k, v in additions.items()]  # noqa: E731
        else:
            members = lambda indent: [  # noqa: E731
                f"{render.yaml_scalar(k, style, flow=True)}: {self._flow_value(v)}" for k, v in additions.items()
            ]
        return self._flow_insert(node, [k for k, _ in node.value], node.value and node.value[-1][1], members)

    def _after_deeper_comments(self, at: int, col: int) -> int:
        """Move an insertion point at a line end past comment lines indented deeper than ``col``:
        they annotate the content above, and new entries at ``col`` would otherwise split it off."""
        text = self.doc.text
        while at < len(text):
            next_start = text.find("\n", at) + 1
            next_end = self.doc.line_end(next_start)
            line = text[next_start:next_end]
            content = line.lstrip(" ")
            if not next_start or not content.startswith("#") or len(line) - len(content) <= col:
                break
            at = next_end
        return at

    def _flow_value(self, value: Any) -> str:
        inline = render.yaml_inline(value, self.style, flow=True)
        if inline is None:
            raise EditConflict("value too complex for a flow collection")
        return inline

    def _append_items(self, node: Node, items: list) -> Edit:
        doc, style = self.doc, self.style
        if node.shared:
            raise EditConflict("sequence is shared through a YAML anchor; not edited")
        if doc.format == "yaml" and node.style == "block" and node.value:
            first = node.value[0]
            dash = doc.text.rfind("-", 0, first.start)
            dash_col = doc.column(dash)
            lines: list[str] = []
            for item in items:
                lines.extend(render.item_lines(item, dash_col, style))
            at = self._after_deeper_comments(doc.line_end(node.end), dash_col)
            return Edit(at, at, "\n" + "\n".join(lines))
        if doc.format == "json":
            last = node.value[-1] if node.value else None
            if last is not None and (self._one_line(node) or (last.kind != "scalar" and self._one_line(last))):
                style = style._replace(compact=True)  # a one-line array, or one-line items, stay so
            render_items = lambda indent: [render.json_value(v, indent, style) for v in items]  # noqa: E731
        else:
            render_items = lambda indent: [self._flow_value(v) for v in items]  # noqa: E731
        return self._flow_insert(node, node.value, node.value and node.value[-1], render_items)

    def _flow_insert(self, node: Node, firsts: list, last: Node | None, members) -> Edit:
        """Insert members into a JSON/flow collection after its last member, or into an empty one."""
        doc, style = self.doc, self.style
        if not firsts:
            opening, closing = doc.text[node.start], doc.text[node.end - 1]
            if doc.format == "json" and not style.compact:
                outer = self._indent_of_line(node.start)
                inner = outer + style.indent
                body = (",\n" + inner).join(members(inner))
                return Edit(node.start, node.end, f"{opening}\n{inner}{body}\n{outer}{closing}")
            if doc.format == "yaml" and node.style == "block":
                raise EditConflict("empty block collection")
            return Edit(node.start, node.end, opening + ", ".join(members("")) + closing)
        if last is None:
            raise EditConflict("no member to insert after")
        first = firsts[0]
        first_start = first[0].start if isinstance(first, tuple) else first.start
        own_line = doc.text[doc.line_start(first_start) : first_start].strip() == ""
        if own_line:
            indent = self._indent_of_line(first_start)
            sep = ",\n" + indent
        else:
            indent = self._indent_of_line(node.start)
            sep = "," + style.key_sep[1:] if doc.format == "json" else ", "
        text = "".join(sep + m for m in members(indent))
        return Edit(last.end, last.end, text)

    def _removals_of(self, parent: Node, entries: list, indexes: list[int]) -> list[Edit]:
        """One edit per run of adjacent removed entries, so that removing neighbours never overlaps."""
        runs: list[list[int]] = []
        for index in indexes:
            if runs and runs[-1][-1] == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        return [self._removal(parent, entries, run[0], run[-1]) for run in runs]

    def _removal(self, parent: Node, entries: list, first: int, last: int) -> Edit:
        """Delete entries ``first``..``last`` (inclusive) with the lines they stood on."""
        doc = self.doc
        key, value = entries[first][0], entries[last][1]
        if last - first + 1 == len(entries):
            empty = "{}" if parent.kind == "map" else "[]"
            if doc.format == "json" or parent.style == "flow":
                return Edit(parent.start + 1, parent.end - 1, "")
            colon = self._colon_before(parent)
            return Edit(parent.start if colon is None else colon, parent.end, empty if colon is None else " " + empty)
        if doc.format == "json" or parent.style == "flow":
            if first > 0:
                return Edit(entries[first - 1][1].end, value.end, "")
            return Edit(key.start, entries[last + 1][0].start, "")
        start = self._item_start(key, parent)
        if last + 1 < len(entries):
            nxt = self._item_start(entries[last + 1][0], parent)
            own_line = doc.text[doc.line_start(start) : start].strip() == ""
            if own_line:
                # up to the line after the value: comment lines above the next entry are its own
                after_value = doc.text.find("\n", value.end) + 1 or len(doc.text)
                begin, end = self._comments_above(start), min(after_value, doc.line_start(nxt))
                if begin > 0 and self._blank_line(doc.line_start(begin - 1)):
                    end = self._past_blank_lines(end)  # the blank line above still separates the neighbours
                return Edit(begin, end, "")
            return Edit(start, nxt, "")
        # last entries: from the end of the one before to the end of the last one's line
        prev_end = doc.line_end(entries[first - 1][1].end)
        return Edit(prev_end, doc.line_end(value.end), "")

    def _blank_line(self, line: int) -> bool:
        end = self.doc.text.find("\n", line)
        return self.doc.text[line : len(self.doc.text) if end < 0 else end].strip() == ""

    def _past_blank_lines(self, line: int) -> int:
        """The start of the first line at or after ``line`` that holds something."""
        text = self.doc.text
        while line < len(text) and self._blank_line(line):
            end = text.find("\n", line)
            if end < 0:
                return line
            line = end + 1
        return line

    def _comments_above(self, start: int) -> int:
        """Start of the comment lines directly above an entry at ``start``, indented like it:
        they describe the entry and go with it."""
        text, line = self.doc.text, self.doc.line_start(start)
        indent = text[line:start]
        while line > 0:
            previous = self.doc.line_start(line - 1)
            content = text[previous:line].rstrip("\r\n")
            if not (content.startswith(indent) and content[len(indent):].startswith("#")):
                break
            line = previous
        return line

    def _colon_before(self, node: Node) -> int | None:
        """Just after the ``key:`` (or dash) a block collection hangs under, when only a line break
        separates them: a value that now fits on one line goes back up there."""
        text = self.doc.text
        gap_start = node.start
        while gap_start > 0 and text[gap_start - 1] in " \t\r\n":
            gap_start -= 1
        if gap_start == 0 or text[gap_start - 1] not in ":-" or "\n" not in text[gap_start : node.start]:
            return None
        return gap_start

    def _item_start(self, key: Node, parent: Node) -> int:
        """Where an entry begins: its key, or the dash of a block-sequence item."""
        if parent.kind == "seq":
            return self.doc.text.rfind("-", 0, key.start)
        return key.start


def _owned(edit: Edit, owner: Any) -> Edit:
    """``edit`` owned by ``owner``; made directly, not by ``dataclasses.replace``, whose look at
    the fields cost more than the edit (it runs for every edit of every fix)."""
    return Edit(edit.start, edit.end, edit.text, owner, edit.claims) if owner is not None else edit


def _nest(path: tuple, value: Any) -> Any:
    for part in reversed(path):
        value = {part: value}
    return value


def _merge(into: dict, new: dict) -> None:
    for k, v in new.items():
        if k in into and isinstance(into[k], dict) and isinstance(v, dict):
            _merge(into[k], v)
        else:
            into[k] = v


def _show(path: tuple) -> str:
    return "/".join(map(str, path)) or "the top level"
