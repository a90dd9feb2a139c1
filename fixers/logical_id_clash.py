"""A resource and a parameter with the same logical id (cfn-lint E3007): the resource is renamed."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import depends_on, entries, references
from cfnfix.nodepath import node_path


def _sites(doc: Document, name: str) -> tuple[list[tuple[str, tuple, Any]], list[str]]:
    """(every reference to ``name`` outside the resource itself: (section/key, path, the call), the
    places whose meaning is unclear: a Ref or ${name} outside the resource, or the resource reading
    its own attributes)."""
    found, unclear = [], []
    for section, key, item in entries(doc.data):
        base = (section, key)
        if section == "Resources" and name in depends_on(item):
            found.append((f"{section}/{key}", base + ("DependsOn",), None))
        body = {k: v for k, v in item.items() if k not in ("DependsOn", "Condition", "Type")}
        for target, rel in references(body):
            if target != name:
                continue
            path = base + rel
            call = doc.value(path)
            fn = next(iter(call)) if isinstance(call, dict) and len(call) == 1 else None
            own = section == "Resources" and key == name
            if fn == "Ref" or (fn == "Fn::Sub" and _plain_sub(call, name)):
                if not own:
                    unclear.append(f"{section}/{key}")
            elif own:
                unclear.append(f"{section}/{key} (its own attributes)")
            else:
                found.append((f"{section}/{key}", path, call))
    return found, sorted(set(unclear))


def _plain_sub(call: dict, name: str) -> bool:
    arg = call["Fn::Sub"]
    text = arg[0] if isinstance(arg, list) and arg else arg
    return isinstance(text, str) and "${" + name + "}" in text


class LogicalIdClash(Fixer):
    name = "logical-id-clash"
    summary = "Rename a resource whose logical id is also a parameter's (E3007)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ("E3007",)
    default = False
    docs = """
    ## What it detects
    A resource and a parameter with the same logical id (cfn-lint E3007), such as a parameter
    `KMSKeyAlias` holding the alias name and an `AWS::KMS::Alias` resource `KMSKeyAlias`.

    ## Why it matters
    Logical ids are one namespace: CloudFormation rejects the template (`Template format
    error`), and every `Ref` to the name is ambiguous.

    ## How it decides
    The resource is renamed `<name>Resource` (or the next free id); the parameter keeps its
    name, since callers pass it by name. A `Ref` or `${name}` inside the resource itself can only
    mean the parameter (a resource cannot refer to itself) and stays. `Fn::GetAtt`,
    `${name.Attribute}` and `DependsOn` elsewhere can only mean the resource and follow the
    rename. It is reported instead when another resource or an output uses `Ref` or
    `${name}` (the parameter or the resource? only the author knows), or when the resource
    reads its own attributes.

    ## Example
    ```yaml
    # before
    Parameters:
      KMSKeyAlias:
        Type: String
    Resources:
      KMSKeyAlias:
        Type: AWS::KMS::Alias
        Properties:
          AliasName: !Sub 'alias/${KMSKeyAlias}'
          TargetKeyId: !Ref KMSKey
    # after
    Resources:
      KMSKeyAliasResource:
        Type: AWS::KMS::Alias
        Properties:
          AliasName: !Sub 'alias/${KMSKeyAlias}'
          TargetKeyId: !Ref KMSKey
    ```

    ## Fix safety
    Review: a template with the clash deploys nothing, but a resource with a new logical id is a
    new resource to CloudFormation: had the old id been deployed, the update would replace it.
    """

    def find(self, doc: Document) -> list[Finding]:
        params = doc.data.get("Parameters")
        if not isinstance(params, dict):
            return []
        findings = []
        for name in doc.resources:
            if name not in params:
                continue
            path = ("Resources", name)
            head = f"E3007 resource '{name}' has the logical id of a parameter"
            found, unclear = _sites(doc, name)
            if unclear:
                findings.append(Finding(name, path, f"{head}; {', '.join(unclear)} refer to the name where it may mean "
                                        "either: rename the resource (or the parameter) and point each reference at the "
                                        "one meant", fixable=False))
                continue
            moved = f"; {len(found)} reference{'s' if len(found) != 1 else ''} to the resource follow" if found else ""
            findings.append(Finding(name, path, f"{head}: the resource is renamed, the parameter keeps its name "
                                    f"(callers pass it){moved}", detail=found))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            name = f.resource
            if name is None:  # find() names the resource of every finding
                continue
            new = editor.unique_id(name + "Resource")
            with editor.finding(f):
                editor.rename(("Resources", name), new)
                changes.append(self.change(f, "move", name, new, f.message, path=("Resources",)))
                for _, path, call in f.detail:
                    before = doc.value(path)
                    after = self._retarget(editor, path, call, name, new, before)
                    changes.append(self.change(f, "replace", before, after,
                                               f"E3007 names the renamed resource '{new}'", path=path))
        return Fix.of(editor, changes)

    def _retarget(self, editor: Editor, path: tuple, call: Any, name: str, new: str, before: Any) -> Any:
        if call is None:  # a DependsOn
            if isinstance(before, str):
                editor.replace_text(path, name, new)
                return new
            for i, d in enumerate(before):
                if d == name:
                    editor.set(path + (i,), new)
            return [new if d == name else d for d in before]
        (fn, arg), = call.items()
        if fn == "Fn::GetAtt":
            attr = arg[1:] if isinstance(arg, list) else arg.split(".", 1)[1:]
            after = {fn: [new] + list(attr)}
            editor.set(node_path(editor.doc, path) or path, after)
            return after
        text = arg[0] if isinstance(arg, list) else arg
        where = (node_path(editor.doc, path + (fn,)) or path + (fn,)) + ((0,) if isinstance(arg, list) else ())
        editor.replace_text(where, "${" + name + ".", "${" + new + ".")
        text = text.replace("${" + name + ".", "${" + new + ".")
        return {fn: [text] + list(arg[1:])} if isinstance(arg, list) else {fn: text}
