"""``${Name}`` in a plain string where ``Fn::Sub`` is needed (cfn-lint E1029)."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import PSEUDO_PARAMETERS, entries
from cfnfix.memo import entrywise
from cfnfix.nodepath import node_path
from cfnfix.reference_names import CODE_KEYS
from cfnfix.style import detect
from cfnfix.text_checks import entry_check, may_write

_FLAGGED = re.compile(r"\$\{([A-Za-z0-9_:.]+)\}")  # what cfn-lint's E1029 looks at
_ANY = re.compile(r"\$\{([^}]*)\}")
_SKIPPED_KEYS = ("TemplateBody",)  # cfn-lint does not look there


class SubNeeded(Fixer):
    name = "sub-needed"
    summary = "Wrap strings that use ${Name} outside Fn::Sub in Fn::Sub, when every variable names the template (E1029)"
    group = "deploy"
    safety = Safety.SAFE
    lint_rules = ("E1029",)
    default = False
    docs = """
    ## What it detects
    A plain string (not inside `Fn::Sub`) with `${Name}` where `Name` is a parameter, a
    resource, a pseudo parameter or `Resource.Attribute` (cfn-lint E1029).

    ## Why it matters
    CloudFormation passes such a string on literally: the bucket is named `app-${Environment}`,
    the function reads the table `users-${Stage}`, not the value meant.

    ## What it changes
    When every `${...}` in the string names something in the template, the string is wrapped in
    `Fn::Sub`: `!Sub` before the string in YAML (its quotes and block style kept),
    `{"Fn::Sub": ...}` in JSON. `${!Literal}` is already literal and stays.

    When the string also holds `${...}` that names nothing in the template (a shell or
    JavaScript variable, a state machine's `DefinitionSubstitutions` key), it is reported with
    those names: wrapping it would make `Fn::Sub` fail on them, and escaping them (`${!VAR}`) is
    a decision about code only its author can make.

    Strings that are code or a document read by another service (`ZipFile`, `UserData`,
    `BuildSpec`, SSM document `Content`, state machine `DefinitionString`...) are wrapped as a
    `review` fix: the values now substituted change what that code does.

    ## Example
    ```yaml
    # before
    Topic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: 'alerts-${Environment}'
    # after
    Topic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: !Sub 'alerts-${Environment}'
    ```

    ## Fix safety
    Safe for plain values: the `${...}` names only things the template defines, so the value
    the author wrote is the one substituted. `review` inside code and documents, where the
    change alters the program deployed.
    """

    def find(self, doc: Document) -> list[Finding]:
        if schemas.rewritten_by_transform(doc.data):
            return []
        data = doc.data
        if not isinstance(data, dict):
            return []
        if not may_write(doc.text, "${"):
            return []  # no string can hold ${: no walk
        names: set[str] = set()  # the names ${...} may read, gathered for the first string found
        findings = []
        found = [((section, key), item) for section, key, item in entries(data)]
        may_hold = entry_check(doc, "${")  # an entry whose text holds no ${ has no such string: no walk
        walked = entrywise("sub_needed.strings", found,
                           lambda where, item: _entry_strings(where, item) if may_hold(where) else [])
        for ((section, key), _), strings in zip(found, walked):
            for path, text in strings:
                if not names:
                    params = data.get("Parameters")
                    names = set(PSEUDO_PARAMETERS) | set(doc.resources) | (set(params) if isinstance(params, dict) else set())
                f = self._judge(doc, path, text, names, key if section == "Resources" else None)
                if f is not None:
                    findings.append(f)
        return findings

    def _judge(self, doc: Document, path: tuple, text: str, names: set[str], rid: str | None) -> Finding | None:
        substitutions: set = set()
        if rid is not None and ("DefinitionString" in path or "Definition" in path):
            subs = doc.value(("Resources", rid, "Properties", "DefinitionSubstitutions"))
            substitutions = set(subs) if isinstance(subs, dict) else set()  # the state machine fills these in
        flagged = [v for v in _FLAGGED.findall(text) if v not in substitutions and _resolves(doc, v, names)]
        if not flagged:
            return None
        others = sorted({v for v in _ANY.findall(text) if not v.startswith("!") and (
            v.strip() in substitutions or not _resolves(doc, v.strip(), names))})
        shown = ", ".join("${" + v + "}" for v in dict.fromkeys(flagged))
        code = next((k for k in path if k in CODE_KEYS), None)
        if others:
            rest = ", ".join("${" + v + "}" for v in others)
            return Finding(rid, path, f"E1029 {shown} outside Fn::Sub, next to {rest} that name nothing in the template; "
                           "wrap the string in Fn::Sub and escape those as ${!NAME}, or write the values out",
                           fixable=False)
        where = f" in {code}" if code else ""
        verb = "are" if len(set(flagged)) > 1 else "is"
        return Finding(rid, path, f"E1029 {shown}{where} outside Fn::Sub {verb} passed on literally; wrapped in Fn::Sub",
                       detail=Safety.REVIEW if code else Safety.SAFE)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        style = detect(doc)
        if doc.format == "json":
            prefix, suffix = '{"Fn::Sub": ', "}"
        elif style.short_form:
            prefix, suffix = "!Sub ", ""
        else:
            prefix, suffix = "", ""
        changes = []
        for f in findings:
            with editor.finding(f):
                where = node_path(doc, f.path) or f.path
                before = doc.value(f.path)
                if prefix:
                    editor.wrap(where, prefix, suffix)
                else:  # a YAML file that writes intrinsics in long form
                    editor.set(where, {"Fn::Sub": before})
                changes.append(self.change(f, "replace", before, {"Fn::Sub": before}, f.message, safety=f.detail))
        return Fix.of(editor, changes)


def _resolves(doc: Document, var: str, names: set[str]) -> bool:
    if var in names:
        return True
    if "." not in var:
        return False
    res, attr = var.split(".", 1)
    body = doc.resources.get(res)
    type_name = body.get("Type") if isinstance(body, dict) else None
    if not isinstance(type_name, str):
        return False
    if type_name.startswith(schemas._OPEN_TYPES) or attr in schemas.read_only_attributes(type_name):
        return True
    attrs = schemas.attributes(type_name)
    return attrs is not None and attr in attrs


def _entry_strings(where: tuple[str, Any], item: dict) -> list[tuple[tuple, str]]:
    """``_strings`` of a resource's Properties, or of an output's Value and Export. Kept for an
    entry a fix left alone (``memo.entrywise``)."""
    found: list[tuple[tuple, str]] = []
    for part in ("Properties",) if where[0] == "Resources" else ("Value", "Export"):
        if part in item:
            _strings(item[part], (*where, part), found)
    return found


def _strings(value: Any, path: tuple, found: list[tuple[tuple, str]]) -> list[tuple[tuple, str]]:
    """Every string leaf outside Fn::Sub (and outside keys cfn-lint does not look at) that holds
    ``${``, added to ``found``. The walk fills one list and steps into mappings and lists only:
    it runs over every property of every resource."""
    if isinstance(value, dict):
        if len(value) == 1 and "Fn::Sub" in value:
            return found
        for k, v in value.items():
            if k in _SKIPPED_KEYS:
                continue
            if isinstance(v, str):
                if "${" in v:
                    found.append((path + (k,), v))
            elif isinstance(v, (dict, list)):
                _strings(v, path + (k,), found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                if "${" in v:
                    found.append((path + (i,), v))
            elif isinstance(v, (dict, list)):
                _strings(v, path + (i,), found)
    elif isinstance(value, str) and "${" in value:
        found.append((path, value))
    return found
