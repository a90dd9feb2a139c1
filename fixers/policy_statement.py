"""Policy documents CloudFormation or IAM reject (cfn-lint E3510, E3512, E3530): statements without
a Resource where the value is known, look-alike characters in Version, misnamed condition operators."""

from __future__ import annotations

from typing import Any, Iterator

from cfnfix import lookalikes, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.memo import cached
from cfnfix.nodepath import editor_path
from cfnfix.values import property_literals
from cfnfix.text_checks import may_write

# Properties that hold a policy document, at any depth of a resource's Properties.
POLICY_KEYS = frozenset(("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument"))
VERSIONS = ("2012-10-17", "2008-10-17")
# Condition operators written under a name IAM does not have -> the one it documents.
OPERATORS = {
    "IpAddressNotEquals": "NotIpAddress",
    "NotIpAddressEquals": "NotIpAddress",
    "IpAddressEquals": "IpAddress",
}
# Resources whose PolicyDocument is an identity policy (attached to a role, user or group).
IDENTITY_TYPES = frozenset(("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User",
                            "AWS::IAM::Group", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"))
KEY_POLICY_TYPES = ("AWS::KMS::Key", "AWS::KMS::ReplicaKey")


def _documents(nodes: list[tuple[tuple, Any]]) -> Iterator[tuple[tuple, dict]]:
    """(path, document) of every policy document among a resource's ``property_literals``."""
    return ((p, v) for p, v in nodes
            if p[-1:] and p[-1] in POLICY_KEYS and isinstance(v, dict) and "Statement" in v)


def _statements(doc: dict, path: tuple) -> Iterator[tuple[tuple, dict]]:
    found = doc.get("Statement")
    if isinstance(found, dict) and not schemas.is_intrinsic(found):
        yield path + ("Statement",), found
    elif isinstance(found, list):
        for i, st in enumerate(found):
            if isinstance(st, dict) and not schemas.is_intrinsic(st):
                yield path + ("Statement", i), st


def _same_value(value: Any) -> Any:
    """``value`` in one form for comparing statements: ``Fn::Sub '${X}'`` is ``Ref X``, and the
    order of a list of strings (actions, resources) does not matter to IAM."""
    if isinstance(value, dict):
        sub = value.get("Fn::Sub") if len(value) == 1 else None
        if isinstance(sub, str) and sub.startswith("${") and sub.endswith("}") and sub.count("${") == 1 \
                and "." not in sub and not sub.startswith("${!"):
            return (("Ref", sub[2:-1].strip()),)
        return tuple(sorted((str(k), _same_value(v)) for k, v in value.items()))
    if isinstance(value, list):
        items = [_same_value(v) for v in value]
        return tuple(sorted(items, key=repr)) if len(items) != 1 else items[0]
    return value


def _statement_key(st: dict) -> Any:
    """What makes two statements the same grant or denial: all but their Sid (IAM reads
    ``Principal: {AWS: '*'}`` as ``Principal: '*'``)."""
    body = {k: v for k, v in st.items() if k != "Sid"}
    if body.get("Principal") == {"AWS": "*"}:
        body["Principal"] = "*"
    return _same_value(body)


def _resource_policy_statements(doc: Document) -> dict[Any, str]:
    """The statements that name a Principal in the template's resource policies (a bucket, queue,
    topic policy...), each to the resource that holds it.

    Asked only for an identity policy's Deny of everyone (rare): keying every resource policy's
    statements (``_statement_key`` reads each statement whole) was half of the fixer's walk, done
    for every template with a policy. Found once per document (``memo.cached``)."""
    return cached(doc, "policy-statement.held", lambda: _held_statements(doc))


def _held_statements(doc: Document) -> dict[Any, str]:
    held: dict[Any, str] = {}
    for rid, res in doc.resources.items():
        rtype = res.get("Type") if isinstance(res, dict) else None
        if not isinstance(rtype, str) or rtype in IDENTITY_TYPES or not isinstance(res.get("Properties"), dict):
            continue
        for path, policy in _documents(property_literals(doc)[rid]):
            if path[-1] != "PolicyDocument":
                continue
            for _, st in _statements(policy, path):
                if "Principal" in st:
                    held.setdefault(_statement_key(st), rid)
    return held


def _no_value_if(value: Any) -> tuple[Any, Any] | None:
    """(condition, value) for ``Fn::If [C, X, AWS::NoValue]``."""
    if not (isinstance(value, dict) and list(value) == ["Fn::If"]):
        return None
    args = value["Fn::If"]
    if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str) and args[2] == {"Ref": "AWS::NoValue"} \
            and args[1] != {"Ref": "AWS::NoValue"}:
        return args[0], args[1]
    return None


class PolicyStatement(Fixer):
    name = "policy-statement"
    summary = "Repair policy statements IAM rejects where the repair is known: Resource, Version, condition operators (E3510, E3512, E3530)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E3510", "E3512", "E3530")
    default = False
    docs = """
    ## What it detects
    In the policy documents of a template (`PolicyDocument`, `KeyPolicy`,
    `AssumeRolePolicyDocument`, at any depth):
    - a statement with neither `Resource` nor `NotResource`, or whose `Resource` is
      `Fn::If [Condition, value, AWS::NoValue]` (no resource at all when the condition is false);
    - a `Version` written with a dash that only looks like a hyphen (`2012‑10‑17` with U+2011);
    - a condition operator IAM does not have where the one meant is documented
      (`IpAddressNotEquals` for `NotIpAddress`).
    cfn-lint reports these as E3510 (identity policies), E3512 (resource policies) and E3530.

    ## Why it matters
    IAM refuses the policy (`Policy statement must contain resources`, `MalformedPolicyDocument`),
    so the resource holding it fails to create.

    ## How it decides
    - A KMS key policy statement without `Resource` gets `Resource: '*'`: in a key policy, `*`
      means "this key", the only value AWS documents there.
    - A statement whose `Resource` is `Fn::If [C, X, AWS::NoValue]` becomes
      `Fn::If [C, statement with Resource X, AWS::NoValue]`: it exists when `C` holds, as meant.
    - Look-alike dashes in `Version` become hyphens; a misnamed operator is renamed.
    - A statement of an identity policy (IAM policy, role, user or group) that names a
      `Principal` is reported: it reads as a resource policy's statement. When it is a `Deny` of
      everyone (`Principal: '*'`) and a resource policy of the template (a bucket, queue or topic
      policy) holds the same statement (the same Effect, Principal, Action, Resource and
      Condition; `!Sub '${X}'` counts as `!Ref X` and `{AWS: '*'}` as `'*'`, the order of a
      list does not count), the intent is already written where it belongs: the identity copy
      loses its `Principal`, and keeps denying whoever holds it, one of "everyone". An `Allow`,
      or a `Deny` of some other principal, stays reported: without its `Principal` it would grant
      or deny the holder what was meant for someone else.
    - Any other statement without `Resource` is reported: only the author knows which resources
      it is for (`'*'` would grant on every resource).

    ## Example
    ```yaml
    # before
    - Effect: Allow
      Action: sns:Publish
      Resource: !If [HasTopic, !Ref Topic, !Ref AWS::NoValue]
    # after
    - !If
      - HasTopic
      - Effect: Allow
        Action: sns:Publish
        Resource: !Ref Topic
      - !Ref AWS::NoValue
    ```

    ## Fix safety
    Safe: each policy grants what it was written to grant; IAM just accepts it now.

    ## Options
    None.
    """

    def find(self, doc: Document) -> list[Finding]:
        if not may_write(doc.text, *POLICY_KEYS):
            return []  # no policy document's key is written: no walk
        findings: list[Finding] = []
        for rid, res in doc.resources.items():
            if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
                continue
            rtype = res.get("Type") if isinstance(res.get("Type"), str) else None
            base = ("Resources", rid, "Properties")
            for path, policy in _documents(property_literals(doc)[rid]):
                findings += self._version(rid, path, policy)
                key_policy = rtype in KEY_POLICY_TYPES and path == base + ("KeyPolicy",)
                identity = rtype in IDENTITY_TYPES and path[-1] == "PolicyDocument"
                for spath, st in _statements(policy, path):
                    findings += self._operators(rid, spath, st)
                    if identity and ("Principal" in st or "NotPrincipal" in st):
                        findings.append(self._principal(doc, rid, spath, st))
                    found = self._resource(rid, spath, st, key_policy, path[-1] == "AssumeRolePolicyDocument")
                    if found is not None:
                        findings.append(found)
        return findings

    @staticmethod
    def _principal(doc: Document, rid: str, path: tuple, st: dict) -> Finding:
        """A statement of an identity policy that names a Principal. When it denies everyone, and
        the template's resource policies already hold the same statement, the resource side of
        the intent is written where it belongs, and the identity copy loses nothing without its
        Principal: it still denies whoever holds the policy, one of "everyone". (An Allow would
        grant the holder, another Principal deny the holder, what was meant for someone else.)"""
        where = "/".join(map(str, path[3:]))
        head = f"E3510 statement {where} of an identity policy names a {'Principal' if 'Principal' in st else 'NotPrincipal'}"
        # a Deny of everyone denies the holder too: without its Principal it denies the holder only
        everyone = st.get("Principal") in ("*", {"AWS": "*"})
        owner = _resource_policy_statements(doc).get(_statement_key(st)) if st.get("Effect") == "Deny" and everyone else None
        if owner is not None:
            return Finding(rid, path + ("Principal",), f"{head}, which an identity policy cannot: its principal is "
                           f"whoever it is attached to. The same statement, with this Principal, is in the policy of "
                           f"{owner}, where a Principal belongs: Principal goes here, and nothing is lost", detail=("drop", None))
        return Finding(rid, path, f"{head}: the principal of an identity policy is whoever it is attached to; a "
                       "statement about who may reach a resource belongs in that resource's policy (a bucket, queue "
                       "or topic policy): move it there, or drop Principal, by hand", fixable=False)

    def _version(self, rid: str, path: tuple, policy: dict) -> list[Finding]:
        version = policy.get("Version")
        if not isinstance(version, str) or version in VERSIONS:
            return []
        plain = lookalikes.plain(version).strip()
        if plain not in VERSIONS:
            return []
        return [Finding(rid, path + ("Version",), f"E3510 policy Version {version!r} is written with characters that "
                        f"only look like '{plain}': IAM knows only {', '.join(VERSIONS)}", detail=("set", plain))]

    def _operators(self, rid: str, path: tuple, st: dict) -> list[Finding]:
        condition = st.get("Condition")
        if not isinstance(condition, dict) or schemas.is_intrinsic(condition):
            return []
        out = []
        for op in condition:
            name = op.split(":")[-1] if isinstance(op, str) else None
            prefix = op[: len(op) - len(name)] if name else ""
            if name in OPERATORS and prefix + OPERATORS[name] not in condition:
                out.append(Finding(rid, path + ("Condition", op), f"E3512 condition operator '{op}' does not exist; "
                                   f"IAM names it '{prefix + OPERATORS[name]}'", detail=("rename", prefix + OPERATORS[name])))
        return out

    def _resource(self, rid: str, path: tuple, st: dict, key_policy: bool, trust: bool) -> Finding | None:
        if trust or "NotResource" in st:
            return None  # a trust policy names no resource: the role is the resource
        where = "/".join(map(str, path[3:]))
        if "Resource" not in st:
            if key_policy:
                return Finding(rid, path + ("Resource",), f"E3512 key policy statement {where} names no Resource; in a "
                               "key policy '*' means this key, the only value AWS documents there", detail=("set", "*"))
            return Finding(rid, path, f"E3510 policy statement {where} names no Resource (or NotResource): IAM rejects "
                           "it; only the author knows which resources it is for ('*' would grant on all of them): "
                           "add Resource by hand", fixable=False)
        branch = _no_value_if(st["Resource"])
        if branch is None:
            return None
        return Finding(rid, path, f"E3510 policy statement {where} has no Resource when {branch[0]} is false "
                       f"(Fn::If with AWS::NoValue): the statement itself becomes conditional on {branch[0]}",
                       detail=("conditional", branch[0]))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            how, value = f.detail
            with editor.finding(f):
                if how == "set":
                    before = doc.value(f.path) if doc.node(f.path) is not None else None
                    editor.set(f.path, value)
                    changes.append(self.change(f, "add" if before is None else "replace", before, value, f.message))
                elif how == "drop":
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", doc.value(f.path), None, f.message))
                elif how == "rename":
                    editor.rename(f.path, value)
                    changes.append(self.change(f, "move", f.path[-1], value, f.message, path=f.path[:-1]))
                else:
                    st = doc.value(f.path)
                    # the statement's keys in their order and text, Resource taking the value of its Fn::If
                    # (the Resource as data: its text sits inside the Fn::If, in flow style, maybe over lines)
                    inner = {k: st[k]["Fn::If"][1] if k == "Resource" else editor.source(editor_path(doc, f.path + (k,)))
                             for k in st}
                    new = {"Fn::If": [value, inner, {"Ref": "AWS::NoValue"}]}
                    editor.set(f.path, new)
                    after = {"Fn::If": [value, {**st, "Resource": st["Resource"]["Fn::If"][1]}, {"Ref": "AWS::NoValue"}]}
                    changes.append(self.change(f, "replace", st, after, f.message))
        return Fix.of(editor, changes)
