"""ARNs that spell out the `aws` partition, which breaks a template in GovCloud and China."""

from __future__ import annotations

import re

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.literals import StringSite, set_sub, string_sites, template_of, value_of
from cfnfix.memo import entrywise
from cfnfix.text_checks import entry_check, may_write

LITERAL = "arn:aws:"
ARN = re.compile(re.escape(LITERAL))  # a plain word: it matches where the text holds LITERAL
PORTABLE = "arn:${AWS::Partition}:"
# not ARNs a deployment uses: prose, and code whose text is the function's own business
SKIPPED_KEYS = ("Description", "ZipFile", "InlineCode", "Metadata")


def _arn_sites(key: tuple[str, str], body: object) -> list[tuple[StringSite, int]]:
    """(site, how many ARNs it writes) of the strings of a resource's ``Properties`` or an
    output's ``Value`` and ``Export`` that spell out the partition. It depends on the body alone,
    so a body a fix left alone keeps its sites (``memo.entrywise``): round two of the engine runs
    this fixer again after most fixes."""
    section, name = key
    found: list[tuple[StringSite, int]] = []
    if not isinstance(body, dict):
        return found
    for part in ("Properties",) if section == "Resources" else ("Value", "Export"):
        if part in body:
            for site in string_sites(body[part], (section, name, part), SKIPPED_KEYS, containing=LITERAL):
                found.append((site, len(ARN.findall(site.text))))
    return found


class HardcodedPartition(Fixer):
    name = "hardcoded-partition"
    summary = "Write ARNs with ${AWS::Partition} instead of a literal arn:aws:"
    group = "deploy"
    safety = Safety.SAFE
    default = False
    docs = """
    ## What it detects
    Literal `arn:aws:` in resource properties and output values: in plain strings, in
    `Fn::Sub` templates, and in strings inside `Fn::Join`, `Fn::If`, `Fn::Select` and
    `Fn::Split`. AWS-managed policy ARNs (`arn:aws:iam::aws:policy/...`) are included: in
    GovCloud and China they live in those partitions too.

    Left alone: `Description` texts, `Metadata` (of the template and of resources), inline
    Lambda code (`ZipFile`, `InlineCode`: the code's strings are the code's business), and
    `Mappings`, `Parameters` and `Conditions`, where `Fn::Sub` is not allowed. ARNs already
    in another partition (`arn:aws-cn:`, `arn:aws-us-gov:`) are left as they are.

    ## Why it matters
    The partition is `aws-us-gov` in GovCloud and `aws-cn` in the China regions; a template that
    writes `arn:aws:` out fails there (policies that never match, "invalid ARN" errors). The
    `AWS::Partition` pseudo parameter gives the right one in every region.

    ## Example
    ```yaml
    # before
    ManagedPolicyArns:
      - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
    Resource: !Sub arn:aws:s3:::${Bucket}/*
    # after
    ManagedPolicyArns:
      - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
    Resource: !Sub arn:${AWS::Partition}:s3:::${Bucket}/*
    ```
    A plain string that holds `${...}` text (an IAM policy variable such as `${aws:username}`)
    keeps it literally: it is escaped as `${!aws:username}` inside the new `Fn::Sub`.

    ## Fix safety
    Safe: in the `aws` partition every rewritten string resolves to the same text, so a deployed
    stack sees no change.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        if not may_write(doc.text, LITERAL):
            return findings  # no string can hold it
        entries = [(("Resources", rid), res) for rid, res in doc.resources.items()]
        outputs = doc.data.get("Outputs") if isinstance(doc.data, dict) else None
        if isinstance(outputs, dict):
            entries += [(("Outputs", oid), out) for oid, out in outputs.items()]
        may_hold = entry_check(doc, LITERAL)  # an entry whose text does not write it has no site: no walk
        sites = entrywise("hardcoded-partition.sites", entries,
                          lambda key, body: _arn_sites(key, body) if may_hold(key) else [])
        for ((section, name), _), found in zip(entries, sites):
            for site, count in found:
                what = "ARN" if count == 1 else f"{count} ARNs"
                findings.append(Finding(name if section == "Resources" else None, site.path,
                                        f"{what} with a literal aws partition", detail=site))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            site = f.detail
            template = ARN.sub(lambda _: PORTABLE, template_of(site))
            with editor.finding(f):
                set_sub(editor, site, template)
                changes.append(self.change(f, "replace", value_of(site), {"Fn::Sub": template},
                                           "partition from AWS::Partition, so the ARN is right in every partition"))
        return Fix.of(editor, changes)
