"""The strict-JSON fast path (``document._json_tree``) builds exactly the tree and data the
libyaml path builds, field by field, or declines (returns None) so that libyaml parses the
text: on every JSON template of the corpus and the fixtures, on hand-written corners, and on
random one-character mutations of real templates."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from cfnfix import document
from cfnfix.document import MAX_DEPTH, DuplicateKeyError, Node, TemplateError, parse
from support import CORPUS, FIXTURES


def fast(text: str) -> tuple[Node, Any] | None:
    body = text[1:] if text.startswith("\ufeff") else text
    return document._json_tree(body, len(text) - len(body), 0)


def libyaml(text: str, duplicates: bool = False) -> document.Document:
    with mock.patch.object(document, "_json_tree", return_value=None):
        return parse(text, require_template=False, duplicates=duplicates)


def typed(value: Any) -> Any:
    """The data with each value's type spelled out (1, 1.0 and True differ; so do 0.0 and -0.0)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def fields(node: Node) -> Any:
    """Every field of a node and its subtree."""
    own = (node.kind, node.start, node.end, node.tag, node.style, node.shared, node._keys)
    if node.kind == "map":
        return own, [(fields(k), fields(v)) for k, v in node.value]
    if node.kind == "seq":
        return own, [fields(n) for n in node.value]
    return own, typed(node.value)


def assert_same(text: str, expect_fast: bool | None = None) -> None:
    """The fast path's tree and data are libyaml's, or it declines and parse is libyaml's."""
    got = fast(text)
    if expect_fast is not None:
        assert (got is not None) == expect_fast, text
    if got is None:
        try:
            slow = libyaml(text)
        except TemplateError as exc:
            with pytest.raises(TemplateError) as raised:
                parse(text, require_template=False)
            assert str(raised.value) == str(exc) and type(raised.value) is type(exc)
            return
        doc = parse(text, require_template=False)
        got = (doc.root, doc.data)
    else:
        slow = libyaml(text)
        doc = parse(text, require_template=False)
    assert fields(got[0]) == fields(slow.root), text
    assert typed(got[1]) == typed(slow.data), text
    assert fields(doc.root) == fields(slow.root), text
    # JSON, or a near miss of it, while a first key written as YAML's flow style writes it is YAML
    assert doc.format == slow.format == ("json" if text.removeprefix("\ufeff").lstrip()[1:].lstrip()[:1] in ('"', "}") else "yaml")
    assert doc.duplicates == slow.duplicates == []


def test_a_template_written_in_yaml_flow_style_is_yaml():
    """New content goes into it as YAML (a fix rendered as JSON, quoted keys and all, into
    ``{AWSTemplateFormatVersion: '2010-09-09', ...}`` once made text libyaml refused)."""
    assert parse("{Resources: {Topic: {Type: 'AWS::SNS::Topic'}}}").format == "yaml"
    assert parse("  {'Resources': {}}").format == "yaml"
    assert parse('{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}').format == "json"
    assert parse('{"Resources": {"Topic": {"Type": "AWS::SNS::Topic",}}}').format == "json"  # a near miss


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*.json") if not p.name.endswith((".changes.json", ".options.json")))


def corpus_files() -> list[Path]:
    if not CORPUS.exists():
        return []
    return (sorted((CORPUS / "aws-samples").rglob("*.json")) + sorted(CORPUS.glob("tap/*/model.json"))
            + sorted(CORPUS.glob("tap/*/ideal.json")))


def assert_all_same(files: list[Path]) -> None:
    declined = []
    for path in files:
        text = document.decode(path.read_bytes())
        if fast(text) is None:
            declined.append(path.name)
        assert_same(text)
    # the fast path is for these files: it may decline only the odd one out
    assert len(declined) <= len(files) // 50, declined


def test_every_json_fixture_parses_the_same_way_and_fast():
    assert_all_same(fixture_files())


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs the shared corpus")
def test_every_json_template_of_the_corpus_parses_the_same_way_and_fast():
    assert_all_same(corpus_files())


# ------------------------------------------------------------------ hand-written corners

ESCAPES = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\u0000", "\\u001f",
           "\\u007f", "\\u0085", "\\u2028", "\\u2029", "\\ufeff", "\\uffff", "\\ud7ff", "\\ue000", "\\uABCD"]


@pytest.mark.parametrize("escape", ESCAPES)
def test_each_json_escape_decodes_as_libyaml_decodes_it(escape):
    assert_same('{"a": "x' + escape + 'y", "k' + escape + '": 1}', expect_fast=True)


@pytest.mark.parametrize("escape", ["\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\uDBFF\\uDFFF",  # surrogates: libyaml refuses
                                    "\\x41", "\\a", "\\e", "\\ ", "\\N", "\\_", "\\L", "\\P", "\\U0001F600",  # YAML's only
                                    "\\u12", "\\q", "\\'"])
def test_other_escapes_are_left_to_libyaml(escape):
    assert_same('{"a": "x' + escape + 'y"}', expect_fast=False)


NUMBERS = ["0", "-0", "1", "-1", "10", "1234567890123456789012345", "1.5", "-0.0", "0.0", "1.0E+3", "1.0e+3",
           "1.0e3", "1.0E-3", "10.0e-3", "1e5", "1E5", "1e+5", "-1e-5", "0.5e1", "123.456", "1.0", "true",
           "false", "null"]


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_and_words_resolve_as_plain_yaml_scalars(number):
    # e.g. 1e5 stays the string "1e5" and 1.0E+3 is 1000.0: PyYAML's YAML 1.1 resolver, not JSON's
    assert_same('{"a": ' + number + ', "b": [' + number + "]}", expect_fast=True)


@pytest.mark.parametrize("number", ["0777", "01", "+1", ".5", "1.", "0x1F", "1_000", "Infinity", "NaN", "-", "True",
                                    "NULL", "1.5.2", "--1", "1e", "nul", "truex", "1:20"])
def test_non_json_words_are_left_to_libyaml(number):
    assert_same('{"a": ' + number + "}", expect_fast=False)


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2, 5000])
def test_nesting_at_the_depth_limit(depth):
    # nested(MAX_DEPTH) holds its 1 at depth MAX_DEPTH, the deepest the libyaml path accepts
    assert_same(nested(depth), expect_fast=depth <= MAX_DEPTH)
    if depth > MAX_DEPTH:
        with pytest.raises(TemplateError, match=f"nesting deeper than {MAX_DEPTH} levels"):
            parse(nested(depth), require_template=False)


def test_duplicate_keys_are_refused_or_recorded_by_libyaml():
    text = '{"Resources": {"A": {"Type": "X"}, "B": 1, "A": {"Type": "Y"}}}'
    assert fast(text) is None
    with pytest.raises(DuplicateKeyError, match="line 1: duplicate key 'A' in Resources"):
        parse(text)
    doc = parse(text, duplicates=True)
    expected = libyaml(text, duplicates=True)
    assert [(d.path, d.key, d.first, d.second, d.value, d.first_value) for d in doc.duplicates] == [
        (d.path, d.key, d.first, d.second, d.value, d.first_value) for d in expected.duplicates] != []
    assert fields(doc.root) == fields(expected.root)


@pytest.mark.parametrize("text", [
    "{}", "{ }", '{"a": {}, "b": [], "c": [{}], "d": [[]]}', '{"a": [ ]}',
    '\ufeff{"a": 1}', '\ufeff\n{"a": "\u00e9"}',
    '{\r\n  "a": "b",\r\n  "c": [\r\n    1,\r\n    2\r\n  ]\r\n}\r\n',
    '{"a":1,"b":"c","d":[1,2],"e":{"f":null}}',
    '  \n\n{ "a" :\t1 ,\n\t"b"\t:\n [\t1\t,\n2 ]\t}  \n \n',
    '{\n"a": [\n1\n]\n}', '{"a": 1}\t', '{"a": 1}\r', '{"a": 1}  \r\n  ', '  {\n"a": 1\n}', '\r{"a": 1}',
    '\n\n  \n{"a": {"b":\n\n\n 1}}\n\n\n',
    '{"a": "# not a comment", "b": "x: y", "c": "a #b", "d": ":", "e": "- x", "f": "&a *a !Ref x"}',
    '{"a": "\u00e9\u4e2d\U0001f600", "\u00e9\U0001f600": "\u00e9"}',
    '{"a": "  spaced  ", "b": "", "": "empty key"}',
    '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": "v"}]}}}}',
    '{"' + "k" * 990 + '": 1}',
    # one match reads a string and, if a colon follows, the value after it: strings as values
    '{"x": ["a", {"b": "c"}, "d", ["e"]]}', '{"a": ["b", "c"], "d": "e", "f": [{"g": "h"}]}', '{"a"        : "b"}',
    '{"a": "b"        , "c":        "d"}', '{"a": "", "": "", "b": [""]}',
])
def test_corners_json_allows_are_read_by_the_fast_path(text):
    assert_same(text, expect_fast=True)


@pytest.mark.parametrize("text", [
    '{"a": 1,}', '{"a": [1,]}', '{,}', '{"a" 1}', '{"a": 1 "b": 2}', '{"a": 1}}', '{"a": 1', '{"a": [1}', '{"a": {1]}',
    '{"a": 1} # comment', '{"a": 1 # comment\n}', '{"a": 1}\n---\n', '{"a": 1}\n{"b": 2}', '{"a": 1}, {}', '{"a":"b"}x',
    "\t{\"a\": 1}", '{"a": 1}\n\t', '{"a": 1}\n\t\n', '{"a"\n: 1}', '{"a": "x\ty"}', '{"a": "x\ny"}', '{"a": "x\u0085y"}',
    '{"a": "x\u2028y"}', '{"a": "\x7f"}', '{"a": "\ufeff"}', "{'a': 1}", '{a: 1}', '{"a": b}', '{"a": !Ref b}',
    '{"a": &x 1, "b": *x}', '{"a": "b", "b": "c"}\n...\n', '{"<<": {"a": 1}}x', '[1]x', '{"' + "k" * 1030 + '": 1}',
    '{"a": 1}\x00', '{"a":\u00a01}',
    # a string before a colon that no value follows, or where no key belongs
    '{"a"         : "b"}', '{"a": }', '{"a": , "b": 1}', '{"a": "b": "c"}', '{"a": ["b": 1]}', '{"a":: 1}',
    # a closing bracket as an entry's value; a comma or an item after the top-level collection
    '{"a": ]}', '{"a": {"b": }}', '{"a": 1, "b": ]}', '{"a": 1},', '{"a": 1},\n', '[1],', '{"a": 1}, "b"', '[1] 2',
    '{"a": 1} "b": 2', '{"a": 1}]', '[1], ["a": 2]',
])
def test_other_text_is_left_to_libyaml(text):
    assert_same(text, expect_fast=False)


def test_a_flow_run_parses_at_its_offset_and_depth():
    """reparse wraps a run of entries in braces: the fast path places them and counts depth."""
    text = 'xx{"A": {"B": [1, "c"]}}'
    got = document._json_tree(text[2:], 2, 1)
    assert got is not None
    assert [(k.start, v.start, v.end) for k, v in got[0].value] == [(3, 8, 23)]
    assert document._json_tree(nested(MAX_DEPTH), 0, 0) is not None  # its 1 at depth MAX_DEPTH
    assert document._json_tree(nested(MAX_DEPTH), 0, 1) is None  # one level deeper than at the top
    assert document._json_tree('"a"', 0, 0) is None and document._json_tree("1", 0, 0) is None  # not a collection


# ------------------------------------------------------------------ fuzz

def test_one_character_mutations_parse_the_same_way_or_are_left_to_libyaml():
    rng = random.Random(21)
    sources = rng.sample([p for p in (corpus_files() or fixture_files()) if p.stat().st_size < 8000], 8)
    alphabet = ' \t\r\n{}[],:"\\/-+.0123456789eEtrufalsn#&*!u\u00e9\u2028\ufeff\x00'
    read = 0
    for path in sources:
        text = document.decode(path.read_bytes())
        for _ in range(80):
            at = rng.randrange(len(text))
            if rng.random() < 0.5:
                mutated = text[:at] + text[at + 1:]
            else:
                mutated = text[:at] + rng.choice(alphabet) + text[at:]
            if fast(mutated) is not None:
                read += 1
                assert_same(mutated)  # libyaml must accept it and build the same
            else:
                assert_same(mutated)
    assert read > 100  # most mutations inside strings stay strict JSON
