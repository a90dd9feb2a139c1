"""Properties a resource does not accept (cfn-lint E3002): moved where the schema accepts them, else removed."""

from __future__ import annotations

from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Change, Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.fixers.property_name import rename_target

# What people mean by properties that do not exist, and what to write instead.
MISCONCEPTIONS = {
    "CloudWatchConfigurations": (
        "S3 sends no event notifications to CloudWatch; to route bucket events set "
        "NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled: true and match them "
        "with an AWS::Events::Rule, or use Lambda/Queue/TopicConfigurations"),
    "DeregistrationDelay": (
        "a target group sets it as TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: '30'}]"),
    "KeyRotationStatus": "a KMS key turns rotation on with EnableKeyRotation: true",
}


def _holder(doc: Document, path: tuple) -> Any:
    value = doc.data
    for part in path:
        value = value[part]
    return value


def removal_advice(v: schemas.Violation) -> str:
    """Why the property cannot stay, and what to use instead where that is known."""
    root_props = v.root.get("properties") or {}
    if v.name == "Tags" and "TagSpecifications" in root_props:
        return f"{v.type_name} is tagged through TagSpecifications, per resource type it creates"
    if v.name == "Tags" and "Tags" not in root_props:
        return (f"{v.type_name} cannot be tagged (its schema has no Tags); tag the resources it "
                "creates, or pass stack-level tags, which CloudFormation propagates")
    return MISCONCEPTIONS.get(v.name, "")


def move_targets(doc: Document, v: schemas.Violation) -> list[tuple[tuple, bool]]:
    """Places the schema accepts the property: (path of the object, object missing) pairs.

    Looked for in the holding object's object-valued properties (present ones, or required ones
    that are missing) and, failing that, in the nearest enclosing object.
    """
    holder_path = v.path[:-1]
    holder = _holder(doc, holder_path)
    found: list[tuple[tuple, bool]] = []
    required = set(v.schema.get("required") or ())
    for name in v.allowed_names():
        sub = v.property_schema(name)
        if not schemas.accepts(v.type_name, sub, v.name):
            continue
        target = holder.get(name)
        if isinstance(target, dict) and not schemas.is_intrinsic(target) and v.name not in target:
            found.append((holder_path + (name,), False))
        elif name not in holder and name in required:
            found.append((holder_path + (name,), True))
    if found:
        return found
    for depth in range(len(holder_path) - 1, 2, -1):
        path = holder_path[:depth]
        if isinstance(path[-1], int):
            continue
        outer = _holder(doc, path)
        if isinstance(outer, dict) and v.name not in outer and schemas.accepts(v.type_name, schemas.schema_at(v.type_name, path), v.name):
            return [(path, False)]
    return []


class UnsupportedProperty(Fixer):
    name = "unsupported-property"
    summary = "Move properties a resource does not accept to where its schema accepts them, else remove them (E3002)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ('E3002',)
    default = False
    docs = """
    ## What it detects
    A resource property, at any depth, that the resource type's schema (as shipped with cfn-lint,
    `$ref`/`definitions` resolved) does not accept and that is not a near miss of an accepted name
    (those are `property-name`'s). cfn-lint reports these as E3002.

    ## Why it matters
    CloudFormation refuses the stack operation (`Encountered unsupported property ...`).

    ## How it decides
    - **Moved**, value kept, when exactly one place accepts it: an object-valued sibling property
      (Route 53 `ResourcePath`, `Port`, `Type`... written beside `HealthCheckConfig` instead of
      inside it: the keys are gathered into a new `HealthCheckConfig` when together they hold
      everything it requires) or the nearest enclosing object (CloudFront `Tags` written inside
      `DistributionConfig` belong to the distribution itself).
    - **Removed** otherwise, its text quoted in the change log so nothing is lost. Known
      misconceptions say what to use instead: S3 `CloudWatchConfigurations` (S3 has no such
      target; use `EventBridgeConfiguration` and a rule), `Tags` on a type that cannot be tagged,
      `DeregistrationDelay` on a target group (a `TargetGroupAttributes` key).

    Circulating advice is to delete whatever cfn-lint flags; moving first keeps the author's
    setting wherever the schema says where it belongs.

    ## Example
    ```yaml
    # before
    NotificationConfiguration:
      CloudWatchConfigurations:
        - Event: s3:ObjectCreated:*
    # after
    NotificationConfiguration: {}
    ```

    ## Fix safety
    Review: a removed property may have carried intent that now needs another form (see the
    change-log message); a moved one takes effect where it previously blocked the deploy.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        moves: dict[tuple, list[tuple[schemas.Violation, str]]] = {}
        for v in schemas.violations(doc):
            if v.kind != "unknown":
                continue
            head = f"E3002 {v.type_name}: '{v.name}' is not a property of {'/'.join(map(str, v.path[3:-1])) or 'the resource'}"
            target, _ = rename_target(doc, v)
            if target is not None:
                findings.append(Finding(v.resource, v.path, f"{head}; a rename to '{target}' is property-name's fix", fixable=False))
                continue
            places = [p for p in move_targets(doc, v) if schemas.shape_fits(v.root, schemas.schema_at(v.type_name, p[0] + (v.name,)), v.value)]
            if len(places) == 1:
                path, missing = places[0]
                if missing:
                    moves.setdefault(path, []).append((v, head))
                    continue
                findings.append(Finding(v.resource, v.path, f"{head}; it belongs in {'/'.join(map(str, path[3:])) or 'Properties'}", detail=path))
                continue
            findings.append(self._removal(v, head))
        removed_from = {f.path[:-1] for f in findings if f.fixable and f.detail is None}
        for path, group in moves.items():
            v0 = group[0][0]
            needed = set(schemas.schema_at(v0.type_name, path).get("required") or ())
            if path[:-1] in removed_from:
                # a sibling with no place (Route 53 `Config: {AlarmIdentifier}`) may hold part of the object:
                # neither moved nor removed
                for f in findings:
                    if f.path[:-1] == path[:-1] and f.detail is None:
                        f.fixable = False
                        f.message += f"; it may be part of {path[-1]}, left for a rebuild by hand"
                findings += [Finding(v.resource, v.path, f"{head}; it belongs in {path[-1]}, but other keys here "
                                     "have no place and may be part of it: rebuild it by hand", fixable=False) for v, head in group]
            elif needed <= {v.name for v, _ in group}:
                findings += [Finding(v.resource, v.path, f"{head}; it belongs in {'/'.join(map(str, path[3:]))}", detail=path) for v, head in group]
            else:
                findings += [self._removal(v, head) for v, head in group]
        return findings

    def _removal(self, v: schemas.Violation, head: str) -> Finding:
        advice = removal_advice(v)
        return Finding(v.resource, v.path, f"{head}; {advice}" if advice else f"{head}; the schema accepts no such property", detail=None)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        by_holder: dict[tuple, list[Finding]] = {}
        for f in findings:
            by_holder.setdefault(f.path[:-1], []).append(f)
        for holder_path, group in by_holder.items():
            holder = _holder(doc, holder_path)
            inside = all(f.detail is None or f.detail[: len(holder_path)] == holder_path for f in group)
            if len(group) == len(holder) and inside:
                # every key goes: rewrite the object whole, as removals and insertions into it would collide
                rebuilt: dict = {}
                for f in group:
                    if f.detail is not None:
                        rebuilt.setdefault(f.detail[len(holder_path)], {})[f.path[-1]] = holder[f.path[-1]]
                editor.set(holder_path, rebuilt)
            else:
                for f in group:
                    editor.remove(f.path)
                    if f.detail is not None:
                        editor.set(f.detail + (f.path[-1],), holder[f.path[-1]])
            for f in group:
                changes.append(self._logged(doc, f))
        return Fix.of(editor, changes)

    def _logged(self, doc: Document, f: Finding) -> Change:
        if f.detail is None:
            key, value = doc.node(f.path[:-1]).entry(f.path[-1])
            return self.change(f, "remove", doc.text[key.start:value.end], None, f.message)  # ``before`` keeps the text
        new_path = f.detail + (f.path[-1],)
        common = _common_prefix(f.path, new_path)
        return self.change(f, "move", list(f.path[len(common):]), list(new_path[len(common):]), f.message, path=common)


def _common_prefix(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
