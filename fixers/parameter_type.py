"""Parameter definitions CloudFormation refuses where the intended form is plain (cfn-lint E2001, E2002)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer

_LIST_TYPES = ("CommaDelimitedList", "List<")
# names for a type that circulate, with the CloudFormation type that means the same
ALIASES = {"integer": "Number", "int": "Number", "float": "Number", "double": "Number", "str": "String",
           "text": "String", "list": "CommaDelimitedList", "stringlist": "CommaDelimitedList",
           "liststring": "List<String>", "listnumber": "List<Number>"}


_AWS_TYPES = ("AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
              "AWS::EC2::SecurityGroup::GroupName", "AWS::EC2::SecurityGroup::Id", "AWS::EC2::Subnet::Id",
              "AWS::EC2::VPC::Id", "AWS::EC2::Volume::Id", "AWS::Route53::HostedZone::Id")


@lru_cache(maxsize=1)
def parameter_types() -> tuple[str, ...]:
    """The parameter types CloudFormation documents (and cfn-lint accepts without E2002)."""
    single = _AWS_TYPES + ("AWS::EC2::KeyPair::KeyName", "AWS::SSM::Parameter::Name", "Number", "String")
    lists = ("CommaDelimitedList",) + tuple(f"List<{t}>" for t in _AWS_TYPES + ("Number", "String"))
    ssm = tuple(f"AWS::SSM::Parameter::Value<{t}>" for t in single + lists)
    return single + lists + ssm


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9<>]", "", name.lower())


def intended_type(name: str) -> str | None:
    """The one parameter type ``name`` is a spelling of (case, spaces, ``::`` and plural aside)."""
    known = parameter_types()
    if name in known:
        return None
    norm = _norm(name)
    same = [t for t in known if _norm(t) == norm or _norm(t) + "s" == norm]
    if len(same) == 1:
        return same[0]
    return ALIASES.get(norm)


class ParameterType(Fixer):
    name = "parameter-type"
    summary = "Repair parameter Types spelt wrong and list defaults written as YAML lists (E2002, E2001)"
    group = "schema"
    safety = Safety.SAFE
    default = False
    docs = """
    ## What it detects
    - A parameter `Type` that is not one CloudFormation knows but plainly spells one
      (`string`, `Numbers`, `commaDelimitedList`, `List<AWS::EC2::Subnet::ID>`), or a type name
      from programming languages with one CloudFormation equivalent (`Integer` is `Number`)
      (cfn-lint E2002, or W2002 for undocumented spellings);
    - the `Default` of a list parameter (`CommaDelimitedList`, `List<...>`) written as a YAML or
      JSON list: CloudFormation wants one comma-separated string (E2001).

    A parameter defined by something other than a mapping, or a default computed by an
    intrinsic function (parameters cannot use them), is reported, not changed.

    ## Why it matters
    CloudFormation rejects the template (`Template format error: Unrecognized parameter type`,
    `Parameter 'Zones' default value must be a string`).

    ## Example
    ```yaml
    # before
    Parameters:
      Zones:
        Type: List<AWS::EC2::AvailabilityZone::Name>
        Default: [us-east-1a, us-east-1b]
      Size:
        Type: integer
    # after
    Parameters:
      Zones:
        Type: List<AWS::EC2::AvailabilityZone::Name>
        Default: us-east-1a,us-east-1b
      Size:
        Type: Number
    ```

    ## Fix safety
    Safe: the template could not be deployed as written; the type and default values are the
    ones written, in the form CloudFormation reads.
    """

    def find(self, doc: Document) -> list[Finding]:
        params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
        if not isinstance(params, dict):
            return []
        findings = []
        for pid, body in params.items():
            if not isinstance(body, dict):
                findings.append(Finding(None, ("Parameters", pid), f"E2001 parameter '{pid}' is not a mapping with a "
                                        f"Type; write it as `{pid}: {{Type: String, Description: ...}}`", fixable=False))
                continue
            type_name = body.get("Type")
            if isinstance(type_name, str):
                target = intended_type(type_name)
                if target is not None:
                    message = f"E2002 parameter '{pid}': '{type_name}' is not a parameter type; '{target}' is the one meant"
                    findings.append(Finding(None, ("Parameters", pid, "Type"), message, detail=target))
                    type_name = target
                elif type_name not in parameter_types():
                    findings.append(Finding(None, ("Parameters", pid, "Type"), f"E2002 parameter '{pid}': '{type_name}' is not "
                                            "a parameter type and spells none; use String (with AllowedValues), Number, "
                                            "CommaDelimitedList or an AWS-specific type", fixable=False))
            default = body.get("Default")
            path = ("Parameters", pid, "Default")
            if schemas.is_intrinsic(default):
                findings.append(Finding(None, path, f"E2001 parameter '{pid}': a Default cannot use intrinsic functions; "
                                        "give a literal value, or drop the parameter and use the function where it is referenced",
                                        fixable=False))
            elif isinstance(default, list) and isinstance(type_name, str) and type_name.startswith(_LIST_TYPES):
                if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) and "," not in str(v) for v in default):
                    joined = ",".join(_text(v) for v in default)
                    message = f"E2001 parameter '{pid}': a list Default is one comma-separated string"
                    findings.append(Finding(None, path, message, detail=joined))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)


def _text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
