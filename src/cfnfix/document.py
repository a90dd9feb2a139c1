"""A template as its original text plus a tree whose nodes know where they stand in that text.

Fixers read the plain-data view (``Document.data``, intrinsic functions in long form whatever
the file used) and locate what they change through ``Document.node``; they never re-serialise
the file. Offsets are character offsets into ``Document.text`` (the decoded file, BOM and CRLF
included), so encoding the edited text again gives back every byte nobody changed.
"""

from __future__ import annotations

import bisect
import gc
import re
from dataclasses import dataclass, field
from json.decoder import scanstring as _json_scanstring  # type: ignore[attr-defined]  # C, not in the stubs
from typing import Any, Iterable, Iterator, NamedTuple

import yaml

try:  # the C composer is ~30x faster; the pure-Python one is the fallback where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 100  # nesting levels; deeper input is refused before it meets recursive code
MAX_ALIASED_NODES = 100_000  # nodes reached through YAML aliases, counted as if expanded

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_SHORT_NAMES = {"!Ref": "Ref", "!Condition": "Condition"}
_ScalarNode, _MappingNode = yaml.ScalarNode, yaml.MappingNode
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> its resolved tag: templates repeat the same keys and values
_MAX_PLAIN_TAGS = 50_000


class _TemplateLoader(_Loader):  # type: ignore[valid-type, misc]
    """The safe loader with PyYAML's tag resolution remembered per plain scalar (the composer
    asks for every node; templates say ``Type``, ``Properties`` and ``Ref`` thousands of times)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        if not self.yaml_path_resolvers:  # none unless someone added one with yaml.add_path_resolver
            # the composer calls these for every node, and without path resolvers they do
            # nothing: built-ins that take the same arguments do nothing faster
            self.descend_resolver = slice  # (parent, index)
            self.ascend_resolver = tuple  # ()

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is _ScalarNode:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                resolvers = self.yaml_implicit_resolvers
                if value[:1] in resolvers or None in resolvers or self.yaml_path_resolvers:
                    tag = super().resolve(kind, value, implicit)
                else:
                    # PyYAML's resolve tries the patterns of the value's first character and
                    # those for any character, then path resolvers: with none, a string (most
                    # of the values met first, names and descriptions)
                    tag = self.DEFAULT_SCALAR_TAG
                if len(_PLAIN_TAGS) >= _MAX_PLAIN_TAGS:
                    _PLAIN_TAGS.clear()
                _PLAIN_TAGS[value] = tag
            return tag
        if not self.yaml_path_resolvers:
            return self.DEFAULT_MAPPING_TAG if kind is _MappingNode else self.DEFAULT_SEQUENCE_TAG
        return super().resolve(kind, value, implicit)

Path = tuple  # of str keys and int indices


class TemplateError(Exception):
    """The input cannot be processed; the message is one line naming the cause (not the file)."""


class DuplicateKeyError(TemplateError):
    """A mapping repeats a key: refused by default; ``parse(text, duplicates=True)`` records the
    repeats instead (for the fixer that repairs them, see ``fixers/mapping_key.py``)."""


class Duplicate(NamedTuple):
    """A key repeated in one mapping: both entries stay in the mapping node's ``value`` (at
    indexes ``first`` and ``second``); the plain data holds the first entry's value only."""

    path: tuple  # of the mapping (keys through first entries)
    key: Any
    first: int
    second: int
    value: Any  # plain data of the second entry's value
    first_value: Any  # plain data of the first entry's value
    mapping: "Node"  # the mapping node holding both entries


@dataclass(eq=False, slots=True)
class Node:
    """One YAML/JSON node: its kind, span in the text and, for intrinsic short forms, its tag.

    ``value`` is a list of (key, value) node pairs for mappings, a list of nodes for sequences
    and the constructed Python value for scalars. ``end`` is where the node's content ends (for
    block collections the end of their last descendant, not the next token as PyYAML reports).
    """

    kind: str  # "map" | "seq" | "scalar"
    value: Any
    start: int
    end: int
    tag: str | None = None  # "!Ref", "!GetAtt", ... for short-form intrinsics, else None
    style: str | None = None  # scalar: None (plain), "'", '"', "|", ">"; collections: "flow"/"block"
    shared: bool = False  # reached through an anchor/alias: editing it would change several places
    _keys: "dict[Any, tuple[Node, Node]] | None" = field(default=None, repr=False)  # mapping: key -> entry

    def get(self, key: str) -> "Node | None":
        """The value node of ``key`` in a mapping node, or None."""
        found = self.entry(key)
        return found[1] if found else None

    def entry(self, key: str) -> "tuple[Node, Node] | None":
        """The (key node, value node) of ``key`` in a mapping node, or None.

        Found through an index built on first use: a scan per lookup makes a fix that sets a
        value in each of 15,000 resources quadratic.
        """
        if self.kind != "map":
            return None
        if self._keys is None:
            self._keys = {}
            for pair in self.value:
                self._keys.setdefault(pair[0].value, pair)
        return self._keys.get(key)


@dataclass
class Document:
    """A parsed template. Build it with :func:`parse`; it is immutable once built, except that
    ``reparse`` may move the nodes of a document handed over to it into the next one."""

    text: str
    format: str  # "yaml" | "json"
    root: Node
    data: Any
    _line_starts: list[int] = field(default_factory=list, repr=False)
    # What fixers and the engine derive from this parse and share (dependency graph, resource
    # types, ...), keyed by whoever computes it; a re-parse makes a new Document, so it never
    # outlives the text it was computed from. Put only values derived from ``text`` here.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # keys repeated in a mapping, recorded only by ``parse(text, duplicates=True)``
    duplicates: list[Duplicate] = field(default_factory=list, repr=False)
    # id of each node -> its span, recorded before ``reparse`` first moves it, for a document
    # whose places are still asked for (``keep_places``); ``_unmoved``: the subtrees not
    # recorded yet, in text order; ``_keeper``: the document whose nodes a re-parse of this
    # one may move and which records their spans (itself, or the one it was re-parsed from)
    _spans: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)
    _unmoved: list[Node] = field(default_factory=list, repr=False, compare=False)
    _keeper: "Document | None" = field(default=None, repr=False, compare=False)
    # whether a node may be reached through a YAML alias: False only where the parse met none
    # (``reparse`` keeps nodes only of such a document: an alias among them could name an anchor
    # that a re-parsed entry holds)
    _aliases: bool = field(default=True, repr=False, compare=False)
    # whether a mapping merges another in (a "<<" key): its data then holds keys that none of
    # its entries has, which ``reparse``, building a mapping's data from its entries, would lose
    _merges: bool = field(default=True, repr=False, compare=False)

    def keep_places(self) -> None:
        """Let ``place`` answer for this text even after ``reparse`` has moved the nodes into
        the next documents (the engine reports places in the text it was given): a node's span
        is recorded before it first moves (``before_move``), only for a document that is re-parsed."""
        self._keeper = self
        self._unmoved = [self.root]

    def before_move(self, first: int) -> None:
        """Record the spans of the nodes of this document (the ``_keeper`` of the one being
        re-parsed) that a re-parse whose first edit starts at ``first`` may move.

        A fix edits a few resources: the nodes before its first edit stay where they are, and
        recording every node at the first re-parse recorded 81,747 spans in a ``check --all``
        over aws-samples, most of them of nodes that never move. Why exact: a node whose
        offsets are all before ``first`` is not moved (the edits before it shift it by nought),
        and the nodes of a subtree lie within its span; so the subtrees ending before ``first``
        stay in ``_unmoved`` with this text's offsets, and the others are recorded, down the
        nodes that hold ``first``, which leave their children that end before it in
        ``_unmoved``. Those are disjoint subtrees in text order (children come in text order,
        each after the one before it), so the ones ending before an offset are a prefix. A
        subtree no re-parse took out of ``_unmoved`` never moved: its nodes' spans are this
        text's, and so are their offsets in the text being re-parsed, as long as they are in
        its document (``first`` is an offset there); one that a re-parse left out is never
        moved again.
        """
        unmoved = self._unmoved
        kept = bisect.bisect_left(unmoved, first, key=_node_end)
        todo = unmoved[kept:]
        del unmoved[kept:]
        spans = self._spans
        while todo:
            node = todo.pop()
            spans[id(node)] = node.start, node.end
            if node.start >= first or node.kind == "scalar":
                _record(node, spans)
                continue
            # it holds ``first`` (the one node that does, at its depth): its children before it stay
            for child in ([n for pair in node.value for n in pair] if node.kind == "map" else node.value):
                (unmoved if child.end < first else todo).append(child)

    def node(self, path: Path) -> Node | None:
        """The node at ``path`` (keys and indices), or None where the path does not exist."""
        node, whole = self._descend(path)
        return node if whole else None

    def nearest(self, path: Path) -> Node:
        """The node at ``path``, or its deepest ancestor that exists: where a report points for a
        change that adds a key (the mapping that receives it)."""
        return self._descend(path)[0]

    def _descend(self, path: Path) -> tuple[Node, bool]:
        """The deepest node along ``path`` and whether it is the node at ``path`` itself.

        One walk serves ``node`` and ``nearest``: a path through a missing part never exists,
        so the walk stops there and the last node met is the deepest ancestor (``nearest``
        asked ``node`` for each prefix from the longest, walking the path again for every
        missing part: 2,805 walks for the 1,416 places of a ``check --all`` over aws-samples)."""
        node = self.root
        for part in path:
            if isinstance(part, int):
                if node.kind != "seq" or not -len(node.value) <= part < len(node.value):
                    return node, False
                node = node.value[part]
            else:
                child = node.get(part)
                if child is None:
                    return node, False
                node = child
        return node, True

    def value(self, path: Path) -> Any:
        """The plain data at ``path`` (None where the path does not exist)."""
        data = self.data
        for part in path:
            if isinstance(part, int) and isinstance(data, list) and -len(data) <= part < len(data):
                data = data[part]
            elif isinstance(part, str) and isinstance(data, dict):
                data = data.get(part)
            else:
                return None
        return data

    def place(self, path: Path) -> tuple[int, int, int, int]:
        """Where ``path`` points, for reports: the node there, or its nearest ancestor that
        exists, as (start line, start column, end line, end column), 1-based."""
        return self.places([path])[tuple(path)]

    def places(self, paths: Iterable[Path]) -> dict[tuple, tuple[int, int, int, int]]:
        """``place`` of each of ``paths``, keyed by the path as a tuple.

        The lines are counted in one sweep over the text up to the last offset asked for, not
        through ``line_col``'s table of every line start: the engine asks this once per file,
        for about ten places, and building that table (a Python step per line of the file)
        cost most of it."""
        spans = {}
        for path in paths:
            node = self.nearest(path)  # the tree's shape is this text's even after its nodes moved
            start, end = self._spans.get(id(node)) or (node.start, node.end)
            spans[tuple(path)] = start, max(end, start)
        text, line, counted = self.text, 1, 0
        at: dict[int, tuple[int, int]] = {}
        for offset in sorted({offset for span in spans.values() for offset in span}):
            line += text.count("\n", counted, offset)
            counted = offset
            at[offset] = line, offset - text.rfind("\n", 0, offset)
        return {path: at[start] + at[end] for path, (start, end) in spans.items()}

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        if not self._line_starts:
            self._line_starts = [0]
            pos = self.text.find("\n")
            while pos != -1:
                self._line_starts.append(pos + 1)
                pos = self.text.find("\n", pos + 1)
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that holds ``offset`` (or of the text's end)."""
        end = self.text.find("\n", offset)
        if end == -1:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def column(self, offset: int) -> int:
        """0-based column of ``offset``."""
        return offset - self.line_start(offset)

    @property
    def resources(self) -> dict:
        res = self.data.get("Resources") if isinstance(self.data, dict) else None
        return res if isinstance(res, dict) else {}

    def resource_types(self) -> frozenset:
        """The ``Type`` of every resource (strings only), computed once per parse."""
        found = self.memo.get("resource_types")
        if found is None:
            found = self.memo["resource_types"] = frozenset(self._resources_by_type())
        return found

    def resources_of_type(self, *types: str) -> Iterator[tuple[str, dict]]:
        """(id, body) of each resource whose ``Type`` is one of ``types``, in the template's order.

        One type (five calls in six) is read off an index of the resources by their string
        ``Type``, built once per parse: fixers ask about six times per document, and each ask
        visited every resource (54,000 visits in a ``check --all`` over aws-samples). A
        ``Type`` that is no string equals no type asked for, so the index leaves it out. Several
        types none of which the template holds are answered from ``resource_types`` (which the
        engine asks of every document anyway) without a walk."""
        if len(types) != 1:
            if self.resource_types().isdisjoint(types):
                return iter(())
            return ((name, res) for name, res in self.resources.items()
                    if isinstance(res, dict) and res.get("Type") in types)
        return iter(self._resources_by_type().get(types[0], ()))

    def _resources_by_type(self) -> dict[str, list[tuple[str, dict]]]:
        """The resources by their string ``Type``, each list in the template's order; built once
        per parse, for ``resources_of_type`` and ``resource_types`` (its keys) alike."""
        by_type = self.memo.get("resources_by_type")
        if by_type is None:
            by_type = self.memo["resources_by_type"] = {}
            for name, res in self.resources.items():
                if isinstance(res, dict) and isinstance(kind := res.get("Type"), str):
                    by_type.setdefault(kind, []).append((name, res))
        return by_type


_new = object.__new__


def _node(kind: str, value: Any, start: int, end: int, tag: str | None = None, style: str | None = None) -> Node:
    """``Node(kind, value, start, end, tag, style)``, for the parsers' loops: a class call runs
    its ``__init__`` from C (type call, then the init slot), and building the node in a plain
    function called from Python costs ~370 of the ~2,700 instructions less (a parse builds one
    per scalar: 0.63% of ``check --all``). It sets every field, as ``__init__`` does (a test
    compares the two)."""
    node = _new(Node)
    node.kind = kind
    node.value = value
    node.start = start
    node.end = end
    node.tag = tag
    node.style = style
    node.shared = False
    node._keys = None
    return node


def _node_end(node: Node) -> int:
    return node.end


def _record(node: Node, spans: dict[int, tuple[int, int]]) -> None:
    """Record the span of every node under ``node`` (its own is already). A collection records
    its children: only collections are stacked (three nodes in four are scalars, and a mapping's
    keys always are)."""
    todo = [node] if node.kind != "scalar" else []
    while todo:
        n = todo.pop()
        if n.kind == "map":
            for k, v in n.value:
                spans[id(k)] = (k.start, k.end)
                spans[id(v)] = (v.start, v.end)
                if v.kind != "scalar":
                    todo.append(v)
        else:
            for v in n.value:
                spans[id(v)] = (v.start, v.end)
                if v.kind != "scalar":
                    todo.append(v)


def line_break(text: str) -> str:
    """The line break ``text`` writes: ``"\\r\\n"`` when it holds one, else ``"\\n"``.

    It looks for a ``"\\r"`` first, which nearly no template holds: a search for one character
    is a memchr, while one for ``"\\r\\n"`` stops at every line break (the engine and the style
    ask ~1,300 times in a run over aws-samples: 19 -> 0.7 ms CPU)."""
    return "\r\n" if "\r" in text and "\r\n" in text else "\n"


def decode(raw: bytes) -> str:
    """Bytes to text without losing any (BOM and line endings stay in the string)."""
    if len(raw) > MAX_BYTES:
        raise TemplateError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if _utf16(raw[:8192]):
        raise TemplateError("UTF-16 text; CloudFormation reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in raw[:8192]:
        raise TemplateError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"not UTF-8 text (byte {exc.start})") from None


def _utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is NUL (UTF-16 without one)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (0 not in even and odd.count(0) * 2 >= len(odd)) or (0 not in odd and even.count(0) * 2 >= len(even))


def parse(text: str, require_template: bool = True, duplicates: bool = False) -> Document:
    """Parse YAML or JSON text into a Document; raises TemplateError with a one-line cause.

    A repeated mapping key raises DuplicateKeyError, unless ``duplicates``: then both entries
    are kept in the tree, the first one's value in the data, and each repeat is listed in
    ``Document.duplicates`` (for the fixer that repairs them; other code needs a strict parse).

    The cyclic garbage collector is paused meanwhile: the nodes and data built are acyclic,
    and collections triggered by building them rescan an ever larger heap (parsing 15,000
    buckets took four times as long with it running).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, require_template, duplicates)
    finally:
        if paused:
            gc.enable()


def _parse(text: str, require_template: bool, duplicates: bool = False) -> Document:
    body = text[1:] if text.startswith("\ufeff") else text
    fmt = "json" if body.lstrip().startswith("{") else "yaml"
    if fmt == "json":
        fast = _json_tree(body, len(text) - len(body), 0)
        if fast is not None:
            doc = Document(text=text, format=fmt, root=fast[0], data=fast[1], _aliases=False, _merges=False)
            if require_template and not is_template(doc.data):
                raise TemplateError("not a CloudFormation template (no Resources mapping or AWSTemplateFormatVersion)")
            return doc
    try:
        loader = _TemplateLoader(body)  # libyaml skips a BOM without counting it; offsets are shifted back below
        try:
            ynode = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "more than one YAML document; a template is a single document"
        elif "exceeded maximum nesting depth" in str(exc):  # libyaml's own limit, at 1000 levels
            raise TemplateError(f"{where}nesting deeper than {MAX_DEPTH} levels") from None
        elif mark is not None and body[mark.index : mark.index + 1] == "\t":
            problem = "tab character in indentation; YAML indents with spaces only"
        raise TemplateError(f"{where}{'invalid JSON' if fmt == 'json' else 'invalid YAML'}: {problem}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    if ynode is None:
        raise TemplateError("empty file")
    # an alias needs an anchor ("&name") and a reference to it ("*name"): text holding no "&" or
    # no "*" has none, and no node of it is reached twice (nearly every template)
    aliased = "&" in body and "*" in body
    builder = (_Builder if aliased else _TreeBuilder)(text, len(text) - len(body))
    if duplicates:
        builder.duplicates = []
    root, data = builder.build(ynode, ())
    if fmt == "json" and not _JSON_START.match(body):
        fmt = "yaml"  # YAML's flow style (`{Resources: {...}}`): new content is written as YAML
    doc = Document(text=text, format=fmt, root=root, data=data, duplicates=builder.duplicates or [],
                   _aliases=builder.aliased > 0, _merges=builder.merges)
    if require_template and not is_template(data):
        raise TemplateError("not a CloudFormation template (no Resources mapping or AWSTemplateFormatVersion)")
    return doc


def is_template(data: Any) -> bool:
    return isinstance(data, dict) and (isinstance(data.get("Resources"), dict) or "AWSTemplateFormatVersion" in data)


# Strict JSON, read without libyaml (issue 21): the fast path of _json_tree. A string holds no
# character libyaml refuses (controls), reads as a line break (it would fold) or treats apart
# (BOM, surrogates), and no escape but JSON's; a \u surrogate escape, which libyaml refuses,
# is left to it. Between tokens only JSON's whitespace; a key is followed on its own line by
# its colon (libyaml's simple key may not span a line break).
_JSON_CHAR = '[^"\\\\\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff\\ufeff\\ufffe\\uffff]'
_JSON_STRING = f'"({_JSON_CHAR}*(?:\\\\(?:["\\\\/bfnrt]|u(?![dD][89a-fA-F])[0-9a-fA-F]{{4}}){_JSON_CHAR}*)*)"'
_JSON_WORD = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null"
# one match: a string, a number or word, or a bracket, then the blanks and comma after it; a
# string followed by a colon is an entry's key, and the match goes on with the entry's value
# (a string, word or opening bracket: after a colon a closing one is no JSON, and the match
# ends at the string then, an item without a key, which the loop refuses; so an entry's match
# never holds a closing bracket, and the loop tests for one only in ``other``).
# A string is read once, whether it turns out a key or a value (a pattern trying a key first
# read each value string twice: 13% more instructions in findall)
_JSON_OTHER = f"({_JSON_WORD}|[][{{}}])"
_JSON_ITEM = re.compile(f"(?:{_JSON_STRING}(?:([ \\t]{{0,8}}:[ \\t\\r\\n]*)(?:{_JSON_STRING}|({_JSON_WORD}|[{{[])))?"
                        f"|{_JSON_OTHER})([ \\t\\r\\n]*,?[ \\t\\r\\n]*)")
# after the top-level collection: blanks, then blank lines (a tab after a line break starts
# no token for libyaml: an error, left to it)
_JSON_TAIL = re.compile("[ \\t]*(?:[\\r\\n][ \\r\\n]*)?")
_JSON_WORDS: dict[str, Any] = {}  # number or word -> its data, as libyaml and the resolver make it
# a text libyaml reads that starts as JSON does, its first key quoted (or no key): JSON whose
# strictness the fast path was not sure of, or a near-miss of JSON, still written as JSON; a
# first key written plain is YAML's flow style (`{AWSTemplateFormatVersion: ...}`)
_JSON_START = re.compile(r'\s*\{\s*["}]')
_MAX_KEY = 1000  # characters: libyaml drops a key whose colon is over 1024 characters after its start


class _NotStrict(Exception):
    """The text is not JSON this fast path is sure of: libyaml parses it (and words any error)."""


def _json_tree(body: str, base: int, depth: int) -> tuple[Node, Any] | None:
    """The tree and data libyaml and :class:`_TreeBuilder` build from ``body``, a JSON text
    whose top-level collection stands at nesting ``depth``, with offsets moved by ``base``;
    None for anything but strict JSON whose result is certain (the caller parses it with
    libyaml then, which also words every error).

    Why the same: JSON is YAML's flow syntax with double-quoted strings, and libyaml reads it
    so: each collection is a "flow" node from its opening bracket to just after its closing
    one, each string a '"' scalar from quote to quote whose escapes (JSON's, a subset of
    YAML's) decode the same, and each number, true, false and null a plain scalar, whose data
    is what the libyaml path makes of that word alone (``_json_word``: ``1e5`` stays a string,
    ``1.0E+3`` is a float). A repeated key, nesting at ``MAX_DEPTH``, a long key, tabs
    where libyaml wants indentation, or any other text gives None. libyaml counts the offsets
    in characters, as Python's ``re`` does.

    The speed (issue 21): one match per entry, taken by ``findall`` in C, where PyYAML makes
    a node and two marks per scalar and the builder walks them again. Every character of a
    match but a string's two quotes is in one of its groups, so their lengths give the
    offsets; text the pattern could not match is skipped by ``findall``, so the lengths then
    add up to less than the text.
    """
    pos = base + len(body) - len(body.lstrip(" \r\n"))  # offsets in the text (the body starts at ``base``)
    top: list = []  # holds the top-level collection's node once it is closed
    stack: list[tuple] = []  # the enclosing collections: (is_map, items, data, key node, key, start)
    is_map, items, start = False, top, 0
    data: Any = []
    value: Any = None
    state = 0  # 0: just opened, 1: after a comma (an item must follow), 2: after an item
    level = depth - 1  # nesting of the collection being read
    words = _JSON_WORDS
    node_ = _node
    knode: Node | None = None
    kvalue: str | None = None
    try:
        for string, colon, second, value_other, other, tail in _JSON_ITEM.findall(body, pos - base):
            # ``other`` holds a bracket, a number or a word, or nothing (then the item is ``string``);
            # a match with a colon holds none there, nor ever a closing bracket as the entry's value
            if other == "}" or other == "]":
                if state == 1 or not stack or (other == "}") != is_map:
                    return None
                pos += 1
                node = node_("map" if is_map else "seq", items, start, pos, None, "flow")
                value = data
                is_map, items, data, knode, kvalue, start = stack.pop()
                level -= 1
                if not stack and "," in tail:
                    return None  # after the top-level collection (an item there is refused by ``state``)
            else:
                if colon:  # ``string`` is an entry's key: its value follows
                    if state == 2 or not is_map:
                        return None  # a missing comma, or a key where none belongs
                    kvalue = string if "\\" not in string else _json_unescape(string)
                    if kvalue in data or len(string) > _MAX_KEY:
                        return None  # a repeat, which libyaml's path refuses or records; a key libyaml drops
                    at = pos + len(string) + 2
                    knode = node_("scalar", kvalue, pos, at, None, '"')
                    pos = at + len(colon)
                    string, other = second, value_other
                elif state == 2 or is_map:
                    return None  # a missing comma, or no key where one belongs
                at = pos
                if not other:
                    value = string if "\\" not in string else _json_unescape(string)
                    pos += len(string) + 2
                    node = node_("scalar", value, at, pos, None, '"')
                elif other == "{" or other == "[":
                    level += 1
                    if "," in tail or level >= MAX_DEPTH:
                        return None
                    stack.append((is_map, items, data, knode, kvalue, start))
                    is_map, items, start, state = other == "{", [], at, 0
                    data = {} if is_map else []
                    pos += 1 + len(tail)
                    continue
                else:
                    value = words[other] if other in words else _json_word(other)
                    pos += len(other)
                    node = node_("scalar", value, at, pos)
            if is_map:
                items.append((knode, node))
                data[kvalue] = value
            else:
                items.append(node)
                data.append(value)
            pos += len(tail)
            state = 1 if "," in tail else 2
    except _NotStrict:
        return None
    if stack or items is not top or len(top) != 1 or state != 2 or pos != base + len(body):
        return None
    root = top[0]
    if root.kind == "scalar" or not _JSON_TAIL.fullmatch(body, root.end - base):
        return None  # a lone scalar is a plain or quoted YAML document, not a collection
    return root, data[0]


def _json_unescape(inner: str) -> str:
    """What a JSON string holds between its quotes, decoded: JSON's escapes (the pattern admits
    no other, and no surrogate) decode as in a YAML double-quoted scalar."""
    return _json_scanstring(inner + '"', 0)[0]


def _json_word(word: str) -> Any:
    """The data of a JSON number, true, false or null: what libyaml's path makes of the same
    text as a plain scalar (PyYAML's YAML 1.1 resolver, not JSON's rules), remembered."""
    loader = _TemplateLoader(word)
    try:
        ynode = loader.get_single_node()
    except yaml.YAMLError:
        raise _NotStrict from None
    finally:
        loader.dispose()
    if not isinstance(ynode, yaml.ScalarNode) or ynode.style or ynode.end_mark.index != len(word):
        raise _NotStrict
    value = _TreeBuilder(word).build(ynode)[1]
    if len(_JSON_WORDS) >= _MAX_PLAIN_TAGS:
        _JSON_WORDS.clear()
    _JSON_WORDS[word] = value
    return value


class _Builder:
    """Turns PyYAML nodes into :class:`Node` trees and plain data in one walk.

    An aliased node is built once and shared by every alias: rebuilding it per alias lets a
    few hundred bytes of nested aliases ("billion laughs") expand exponentially. What aliases
    reach is still counted as if expanded, and capped, for the code that walks the data.

    This walk is most of a parse's cost (issue 21): plain scalars, most of any template, are
    built inline by their parent, and the path is a stack kept only for error messages.
    """

    _constructor = yaml.constructor.SafeConstructor()
    tracking = True  # remember each node built, for aliases to share it and count what they expand to
    duplicates: "list[Duplicate] | None" = None  # a list: repeated keys are recorded there, not refused
    merges = False  # set once a mapping merges another in (a "<<" key)

    def __init__(self, text: str, base: int = 0) -> None:
        self.text = text
        self.base = base  # offset of the parsed body in ``text`` (1 after a BOM)
        self.first: dict[int, tuple[Node, Any, int]] = {}  # PyYAML node -> (Node, data, expanded size)
        self.open: set[int] = set()  # PyYAML collections being built: an alias to one is recursive
        self.count = 0  # nodes built so far, aliases counted as if expanded
        self.aliased = 0  # of which reached through aliases
        self.path: list = []  # keys and indices down to the node being built

    def build(self, y: yaml.Node, path: tuple = ()) -> tuple[Node, Any]:
        self.path = list(path)
        return self._build(y)

    def _build(self, y: yaml.Node) -> tuple[Node, Any]:
        first = self.first.get(id(y))
        if first is not None:  # an alias: the anchored original is shared as well
            original, original_data, size = first
            _mark_shared(original)
            self.count += size
            self.aliased += size
            if self.aliased > MAX_ALIASED_NODES:
                raise TemplateError(f"YAML aliases expand to more than {MAX_ALIASED_NODES} nodes; refused")
            return original, original_data
        cls = type(y)
        if cls is _ScalarNode:
            return self._plain_or_scalar(y)
        if id(y) in self.open:
            raise TemplateError(f"line {y.start_mark.line + 1}: YAML alias inside the node it names (a recursive structure)")
        if len(self.path) > MAX_DEPTH:
            raise TemplateError(f"line {y.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        self.open.add(id(y))
        before = self.count
        node, data = self._collection(y, cls)
        self.open.discard(id(y))
        self.count += 1
        self.first[id(y)] = (node, data, self.count - before)
        return node, data

    def _collection(self, y: yaml.Node, cls: type) -> tuple[Node, Any]:
        """A mapping or sequence node, with its short-form intrinsic tag (``!If [...]``) if any."""
        tag = y.tag
        tag = tag if tag[:1] == "!" and tag[:2] != "!!" else None
        data: Any
        if cls is _MappingNode or isinstance(y, yaml.MappingNode):
            node, data = self._mapping(y)
        else:
            node, data = self._sequence(y)
        if tag is not None:
            node.tag = tag
            data = _intrinsic(tag, data)
        return node, data

    def _plain_or_scalar(self, y: yaml.ScalarNode) -> tuple[Node, Any]:
        """A scalar node (not reached before through an alias)."""
        node, data = self._scalar_pair(y)
        self.count += 1
        self.first[id(y)] = (node, data, 1)
        return node, data

    def _scalar_pair(self, y: yaml.ScalarNode) -> tuple[Node, Any]:
        """The node and data of a scalar node."""
        if len(self.path) > MAX_DEPTH:
            raise TemplateError(f"line {y.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        base = self.base
        tag = y.tag
        style = y.style
        start, end = y.start_mark.index + base, y.end_mark.index + base
        if tag[:1] == "!" and tag[:2] != "!!":
            data: Any = y.value
            if style in ("|", ">"):
                end = start + len(self.text[start:end].rstrip(" \t\r\n"))
            node = _node("scalar", data, start, end, tag, style or None)
            data = _intrinsic(tag, data)
        else:
            if style:
                data = y.value
                if style in ("|", ">"):
                    end = start + len(self.text[start:end].rstrip(" \t\r\n"))
            elif tag == _STR:
                data = y.value
            else:
                data = self._scalar(y, None)
            node = _node("scalar", data, start, end, None, style or None)
        return node, data

    def _sequence(self, y: yaml.SequenceNode) -> tuple[Node, list]:
        path = self.path
        nodes: list[Node] = []
        data: list = []
        for i, item in enumerate(y.value):
            path.append(i)
            n, d = self._build(item)
            path.pop()
            nodes.append(n)
            data.append(d)
        base = self.base
        flow = y.flow_style
        node = _node("seq", nodes, y.start_mark.index + base, 0, None, "flow" if flow else "block")
        node.end = y.end_mark.index + base if flow or not nodes else nodes[-1].end
        return node, data

    def _mapping(self, y: yaml.MappingNode) -> tuple[Node, dict]:
        pairs: list[tuple[Node, Node]] = []
        data: dict = {}
        merged: list[dict] = []
        base = self.base
        path = self.path
        build = self._build
        first = self.first
        tracking = self.tracking
        deep = len(path) >= MAX_DEPTH
        node_, scalar, string = _node, _ScalarNode, _STR  # locals: looked up once per mapping
        repeats: list[tuple] = []  # (key, first index, second index, second data, first data)
        loose = self.duplicates is not None
        positions: dict = {}  # key -> index of its first entry, kept only when repeats are recorded
        for ykey, yval in y.value:
            if ykey.tag == _MERGE:
                self.merges = True
                _, mdata = build(yval)
                merged.extend(mdata if isinstance(mdata, list) else [mdata])
                continue
            if type(ykey) is not scalar and not isinstance(ykey, yaml.ScalarNode):
                line = ykey.start_mark.line + 1
                raise TemplateError(f"line {line}: mapping key is not a scalar in {_where(tuple(path))}")
            key = ykey.value
            repeated = key in data
            if repeated and self.duplicates is None:
                line = ykey.start_mark.line + 1
                raise DuplicateKeyError(f"line {line}: duplicate key '{key}' in {_where(tuple(path))}")
            knode = node_("scalar", key, ykey.start_mark.index + base, ykey.end_mark.index + base, None, ykey.style or None)
            if type(yval) is scalar and yval.tag == string and not yval.style and not (tracking and id(yval) in first):
                # a plain string, the commonest value: what _build would do, without two calls
                if deep:
                    raise TemplateError(f"line {yval.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
                vdata = yval.value
                vnode = node_("scalar", vdata, yval.start_mark.index + base, yval.end_mark.index + base)
                if tracking:
                    self.count += 1
                    first[id(yval)] = (vnode, vdata, 1)
            else:
                path.append(key)
                vnode, vdata = build(yval)
                path.pop()
            if loose:
                positions.setdefault(key, len(pairs))
            pairs.append((knode, vnode))
            if repeated:
                repeats.append((key, positions[key], len(pairs) - 1, vdata, data[key]))
            else:
                data[key] = vdata
        for extra in merged:
            if isinstance(extra, dict):
                for k, v in extra.items():
                    data.setdefault(k, v)
        start = y.start_mark.index + base
        if y.flow_style or not pairs:
            end = y.end_mark.index + base
        else:
            end = max(pairs[-1][0].end, pairs[-1][1].end)
        node = _node("map", pairs, start, end, None, "flow" if y.flow_style else "block")
        recorded = self.duplicates
        if recorded is not None:  # repeats are found only then
            recorded.extend(Duplicate(tuple(path), key, first, second, vdata, fdata, node)
                            for key, first, second, vdata, fdata in repeats)
        return node, data

    def _scalar(self, y: yaml.ScalarNode, tag: str | None) -> Any:
        if y.style or tag is not None:
            return y.value
        ctor = self._constructor
        if y.tag == _INT:
            return ctor.construct_yaml_int(y)
        if y.tag == _FLOAT:
            return ctor.construct_yaml_float(y)
        if y.tag == _BOOL:
            return ctor.construct_yaml_bool(y)
        if y.tag == _NULL:
            return None
        return y.value  # strings, and timestamps, which CloudFormation reads as strings


class _TreeBuilder(_Builder):
    """The builder for text without YAML aliases, where every node is reached once: nothing is
    remembered per node to share it with an alias or to count what aliases expand to. Builds
    what :class:`_Builder` builds, with less bookkeeping (issue 21)."""

    tracking = False

    def _build(self, y: yaml.Node) -> tuple[Node, Any]:
        cls = type(y)
        if cls is _ScalarNode:
            return self._scalar_pair(y)
        if len(self.path) > MAX_DEPTH:
            raise TemplateError(f"line {y.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} levels")
        return self._collection(y, cls)


def _mark_shared(node: Node) -> None:
    """Flag a node and everything under it: an edit there would also show up where it is aliased."""
    if node.shared:
        return  # flagged before, with its whole subtree
    node.shared = True
    if node.kind == "scalar":
        return
    for child in node.value if node.kind == "seq" else [n for pair in node.value for n in pair]:
        _mark_shared(child)


def _intrinsic(tag: str, value: Any) -> dict:
    """Long form of a short-form intrinsic function (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``)."""
    name = _SHORT_NAMES.get(tag) or "Fn::" + tag[1:]
    if name == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1) if "." in value else [value]
    return {name: value}


def _where(path: tuple) -> str:
    return "/".join(str(p) for p in path) or "the top level"
