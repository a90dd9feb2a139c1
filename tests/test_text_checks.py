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
