"""password-pattern beyond the goldens: the widened patterns accept and reject the right passwords."""

import re
import string

import pytest

from cfnfix.fixers.password_pattern import Rule, accepted_characters, engine_values, instance_rule
from cfnfix.document import parse
from support import run_fixers

RDS = Rule(8, 41)
PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]


@pytest.mark.parametrize("bad", ["/", '"', "@", " "])
def test_rds_pattern_rejects_what_rds_refuses(bad):
    assert not re.fullmatch(RDS.pattern(), f"Abcd1234{bad}x")


def test_rds_pattern_accepts_every_other_printable_ascii():
    for c in PRINTABLE:
        if c not in ' "/@':
            assert re.fullmatch(RDS.pattern(), c * 8), repr(c)
    assert re.fullmatch(RDS.pattern(), "Xy7!#$%^&*()_+=-{}[]|:;'<>,.?~`\\")
    assert not re.fullmatch(RDS.pattern(), "pässwörd")


def test_oracle_pattern_also_rejects_ampersand_and_quote():
    oracle = instance_rule("oracle-ee")
    assert (oracle.min, oracle.max) == (8, 30)
    assert not re.fullmatch(oracle.pattern(), "Abcd&1234")
    assert not re.fullmatch(oracle.pattern(), "Abcd'1234")
    assert re.fullmatch(oracle.pattern(), "Abcd#1234")


@pytest.mark.parametrize("engine,limits", [
    ("mysql", (8, 41)), ("mariadb", (8, 41)), ("postgres", (8, 128)),
    ("sqlserver-ex", (8, 128)), ("db2-se", (8, 255)), ("oracle-se2", (8, 30)),
])
def test_engine_lengths(engine, limits):
    rule = instance_rule(engine)
    assert (rule.min, rule.max) == limits


def test_unknown_engine_has_no_rule():
    assert instance_rule("neptune") is None


def test_accepted_characters_of_alphanumeric_patterns():
    for pattern in ("^[a-zA-Z0-9]*$", "[a-zA-Z0-9]*", "[a-zA-Z0-9]+"):
        accepted, non_ascii, _, _ = accepted_characters(pattern)
        assert accepted == set(string.ascii_letters + string.digits) and not non_ascii
    assert accepted_characters("^[a-z]{8,41}$")[2:] == (8, 41)


def test_policy_patterns_are_not_compared():
    assert accepted_characters("^(?=.*[A-Z])[A-Za-z0-9]*$") is None
    assert accepted_characters("[a-z]*|[0-9]*") is None


def test_negated_class_accepting_non_ascii_is_flagged():
    accepted, non_ascii, _, _ = accepted_characters('[^"/@ ]*')
    assert accepted == set(RDS.allowed()) and non_ascii


def test_engine_from_find_in_map_column():
    doc = parse("""
Mappings:
  Engines:
    small: {Engine: mysql}
    large: {Engine: postgres}
Resources: {}
""")
    assert engine_values(doc, {"Fn::FindInMap": ["Engines", {"Ref": "Size"}, "Engine"]}) == ["mysql", "postgres"]


TEMPLATE = """\
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: {default}
    AllowedPattern: '[a-zA-Z0-9@]*'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      Engine: mysql
      AllocatedStorage: '20'
      MasterUsername: admin
      MasterUserPassword: !Ref DbPassword
"""


def test_default_the_new_rule_rejects_is_reported_not_changed():
    text = TEMPLATE.format(default="Secret@123")
    result = run_fixers(text, ["password-pattern"])
    assert result.after == text
    assert "Default would be rejected" in result.unfixed[0].message


def test_fix_is_idempotent_and_keeps_a_valid_default():
    text = TEMPLATE.format(default="Secret#123")
    first = run_fixers(text, ["password-pattern"])
    assert "AllowedPattern: '^[!#-.0-?A-~]*$'" in first.after
    assert run_fixers(first.after, ["password-pattern"]).after == first.after
