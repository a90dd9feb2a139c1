"""The document after a fix, re-parsing only the entries the fix touched.

``apply --all`` parses the template again after every fixer that changed it: two dozen times
on a large template, most of its cost (issue 21). A fix touches a few entries of a section
(properties added to some resources, a resource appended); the rest of the text is unchanged
and only moves. Here each run of touched entries is parsed on its own, at the depth the edits
reach (the properties of a resource, not the resource), new entries after the last one
without it, and every other node keeps its object, shifted to its new offsets. Whatever this cannot place with certainty is
parsed whole, so the result is the document :func:`parse` builds from the new text (the test
suite compares the two on every fix it makes).

The nodes of ``old`` are shifted in place: ``old`` must not be used afterwards, except for
``place`` if ``old.keep_places()`` was called (that document, or the one ``old`` was
re-parsed from, records the spans of its nodes before they first move: ``Document.before_move``).
The engine hands in only documents it built itself or that its caller handed over
(``fix_document(..., owned=True)``).
"""

from __future__ import annotations

import bisect
import gc
import re
from dataclasses import dataclass, field
from typing import Any

from .document import Document, Node, TemplateError, _json_tree, _TemplateLoader, _TreeBuilder, parse


class _Whole(Exception):
    """The edits cannot be placed in section entries: parse the whole text."""


@dataclass
class _Run:
    """Consecutive entries of one section that edits touch, and the old text they span."""

    first: int
    last: int
    start: int = 0
    end: int = 0
    edits: list = field(default_factory=list)  # (start, end, new length), in order


def reparse(old: Document, text: str, spans: list[tuple[int, int, int]]) -> Document:
    """The document of ``text``, which is ``old.text`` with edits applied by :func:`apply_edits`;
    ``spans``: their :func:`edit_spans` (the engine records them too, for the diff); raises
    TemplateError as :func:`parse` does."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _reparse(old, text, spans)
    except (_Whole, TemplateError):
        return parse(text)  # also gives an error its line in the whole text
    finally:
        if paused:
            gc.enable()


def _reparse(old: Document, text: str, edits: list[tuple[int, int, int]]) -> Document:
    root = old.root
    # Aliases: the kept nodes hold none (``old._aliases``), so an alias of the new text stands in
    # a re-parsed run; libyaml refuses it there unless its anchor is in the same run, and such a
    # run goes to the whole parse (``_parse_run``). A text with '&' and '*' that are no alias
    # (an action "s3:*", a URL's query) is re-parsed in part like any other.
    if (not edits or root.kind != "map" or root.tag or text.startswith("\ufeff")
            or old._aliases or old._merges):
        raise _Whole
    shift = _Shift(edits)
    runs = _runs(old, text, shift)  # section index -> its runs, in order
    replaced: set[int] = set()  # ids of key nodes whose entries are new (already at their offsets)
    holders: dict[int, Node] = {}  # the new mappings that hold them, innermost first, and the root
    pairs = list(root.value)
    data = dict(old.data)
    for index, section_runs in runs.items():
        knode, section = root.value[index]
        pairs[index] = (knode, _holder(old, text, shift, (knode.value,), section, old.data[knode.value], section_runs,
                                       replaced, holders, data))
    moved = Node("map", pairs, root.start, root.end, None, root.style)
    holders[id(moved)] = moved
    if old._keeper is not None:
        old._keeper.before_move(edits[0][0])
    _move(moved, shift, replaced, holders)
    for node in holders.values():  # a mapping's end is its last entry's: inner ones first
        _fit_end(node)
    return Document(text=text, format=old.format, root=moved, data=data, _aliases=False, _merges=False,
                    _keeper=old._keeper)


def _holder(old: Document, text: str, shift: "_Shift", path: tuple, mapping: Node, old_data: dict,
            runs: list[_Run], replaced: set[int], holders: dict[int, Node], data: dict) -> Node:
    """The new node of ``mapping`` (at ``path``) whose runs are re-parsed; its data goes into
    ``data`` under the path's last key."""
    pairs, data[path[-1]] = _section(old, text, shift, path, mapping, old_data, runs, replaced, holders)
    node = Node("map", pairs, mapping.start, mapping.end, None, mapping.style)
    holders[id(node)] = node
    return node


def _section(old: Document, text: str, shift: "_Shift", path: tuple, section: Node, old_data: dict,
             runs: list[_Run], replaced: set[int], holders: dict[int, Node]) -> tuple[list[tuple[Node, Node]], dict]:
    """A mapping's entries and data: the kept entries as they were, each run parsed anew (its
    key nodes go into ``replaced``), or, for a run of one entry whose value is a mapping, that
    mapping's own runs (``_inner``). A key a new entry repeats falls back to the whole parse:
    a repeat leaves fewer keys in the data than entries, which is checked once at the end (a
    test and a call per entry cost more than the copy of the kept ones: one touched resource
    among a hundred)."""
    pairs: list[tuple[Node, Node]] = []
    data: dict = {}

    def keep(kept: list[tuple[Node, Node]]) -> None:  # entries no edit touches, with their data
        for pair in kept:
            pairs.append(pair)
            data[pair[0].value] = old_data[pair[0].value]

    done = 0
    for run in runs:
        keep(section.value[done:run.first])
        inner = _inner(old, text, shift, path, section.value[run.first], old_data, run, replaced, holders) \
            if run.first == run.last else None
        if inner is not None:
            pairs.append(inner[0])
            data[inner[0][0].value] = inner[1]
        else:
            alone = run.first > run.last  # new entries alone (``_appended``): they begin after the edits before them
            if alone:
                new_start = shift.end(run.start)
                new_end = new_start + run.edits[0][2]
                if section.style != "block":
                    new_start += 1  # after the comma that ends the entry before them
            else:
                new_start = shift.before_run(run.start)
                new_end = new_start + (run.end - run.start) + sum(n - (e - s) for s, e, n in run.edits)
            entries, values = _parse_run(old, text, section, path, new_start, new_end)
            if alone and (not entries or (section.style == "block" and text.rfind("\n", 0, entries[0][0].start) + 1
                                          != text.find("\n", new_start) + 1)):
                raise _Whole  # the first new key is not on the insertion's first line
            for pair, value in zip(entries, values):
                pairs.append(pair)
                data[pair[0].value] = value
                replaced.add(id(pair[0]))
        done = run.last + 1
    keep(section.value[done:])
    if len(data) != len(pairs):
        raise _Whole  # a repeated key: the whole parse reports it
    if not pairs and section.style == "block":
        raise _Whole  # every entry removed: the whole parse makes the section null, not empty
    return pairs, data


def _fit_end(node: Node) -> None:
    """A block mapping ends where its last entry ends (as the parser sets it); flow ones at
    their closing bracket, which shifting placed."""
    if node.style == "block" and node.value:
        node.end = max(node.value[-1][0].end, node.value[-1][1].end)


class _Shift:
    """Maps old offsets of text no edit touched to new ones. An insertion at an offset comes
    before a node that starts there and after a node that ends there."""

    def __init__(self, edits: list[tuple[int, int, int]]) -> None:
        self.edits = edits
        self.starts = [s for s, _, _ in edits]
        total, self.before = 0, [0]
        for s, e, n in edits:
            total += n - (e - s)
            self.before.append(total)

    def start(self, offset: int) -> int:
        i = bisect.bisect_right(self.starts, offset)
        if i and self.edits[i - 1][1] > offset:
            raise _Whole  # within an edit
        return offset + self.before[i]

    def end(self, offset: int) -> int:
        i = bisect.bisect_left(self.starts, offset)
        if i and self.edits[i - 1][1] > offset:
            raise _Whole
        return offset + self.before[i]

    def only_edit_at(self, offset: int) -> int | None:
        """The index of the edit starting at ``offset`` when no other one starts there too (with
        two insertions at one offset, which text comes first is the editor's order, not known here)."""
        i = bisect.bisect_left(self.starts, offset)
        return None if i + 1 < len(self.starts) and self.starts[i + 1] == offset else i

    def before_run(self, offset: int) -> int:
        """Where a re-parsed run starts: the edits before it move it, and so does an insertion
        at its very start (which ends the entry before it)."""
        i = bisect.bisect_left(self.starts, offset)
        while i < len(self.edits) and self.edits[i][0] == self.edits[i][1] == offset:
            i += 1
        return offset + self.before[i]


def _move(node: Node, shift: _Shift, replaced: set[int], holders: dict[int, Node]) -> None:
    """Shift every node no edit touched to its new offset (``replaced`` entries are new, and
    ``holders`` hold them). A subtree no edit falls within moves as a whole, by one amount.

    A mapping's entries that end before the first edit are passed over, not each key and value
    tested to move by nought (17,505 of the 30,558 nodes tested in the 632 re-parses of
    ``check --all`` over aws-samples). Why exact: a key comes before its value and a node's
    offsets lie within its span, so every offset of such an entry is before every edit and the
    test would shift it by ``before[0]``, nought; a holder is never passed over (the edits it
    holds begin within its span)."""
    starts, before = shift.starts, shift.before
    first_start = starts[0]
    todo = [node]
    while todo:
        n = todo.pop()
        first = bisect.bisect_right(starts, n.start)
        if (id(n) not in holders and first == bisect.bisect_left(starts, n.end)
                and (first == 0 or shift.edits[first - 1][1] <= n.start)):
            if before[first]:
                _move_all(n, before[first])
            continue
        n.start = shift.start(n.start)
        n.end = shift.end(n.end)
        if n.kind == "map":
            for k, v in n.value:
                if id(k) not in replaced and v.end >= first_start:
                    todo.append(k)
                    todo.append(v)
        elif n.kind == "seq":
            todo.extend(n.value)


def _move_all(node: Node, delta: int) -> None:
    """Shift ``node`` and everything under it by ``delta``. A collection moves its children:
    only collections are stacked (three nodes in four are scalars, and a mapping's keys always are)."""
    node.start += delta
    node.end += delta
    todo = [node] if node.kind != "scalar" else []
    while todo:
        n = todo.pop()
        if n.kind == "map":
            for k, v in n.value:
                k.start += delta
                k.end += delta
                v.start += delta
                v.end += delta
                if v.kind != "scalar":
                    todo.append(v)
        else:
            for v in n.value:
                v.start += delta
                v.end += delta
                if v.kind != "scalar":
                    todo.append(v)


def _inner(old: Document, text: str, shift: "_Shift", path: tuple, pair: tuple[Node, Node], old_data: dict,
           run: _Run, replaced: set[int], holders: dict[int, Node]) -> tuple[tuple[Node, Node], dict] | None:
    """The entry of a run of one entry whose value is a mapping, with only the runs of that
    mapping's entries parsed anew (and so on down); None where that cannot be done with
    certainty, and the caller parses the whole entry.

    A fix adds a property to a resource, a key to a property: parsing only the entries it
    touched, at the depth it touched them, leaves the resource's other properties, and its
    metadata, where they were (issue 21). Why exact: the entries of a mapping at any depth are
    re-parsed under the rules and checks of a section's (``_runs``, ``_parse_run``); the edits
    lie strictly inside the mapping's entries, so its key and its start are untouched; and
    whatever those checks refuse (a line at the entry's own level, a new text that is no
    mapping of entries at the same column) is parsed one level up instead."""
    knode, value = pair
    if value.kind != "map" or value.tag or not value.value:
        return None
    inner_end = value.end if value.style == "block" else value.end - 1
    if any(s <= value.start or e > inner_end for s, e, _ in run.edits):
        return None  # the key, the whole value or what follows it changes
    inner_replaced: set[int] = set()
    inner_holders: dict[int, Node] = {}
    data: dict = {}
    try:
        node = _holder(old, text, shift, (*path, knode.value), value, old_data[knode.value],
                       _mapping_runs(old, text, shift, value, run.edits), inner_replaced, inner_holders, data)
    except _Whole:
        return None
    replaced |= inner_replaced
    holders.update(inner_holders)
    return (knode, node), data[knode.value]


def _runs(old: Document, text: str, shift: _Shift) -> dict[int, list[_Run]]:
    """The runs of touched entries per top-level section; raises _Whole for an edit outside
    the entries of a section (a new section, a change of the top level)."""
    root = old.root
    bounds = [(p[1].start, p[1].end if p[1].style == "block" else p[1].end - 1) for p in root.value]
    starts = [b[0] for b in bounds]
    by_section: dict[int, list[tuple[int, int, int]]] = {}
    for edit in shift.edits:
        start, end, _ = edit
        index = bisect.bisect_left(starts, start) - 1  # the last section beginning before the edit
        if index < 0 or end > bounds[index][1]:
            raise _Whole
        by_section.setdefault(index, []).append(edit)
    return {index: _mapping_runs(old, text, shift, root.value[index][1], section_edits)
            for index, section_edits in by_section.items()}


def _mapping_runs(old: Document, text: str, shift: _Shift, section: Node, edits: list[tuple[int, int, int]]) -> list[_Run]:
    """The runs of the entries of ``section`` (a mapping) that ``edits``, all within its span,
    touch; raises _Whole for an edit before its first entry, or a mapping the runs cannot take
    apart. New entries inserted after an entry (``_appended``) are a run of their own."""
    if section.kind != "map" or section.tag or not section.value:
        raise _Whole
    block = section.style == "block"
    entries = section.value
    touched: list[tuple[int, int, tuple]] = []  # (first entry, last entry, edit)
    for edit in edits:
        start, end, _ = edit
        # an insertion where an entry's text begins ends the entry before it
        first = _entries_before(old, entries, block, start, start != end) - 1
        last = first if start == end else _entries_before(old, entries, block, end, False) - 1
        if first < 0:
            raise _Whole  # before the first entry
        if start == end and (_appended if block else _appended_flow)(old, text, shift, section, first, start):
            first += 1  # a run of no old entry, before the next one
        touched.append((first, last, edit))
    runs: list[_Run] = []
    for first, last, edit in sorted(touched):
        if runs and first <= runs[-1].last:  # entries next to each other stay apart: each may be taken apart (_inner)
            runs[-1].last = max(runs[-1].last, last)
        else:
            runs.append(_Run(first, last))
        runs[-1].edits.append(edit)
    for run in runs:
        if run.first > run.last:  # new entries alone
            run.start = run.end = run.edits[0][0]
            continue
        run.start = old.line_start(entries[run.first][0].start) if block else entries[run.first][0].start
        k, v = section.value[run.last]
        run.end = max(k.end, v.end, max(e for _, e, _ in run.edits))
    return runs


def _entries_before(old: Document, entries: list[tuple[Node, Node]], block: bool, offset: int, at: bool) -> int:
    """How many of a mapping's ``entries`` begin before ``offset`` (or ``at`` it too): an entry's
    text begins at its key in a flow mapping, at the start of its key's line in a block one.

    Found by a bisection of the keys' offsets, with the start of one line looked up, not every
    entry's (a list of every entry's line start, made for each mapping a re-parse takes apart,
    was a twentieth of the re-parses' cost: 100 resources, one touched). Why the same count:
    a block mapping's keys stand on lines of their own, so where entry i's text begins is after
    key i - 1 and at or before key i; the entries whose key is before ``offset`` (or at it)
    begin before it, the ones after the next such key begin after it, and only that next
    entry's line start is compared."""
    i = (bisect.bisect_right if at else bisect.bisect_left)(entries, offset, key=_key_start)
    if block and i < len(entries):
        begin = old.line_start(entries[i][0].start)
        i += begin <= offset if at else begin < offset
    return i


def _key_start(entry: tuple[Node, Node]) -> int:
    return entry[0].start


def _appended(old: Document, text: str, shift: _Shift, section: Node, index: int, at: int) -> bool:
    """Whether the insertion at ``at``, after entry ``index`` of a block mapping, may be parsed
    without that entry: it is the only edit there, at the end of the entry's last line, and its
    text begins with a line break and a line whose first character stands at the mapping's
    column (a new key, as ``_section`` checks once it is parsed).

    A fix appends a property after the last one, a resource after the last one: the entry
    before it was parsed again with it (issue 21). Why exact: that entry's text is unchanged,
    and every node of it ends by the insertion; what follows it was a line break, then blank
    lines, comments, and a line at the mapping's column or less (or the end), which ends every
    node the entry holds; now a line break and a line at the mapping's column do, ending them
    at the same places. Only a block scalar reads past its last character (its chomping counts
    the line breaks after it), and an empty value (``Key:``) stands at the insertion's offset,
    which would move it past the new text: an entry ending in either is parsed with the
    insertion as before."""
    k, v = section.value[index]
    if at < max(k.end, v.end) or not (old.text.startswith("\n", at) or old.text.startswith("\r\n", at)):
        return False
    i = shift.only_edit_at(at)
    if i is None:
        return False
    last = v
    while last.kind != "scalar" and last.style == "block" and last.value:
        last = last.value[-1][1] if last.kind == "map" else last.value[-1]
    if last.style in ("|", ">") or last.start == last.end:
        return False  # a block scalar; an empty value, which stands where the insertion goes
    new = at + shift.before[i]
    line = new + (2 if text.startswith("\r\n", new) else 1 if text.startswith("\n", new) else 0)
    column = old.column(section.value[0][0].start)
    return line > new and text.startswith(" " * column, line) and text[line + column:line + column + 1] not in ("", " ", "\t", "\r", "\n", "#")


def _appended_flow(old: Document, text: str, shift: _Shift, section: Node, index: int, at: int) -> bool:
    """Whether the insertion at ``at``, after entry ``index`` of a flow mapping (JSON's), may be
    parsed without that entry: it is the only edit there, right after the entry's value, and
    its text begins with the comma that ends that entry and does not end with one.

    A fix appends a property or a resource after the last one (most of the edits of JSON
    templates): the entry before was parsed again with it. Why exact: in a flow mapping an
    entry's value ends at its closing bracket or quote, or, plain, at its last character before
    a comma or the closing brace, whatever comes after; the entry's text is unchanged and a
    comma still follows it. The new entries between that comma and the text after them are
    what ``_parse_run`` parses; a comma ending them could make two commas in a row, which only
    the whole parse refuses. An empty value (``{a, b: 1}``) stands at the insertion's offset:
    such an entry is parsed with the insertion as before."""
    k, v = section.value[index]
    if at != max(k.end, v.end) or v.start == v.end:
        return False
    i = shift.only_edit_at(at)
    if i is None:
        return False
    new = at + shift.before[i]
    return text.startswith(",", new) and not text[new:new + shift.edits[i][2]].rstrip().endswith(",")


def _parse_run(old: Document, text: str, section: Node, path: tuple, start: int, end: int) -> tuple[list[tuple[Node, Node]], list[Any]]:
    """The entries a run holds in ``text[start:end]``, parsed on their own, at their offsets."""
    if section.style == "block":
        # through the line break and the blank lines after: a block scalar that ends the run
        # keeps its last line break (and, with "|+", the blank lines) as in the whole text
        while True:
            line_end = text.find("\n", end)
            if line_end == -1 or text[end:line_end].strip(" \t\r"):
                break
            end = line_end + 1
    body = text[start:end]
    if section.style == "block":
        column = old.column(section.value[0][0].start)
        # a line starting at a column before the section's: a line break is where the regex
        # engine looks for a match (a "^" in MULTILINE mode is tried at every character)
        if column == 0 or re.search(f"\n {{0,{column - 1}}}[^ #\r\n]", "\n" + body):
            raise _Whole  # text at the section's level or above: not entries of it
        source, base = body, start
    else:
        source, base = "{" + body + "}", start - 1
    # strict JSON (a JSON template's entries) is read without libyaml, to the same tree
    fast = _json_tree(source, base, len(path)) if section.style != "block" else None
    if fast is not None:
        node, data = fast
    else:
        if "&" in source and "*" in source:
            raise _Whole  # an anchor and an alias to it, perhaps: shared nodes, which the tree builder does not make
        loader = _TemplateLoader(source)
        try:
            ynode = loader.get_single_node()
        except Exception:  # noqa: BLE001 - the whole parse words the error, with its line
            raise _Whole from None
        finally:
            loader.dispose()
        if ynode is None:
            if section.style == "block":
                return [], []  # blank lines and comments only: the fix removed the run's entries
            raise _Whole
        builder = _TreeBuilder(text, base)
        node, data = builder.build(ynode, path)
        if builder.merges:
            raise _Whole  # a mapping merging another in: its data is not its entries' (Document._merges)
    if node.kind != "map" or node.tag or not isinstance(data, dict) or len(data) != len(node.value):
        raise _Whole
    if section.style == "block":
        if node.style != "block" or any(k.start - (text.rfind("\n", 0, k.start) + 1) != column for k, _ in node.value):
            raise _Whole
    elif node.style != "flow":
        raise _Whole
    elif node.value:
        last_key, last_value = node.value[-1]
        tail = text[max(last_key.end, last_value.end):end].strip(" \t\r\n")
        if tail and (tail != "," or text[end:end + 200].lstrip(" \t\r\n")[:1] in ("", ",", "#")):
            raise _Whole  # a comma that another may follow (two in a row: an error of the whole text), a comment
    return node.value, [data[k.value] for k, _ in node.value]
