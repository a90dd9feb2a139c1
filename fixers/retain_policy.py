"""Resources a test stack cannot delete: Retain/Snapshot policies and deletion protection."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.literals import intrinsic

POLICIES = ("DeletionPolicy", "UpdateReplacePolicy")
KEEPING = ("Retain", "Snapshot", "RetainExceptOnCreate")
ELB_ATTRIBUTE = "deletion_protection.enabled"

# type -> [(path under Properties, protected values, off value, default when absent is protected)]
_BOOL = ((True, "true", "True"), False)
PROTECTION: dict[str, list[tuple[tuple, tuple, Any, bool]]] = {
    "AWS::RDS::DBInstance": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::RDS::DBCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::RDS::GlobalCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::DocDB::DBCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::DocDB::GlobalCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::Neptune::DBCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::Neptune::GlobalCluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::NeptuneGraph::Graph": [(("DeletionProtection",), *_BOOL, True)],  # on unless set (schema)
    "AWS::QLDB::Ledger": [(("DeletionProtection",), *_BOOL, True)],  # on unless set (QLDB docs)
    "AWS::EKS::Cluster": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::DSQL::Cluster": [(("DeletionProtectionEnabled",), *_BOOL, False)],
    "AWS::DynamoDB::Table": [(("DeletionProtectionEnabled",), *_BOOL, False)],
    "AWS::Logs::LogGroup": [(("DeletionProtectionEnabled",), *_BOOL, False)],
    "AWS::EC2::Instance": [(("DisableApiTermination",), *_BOOL, False)],
    "AWS::EC2::LaunchTemplate": [(("LaunchTemplateData", "DisableApiTermination"), *_BOOL, False)],
    "AWS::CloudTrail::EventDataStore": [(("TerminationProtectionEnabled",), *_BOOL, True)],  # on unless set
    "AWS::CloudTrail::Dashboard": [(("TerminationProtectionEnabled",), *_BOOL, False)],
    "AWS::WellArchitected::AgentProfile": [(("DeletionProtection",), *_BOOL, False)],
    "AWS::Cognito::UserPool": [(("DeletionProtection",), ("ACTIVE",), "INACTIVE", False)],
    "AWS::OpenSearchServerless::Collection": [(("DeletionProtection",), ("ENABLED",), "DISABLED", False)],
    "AWS::VerifiedPermissions::PolicyStore": [(("DeletionProtection", "Mode"), ("ENABLED",), "DISABLED", False)],
    "AWS::AutoScaling::AutoScalingGroup": [(("DeletionProtection",), ("prevent-all-deletion", "prevent-force-deletion"), "none", False)],
    "AWS::AppConfig::Environment": [(("DeletionProtectionCheck",), ("APPLY",), "BYPASS", False)],
    "AWS::AppConfig::ConfigurationProfile": [(("DeletionProtectionCheck",), ("APPLY",), "BYPASS", False)],
}
for _t in ("NotifyConfiguration", "PhoneNumber", "Pool", "ProtectConfiguration", "RcsAgent", "SenderId"):
    PROTECTION[f"AWS::SMSVOICE::{_t}"] = [(("DeletionProtectionEnabled",), *_BOOL, False)]


def _is(value: Any, options: tuple) -> bool:
    return not isinstance(value, (dict, list)) and any(value == o and type(value) is type(o) for o in options)


def _computed(value: Any) -> str | None:
    """How an intrinsic value is written, for messages (None: not an intrinsic)."""
    call = intrinsic(value)
    if call is None:
        return None
    name, arg = call
    return f"!Ref {arg}" if name == "Ref" else name.replace("Fn::", "!")


class RetainPolicy(Fixer):
    name = "retain-policy"
    summary = "Let a test stack delete everything: Delete policies instead of Retain/Snapshot, deletion protection off"
    group = "qa"
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    - `DeletionPolicy` or `UpdateReplacePolicy` of `Retain`, `Snapshot` or `RetainExceptOnCreate`
      on any resource;
    - deletion protection of every kind, by the names the resource schemas use:
      `DeletionProtection` on RDS, DocDB and Neptune clusters and instances, global clusters,
      EKS clusters, QLDB ledgers and Neptune Analytics graphs; `DeletionProtectionEnabled` on
      DynamoDB tables, log groups, Aurora DSQL clusters and SMS voice resources;
      `DisableApiTermination` on EC2 instances and launch templates;
      `TerminationProtectionEnabled` on CloudTrail event data stores and dashboards;
      `DeletionProtection: ACTIVE` on Cognito user pools, `ENABLED` on OpenSearch Serverless
      collections and Verified Permissions policy stores (`Mode`), `prevent-*-deletion` on Auto
      Scaling groups, `DeletionProtectionCheck: APPLY` on AppConfig; and the load balancer
      attribute `deletion_protection.enabled` in `LoadBalancerAttributes`;
    - types whose protection is on unless the template turns it off: QLDB ledgers, Neptune
      Analytics graphs and CloudTrail event data stores.

    Values given by a parameter (`!Ref`) or computed (`!If`, ...) are reported, not changed: a
    parameter may be protecting production deployments of the same template. Pass `false` for
    it when deploying into a test account.

    ## Why it matters
    Templates from code generators are deployed into a shared test account, many side by side,
    and torn down afterwards. A retained bucket, table or log group survives the stack and
    collides with the next deployment's resource of the same name; a protected database makes
    the stack deletion fail and stay in `DELETE_FAILED`. Stacks in a test account must tear
    down completely. Do not run this fixer on templates meant for production.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBCluster
      DeletionPolicy: Snapshot
      UpdateReplacePolicy: Snapshot
      Properties:
        Engine: aurora-postgresql
        DeletionProtection: true
    # after
    Database:
      Type: AWS::RDS::DBCluster
      DeletionPolicy: Delete
      UpdateReplacePolicy: Delete
      Properties:
        Engine: aurora-postgresql
        DeletionProtection: false
    ```
    A bucket with `DeletionPolicy: Delete` still fails to delete while it holds objects; emptying
    it is the teardown's job (or a custom resource's), not this fixer's.

    ## Fix safety
    Review: deleting the stack (or replacing the resource) now deletes the data, without a
    final snapshot. That is the point in a test account and a loss anywhere else.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        for rid, res in doc.resources.items():
            if not isinstance(res, dict):
                continue
            for key in POLICIES:
                value = res.get(key)
                path = ("Resources", rid, key)
                if isinstance(value, str) and value in KEEPING:
                    findings.append(Finding(rid, path, f"{key} {value} keeps the resource (or a snapshot) after the stack is gone",
                                            detail=(value, "Delete")))
                elif isinstance(value, dict) and _computed(value):  # only a mapping is an intrinsic: no call for the rest
                    findings.append(Finding(rid, path, f"{key} is computed ({_computed(value)}); make sure it resolves to Delete "
                                            "in a test account", fixable=False))
            props = res.get("Properties")
            rtype = res.get("Type")
            if not isinstance(props, dict) or not isinstance(rtype, str):
                continue
            base = ("Resources", rid, "Properties")
            for sub_path, protected, off, on_by_default in PROTECTION.get(rtype, ()):
                findings.extend(self._protection(rid, base, props, sub_path, protected, off, on_by_default))
            if rtype == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                findings.extend(self._elb(rid, base, props))
            if rtype == "AWS::DynamoDB::GlobalTable" and isinstance(props.get("Replicas"), list):
                for i, replica in enumerate(props["Replicas"]):
                    if isinstance(replica, dict):
                        findings.extend(self._protection(rid, base + ("Replicas", i), replica,
                                                         ("DeletionProtectionEnabled",), *_BOOL, False))
        return findings

    def _protection(self, rid: str, base: tuple, props: dict, sub_path: tuple, protected: tuple, off: Any,
                    on_by_default: bool) -> list[Finding]:
        holder: Any = props
        for part in sub_path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or intrinsic(holder):
            return []
        key = sub_path[-1]
        path = base + sub_path
        value = holder.get(key)
        name = ".".join(sub_path)
        if value is None:
            if key in holder or not on_by_default:
                return []
            return [Finding(rid, path, f"{name} is on unless the template turns it off", detail=(None, off))]
        if _is(value, protected):
            return [Finding(rid, path, f"{name} is {_text(value)}: the stack cannot delete the resource", detail=(value, off))]
        if _computed(value):
            return [Finding(rid, path, f"{name} is computed ({_computed(value)}); pass {_text(off)} for it "
                            "when deploying into a test account", fixable=False)]
        return []

    def _elb(self, rid: str, base: tuple, props: dict) -> list[Finding]:
        attributes = props.get("LoadBalancerAttributes")
        if not isinstance(attributes, list):
            return []
        findings = []
        for i, attribute in enumerate(attributes):
            if not isinstance(attribute, dict) or attribute.get("Key") != ELB_ATTRIBUTE:
                continue
            value = attribute.get("Value")
            path = base + ("LoadBalancerAttributes", i, "Value")
            if _is(value, ("true", True, "True")):
                findings.append(Finding(rid, path, f"load balancer attribute {ELB_ATTRIBUTE} is true: the stack cannot delete it",
                                        detail=(value, "false" if isinstance(value, str) else False)))
            elif _computed(value):
                findings.append(Finding(rid, path, f"load balancer attribute {ELB_ATTRIBUTE} is computed ({_computed(value)}); "
                                        "pass false for it when deploying into a test account", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            before, after = f.detail
            with editor.finding(f):
                editor.set(f.path, after)
                if f.path[-1] in POLICIES:
                    message = f"{f.path[-1]} Delete: the stack's deletion deletes the resource and its data"
                    if before == "Snapshot":
                        message += ", without a final snapshot"
                else:
                    message = "deletion protection off: the stack's deletion deletes the resource and its data"
                changes.append(self.change(f, "add" if before is None else "replace", before, after, message))
        return Fix.of(editor, changes)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
