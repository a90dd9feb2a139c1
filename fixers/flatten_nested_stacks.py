"""Nested stacks inlined into one template, for deploys where uploading children first is friction."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from cfnfix import render
from cfnfix.changelog import Safety
from cfnfix.config import project_root
from cfnfix.document import Document, Node
from cfnfix.edits import Edit, EditConflict, Editor, apply_edits
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.graph import references
from cfnfix.inline_stack import STACK, Flattener, Inlined, Plan, additions, apply, limit_problems, stack_name_uses

_ATOMIC = ("Ref", "Fn::GetAtt", "Fn::Sub")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_KINDS = {"Parameters": "SSM parameter", "Conditions": "condition", "Mappings": "mapping", "Rules": "rule",
          "Outputs": "exported output", "Metadata": "metadata key"}


def _mapping(raw: Any) -> dict:
    """``{"Network": "net.yaml"}`` from the config file, or ``Network=net.yaml,...`` from --option."""
    if isinstance(raw, str):
        pairs = [item.partition("=") for item in raw.split(",") if item.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ValueError("expected KEY=PATH pairs separated by commas")
        raw = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ValueError("a table of logical ids or TemplateURLs to file paths")
    return dict(raw)


def _directories(raw: Any) -> tuple:
    """``["../shared", "/opt/stacks"]`` from the config file, or ``../shared,/opt/stacks`` from --option."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValueError("a list of directories")
    return tuple(i.strip() for i in items if i.strip())


class FlattenNestedStacks(Fixer):
    name = "flatten-nested-stacks"
    summary = "Inline AWS::CloudFormation::Stack children into one template, written to <name>.flat.<ext>"
    group = "qa"
    safety = Safety.REVIEW
    default = False
    output_suffix = ".flat"
    options = (
        Option(
            "templates",
            {},
            "Child template files by Stack logical id or by TemplateURL, for URLs whose file cannot be "
            "found beside the parent; paths are relative to the parent template's directory.",
            parse=_mapping,
        ),
        Option(
            "allowed-roots",
            (),
            "Directories outside the project whose templates may be inlined too (relative ones are "
            "relative to the project root). Child templates are otherwise read only inside the project: "
            "the nearest directory above the parent holding .git or the cfnfix config file, else the "
            "working directory.",
            parse=_directories,
        ),
    )
    docs = """
    ## What it detects
    `AWS::CloudFormation::Stack` resources whose child template is a local file: a relative or
    absolute path (what `aws cloudformation package` accepts), a `file://` URL, or an S3/HTTPS
    URL whose key ends in a path found beside the parent (`https://bucket.s3.amazonaws.com/nested/net.yaml`
    finds `nested/net.yaml`, else `net.yaml`). A `Ref` to a parameter uses its `Default`; in
    `Fn::Sub`/`Fn::Join` URLs only the literal tail counts. When that names no local file (a
    parameter without a default, an S3 URL whose file is named otherwise here), the child is
    chosen by name: the templates beside the parent (and one folder down) whose file name fits
    the stack's logical id, the URL parameter's name or the URL's file name, ignoring words such
    as `Stack`, `Template` and `URL` (`VPCStack`, `VPCTemplateURL` and `vpc-stack.json` all mean
    `vpc`). Exactly one fitting file is used, and the change log says which and why (review it);
    none or several is an error. The `templates` option names files for anything else. Child
    templates are read only inside the project (the nearest directory above the parent holding
    `.git` or the cfnfix config file, else the working directory), as they were before the run
    started; option `allowed-roots` names other directories to trust.

    ## Why it matters
    A nested-stack application needs its children uploaded to S3 before every deploy. For a
    throwaway QA account one template is simpler: `aws cloudformation deploy` takes it as it is.

    ## What the fix does
    The result is written to `<name>.flat.<ext>` beside the parent (or to `-o`); the parent and
    children stay as they are. Each Stack resource is replaced, where it stood, by the child's
    resources, their ids prefixed with the stack's id (`Network` + `VPC` -> `NetworkVPC`;
    grandchildren are inlined first, so they get both prefixes). Inside the child every
    `Ref`, `Fn::GetAtt`, `Fn::Sub` (`${X}`, `${X.Attr}`; `${!X}` stays literal), `DependsOn`,
    `Condition`, `Fn::If` and `Fn::FindInMap` is renamed with it. Child parameters take what the
    Stack passes, else their `Default`; a list parameter (passed as a comma-joined string)
    becomes the list itself, or `Fn::Split` of an expression. An SSM-typed child parameter
    becomes a parent parameter of that type. Parent references to child outputs
    (`!GetAtt Net.Outputs.VpcId`, `${Net.Outputs.VpcId}`) become the output's value; `!Ref Net`
    (the nested stack's id) becomes `!Ref AWS::StackId`, the flat stack's. A child condition on
    a parameter the parent passes as `Fn::If`, which conditions do not allow, is rewritten:
    `Equals(If(c, a, b), x)` becomes `Or(And(c, Equals(a, x)), And(Not(c), Equals(b, x)))`. Child
    conditions, mappings and rules are added with prefixed names, exported outputs are kept,
    `Transform`s are merged, `Metadata` keys the parent lacks are added (not the child's
    `AWS::CloudFormation::Interface`, whose parameters are gone). The Stack's own `Condition`
    moves to every inlined resource, and so does its `DependsOn` on another stack, as that
    stack's resources, unless the Stack uses that stack's outputs: those references order the
    two already. A `DependsOn` of a parent resource on a stack likewise becomes the stack's
    resources, or goes. Parent parameters that only located the children (template URLs, the
    templates' bucket or key prefix) are removed when the flat template no longer uses them.
    `cfnfix check` is clean when the `.flat` file beside the parent is what the fix would write.

    Nothing is written, and the problem is reported, when: a child file cannot be found or
    parsed, or a child parameter has no value (exit status 2 for that file); a child output the
    parent uses does not exist; a child condition would depend on a resource attribute once
    parameters are substituted (a parameter passed a stack output, or an `Fn::If` one of whose
    branches is a resource); two templates use one macro
    with different parameters; or the result would exceed CloudFormation's limits (500 resources,
    200 parameters, 200 outputs, 1 MB).

    ## Example
    ```yaml
    # before: app.yaml                        # network.yaml
    Resources:                                Parameters:
      Network:                                  Cidr: {Type: String}
        Type: AWS::CloudFormation::Stack      Resources:
        Properties:                             VPC:
          TemplateURL: network.yaml               Type: AWS::EC2::VPC
          Parameters: {Cidr: 10.0.0.0/16}         Properties: {CidrBlock: !Ref Cidr}
      Sg:                                     Outputs:
        Type: AWS::EC2::SecurityGroup           VpcId: {Value: !Ref VPC}
        Properties:
          GroupDescription: app
          VpcId: !GetAtt Network.Outputs.VpcId
    # after: app.flat.yaml
    Resources:
      NetworkVPC:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Sg:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: app
          VpcId: !Ref NetworkVPC
    ```

    ## Fix safety
    Review: every inlined resource gets a new logical id, so deploying the flat template over a
    stack created from the nested one replaces them all; it is meant for a fresh stack.
    `AWS::StackName` and `AWS::StackId` inside a child named the child stack and now name the
    flat one (names built from them change, exports too); they are kept, and the change log
    says where. Stack `Tags`, `NotificationARNs`, `TimeoutInMinutes` and the Stack's
    `DeletionPolicy` have no flat equivalent and are dropped, also named in the change log.

    Unlike `rain pkg` or `cfn-flip`-style merges that copy resources with their ids unchanged,
    this fix prefixes every id, so two children declaring `VPC` cannot collide, and it resolves
    output references instead of leaving `Fn::GetAtt` on a stack that no longer exists.
    """

    def find(self, doc: Document) -> list[Finding]:
        stacks = [rid for rid, _ in doc.resources_of_type(STACK)]
        if not stacks:
            return []
        source = Path(self.source_path) if self.source_path else None
        base = source.parent if source else Path.cwd()
        root = project_root(base)
        allowed = (root, *(root / extra for extra in self.config["allowed-roots"]))
        chain = (source.resolve(),) if source else ()  # a child including the parent is a loop
        plan = Flattener(self.config["templates"], base, allowed, source).plan(doc.data, base, chain)
        flat = apply(doc.data, plan)  # before reading the problems: rewriting the parent finds some
        problems = list(plan.problems) + [(None, m) for m in limit_problems(flat)]
        resources = doc.node(("Resources",))
        if doc.format == "yaml" and resources is not None and resources.style == "flow":
            problems.append((None, "Resources is a YAML flow mapping; flattening writes block entries"))
        if problems:
            return [
                Finding(sid, ("Resources", sid) if sid else ("Resources",), f"nested stacks not flattened: {message}", fixable=False)
                for sid, message in dict.fromkeys(problems)
            ]
        findings = [
            Finding(sid, ("Resources", sid),
                    f"nested stack from {plan.inlined[sid].label} can be inlined" + _chosen_note(plan, sid),
                    detail=plan)
            for sid in stacks
        ]
        return [] if self._up_to_date(doc, findings) else findings

    def _up_to_date(self, doc: Document, findings: list[Finding]) -> bool:
        """Whether the flat file beside the parent already holds what this fix would write
        (``check`` is then clean, and ``apply`` has nothing to do)."""
        if not self.source_path:
            return False
        source = Path(self.source_path)
        flat = source.with_name(f"{source.stem}{self.output_suffix}{source.suffix}")
        if not flat.is_file():
            return False
        try:
            fix = self.fix(doc, findings)
            text = apply_edits(doc.text, fix.edits, newline="\r\n" if "\r\n" in doc.text else "\n")
            return not fix.unfixed and flat.read_bytes() == text.encode("utf-8")
        except (EditConflict, OSError):
            return False

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        plan: Plan = findings[0].detail
        if {f.resource for f in findings} != set(plan.inlined):
            raise EditConflict("flattening is all or nothing, and some nested stacks are excluded by cfnfix metadata")
        editor = Editor(doc)
        edits: list[Edit] = []
        changes = []
        by_stack = {f.resource: f for f in findings}
        resources = doc.node(("Resources",))
        blank = _blank_lines_between(doc, resources)
        for sid, inlined in plan.inlined.items():
            key, value = resources.entry(sid)
            edits.append(Edit(key.start, value.end, self._render(doc, editor, key, inlined, blank)))
            changes += self._stack_changes(by_stack[sid], inlined, plan.chosen)
        finding = findings[0]
        for rid, body in doc.resources.items():
            if rid in plan.inlined or not isinstance(body, dict):
                continue
            if "DependsOn" in body:
                new = plan.rewrite_depends(body["DependsOn"], body.get("Condition"), body)
                if new != body["DependsOn"]:
                    where = Finding(rid, ("Resources", rid, "DependsOn"), "")
                    if new == []:
                        editor.remove(("Resources", rid, "DependsOn"))
                        changes.append(self.change(where, "remove", body["DependsOn"], None,
                                                   "its references to the nested stacks' outputs already order it after them"))
                    else:
                        editor.set(("Resources", rid, "DependsOn"), new)
                        changes.append(self.change(where, "replace", body["DependsOn"], new,
                                                   "nested stacks in DependsOn become the resources they held"))
        for section in ("Resources", "Outputs"):
            node = doc.node((section,))
            if node is None or not isinstance(doc.data.get(section), dict):
                continue
            for key, value in node.value:
                if section == "Resources" and key.value in plan.inlined:
                    continue
                body = doc.data[section].get(key.value)
                for path, old, new in _edit_points(value, body, (section, key.value), plan.rewrite):
                    editor.set(path, new)
                    where = Finding(key.value if section == "Resources" else None, path, "")
                    changes.append(self.change(where, "replace", old, new, _reference_message(old, plan)))
        changes += self._unused_parameters(doc, editor, plan, by_stack)
        for path, body, sid in additions(plan, doc.data):
            editor.set(path, body)
            changes.append(self.change(by_stack[sid], "add", None, body,
                                       f"{_KINDS[path[0]]} of nested stack {sid} ({plan.inlined[sid].label})", path=path))
        if plan.transform is not None:
            before = doc.data.get("Transform")
            editor.set(("Transform",), plan.transform)
            changes.append(self.change(finding, "replace" if before is not None else "add", before, plan.transform,
                                       "the children's macros are needed by the inlined resources", path=("Transform",)))
        return Fix(edits + editor.edits(), changes)

    def _unused_parameters(self, doc: Document, editor: Editor, plan: Plan, by_stack: dict) -> list:
        """Remove parent parameters that only located the children (template URLs, their bucket)
        and that the flat template no longer uses."""
        params = doc.data.get("Parameters") if isinstance(doc.data.get("Parameters"), dict) else {}
        located = {}
        for sid, inlined in plan.inlined.items():
            for name, _ in references({"TemplateURL": inlined.template_url}):
                if name in params:
                    located.setdefault(name, sid)
        if not located:
            return []
        flat = apply(doc.data, plan)
        still = {n for section in ("Resources", "Outputs", "Conditions", "Rules")
                 for n, _ in references(flat.get(section) or {})}
        unused = [n for n in located if n not in still]
        adds_parameters = any(path[0] == "Parameters" for path, _, _ in additions(plan, doc.data))
        if not unused or (len(unused) == len(params) and adds_parameters):
            return []
        changes = []
        for name in unused:
            if len(unused) < len(params):
                editor.remove(("Parameters", name))
            changes.append(self.change(by_stack[located[name]], "remove", params[name], None,
                                       "parameter only located nested stack templates; the flat template has none",
                                       path=("Parameters", name)))
        if len(unused) == len(params):
            editor.remove(("Parameters",))
        return changes

    def _render(self, doc: Document, editor: Editor, key: Node, inlined: Inlined, blank: bool) -> str:
        """The inlined resources as entries of the parent's Resources, starting where the Stack's key stood."""
        style = editor.style
        line = doc.text[doc.line_start(key.start) : key.start]
        if doc.format == "json":
            members = [render.json_member(rid, body, line, style) for rid, body in inlined.resources.items()]
            return (", " if style.compact else ",\n" + ("\n" if blank else "") + line).join(members)
        col = doc.column(key.start)
        blocks = ["\n".join(render.entry_lines(rid, body, col, style)) for rid, body in inlined.resources.items()]
        return ("\n\n" if blank else "\n").join(blocks)[col:]

    def _stack_changes(self, finding: Finding, inlined: Inlined, chosen: dict) -> list:
        ids = list(inlined.resources)
        count = f"{len(ids)} resource{'' if len(ids) == 1 else 's'}"
        message = f"nested stack replaced by the {count} of {inlined.label}, ids prefixed with {inlined.stack}"
        if inlined.label in chosen:
            message += f" (review: {chosen[inlined.label]})"
        if inlined.dropped:
            message += f"; {', '.join(inlined.dropped)} of the Stack resource have no equivalent and are dropped"
        out = [self.change(finding, "replace", inlined.template_url, ids, message)]
        for rid, body in inlined.resources.items():
            note = f"resource {inlined.origin[rid]} of {inlined.label}"
            uses = stack_name_uses(body)
            if uses:
                where = ", ".join("/".join(map(str, p)) for p in uses)
                note += (f"; keeps AWS::StackName/AWS::StackId at {where}: it named the nested stack"
                         " and now names the flattened one")
            out.append(self.change(finding, "add", None, body, note, path=("Resources", rid)))
        return out


def _chosen_note(plan: Plan, sid: str) -> str:
    why = plan.chosen.get(plan.inlined[sid].label)
    return f" (review: {why})" if why else ""


def _reference_message(old: Any, plan: Plan) -> str:
    call = render.intrinsic(old)
    if call and call[0] == "Ref" and call[1] in plan.inlined:
        return f"Ref {call[1]} named the nested stack's id; the flat stack's id (AWS::StackId) stands in for it"
    if call and call[0] == "Fn::Sub" and any(f"${{{sid}}}" in json.dumps(old) for sid in plan.inlined):
        return "a nested stack's id in Fn::Sub becomes the flat stack's id (AWS::StackId); outputs become their values"
    return "reference to a nested stack's output replaced by the output's value"


def _blank_lines_between(doc: Document, resources: Node) -> bool:
    """Whether the parent separates its resources with blank lines (new ones follow suit)."""
    pairs = resources.value
    return any(_BLANK_LINE.search(doc.text[a[1].end : b[0].start]) for a, b in zip(pairs, pairs[1:]))


def _edit_points(node: Node, data: Any, path: tuple, rewrite) -> Iterator[tuple[tuple, Any, Any]]:
    """(path, old, new) of the smallest parts of ``data`` that ``rewrite`` changes, at editable nodes.

    Short-form intrinsics (``!Join``) are one node in the text, so they change as a whole.
    """
    call = render.intrinsic(data)
    if call and (node.tag or call[0] in _ATOMIC):
        new = rewrite(data)
        if new != data:
            yield path, data, new
        return
    if node.kind == "map" and isinstance(data, dict):
        for key, value in node.value:
            if key.value in data:
                yield from _edit_points(value, data[key.value], path + (key.value,), rewrite)
    elif node.kind == "seq" and isinstance(data, list):
        for i, (item, value) in enumerate(zip(node.value, data)):
            yield from _edit_points(item, value, path + (i,), rewrite)
