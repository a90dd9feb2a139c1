"""The renderer's quoting decisions, compared with what PyYAML's own emitter decides."""

from __future__ import annotations

import pytest
import yaml

from cfnfix import render
from cfnfix.document import parse
from cfnfix.edits import Editor
from cfnfix.style import detect

# strings that need quotes in YAML, and look-alikes that do not
TRICKY = [
    "", " ", "plain", "Status", "Enabled", "yes", "Yes", "no", "on", "OFF", "y", "n", "true", "False",
    "null", "Null", "~", "1e3", "1.5", ".inf", "-.inf", ".nan", "0x1F", "0o17", "012", "1_000", "+1",
    "2012-10-17", "2001-12-14t21:59:43.10-05:00", "12:30:00", "<<", "=", "a: b", "a:b", "a #b", "a#b",
    "#a", "*a", "&a", "!a", "%a", "@a", "`a", "|a", ">a", "'a", '"a', "-", "- a", "-a", "?", "? a",
    "?a", ":", ":a", "a:", "a,b", "a[b", "a]b", "a{b", "a}b", "[a", "{a", ",a", "trailing ", " leading",
    "tab\there", "line\nbreak", "bell\x07", "nbsp\xa0x", "é", "snow☃man", "zero\u200bwidth",
    "arn:aws:s3:::bucket/*", "${AWS::Region}", "s3://bucket/key", "0.0.0.0/0", "10.0.0.0/16",
]


def _emitter_writes_plain(text: str, flow: bool) -> bool:
    """Whether PyYAML's dumper writes ``text`` plain, as a block mapping value or a flow item."""
    if flow:
        return yaml.safe_dump([text], default_flow_style=True, width=10**6, allow_unicode=True) == f"[{text}]\n"
    return yaml.safe_dump({"k": text}, width=10**6, allow_unicode=True) == f"k: {text}\n"


@pytest.mark.parametrize("flow", [False, True])
@pytest.mark.parametrize("text", TRICKY)
def test_plain_decision_matches_the_emitter(text, flow):
    style = detect(parse("Resources: {}\n"))
    written = render.yaml_scalar(text, style, flow=flow)
    assert (written == text) == _emitter_writes_plain(text, flow)
    assert yaml.safe_load(f"[{written}]" if flow else f"k: {written}") == ([text] if flow else {"k": text})


def test_a_plain_block_answer_is_not_reused_in_flow_context():
    """The cached decision is per (text, flow): ``a,b`` is plain in a block, quoted in a flow."""
    style = detect(parse("Resources: {}\n"))
    assert render.yaml_scalar("a,b", style) == "a,b"
    assert render.yaml_scalar("a,b", style, flow=True) != "a,b"
    assert render.yaml_scalar("a]c", style, flow=True) != "a]c"
    assert render.yaml_scalar("a]c", style) == "a]c"


def _emitter_plain_ok(text: str, flow: bool) -> bool:
    """``render._plain_ok`` as it was: the emitter's analysis for every string."""
    if not text or text != text.strip() or "\n" in text:
        return False
    analysis = render._ANALYZER.analyze_scalar(text)
    if not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return False
    return render._RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == render._STR_TAG


def test_indicator_searches_decide_as_the_emitter_does():
    """Every string of up to three characters over the indicators, a space and a letter, and of
    four over the characters whose meaning depends on their neighbours, plus the tricky ones:
    the two searches that stand in for the emitter's analysis of printable ASCII agree with it
    (a string the searches may not judge, such as non-ASCII text, still goes to the emitter)."""
    alphabet = " a#,[]{}&*!|>'\"%@`?:-."
    texts = {a + b + c for a in alphabet for b in ["", *alphabet] for c in ["", *alphabet]}
    texts |= {a + b + c + d for a in " a:#-?." for b in " a:#-?." for c in " a:#-?." for d in " a:#-?."}
    texts |= set(TRICKY) | {"---", "...", "--- a", "a---", "é: x", "é:x", "x\ty", "x\x85y"}
    plain = render._plain_ok.__wrapped__
    wrong = [(t, flow) for t in sorted(texts) for flow in (False, True) if plain(t, flow) != _emitter_plain_ok(t, flow)]
    assert not wrong


def test_json_values_place_each_verbatim_where_it_stood():
    """Verbatims inside lists and mappings, several of them, come out in place and in order; a
    value JSON cannot hold is refused as ``json.dumps`` refuses it."""
    text = '{\n  "Resources": {\n    "T": {\n      "Properties": {\n        "A": {"x": [1, 2]},\n        "B": [\n          3\n        ]\n      }\n    }\n  }\n}\n'
    doc = parse(text)
    editor = Editor(doc)
    props = ("Resources", "T", "Properties")
    a, b = editor.source(props + ("A",)), editor.source(props + ("B",))
    value = {"L": [a, {"In": b}], "N": None, "S": "é\n"}
    assert render.json_value(value, "  ", editor.style) == (
        '{\n    "L": [\n      {"x": [1, 2]},\n      {\n        "In": [\n          3\n        ]\n      }\n'
        '    ],\n    "N": null,\n    "S": "é\\n"\n  }'
    )
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        render.json_value({"L": [a, {1, 2}]}, "", editor.style)


class _Str(str):
    """A str subclass: the encoder writes it as the string it holds."""


_JSON_VALUES = [
    None, True, False, 0, -3, 2**70, 1.5, 1e-7, float("inf"), float("-inf"), float("nan"),
    "x\ny\"\\é\u2028\x00", _Str("sub"), [], {}, (), [[[]]], [1, [2, []], {}], ("t", ("u",)),
    {"a": {"b": [1, "c", {"d": None}]}, "e": [], "f": {}},
    {3: "int", 2.5: "float", True: "true", None: "null", False: "false"},
    {"k": ({"x": 1.0},), "l": [True, None, "s"]},
]


@pytest.mark.parametrize("value", _JSON_VALUES, ids=repr)
@pytest.mark.parametrize("unit,key_sep,base", [("  ", ": ", ""), ("\t", ":", "\t\t"), ("    ", " : ", "  ")])
def test_indented_json_is_what_json_dumps_writes(value, unit, key_sep, base):
    """render._indented stands in for json.dumps with an indent (its pure-Python encoder is
    slow): it must write the same text for every kind of value and key the encoder takes."""
    import json

    expected = json.dumps(value, ensure_ascii=False, indent=unit, separators=(",", key_sep)).replace("\n", "\n" + base)
    out: list[str] = []
    render._indented(value, "\n" + base, unit, key_sep, lambda o: "never", out)
    assert "".join(out) == expected


def test_indented_json_refuses_what_json_dumps_refuses():
    import json

    for bad in ({(1, 2): "tuple key"}, {"a": object()}):
        with pytest.raises(TypeError) as ours:
            render._indented(bad, "\n", "  ", ": ", json.JSONEncoder().default, [])
        with pytest.raises(TypeError) as theirs:
            json.dumps(bad, indent="  ")
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("seq_offset", [0, 2])
def test_a_list_in_a_list_starts_on_its_dash_line(seq_offset):
    """Under a key whose list stands at its column (``Key:`` / ``- a``), the items of a list in
    that list below a bare dash were read as the outer list's own: ``[[a, b], c]`` became
    ``[null, a, b, c]``."""
    from cfnfix.style import Style

    style = Style(format="yaml", newline="\n", indent="  ", seq_offset=seq_offset)
    value = [["a", ["x", "y"]], "c"]
    text = "\n".join(render.entry_lines("Key", value, 0, style)) + "\n"
    pad = " " * seq_offset
    assert text == f"Key:\n{pad}- - a\n{pad}  - - x\n{pad}    - y\n{pad}- c\n"
    assert yaml.safe_load(text) == {"Key": value}
