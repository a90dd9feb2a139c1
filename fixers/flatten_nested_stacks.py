"""Nested stacks inlined into one template, for deploys where uploading children first is friction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.config import project_root
from cfnfix.document import Document
from cfnfix.edits import EditConflict, apply_edits
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
    resource_types = (STACK,)  # find() reports only resources of these types
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
        flattener = Flattener(self.config["templates"], base, allowed, source)
        findings = inline_findings(doc, stacks, flattener, base, chain)
        if not all(f.fixable for f in findings):
            return findings
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
        return inline_fix(self, doc, findings)
