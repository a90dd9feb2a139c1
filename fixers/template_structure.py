"""Top-level sections, parameters, mappings, conditions and outputs CloudFormation refuses where the
intended form is plain (cfn-lint E1001, E2001, E6001, E6002, E6003, E7001, E8001-E8006)."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor, alphanumeric_id
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import entries
from cfnfix.nodepath import editor_path, node_path
from cfnfix.reference_names import body_map_calls, pick, searched
from cfnfix.renames import renamed_references

VERSION = "2010-09-09"  # the only template format version there is
SECTIONS = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions",
            "Transform", "Resources", "Outputs")
_OPTIONAL_MAPPINGS = ("Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Outputs")
_MAPPING_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")
OUTPUT_KEYS = ("Description", "Value", "Export", "Condition")
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition")
_ITEMS = {"Fn::Not": (1, 1), "Fn::And": (2, 10), "Fn::Or": (2, 10), "Fn::Equals": (2, 2)}  # list lengths allowed
_CONDITION_NAME = re.compile(r"[A-Za-z0-9&_]+")  # what cfn-lint accepts (E8001)
_NAME = re.compile(r"[A-Za-z0-9]+")  # what it accepts for a parameter, mapping and output (E2001, E7001, E6001)
# section -> (cfn-lint rule, what its entries are, whether the stack's callers know them by name)
_NAMED = {"Parameters": ("E2001", "parameter", True), "Mappings": ("E7001", "mapping", False),
          "Outputs": ("E6001", "output", True)}
_RULES = {"Fn::Not": "E8005", "Fn::And": "E8004", "Fn::Or": "E8006", "Fn::Equals": "E8003"}  # cfn-lint's, per function


class TemplateStructure(Fixer):
    name = "template-structure"
    summary = ("Repair top-level sections, parameters, conditions and outputs CloudFormation refuses whose intended "
               "form is plain (E1001, E2001, E600x, E800x)")
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E1001", "E2001", "E6001", "E6002", "E6003", "E7001", "E8001", "E8003", "E8004", "E8005", "E8006")
    default = False
    docs = """
    ## What it detects
    - an optional top-level section left empty (`Outputs:` with nothing under it: a null,
      which CloudFormation refuses where it wants a mapping) (cfn-lint E1001, E6003);
    - an `AWSTemplateFormatVersion` other than `2010-09-09`, the only version there is (E1001);
    - a top-level key that is no template section (`TemplateVerification: ...`), a section
      name in the wrong case (`outputs`), or a section name with a sentence pasted before it on
      its line (`Insert here the Model Response that failedAWSTemplateFormatVersion`) (E1001);
    - a parameter written as its description (`Env: Environment name`) (E2001);
    - an output written as its value (`VpcId: !Ref Vpc`) instead of a mapping with `Value`, an
      output attribute in the wrong case (`value`, `export`), or an empty `Export`,
      `Description` or `Condition` of an output (E6001, E6002, E6003);
    - a condition (in `Conditions`, or inside its `Fn::Not`, `Fn::And`, `Fn::Or`) whose value
      is not a boolean: `Fn::Not [!Select [0, !Split [':', !Ref TopicNameOrArn]]]`, the first
      colon field of a value where a true/false is wanted (E8001, E8004-E8006);
    - a condition name with characters cfn-lint refuses (`Is-EC2-VPC`, `Is Test`) (E8001);
    - a parameter, mapping or output name with other characters than letters and digits
      (`Env-Name`, `Region_Map`) (E2001, E7001, E6001).

    ## Why it matters
    CloudFormation rejects the whole template (`Template format error`): nothing deploys.

    ## What it changes
    - an empty optional section, or an empty attribute of an output, is removed: it holds
      nothing;
    - the format version becomes `2010-09-09`;
    - a section name in the wrong case, misspelt (`Parameter`, `Ouputs`: the one section name
      this close, holding what that section holds), or with a sentence pasted before it, is
      renamed when the right one is absent (the change log quotes the pasted text it drops); any other
      unknown top-level key moves under `Metadata`, which accepts any key, so its content is
      kept (a note, a script) without CloudFormation reading it;
    - a parameter written as its description becomes a `String` parameter with that
      `Description` (the type a text parameter has; nothing else about it is guessed);
    - an output written as an intrinsic function becomes `{Value: <that function>}`; attribute
      names in the wrong case are renamed;
    - a condition name with other characters than letters, digits, `_` and `&` is renamed to its
      letters and digits, each later word capitalised (`IsEC2VPC`, `IsTest`), with every use of
      it: a resource's or an output's `Condition`, the first item of an `Fn::If`, a `Condition`
      within another condition; a name another condition already has is reported (a condition
      may share its name with a parameter or a resource: AWS's own samples do);
    - a parameter, mapping or output name with other characters than letters and digits is
      renamed the same way (`EnvName`), with every use of it: a parameter in each `Ref` and
      `Fn::Sub` of the resources, outputs, conditions and rules, and in the console's
      `AWS::CloudFormation::Interface` groups and labels; a mapping in each `Fn::FindInMap`
      that names it as written (one whose map name is itself a function is left to the author).
      A name another parameter (or resource, for a parameter), mapping or output already has is
      reported. Renaming a parameter or an output is a review change: whoever deploys the stack
      passes parameters by name, and scripts read outputs by name;
    - `Fn::Select [0, Fn::Split [':', X]]` where a condition wants a boolean becomes
      `Fn::Equals [Fn::Select [0, Fn::Split [':', X]], 'arn']`: the first colon field of an ARN is
      `arn`, so "X is an ARN" is the one test that can be meant (a parameter taking a name or
      the ARN of an existing resource). This is a review change: the condition now evaluates,
      and what it decides (create a resource or use the given one) takes effect.

    Any other value where a condition wants a boolean (a `Ref`, a string, a bare condition name,
    another function), and an `Fn::Not` without exactly one item, an `Fn::And`/`Fn::Or` without
    2 to 10, an `Fn::Equals` without two, are reported: a condition is `Fn::Equals`, `Fn::Not`,
    `Fn::And`, `Fn::Or` or `Condition`, and which test was meant is not plain.

    A `Resources` section that is missing, empty or not a mapping (an outline of a template, or
    one cut short) is reported. Outputs that are a plain scalar or null (often the end of a
    truncated template), a list where a section mapping is wanted, and keys that collide with existing ones are reported,
    not changed: what was meant is not plain.

    ## Example
    ```yaml
    # before
    AWSTemplateFormatVersion: '2010-09-01'
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
    Outputs:
      VpcId: !Ref Vpc
    # after
    AWSTemplateFormatVersion: '2010-09-09'
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
    Outputs:
      VpcId:
        Value: !Ref Vpc
    ```

    ## Fix safety
    Safe: a template with these errors deploys nothing; every value written stays, in the place
    CloudFormation reads it (or, for unknown top-level keys, under `Metadata`). Nothing with a
    value is removed. The ARN test of a condition is review: it decides what the template
    creates. So are parameter and output renames: the stack's callers know them by name.
    """

    def find(self, doc: Document) -> list[Finding]:
        data = doc.data
        if not isinstance(data, dict):
            return []
        findings: list[Finding] = []
        version = data.get("AWSTemplateFormatVersion")
        if isinstance(version, str) and version != VERSION:
            findings.append(Finding(None, ("AWSTemplateFormatVersion",), f"E1001 AWSTemplateFormatVersion '{version}' "
                                    f"does not exist; '{VERSION}' is the only version", detail=("set", VERSION)))
        metadata = data.get("Metadata")
        moved: set[str] = set()
        for key, value in data.items():
            if key == "Globals" and (schemas.SAM_TRANSFORM in schemas.transforms(data) or schemas.serverless_ids(data)):
                # SAM's section (settings every function, API... of the template shares): never
                # moved, or the functions lose their runtime and the rest of what it sets. Without
                # SAM resources it sets nothing, and goes under Metadata like any unknown key.
                if schemas.SAM_TRANSFORM not in schemas.transforms(data):
                    findings.append(Finding(None, (key,), f"E1001 'Globals' is a section of SAM templates, and this "
                                            f"one does not name the transform: add Transform: {schemas.SAM_TRANSFORM} "
                                            "or write its settings into the resources", fixable=False))
                continue
            if key in SECTIONS:
                if key in _OPTIONAL_MAPPINGS and value is None:
                    findings.append(Finding(None, (key,), f"E1001 section '{key}' is empty (null where a mapping is "
                                            "wanted); removed, it holds nothing", detail=("remove",)))
                elif key in _MAPPING_SECTIONS and value is not None and not isinstance(value, dict):
                    findings.append(self._shape(doc, key, value))
                continue
            right = [s for s in SECTIONS if s.lower() == str(key).lower()]
            # a sentence before the name (words and spaces), not a longer name (DataResources)
            glued = [s for s in SECTIONS if isinstance(key, str) and key.endswith(s) and " " in key[:-len(s)]]
            if right and right[0] not in data:
                findings.append(Finding(None, (key,), f"E1001 top-level key '{key}' is spelt '{right[0]}'",
                                        detail=("rename", right[0])))
            elif len(glued) == 1 and glued[0] not in data:
                # a section name with text pasted before it on its line ("Insert here the Model
                # Response that failedAWSTemplateFormatVersion"): the text is no part of the template
                lost = key[:-len(glued[0])]
                findings.append(Finding(None, (key,), f"E1001 top-level key '{key}' is section '{glued[0]}' with "
                                        f"text pasted before it; renamed '{glued[0]}', and the text {lost!r} is dropped",
                                        detail=("rename", glued[0])))
            elif not right and (near := _misspelt_section(data, key, value)):
                findings.append(Finding(None, (key,), f"E1001 '{key}' is not a template section; '{near}', a section "
                                        "the template lacks, is the only name this close: renamed",
                                        detail=("rename", near)))
            elif not right and (metadata is None or isinstance(metadata, dict)) and isinstance(key, str) and (
                    key not in (metadata or {})) and key not in moved and "Metadata" != key:
                moved.add(key)
                findings.append(Finding(None, (key,), f"E1001 '{key}' is not a template section; moved under "
                                        "Metadata, which keeps it without CloudFormation reading it",
                                        detail=("metadata",)))
            else:
                findings.append(Finding(None, (key,), f"E1001 '{key}' is not a template section and cannot move "
                                        "(the name is taken); remove it or move it under Metadata", fixable=False))
        resources = data.get("Resources")
        renamed = {f.detail[1] for f in findings if f.detail and f.detail[0] == "rename"}
        if "Resources" not in renamed and (resources is None or resources == {}):
            shape = "missing" if "Resources" not in data else "empty"
            findings.append(Finding(None, ("Resources",), f"E1001 the Resources section is {shape} (a truncated or "
                                    "outlined template?); CloudFormation needs at least one resource: write them out",
                                    fixable=False))
        findings += self._parameters(data.get("Parameters"))
        findings += self._outputs(data.get("Outputs"))
        findings += self._conditions(data)
        findings += self._names(data)
        return findings

    def _names(self, data: dict) -> list[Finding]:
        """Parameter, mapping and output names with characters CloudFormation refuses
        (``Env-Name``): renamed as a condition or a logical id is, with every use."""
        findings = []
        resources = data.get("Resources")
        for section, (rule, what, called) in _NAMED.items():
            body = data.get(section)
            if not isinstance(body, dict):
                continue
            # parameters and resources share one namespace (a Ref names either)
            taken = set(body) | (set(resources) if section == "Parameters" and isinstance(resources, dict) else set())
            for name in body:
                if not isinstance(name, str) or _NAME.fullmatch(name) or _looped(name):
                    continue
                head = f"{rule} {what} name '{name}' has characters other than letters and digits"
                new = alphanumeric_id(name)
                if not new or new in taken:
                    findings.append(Finding(None, (section, name), f"{head}; no free alphanumeric name derives from "
                                            "it: rename it", fixable=False))
                    continue
                taken.add(new)
                uses = " with every use of it" if section != "Outputs" else ""
                callers = (f"; whoever deploys or reads the stack knows the {what} by its new name" if called else "")
                findings.append(Finding(None, (section, name), f"{head}; renamed '{new}'{uses}{callers}",
                                        detail=("name", new)))
        return findings

    def _conditions(self, data: dict) -> list[Finding]:
        """Values where a condition wants a boolean that are none: the first colon field of a value
        (``Fn::Select [0, Fn::Split [':', X]]``) becomes the test that X is an ARN; anything else,
        and condition functions with the wrong number of items, are reported. A condition name
        CloudFormation refuses (``Is-EC2-VPC``) is renamed as resource-shape renames a logical id."""
        conditions = data.get("Conditions")
        if not isinstance(conditions, dict):
            return []
        findings: list[Finding] = []

        def boolean(value: Any, path: tuple, name: str, rule: str = "E8001") -> None:
            where = f"condition '{name}'" + (f" at {'/'.join(map(str, path[2:]))}" if len(path) > 2 else "")
            if isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false")):
                return
            fn = next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None
            if fn in CONDITION_FUNCTIONS:
                arg = value[fn]
                if fn == "Condition":
                    return
                low, high = _ITEMS[fn]
                if not isinstance(arg, list) or not low <= len(arg) <= high:
                    count = f"{len(arg)} item{'s' if len(arg) != 1 else ''}" if isinstance(arg, list) else "no list"
                    wanted = f"{low}" if low == high else f"{low} to {high}"
                    findings.append(Finding(None, path + (fn,), f"{_RULES[fn]} {where}: {fn} takes a list of {wanted} "
                                            f"item{'s' if high > 1 else ''}, it has {count}; write the test meant "
                                            "by hand", fixable=False))
                elif fn != "Fn::Equals":
                    for i, item in enumerate(arg):
                        boolean(item, path + (fn, i), name, _RULES[fn])
                return
            if first_field(value) is not None:
                findings.append(Finding(None, path, f"{rule} {where} is the first ':' field of "
                                        f"{_shown(first_field(value))}, not a boolean; the first field of an ARN is "
                                        "'arn', so the test meant is that it is an ARN: it becomes "
                                        "Fn::Equals [<that field>, 'arn'] (the condition now evaluates)",
                                        detail=("arn",)))
                return
            shown = (f"a bare name ({value!r}; a condition is referred to as {{Condition: {value}}})"
                     if isinstance(value, str) and value in conditions else _shown(value))
            findings.append(Finding(None, path, f"{rule} {where} is {shown}, not a boolean; a condition must be "
                                    "Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition: write the test meant",
                                    fixable=False))

        for name, value in conditions.items():
            if not _looped(name):
                boolean(value, ("Conditions", name), str(name))
        taken = set(conditions)  # a condition may share its name with a parameter or resource (AWS's own samples do)
        for name in conditions:
            if isinstance(name, str) and not _CONDITION_NAME.fullmatch(name) and not _looped(name):
                new = alphanumeric_id(name)
                if new and new not in taken:
                    taken.add(new)
                    findings.append(Finding(None, ("Conditions", name), f"E8001 condition name '{name}' has "
                                            f"characters other than letters and digits; renamed '{new}' with every "
                                            "use of it", detail=("condition-name", new)))
                else:
                    findings.append(Finding(None, ("Conditions", name), f"E8001 condition name '{name}' has "
                                            "characters other than letters and digits; no free alphanumeric name "
                                            "derives from it: rename it", fixable=False))
        return findings

    def _shape(self, doc: Document, key: str, value: Any) -> Finding:
        """A section written as something else than a mapping: a list of one-entry mappings with
        distinct names, each a body of the section's kind, becomes that mapping; else reported."""
        node = doc.node((key,))
        what = {"Resources": "resource", "Parameters": "parameter", "Outputs": "output", "Mappings": "mapping",
                "Conditions": "condition"}[key]
        items = value if isinstance(value, list) else []
        names = [next(iter(i)) for i in items if isinstance(i, dict) and len(i) == 1]
        plain = (
            node is not None and node.kind == "seq" and items and len(names) == len(items) == len(set(names))
            and all(isinstance(n, str) for n in names)
            and (key == "Conditions" or all(isinstance(next(iter(i.values())), dict) for i in items))
            and (key != "Resources" or all(isinstance(next(iter(i.values())).get("Type"), str) for i in items))
            and all(item.kind == "map" and len(item.value) == 1 and not item.shared for item in node.value)
            and (node.style == "flow" or doc.format == "json" or all(item.style != "flow" for item in node.value))
        )
        if plain:
            return Finding(None, (key,), f"E1001 section '{key}' is a list of one-entry mappings ({', '.join(names[:5])}"
                           f"{', ...' if len(names) > 5 else ''}); it becomes the mapping of those {what}s",
                           detail=("unlist",))
        shape = type(value).__name__.replace("str", "string").replace("NoneType", "null")
        hint = f" of {what} outlines (names with a line of text each)" if names and len(names) == len(items) else ""
        return Finding(None, (key,), f"E1001 section '{key}' is a {shape}{hint}, not a mapping of names to {what}s; "
                       f"write each {what} out under its name", fixable=False)

    def _unlist(self, editor: Editor, doc: Document, path: tuple) -> None:
        """Turn the list of one-entry mappings at ``path`` into a mapping, in its own text: in block
        YAML each dash becomes a space (the entries keep their columns); in JSON and flow style
        the brackets become braces and each item is replaced by its entry."""
        node = doc.node(path)
        if node is None:
            raise EditConflict("the section is not in the template's text")
        text = doc.text
        if node.style != "flow" and doc.format != "json":
            if len({doc.column(item.start) for item in node.value}) > 1:  # the entries would not line up
                raise EditConflict("the list items' names are not all at one column; align them or convert by hand")
            for item in node.value:
                dash = text.rfind("-", 0, item.start)
                if dash < 0 or text[dash + 1 : item.start].strip() or text[doc.line_start(item.start):dash].strip():
                    raise EditConflict("a list item that does not start its line")
                editor.splice(dash, dash + 1, " ")
            return
        editor.splice(node.start, node.start + 1, "{")
        for item in node.value:
            key, value = item.value[0]
            moved = text[key.start : value.end].replace("\r\n", "\n")
            shift = doc.column(key.start) - doc.column(item.start)
            lines = moved.split("\n")
            moved = "\n".join([lines[0]] + [ln[shift:] if ln.startswith(" " * shift) else ln for ln in lines[1:]])
            editor.splice(item.start, item.end, moved)
        editor.splice(node.end - 1, node.end, "}")

    def _parameters(self, parameters: Any) -> list[Finding]:
        """Parameters written as their description (``Env: Environment name``): a String parameter
        with that Description, as the human corrections write them."""
        if not isinstance(parameters, dict):
            return []
        return [Finding(None, ("Parameters", pid), f"E2001 parameter '{pid}' is written as its description; it "
                        "becomes a String parameter with that Description", detail=("parameter",))
                for pid, body in parameters.items() if isinstance(body, str) and body.strip()]

    def _outputs(self, outputs: Any) -> list[Finding]:
        if not isinstance(outputs, dict):
            return []
        findings = []
        for oid, body in outputs.items():
            if _looped(oid):
                continue
            path = ("Outputs", oid)
            if schemas.is_intrinsic(body) and "Condition" not in body:
                findings.append(Finding(None, path, f"E6001 output '{oid}' is written as its value; it becomes "
                                        "the output's Value", detail=("wrap",)))
            elif not isinstance(body, dict):
                findings.append(Finding(None, path, f"E6001 output '{oid}' is not a mapping with a Value (a truncated "
                                        "template?); write `Value: ...` under it or remove it", fixable=False))
            else:
                for key in body:
                    right = [k for k in OUTPUT_KEYS if k.lower() == str(key).lower()]
                    if key in ("Description", "Export", "Condition") and body[key] is None:
                        findings.append(Finding(None, path + (key,), f"E6003 output '{oid}': '{key}' is empty (null "
                                                "where a value is wanted); removed, it holds nothing", detail=("remove",)))
                        continue
                    if key in OUTPUT_KEYS:
                        continue
                    if right and right[0] not in body:
                        findings.append(Finding(None, path + (key,), f"E6001 output attribute '{key}' is spelt "
                                                f"'{right[0]}'", detail=("rename", right[0])))
                    else:
                        findings.append(Finding(None, path + (key,), f"E6001 '{key}' is not an output attribute "
                                                f"({', '.join(OUTPUT_KEYS)}); move or remove it", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            kind = f.detail[0]
            before = doc.value(f.path)
            with editor.finding(f):
                if kind == "set":
                    editor.set(f.path, f.detail[1])
                    changes.append(self.change(f, "replace", before, f.detail[1], f.message))
                elif kind == "remove":
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", before, None, f.message))
                elif kind == "rename":
                    editor.rename(f.path, f.detail[1])
                    changes.append(self.change(f, "move", f.path[-1], f.detail[1], f.message, path=f.path[:-1]))
                elif kind == "metadata":
                    editor.move(f.path, ("Metadata",) + f.path)
                    changes.append(self.change(f, "move", f.path[-1], ["Metadata", f.path[-1]], f.message, path=()))
                elif kind == "unlist":
                    self._unlist(editor, doc, f.path)
                    after = {k: v for item in before for k, v in item.items()}
                    changes.append(self.change(f, "replace", before, after, f.message))
                elif kind == "parameter":
                    after = {"Type": "String", "Description": before}
                    editor.set(f.path, after)
                    changes.append(self.change(f, "replace", before, after, f.message))
                elif kind == "wrap":
                    editor.set(f.path, {"Value": before})
                    changes.append(self.change(f, "replace", before, {"Value": before}, f.message))
                elif kind == "condition-name":
                    changes.extend(self._rename_condition(doc, editor, f))
                elif kind == "name":
                    changes.extend(self._rename(doc, editor, f))
                elif kind == "arn":
                    at = editor_path(doc, f.path)
                    editor.set(at, {"Fn::Equals": [editor.source(at), "arn"]})
                    after = {"Fn::Equals": [before, "arn"]}
                    changes.append(self.change(f, "replace", before, after, f.message, safety=Safety.REVIEW))
        return Fix.of(editor, changes)

    def _rename_condition(self, doc: Document, editor: Editor, f: Finding) -> list:
        old, new = f.path[1], f.detail[1]
        editor.rename(f.path, new)
        changes = [self.change(f, "move", old, new, f.message, path=("Conditions",))]
        for path in condition_uses(doc.data, old):
            editor.replace_text(editor_path(doc, path), old, new)
            changes.append(self.change(f, "replace", old, new, f.message, path=path))
        return changes


    def _rename(self, doc: Document, editor: Editor, f: Finding) -> list:
        section, old = f.path
        new = f.detail[1]
        safety = Safety.REVIEW if _NAMED[section][2] else None
        editor.rename(f.path, new)
        changes = [self.change(f, "move", old, new, f.message, path=(section,), safety=safety)]
        if section == "Mappings":
            for path, arg in [call for calls in body_map_calls(doc) for call in calls]:
                if isinstance(arg, list) and arg and arg[0] == old:
                    call = node_path(doc, path + ("Fn::FindInMap",)) or path + ("Fn::FindInMap",)
                    editor.replace_text(call + (0,), old, new)
                    changes.append(self.change(f, "replace", old, new, f.message, path=path + ("Fn::FindInMap", 0)))
        elif section == "Parameters":
            for body, key, item in entries(doc.data, ("Resources", "Outputs", "Conditions", "Rules")):
                changes += [self.change(f, "replace", before, after, f.message, path=path, safety=safety) for path, before, after
                            in renamed_references(doc, editor, searched(body, item), (body, key), old, new)]
            changes += self._interface(doc, editor, f, old, new, safety)
        return changes

    def _interface(self, doc: Document, editor: Editor, f: Finding, old: str, new: str, safety: Safety | None) -> list:
        """The console's parameter groups and labels (Metadata AWS::CloudFormation::Interface) name parameters too."""
        changes = []
        interface = ("Metadata", "AWS::CloudFormation::Interface")
        groups = doc.value(interface + ("ParameterGroups",))
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            names = group.get("Parameters") if isinstance(group, dict) else None
            for j, name in enumerate(names if isinstance(names, list) else []):
                if name == old:
                    path = interface + ("ParameterGroups", i, "Parameters", j)
                    editor.replace_text(path, old, new)
                    changes.append(self.change(f, "replace", old, new, f.message, path=path, safety=safety))
        labels = doc.value(interface + ("ParameterLabels",))
        if isinstance(labels, dict) and old in labels and new not in labels:
            editor.rename(interface + ("ParameterLabels", old), new)
            changes.append(self.change(f, "move", old, new, f.message, path=interface + ("ParameterLabels",),
                                       safety=safety))
        return changes


def condition_uses(data: dict, name: str) -> list[tuple]:
    """The paths of every scalar naming condition ``name``: a resource's or an output's
    ``Condition``, the first item of an ``Fn::If``, a ``Condition`` function within a condition."""
    found: list[tuple] = []

    def walk(value: Any, path: tuple, in_conditions: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if item == name and ((key == "Condition" and in_conditions and len(value) == 1)
                                     or (key == "Condition" and len(path) == 2)):
                    found.append(path + (key,))
                elif key == "Fn::If" and isinstance(item, list) and item and item[0] == name and len(value) == 1:
                    found.append(path + (key, 0))
                    for i, rest in enumerate(item[1:], 1):
                        walk(rest, path + (key, i), in_conditions)
                else:
                    walk(item, path + (key,), in_conditions)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + (i,), in_conditions)

    for section in ("Conditions", "Resources", "Outputs"):
        body = data.get(section)
        if isinstance(body, dict):
            for key, item in body.items():
                walk(item, (section, key), section == "Conditions")
    return found


def _misspelt_section(data: dict, key: Any, value: Any) -> str | None:
    """The section ``key`` misspells (`Parameter`, `Ouputs`), when the template lacks it and
    ``value`` has its shape (a mapping, or a text for `Description`): the name an author wrote
    for it, whose content CloudFormation would read there."""
    if not isinstance(key, str):
        return None
    near, _ = pick(key, [s for s in SECTIONS if s not in data])
    if near is None:
        return None
    if near in ("Description", "AWSTemplateFormatVersion"):
        return near if isinstance(value, str) else None
    if near == "Transform":
        return near if isinstance(value, (str, list)) else None
    return near if isinstance(value, dict) else None


def _looped(key: Any) -> bool:
    """An ``Fn::ForEach::<name>`` entry (AWS::LanguageExtensions): a loop whose body the transform
    turns into entries, not an entry itself."""
    return isinstance(key, str) and key.startswith("Fn::ForEach::")


def first_field(value: Any) -> Any:
    """X of ``Fn::Select [0, Fn::Split [':', X]]`` (the first colon field of X); None otherwise."""
    select = value.get("Fn::Select") if isinstance(value, dict) and len(value) == 1 else None
    if not (isinstance(select, list) and len(select) == 2 and select[0] in (0, "0") and not isinstance(select[0], bool)):
        return None
    split = select[1].get("Fn::Split") if isinstance(select[1], dict) and len(select[1]) == 1 else None
    if isinstance(split, list) and len(split) == 2 and split[0] == ":":
        return split[1]
    return None


def _shown(value: Any) -> str:
    """A short description of a value: ``Ref X``, the function's name, or the literal."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        return f"Ref {arg}" if fn == "Ref" and isinstance(arg, str) else str(fn)
    if isinstance(value, (str, int, float)) or value is None:
        return repr(value) if value is not None else "null"
    return f"a {type(value).__name__}"
