"""text_checks.may_write and may_match: a text pre-check may skip a walk only where the data cannot hold the word."""

from __future__ import annotations

import re

import pytest

from cfnfix.document import parse
from cfnfix.text_checks import may_match, may_write

# each text's data holds an Fn::If, written so that 'If' is not in the text itself
HIDDEN_IF = [
    'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {"Fn::\\x49f": [C, a, b]}\n',
    'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !<!%49f> [C, a, b]\n',
    '%TAG !e! !I\n---\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !e!f [C, a, b]\n',
    'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      ? "Fn::I\\\n        f"\n      : [C, a, b]\n',
    '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::\\u0049f": ["C", "a", "b"]}}}}}',
]


@pytest.mark.parametrize("text", HIDDEN_IF)
def test_a_word_written_another_way_is_not_ruled_out(text: str) -> None:
    assert "If" not in text
    assert "Fn::If" in repr(parse(text).data)
    assert may_write(text, "If")


def test_a_plain_text_without_the_word_is_ruled_out() -> None:
    text = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub "${AWS::StackName}-q"  # 100%\n'
    assert not may_write(text, "If", "aws-service-role")
    assert may_write(text, "Sub")


# each text's data holds ${, written so that '${' is not in the text itself (sub-needed's pre-check)
HIDDEN_SUB = [
    '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "\\u0024{Env}-q"}}}}',
    'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: "$\\\n        {Env}-q"\n',
]


@pytest.mark.parametrize("text", HIDDEN_SUB)
def test_a_sub_token_written_another_way_is_not_ruled_out(text: str) -> None:
    assert "${" not in text
    assert "${Env}-q" == parse(text).data["Resources"]["Q"]["Properties"]["QueueName"]
    assert may_write(text, "${")


@pytest.mark.parametrize("text", HIDDEN_IF)
def test_a_pattern_written_another_way_is_not_ruled_out(text: str) -> None:
    assert not re.search(r"Fn::If", text)
    assert may_match(text, re.compile(r"Fn::If"))


def test_a_plain_text_without_a_match_is_ruled_out() -> None:
    text = 'Resources:\n  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: us-east-\n        1a\n'
    assert not may_match(text, re.compile(r"-[a-z]+-\d[a-z]"))  # a folded line holds a space: no zone name
    assert parse(text).data["Resources"]["S"]["Properties"]["AvailabilityZone"] == "us-east- 1a"
    assert may_match(text.replace("-\n        1a", "-1a"), re.compile(r"-[a-z]+-\d[a-z]"))


def test_the_answer_kept_for_the_last_text_is_that_text_s_own() -> None:
    """What the escape search found is kept for the last text object only: another text, even
    one asked about right after, gets its own answer."""
    escaped, plain = HIDDEN_IF[0], HIDDEN_IF[0].replace("\\x49", "I").replace("I", "J")
    assert may_write(escaped, "If") and may_write(escaped, "If")
    assert not may_write(plain, "If")
    assert may_write(escaped, "If")


def test_an_entry_is_ruled_out_by_its_own_text() -> None:
    """entry_check reads only the entry's span: a template writing ${ in one resource rules
    out the others; an escape anywhere rules out nothing."""
    from cfnfix.text_checks import entry_check

    for text in ('Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q-${Env}\n'
                 '  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: plain\n',
                 '{"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q-${Env}"}},'
                 ' "B": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "plain"}}}}'):
        doc = parse(text)
        may_hold = entry_check(doc, "${")
        assert may_hold(("Resources", "A")) and entry_check(doc, "plain", "${")(("Resources", "B"))
        assert not may_hold(("Resources", "B"))
        assert may_hold(("Resources", "C"))  # no such entry: not ruled out
    for text in HIDDEN_SUB:
        assert entry_check(parse(text), "${")(("Resources", "Q"))


def test_an_alias_holds_what_its_anchor_writes() -> None:
    """B's value is an alias of A's, written in A's span: B's own text holds no ${, yet its data
    does. A document that may hold an alias rules no entry out, and sub-needed finds B's string."""
    from cfnfix.api import fix_text
    from cfnfix.text_checks import entry_check

    text = ('Parameters:\n  Env: {Type: String}\nResources:\n'
            '  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: &name q-${Env}\n'
            '  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: *name\n')
    doc = parse(text)
    assert doc.data["Resources"]["B"]["Properties"]["TopicName"] == "q-${Env}"
    assert "${" not in text[text.index("  B:"):]
    assert entry_check(doc, "${")(("Resources", "B"))
    reported = fix_text(text, select=["sub-needed"]).unfixed  # shared through the anchor: reported, not edited
    assert ("Resources", "B", "Properties", "TopicName") in {tuple(p.path) for p in reported}
