"""Editor operations, asserted on exact output text, in the layouts templates are written in."""

from __future__ import annotations

from textwrap import dedent

import pytest

from cfnfix.document import parse
from cfnfix.edits import Edit, EditConflict, Editor, apply_edits

PROPS = ("Resources", "Bucket", "Properties")


def edit(text: str, *ops) -> str:
    """Apply Editor operations; the result must parse again."""
    editor = Editor(parse(text))
    for name, *args in ops:
        getattr(editor, name)(*args)
    out = apply_edits(text, editor.edits(), newline="\r\n" if "\r\n" in text else "\n")
    parse(out)
    return out


# ---------------------------------------------------------------- apply_edits


def test_overlapping_edits_are_rejected():
    with pytest.raises(EditConflict, match="overlapping"):
        apply_edits("abcdef", [Edit(1, 4, "x"), Edit(3, 5, "y")])


def test_edits_apply_back_to_front_and_insertions_keep_their_order():
    assert apply_edits("abcdef", [Edit(4, 4, "2"), Edit(0, 1, "A"), Edit(4, 4, "3"), Edit(5, 6, "F")]) == "Abcd23eF"


# ---------------------------------------------------------------- YAML, 2-space, sequences not indented, short forms

Y2 = dedent("""\
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: 'my-bucket'
          Tags:
          - Key: a
            Value: "x"
          - Key: b
            Value: !Ref Env
          Other: [1, 2]
          Flow: {A: 1, B: 2}
          Empty: []
          # last comment
    Outputs:
      Name:
        Value: !GetAtt Bucket.Arn
    """)


def test_y2_set_new_nested_keys():
    out = edit(
        Y2,
        ("set", PROPS + ("VersioningConfiguration", "Status"), "Enabled"),
        ("set", PROPS + ("LifecycleConfiguration", "Rules"), [{"Id": "r", "Status": "Enabled", "ExpirationInDays": 30}]),
    )
    assert out == Y2.replace(
        "      Empty: []\n",
        "      Empty: []\n"
        "      VersioningConfiguration:\n"
        "        Status: Enabled\n"
        "      LifecycleConfiguration:\n"
        "        Rules:\n"
        "        - Id: r\n"
        "          Status: Enabled\n"
        "          ExpirationInDays: 30\n",
    )


def test_y2_replace_scalars_keeping_quote_style():
    out = edit(
        Y2,
        ("set", PROPS + ("BucketName",), "other"),
        ("set", PROPS + ("Tags", 0, "Value"), "y"),
        ("set", PROPS + ("Tags", 1, "Value"), {"Fn::GetAtt": ["A", "B"]}),
    )
    assert out == (
        Y2.replace("'my-bucket'", "'other'").replace('Value: "x"', 'Value: "y"').replace("!Ref Env", "!GetAtt A.B")
    )


def test_y2_replace_with_intrinsics_in_short_form():
    out = edit(
        Y2,
        ("set", PROPS + ("BucketName",), {"Fn::Join": ["-", [{"Ref": "A"}, "b"]]}),
        ("set", ("Outputs", "Name", "Value"), {"Fn::Sub": "${Bucket.Arn}"}),
    )
    assert out == Y2.replace("'my-bucket'", '!Join ["-", [!Ref A, b]]').replace("!GetAtt Bucket.Arn", "!Sub ${Bucket.Arn}")


def test_y2_replace_scalar_with_block_value():
    out = edit(Y2, ("set", PROPS + ("BucketName",), {"Fn::If": ["Prod", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]}))
    assert out == Y2.replace(
        "BucketName: 'my-bucket'",
        'BucketName: !If [Prod, !Ref A, !Ref "AWS::NoValue"]',  # PyYAML's analyser quotes "::" in flow
    )
    out = edit(Y2, ("set", PROPS + ("Other",), [{"Name": "n", "Value": "v"}]))
    assert out == Y2.replace("      Other: [1, 2]\n", "      Other:\n      - Name: n\n        Value: v\n")


@pytest.mark.parametrize(
    "index,expected",
    [
        (0, Y2.replace('      - Key: a\n        Value: "x"\n', "")),
        (1, Y2.replace("      - Key: b\n        Value: !Ref Env\n", "")),
    ],
)
def test_y2_remove_sequence_items(index, expected):
    assert edit(Y2, ("remove", PROPS + ("Tags", index))) == expected


def test_y2_remove_first_middle_last_keys():
    out = edit(Y2, ("remove", PROPS + ("BucketName",)), ("remove", PROPS + ("Other",)), ("remove", PROPS + ("Empty",)))
    assert out == Y2.replace("      BucketName: 'my-bucket'\n", "").replace("      Other: [1, 2]\n", "").replace(
        "      Empty: []\n", ""
    )


def test_y2_remove_neighbours_together():
    # regression: removing the last two entries made two overlapping edits
    out = edit(Y2, ("remove", PROPS + ("Flow",)), ("remove", PROPS + ("Empty",)))
    assert out == Y2.replace("      Flow: {A: 1, B: 2}\n      Empty: []\n", "")
    out = edit(Y2, ("remove", PROPS + ("Tags", 0)), ("remove", PROPS + ("Tags", 1)))
    assert out == Y2.replace('      - Key: a\n        Value: "x"\n      - Key: b\n        Value: !Ref Env\n', "      []\n").replace(
        "Tags:\n      []", "Tags: []"
    )


def test_y2_remove_from_flow_collections():
    out = edit(Y2, ("remove", PROPS + ("Other", 0)), ("remove", PROPS + ("Flow", "B")))
    assert out == Y2.replace("[1, 2]", "[2]").replace("{A: 1, B: 2}", "{A: 1}")
    assert edit(Y2, ("remove", PROPS + ("Other", 1))) == Y2.replace("[1, 2]", "[1]")


def test_y2_remove_only_entry_leaves_an_empty_collection_on_the_key_line():
    assert edit(Y2, ("remove", ("Outputs", "Name", "Value"))) == Y2.replace("  Name:\n    Value: !GetAtt Bucket.Arn", "  Name: {}")
    text = "Resources:\n  A:\n    Type: X\n    Properties:\n      L:\n        - a\n"
    assert edit(text, ("remove", ("Resources", "A", "Properties", "L", 0))) == text.replace("L:\n        - a", "L: []")


def test_y2_append_to_block_flow_and_empty_sequences():
    out = edit(
        Y2,
        ("append", PROPS + ("Tags",), {"Key": "c", "Value": {"Ref": "X"}}),
        ("append", PROPS + ("Other",), 3),
        ("append", PROPS + ("Empty",), "z"),
    )
    assert out == (
        Y2.replace("Value: !Ref Env\n", "Value: !Ref Env\n      - Key: c\n        Value: !Ref X\n")
        .replace("[1, 2]", "[1, 2, 3]")
        .replace("Empty: []", "Empty: [z]")
    )


def test_y2_add_resources_with_unique_ids_after_trailing_comments():
    editor = Editor(parse(Y2))
    first = editor.add_resource("Bucket", {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${AWS::StackName}-logs"}}})
    second = editor.add_resource("Bucket", {"Type": "AWS::SNS::Topic"})
    third = editor.add_resource("Name", {"Type": "AWS::SNS::Topic"})  # "Name" is taken by an output
    assert (first, second, third) == ("Bucket2", "Bucket3", "Name2")
    out = apply_edits(Y2, editor.edits())
    assert out == Y2.replace(
        "      # last comment\n",
        "      # last comment\n"
        "  Bucket2:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      BucketName: !Sub ${AWS::StackName}-logs\n"
        "  Bucket3:\n"
        "    Type: AWS::SNS::Topic\n"
        "  Name2:\n"
        "    Type: AWS::SNS::Topic\n",
    )


def test_comment_after_last_entry_at_the_entries_column_stays_last():
    text = "Resources:\n  A:\n    Type: X\n    Properties:\n      K: v\n      # about K\n  # about B\n  B:\n    Type: Y\n"
    out = edit(text, ("set", ("Resources", "A", "Properties", "L"), "w"), ("set", ("Resources", "B", "Properties", "M"), 1))
    assert out == text.replace("      K: v\n", "      K: v\n      L: w\n") + "    Properties:\n      M: 1\n"


def test_block_scalars_are_replaced_whole_and_written_as_literals():
    text = dedent("""\
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: |
                  def handler(event, context):
                      return 1

              Handler: index.handler
        """)
    out = edit(text, ("set", ("Resources", "Fn", "Properties", "Code", "ZipFile"), "def main(event, context):\n    return 2\n"))
    assert out == text.replace("def handler(event, context):\n              return 1", "def main(event, context):\n              return 2")
    out = edit(text, ("set", ("Resources", "Fn", "Properties", "Description"), "two\nlines"))
    assert out == text + "      Description: |-\n        two\n        lines\n"


def test_flow_mapping_value_gets_new_keys_inline():
    text = "Resources:\n  A:\n    Type: X\n    Properties: {Name: a}\n"
    out = edit(text, ("set", ("Resources", "A", "Properties", "Arn"), {"Fn::GetAtt": ["B", "Arn"]}))
    assert out == "Resources:\n  A:\n    Type: X\n    Properties: {Name: a, Arn: !GetAtt B.Arn}\n"


def test_set_into_empty_and_null_values():
    text = "Resources:\n  A:\n    Type: X\n    Properties: {}\n    Metadata:\n"
    out = edit(text, ("set", ("Resources", "A", "Properties", "K"), "v"), ("set", ("Resources", "A", "Metadata", "M", "N"), 1))
    assert out == "Resources:\n  A:\n    Type: X\n    Properties: {K: v}\n    Metadata:\n      M:\n        N: 1\n"


def test_rename_keeps_key_quotes():
    text = "Resources:\n  A:\n    Type: X\n    Properties:\n      'BukketName': b\n"
    assert edit(text, ("rename", ("Resources", "A", "Properties", "BukketName"), "BucketName")) == text.replace(
        "'BukketName'", "'BucketName'"
    )


# ---------------------------------------------------------------- YAML, 4-space, indented sequences, long forms

Y4 = dedent("""\
    Resources:
        Bucket:
            Type: AWS::S3::Bucket
            Properties:
                BucketName:
                    Ref: Name
                Tags:
                    -   Key: a
                        Value: x
                    -   Key: b
                        Value:
                            Fn::Sub: "${AWS::StackName}-b"
    Outputs:
        Arn:
            Value:
                Fn::GetAtt: [Bucket, Arn]
    """)


def test_y4_set_new_nested_keys():
    out = edit(
        Y4,
        ("set", PROPS + ("VersioningConfiguration", "Status"), "Enabled"),
        ("set", PROPS + ("LifecycleConfiguration", "Rules"), [{"Id": "r", "Status": "Enabled"}]),
    )
    assert out == Y4.replace("Outputs:", dedent("""\
                    VersioningConfiguration:
                        Status: Enabled
                    LifecycleConfiguration:
                        Rules:
                            -   Id: r
                                Status: Enabled
        Outputs:"""), 1)


def test_y4_replace_block_values_with_scalars_and_long_forms():
    out = edit(
        Y4,
        ("set", PROPS + ("BucketName",), "plain"),
        ("set", ("Outputs", "Arn", "Value"), {"Ref": "Bucket"}),
        ("set", PROPS + ("Tags", 0, "Value"), {"Fn::GetAtt": ["A", "B"]}),
    )
    assert out == (
        Y4.replace("BucketName:\n                Ref: Name", "BucketName: plain")
        .replace("Fn::GetAtt: [Bucket, Arn]", "Ref: Bucket")
        .replace("Value: x", "Value:\n                        Fn::GetAtt:\n                            -   A\n                            -   B")
    )


def test_y4_remove_and_append_items():
    out = edit(Y4, ("remove", PROPS + ("Tags", 0)), ("append", PROPS + ("Tags",), {"Key": "c", "Value": {"Ref": "X"}}))
    assert out == Y4.replace("                -   Key: a\n                    Value: x\n", "").replace(
        "Outputs:", "                -   Key: c\n                    Value:\n                        Ref: X\nOutputs:"
    )


def test_y4_add_resource():
    out = edit(Y4, ("add_resource", "Bucket", {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "a", "Value": "b"}]}}))
    assert out == Y4.replace("Outputs:", dedent("""\
            Bucket2:
                Type: AWS::S3::Bucket
                Properties:
                    Tags:
                        -   Key: a
                            Value: b
        Outputs:"""))


# ---------------------------------------------------------------- JSON: 2 and 4 spaces, tabs

J2 = dedent("""\
    {
      "Resources": {
        "Bucket": {
          "Type": "AWS::S3::Bucket",
          "Properties": {
            "BucketName": "b",
            "Tags": [
              {"Key": "a", "Value": "x"},
              {"Key": "b", "Value": {"Ref": "Env"}}
            ],
            "Empty": [],
            "EmptyMap": {}
          }
        }
      }
    }
    """)
LAYOUTS = {"2 spaces": "  ", "4 spaces": "    ", "tabs": "\t"}


def _json(indent: str, text: str) -> str:
    return text.replace("  ", indent)


@pytest.mark.parametrize("indent", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_json_set_replace_and_add(indent):
    out = edit(
        _json(indent, J2),
        ("set", PROPS + ("VersioningConfiguration", "Status"), "Enabled"),
        ("set", PROPS + ("BucketName",), {"Fn::Sub": "${AWS::StackName}-b"}),
        ("set", PROPS + ("EmptyMap", "K"), "v"),
    )
    assert out == _json(indent, dedent("""\
        {
          "Resources": {
            "Bucket": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "BucketName": {
                  "Fn::Sub": "${AWS::StackName}-b"
                },
                "Tags": [
                  {"Key": "a", "Value": "x"},
                  {"Key": "b", "Value": {"Ref": "Env"}}
                ],
                "Empty": [],
                "EmptyMap": {
                  "K": "v"
                },
                "VersioningConfiguration": {
                  "Status": "Enabled"
                }
              }
            }
          }
        }
        """))


@pytest.mark.parametrize("indent", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_json_remove_first_middle_last_and_only(indent):
    text = _json(indent, J2)
    out = edit(text, ("remove", PROPS + ("BucketName",)), ("remove", PROPS + ("Tags", 0)), ("remove", PROPS + ("EmptyMap",)))
    assert out == _json(indent, dedent("""\
        {
          "Resources": {
            "Bucket": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "Tags": [
                  {"Key": "b", "Value": {"Ref": "Env"}}
                ],
                "Empty": []
              }
            }
          }
        }
        """))
    assert edit(text, ("remove", PROPS + ("Empty",))) == text.replace(f'],\n{indent * 4}"Empty": []', "]")
    assert edit(text, ("remove", PROPS + ("Tags", 1, "Value"))) == text.replace(', "Value": {"Ref": "Env"}', "")
    assert edit(text, ("remove", ("Resources", "Bucket", "Type")), ("remove", PROPS)) == text.replace(
        text[text.index("{", text.index('"Bucket"')) : text.rindex("}", 0, text.rindex("}", 0, text.rindex("}"))) + 1], "{}"
    )


@pytest.mark.parametrize("indent", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_json_append_and_add_resource(indent):
    out = edit(
        _json(indent, J2),
        ("append", PROPS + ("Tags",), {"Key": "c", "Value": "z"}),
        ("append", PROPS + ("Empty",), "e"),
        ("add_resource", "Bucket", {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}),
    )
    assert out == _json(indent, dedent("""\
        {
          "Resources": {
            "Bucket": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "BucketName": "b",
                "Tags": [
                  {"Key": "a", "Value": "x"},
                  {"Key": "b", "Value": {"Ref": "Env"}},
                  {"Key": "c", "Value": "z"}
                ],
                "Empty": [
                  "e"
                ],
                "EmptyMap": {}
              }
            },
            "Bucket2": {
              "Type": "AWS::SNS::Topic",
              "Properties": {
                "TopicName": "t"
              }
            }
          }
        }
        """))


# ---------------------------------------------------------------- JSON on one line

JC = '{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":"b","Tags":[{"Key":"a","Value":"x"}],"Empty":[]}}}}'


def test_compact_json_keeps_its_separators():
    # regression: new members came out as '{"Key":"c", "Value":"z"}' in a file written without spaces
    out = edit(
        JC,
        ("set", PROPS + ("VersioningConfiguration", "Status"), "Enabled"),
        ("append", PROPS + ("Tags",), {"Key": "c", "Value": "z"}),
        ("append", PROPS + ("Empty",), "e"),
        ("add_resource", "Bucket", {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}),
    )
    assert out == (
        '{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":"b",'
        '"Tags":[{"Key":"a","Value":"x"},{"Key":"c","Value":"z"}],"Empty":["e"],'
        '"VersioningConfiguration":{"Status":"Enabled"}}},'
        '"Bucket2":{"Type":"AWS::SNS::Topic","Properties":{"TopicName":"t"}}}}'
    )


def test_compact_json_with_spaces_and_removals():
    text = '{"Resources": {"Bucket": {"Type": "X", "Properties": {"A": 1, "B": [1, 2], "C": 3}}}}'
    out = edit(text, ("remove", PROPS + ("A",)), ("remove", PROPS + ("C",)), ("append", PROPS + ("B",), {"K": "v"}))
    assert out == '{"Resources": {"Bucket": {"Type": "X", "Properties": {"B": [1, 2, {"K": "v"}]}}}}'
    out = edit(text, ("remove", PROPS + ("A",)), ("remove", PROPS + ("B",)))
    assert out == '{"Resources": {"Bucket": {"Type": "X", "Properties": {"C": 3}}}}'


# ---------------------------------------------------------------- refusals


def test_refusals_raise_edit_conflict():
    with pytest.raises(EditConflict):
        edit(Y2, ("remove", PROPS + ("Missing",)))
    with pytest.raises(EditConflict):
        edit(Y2, ("remove", PROPS + ("Tags", 5)))
    with pytest.raises(EditConflict):
        edit(Y2, ("append", PROPS + ("BucketName",), "x"))
    with pytest.raises(EditConflict):
        edit(Y2, ("set", PROPS + ("Tags", 7, "Key"), "x"))


def test_no_key_is_added_beside_an_intrinsic_function():
    # a key beside Fn::If or Ref ends the function (the mapping is no call any more); a loop of
    # AWS::LanguageExtensions is an entry among others
    conditional = "Resources:\n  I:\n    Type: X\n    Properties:\n      Fn::If: [C, {A: 1}, {A: 2}]\n"
    with pytest.raises(EditConflict, match="Resources/I/Properties is an intrinsic function"):
        edit(conditional, ("set", ("Resources", "I", "Properties", "B"), 1))
    with pytest.raises(EditConflict, match="intrinsic function"):
        edit("Resources:\n  I:\n    Type: X\n    Properties:\n      Ref: P\n", ("set", ("Resources", "I", "Properties", "B", "C"), 1))
    looped = "Resources:\n  Fn::ForEach::Q:\n  - Id\n  - [A]\n  - Q${Id}: {Type: X}\n"
    assert edit(looped, ("set", ("Resources", "R"), {"Type": "X"})) == looped + "  R:\n    Type: X\n"


@pytest.mark.parametrize("index,kept", [(0, ["b", "c"]), (1, ["a", "c"]), (2, ["a", "b"])])
def test_remove_first_middle_last_sequence_item(index, kept):
    text = "Resources:\n  A:\n    Type: X\n    Properties:\n      L:\n        - a\n        - b\n        - c\n      M: [a, b, c]\n"
    out = edit(text, ("remove", ("Resources", "A", "Properties", "L", index)), ("remove", ("Resources", "A", "Properties", "M", index)))
    assert out == text.replace("        - a\n        - b\n        - c\n", "".join(f"        - {k}\n" for k in kept)).replace(
        "[a, b, c]", "[" + ", ".join(kept) + "]"
    )


# ---------------------------------------------------------------- comments and one-line collections (corpus sweep)


def test_removed_entry_takes_its_own_comment_and_leaves_the_next_ones():
    text = dedent("""\
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              # about the name
              BucketName: logs
              # about the tags
              Tags: []
        """)
    assert edit(text, ("remove", PROPS + ("BucketName",))) == dedent("""\
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              # about the tags
              Tags: []
        """)


def test_json_one_line_array_replaced_on_its_line():
    text = ('{\n  "Parameters": {\n    "P": {\n      "Type": "String",\n      "AllowedValues": ["a", "b"]\n    }\n  },\n'
            '  "Resources": {}\n}\n')
    out = edit(text, ("set", ("Parameters", "P", "AllowedValues"), ["c"]))
    assert out == text.replace('["a", "b"]', '["c"]')


def test_replace_text_and_wrap_keep_the_scalar_text():
    from cfnfix.document import parse
    from cfnfix.edits import EditConflict, Editor, apply_edits

    doc = parse("Resources:\n  A:\n    Type: X\n    Properties:\n      N: !Sub \"a-${B}\"\n      M: |\n        x ${C}\n")
    editor = Editor(doc)
    editor.replace_text(("Resources", "A", "Properties", "N"), "${B}", "${D}")
    editor.wrap(("Resources", "A", "Properties", "M"), "!Sub ")
    out = apply_edits(doc.text, editor.edits())
    assert out == "Resources:\n  A:\n    Type: X\n    Properties:\n      N: !Sub \"a-${D}\"\n      M: !Sub |\n        x ${C}\n"
    try:
        Editor(doc).replace_text(("Resources", "A", "Properties", "N"), "${B}", 'say "hi"')
    except EditConflict:
        pass
    else:
        raise AssertionError("a replacement that needs escaping must be refused")

def test_move_keeps_the_source_text_yaml():
    text = ("Resources:\n  T:\n    Type: X\n    Properties:\n"
            "      # why\n      Flag: !If [Prod, true, false]  # note\n"
            "      Doc:\n        Statement:\n          - Effect: Allow   # hi\n            Action: 's3:*'\n"
            "      Name: t\n")
    doc = parse(text)
    editor = Editor(doc)
    props = ("Resources", "T", "Properties")
    editor.move(props + ("Flag",), props + ("Spec", "Flag"))
    editor.set(("Resources", "P", "Properties", "PolicyDocument"), editor.source(props + ("Doc",)))
    editor.remove(props + ("Doc",))
    out = apply_edits(text, editor.edits())
    assert out == ("Resources:\n  T:\n    Type: X\n    Properties:\n      Name: t\n"
                   "      Spec:\n        # why\n        Flag: !If [Prod, true, false]  # note\n"
                   "  P:\n    Properties:\n      PolicyDocument:\n        Statement:\n"
                   "          - Effect: Allow   # hi\n            Action: 's3:*'\n")


def test_moved_json_keeps_its_compact_layout():
    text = '{\n  "Resources": {\n    "T": {\n      "Properties": {\n        "A": {"x": [1, 2]},\n        "B": 1\n      }\n    }\n  }\n}\n'
    doc = parse(text)
    editor = Editor(doc)
    props = ("Resources", "T", "Properties")
    editor.move(props + ("A",), props + ("Wrap", "A"))
    out = apply_edits(text, editor.edits())
    assert '"Wrap": {\n          "A": {"x": [1, 2]}\n        }' in out
    assert parse(out).value(props) == {"B": 1, "Wrap": {"A": {"x": [1, 2]}}}


def test_a_finding_block_keeps_its_edits_drops_them_on_a_conflict_and_restores_the_owner():
    """Editor.finding's block: edits made inside belong to the finding; an EditConflict drops
    that finding's edits, records it as not fixed and is not raised; any other error is raised;
    the owner outside the blocks is None again in every case."""
    editor = Editor(parse("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: 1\n"))
    first, second, third = object(), object(), object()
    with editor.finding(first) as inside:
        assert inside is editor
        editor.set(PROPS + ("A",), 2)
    with editor.finding(second):
        editor.set(PROPS + ("B",), 3)
        raise EditConflict("no room")
    with pytest.raises(KeyError), editor.finding(third):
        raise KeyError("bug")
    assert editor._owner is None
    assert [e.owner for e in editor.edits()] == [first]
    assert editor.unfixed == [(second, "no room")]
