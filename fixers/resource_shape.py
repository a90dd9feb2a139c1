"""Malformed resource definitions whose intended form is plain (cfn-lint E3001)."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor, alphanumeric_id, free_id
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import depends_on, entries
from cfnfix.memo import entrywise
from cfnfix.nodepath import node_path
from cfnfix.reference_names import searched
from cfnfix.renames import renamed_references
from cfnfix.text_checks import entry_check, may_write

ATTRIBUTES = ("Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy",
              "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy")
_SAM_ATTRIBUTES = ("Connectors", "IgnoreGlobals")  # accepted by cfn-lint for SAM templates
_ID = re.compile(r"[A-Za-z0-9]+")
_PLAIN_KEYS = frozenset(ATTRIBUTES + _SAM_ATTRIBUTES)  # keys every resource may have
_CONDITION_FUNCTIONS = ("Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals")


def condition_refs(expr: Any, names: set[str]) -> Any:
    """A condition expression with bare condition names inside Fn::And/Or/Not as ``{Condition: name}``."""
    if isinstance(expr, dict) and len(expr) == 1:
        (fn, arg), = expr.items()
        if fn in ("Fn::And", "Fn::Or", "Fn::Not") and isinstance(arg, list):
            return {fn: [{"Condition": a} if isinstance(a, str) and a in names else condition_refs(a, names) for a in arg]}
    return expr


class ResourceShape(Fixer):
    name = "resource-shape"
    summary = "Repair resource definitions CloudFormation refuses whose intended form is plain (E3001)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E3001",)
    default = False
    docs = """
    ## What it detects
    Resource definitions cfn-lint reports as E3001 where the intended form is plain:
    - a resource attribute in the wrong case (`properties`, `type`, `dependsOn`...) where the
      right one is absent: renamed;
    - property names written directly under the resource instead of under `Properties`, when
      every such key is a property of the resource type: moved under `Properties`;
    - a `Description` written beside the resource's attributes (a note on the resource) where
      the type has no `Description` property, or `Properties` sets its own: moved under the
      resource's `Metadata`, which keeps it without CloudFormation reading it (as
      template-structure does with an unknown top-level key);
    - a `Condition` written as an expression (`Condition: !Or [A, B]`) where CloudFormation
      wants the name of a condition: the expression becomes a named condition in `Conditions`
      (bare condition names inside `Fn::And`/`Fn::Or`/`Fn::Not` written as `{Condition: A}`)
      and the resource names it;
    - a logical id with characters other than letters and digits (`prod-vpc`,
      `SchemaSync Lambda`): renamed to the letters and digits, each later word capitalised
      (`prodVpc`, `SchemaSyncLambda`), with every `Ref`, `Fn::GetAtt`, `Fn::Sub` and
      `DependsOn` naming it.

    A resource that is not a mapping, a `Properties` that is not a mapping (empty, or a word
    where a template was cut off: `Properties: LogGroupName`), other unknown keys (a misspelt
    property hidden under `Metadata` would be lost to the reader), a `Description` whose
    `Metadata` already has one, and renames that would collide with an existing name are
    reported, not changed.

    ## Why it matters
    CloudFormation rejects the template (`Template format error: Resource name prod-vpc is
    non alphanumeric`, `Invalid template resource property 'BucketName'`).

    ## Example
    ```yaml
    # before
    Queue:
      Type: AWS::SQS::Queue
      QueueName: jobs
      Condition: !Equals [!Ref Env, prod]
    # after
    Queue:
      Type: AWS::SQS::Queue
      Condition: QueueCondition
      Properties:
        QueueName: jobs
    # and under Conditions:
    QueueCondition: !Equals [!Ref Env, prod]
    ```

    ## Fix safety
    Safe: a template with these errors deploys nothing; every value written stays, in the place
    CloudFormation reads it. Renamed logical ids are new names only to templates that never
    deployed.
    """

    def find(self, doc: Document) -> list[Finding]:
        if schemas.rewritten_by_transform(doc.data):
            return []
        findings: list[Finding] = []
        resources = doc.resources
        conditions = doc.data.get("Conditions") if isinstance(doc.data, dict) else None
        condition_names = set(conditions) if isinstance(conditions, dict) else set()
        params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
        taken = set(resources) | (set(params) if isinstance(params, dict) else set())
        renamed: set[str] = set()
        for rid, res in resources.items():
            # what most resources are: nothing below can find anything in them (why: only a
            # non-mapping, an id that is not alphanumeric, a key outside ATTRIBUTES and SAM's, and
            # a Properties that is not a mapping give a finding), so two set and regex checks do
            if isinstance(res, dict) and res.keys() <= _PLAIN_KEYS and isinstance(res.get("Properties", {}), dict) \
                    and _ID.fullmatch(rid):
                continue
            where = ("Resources", rid)
            if not isinstance(res, dict):
                findings.append(Finding(rid, where, f"E3001 resource '{rid}' is not a mapping with a Type; complete or "
                                        "remove it", fixable=False))
                continue
            if not _ID.fullmatch(rid):
                target = alphanumeric_id(rid)
                if target and target not in taken and target not in renamed and target not in condition_names:
                    renamed.add(target)
                    findings.append(Finding(rid, where, f"E3001 logical id '{rid}' has characters other than letters and "
                                            f"digits; renamed '{target}' with every reference to it", detail=("id", target)))
                else:
                    findings.append(Finding(rid, where, f"E3001 logical id '{rid}' has characters other than letters and "
                                            "digits; no free alphanumeric name derives from it: rename it", fixable=False))
            custom = isinstance(res.get("Type"), str) and res["Type"].startswith(("Custom::", "AWS::CloudFormation::CustomResource"))
            allowed = ATTRIBUTES + _SAM_ATTRIBUTES + (("Version",) if custom else ())
            unknown = [k for k in res if k not in allowed]
            stray = []
            for key in unknown:
                right = [a for a in ATTRIBUTES if a.lower() == str(key).lower()]
                if right and right[0] not in res:
                    findings.append(Finding(rid, where + (key,), f"E3001 resource attribute '{key}' is spelt "
                                            f"'{right[0]}'", detail=("rename", right[0])))
                else:
                    stray.append(key)
            type_name = res.get("Type")
            names = schemas.property_names(type_name)[0] if isinstance(type_name, str) and stray else set()
            props = res.get("Properties", {})
            if "Description" in stray and names and _noted(res, names):
                stray.remove("Description")
                findings.append(Finding(rid, where + ("Description",), "E3001 'Description' is not a resource "
                                        f"attribute{', and Properties sets its own' if 'Description' in names else f' nor a property of {type_name}'}; "
                                        "moved under the resource's Metadata, which keeps it without CloudFormation "
                                        "reading it", detail=("note",)))
            if stray:
                if names and all(k in names for k in stray) and isinstance(props, (dict, type(None))) and not (
                        set(stray) & set(props or {})):
                    keys = ", ".join(f"'{k}'" for k in stray)
                    findings.append(Finding(rid, where + ("Properties",), f"E3001 {keys} {'are properties' if len(stray) > 1 else 'is a property'} "
                                            f"of {type_name}, written outside Properties; moved under Properties",
                                            detail=("move", stray)))
                else:
                    keys = ", ".join(f"'{k}'" for k in stray)
                    findings.append(Finding(rid, where + (stray[0],), f"E3001 {keys} {'are not resource attributes' if len(stray) > 1 else 'is not a resource attribute'} "
                                            "(Type, Properties, DependsOn, Condition, Metadata, "
                                            "DeletionPolicy, UpdateReplacePolicy, UpdatePolicy, CreationPolicy); move or "
                                            f"remove {'them' if len(stray) > 1 else 'it'}", fixable=False))
            if "Properties" in res and not isinstance(res["Properties"], dict):
                findings.append(self._not_properties(rid, res["Properties"]))
        findings += self._condition_expressions(doc, condition_names, taken | renamed)
        return findings

    @staticmethod
    def _not_properties(rid: str, props: Any) -> Finding:
        """A ``Properties`` that is empty, a word or a list: what a template cut off or outlined
        leaves (``Properties:`` with nothing under it, ``Properties: LogGroupName`` with the value
        never written). What the author meant to set is not in the file: reported."""
        what = ("empty" if props is None else f"the text {props!r}" if isinstance(props, str) and "\n" not in props
                else f"a {type(props).__name__}")
        return Finding(rid, ("Resources", rid, "Properties"), f"E3001 Properties of resource '{rid}' is {what}, not a "
                       "mapping of properties (a truncated or outlined template?); write the properties it was meant "
                       "to have, or remove the key", fixable=False)

    def _condition_expressions(self, doc: Document, condition_names: set[str], taken: set[str]) -> list[Finding]:
        """Condition expressions where CloudFormation wants a condition's name: a resource's or an
        output's ``Condition``, the first argument of ``Fn::If``. One new condition per expression."""
        findings: list[Finding] = []
        named: dict[str, str] = {}
        used = set(taken) | condition_names

        def name_for(expr: Any, owner: str) -> str:
            key = repr(expr)
            if key not in named:
                named[key] = free_id(owner + "Condition", used, "Condition")
                used.add(named[key])
            return named[key]

        def add(expr: Any, path: tuple, owner: str, rid: str | None) -> None:
            expr = condition_refs(expr, condition_names)
            name = name_for(expr, owner)
            message = f"E3001 a condition expression where a condition name is wanted; it becomes condition '{name}'"
            findings.append(Finding(rid, path, message, detail=("condition", name, expr)))

        found = [((section, key), item) for section, key, item in entries(doc.data)]
        if may_write(doc.text, "If"):  # Fn::If, !If; else only the Conditions of entries to read
            # an entry a fix left alone: not again; one whose own text writes no If holds no Fn::If
            # (entry_check): no walk, and [] is its result
            may_hold = entry_check(doc, "If")
            tests = entrywise("resource_shape.if_expressions", found,
                              lambda where, item: _if_expressions(where, item) if may_hold(where) else [])
        else:
            tests = [[] for _ in found]
        for ((section, key), item), sites in zip(found, tests):
            if not sites and not _is_expression(item.get("Condition")):
                continue
            owner = re.sub(r"[^A-Za-z0-9]", "", str(key))
            rid = key if section == "Resources" else None
            if _is_expression(item.get("Condition")):
                add(item["Condition"], (section, key, "Condition"), owner, rid)
            for path, first in sites:
                add(first, path, owner, rid)
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        created: set[str] = set()
        for f in findings:  # a condition several places share is added once, with the first one fixed
            if f.detail[0] == "condition" and f.detail[1] not in created:
                created.add(f.detail[1])
                editor.set(("Conditions", f.detail[1]), f.detail[2])
                changes.append(self.change(None, "add", None, f.detail[2], f"E3001 condition '{f.detail[1]}' names "
                                           "an expression written where a condition name is wanted",
                                           path=("Conditions", f.detail[1])))
        for f in findings:
            kind = f.detail[0]
            with editor.finding(f):
                if kind == "rename":
                    editor.rename(f.path, f.detail[1])
                    changes.append(self.change(f, "move", f.path[-1], f.detail[1], f.message, path=f.path[:-1]))
                elif kind == "note":
                    editor.move(f.path, f.path[:2] + ("Metadata", "Description"))
                    changes.append(self.change(f, "move", "Description", ["Metadata", "Description"], f.message,
                                               path=f.path[:2]))
                elif kind == "move":
                    rid = f.path[1]
                    for key in f.detail[1]:  # with its own text: comments, short forms and quoting go along
                        editor.move(("Resources", rid, key), ("Resources", rid, "Properties", key))
                        changes.append(self.change(f, "move", key, ["Properties", key], f.message, path=("Resources", rid)))
                elif kind == "condition":
                    editor.set(node_path(doc, f.path) or f.path, f.detail[1])
                    changes.append(self.change(f, "replace", doc.value(f.path), f.detail[1], f.message))
                elif kind == "id":
                    changes.extend(self._rename_id(doc, editor, f))
        return Fix.of(editor, changes)

    def _rename_id(self, doc: Document, editor: Editor, f: Finding) -> list:
        old, new = f.path[1], f.detail[1]
        editor.rename(f.path, new)
        changes = [self.change(f, "move", old, new, f.message, path=("Resources",))]
        for section, key, item in entries(doc.data):
            if section == "Resources":
                deps = item.get("DependsOn")
                if old in depends_on(item):
                    dep_path = (section, key, "DependsOn") + ((deps.index(old),) if isinstance(deps, list) else ())
                    editor.replace_text(dep_path, old, new)
                    changes.append(self.change(f, "replace", deps, [new if d == old else d for d in deps]
                                               if isinstance(deps, list) else new, f.message, path=(section, key, "DependsOn")))
            changes += [self.change(f, "replace", call, after, f.message, path=path) for path, call, after
                        in renamed_references(doc, editor, searched(section, item), (section, key), old, new)]
        return changes


def _noted(res: dict, names: set[str]) -> bool:
    """Whether a resource's own ``Description`` (a note on it, beside its attributes) goes under its
    ``Metadata``: the type has no such property, or ``Properties`` already sets it; and ``Metadata``
    has room for it."""
    props, metadata = res.get("Properties"), res.get("Metadata")
    return (("Description" not in names or (isinstance(props, dict) and "Description" in props))
            and (metadata is None or (isinstance(metadata, dict) and "Description" not in metadata)))


def _if_expressions(where: tuple, item: dict) -> list[tuple[tuple, Any]]:
    """(path, first argument) of every ``Fn::If`` in an entry (its own ``Condition`` aside) whose
    first argument is a condition expression, in the order of a walk down the entry. It depends
    on the entry alone, so an entry a fix left alone keeps it (``memo.entrywise``)."""
    found: list[tuple[tuple, Any]] = []
    _visit({k: v for k, v in item.items() if k != "Condition"}, where, found)
    return found


def _visit(value: Any, path: tuple, found: list[tuple[tuple, Any]]) -> None:
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Fn::If"), list) and value["Fn::If"]:
            first = value["Fn::If"][0]
            if _is_expression(first):
                found.append((path + ("Fn::If", 0), first))
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                _visit(v, path + (k,), found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _visit(v, path + (i,), found)


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _CONDITION_FUNCTIONS


