"""Launch templates, launch configurations and instances that still allow IMDSv1."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.schemas import is_intrinsic
from cfnfix.values import literal_choices

# type -> (path of the MetadataOptions' parent under the resource, what the change does to a deployed stack)
_TARGETS = {
    "AWS::EC2::LaunchTemplate": (
        ("Properties", "LaunchTemplateData"),
        "launch template requires IMDSv2 (Checkov CKV_AWS_79); the template gets a new version: instances "
        "launched from it afterwards refuse IMDSv1 calls, so software that still calls IMDSv1 without a token breaks",
    ),
    "AWS::AutoScaling::LaunchConfiguration": (
        ("Properties",),
        "launch configuration requires IMDSv2 (the requirement Checkov CKV_AWS_79 checks on launch templates); "
        "MetadataOptions cannot change in place, so CloudFormation replaces the launch configuration and the group's "
        "new instances refuse IMDSv1 calls: software that still calls IMDSv1 without a token breaks",
    ),
    "AWS::EC2::Instance": (
        ("Properties",),
        "instance requires IMDSv2 (the requirement Checkov CKV_AWS_79 checks on launch templates); updated without "
        "replacement, and from then on IMDSv1 calls on the instance fail: software that still calls IMDSv1 without "
        "a token breaks",
    ),
}


class Imdsv2(Fixer):
    name = "imdsv2"
    summary = "Require IMDSv2 (MetadataOptions HttpTokens: required) on launch templates, launch configurations and instances"
    group = "security"
    scanner_checks = ("CKV_AWS_79",)
    resource_types = tuple(_TARGETS)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    Checkov: `CKV_AWS_79`

    ## What it detects
    `AWS::EC2::LaunchTemplate` (in `LaunchTemplateData`), `AWS::AutoScaling::LaunchConfiguration`
    and `AWS::EC2::Instance` resources whose `MetadataOptions` do not set `HttpTokens: required`,
    so the instance metadata service still answers IMDSv1 requests (no session token). Left
    alone: metadata options with `HttpEndpoint: disabled` (no metadata service at all), instances
    launched from a launch template (`LaunchTemplate` set: the template is where the option
    belongs). Reported, not changed: an explicit `HttpTokens: optional` (someone chose IMDSv1)
    and a value computed by an intrinsic.

    `AWS::EC2::Instance` takes `MetadataOptions` directly (cfn-lint's schema lists the property,
    and it is updated without replacement), so no launch template is created for instances.

    ## Why it matters
    With IMDSv1 any server-side request forgery in software on the instance can read the
    instance role's credentials with a plain GET. IMDSv2 requires a session token obtained with
    a PUT, which such requests cannot make. Checkov checks launch templates (`CKV_AWS_79`).

    ## Example
    ```yaml
    # before
    LaunchTemplate:
      Type: AWS::EC2::LaunchTemplate
      Properties:
        LaunchTemplateData:
          ImageId: !Ref ImageId
    # after
    LaunchTemplate:
      Type: AWS::EC2::LaunchTemplate
      Properties:
        LaunchTemplateData:
          ImageId: !Ref ImageId
          MetadataOptions:
            HttpTokens: required
    ```
    The hop limit is left at its default (1). Containers that read the metadata service through
    a bridge network need `HttpPutResponseHopLimit: 2`; set it where that applies.

    ## Fix safety
    Review: software on the instances that still uses IMDSv1 (old SDKs and agents, scripts calling
    `curl http://169.254.169.254/...` without a token) stops getting metadata and credentials.
    A launch template gets a new version; a launch configuration is replaced (its properties
    cannot change in place); an instance is updated in place.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(*_TARGETS):
            parent_path, _ = _TARGETS[res["Type"]]
            parent: Any = res
            for key in parent_path:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, dict):
                continue
            if res["Type"] == "AWS::EC2::Instance" and "LaunchTemplate" in parent:
                continue
            path = ("Resources", rid) + parent_path + ("MetadataOptions",)
            options = parent.get("MetadataOptions")
            if options is None:
                findings.append(Finding(rid, path + ("HttpTokens",), "IMDSv1 allowed: no MetadataOptions", detail="required"))
                continue
            if not isinstance(options, dict) or is_intrinsic(options):
                findings.append(Finding(rid, path, "MetadataOptions are computed by an intrinsic; make sure they "
                                        "set HttpTokens: required", fixable=False))
                continue
            if options.get("HttpEndpoint") == "disabled":
                continue
            tokens = options.get("HttpTokens")
            if tokens == "required" or literal_choices(doc, tokens) == ["required"]:
                continue
            if tokens is None:
                findings.append(Finding(rid, path + ("HttpTokens",), "IMDSv1 allowed: MetadataOptions without HttpTokens",
                                        detail="required"))
            elif tokens == "optional":
                findings.append(Finding(rid, path + ("HttpTokens",), "HttpTokens is explicitly optional (IMDSv1 allowed); "
                                        "set it to required once the software on the instances uses IMDSv2", fixable=False))
            else:
                findings.append(Finding(rid, path + ("HttpTokens",), "HttpTokens is computed; make sure it resolves to "
                                        "required", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings, lambda f: _TARGETS[doc.resources[f.resource]["Type"]][1])
