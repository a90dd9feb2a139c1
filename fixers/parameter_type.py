"""Parameter definitions CloudFormation refuses where the intended form is plain (cfn-lint E2001, E2002)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import PSEUDO_PARAMETERS, entries, references

_LIST_TYPES = ("CommaDelimitedList", "List<")
_TEXT_PSEUDO = tuple(p for p in PSEUDO_PARAMETERS if p not in ("AWS::NoValue", "AWS::NotificationARNs"))
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
    lint_rules = ("E2001", "E2002")
    default = False
    docs = """
    ## What it detects
    - A parameter `Type` that is not one CloudFormation knows but plainly spells one
      (`string`, `Numbers`, `commaDelimitedList`, `List<AWS::EC2::Subnet::ID>`), or a type name
      from programming languages with one CloudFormation equivalent (`Integer` is `Number`)
      (cfn-lint E2002, or W2002 for undocumented spellings);
    - the `Default` of a list parameter (`CommaDelimitedList`, `List<...>`) written as a YAML or
      JSON list: CloudFormation wants one comma-separated string (E2001).

    - a `Default` that is a pseudo parameter (`Default: !Ref AWS::Region`; parameters cannot use
      intrinsic functions) of a String parameter that accepts '': the `Default` becomes `''`,
      and every `Ref` to the parameter reads
      `!If [HasRegion, !Ref Region, !Ref AWS::Region]` with the condition
      `HasRegion: !Not [!Equals [!Ref Region, '']]` (`review`: the parameter's default is now
      spelt '', with the same effect) (E2001).

    A parameter defined by something other than a mapping, or another default computed by an
    intrinsic function (or one read by `Fn::Sub` or in `Conditions`), is reported, not changed.

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
    ones written, in the form CloudFormation reads. A pseudo parameter default is `review`.
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
                findings.append(_pseudo_default(doc, pid, body, default) or Finding(
                    None, path, f"E2001 parameter '{pid}': a Default cannot use intrinsic functions; give a literal value, "
                    "or drop the parameter and use the function where it is referenced", fixable=False))
            elif isinstance(default, list) and isinstance(type_name, str) and type_name.startswith(_LIST_TYPES):
                if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) and "," not in str(v) for v in default):
                    joined = ",".join(_text(v) for v in default)
                    message = f"E2001 parameter '{pid}': a list Default is one comma-separated string"
                    findings.append(Finding(None, path, message, detail=joined))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            d = f.detail
            with editor.finding(f):
                if not isinstance(d, PseudoDefault):
                    editor.set(f.path, d)
                    action = "add" if doc.node(f.path) is None else "replace"
                    changes.append(self.change(f, action, doc.value(f.path), d, f.message))
                    continue
                pid = f.path[1]
                editor.set(f.path, "")
                changes.append(self.change(f, "replace", doc.value(f.path), "", f.message, safety=Safety.REVIEW))
                if d.uses:
                    test = {"Fn::Not": [{"Fn::Equals": [{"Ref": pid}, ""]}]}
                    editor.set(("Conditions", d.condition), test)
                    changes.append(self.change(f, "add", None, test, f.message, path=("Conditions", d.condition),
                                               safety=Safety.REVIEW))
                for use in d.uses:
                    call = {"Fn::If": [d.condition, {"Ref": pid}, {"Ref": d.pseudo}]}
                    editor.set(use, call)
                    changes.append(self.change(f, "replace", {"Ref": pid}, call, f.message, path=use,
                                               safety=Safety.REVIEW))
        return Fix.of(editor, changes)


class PseudoDefault(NamedTuple):
    """A parameter defaulting to a pseudo parameter: the Default becomes '' and each ``Ref`` at
    ``uses`` reads ``Fn::If [condition, Ref parameter, Ref pseudo]``."""

    pseudo: str
    condition: str
    uses: tuple


def _pseudo_default(doc: Document, pid: str, body: dict, default: Any) -> Finding | None:
    """A fix for ``Default: !Ref AWS::Region`` (any pseudo parameter with one text value) of a
    String parameter that accepts '' and is read only by ``Ref`` outside Conditions; else None."""
    pseudo = default.get("Ref") if isinstance(default, dict) else None
    if pseudo not in _TEXT_PSEUDO or body.get("Type") != "String" or any(
            k in body for k in ("AllowedValues", "AllowedPattern")) or body.get("MinLength") not in (None, 0, "0"):
        return None
    uses = []
    for section, key, item in entries(doc.data, ("Resources", "Outputs", "Conditions")):
        if section == "Conditions":
            if any(name == pid for name, _ in references(item)):
                return None  # Fn::If cannot stand in a condition
            continue
        for name, where in references(item, (section, key)):
            if name != pid:
                continue
            if doc.value(where) != {"Ref": pid}:
                return None  # an Fn::Sub reads it: its text would need the Fn::If too
            uses.append(where)
    conditions = doc.data.get("Conditions")
    if conditions is not None and not isinstance(conditions, dict):
        return None
    taken = set(conditions or {}) | set(doc.resources) | set(doc.data.get("Parameters") or {})
    condition, n = f"Has{pid[:1].upper()}{pid[1:]}", 2
    while condition in taken:
        condition, n = f"Has{pid[:1].upper()}{pid[1:]}{n}", n + 1
    how = (f"each Ref reads !If [{condition}, !Ref {pid}, !Ref {pseudo}]" if uses else "it is not read anywhere")
    message = (f"E2001 parameter '{pid}': a Default cannot use intrinsic functions; the Default becomes '' (meaning "
               f"{pseudo}) and {how}")
    return Finding(None, ("Parameters", pid, "Default"), message, detail=PseudoDefault(pseudo, condition, tuple(uses)))


def _text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
