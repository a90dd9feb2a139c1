"""Dependency cycles broken by naming a resource instead of referencing it (cfn-lint E3004)."""

from __future__ import annotations

from cfnfix import built_names, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.cycles import document_cycles, document_graph, document_index
from cfnfix.graph import cheapest_cut, edges

_HINTS = {
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBCluster"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBInstance"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
}


class ReferenceCycle(Fixer):
    name = "reference-cycle"
    summary = "Break dependency cycles by naming a resource (built ARN or name) instead of referencing it (E3004)"
    group = "deploy"
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    Resources that need each other (cfn-lint E3004) where one of the references in the cycle
    points at a resource whose physical name the template fixes: a state machine with a
    `StateMachineName`, a function with a `FunctionName`, a user with a `UserName`, a topic,
    queue, log group, bucket, table or role with its name set (as text, `Fn::Sub` or a
    parameter). The cycles the other fixers leave: a function whose environment names the state
    machine that invokes it, a log group named after the function that depends on it, a secret
    holding the name of the user whose policy reads the secret.

    ## Why it matters
    CloudFormation must create each resource of the cycle before the others: it rejects the
    stack with "Circular dependency between resources".

    ## What it changes
    The fewest references that break the cycle are replaced by the value CloudFormation would
    have returned, built from the name: `!Ref LambdaFunction` in
    `!Sub /aws/lambda/${LambdaFunction}` becomes the function's name
    (`/aws/lambda/prod-app-processor`), `!Ref StateMachine` becomes
    `!Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:<name>`
    (the pattern CDK and the AWS documentation use for log groups and state machine ARNs).

    Cycles with no such reference are reported with what the resources are; a secret that
    holds a database's endpoint is reported with the documented alternative
    (`AWS::SecretsManager::SecretTargetAttachment`).

    ## Example
    ```yaml
    # before
    LambdaLogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: !Sub /aws/lambda/${LambdaFunction}
    LambdaFunction:
      Type: AWS::Lambda::Function
      DependsOn: LambdaLogGroup
      Properties:
        FunctionName: prod-app-processor
    # after
    LambdaLogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /aws/lambda/prod-app-processor
    ```

    ## Fix safety
    Review: every value is the one CloudFormation would have resolved, but the referring
    resource no longer waits for the named one, so the creation order changes (the log group
    now exists before the function, the function may be created before its state machine).
    """

    def find(self, doc: Document) -> list[Finding]:
        if schemas.rewritten_by_transform(doc.data):
            return []
        resources = doc.resources
        graph = document_graph(doc)
        index = document_index(doc)
        findings = []
        for rid, res in resources.items():
            if isinstance(res, dict) and edges(resources, rid, rid, index):
                findings.append(Finding(rid, ("Resources", rid), f"E3004 {rid} refers to itself; a resource cannot use "
                                        "its own name or attributes in its definition: write the value out", fixable=False))
        for comp in document_cycles(doc):
            members = set(comp)
            sites: dict[tuple[str, str], list] = {}
            for x in comp:
                for t in sorted(graph[x] & members):
                    found = built_names.sites(doc, x, t)
                    if found:
                        sites[(x, t)] = found
            path = ("Resources", comp[0])
            kinds = ", ".join(f"{n} ({resources[n].get('Type')})" for n in comp)
            within = {n: graph[n] & members for n in comp}  # other cycles are judged on their own
            cut = cheapest_cut(within, list(sites), lambda s: sum(len(sites[e]) for e in s)) if sites else None
            if cut is None:
                hint = next((h for (a, b), h in _HINTS.items() if any(resources[n].get("Type") == a for n in comp)
                             and any(resources[n].get("Type") == b for n in comp)), None)
                message = (f"E3004 dependency cycle between {kinds}: no reference in it can be replaced by a name the "
                           "template fixes; " + (hint or "give one of them a fixed name (FunctionName, StateMachineName"
                                                  "...) or move the reference out of the cycle"))
                findings.append(Finding(comp[0], path, message, fixable=False))
                continue
            chosen = sorted(cut)
            shown = "; ".join(f"{x} names {t} instead of referencing it" for x, t in chosen)
            findings.append(Finding(comp[0], path, f"E3004 dependency cycle between {', '.join(comp)}: {shown}",
                                    detail=[(x, t, sites[(x, t)]) for x, t in chosen]))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                for x, t, sites in f.detail:
                    for site in sites:
                        before, after = built_names.rewrite(doc, editor, site)
                        path = site[0]
                        changes.append(self.change(f, "replace", before, after,
                                                   f"E3004 {x} names {t} instead of referencing it, which closed a "
                                                   "dependency cycle; the value is the one the reference resolved to",
                                                   path=path))
        return Fix.of(editor, changes)
