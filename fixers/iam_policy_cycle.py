"""Role inline policies naming a resource that itself needs the role: a cycle CloudFormation refuses."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from cfnfix.shapes import mapping
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.cycles import document_graph, owned_cycles, reaches, remove_items
from cfnfix.graph import cheapest_cut, references

ROLE = "AWS::IAM::Role"
FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
# Resources whose creation already uses a function's permissions: custom resources invoke the
# function during the deployment; event source mappings are validated against the role.
_RUN_AT_CREATION = ("AWS::CloudFormation::CustomResource", "AWS::Lambda::EventSourceMapping")
# Instances (and what launches them) whose UserData runs at boot with an instance profile's role.
_BOOTS_WITH_PROFILE = ("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")
# Resources whose creation is checked against the role they are given.
_ROLE_CHECKED_AT_CREATION = ("AWS::KinesisFirehose::DeliveryStream",)


def _statement_key(path: tuple) -> tuple[int, int | None]:
    """(policy index, statement index) of a path inside Policies; None for a lone statement mapping."""
    return path[2], path[5] if isinstance(path[5], int) else None


def _moved_statements(statements: dict, cut: tuple) -> int:
    """How many statements cutting the edges ``cut`` moves (``statements``: edge -> statement keys)."""
    return len({(e[0],) + k for e in cut for k in statements[e]})


class IamPolicyCycle(Fixer):
    name = "iam-policy-cycle"
    summary = "Move role inline policy statements that close a dependency cycle into an AWS::IAM::Policy"
    group = "deploy"
    resource_types = (ROLE,)  # find() reports only resources of these types
    safety = Safety.SAFE
    lint_rules = ('E3004',)
    default = True
    docs = """
    ## What it detects
    An `AWS::IAM::Role` whose inline `Policies` name a resource (bucket, queue, table, key,
    domain, ...) whose own definition needs the role: a bucket's `ReplicationConfiguration.Role`,
    a KMS key or OpenSearch access policy naming the role as principal, a table's resource
    policy. cfn-lint reports E3004.

    ## Why it matters
    CloudFormation must create the role before the resource and the resource before the role:
    the stack is rejected with "Circular dependency between resources".

    ## Example
    ```yaml
    # before
    ReplicationRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: {...}
        Policies:
          - PolicyName: Replicate
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: s3:GetReplicationConfiguration
                  Resource: !GetAtt SourceBucket.Arn
    SourceBucket:
      Type: AWS::S3::Bucket
      Properties:
        ReplicationConfiguration:
          Role: !GetAtt ReplicationRole.Arn
          ...
    # after: the role keeps no inline policy; the statement moves to
    ReplicationRoleReplicate:
      Type: AWS::IAM::Policy
      Properties:
        PolicyName: ReplicationRoleReplicate
        Roles: [!Ref ReplicationRole]
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: s3:GetReplicationConfiguration
              Resource: !GetAtt SourceBucket.Arn
    ```

    ## How it decides
    Only the statements that reference a resource of the cycle move, and only as few as break
    every cycle; the rest of each inline policy stays. The new policy gets a name of its own:
    reusing the inline policy's name would make two resources write one role policy. Resources
    that use the role's permissions while the stack is being created get `DependsOn` on the new
    policy: custom resources and event source mappings served by a function with that role,
    Firehose delivery streams given the role, EC2 instances, launch templates and launch
    configurations with `UserData` whose instance profile holds the role (the boot script runs
    with the role's permissions as soon as the instance starts; an Auto Scaling group waits
    through its launch template), and ECS task definitions whose task or execution role it is
    (the service starts tasks as soon as it is created, and the service waits through its task
    definition); `DependsOn` is not added where it would create a new cycle. Cycles that only an S3 `NotificationConfiguration` closes are left to
    `s3-notification-cycle`, cycles through inline security group rules to
    `security-group-cycle`; a cycle that no role policy statement closes (a function and a
    state machine naming each other) is reported.

    A common hand correction replaces the reference with a constructed ARN
    (`arn:aws:s3:::${AWS::StackName}-bucket`); that silently breaks when the resource's name
    changes and needs the name to be set explicitly. A separate policy keeps the reference.

    ## Fix safety
    Safe: the role ends up with the same permissions. The template could never deploy with the
    cycle, so no running stack sees the permissions move.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for component, roles, sub, statements in owned_cycles(doc, "role-policy", ROLE, _statement_key):
            text = "dependency cycle between " + ", ".join(component)
            cut = cheapest_cut(sub, list(statements), partial(_moved_statements, statements)) if statements else None
            if cut is None:
                findings.append(Finding(roles[0], ("Resources", roles[0]), text + " is not closed by role inline policy statements alone", fixable=False))
                continue
            moves: dict[str, set] = {}
            for edge in cut:
                moves.setdefault(edge[0], set()).update(statements[edge])
            for role in sorted(moves):
                targets = sorted(t for (s, t) in cut if s == role)
                findings.append(Finding(
                    role, ("Resources", role, "Properties", "Policies"),
                    f"{text}: the inline policy of {role} names {', '.join(targets)}",
                    detail=sorted(moves[role], key=str)))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        graph = document_graph(doc)
        depends: dict[str, list[str]] = {}
        for finding in findings:
            role = finding.resource
            if role is None:
                continue  # find names the role of every finding
            policies = doc.resources[role]["Properties"]["Policies"]
            by_policy: dict[int, list[int]] = {}
            for policy_index, statement_index in finding.detail:
                indices = by_policy.setdefault(policy_index, [])
                if statement_index is not None:  # None: the policy's one statement, written as a mapping
                    indices.append(statement_index)
            emptied = []
            for policy_index, indices in sorted(by_policy.items()):
                policy = policies[policy_index]
                document = policy["PolicyDocument"]
                listed = isinstance(document["Statement"], list)
                moved = [document["Statement"][i] for i in indices] if listed else [document["Statement"]]
                name = policy.get("PolicyName")
                base = f"{role}{re.sub(r'[^A-Za-z0-9]', '', name) if isinstance(name, str) else ''}" or role
                new_id = editor.unique_id(base if base != role else f"{role}Policy")
                new_document = {k: v for k, v in document.items() if k != "Statement"}
                new_document["Statement"] = moved
                body: dict[str, Any] = {"Type": "AWS::IAM::Policy"}
                if doc.resources[role].get("Condition") is not None:
                    body["Condition"] = doc.resources[role]["Condition"]
                body["Properties"] = {"PolicyName": new_id, "Roles": [{"Ref": role}], "PolicyDocument": new_document}
                editor.set(("Resources", new_id), body)
                statement_path = ("Resources", role, "Properties", "Policies", policy_index, "PolicyDocument", "Statement")
                if listed and len(indices) < len(document["Statement"]):
                    remove_items(editor, statement_path, indices)
                    for i in indices:
                        changes.append(self.change(finding, "move", document["Statement"][i], new_id,
                                                   f"{finding.message}; statement moved to policy {new_id}", path=statement_path + (i,)))
                else:
                    emptied.append(policy_index)
                    changes.append(self.change(finding, "move", policy, new_id,
                                               f"{finding.message}; every statement of this policy moved to policy {new_id}",
                                               path=statement_path[:5]))
                changes.append(self.change(finding, "add", None, body, f"policy of {role} created after the resources it names", path=("Resources", new_id)))
                for consumer in self._consumers(doc.resources, role):
                    if not reaches(graph, [role] + [n for n, _ in references(body)], consumer):
                        depends.setdefault(consumer, []).append(new_id)
            if emptied:
                remove_items(editor, ("Resources", role, "Properties", "Policies"), emptied)
        for consumer, new_ids in sorted(depends.items()):
            changes.extend(self._add_depends_on(doc, editor, consumer, new_ids, findings[0]))
        return Fix.of(editor, changes)

    def _add_depends_on(self, doc: Document, editor: Editor, consumer: str, new_ids: list[str], finding: Finding) -> list:
        current = doc.resources[consumer].get("DependsOn")
        if current is not None and not isinstance(current, (str, list)):
            return []  # not a DependsOn CloudFormation reads (`true`, a mapping): nothing to add the policy to
        path = ("Resources", consumer, "DependsOn")
        owner = Finding(consumer, path, finding.message)
        rtype = doc.resources[consumer].get("Type")
        if rtype in _BOOTS_WITH_PROFILE:
            message = "its UserData runs at boot with the role's permissions (instance profile), so it waits for the moved policy"
        elif rtype == "AWS::ECS::TaskDefinition":
            message = "its tasks start with the role's permissions as soon as a service runs them, so it waits for the moved policy"
        else:
            message = "uses the role's permissions while the stack is created, so it waits for the moved policy"
        if current is None:
            value: Any = new_ids[0] if len(new_ids) == 1 else new_ids
            editor.set(path, value)
            return [self.change(owner, "add", None, value, message)]
        node = doc.node(path)
        if isinstance(current, list) and node is not None and node.kind == "seq" and current:
            for new_id in new_ids:
                editor.append(path, new_id)
            return [self.change(owner, "add", None, new_id, message, path=path + (len(current) + i,)) for i, new_id in enumerate(new_ids)]
        value = ([current] if isinstance(current, str) else list(current)) + new_ids
        editor.set(path, value)
        return [self.change(owner, "replace", current, value, message)]

    @staticmethod
    def _consumers(resources: dict, role: str) -> list[str]:
        """Resources that need ``role``'s permissions during the deployment itself."""
        def names(value: Any) -> set[str]:
            return {n for n, _ in references(value)}

        functions = {
            name for name, res in resources.items()
            if isinstance(res, dict) and res.get("Type") in FUNCTIONS
            and role in names(mapping(res.get("Properties")).get("Role"))
        }
        profiles = {
            name for name, res in resources.items()
            if isinstance(res, dict) and res.get("Type") == "AWS::IAM::InstanceProfile"
            and isinstance(res.get("Properties"), dict) and role in names(res["Properties"].get("Roles"))
        }
        found = []
        for name, res in resources.items():
            if not isinstance(res, dict):
                continue
            rtype, props = res.get("Type", ""), res.get("Properties", {})
            if not isinstance(props, dict) or not isinstance(rtype, str):
                continue
            if rtype in _BOOTS_WITH_PROFILE:
                data = props.get("LaunchTemplateData") if rtype == "AWS::EC2::LaunchTemplate" else props
                if isinstance(data, dict) and data.get("UserData") is not None and names(data.get("IamInstanceProfile")) & profiles:
                    found.append(name)
            elif rtype == "AWS::ECS::TaskDefinition" and role in names([props.get("TaskRoleArn"), props.get("ExecutionRoleArn")]):
                found.append(name)
            elif rtype in _ROLE_CHECKED_AT_CREATION and role in names(props):
                found.append(name)
            elif (rtype in _RUN_AT_CREATION or rtype.startswith("Custom::")) and names(
                    props.get("ServiceToken") if rtype != "AWS::Lambda::EventSourceMapping" else props.get("FunctionName")) & functions:
                found.append(name)
        return sorted(found)
