"""Re-parsing only the entries a fix touched gives the document a whole parse gives (issue 21)."""

from unittest import mock

import pytest

from cfnfix import reparse as reparse_module
from cfnfix.document import parse
from cfnfix.edits import Edit, apply_edits, edit_spans
from cfnfix.reparse import reparse
from support import same_document

YAML = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  First:
    Type: AWS::SNS::Topic
  Code:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: |+
          def handler(event, context):
              return 1


  Last:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: 5
Outputs:
  Queue:
    Value: !Ref Last
"""

JSON = """{
  "Resources": {
    "First": {"Type": "AWS::SNS::Topic"},
    "Last": {
      "Type": "AWS::SQS::Queue"
    }
  },
  "Outputs": {"Queue": {"Value": {"Ref": "Last"}}}
}
"""


def after(text: str, *edits: tuple[str, str, str]) -> tuple[str, list[Edit], str]:
    """Edits given as (text to find, what to put in its place, 'before'|'after'|'replace')."""
    made = []
    for anchor, new, where in edits:
        at = text.index(anchor)
        if where == "replace":
            made.append(Edit(at, at + len(anchor), new))
        else:
            at = at if where == "before" else at + len(anchor)
            made.append(Edit(at, at, new))
    newline = "\r\n" if "\r\n" in text else "\n"
    return apply_edits(text, made, newline), made, newline


CASES = {
    "a property added to the last resource": (YAML, [("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after")]),
    "a resource appended to the section": (YAML, [("DelaySeconds: 5", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "a property added after a kept block scalar": (YAML, [("  Last:\n", "  Added:\n    Type: AWS::SNS::Topic\n", "before")]),
    "edits in two sections": (YAML, [("Type: AWS::SNS::Topic", "Type: AWS::SNS::Topic\n    DeletionPolicy: Retain", "replace"),
                                      ("Value: !Ref Last", "\n    Description: the queue", "after")]),
    "an entry removed": (YAML, [("  First:\n    Type: AWS::SNS::Topic\n", "", "replace")]),
    "an entry removed, a comment left": (YAML, [(YAML[YAML.index("  Code:"):YAML.index("  Last:")], "  # gone\n", "replace")]),
    "every entry of a section removed": (YAML, [("  Queue:\n    Value: !Ref Last\n", "", "replace")]),
    "a new section": (YAML, [("Outputs:", "Conditions:\n  Never: !Equals [a, b]\n", "before")]),
    "line breaks as CRLF": (YAML.replace("\n", "\r\n"), [("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after")]),
    "JSON: a property added": (JSON, [('"Type": "AWS::SQS::Queue"', ',\n      "Properties": {"DelaySeconds": 5}', "after")]),
    "JSON: a resource appended": (JSON, [('"Type": "AWS::SQS::Queue"\n    }', ',\n    "Added": {"Type": "AWS::SNS::Topic"}', "after")]),
    "JSON: numbers and escapes": (JSON, [('"Type": "AWS::SQS::Queue"', ',\n      "Properties": {"DelaySeconds": 1e5, '
                                          '"MaximumMessageSize": 1.0E+3, "QueueName": "q\\u00e9\\/\\n"}', "after")]),
    "a resource attribute after a resource's properties": (YAML, [("DelaySeconds: 5", "\n    DeletionPolicy: Retain", "after")]),
    "every key of a nested mapping removed": (YAML, [("\n      DelaySeconds: 5", "", "replace")]),
    "a nested value changed": (YAML, [("DelaySeconds: 5", "DelaySeconds: 6", "replace")]),
    "a nested mapping replaced by a scalar": (YAML, [("\n      DelaySeconds: 5", " none", "replace")]),
    "a property added to resources next to each other": (YAML, [("Type: AWS::SNS::Topic", "\n    DeletionPolicy: Retain", "after"),
                                                                ("Type: AWS::Lambda::Function", "\n    Metadata: {a: 1}", "after")]),
    "a key added after a block scalar ending a nested mapping": (YAML, [("  Last:\n", "        S3Key: k\n", "before")]),
    "a key added below a block scalar, deeper than the mapping": (YAML, [("  Last:\n", "          extra\n", "before")]),
    "a resource appended after a block scalar": (YAML, [("return 1", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "two insertions at one place": (YAML, [("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"),
                                           ("DelaySeconds: 5", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "a resource appended right after a replaced block scalar": (YAML, [("DelaySeconds: 5", "Description: |\n        five", "replace"),
                                                                        ("DelaySeconds: 5", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "a property appended after an empty value": (YAML.replace("DelaySeconds: 5", "DelaySeconds:"),
                                                 [("DelaySeconds:", "\n      MessageRetentionPeriod: 60", "after")]),
    "a resource appended after an empty value": (YAML.replace("DelaySeconds: 5", "DelaySeconds:"),
                                                 [("DelaySeconds:", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "two resources appended at one place": (YAML, [("DelaySeconds: 5", "\n  Later:\n    Type: AWS::SNS::Topic", "after"),
                                                   ("DelaySeconds: 5", "\n  A:\n    Type: AWS::SQS::Queue", "after")]),
    "an appended text beginning with a comment": (YAML, [("DelaySeconds: 5", "\n  # new\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "an appended item of a sequence at its key's column": (YAML.replace("Outputs:", "Metadata:\n  Items:\n  - a\nOutputs:"),
                                                           [("  - a", "\n  - b", "after")]),
    "an appended explicit key": (YAML, [("DelaySeconds: 5", "\n  ? Added\n  : 1", "after")]),
    "a resource appended, CRLF": (YAML.replace("\n", "\r\n"), [("DelaySeconds: 5", "\n  Added:\n    Type: AWS::SNS::Topic", "after")]),
    "JSON: a key added in a nested mapping": (JSON, [('{"Ref": "Last"}', ', "Description": "d"', "after")]),
    "JSON: a key appended between two entries": (JSON, [('{"Type": "AWS::SNS::Topic"}', ', "Added": {"Type": "AWS::SNS::Topic"}', "after")]),
    "JSON: a key appended after a nested mapping": (JSON, [('{"Ref": "Last"}', ',\n    "Export": {"Name": "q"}', "after")]),
    "JSON: an entry appended without a comma": (JSON, [('{"Ref": "Last"}', ' ', "after")]),
    "flow: a key appended after an empty value": (YAML.replace("Outputs:", "Metadata: {a, b: 1}\nOutputs:"), [("{a", ", c: 2", "after")]),
    "flow: a key appended after a plain scalar": (YAML.replace("Outputs:", "Metadata: {a: x y, b: 1}\nOutputs:"), [("x y", ", c: 2", "after")]),
    "JSON: a nested value changed": (JSON, [('{"Ref": "Last"}', '{"Ref": "First"}', "replace")]),
    "JSON: a run that is not strict JSON": (JSON, [('"Type": "AWS::SQS::Queue"', ',\n      "Properties": {"DelaySeconds": 5,}',
                                                    "after")]),
}


@pytest.mark.parametrize("name", CASES)
def test_reparse_builds_what_parse_builds(name):
    text, edits = CASES[name]
    new_text, made, newline = after(text, *edits)
    assert same_document(reparse(parse(text), new_text, edit_spans(made, newline)), parse(new_text)) is None


@pytest.mark.parametrize("name", ["JSON: a property added", "JSON: a resource appended", "JSON: numbers and escapes"])
def test_a_json_run_is_read_without_libyaml(name):
    text, edits = CASES[name]
    new_text, made, newline = after(text, *edits)
    old = parse(text)
    with (mock.patch.object(reparse_module, "_TemplateLoader", side_effect=AssertionError("libyaml")),
          mock.patch.object(reparse_module, "parse", side_effect=AssertionError("a whole parse"))):
        doc = reparse(old, new_text, edit_spans(made, newline))
    assert same_document(doc, parse(new_text)) is None


ANCHORS = """Resources:
  First:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: &name topic
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Description: a & b
      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
Outputs:
  Name:
    Value: *name
"""


@pytest.mark.parametrize("text, edit", [
    pytest.param(ANCHORS, ("topic", "renamed", "replace"), id="the anchored value changed, its alias kept"),
    pytest.param(ANCHORS.replace("*name", "x"), ("TopicName: &name topic", "\n      DisplayName: *name", "after"),
                 id="an alias added in the run holding its anchor"),
    pytest.param(ANCHORS.replace("*name", "x"), ("Value: x", "\n    Export: {Name: *name}", "after"),
                 id="an alias added in another run than its anchor"),
])
def test_anchors_and_aliases_give_what_parse_gives(text, edit):
    new_text, made, newline = after(text, edit)
    assert same_document(reparse(parse(text), new_text, edit_spans(made, newline)), parse(new_text)) is None


def test_an_ampersand_and_an_asterisk_that_are_no_alias_leave_the_other_entries_as_they_were():
    text = ANCHORS.replace("&name ", "").replace("*name", "x")  # '&' and '*' in values only
    new_text, made, newline = after(text, ("Value: x", "\n    Export: {Name: y}", "after"))
    old = parse(text)
    first = old.node(("Resources", "First"))
    with mock.patch.object(reparse_module, "parse", side_effect=AssertionError("a whole parse")):
        doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "First")) is first
    assert same_document(doc, parse(new_text)) is None


def test_untouched_entries_keep_their_nodes_moved():
    old = parse(YAML)
    first = old.node(("Resources", "First"))
    outputs = old.node(("Outputs", "Queue"))
    new_text, made, newline = after(YAML, ("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "First")) is first  # before the edit: kept as it was
    assert doc.node(("Outputs", "Queue")) is outputs  # after it: kept, moved
    assert new_text[outputs.start:outputs.end] == "Value: !Ref Last"


def test_a_property_added_re_parses_only_the_entries_of_the_mapping_it_went_into():
    old = parse(YAML)
    kept = [old.node(path) for path in [("Resources", "Last", "Type"), ("Resources", "Last", "Properties", "DelaySeconds")]]
    new_text, made, newline = after(YAML, ("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"),
                                    ("Type: AWS::SNS::Topic", "\n    DeletionPolicy: Retain", "after"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert same_document(doc, parse(new_text)) is None
    assert doc.node(("Resources", "Last", "Type")) is kept[0]  # beside the edited properties: kept, moved
    assert doc.node(("Resources", "Last", "Properties")) is not old.node(("Resources", "Last", "Properties"))
    assert doc.value(("Resources", "Last", "Properties")) == {"DelaySeconds": 5, "MessageRetentionPeriod": 60}
    assert doc.value(("Resources", "First")) == {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain"}


@pytest.mark.parametrize("crlf", [False, True])
def test_an_appended_entry_is_parsed_without_the_entry_before_it(crlf):
    text = YAML.replace("\n", "\r\n") if crlf else YAML
    old = parse(text)
    kept = [old.node(("Resources", "Last")), old.node(("Resources", "Last", "Properties", "DelaySeconds"))]
    new_text, made, newline = after(text, ("DelaySeconds: 5", "\n  Added:\n    Type: AWS::SNS::Topic", "after"),
                                    ("Type: AWS::SNS::Topic", "\n    DeletionPolicy: Retain", "after"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert same_document(doc, parse(new_text)) is None
    assert doc.node(("Resources", "Last")) is kept[0]
    new_text, made, newline = after(text, ("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"))
    doc = reparse(parse(text), new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "Last", "Properties", "DelaySeconds")) is not None
    assert same_document(doc, parse(new_text)) is None


def test_an_entry_ending_in_a_block_scalar_is_parsed_with_what_is_appended_after_it():
    old = parse(YAML)
    code = old.node(("Resources", "Code"))
    new_text, made, newline = after(YAML, ("return 1", "\n  Added:\n    Type: AWS::SNS::Topic", "after"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "Code")) is not code  # its "|+" loses the blank lines after it
    assert doc.value(("Resources", "Code", "Properties", "Code", "ZipFile")).endswith("return 1\n")
    assert same_document(doc, parse(new_text)) is None


def test_a_removed_entry_is_parsed_as_none_and_the_others_keep_their_nodes():
    old = parse(YAML)
    kept = old.root.get("Resources").get("Last")
    new_text, made, newline = after(YAML, (YAML[YAML.index("  Code:"):YAML.index("  Last:")], "", "replace"))
    assert reparse(old, new_text, edit_spans(made, newline)).root.get("Resources").get("Last") is kept


def test_a_new_entry_repeating_a_key_kept_between_two_touched_entries_raises_as_parse_does():
    new_text, made, newline = after(YAML, ("Type: AWS::SNS::Topic", "Type: AWS::SNS::Topic\n  Code:\n    Type: AWS::SNS::Topic", "replace"),
                           ("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"))
    with pytest.raises(Exception, match="duplicate key 'Code'"):
        reparse(parse(YAML), new_text, edit_spans(made, newline))


def test_an_appended_json_entry_ending_in_a_comma_before_another_raises_as_parse_does():
    new_text, made, newline = after(JSON, ('{"Type": "AWS::SNS::Topic"}', ', "Added": 1,', "after"))
    with pytest.raises(Exception, match="invalid JSON"):
        parse(new_text)
    with pytest.raises(Exception, match="invalid JSON"):
        reparse(parse(JSON), new_text, edit_spans(made, newline))


def test_an_appended_json_entry_is_parsed_without_the_entry_before_it():
    old = parse(JSON)
    last = old.node(("Resources", "Last"))
    new_text, made, newline = after(JSON, ('"Type": "AWS::SQS::Queue"\n    }', ',\n    "Added": {"Type": "AWS::SNS::Topic"}', "after"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "Last")) is last
    assert same_document(doc, parse(new_text)) is None


def test_an_invalid_result_raises_as_parse_does():
    new_text, made, newline = after(YAML, ("DelaySeconds: 5", "\n      DelaySeconds: 6", "after"))
    with pytest.raises(Exception, match="duplicate key 'DelaySeconds'"):
        reparse(parse(YAML), new_text, edit_spans(made, newline))


def test_a_document_that_keeps_its_places_answers_for_its_own_text_after_its_nodes_moved():
    old = parse(YAML)
    whole = parse(YAML)
    old.keep_places()
    new_text, made, newline = after(YAML, ("  Last:\n", "  Added:\n    Type: AWS::SNS::Topic\n", "before"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Outputs", "Queue")) is old.node(("Outputs", "Queue"))  # moved into the new document
    for path in [("Outputs", "Queue", "Value"), ("Resources", "Last", "Properties"), ("Resources", "Code"), ("Resources", "Nothing")]:
        assert old.place(path) == whole.place(path)


def _paths(node, path=()):
    yield path
    if node.kind == "map":
        for k, v in node.value:
            yield from _paths(v, (*path, k.value))
    elif node.kind == "seq":
        for i, v in enumerate(node.value):
            yield from _paths(v, (*path, i))


@pytest.mark.parametrize("edits", [
    [("DelaySeconds: 5", "\n      MessageRetentionPeriod: 60", "after"), ("Type: AWS::SNS::Topic", "\n    DeletionPolicy: Retain", "after")],
    [("Value: !Ref Last", "\n    Description: the queue", "after"), ("return 1", "return 10", "replace")],
    [("Value: !Ref Last", "\n    Description: the queue", "after"), ("DelaySeconds: 5", "DelaySeconds: 6", "replace")],
])
def test_nodes_a_first_re_parse_left_in_place_keep_their_places_when_a_later_one_moves_them(edits):
    # the spans of the nodes before the first fix's first edit are recorded only when a later
    # fix, editing before them, moves them (Document.before_move)
    whole = parse(YAML)
    old = parse(YAML)
    old.keep_places()
    text, doc = YAML, old
    for edit in edits:
        text, made, newline = after(text, edit)
        doc = reparse(doc, text, edit_spans(made, newline))
        assert same_document(doc, parse(text)) is None
    assert doc.node(("Outputs", "Queue", "Value")) is old.node(("Outputs", "Queue", "Value"))  # moved twice
    paths = list(_paths(whole.root))
    assert old.places(paths) == whole.places(paths)


def test_the_engine_moves_only_the_nodes_of_a_document_handed_over():
    from cfnfix.config import Config
    from cfnfix.engine import fix_document, fix_source

    text = YAML.replace("  First:\n    Type: AWS::SNS::Topic\n", "  First:\n    Type: AWS::SNS::Topic\n    Properties: {}\n")
    kept = parse(text)
    spans = [(n.start, n.end) for n in (kept.node(("Outputs", "Queue")), kept.node(("Resources", "Last")))]
    names = ["sns-encryption", "sqs-encryption"]  # the first fix moves the nodes the second one reports
    config = Config(unsafe_fixes=True)
    result = fix_document(kept, names, config)
    assert result.changes
    assert [(n.start, n.end) for n in (kept.node(("Outputs", "Queue")), kept.node(("Resources", "Last")))] == spans
    handed = fix_source(text, names, config)
    assert (handed.after, handed.places) == (result.after, result.places)


@pytest.mark.parametrize("edit", [Edit(1, 2, ""), Edit(1, 1, " ")], ids=["a space removed", "a space inserted"])
def test_an_edit_in_the_indentation_before_a_key_belongs_to_that_key_s_entry(edit):
    # between where an entry's line begins and its key: the entry is re-parsed, not the one before
    at = YAML.index("  Last:")
    made = [Edit(at + edit.start, at + edit.end, edit.text)]
    new_text = apply_edits(YAML, made, "\n")
    with pytest.raises(Exception, match="line 14: invalid YAML: did not find expected key"):
        parse(new_text)
    with pytest.raises(Exception, match="line 14: invalid YAML: did not find expected key"):
        reparse(parse(YAML), new_text, edit_spans(made, "\n"))


@pytest.mark.parametrize("merge, edit", [
    (("      DelaySeconds: 5", "      <<: {VisibilityTimeout: 30}\n      DelaySeconds: 5"),  # keys the entries lack
     ("DelaySeconds: 5", "DelaySeconds: 6", "replace")),
    (("      DelaySeconds: 5", "      <<: {DelaySeconds: 1}\n      MaximumMessageSize: 2048\n      DelaySeconds: 5"),
     ("      DelaySeconds: 5", "", "replace")),  # the entry that overrode a merged key removed
    (("Resources:\n", "Resources:\n  <<: {Extra: {Type: AWS::SNS::Topic}}\n"), ("DelaySeconds: 5", "DelaySeconds: 6", "replace")),
], ids=["in a resource's properties", "overridden", "in a section"])
def test_a_document_merging_a_mapping_in_is_parsed_whole(merge, edit):
    # a "<<" entry is not among the mapping's entries, but its keys are in the mapping's data:
    # built from the entries, a re-parsed mapping would lose them
    text = YAML.replace(*merge)
    new_text, made, newline = after(text, edit)
    assert same_document(reparse(parse(text), new_text, edit_spans(made, newline)), parse(new_text)) is None


def test_a_quoted_merge_key_s_name_is_an_ordinary_key():
    text = YAML.replace("DelaySeconds: 5", "'<<': {x: 1}\n      DelaySeconds: 5")
    old = parse(text)
    quoted = old.node(("Resources", "Last", "Properties", "<<"))
    new_text, made, newline = after(text, ("DelaySeconds: 5", "DelaySeconds: 6", "replace"))
    doc = reparse(old, new_text, edit_spans(made, newline))
    assert doc.node(("Resources", "Last", "Properties", "<<")) is quoted  # kept, moved over
    assert same_document(doc, parse(new_text)) is None
