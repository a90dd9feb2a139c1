"""DependsOn entries that name no resource, or one that may not exist (cfn-lint E3005): retargeted, removed, or
routed through a wait condition handle that waits for a conditional resource inside Fn::If."""

from __future__ import annotations

import difflib
from typing import Any, NamedTuple

from cfnfix.changelog import Change, Safety
from cfnfix.cycles import document_graph, reaches
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.property_names import words
from cfnfix.reference_names import defined_names, generated_names, numbering
from cfnfix.usage import prune_depends_on, uses

_CLOSE = 0.9  # difflib ratio of a near spelling
HANDLE = "AWS::CloudFormation::WaitConditionHandle"


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

    The same name in another case; else the one near spelling (difflib ratio at least 0.9) of
    the same numbering (``reference_names.numbering``: digits, a closing capital letter); else
    the one id that ends in the same two or more words (an `InternetGatewayAttachment` that is
    the template's `VPCGatewayAttachment`), of the same numbering and ahead of every other id."""
    same_case = [p for p in pool if p.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    series = numbering(name)
    pool = [p for p in pool if numbering(p) == series]
    near = difflib.get_close_matches(name, pool, n=2, cutoff=_CLOSE)
    if len(near) == 1:
        return near[0], "is the only resource named this close"
    cut = 1 if series[1] else 0  # the closing letter they share is no word (`PublicSubnetA`, `PrivateSubnetA`)
    scored = sorted(((_tail(name[: len(name) - cut], p[: len(p) - cut]), p) for p in pool), reverse=True)
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        shared = " ".join(words(name[: len(name) - cut])[-scored[0][0]:])
        return scored[0][1], f"is the only resource whose name ends in the same words ('{shared}')"
    return None, ""


def implies(conditions: dict, a: Any, b: Any, seen: frozenset = frozenset()) -> bool:
    """Whether condition ``a`` being true makes condition ``b`` true, as far as the text shows:
    the same name, the same expression, or ``b`` one of the terms of an ``Fn::And`` ``a`` is."""
    if a == b:
        return True
    if not isinstance(a, str) or a in seen or a not in conditions:
        return False
    if isinstance(b, str) and b in conditions and conditions[a] == conditions[b]:
        return True
    body = conditions[a]
    terms = body.get("Fn::And") if isinstance(body, dict) and len(body) == 1 else None
    return isinstance(terms, list) and any(
        isinstance(t, dict) and list(t) == ["Condition"] and implies(conditions, t["Condition"], b, seen | {a})
        or t == conditions.get(b, object()) for t in terms)


def _holds_when(data: Any, path: tuple, conditions: dict, known: tuple) -> bool:
    """Whether the node at ``path`` is there whenever one of the conditions ``known`` is true: each
    Fn::If it stands in, it stands in the true branch of a condition one of them implies."""
    node = data
    for i, part in enumerate(path):
        if part == "Fn::If" and i + 1 < len(path) and isinstance(node, dict):
            args = node.get("Fn::If")
            cond = args[0] if isinstance(args, list) and args else None
            if path[i + 1] != 1 or not any(implies(conditions, k, cond) for k in known if k is not None):
                return False
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def handle_metadata(condition: str, target: str) -> dict:
    """The Metadata of the wait condition handle that carries an ordering on ``target`` that holds
    when ``condition`` is true: a reference in Fn::If (CloudFormation orders a resource after each
    resource its Metadata refers to)."""
    return {"WaitsFor": {"Fn::If": [condition, {"Ref": target}, {"Ref": "AWS::NoValue"}]}}


class Through(NamedTuple):
    """Replace the DependsOn entry ``old`` (a resource under ``condition``) by a wait condition
    handle that refers to it inside Fn::If (the logical id of a new one, or of the template's own)."""

    old: str
    condition: str
    handle: str
    new: bool  # the handle is added (else the template's own is reused)


class Retarget(NamedTuple):
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
    names. Names the template's resources do not hold but its deployment adds are left alone,
    as cfn-lint leaves them: what SAM adds for a serverless resource (`MyFunctionRole`) or for
    itself (`ServerlessRestApiProdStage`), a module's resources (`StorageBucket` of the module
    `Storage`), and any name in a template that another transform (a macro) rewrites.

    A `DependsOn` on a resource that exists only under a `Condition` the dependent resource
    does not have (nor one that implies it: the same expression, or an `Fn::And` with it) cannot
    stay: `DependsOn` takes names only, never `Fn::If`. CloudFormation orders a resource after
    every resource its `Metadata` refers to, and `Fn::If` is allowed in `Metadata` (AWS
    documents `Fn::If` in the Metadata attribute; the ordering through a reference there is the
    widely used "optional DependsOn" technique). So the entry names instead an
    `AWS::CloudFormation::WaitConditionHandle` (a placeholder resource with no cost) whose
    Metadata holds `Fn::If [Condition, Ref Target, Ref AWS::NoValue]`: the dependent waits for
    the handle, the handle for the target whenever the condition is true. One handle serves
    every dependent of one target (a target has one condition) and is reused on later runs;
    the other entries of the list and its form stay. When the dependent already refers to the
    target where the reference is there whenever the target exists (a `Ref` in the true branch
    of an `Fn::If` on that condition), that reference keeps the order and the entry goes. A
    condition the template does not define is reported.

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

    ```yaml
    # after (DataBucketPolicy has Condition: CreateDataBucket; the trail depended on it)
    Trail:
      Type: AWS::CloudTrail::Trail
      DependsOn: DataBucketPolicyDependency   # was: DataBucketPolicy
    DataBucketPolicyDependency:
      Type: AWS::CloudFormation::WaitConditionHandle
      Metadata:
        WaitsFor: !If [CreateDataBucket, !Ref DataBucketPolicy, !Ref 'AWS::NoValue']
    ```

    ## Fix safety
    A retargeted entry is `review`: the fixer chose which resource is waited for (a template
    with an unresolved dependency deploys nothing, so no deployed resource changes). Removing
    an entry that names a parameter, or a duplicate, is `safe`: the order stays as it was
    meant. The wait condition handle for a conditional target is `safe` too: the order holds
    wherever it held, the handle costs nothing, and no deployed resource changes.
    """

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        params = doc.data.get("Parameters") if isinstance(doc.data.get("Parameters"), dict) else {}
        conditions = doc.data.get("Conditions") if isinstance(doc.data.get("Conditions"), dict) else {}
        generated = generated_names(doc.data)  # None: a macro rewrites the template, its names unknown
        # the resources, and the names SAM or a module adds (which no entry here defines)
        defined = defined_names(resources, generated or ())
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
                    if condition is not None and not implies(conditions, res.get("Condition"), condition):
                        findings.append(self._conditional(doc, rid, name, condition))
                    continue
                if generated is None or name in defined:
                    continue  # a resource that is not a mapping (another fixer's problem), or one the deployment adds
                head = f"E3005 {rid} depends on '{name}', which is not a resource of the template"
                if name in params:
                    findings.append(Finding(rid, path, f"{head} but a parameter; parameters are resolved before any "
                                            "resource is created: the entry goes", detail=Retarget(name, None, Safety.SAFE)))
                    continue
                # a wait condition handle is no resource a DependsOn means by another name
                pool = [k for k, r in resources.items() if k != rid and not (isinstance(r, dict) and r.get("Type") == HANDLE)]
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

    def _conditional(self, doc: Document, rid: str, name: str, condition: Any) -> Finding:
        """A DependsOn from ``rid`` on ``name``, which exists only under ``condition``."""
        path = ("Resources", rid, "DependsOn")
        head = f"E3005 {rid} depends on '{name}', which exists only when condition '{condition}' is true"
        conditions = doc.data.get("Conditions")
        if not (isinstance(condition, str) and isinstance(conditions, dict) and condition in conditions):
            return Finding(rid, path, f"{head}, a condition the template does not define: define it in Conditions, "
                           f"or give '{rid}' and '{name}' one the template has", fixable=False)
        conds = conditions if isinstance(conditions, dict) else {}
        refs = [u for u in uses(doc.data, {name}) if u.owner == rid and u.section == "Resources"
                and u.inner[:1] in (("Properties",), ("Metadata",))
                and _holds_when(doc.data, u.path, conds, (condition, doc.resources[rid].get("Condition")))]
        if refs:
            where = "/".join(map(str, refs[0].inner))
            return Finding(rid, path, (
                f"{head}; DependsOn cannot be conditional, and the {refs[0].kind} to '{name}' at {where} already "
                f"orders '{rid}' after it whenever it exists: the entry goes"), detail=Retarget(name, None, Safety.SAFE))
        wanted = handle_metadata(condition, name)
        handle = next((k for k, r in doc.resources.items() if isinstance(r, dict)
                       and r.get("Type") == HANDLE and "Condition" not in r and r.get("Metadata") == wanted), None)
        what = "the template's wait condition handle" if handle else "a new wait condition handle (no cost)"
        handle_id = handle or Editor(doc).unique_id(f"{name}Dependency")
        return Finding(rid, path, (
            f"{head}; DependsOn cannot be conditional: it depends instead on '{handle_id}', {what} whose Metadata "
            f"refers to '{name}' inside Fn::If [{condition}, ...], so it still waits for '{name}' when "
            f"'{condition}' is true"), detail=Through(name, condition, handle_id, handle is None))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        added: set[str] = set()  # new handles, one per target, shared by the findings that name it
        for f in findings:
            via = f.detail
            if isinstance(via, Through) and via.new and via.handle not in added:
                added.add(via.handle)
                body = {"Type": HANDLE, "Metadata": handle_metadata(via.condition, via.old)}
                editor.set(("Resources", via.handle), body)
                changes.append(self.change(None, "add", None, body, (
                    f"wait condition handle (no cost) whose Metadata refers to '{via.old}' when condition "
                    f"'{via.condition}' is true: a resource that depends on it waits for '{via.old}' whenever it "
                    "exists"), path=("Resources", via.handle), safety=Safety.SAFE))
        for f in findings:
            if isinstance(f.detail, Through):
                with editor.finding(f):
                    changes.append(self._through(doc, editor, f, f.detail.handle))
                continue
            t: Retarget = f.detail
            deps = doc.value(f.path)
            with editor.finding(f):
                if t.new is None:
                    before, after = prune_depends_on(editor, str(f.resource), {t.old}) or (deps, deps)
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

    def _through(self, doc: Document, editor: Editor, f: Finding, handle: str) -> Change:
        """The DependsOn entry on the conditional resource names ``handle`` instead (the entry goes
        when the handle is already in the list); the other entries and the form are kept."""
        old, deps = f.detail.old, doc.value(f.path)
        if isinstance(deps, str):
            editor.replace_text(f.path, old, handle)
            after: Any = handle
        elif handle in deps:
            pruned = prune_depends_on(editor, str(f.resource), {old})
            after = pruned[1] if pruned else deps
        else:
            for i, d in enumerate(deps):
                if d == old:
                    editor.set(f.path + (i,), handle)
            after = [handle if d == old else d for d in deps]
        return self.change(f, "replace", deps, after, f.message, safety=Safety.SAFE)
