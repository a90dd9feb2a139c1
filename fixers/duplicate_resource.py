"""Resources declared twice: the same type and primary identifier, one a subset of the other (cfn-lint E3019)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import depends_on
from cfnfix.properties import properties
from cfnfix.usage import prune_depends_on, uses

# attributes a resource may carry besides Type and Properties, and whether the copy may differ there
_ATTRIBUTES = ("Type", "Properties", "Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata")


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _identifier(type_name: str, props: dict) -> tuple | None:
    """The values of a type's primary identifier in ``props``, when the template sets all of them
    (identifiers the service generates, read-only ones, cannot collide in a template)."""
    names = schemas.primary_identifier(type_name)
    if names is None or any(n not in props for n in names):
        return None
    read_only = (schemas.resource_schema(type_name) or {}).get("readOnlyProperties") or ()
    if any("/properties/" + n in read_only for n in names):
        return None
    return tuple(_key(props[n]) for n in names)


def _within(mine: Any, theirs: Any) -> bool:
    """Whether ``mine`` sets nothing ``theirs`` does not set to the same value, nested objects
    compared key by key (`RecordingGroup: {AllSupported: true}` is within one that also
    includes global resource types)."""
    if isinstance(mine, dict) and isinstance(theirs, dict) and not schemas.is_intrinsic(mine):
        return all(k in theirs and _within(v, theirs[k]) for k, v in mine.items())
    return _key(mine) == _key(theirs)


class DuplicateResource(Fixer):
    name = "duplicate-resource"
    summary = "Remove a resource declared twice (same type and identifier) when it only repeats the other (E3019)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ("E3019",)
    default = False
    docs = """
    ## What it detects
    Two resources of the same type whose primary identifier (a `Name` the template sets, for
    instance) has the same value, so CloudFormation would create the same physical resource
    twice. cfn-lint reports these as E3019.

    ## Why it matters
    The second create fails (the name is taken), or, for a service that creates by "put",
    silently overwrites the first one's settings: the stack cannot be deployed as written.

    ## How it decides
    When one of the two sets nothing the other does not set to the same value (same properties
    or fewer, nested objects compared key by key, same `Condition`), it only repeats the other: it is removed, and every
    `DependsOn` naming it names the other instead. The typical case is a second AWS Config
    recorder with the same name written to "start" the first (a recorder starts itself:
    `StartedOnCreate` defaults to true). A `Ref`, `GetAtt` or `Sub` of the copy, or two
    declarations that differ, are reported: which one is meant is for the author to say.

    ## Example
    ```yaml
    # before
    ConfigRecorder:
      Type: AWS::Config::ConfigurationRecorder
      Properties:
        Name: recorder
        RoleARN: !GetAtt ConfigRole.Arn
        RecordingGroup: {AllSupported: true}
    ConfigRecorderStatus:
      Type: AWS::Config::ConfigurationRecorder
      DependsOn: DeliveryChannel
      Properties:
        Name: recorder
        RoleARN: !GetAtt ConfigRole.Arn
    # after: ConfigRecorderStatus is gone
    ```

    ## Fix safety
    Review: a resource leaves the template (it could never be created beside the other), and
    the ordering its own `DependsOn` asked for goes with it (named in the change log).
    """

    def find(self, doc: Document) -> list[Finding]:
        if schemas.rewritten_by_transform(doc.data):
            return []
        groups: dict[tuple, list[str]] = {}
        judged = list(schemas.judged_resources(doc))
        kinds = Counter(type_name for _, type_name, _ in judged)
        for rid, type_name, res in judged:
            if kinds[type_name] < 2:
                continue  # the only resource of its type: a pair is two of one type, so it is in none
            props = properties(res)
            if not props or any(k not in _ATTRIBUTES for k in res):
                continue
            ident = _identifier(type_name, props)
            if ident is not None:
                groups.setdefault((type_name, ident), []).append(rid)
        findings = []
        for (type_name, _), ids in groups.items():
            if len(ids) != 2 or doc.resources[ids[0]].get("Condition") != doc.resources[ids[1]].get("Condition"):
                continue  # under different conditions they may never exist together
            findings.append(self._pair(doc, type_name, ids))
        return findings

    def _pair(self, doc: Document, type_name: str, ids: list[str]) -> Finding:
        a, b = (doc.resources[i] for i in ids)
        head = f"E3019 {ids[0]} and {ids[1]} are the same {type_name} (same primary identifier)"
        copy = next((c for c, other in ((ids[1], a), (ids[0], b)) if self._repeats(doc.resources[c], other)), None)
        if copy is None:
            return Finding(ids[1], ("Resources", ids[1]), f"{head}, declared with different settings: keep one "
                           "by hand", fixable=False)
        keep = ids[0] if copy == ids[1] else ids[1]
        readers = [u for u in uses(doc.data, {copy}) if u.kind != "DependsOn"]
        if readers:
            shown = ", ".join(dict.fromkeys("/".join(map(str, u.path[:2])) for u in readers))
            return Finding(copy, ("Resources", copy), f"{head}; {copy} only repeats {keep}, but {shown} refer to it: "
                           f"point them at {keep} and remove {copy} by hand", fixable=False)
        own = depends_on(doc.resources[copy])
        said = f"{head}; {copy} only repeats {keep}: removed, DependsOn entries naming it name {keep}"
        if own:
            said += f"; its own DependsOn ({', '.join(own)}) orders a resource that no longer exists and goes with it"
        return Finding(copy, ("Resources", copy), said, detail=keep)

    @staticmethod
    def _repeats(copy: dict, other: dict) -> bool:
        """Whether ``copy`` sets nothing ``other`` does not set to the same value."""
        if copy.get("Condition") != other.get("Condition"):
            return False
        return _within(properties(copy) or {}, properties(other) or {})

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            copy, keep = f.resource, f.detail
            if copy is None:  # find() names the resource of every finding
                continue
            with editor.finding(f):
                editor.remove(("Resources", copy))
                changes.append(self.change(f, "remove", doc.value(("Resources", copy)), None, f.message))
                for owner in (u.owner for u in uses(doc.data, {copy}) if u.kind == "DependsOn"):
                    if owner == keep or keep in depends_on(doc.resources[owner]):
                        before_after = prune_depends_on(editor, owner, {copy})
                        if before_after:
                            changes.append(self.change(f, "replace", before_after[0], before_after[1],
                                                       f"{copy} is gone and {owner} already waits for {keep}",
                                                       path=("Resources", owner, "DependsOn")))
                        continue
                    deps = doc.resources[owner]["DependsOn"]
                    if isinstance(deps, str):
                        editor.set(("Resources", owner, "DependsOn"), keep)
                        changes.append(self.change(f, "replace", deps, keep, f"{copy} is gone: {owner} waits for {keep}",
                                                   path=("Resources", owner, "DependsOn")))
                    else:
                        i = deps.index(copy)
                        editor.set(("Resources", owner, "DependsOn", i), keep)
                        changes.append(self.change(f, "replace", copy, keep, f"{copy} is gone: {owner} waits for {keep}",
                                                   path=("Resources", owner, "DependsOn", i)))
        return Fix.of(editor, changes)
