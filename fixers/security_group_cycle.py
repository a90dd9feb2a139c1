"""Security groups that reference each other through inline rules: a cycle CloudFormation refuses."""

from __future__ import annotations

from typing import Any, Iterator

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import cheapest_cut, cycles, dependency_graph, edges

SG = "AWS::EC2::SecurityGroup"
_NOTIFICATION_GRANTS = ("AWS::Lambda::Permission", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")
RULE_LISTS = {"SecurityGroupIngress": "AWS::EC2::SecurityGroupIngress", "SecurityGroupEgress": "AWS::EC2::SecurityGroupEgress"}


def edge_kinds(resources: dict, graph: dict[str, set[str]]) -> dict[tuple[str, str], tuple[str, list[tuple]]]:
    """Edges one of the cycle fixers can cut, by owner, with the paths that make each edge.

    An edge belongs to a fixer only when every reference behind it sits where that fixer can
    move it: all in inline security group rules, all in a role's inline policy statements, or
    all in a bucket's ``NotificationConfiguration`` or its ``DependsOn`` on the permission a
    notification needs (both left to ``s3-notification-cycle``).
    """
    kinds: dict[tuple[str, str], tuple[str, list[tuple]]] = {}
    for source, targets in graph.items():
        rtype = resources[source].get("Type")
        for target in targets:
            paths = edges(resources, source, target)
            if not paths:
                continue
            if rtype == SG and all(len(p) > 2 and p[:2] in (("Properties", k) for k in RULE_LISTS) and isinstance(p[2], int) for p in paths):
                kinds[(source, target)] = ("sg-rule", paths)
            elif rtype == "AWS::IAM::Role" and all(
                len(p) > 5 and p[:2] == ("Properties", "Policies") and isinstance(p[2], int) and p[3:5] == ("PolicyDocument", "Statement")
                for p in paths
            ):
                kinds[(source, target)] = ("role-policy", paths)
            elif rtype == "AWS::S3::Bucket" and all(
                p[:2] == ("Properties", "NotificationConfiguration")
                or (p == ("DependsOn",) and resources[target].get("Type") in _NOTIFICATION_GRANTS)
                for p in paths
            ):
                kinds[(source, target)] = ("s3-notification", paths)
    return kinds


def owned_cycles(resources: dict, kind: str, owner_type: str, key) -> Iterator[tuple[list[str], list[str], dict, dict]]:
    """The cycles that edges of ``kind`` (a fixer's own) help close, among the edges only it may cut.

    Yields (cycle members, members of ``owner_type``, the cycle's subgraph, {edge: sorted
    ``key(path)`` of the references that make it}) for each cycle with an owner in it.
    """
    graph = dependency_graph(resources)
    kinds = edge_kinds(resources, graph)
    work = without(graph, {e for e, (k, _) in kinds.items() if k != kind})
    for component in cycles(work):
        owners = [r for r in component if resources[r].get("Type") == owner_type]
        if not owners:
            continue
        members = set(component)
        movable = {
            e: sorted({key(p) for p in paths}, key=str)
            for e, (k, paths) in kinds.items() if k == kind and e[0] in members and e[1] in members
        }
        yield component, owners, {n: work[n] & members for n in component}, movable


def without(graph: dict[str, set[str]], cut: set) -> dict[str, set[str]]:
    return {n: {m for m in deps if (n, m) not in cut} for n, deps in graph.items()}


class SecurityGroupCycle(Fixer):
    name = "security-group-cycle"
    summary = "Move the inline security group rules that close a dependency cycle into standalone rule resources"
    group = "deploy"
    safety = Safety.SAFE
    lint_rules = ('E3004',)
    default = True
    docs = """
    ## What it detects
    `AWS::EC2::SecurityGroup` resources that reference each other through inline
    `SecurityGroupIngress` / `SecurityGroupEgress` rules (`SourceSecurityGroupId: !Ref Other`,
    `DestinationSecurityGroupId: !GetAtt Other.GroupId`), directly (A ↔ B) or around a longer
    loop (A → B → C → A). cfn-lint reports these as E3004.

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
    The new rule resources keep the rule's protocol, ports, description and peer, take
    `GroupId: !GetAtt Group.GroupId` (right in default and non-default VPCs alike) and the
    owning group's `Condition`.

    ## Fix safety
    Safe: the same rules exist after deployment. A template with such a cycle never deployed,
    so no stack sees a rule removed and re-added.
    """

    def find(self, doc: Document) -> list[Finding]:
        resources = doc.resources
        findings = []
        for component, groups, sub, rules in owned_cycles(resources, "sg-rule", SG, lambda p: (p[1], p[2])):
            resource_path = ("Resources", groups[0])
            if not rules:
                findings.append(Finding(groups[0], resource_path, self._cycle_text(component) + " runs through no inline security group rule", fixable=False))
                continue
            cut = cheapest_cut(sub, list(rules), lambda s: self._cost(resources, rules, s))
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


def remove_items(editor: Editor, path: tuple, indices: list[int]) -> None:
    """Remove items of the sequence at ``path``; the key goes too when nothing is left."""
    items = editor.doc.value(path)
    if len(set(indices)) == len(items):
        editor.remove(path)
    else:
        for index in sorted(set(indices)):
            editor.remove(path + (index,))
