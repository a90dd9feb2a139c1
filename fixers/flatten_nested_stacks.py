"""Nested stacks inlined into one template, for deploys where uploading children first is friction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.inline_stack import STACK, Flattener, inline_findings, inline_fix


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
    )
    docs = """
    ## What it detects
    `AWS::CloudFormation::Stack` resources whose child template is a local file: a relative or
    absolute path (what `aws cloudformation package` accepts), a `file://` URL, or an S3/HTTPS
    URL whose key ends in a path found beside the parent (`https://bucket.s3.amazonaws.com/nested/net.yaml`
    finds `nested/net.yaml`, else `net.yaml`). A `Ref` to a parameter uses its `Default`; in
    `Fn::Sub`/`Fn::Join` URLs only the literal tail counts. The `templates` option names files
    for anything else.

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
    (`!GetAtt Net.Outputs.VpcId`, `${Net.Outputs.VpcId}`) become the output's value. Child
    conditions, mappings and rules are added with prefixed names, exported outputs are kept,
    `Transform`s are merged, `Metadata` keys the parent lacks are added (not the child's
    `AWS::CloudFormation::Interface`, whose parameters are gone). The Stack's own `Condition`
    and `DependsOn` move to every inlined resource.

    Nothing is written, and the problem is reported, when: a child file cannot be found or
    parsed, or a child parameter has no value (exit status 2 for that file); a child output the
    parent uses does not exist; the parent uses `Ref` of a stack (its id); a child condition would
    depend on a resource attribute once parameters are substituted; two templates use one macro
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
        base = Path(self.source_path).parent if self.source_path else Path.cwd()
        return inline_findings(doc, stacks, Flattener(self.config["templates"], base), base)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return inline_fix(self, doc, findings)
