"""Resource types that do not exist (cfn-lint E3006) replaced by the real type plainly meant."""

from __future__ import annotations

import difflib
import re
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

_CLOSE = 0.9  # difflib ratio of a near spelling


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _parts(type_name: str) -> tuple[str, str]:
    """(service, resource) of ``AWS::Svc::Name``; ("", whole) when it has another shape."""
    bits = type_name.split("::")
    return (bits[1], bits[-1]) if len(bits) >= 3 else ("", type_name)


def fits(type_name: str, props: Any) -> bool:
    """Whether a resource's properties are all accepted by ``type_name`` and its required ones present."""
    names, required = schemas.property_names(type_name)
    if props is None:
        return not required
    if not isinstance(props, dict):
        return True  # an intrinsic or odd value: nothing to judge by
    return all(k in names for k in props) and all(r in props for r in required)


def candidates(type_name: str, props: Any) -> tuple[list[str], str, bool, list[str]]:
    """(real types meant, how they were found, whether the match is a spelling of the same name,
    the types the rule found before the properties were compared).

    Tried in order, the first rule that yields a type wins: the same name spelt with other case or
    punctuation; the same resource name in another service (``AWS::CloudWatch::LogGroup``); a
    name in the same service that ends with this one (``OriginAccessIdentity``); a near spelling.
    Each list keeps only the types that accept the resource's properties."""
    known = schemas.resource_types()
    norm = _norm(type_name)
    same = [t for t in known if _norm(t) == norm]
    if same:
        return same, "is the same name spelt as CloudFormation spells it", True, same
    service, res = _parts(type_name)
    rules = [
        ([t for t in known if _parts(t)[1].lower() == res.lower() and t.startswith("AWS::")],
         f"is the only resource named '{res}' whose properties match"),
        ([t for t in known if _parts(t)[0].lower() == service.lower() and _parts(t)[1].lower().endswith(res.lower())
          and _parts(t)[1].lower() != res.lower()],
         f"is the only {service} resource whose name ends in '{res}' and whose properties match"),
        (difflib.get_close_matches(type_name, known, n=5, cutoff=_CLOSE), "is a near spelling whose properties match"),
    ]
    for found, why in rules:
        if not res or not found:
            continue
        return [t for t in found if fits(t, props)], why, False, found
    return [], "", False, []


class ResourceType(Fixer):
    name = "resource-type"
    summary = "Replace resource types that do not exist with the real type plainly meant (E3006)"
    group = "schema"
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    Resources whose `Type` is not a resource type CloudFormation knows (cfn-lint E3006), judged
    against the resource schemas cfn-lint ships. `Custom::` types, SAM types and modules are
    left alone, and so are templates with a transform other than SAM's (a macro defines its own).

    ## Why it matters
    CloudFormation refuses the whole template (`Unrecognized resource types`): nothing deploys.

    ## How it decides
    The type is replaced when exactly one real type is plainly meant and accepts the resource's
    properties (every property name known to it, every property it requires present):
    - the same name spelt with other case or punctuation (`AWS::LambdaFunction`,
      `AWS::EC2::Security-Group`, `AWS::EC2::SubnetRouteTable Association`);
    - the same resource name in another service (`AWS::CloudWatch::LogGroup` is
      `AWS::Logs::LogGroup`);
    - the one resource of the same service whose name ends in the given one
      (`AWS::CloudFront::OriginAccessIdentity` is `AWS::CloudFront::CloudFrontOriginAccessIdentity`,
      `AWS::EC2::RouteTableAssociation` with `SubnetId` is `AWS::EC2::SubnetRouteTableAssociation`);
    - a near spelling (difflib ratio at least 0.9).

    Otherwise it is reported with the candidates, changing nothing: many invented types
    (`AWS::IAM::AccountPasswordPolicy`, `AWS::S3::BucketNotification`) have no resource
    counterpart and need a redesign, such as a property of another resource.

    ## Example
    ```yaml
    # before
    AppLogs:
      Type: AWS::CloudWatch::LogGroup
      Properties:
        RetentionInDays: 30
    # after
    AppLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        RetentionInDays: 30
    ```

    ## Fix safety
    A template with an unknown type deploys nothing, so no deployed resource changes. A type
    that only differs in spelling (case, punctuation, `::`) is `safe`: it is the same name. Any
    other match (another service, a longer name, a near spelling) is `review`: the fixer chose
    which resource gets created, and a person should confirm it is the one meant.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, type_name, res in schemas.judged_resources(doc):
            if schemas.resource_schema(type_name) is not None:
                continue
            found, why, spelling, near = candidates(type_name, res.get("Properties"))
            path = ("Resources", rid, "Type")
            if len(found) == 1:
                message = f"E3006 resource type '{type_name}' does not exist; '{found[0]}' {why}"
                findings.append(Finding(rid, path, message, detail=(found[0], spelling)))
                continue
            if found:
                hint = "candidates: " + ", ".join(f"'{t}'" for t in found) + "; set the one meant"
            elif near:
                hint = (("the nearest real types " if len(near) > 1 else "the nearest real type ")
                        + ", ".join(f"'{t}'" for t in near)
                        + (" do" if len(near) > 1 else " does") + " not accept its properties as written;"
                        " rename them or choose another type")
            else:
                hint = "no real type is plainly meant; use an existing type (or a property of another resource)"
            findings.append(Finding(rid, path, f"E3006 resource type '{type_name}' does not exist; {hint}", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            target, spelling = f.detail
            with editor.finding(f):
                editor.set(f.path, target)
                changes.append(self.change(f, "replace", doc.value(f.path), target, f.message,
                                           safety=Safety.SAFE if spelling else Safety.REVIEW))
        return Fix.of(editor, changes)
