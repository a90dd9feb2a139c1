"""Mapping keys a template cannot be read with: a key given twice in one mapping, and a plain
``Null`` key YAML reads as null (cfn-lint E0000)."""

from __future__ import annotations

import re
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document, Duplicate, Node
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer

# plain scalars YAML 1.1 resolves to null; ``Null`` is also an IAM condition operator
_NULL_WORDS = ("Null", "null", "NULL", "~")
_NULL_KEY_TEXT = re.compile(r"(?:^|[\s{,?])(?:Null|null|NULL|~)[ \t]*:(?:\s|$)", re.M)
# the same without what comes before the word: a pattern that starts with the word is searched for
# many times faster, and most texts hold no such word at all
_NULL_WORD_TEXT = re.compile(r"(?:Null|null|NULL|~)[ \t]*:(?:\s|$)", re.M)


def _may_write_null_key(text: str) -> bool:
    """Whether ``text`` writes a null word as a key, as ``_NULL_KEY_TEXT`` finds it.

    Three substring searches first: every null word ends in ``ull``, ``ULL`` or ``~``, and 36 of
    aws-samples' 160 YAML texts hold one, while the regexes try each ``n`` and ``N`` of a text
    (3.5 ms instead of 8.8 ms a pass over those texts)."""
    return ("ull" in text or "ULL" in text or "~" in text) and _NULL_WORD_TEXT.search(text) is not None \
        and _NULL_KEY_TEXT.search(text) is not None


def _where(path: tuple) -> str:
    return "/".join(str(p) for p in path) or "the top level"


def _empty(value: Any) -> bool:
    return value is None or value == {}


class MappingKey(Fixer):
    name = "mapping-key"
    summary = "Repair mapping keys a template cannot be read with: repeated keys and a plain Null key (E0000)"
    group = "deploy"
    safety = Safety.REVIEW  # of its usual change, merging two blocks; dropping a repeat and quoting are safe
    default = False
    docs = """
    ## What it detects
    - a key given twice in one mapping: a top-level section written in two blocks
      (`Resources:` twice, `Mappings:` twice), a repeated entry, a repeated
      `AWSTemplateFormatVersion` (cfn-lint E0000; cfnfix refuses such a file unless this fixer
      is selected);
    - a plain `Null` key (`Null:` in YAML, not quoted), which YAML reads as a null key: cfn-lint
      stops with E0000 `Null key 'Null' not supported`. In a policy statement's `Condition` it
      is IAM's `Null` condition operator.

    ## Why it matters
    Linters refuse the whole template, and CloudFormation reads only the last of two repeated
    keys: the resources of a first `Resources:` block are silently not deployed.

    ## What it changes
    - a repeated entry with the same value (or an empty one, `Outputs:` with nothing under it)
      is dropped, the other one kept;
    - two blocks of one mapping whose keys do not overlap are merged: the second block's entries
      move, as written (comments and style kept), to the end of the first block. This is a
      **review** change: CloudFormation deployed only the second block, so the first block's
      entries are new to a deployed stack;
    - `Null:` in an IAM policy statement's `Condition` is quoted (`'Null':`).

    Repeated keys with different values, blocks that share a key, and two templates written
    one after the other stay a one-line error naming both lines: which one is meant is not
    plain. A `Null` key anywhere else is reported.

    ## Example
    ```yaml
    # before
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
    Outputs:
      BucketName:
        Value: !Ref Bucket
    Resources:
      Queue:
        Type: AWS::SQS::Queue
    # after
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
      Queue:
        Type: AWS::SQS::Queue
    Outputs:
      BucketName:
        Value: !Ref Bucket
    ```

    ## Fix safety
    Dropping a repeat with the same value, or an empty first entry, and quoting `Null` are
    safe: nothing a deployment reads changes. Dropping an empty last entry is review: the first
    entry's value, which CloudFormation did not read, takes effect. Merging two blocks is review: it adds the first block's entries, which a
    deployed stack did not have.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = [self._duplicate(doc, d) for d in doc.duplicates]
        top = {d.key for d in doc.duplicates if d.path == ()}
        if {"AWSTemplateFormatVersion", "Description"} <= top:  # a second header: two templates one after the other
            d = min((d for d in doc.duplicates if d.path == () and d.key in ("AWSTemplateFormatVersion", "Description")),
                    key=lambda d: d.second)
            message = (f"line {self._line(doc, d, d.second)}: a second template starts here (AWSTemplateFormatVersion "
                       f"and Description repeat; the first starts at line {self._line(doc, d, d.first)}); keep one "
                       "of them")
            findings = [Finding(None, (), message, fixable=False, detail="duplicate")] + findings
        if doc.format == "yaml" and not doc.duplicates:  # paths are plain once no key repeats
            findings += self._null_keys(doc)
        return findings

    # ------------------------------------------------------------ repeated keys

    def _line(self, doc: Document, d: Duplicate, index: int) -> int:
        return doc.line_col(d.mapping.value[index][0].start)[0]

    def _duplicate(self, doc: Document, d: Duplicate) -> Finding:
        path = d.path + (d.key,)
        first, second = self._line(doc, d, d.first), self._line(doc, d, d.second)
        head = f"line {second}: duplicate key '{d.key}' in {_where(d.path)} (first at line {first})"
        if d.value == d.first_value and type(d.value) is type(d.first_value):
            return Finding(None, path, f"{head}: the same value twice; the repeat is dropped", detail=("drop", d, d.second))
        if _empty(d.value) or _empty(d.first_value):
            which = d.second if _empty(d.value) else d.first
            return Finding(None, path, f"{head}: one of them is empty; it is dropped", detail=("drop", d, which))
        vf, vs = d.mapping.value[d.first][1], d.mapping.value[d.second][1]
        if isinstance(d.value, dict) and isinstance(d.first_value, dict) and vf.kind == vs.kind == "map":
            shared = [k for k in d.value if k in d.first_value]
            if shared:
                return Finding(None, path, f"{head}: both blocks define {', '.join(map(str, shared[:3]))}; keep one "
                               "of each (CloudFormation reads the last block only)", fixable=False, detail="duplicate")
            if vf.shared or vs.shared or (vf.style == "flow") != (vs.style == "flow"):
                return Finding(None, path, f"{head}: the two blocks are written in different styles or through YAML "
                               "aliases; merge them by hand", fixable=False, detail="duplicate")
            return Finding(None, path, f"{head}: the second block's entries ({', '.join(map(str, list(d.value)[:5]))}"
                           f"{', ...' if len(d.value) > 5 else ''}) move into the first; CloudFormation read only the "
                           "last block, so the first block's entries are new to a deployed stack",
                           detail=("merge", d))
        return Finding(None, path, f"{head} with a different value; keep one of them (CloudFormation reads the last)",
                       fixable=False, detail="duplicate")

    def _merge_text(self, doc: Document, ks: Node, vf: Node, vs: Node) -> tuple[int, str]:
        """Where the second block's entries go (the end of the first block) and their text."""
        text = doc.text
        if doc.format == "json" or vf.style == "flow":
            moved = text[vs.start + 1 : vs.value[-1][1].end]
            return vf.value[-1][1].end, "," + moved.replace("\r\n", "\n")
        # comment lines between the second block's key and its first entry go with the entries
        start = min(text.find("\n", ks.end) + 1, doc.line_start(vs.start))
        while text.startswith(("\n", "\r\n"), start) and start < doc.line_start(vs.start):
            start = text.find("\n", start) + 1
        segment = text[start : doc.line_end(vs.end)].replace("\r\n", "\n")
        delta = doc.column(vf.value[0][0].start) - doc.column(vs.value[0][0].start)
        if delta:
            lines = segment.split("\n")
            if delta < 0 and any(ln.strip() and not ln.startswith(" " * -delta) for ln in lines):
                raise EditConflict("the second block is indented less than its entries can move by")
            segment = "\n".join((" " * delta + ln if delta > 0 else ln[-delta:]) if ln.strip() else ln for ln in lines)
        blank = len(vf.value) > 1 and "\n\n" in text[vf.value[-2][1].end : vf.value[-1][0].start].replace("\r\n", "\n")
        return doc.line_end(vf.end), ("\n\n" if blank else "\n") + segment

    # ------------------------------------------------------------ null keys

    def _null_keys(self, doc: Document) -> list[Finding]:
        if not _may_write_null_key(doc.text):  # most: no walk
            return []
        findings = []
        stack: list[tuple[Node, tuple]] = [(doc.root, ())]
        while stack:
            node, path = stack.pop()
            if node.kind == "seq":
                stack.extend((child, path + (i,)) for i, child in enumerate(node.value))
                continue
            if node.kind != "map":
                continue
            for key, value in node.value:
                here = path + (key.value,)
                if key.style is None and key.value in _NULL_WORDS and not key.tag:
                    statement = doc.value(path[:-1]) if path[-1:] == ("Condition",) else None
                    if key.value == "Null" and isinstance(statement, dict) and "Effect" in statement:
                        findings.append(Finding(None, here, f"E0000 key 'Null' in {_where(path)} is IAM's Null "
                                                "condition operator, which YAML reads as a null key; quoted",
                                                detail=("quote",)))
                    else:
                        findings.append(Finding(None, here, f"E0000 key '{key.value}' in {_where(path)} is read as "
                                                "null by YAML; quote it if the word is meant, or remove it",
                                                fixable=False))
                stack.append((value, here))
        findings.sort(key=lambda f: [str(p) for p in f.path])
        return findings

    # ------------------------------------------------------------ fix

    def _remove(self, editor: Editor, doc: Document, d: Duplicate, index: int, path: tuple, removed: set) -> None:
        """Remove entry ``index`` of the duplicate's mapping. The last entry of a block mapping
        is removed from the end of the line before it, which the removal of the entry before it,
        a repeat as well, also takes: then it goes from the end of that one's lines instead."""
        entries = d.mapping.value
        if (doc.format == "yaml" and d.mapping.style != "flow" and index == len(entries) - 1 and index > 0
                and (id(d.mapping), index - 1) in removed):
            after_previous = doc.text.find("\n", entries[index - 1][1].end) + 1
            after_value = doc.text.find("\n", entries[index][1].end) + 1 or len(doc.text)
            if 0 < after_previous <= doc.line_start(entries[index][0].start):
                editor.splice(after_previous, after_value)
                return
        editor.remove_entry(d.mapping, index, path)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        removed = set()
        for f in findings:
            if f.detail[0] in ("drop", "merge"):
                d = f.detail[1]
                removed.add((id(d.mapping), f.detail[2] if f.detail[0] == "drop" else d.second))
        for f in findings:
            kind = f.detail[0]
            with editor.finding(f):
                if kind == "quote":
                    node = doc.node(f.path[:-1])
                    entry = node.entry("Null") if node is not None else None
                    if entry is None:
                        raise EditConflict("the key moved")
                    key = entry[0]
                    editor.insert(key.start, "'")
                    editor.insert(key.end, "'")
                    changes.append(self.change(f, "replace", None, "Null", f.message, safety=Safety.SAFE))
                elif kind == "drop":
                    d, index = f.detail[1], f.detail[2]
                    self._remove(editor, doc, d, index, f.path, removed)
                    before = d.first_value if index == d.first else d.value
                    # CloudFormation reads the last entry: dropping the last, when the first
                    # differs, puts the first one's value into effect
                    same = d.value == d.first_value and type(d.value) is type(d.first_value)
                    safety = Safety.SAFE if index == d.first or same else Safety.REVIEW
                    changes.append(self.change(f, "remove", before, None, f.message, safety=safety))
                elif kind == "merge":
                    d = f.detail[1]
                    vf, (ks, vs) = d.mapping.value[d.first][1], d.mapping.value[d.second]
                    at, text = self._merge_text(doc, ks, vf, vs)
                    editor.insert(at, text)
                    self._remove(editor, doc, d, d.second, f.path, removed)
                    changes.append(self.change(f, "move", d.value, {**d.first_value, **d.value}, f.message))
        return Fix.of(editor, changes)
