"""DependsOn entries that name no resource, or one that may not exist (cfn-lint E3005)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from cfnfix.changelog import Safety
from cfnfix.cycles import document_graph, reaches
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.property_names import words
from cfnfix.usage import prune_depends_on

_CLOSE = 0.9  # difflib ratio of a near spelling


def _tail(a: str, b: str) -> int:
    """How many trailing CamelCase words two names share (``InternetGatewayAttachment`` and
    ``VPCGatewayAttachment``: 2)."""
    wa, wb = words(a), words(b)
    n = 0
    while n < min(len(wa), len(wb)) and wa[-1 - n] == wb[-1 - n]:
        n += 1
    return n


def meant(name: str, pool: list[str]) -> tuple[str | None, str]:
    """The one logical id of ``pool`` a DependsOn on ``name`` plainly means, and why.

    The same name in another case; else the one near spelling (difflib ratio at least 0.9) with
    the same digits; else the one id that ends in the same two or more words (an
    `InternetGatewayAttachment` that is the template's `VPCGatewayAttachment`), with the same
    digits and ahead of every other id."""
    same_case = [p for p in pool if p.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    digits = re.sub(r"\D", "", name)
    pool = [p for p in pool if re.sub(r"\D", "", p) == digits]
    near = difflib.get_close_matches(name, pool, n=2, cutoff=_CLOSE)
    if len(near) == 1:
        return near[0], "is the only resource named this close"
    scored = sorted(((_tail(name, p), p) for p in pool), reverse=True)
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1], f"is the only resource whose name ends in the same words ('{' '.join(words(name)[-scored[0][0]:])}')"
    return None, ""


@dataclass(frozen=True)
class Retarget:
    """Replace the DependsOn entry ``old`` by ``new`` (None: remove it)."""

    old: str
    new: str | None
    safety: Safety


class DependsOn(Fixer):
    name = "depends-on"
    summary = "Point DependsOn entries that name no resource at the one plainly meant (E3005)"
    group = "deploy"
    safety = Safety.REVIEW
    lint_rules = ("E3005",)
    default = False
    docs = """
    ## What it detects
    `DependsOn` entries that name no resource of the template, or a resource that exists only
    under a `Condition` the dependent resource does not share (cfn-lint E3005).

    ## Why it matters
    CloudFormation rejects the template (`Template format error: Unresolved resource
    dependencies [X] in the Resources block of the template`); with a conditional target, it
    does so whenever the condition is false.

    ## How it decides
    An entry naming no resource is pointed at the resource plainly meant: the same name in
    another case, the one near spelling (same digits), or the one resource whose logical id
    ends in the same two or more words, ahead of every other (`DependsOn:
    InternetGatewayAttachment` in a template whose gateway attachment is
    `VPCGatewayAttachment`). It is not retargeted when that resource has another `Condition`
    or already needs the dependent resource (a cycle); when the resource meant is already in
    the list the entry is removed. An entry naming a parameter is removed (parameters are
    resolved before any resource is created). Anything else is reported with the nearest
    names.

    A `DependsOn` on a conditional resource from one without that condition is reported:
    `DependsOn` cannot be conditional; give the dependent resource the condition, or replace
    the `DependsOn` by a reference inside `Fn::If` where the value is used.

    ## Example
    ```yaml
    # before
    NatEip:
      Type: AWS::EC2::EIP
      DependsOn: InternetGatewayAttachment
    # after (the template's attachment is VPCGatewayAttachment)
    NatEip:
      Type: AWS::EC2::EIP
      DependsOn: VPCGatewayAttachment
    ```

    ## Fix safety
    A retargeted entry is `review`: the fixer chose which resource is waited for (a template
    with an unresolved dependency deploys nothing, so no deployed resource changes). Removing
    an entry that names a parameter, or a duplicate, is `safe`: the order stays as it was
    meant.
    """

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        params = doc.data.get("Parameters") if isinstance(doc.data.get("Parameters"), dict) else {}
        findings = []
        for rid, res in resources.items():
            if not isinstance(res, dict):
                continue
            deps = res.get("DependsOn")
            names = [deps] if isinstance(deps, str) else [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []
            path = ("Resources", rid, "DependsOn")
            for name in dict.fromkeys(names):
                target = resources.get(name)
                if isinstance(target, dict):
                    condition = target.get("Condition")
                    if condition is not None and condition != res.get("Condition"):
                        findings.append(Finding(rid, path, (
                            f"E3005 {rid} depends on '{name}', which exists only when condition '{condition}' is "
                            f"true; DependsOn cannot be conditional: give '{rid}' that condition, or replace the "
                            f"DependsOn by a reference to '{name}' inside Fn::If where its value is used"),
                            fixable=False))
                    continue
                if name in resources:
                    continue  # a resource that is not a mapping: another fixer's problem
                head = f"E3005 {rid} depends on '{name}', which is not a resource of the template"
                if name in params:
                    findings.append(Finding(rid, path, f"{head} but a parameter; parameters are resolved before any "
                                            "resource is created: the entry goes", detail=Retarget(name, None, Safety.SAFE)))
                    continue
                pool = [k for k in resources if k != rid]
                new, why = meant(name, pool)
                if new is None:
                    near = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
                    hint = ("nearest: " + ", ".join(f"'{n}'" for n in near) + "; name the resource meant or remove it"
                            if near else "name the resource meant or remove the entry")
                    findings.append(Finding(rid, path, f"{head}; {hint}", fixable=False))
                    continue
                other = resources[new].get("Condition") if isinstance(resources[new], dict) else None
                if other is not None and other != res.get("Condition"):
                    findings.append(Finding(rid, path, f"{head}; '{new}' {why}, but it exists only when condition "
                                            f"'{other}' is true: name the resource meant by hand", fixable=False))
                elif new in names:
                    findings.append(Finding(rid, path, f"{head}; '{new}' {why} and is already in the list: the entry "
                                            "goes", detail=Retarget(name, None, Safety.SAFE)))
                elif reaches(document_graph(doc), [new], rid):
                    findings.append(Finding(rid, path, f"{head}; '{new}' {why}, but it needs '{rid}' itself (a "
                                            "dependency cycle): name the resource meant by hand", fixable=False))
                else:
                    findings.append(Finding(rid, path, f"{head}; '{new}' {why}: it depends on '{new}'",
                                            detail=Retarget(name, new, Safety.REVIEW)))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            t: Retarget = f.detail
            deps = doc.value(f.path)
            with editor.finding(f):
                if t.new is None:
                    before, after = prune_depends_on(editor, f.resource, {t.old}) or (deps, deps)
                elif isinstance(deps, str):
                    editor.replace_text(f.path, t.old, t.new)
                    before, after = deps, t.new
                else:
                    for i, d in enumerate(deps):
                        if d == t.old:
                            editor.set(f.path + (i,), t.new)
                    before, after = deps, [t.new if d == t.old else d for d in deps]
                changes.append(self.change(f, "remove" if after is None else "replace", before, after, f.message,
                                           safety=t.safety))
        return Fix.of(editor, changes)
