"""The document engine on the YAML corners templates meet: what it refuses, with which message,
and what it keeps faithful (spans, data, bytes) when it accepts a file."""

from __future__ import annotations

import dataclasses
from textwrap import dedent

import pytest

from cfnfix.document import Node, TemplateError, _node, line_break, parse
from cfnfix.edits import EditConflict, Editor, apply_edits
from cfnfix.style import detect


def edit(text: str, *ops) -> str:
    editor = Editor(parse(text))
    for name, *args in ops:
        getattr(editor, name)(*args)
    return apply_edits(text, editor.edits(), newline="\r\n" if "\r\n" in text else "\n")


def span(doc, path) -> str:
    node = doc.node(path)
    return doc.text[node.start : node.end]


# ---------------------------------------------------------------- short and long intrinsic forms


def test_short_and_long_forms_give_the_same_data():
    short = parse(dedent("""\
        Resources:
          A:
            Type: X
            Properties:
              Arn: !GetAtt B.Arn
              Name: !Ref B
              Url: !Sub "https://${B}"
              Joined: !Join ["-", [!Ref B, !GetAtt [B, Name]]]
        """))
    long = parse(dedent("""\
        Resources:
          A:
            Type: X
            Properties:
              Arn:
                Fn::GetAtt: [B, Arn]
              Name:
                Ref: B
              Url:
                Fn::Sub: "https://${B}"
              Joined:
                Fn::Join:
                  - "-"
                  - - Ref: B
                    - Fn::GetAtt: [B, Name]
        """))
    assert short.data == long.data
    assert short.data["Resources"]["A"]["Properties"]["Joined"] == {
        "Fn::Join": ["-", [{"Ref": "B"}, {"Fn::GetAtt": ["B", "Name"]}]]
    }
    assert detect(short).short_form and not detect(long).short_form


def test_spans_cover_exactly_the_source_text():
    doc = parse(dedent("""\
        Resources:
          A:
            Type: 'X'  # comment
            Properties:
              Flow: {K: [1, 2]}
              Code: |
                line one
                line two

              Arn: !GetAtt B.Arn
        """))
    props = ("Resources", "A", "Properties")
    assert span(doc, ("Resources", "A", "Type")) == "'X'"
    assert span(doc, props + ("Flow",)) == "{K: [1, 2]}"
    assert span(doc, props + ("Code",)) == "|\n        line one\n        line two"
    assert span(doc, props + ("Arn",)) == "!GetAtt B.Arn"
    assert span(doc, props).endswith("Arn: !GetAtt B.Arn")
    assert doc.line_col(doc.node(props + ("Arn",)).start) == (10, 12)


# ---------------------------------------------------------------- refused with a clear cause


@pytest.mark.parametrize(
    "text,message",
    [
        ("Resources:\n  A:\n    Type: X\n    Type: Y\n", "line 4: duplicate key 'Type' in Resources/A"),
        ("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n", "line 4: duplicate key 'A' in Resources"),
        ('{"Resources": {"A": {"Type": "X"}},\n "Resources": {}}', "line 2: duplicate key 'Resources' in the top level"),
        ('{\n  "Resources": {\n    "A": {"Type": "X", "Type": "Y"}\n  }\n}\n', "line 3: duplicate key 'Type' in Resources/A"),
    ],
)
def test_duplicate_keys_name_line_and_key(text, message):
    with pytest.raises(TemplateError, match="^" + message + "$"):
        parse(text)


@pytest.mark.parametrize(
    "text,line",
    [("Resources:\n\tA:\n    Type: X\n", 2), ("Resources:\n  A:\n    Type: X\n    Properties:\n  \t  K: v\n", 5)],
)
def test_tab_indentation_is_refused_by_name(text, line):
    with pytest.raises(TemplateError, match=f"^line {line}: invalid YAML: tab character in indentation"):
        parse(text)


def test_multi_document_file_is_refused():
    with pytest.raises(TemplateError, match="^line 4: invalid YAML: more than one YAML document"):
        parse("Resources:\n  A:\n    Type: X\n---\nResources: {}\n")


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty file"),
        ("# just a comment\n", "empty file"),
        ("[1, 2]\n", "not a CloudFormation template"),
        ("Resources:\n  A: [\n", "invalid YAML"),
        ('{"Resources": {"A": }', "invalid JSON: did not find expected ',' or '}'"),
    ],
)
def test_other_bad_input(text, message):
    with pytest.raises(TemplateError, match=message):
        parse(text)


# ---------------------------------------------------------------- accepted, handled faithfully


def test_tabs_as_separators_and_in_strings_are_kept():
    text = "Resources:\n  A:\n    Type:\tX\n    Properties: # \tnote\n      K:\t'v\tw'\n"
    doc = parse(text)
    assert doc.data["Resources"]["A"] == {"Type": "X", "Properties": {"K": "v\tw"}}
    assert edit(text, ("set", ("Resources", "A", "Type"), "Y"), ("set", ("Resources", "A", "Properties", "K"), "z")) == (
        "Resources:\n  A:\n    Type:\tY\n    Properties: # \tnote\n      K:\t'z'\n"
    )


def test_json_with_tab_indentation_parses():
    text = '{\n\t"Resources": {\n\t\t"A": {\n\t\t\t"Type": "X"\n\t\t}\n\t}\n}\n'
    assert parse(text).data == {"Resources": {"A": {"Type": "X"}}}
    assert detect(parse(text)).indent == "\t"


ANCHORS = dedent("""\
    Resources:
      A:
        Type: X
        Properties:
          Tags: &tags
            - Key: team
              Value: core
      B:
        Type: X
        Properties:
          Tags: *tags
          Name: b
    """)


def test_aliases_resolve_in_the_data():
    doc = parse(ANCHORS)
    assert doc.data["Resources"]["B"]["Properties"]["Tags"] == [{"Key": "team", "Value": "core"}]


@pytest.mark.parametrize(
    "op",
    [
        ("set", ("Resources", "A", "Properties", "Tags", 0, "Value"), "edge"),  # under the anchor
        ("set", ("Resources", "B", "Properties", "Tags", 0, "Value"), "edge"),  # through the alias
        ("set", ("Resources", "A", "Properties", "Tags", 0, "Extra"), "x"),
        ("append", ("Resources", "A", "Properties", "Tags"), {"Key": "k", "Value": "v"}),
        ("remove", ("Resources", "B", "Properties", "Tags", 0)),
        ("rename", ("Resources", "A", "Properties", "Tags", 0, "Key"), "Name"),
    ],
)
def test_editing_a_node_shared_through_an_anchor_raises(op):
    with pytest.raises(EditConflict, match="anchor"):
        edit(ANCHORS, op)


def test_nodes_beside_an_alias_stay_editable():
    assert edit(ANCHORS, ("set", ("Resources", "B", "Properties", "Name"), "c")) == ANCHORS.replace("Name: b", "Name: c")


def test_replacing_an_alias_itself_is_refused():
    # an alias node carries the anchored node's span, so an edit there would land on the anchor's text
    with pytest.raises(EditConflict, match="anchor"):
        edit(ANCHORS, ("set", ("Resources", "B", "Properties", "Tags"), [{"Key": "own", "Value": "v"}]))


MERGE = dedent("""\
    Mappings:
      Base: &base
        Size: small
        Zone: a
    Resources:
      A:
        Type: X
        Metadata:
          <<: *base
          Zone: b
    """)


def test_merge_keys_merge_with_explicit_keys_winning():
    doc = parse(MERGE)
    assert doc.data["Resources"]["A"]["Metadata"] == {"Zone": "b", "Size": "small"}
    out = edit(MERGE, ("set", ("Resources", "A", "Metadata", "Zone"), "c"), ("set", ("Resources", "A", "Metadata", "New"), 1))
    assert out == MERGE.replace("      Zone: b\n", "      Zone: c\n      New: 1\n")
    with pytest.raises(EditConflict):
        edit(MERGE, ("set", ("Mappings", "Base", "Size"), "large"))  # also read through the merge


def test_yaml_11_booleans_and_dates():
    text = dedent("""\
        AWSTemplateFormatVersion: 2010-09-09
        Resources:
          A:
            Type: X
            Properties:
              Enabled: yes
              Public: off
              Since: 2020-01-01
        """)
    doc = parse(text)
    assert doc.data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert doc.data["Resources"]["A"]["Properties"] == {"Enabled": True, "Public": False, "Since": "2020-01-01"}
    out = edit(
        text,
        ("set", ("Resources", "A", "Properties", "Until"), "2021-01-01"),
        ("set", ("Resources", "A", "Properties", "Word"), "yes"),
        ("set", ("Resources", "A", "Properties", "Public"), True),
    )
    assert out == text.replace("Public: off\n", "Public: true\n") + "      Until: '2021-01-01'\n      Word: 'yes'\n"
    assert parse(out).data["Resources"]["A"]["Properties"]["Word"] == "yes"


def test_crlf_is_kept_in_untouched_and_new_lines():
    text = "Resources:\r\n  A:\r\n    Type: X\r\n"
    assert detect(parse(text)).newline == "\r\n"
    out = edit(text, ("set", ("Resources", "A", "Type"), "Y"), ("set", ("Resources", "A", "Properties", "K"), {"Ref": "B"}))
    assert out == "Resources:\r\n  A:\r\n    Type: Y\r\n    Properties:\r\n      K: !Ref B\r\n"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("\ufeffResources:\n  A:\n    Type: X\n", "\ufeffResources:\n  A:\n    Type: Y\n"),
        ('\ufeff{"Resources": {"A": {"Type": "X"}}}', '\ufeff{"Resources": {"A": {"Type": "Y"}}}'),
        ("\ufeffResources:\r\n  A:\r\n    Type: X\r\n", "\ufeffResources:\r\n  A:\r\n    Type: Y\r\n"),
    ],
)
def test_bom_is_kept_and_spans_stay_right(text, expected):
    # regression: libyaml does not count the BOM, which shifted every span one character left
    doc = parse(text)
    assert span(doc, ("Resources", "A", "Type")) in ("X", '"X"')
    assert edit(text, ("set", ("Resources", "A", "Type"), "Y")) == expected


def test_missing_final_newline_stays_missing():
    text = "Resources:\n  A:\n    Type: X"
    assert edit(text, ("set", ("Resources", "A", "Properties", "K"), "v")) == text + "\n    Properties:\n      K: v"
    assert edit(text, ("set", ("Resources", "A", "Type"), "Y")) == "Resources:\n  A:\n    Type: Y"


@pytest.mark.parametrize("prefix", ["Description: héllo wörld ✓\n", "Description: \"😀 two emoji 😀\"\n", "# ünïcödé 💥\n"])
def test_non_ascii_before_the_edit_point(prefix):
    text = prefix + "Resources:\n  A:\n    Type: X\n"
    doc = parse(text)
    assert span(doc, ("Resources", "A", "Type")) == "X"
    out = edit(text, ("set", ("Resources", "A", "Type"), "Y"), ("set", ("Resources", "A", "Properties", "K"), "é"))
    assert out == prefix + "Resources:\n  A:\n    Type: Y\n    Properties:\n      K: é\n"
    assert out.encode("utf-8").startswith(prefix.encode("utf-8"))


def test_explicit_document_markers_are_one_document():
    text = "---\nResources:\n  A:\n    Type: X\n...\n"
    assert edit(text, ("set", ("Resources", "A", "Type"), "Y")) == "---\nResources:\n  A:\n    Type: Y\n...\n"


def test_places_counts_lines_as_line_col_does():
    """Document.places counts lines in one sweep; every node's place is line_col's, CRLF and
    a last line without a break included, whatever order the paths come in."""
    text = "Resources:\r\n  A:\r\n    Type: X\r\n    Properties: {Name: a, List: [1, 2]}\r\n\r\n  B:\n    Type: Y"
    doc = parse(text)
    paths, todo = [], [((), doc.data)]
    while todo:
        path, data = todo.pop()
        paths.append(path)
        items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
        todo.extend((path + (key,), value) for key, value in items)
    paths.append(("Resources", "Missing", "Deep"))  # the nearest ancestor's place
    expected = {}
    for path in paths:
        node = doc.nearest(path)
        expected[path] = doc.line_col(node.start) + doc.line_col(max(node.end, node.start))
    assert doc.places(reversed(paths)) == expected
    assert doc.place(("Resources", "B", "Type")) == (7, 11, 7, 12)


def test_line_break_is_crlf_only_for_a_text_holding_one():
    """line_break looks for a lone "\\r" first: that alone must not make the text CRLF."""
    assert line_break("a: 1\r\nb: 2\r\n") == "\r\n"
    assert line_break("a: 1\nb: 2\r\n") == "\r\n"
    assert line_break("a: 1\rb: 2\n") == "\n"
    assert line_break("a: 1\n\rb: 2") == "\n"
    assert line_break("") == "\n"


def test_style_breaks_a_quote_tie_by_the_walk_order():
    """style walks the tree depth first from the last entry, and of two quotes counted as often
    the one it met first wins: here the quoted key below B, met before A's double-quoted value
    (counting scalars as they are reached from their mapping would meet that one first)."""
    assert detect(parse('A: "x"\nB:\n  \'k\': 1\n', require_template=False)).quote == "'"
    assert detect(parse('A: \'x\'\nB:\n  "k": 1\n', require_template=False)).quote == '"'


def test_plain_scalars_met_first_resolve_as_pyyaml_resolves_them(monkeypatch):
    """The loader answers "a string" itself for a plain scalar whose first character no implicit
    resolver watches; the others (and every one, once a loader adds a wildcard resolver) still
    go through PyYAML's resolve."""
    import re

    import yaml

    from cfnfix import document

    monkeypatch.setattr(document, "_PLAIN_TAGS", {})  # met first: nothing remembered
    text = "A: Yes\nB: 012\nC: ~\nD: 1.5\nE: plain text\nF: 2024-01-01\nG: Zeta\nH:\nI: <<\nJ: -1\n"
    assert parse(text, require_template=False).data == {
        "A": True, "B": 10, "C": None, "D": 1.5, "E": "plain text", "F": "2024-01-01", "G": "Zeta", "H": None,
        "I": "<<", "J": -1}

    class Wildcard(document._TemplateLoader):
        pass

    Wildcard.add_implicit_resolver("tag:example.com,2026:z", re.compile("^Z"), None)
    monkeypatch.setattr(document, "_PLAIN_TAGS", {})
    loader = Wildcard("G: Zeta\nE: text\n")
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    assert [value.tag for _, value in node.value] == ["tag:example.com,2026:z", yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG]


def test_style_counts_long_form_keys_the_same_whether_remembered_or_not():
    """style remembers per key value whether it names an intrinsic (style._LONG_FORM): the
    count, and so short_form, must not depend on what was remembered before, nor on the table
    being emptied when full."""
    from cfnfix import style

    text = "A:\n  Ref: x\nB:\n  Fn::GetAtt: [a, b]\nC: !Ref y\nReference:\n  Fn:: z\n"

    def fresh():  # a document of its own, whose style is read anew (detect keeps the last one's)
        return parse(text, require_template=False)

    style._LONG_FORM.clear()
    first = detect(fresh())
    assert not first.short_form  # Ref and Fn::GetAtt are two long forms; Reference and Fn:: none
    assert detect(fresh()) == first  # every answer remembered now
    style._LONG_FORM.update({f"k{i}": False for i in range(4095)})
    assert detect(fresh()) == first  # the table emptied on the way
    style._LONG_FORM["Ref"] = False  # a wrong memory would show
    assert detect(fresh()) != first
    style._LONG_FORM.clear()


def test_nearest_stops_at_the_first_missing_part():
    """nearest walks once: the deepest node that exists along the path, whatever follows a
    missing part (a key, an index out of range, a key under a scalar or a list)."""
    doc = parse("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: a\n")
    tags = doc.node(("Resources", "B", "Properties", "Tags"))
    assert tags is not None and tags.kind == "seq"
    assert doc.nearest(("Resources", "B", "Properties", "Tags", 0, "Key")) is doc.node(("Resources", "B", "Properties", "Tags", 0, "Key"))
    assert doc.nearest(("Resources", "B", "Properties", "Tags", 3, "Key")) is tags
    assert doc.nearest(("Resources", "B", "Properties", "Tags", "Key", 0)) is tags
    assert doc.nearest(("Resources", "B", "Type", "Missing")) is doc.node(("Resources", "B", "Type"))
    assert doc.nearest(("Resources", "Nope", "Properties")) is doc.node(("Resources",))
    assert doc.nearest(()) is doc.root
    assert doc.node(("Resources", "B", "Properties", "Tags", 3)) is None
    assert doc.node(("Resources", "B", "Type", "Missing")) is None
    assert doc.node(("Resources", "B", "Properties", "Tags", -1, "Key")) is not None


def test_resources_of_type_in_order_and_only_string_types():
    """The index by type answers as a scan would: the template's order, several types at once,
    and a Type that is no string (a list, a mapping, a number) matches nothing."""
    doc = parse(dedent("""\
        Resources:
          A: {Type: AWS::S3::Bucket}
          B: {Type: [AWS::S3::Bucket]}
          C: {Type: AWS::SQS::Queue}
          D: {Type: AWS::S3::Bucket, Properties: {}}
          E: {Type: 3}
          F: not a resource
          G: {Type: {Ref: T}}
        """))
    assert [n for n, _ in doc.resources_of_type("AWS::S3::Bucket")] == ["A", "D"]
    assert [n for n, _ in doc.resources_of_type("AWS::S3::Bucket")] == ["A", "D"]  # asked again: the index
    assert [n for n, _ in doc.resources_of_type("AWS::SQS::Queue", "AWS::S3::Bucket")] == ["A", "C", "D"]
    assert list(doc.resources_of_type("AWS::SNS::Topic")) == []
    assert list(doc.resources_of_type()) == []
    assert dict(doc.resources_of_type("AWS::S3::Bucket"))["D"] is doc.resources["D"]


def test_resources_of_type_keeps_document_order_across_types():
    """The answer must be what a walk over the resources gives: document order, also when two of
    the asked types interleave, nothing for a type the template lacks or a Type that is no string."""
    doc = parse(dedent("""\
        Resources:
          A: {Type: AWS::S3::Bucket}
          B: {Type: AWS::SQS::Queue}
          C: {Type: AWS::S3::Bucket}
          D: {Type: [AWS::S3::Bucket]}
          E: AWS::S3::Bucket
          F: {Type: AWS::SNS::Topic}
        """))

    def walk(*types):
        return [(n, r) for n, r in doc.data["Resources"].items() if isinstance(r, dict) and r.get("Type") in types]

    for types in [("AWS::S3::Bucket",), ("AWS::S3::Bucket", "AWS::SQS::Queue"), ("AWS::SQS::Queue", "AWS::S3::Bucket"),
                  ("AWS::Lambda::Function",), ("AWS::Lambda::Function", "AWS::SNS::Topic"), ("AWS::SNS::Topic",) * 2, ()]:
        assert list(doc.resources_of_type(*types)) == walk(*types), types
    assert [n for n, _ in doc.resources_of_type("AWS::SQS::Queue", "AWS::S3::Bucket")] == ["A", "B", "C"]
    assert doc.resource_types() == {"AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic"}


def test_the_parsers_node_factory_sets_every_field_as_the_constructor_does():
    """document._node builds nodes without calling the class (issue 21): every field, those it
    leaves at their defaults included, must hold what Node(...) gives it."""
    for args in [("scalar", "x", 1, 4), ("scalar", 1.5, 0, 3, "!Ref", '"'), ("map", [], 2, 9, None, "flow")]:
        made, built = _node(*args), Node(*args)
        assert type(made) is Node
        assert [getattr(made, f.name) for f in dataclasses.fields(Node)] == [
            getattr(built, f.name) for f in dataclasses.fields(Node)]
