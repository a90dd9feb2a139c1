"""A macro defined and used in one template: split it into a stack to deploy first."""

from __future__ import annotations

import os
from typing import Any

from cfnfix import render, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import dependency_graph, references
from cfnfix.style import detect

MACRO = "AWS::CloudFormation::Macro"
SUFFIX = ".macro"
_SECTIONS = ("Parameters", "Mappings", "Conditions")


def transform_names(data: Any) -> list[str]:
    """Macro names a template uses: top-level ``Transform`` (a name, a list, ``{Name: ...}``)
    and every ``Fn::Transform``, literal names only."""
    names: list[str] = []

    def add(item: Any) -> None:
        name = item.get("Name") if isinstance(item, dict) else item
        if isinstance(name, str) and name not in names:
            names.append(name)

    top = data.get("Transform") if isinstance(data, dict) else None
    for item in top if isinstance(top, list) else [top] if top is not None else []:
        add(item)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "Fn::Transform":
                    add(v)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in data.items() if k != "Transform"} if isinstance(data, dict) else None)
    return names


def _names_used(value: Any) -> tuple[set[str], set[str], set[str]]:
    """(names referenced, conditions named, mappings named) anywhere in ``value``."""
    refs = {n for n, _ in references(value)}
    conditions: set[str] = set()
    mappings: set[str] = set()

    def walk(v: Any, key: Any = None) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "Condition" and isinstance(x, str):
                    conditions.add(x)
                elif k == "Fn::If" and isinstance(x, list) and x and isinstance(x[0], str):
                    conditions.add(x[0])
                elif k == "Fn::FindInMap" and isinstance(x, list) and x and isinstance(x[0], str):
                    mappings.add(x[0])
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)

    walk(value)
    return refs, conditions, mappings


class MacroSplit(Fixer):
    name = "macro-split"
    summary = "Move a macro the template itself uses, with the resources only it needs, to <name>.macro.<ext> to deploy first"
    group = "qa"
    resource_types = (MACRO,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    An `AWS::CloudFormation::Macro` whose (literal) `Name` the same template uses, in its
    top-level `Transform` or in a `Fn::Transform`.

    ## Why it matters
    CloudFormation runs macros when it processes the template, before it creates any resource:
    a macro defined in the stack that uses it does not exist yet, and the deploy fails with
    `No transform named ... found`. The macro must live in a stack deployed first.

    ## What the fix does
    The macro and the resources only it needs move to `<name>.macro.<ext>`, written beside the
    template (beside the `-o` target when given; an existing file is replaced): its function,
    and by reference closure the function's role, policies, permissions and log group (any
    resource that only refers to moved resources and that nothing else uses). Parameters,
    conditions and mappings they use are copied, and removed from the template when nothing
    left there uses them. A `Transform: AWS::Serverless-2016-10-31` goes along when a moved
    resource is a SAM resource. In YAML the moved entries keep their text (comments included).
    Deploy `<name>.macro.<ext>` first, then the template.

    Reported, and nothing changed: a moved resource is used by a resource or Output that stays
    (a shared role, a bucket the application writes to); move it by hand or duplicate it. Not
    available on stdin (there is no place for the second file).

    ## Example
    ```yaml
    # before: app.yaml
    Transform: Upper
    Resources:
      UpperFunction: {Type: AWS::Lambda::Function, Properties: {...}}
      UpperMacro:
        Type: AWS::CloudFormation::Macro
        Properties: {Name: Upper, FunctionName: !GetAtt UpperFunction.Arn}
      Bucket: {Type: AWS::S3::Bucket}
    # after: app.yaml keeps Transform and Bucket; app.macro.yaml:
    Description: Macro Upper used by app.yaml; deploy this stack first
    Resources:
      UpperFunction: {Type: AWS::Lambda::Function, Properties: {...}}
      UpperMacro:
        Type: AWS::CloudFormation::Macro
        Properties: {Name: Upper, FunctionName: !GetAtt UpperFunction.Arn}
    ```

    ## Fix safety
    Review: in a deployed stack, the macro and its resources would be deleted and must be
    created again by the macro stack (macro names are unique per account and region, so deploy
    the macro stack only after the old stack no longer holds the name).
    """

    def find(self, doc: Document) -> list[Finding]:
        used = transform_names(doc.data)
        macros = [rid for rid, res in doc.resources_of_type(MACRO)
                  if isinstance(res.get("Properties"), dict) and res["Properties"].get("Name") in used]
        if not macros:
            return []
        where = ("Resources", macros[0])
        names = ", ".join(doc.resources[m]["Properties"]["Name"] for m in macros)
        lead = f"macro {names} is defined in the template that uses it: CloudFormation needs it before the stack exists"
        plan = self._plan(doc, macros)
        if isinstance(plan, str):
            return [Finding(macros[0], where, f"{lead}; not split: {plan}", fixable=False)]
        return [Finding(macros[0], where, lead, detail=plan)]

    def _plan(self, doc: Document, macros: list[str]) -> dict | str:
        resources = doc.resources
        graph = dependency_graph(resources)
        moved: set[str] = set()
        todo = list(macros)
        while todo:
            rid = todo.pop()
            if rid not in moved:
                moved.add(rid)
                todo.extend(graph.get(rid, ()))
        users: dict[str, set[str]] = {}
        for rid, deps in graph.items():
            for d in deps:
                users.setdefault(d, set()).add(rid)
        anchors = set(macros).union(*(graph.get(m, set()) for m in macros))  # the macros and their functions
        changed = True
        while changed:  # what serves only them (a log group, a permission, an alarm) goes along
            changed = False
            for rid, deps in graph.items():
                if rid not in moved and deps & anchors and deps <= moved and users.get(rid, set()) <= moved:
                    moved.add(rid)
                    changed = True
        outside = {}
        for rid, deps in graph.items():
            if rid not in moved and deps & moved:
                outside[rid] = sorted(deps & moved)
        outputs = doc.data.get("Outputs") if isinstance(doc.data.get("Outputs"), dict) else {}
        for oid, body in outputs.items():
            hit = sorted({n for n, _ in references(body)} & moved)
            if hit:
                outside[f"output {oid}"] = hit
        if outside:
            spots = "; ".join(f"{who} uses {', '.join(what)}" for who, what in outside.items())
            return f"resources the macro needs are used by the rest of the template ({spots})"
        if len(moved) == len([r for r in resources if isinstance(resources[r], dict)]):
            return "nothing would be left in the template"
        moved_ids = [rid for rid in resources if rid in moved]
        stay = {k: v for k, v in doc.data.items() if k not in ("Resources",)}
        stay["Resources"] = {rid: body for rid, body in resources.items() if rid not in moved}
        need = self._closure_names(doc, {rid: resources[rid] for rid in moved_ids})
        keep = self._closure_names(doc, stay)
        return {"resources": moved_ids, "copied": need, "removed": {s: [n for n in need[s] if n not in keep[s]] for s in _SECTIONS}}

    @staticmethod
    def _closure_names(doc: Document, part: Any) -> dict[str, list[str]]:
        """Parameters, mappings and conditions ``part`` uses, conditions followed transitively."""
        data = doc.data
        conditions_all = data.get("Conditions") if isinstance(data.get("Conditions"), dict) else {}
        part = {k: v for k, v in part.items() if k not in _SECTIONS} if "Resources" in part else part
        refs, conditions, mappings = _names_used(part)
        seen: set[str] = set()
        todo = [c for c in conditions if c in conditions_all]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            r2, c2, m2 = _names_used(conditions_all[c])
            refs |= r2
            mappings |= m2
            todo.extend(x for x in c2 if x in conditions_all)
        out = {}
        for section, names in (("Parameters", refs), ("Mappings", mappings), ("Conditions", seen)):
            present = data.get(section) if isinstance(data.get(section), dict) else {}
            out[section] = [n for n in present if n in names]
        return out

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        f = findings[0]
        plan = f.detail
        file_name = (os.path.splitext(os.path.basename(self.source_path))[0] + SUFFIX + os.path.splitext(self.source_path)[1]
                     if self.source_path else f"<template>{SUFFIX}.{doc.format}")
        with editor.finding(f):
            for rid in plan["resources"]:
                editor.remove(("Resources", rid))
                changes.append(self.change(f, "move", doc.resources[rid], file_name,
                                           f"moved to {file_name}, the macro's own stack: deploy it before this template",
                                           path=("Resources", rid)))
            for section in _SECTIONS:
                gone = plan["removed"][section]
                if gone and set(gone) == set(doc.data[section]):
                    editor.remove((section,))  # an empty section is invalid: it goes as a whole
                for name in gone:
                    if set(gone) != set(doc.data[section]):
                        editor.remove((section, name))
                    changes.append(self.change(f, "move", doc.data[section][name], file_name,
                                               f"used only by the macro's resources: moved to {file_name}", path=(section, name)))
        fix = Fix.of(editor, changes)
        fix.companions[SUFFIX] = self._companion(doc, plan, file_name)
        return fix

    def _companion(self, doc: Document, plan: dict, file_name: str) -> str:
        """The macro stack's template, in the input's format and style."""
        data = doc.data
        names = ", ".join(data["Resources"][r]["Properties"]["Name"] for r in plan["resources"]
                          if data["Resources"][r].get("Type") == MACRO)
        source = os.path.basename(self.source_path) if self.source_path else "the template"
        top: dict[str, Any] = {}
        if "AWSTemplateFormatVersion" in data:
            top["AWSTemplateFormatVersion"] = data["AWSTemplateFormatVersion"]
        top["Description"] = f"Macro {names} used by {source}; deploy this stack first"
        sam = any(str(data["Resources"][r].get("Type", "")).startswith("AWS::Serverless::") for r in plan["resources"])
        if sam and schemas.SAM_TRANSFORM in schemas.transforms(data):
            top["Transform"] = schemas.SAM_TRANSFORM
        sections = {s: plan["copied"][s] for s in _SECTIONS}
        sections["Resources"] = plan["resources"]
        style = detect(doc)
        nl = style.newline
        if doc.format == "json":
            whole = dict(top)
            for section, ids in sections.items():
                if ids:
                    whole[section] = {i: data[section][i] for i in ids}
            return render.json_value(whole, "", style) + nl
        lines = [line for k, v in top.items() for line in render.entry_lines(k, v, 0, style)]
        for section in ("Parameters", "Mappings", "Conditions", "Resources"):
            ids = sections[section]
            if not ids:
                continue
            lines.append(f"{section}:")
            for i in ids:
                lines.extend(self._entry_text(doc, section, i, style))
        return nl.join(lines) + nl

    @staticmethod
    def _entry_text(doc: Document, section: str, key: str, style: Any) -> list[str]:
        """An entry's own lines when its section is a block mapping (comments and style kept),
        rendered otherwise."""
        node = doc.node((section,))
        if node is not None and node.kind == "map" and node.style == "block":
            for k, v in node.value:
                start = doc.line_start(k.start)
                if k.value == key and not doc.text[start:k.start].strip():
                    return doc.text[start:doc.line_end(v.end)].replace("\r\n", "\n").split("\n")
        return render.entry_lines(key, doc.data[section][key], len(style.indent), style)
