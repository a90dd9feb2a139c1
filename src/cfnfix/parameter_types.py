"""The template parameter type a place in a template takes: what a parameter declared for a
value read there must be (``AWS::EC2::Subnet::Id`` for a subnet id, ``List<...>`` for a list
of them, ``String`` where any text goes), from cfn-lint's resource schemas and their formats."""

from __future__ import annotations

from typing import Any

from . import schemas

# cfn-lint schema formats -> the AWS-specific parameter type that holds such a value
_FORMATS = {
    "AWS::EC2::Subnet.Id": "AWS::EC2::Subnet::Id",
    "AWS::EC2::Subnet.Ids": "List<AWS::EC2::Subnet::Id>",
    "AWS::EC2::VPC.Id": "AWS::EC2::VPC::Id",
    "AWS::EC2::SecurityGroup.Id": "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::SecurityGroup.Ids": "List<AWS::EC2::SecurityGroup::Id>",
    "AWS::EC2::SecurityGroup.Name": "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup.Names": "List<AWS::EC2::SecurityGroup::GroupName>",
    "AWS::EC2::Image.Id": "AWS::EC2::Image::Id",
    "AWS::Route53::HostedZone.Id": "AWS::Route53::HostedZone::Id",
}
# key pair names carry no format in the schemas: the property, on the types that launch instances
_KEY_NAME_TYPES = ("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")
# nor do hosted zone ids: a Route 53 resource's own HostedZoneId (an alias target's names a zone of
# another service, in another account, which the parameter type would reject)
_HOSTED_ZONE_PREFIX = "AWS::Route53::"
SCALARS = ("String", "Number")
# intrinsic functions whose arguments are text whatever the place of the call takes
_TEXT_FUNCTIONS = ("Fn::Sub", "Fn::Join", "Fn::Base64", "Fn::Split", "Fn::Cidr", "Fn::GetAZs", "Fn::ImportValue",
                   "Fn::FindInMap", "Fn::Equals", "Fn::Select", "Fn::ToJsonString", "Fn::Length")


def is_scalar(type_name: str) -> bool:
    return not type_name.startswith("List<") and type_name != "CommaDelimitedList"


def place_type(doc: Any, path: tuple) -> str | None:
    """The parameter type a ``Ref`` written at ``path`` (the data path of the call) must have;
    None when it cannot be told (an object is wanted, a resource type without a schema, a
    resource attribute other than ``Properties`` and ``Metadata``)."""
    section = path[0] if path else None
    if section in ("Outputs", "Conditions"):
        return "String"
    if section != "Resources" or len(path) < 3:
        return None
    body = doc.resources.get(path[1])
    type_name = body.get("Type") if isinstance(body, dict) else None
    if path[2] == "Metadata":
        return "String"
    if path[2] != "Properties" or not isinstance(type_name, str):
        return None
    if type_name.startswith(schemas._OPEN_TYPES):
        return "String"  # custom resources and nested stacks take any text
    root = schemas.resource_schema(type_name)
    if root is None:
        return None
    schema: Any = root
    parts = list(path[3:])
    wants_list = False
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, str) and part.startswith("Fn::") or part == "Ref":
            rest = parts[i + 1:]
            if part == "Fn::If" and len(rest) >= 1 and rest[0] in (1, 2):
                i += 2  # either branch stands where the Fn::If stands
                continue
            if part == "Fn::Select" and rest == [1]:
                wants_list = True  # the list an item is selected from
                break
            if part in ("Fn::Join", "Fn::Length") and rest == [1] or part == "Fn::Length" and not rest:
                return "CommaDelimitedList"
            if part not in _TEXT_FUNCTIONS:
                return None
            inner = next((j for j in range(i + 1, len(parts)) if isinstance(parts[j], str) and parts[j].startswith("Fn::")), None)
            if inner is None:
                return "String"
            schema, i = {"type": "string"}, inner  # an argument of text, itself a call: what it needs of the Ref
            continue
        schema = schemas.child_schema(root, schemas.resolve(root, schema), part)
        i += 1
    schema = schemas.resolve(root, schema)
    key = next((p for p in reversed(parts) if isinstance(p, str) and not p.startswith("Fn::")), "")
    if parts[:1] == ["HostedZoneId"] and not wants_list and type_name.startswith(_HOSTED_ZONE_PREFIX) \
            and _types(schema) <= {"string"}:
        return "AWS::Route53::HostedZone::Id"
    if wants_list:
        if _types(schema) and "array" in _types(schema):
            return None  # an item selected from a list of lists
        item = _scalar_type(schema, key, type_name)
        if item is None:
            return None
        return f"List<{item}>" if item.startswith("AWS::") else "CommaDelimitedList"
    return _scalar_type(schema, key, type_name) if "array" not in _types(schema) else _list_type(root, schema, key)


def _types(schema: dict) -> set:
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return {kinds}
    return set(kinds) if isinstance(kinds, list) else set()


def _formats(schema: dict) -> set:
    found = {schema["format"]} if isinstance(schema.get("format"), str) else set()
    for word in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(word) or ():
            if isinstance(branch, dict) and isinstance(branch.get("format"), str):
                found.add(branch["format"])
    return found


def _by_format(schema: dict, key: str) -> str | None:
    formats = [f for f in _formats(schema) if f in _FORMATS]
    if len(formats) > 1:  # ids or names: the property's own name says which
        formats = [f for f in formats if _says(key, f.rsplit(".", 1)[1])]
    return _FORMATS[formats[0]] if len(formats) == 1 else None


def _says(key: str, suffix: str) -> bool:
    """Whether a property name ends in ``suffix`` (``Id``), itself or as one item of a plural (``SecurityGroupIds``)."""
    return key.endswith(suffix) or key.endswith("s") and key[:-1].endswith(suffix)


def _scalar_type(schema: dict, key: str, type_name: str) -> str | None:
    kinds = _types(schema)
    if kinds and kinds <= {"object"}:
        return None  # a parameter holds no object
    found = _by_format(schema, key)
    if found is not None:
        return found
    if key == "KeyName" and type_name in _KEY_NAME_TYPES:
        return "AWS::EC2::KeyPair::KeyName"
    if kinds and kinds <= {"integer", "number"}:
        return "Number"
    return "String"


def _list_type(root: dict, schema: dict, key: str) -> str | None:
    found = _by_format(schema, key)
    if found is not None and not is_scalar(found):
        return found
    items = schemas.resolve(root, schema.get("items") or {})
    kinds = _types(items)
    if kinds and not kinds & {"string", "integer", "number", "boolean"}:
        return None  # a list of objects or lists
    inner = _by_format(items, key[:-1] if key.endswith("s") else key)
    return f"List<{inner}>" if inner is not None and inner.startswith("AWS::") else "CommaDelimitedList"


def combined(types: list[str | None]) -> str | None:
    """The one type every place accepts: the same type everywhere; the one AWS-specific type
    when the other places take any text (``String``: an id is text too); else ``String`` when
    every place takes a single value (text, number or an AWS-specific id); None when there is none."""
    kinds = {t for t in types if t is not None}
    if not types or len(kinds) < len(set(types)):
        return None  # none, or a place whose type cannot be told
    if len(kinds) == 1:
        return kinds.pop()
    specific = kinds - {"String"}
    only = next(iter(specific)) if len(specific) == 1 else ""
    if only.startswith("AWS::") and is_scalar(only):
        return only
    if all(is_scalar(t) for t in kinds):
        return "String"
    return None
