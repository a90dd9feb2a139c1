"""Dependency cycles broken by naming a resource instead of referencing it (cfn-lint E3004)."""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any, NamedTuple

from cfnfix import built_names, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.cycles import document_cycles, document_graph, document_index
from cfnfix.graph import cheapest_cut, edges, references
from cfnfix.nodepath import node_path

_HINTS = {
    ("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Integration"): "an integration belongs to its API, so the API "
    "cannot name it: remove the API's quick-create Target and route to the integration with an "
    "AWS::ApiGatewayV2::Route (RouteKey $default, Target integrations/<integration>) and an AWS::ApiGatewayV2::Stage "
    "with AutoDeploy",
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBCluster"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
    ("AWS::SecretsManager::Secret", "AWS::RDS::DBInstance"): "keep only the credentials in the secret and attach it "
    "with AWS::SecretsManager::SecretTargetAttachment, which adds host and port",
}


def _rewritten_sites(sites: dict, cut: tuple) -> int:
    """How many references cutting the edges ``cut`` rewrites (``sites``: edge -> its references)."""
    return sum(len(sites[e]) for e in cut)


class ReferenceCycle(Fixer):
    name = "reference-cycle"
    summary = "Break dependency cycles by naming a resource (built ARN or name) instead of referencing it (E3004)"
    group = "deploy"
    safety = Safety.REVIEW
    lint_rules = ("E3004",)
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

    A secret whose `SecretString` (an `Fn::Sub` of JSON) holds the endpoint of the database
    cluster or instance that reads the secret (or waits for it) is split the way CDK does it:
    the keys that name the database (`host`, `port`, and the identifier or `engine` when they
    refer to it) leave the secret, and an `AWS::SecretsManager::SecretTargetAttachment` of the
    secret to the database is added, which writes host, port, engine and identifier into the
    secret once both exist. Keys the attachment does not write (a `url` built from the
    endpoint) make it a report.

    An HTTP API whose quick-create `Target` names an integration of the API itself (the
    integration needs the API's id) loses its quick-create properties (`Target`, `RouteKey`)
    when the template already has what quick create makes: a route of the API to that
    integration with the same route key (`$default` by default) and a stage of the API. Without
    them (or with `CredentialsArn`) it is reported with what to add.

    Cycles with no such reference are reported with what the resources are.

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
    Review: the secret attachment is a new resource, and the secret holds the connection details
    only once it has run. For the built names: every value is the one CloudFormation would have resolved, but the referring
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
            cut = cheapest_cut(within, list(sites), partial(_rewritten_sites, sites)) if sites else None
            quick = _quick_create(doc, comp) if cut is None else None
            if quick is not None:
                api, keys, route, stage = quick
                findings.append(Finding(api, ("Resources", api, "Properties"), (
                    f"E3004 dependency cycle between {kinds}: {api}'s quick-create "
                    f"{' and '.join(keys)} name{'s' if len(keys) == 1 else ''} the integration that needs the API; "
                    f"route '{route}' and stage '{stage}' already do what quick create would: "
                    f"{'they go' if len(keys) > 1 else 'it goes'}"), detail=QuickCreate(api, keys)))
                continue
            attach = _secret_attachment(doc, comp) if cut is None else None
            if isinstance(attach, SecretAttachment):
                findings.append(Finding(comp[0], path, (
                    f"E3004 dependency cycle between {kinds}: the secret holds the database's "
                    f"{', '.join(attach.keys)}; those keys go and an AWS::SecretsManager::SecretTargetAttachment "
                    "adds the connection details (host, port, engine, identifier) once both exist, as CDK does"),
                    detail=attach))
                continue
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
            if isinstance(f.detail, QuickCreate):
                with editor.finding(f):
                    for key in f.detail.keys:
                        path = ("Resources", f.detail.api, "Properties", key)
                        before = doc.value(path)
                        editor.remove(path)
                        changes.append(self.change(f, "remove", before, None, f.message, path=path))
                continue
            if isinstance(f.detail, SecretAttachment):
                a = f.detail
                with editor.finding(f):
                    where = node_path(doc, a.path) or a.path
                    before = doc.value(a.path)
                    editor.set(where, a.value)
                    changes.append(self.change(f, "replace", before, a.value, f"E3004 {a.secret} no longer holds the "
                                               f"{', '.join(a.keys)} of {a.database}, which closed a dependency cycle; "
                                               "the attachment writes the connection details", path=a.path))
                    body: dict[str, Any] = {"Type": "AWS::SecretsManager::SecretTargetAttachment"}
                    if a.condition:
                        body["Condition"] = a.condition
                    body["Properties"] = {"SecretId": {"Ref": a.secret}, "TargetId": {"Ref": a.database},
                                          "TargetType": a.target_type}
                    new = editor.add_resource(a.secret + "Attachment", body)
                    changes.append(self.change(f, "add", None, body, f"E3004 attaches {a.secret} to {a.database}: "
                                               "Secrets Manager adds host, port, engine and the identifier to the "
                                               "secret", path=("Resources", new)))
                continue
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


# database types a SecretTargetAttachment takes, and the secret keys it writes for them
_ATTACHABLE = {
    "AWS::RDS::DBCluster": ("AWS::RDS::DBCluster", {"host", "port", "engine", "dbClusterIdentifier"}),
    "AWS::RDS::DBInstance": ("AWS::RDS::DBInstance", {"host", "port", "engine", "dbInstanceIdentifier"}),
}
_TOKEN = re.compile(r"\$\{([^}!][^}]*)\}")


class SecretAttachment(NamedTuple):
    """The secret's SecretString at ``path`` becomes ``value`` (without ``keys``) and a
    SecretTargetAttachment of ``secret`` to ``database`` is added."""

    secret: str
    database: str
    target_type: str
    path: tuple
    value: Any
    keys: tuple
    condition: str | None


def _secret_attachment(doc: Document, comp: list[str]) -> SecretAttachment | str | None:
    """The CDK way out of a secret <-> database cycle: the secret keeps only what the database does
    not give (credentials, dbname), the attachment adds the rest. None when the cycle is not that
    (two resources, the secret's only references to the database in its SecretString's Fn::Sub JSON,
    under keys the attachment writes)."""
    resources = doc.resources
    if len(comp) != 2:
        return None
    kinds = {t: n for n in comp if isinstance(t := resources[n].get("Type"), str)}
    secret = kinds.get("AWS::SecretsManager::Secret")
    database = next((kinds[t] for t in _ATTACHABLE if t in kinds), None)
    if secret is None or database is None:
        return None
    target_type, writes = _ATTACHABLE[resources[database]["Type"]]
    index = document_index(doc)
    rels = edges(resources, secret, database, index)
    if not rels or any(r[:2] != ("Properties", "SecretString") for r in rels):
        return None
    path = ("Resources", secret, "Properties", "SecretString")
    call = doc.value(path)
    text = call.get("Fn::Sub") if isinstance(call, dict) and len(call) == 1 else None
    if not isinstance(text, str):
        return None
    tokens: list[str] = []

    def hold(m: re.Match) -> str:
        tokens.append(m.group(0))
        return f"@@{len(tokens) - 1}@@"

    held = _TOKEN.sub(hold, text)
    held = re.sub(r'([:\[,]\s*)@@(\d+)@@(\s*[,}\]])', r'\1"@@B\2@@"\3', held)  # B: written bare
    try:
        data = json.loads(held)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    mine = {k for k, v in data.items() if any(
        tokens[int(i)][2:-1].split(".")[0] == database for i in re.findall(r"@@B?(\d+)@@", json.dumps(v)))}
    if not mine or not mine <= writes:
        return None
    if "\n" in text.strip():  # one key a line: those lines go, and a comma left before the closing brace
        kept = [line for line in text.split("\n") if not any(re.match(r'\s*"' + re.escape(k) + r'"\s*:', line) for k in mine)]
        new_text = re.sub(r",(\s*\n\s*\})", r"\1", "\n".join(kept))
    else:  # one line: written again as JSON, tokens back in place
        rest = json.dumps({k: v for k, v in data.items() if k not in mine}, separators=(", ", ": "))
        new_text = re.sub(r'"@@B(\d+)@@"|@@(\d+)@@', lambda m: tokens[int(m.group(1) or m.group(2))], rest)
        if "\\" in rest:
            return None  # escapes JSON would write differently: left to a person
    tokens_before = len(tokens)
    check = re.sub(r'([:\[,]\s*)@@(\d+)@@(\s*[,}\]])', r'\1"@@B\2@@"\3', _TOKEN.sub(hold, new_text))
    del tokens[tokens_before:]
    try:
        left = json.loads(check)
    except ValueError:
        return None
    if set(left) != set(data) - mine or database in {n for n, _ in references({"Fn::Sub": new_text})}:
        return None
    condition = resources[secret].get("Condition")
    if condition != resources[database].get("Condition") or not isinstance(condition, (str, type(None))):
        return None
    return SecretAttachment(secret, database, target_type, path, {"Fn::Sub": new_text}, tuple(sorted(mine)),
                            condition)


_QUICK = ("Target", "RouteKey", "CredentialsArn")  # an HTTP API's quick-create properties


class QuickCreate(NamedTuple):
    """Remove the quick-create ``keys`` of HTTP API ``api``."""

    api: str
    keys: tuple


def _quick_create(doc: Document, comp: list[str]) -> tuple[str, tuple, str, str] | None:
    """(api, its quick-create keys, the route, the stage) when a cycle is an HTTP API whose
    quick-create ``Target`` names an integration of the API itself, and the template already
    has what quick create makes: a route of the API to that integration (with the quick-create
    RouteKey, ``$default`` by default) and a stage of the API. None otherwise."""
    resources = doc.resources
    if len(comp) != 2:
        return None
    kinds = {t: n for n in comp if isinstance(t := resources[n].get("Type"), str)}
    api, integration = kinds.get("AWS::ApiGatewayV2::Api"), kinds.get("AWS::ApiGatewayV2::Integration")
    if api is None or integration is None:
        return None
    props = resources[api].get("Properties")
    if not isinstance(props, dict) or "Target" not in props:
        return None
    index = document_index(doc)
    rels = edges(resources, api, integration, index)
    if not rels or any(r[:2] != ("Properties", "Target") for r in rels):
        return None
    if props.get("CredentialsArn") is not None:
        return None  # the route's credentials would be lost
    route_key = props.get("RouteKey", "$default")
    keys = tuple(k for k in _QUICK if k in props)
    route = stage = None
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Condition") != resources[api].get("Condition"):
            continue
        body = res.get("Properties")
        if not isinstance(body, dict):
            body = {}
        if body.get("ApiId") != {"Ref": api}:
            continue
        if res.get("Type") == "AWS::ApiGatewayV2::Route" and body.get("RouteKey") == route_key and integration in {
                n for n, _ in references(body.get("Target"))}:
            route = route or rid
        elif res.get("Type") == "AWS::ApiGatewayV2::Stage":
            stage = stage or rid
    if route is None or stage is None:
        return None
    return api, keys, route, stage
