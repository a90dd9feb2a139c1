"""The formats cfn-lint gives and checks: the format of a resource's ``Ref`` and of its
``Fn::GetAtt`` attributes against the format a property wants (cfn-lint E1041 and E1040,
``rules/functions/RefFormat.py`` and ``GetAttFormat.py``; cfn-lint is MIT-0), and the literal
strings its ``format`` keyword rules reject (E1150-E1164) or a schema ``pattern`` rejects (E3031).

cfn-lint's resource schemas carry a ``format`` keyword (``AWS::IAM::Role.Arn``,
``AWS::EC2::VPC.Id``, ``AWS::KMS::Key.Arn`` ...) on properties that take an identifier of a
resource, and on the properties of the resource type that are that identifier. A ``Ref`` gives
the schema of the type's single ``primaryIdentifier`` (none when there are several), a
``Fn::GetAtt`` the schema of the attribute's property. cfn-lint reports E1041/E1040 when the
property wants a format and the source's schema neither has it nor offers it in an ``anyOf``
(so a source with no format at all never matches). Read from the schema files, as
``schemas.py`` does: cfn-lint is not imported at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import schemas

# a Ref to these types gives whatever physical id the resource chose (cfn-lint skips them)
CUSTOM_PREFIXES = ("Custom::", "AWS::CloudFormation::CustomResource")
# GetAtt sources cfn-lint does not judge (their attributes are open)
GETATT_EXCEPTIONS = ("AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack",
                     "AWS::Serverless::Application", "AWS::ServiceCatalog::CloudFormationProvisionedProduct")
GETATT_ATTRIBUTE_EXCEPTIONS = (("AWS::SSM::Parameter", "Value"),)


def normal(fmt: Any) -> Any:
    """cfn-lint's backwards compatibility: ``SecurityGroup.GroupId`` is ``SecurityGroup.Id``."""
    return "AWS::EC2::SecurityGroup.Id" if fmt == "AWS::EC2::SecurityGroup.GroupId" else fmt


def wanted(schema: dict) -> str | None:
    """The format a (resolved) property schema wants of a Ref or GetAtt in it, or None."""
    fmt = normal(schema.get("format")) if isinstance(schema, dict) else None
    return fmt if isinstance(fmt, str) and fmt.startswith("AWS::") else None


def offered(schema: dict) -> list[str]:
    """The formats a source schema gives: its own and those of its ``anyOf`` branches."""
    if not isinstance(schema, dict):
        return []
    out = [normal(schema["format"])] if isinstance(schema.get("format"), str) else []
    for branch in schema.get("anyOf") or ():
        if isinstance(branch, dict) and isinstance(branch.get("format"), str):
            out.append(normal(branch["format"]))
    return out


def matches(want: str, source: dict) -> bool:
    return want in offered(source)


def pointer_schema(root: dict, pointer: str) -> dict:
    """The resolved schema at a cfn pointer (``/properties/A/B``) of a resource schema; {} if none."""
    if not isinstance(pointer, str) or not pointer.startswith("/properties/"):
        return {}
    schema: Any = root
    for part in pointer.split("/")[1:]:
        schema = schemas.resolve(root, schema)
        schema = schema.get(part, {}) if isinstance(schema, dict) else {}
    return schemas.resolve(root, schema)


def ref_schema(type_name: str, properties: Any = None) -> dict | None:
    """The schema of a ``Ref`` to a resource of ``type_name`` whose properties are ``properties``;
    None when cfn-lint does not judge it (custom or unknown type)."""
    if type_name.startswith(CUSTOM_PREFIXES):
        return None
    root = schemas.resource_schema(type_name)
    if root is None:
        return None
    if type_name == "AWS::EC2::SecurityGroup":
        # cfn-lint: with a VpcId the Ref is the group's id, without one (default VPC) its name
        has_vpc = isinstance(properties, dict) and "VpcId" in properties
        return {"format": "AWS::EC2::SecurityGroup.Id" if has_vpc else "AWS::EC2::SecurityGroup.Name"}
    ids = root.get("primaryIdentifier") or []
    if not isinstance(ids, list) or len(ids) != 1:
        return {"type": "string"}
    return pointer_schema(root, ids[0])


def ref_property(type_name: str) -> str | None:
    """The property a ``Ref`` gives (the type's single primary identifier), e.g. ``RoleName``."""
    root = schemas.resource_schema(type_name) or {}
    ids = root.get("primaryIdentifier") or []
    if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str) and ids[0].startswith("/properties/"):
        return ids[0][len("/properties/"):].replace("/", ".")
    return None


def attribute_schema(type_name: str, attribute: str) -> dict | None:
    """The schema of ``Fn::GetAtt [X, attribute]`` on a ``type_name``; None when cfn-lint does not
    judge it (open types, unknown attributes)."""
    if type_name in GETATT_EXCEPTIONS or (type_name, attribute) in GETATT_ATTRIBUTE_EXCEPTIONS:
        return None
    attrs = schemas.attributes(type_name)
    if attrs is None or attribute not in attrs:
        return None
    root = schemas.resource_schema(type_name) or {}
    return pointer_schema(root, "/properties/" + attribute.replace(".", "/"))


def attributes_giving(type_name: str, want: str) -> list[str]:
    """The attributes of ``type_name`` whose own format is exactly ``want`` (not one of several)."""
    out = []
    for attr in schemas.attributes(type_name) or ():
        if any(c in attr for c in "\\*[("):
            continue  # a pattern (Outputs\\..*), not one attribute
        schema = attribute_schema(type_name, attr)
        if schema is not None and normal(schema.get("format")) == want and not schema.get("anyOf"):
            out.append(attr)
    return out


# Literal values (placeholder-value): what the format rules E1150-E1164 reject.
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

