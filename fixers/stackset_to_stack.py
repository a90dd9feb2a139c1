"""A StackSet whose template is at hand, inlined for a single-account test deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.config import project_root
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.inline_stack import STACK_SET, Flattener, Wording, inline_findings, inline_fix

WORDS = Wording(thing="stack set", things="stack sets", not_done="stack sets not inlined",
                result="this stack", resource="StackSet")


def remote(url: Any) -> bool:
    """A TemplateURL that names no local file: an S3/HTTPS URL, or an expression."""
    if not isinstance(url, str):
        return True
    return "://" in url and not url.startswith("file://")


class StacksetToStack(Fixer):
    name = "stackset-to-stack"
    summary = "Inline an AWS::CloudFormation::StackSet's template (TemplateBody or a local file) for a single-account deploy"
    group = "qa"
    resource_types = (STACK_SET,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `AWS::CloudFormation::StackSet` resources whose template is inline (`TemplateBody`) or a
    local file (a `TemplateURL` that is a relative or absolute path, or `file://`).

    ## Why it matters
    A stack set deploys its template into other accounts and regions, through an administration
    role, an execution role in every target, or AWS Organizations trusted access. A shared test
    account has none of that: the stack fails before its own resources are tested, and the
    stack set's resources are never exercised. For a single-account test deploy the stack set's
    resources belong in the stack itself.

    ## What the fix does
    The StackSet resource is replaced, where it stood, by the resources of its template, their
    ids prefixed with the StackSet's id (`CrossAccountRoles` + `Role` -> `CrossAccountRolesRole`),
    exactly as `flatten-nested-stacks` inlines a nested stack: the StackSet's `Parameters`
    (`ParameterKey`/`ParameterValue`) become the values of the child's parameters, else their
    `Default`; `Ref`, `GetAtt`, `Sub`, `DependsOn`, conditions and mappings are renamed; the
    child's conditions, mappings and exported outputs are added. The template is edited in
    place. `StackSetName`, `PermissionModel`, `StackInstancesGroup`, `AutoDeployment`,
    `Capabilities`, `OperationPreferences` and the other stack set settings have no equivalent
    in one stack and are dropped, named in the change log.

    Reported, and nothing changed: a StackSet whose `TemplateURL` is an S3 or HTTPS URL or an
    expression (download it and point `TemplateURL` at the file), a child parameter without a
    value, and the other conditions `flatten-nested-stacks` reports.

    ## Example
    ```yaml
    # before
    Roles:
      Type: AWS::CloudFormation::StackSet
      Properties:
        StackSetName: roles
        PermissionModel: SERVICE_MANAGED
        Parameters:
          - {ParameterKey: Environment, ParameterValue: test}
        TemplateBody: |
          Parameters:
            Environment: {Type: String}
          Resources:
            Topic:
              Type: AWS::SNS::Topic
              Properties: {TopicName: !Sub 'alerts-${Environment}'}
    # after
    RolesTopic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: alerts-test
    ```

    ## Fix safety
    Review: the resources are created in this account and region only, instead of in every
    stack instance; names that the template builds from `AWS::AccountId`, `AWS::Region` or
    `AWS::StackName` now take this stack's values. It is meant for a test deploy, not for the
    template that goes to production.
    """

    def find(self, doc: Document) -> list[Finding]:
        sets = [rid for rid, _ in doc.resources_of_type(STACK_SET)]
        if not sets:
            return []
        far = []
        for rid in sets:
            props = doc.resources[rid].get("Properties")
            props = props if isinstance(props, dict) else {}
            if not isinstance(props.get("TemplateBody"), str) and remote(props.get("TemplateURL")):
                far.append(rid)
        if far:
            return [Finding(rid, ("Resources", rid),
                            f"{WORDS.not_done}: " + (f"{rid} has its template at a remote TemplateURL; download it and "
                                                     "point TemplateURL at the file" if rid in far else
                                                     f"they are inlined together and {', '.join(far)} has a remote template"),
                            fixable=False) for rid in sets]
        source = Path(self.source_path) if self.source_path else None
        base = source.parent if source else Path.cwd()
        flattener = Flattener({}, base, (project_root(base),), source)  # local templates only from the project
        return inline_findings(doc, sets, flattener, base, types=(STACK_SET,), words=WORDS)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return inline_fix(self, doc, findings, WORDS)
