"""The value formats cfn-lint checks strings against (its ``format`` keyword rules, E1150-E1164):
which a place in a schema names, and whether a literal string is rejected there, by a format
or by the schema's ``pattern`` (E3031)."""

from __future__ import annotations

import re
from functools import lru_cache
from . import schemas

_ARN = r"^arn:aws[a-zA-Z-]*:"
# format -> (cfn-lint rule, pattern), as cfn-lint 1.58 checks them (re.match)
FORMATS: dict[str, tuple[str, str]] = {
    "AWS::EC2::SecurityGroup.Id": ("E1150", r"^sg-([a-fA-F0-9]{8}|[a-fA-F0-9]{17})$"),
    "AWS::EC2::VPC.Id": ("E1151", r"^vpc-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$"),
    "AWS::EC2::Image.Id": ("E1152", r"^ami-([0-9a-z]{8}|[0-9a-z]{17})$"),
    "AWS::EC2::SecurityGroup.Name": ("E1153", r"^[a-zA-Z0-9 \._\-:\/()#\,@\[\]+=&;\{\}!\$\*]+$"),
    "AWS::EC2::Subnet.Id": ("E1154", r"^subnet-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$"),
    "AWS::Logs::LogGroup.Name": ("E1155", r"^[\.\-_\/#A-Za-z0-9]{1,512}\Z"),
    "AWS::IAM::Role.Arn": ("E1156", _ARN + r"iam::\d{12}:role/.+$"),
    "AWS::KMS::Key.Arn": ("E1157", _ARN + r"kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$"),
    "AWS::SNS::Topic.Arn": ("E1158", _ARN + r"sns:[a-z0-9-]+:\d{12}:.+$"),
    "AWS::ACM::Certificate.Arn": ("E1159", _ARN + r"acm:[a-z0-9-]+:\d{12}:certificate/.+$"),
    "AWS::Lambda::Function.Arn": ("E1160", _ARN + r"lambda:[a-z0-9-]+:\d{12}:function:.+(:.+)?$"),
    "AWS::S3::Bucket.Name": ("E1161", r"^(?![.\-])(?!.*\.\.)(?!.*\-\.)(?!.*\.\-)[a-z0-9.\-]{3,63}(?<![.\-])$"),
    "AWS::KMS::Key.Id": ("E1162", r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                                  r"|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]+)$"),
    "AWS::KMS::Alias.AliasName": ("E1164", r"^alias/[a-zA-Z0-9:/_-]+$"),
}
# id formats whose values start with a fixed prefix
PREFIXES = {"AWS::EC2::SecurityGroup.Id": "sg-", "AWS::EC2::VPC.Id": "vpc-", "AWS::EC2::Subnet.Id": "subnet-",
            "AWS::EC2::Image.Id": "ami-"}


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def named(schema: dict) -> tuple[list[str], list[str]]:
    """The formats a resolved ``schema`` names: (those it requires itself, those of its
    ``anyOf``/``oneOf`` branches, one of which must hold)."""
    own = [schema["format"]] if isinstance(schema.get("format"), str) else []
    branches = []
    for word in ("anyOf", "oneOf"):
        for branch in schema.get(word) or ():
            if isinstance(branch, dict) and isinstance(branch.get("format"), str):
                branches.append(branch["format"])
    return own, branches


def passes(format_name: str, text: str) -> bool:
    """Whether cfn-lint accepts ``text`` as a value of ``format_name`` (an unknown format accepts all)."""
    known = FORMATS.get(format_name)
    return known is None or _compiled(known[1]).match(text) is not None


def rejection(schema: dict, text: str) -> tuple[str, str] | None:
    """Why cfn-lint rejects the literal string ``text`` at a place of resolved ``schema``:
    (rule, what rejects it: ``pattern ...`` or ``format ...``); None when it accepts it."""
    own, branches = named(schema)
    for name in own:
        if not passes(name, text):
            return FORMATS[name][0], f"the {name} format ({FORMATS[name][1]})"
    if branches and not any(passes(name, text) for name in branches):
        first = branches[0]
        shown = " or ".join(branches)
        return FORMATS[first][0], f"the {shown} format"
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and schemas.value_matches(pattern, text) is False:
        return "E3031", f"the schema's pattern {pattern}"
    return None


def id_prefixes(schema: dict) -> list[str]:
    """The id prefixes (``sg-``) of the id formats a resolved ``schema`` names."""
    own, branches = named(schema)
    return [PREFIXES[name] for name in own + branches if name in PREFIXES]

