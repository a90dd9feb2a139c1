"""Security groups that reference each other through inline rules: a cycle CloudFormation refuses."""

from __future__ import annotations

from functools import partial
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.cycles import RULE_LISTS, SG, owned_cycles, remove_items
from cfnfix.graph import cheapest_cut, references

class SecurityGroupCycle(Fixer):
    name = "security-group-cycle"
    summary = "Move the inline security group rules that close a dependency cycle into standalone rule resources"
    group = "deploy"
    resource_types = (SG,)  # find() reports only resources of these types
    safety = Safety.SAFE
    lint_rules = ('E3004',)
    default = True
    docs = """
    ## What it detects
    `AWS::EC2::SecurityGroup` resources that reference each other through inline
    `SecurityGroupIngress` / `SecurityGroupEgress` rules (`SourceSecurityGroupId: !Ref Other`,
    `DestinationSecurityGroupId: !GetAtt Other.GroupId`), directly (A ↔ B) or around a longer
    loop (A → B → C → A), or that references itself in its own inline rules
    (`SourceSecurityGroupId: !Ref AppSG` inside `AppSG`: members of the group may talk to each
    other). cfn-lint reports these as E3004.

    ## Why it matters
    Each group needs the other's id before it can be created, so CloudFormation rejects the
    template with "Circular dependency between resources" and nothing is deployed.

    ## Example
    ```yaml
    # before
    AppSG:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: app
        SecurityGroupIngress:
          - {IpProtocol: tcp, FromPort: 80, ToPort: 80, SourceSecurityGroupId: !Ref AlbSG}
    AlbSG:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: alb
        SecurityGroupEgress:
          - {IpProtocol: tcp, FromPort: 80, ToPort: 80, DestinationSecurityGroupId: !Ref AppSG}
    # after: AppSG loses its inline rule, which becomes
    AppSGIngressFromAlbSG:
      Type: AWS::EC2::SecurityGroupIngress
      Properties:
        GroupId: !GetAtt AppSG.GroupId
        IpProtocol: tcp
        FromPort: 80
        ToPort: 80
        SourceSecurityGroupId: !Ref AlbSG
    ```

    ## How it decides
    Among the rules that close cycles it moves the fewest that break every cycle (checking every
    combination, so a three-group loop loses one rule, not three). Ingress rules are preferred:
    moving a group's last inline egress rule out would bring back the default allow-all egress
    rule, so such a move is never chosen; when nothing else breaks the cycle it is reported
    instead. Cycles that also run through other resources are fixed only when moving rules
    breaks them; edges through an S3 `NotificationConfiguration` are left to
    `s3-notification-cycle` and edges through a role's inline policy to `iam-policy-cycle`.
    A rule naming its own group always moves (its new resource is `<Group>IngressFromSelf` /
    `<Group>EgressToSelf`), unless it is the group's last inline egress rule, which is reported.
    The new rule resources keep the rule's protocol, ports, description and peer, take
    `GroupId: !GetAtt Group.GroupId` (right in default and non-default VPCs alike) and the
    owning group's `Condition`.

    ## Fix safety
    Safe: the same rules exist after deployment. A template with such a cycle never deployed,
    so no stack sees a rule removed and re-added.
    """

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        findings: list[Finding] = []
        for component, groups, sub, rules in owned_cycles(doc, "sg-rule", SG, lambda p: (p[1], p[2])):
            resource_path = ("Resources", groups[0])
            if not rules:
                findings.append(Finding(groups[0], resource_path, self._cycle_text(component) + " runs through no inline security group rule", fixable=False))
                continue
            cut = cheapest_cut(sub, list(rules), partial(self._cost, resources, rules))
            if cut is None:
                findings.append(Finding(groups[0], resource_path, self._cycle_text(component) + " cannot be broken by moving inline security group rules", fixable=False))
                continue
            moves = sorted({(e[0], list_name, index, e[1]) for e in cut for list_name, index in rules[e]})
            if self._cost(resources, rules, tuple(cut))[0]:
                findings.append(Finding(
                    groups[0], resource_path,
                    self._cycle_text(component) + " can only be broken by moving a group's last inline egress rule, "
                    "which would restore the default allow-all egress; move it by hand and keep an explicit egress rule",
                    fixable=False))
                continue
            findings.append(Finding(groups[0], resource_path, self._cycle_text(component) + " through inline rules", detail=moves))
        return self._self_references(doc, findings)

    def _self_references(self, doc: Document, findings: list[Finding]) -> list[Finding]:
        """Groups naming themselves in their own inline rules (``SourceSecurityGroupId: !Ref Self``):
        CloudFormation needs the group's id to create it, a circular dependency (E3004). Their
        rules join the group's cycle finding when it has one (one removal per rule list)."""
        by_group = {move[0]: f for f in findings if f.fixable and f.detail for move in f.detail}
        for gid, res in doc.resources_of_type(SG):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            own = []
            for list_name in RULE_LISTS:
                rules = props.get(list_name)
                for i, rule in enumerate(rules if isinstance(rules, list) else []):
                    if gid in {name for name, _ in references(rule)}:
                        own.append((gid, list_name, i, "Self"))
            if not own:
                continue
            message = f"security group {gid} refers to itself in its inline rules, a circular dependency"
            finding = by_group.get(gid)
            moves = sorted(set(own) | {m for m in (finding.detail if finding else []) if m[0] == gid})
            egress = props.get("SecurityGroupEgress")
            if isinstance(egress, list) and egress and len([m for m in moves if m[1] == "SecurityGroupEgress"]) == len(egress):
                findings.append(Finding(gid, ("Resources", gid), f"{message}; moving its last inline egress rule out would "
                                        "restore the default allow-all egress: move it by hand and keep an explicit egress rule",
                                        fixable=False))
                continue
            if finding is not None:
                finding.detail = sorted(set(finding.detail) | set(own))
                finding.message += f"; {gid} also refers to itself"
            else:
                findings.append(Finding(gid, ("Resources", gid), message, detail=own))
        return findings

    @staticmethod
    def _cycle_text(component: list[str]) -> str:
        return "dependency cycle between " + ", ".join(component)

    @staticmethod
    def _cost(resources: dict, rules: dict, subset: tuple) -> tuple[int, int, int]:
        """(groups left without inline egress, rules moved, egress rules moved)."""
        moved: dict[str, set] = {}
        for edge in subset:
            for list_name, index in rules[edge]:
                moved.setdefault(edge[0], set()).add((list_name, index))
        emptied = 0
        for group, items in moved.items():
            egress = resources[group].get("Properties", {}).get("SecurityGroupEgress")
            if isinstance(egress, list) and egress and all(("SecurityGroupEgress", i) in items for i in range(len(egress))):
                emptied += 1
        total = sum(len(items) for items in moved.values())
        egress_moved = sum(1 for items in moved.values() for name, _ in items if name == "SecurityGroupEgress")
        return emptied, total, egress_moved

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for finding in findings:
            by_list: dict[tuple[str, str], list[int]] = {}
            for group, list_name, index, peer in finding.detail:
                by_list.setdefault((group, list_name), []).append(index)
                rule = doc.resources[group]["Properties"][list_name][index]
                body: dict[str, Any] = {"Type": RULE_LISTS[list_name]}
                condition = doc.resources[group].get("Condition")
                if condition is not None:
                    body["Condition"] = condition
                body["Properties"] = {"GroupId": {"Fn::GetAtt": [group, "GroupId"]}, **rule}
                direction = "IngressFrom" if list_name == "SecurityGroupIngress" else "EgressTo"
                new_id = editor.add_resource(f"{group}{direction}{peer}", body)
                owner = Finding(group, ("Resources", group, "Properties", list_name, index), finding.message)
                changes.append(self.change(owner, "move", rule, new_id, f"{finding.message}: rule moved to {new_id}"))
                changes.append(self.change(owner, "add", None, body, f"standalone rule of {group} that breaks the cycle", path=("Resources", new_id)))
            for (group, list_name), indices in by_list.items():
                remove_items(editor, ("Resources", group, "Properties", list_name), indices)
        return Fix.of(editor, changes)

