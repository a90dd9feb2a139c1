"""Database master passwords passed as parameters without a default: managed or generated instead."""

from __future__ import annotations

import json
from typing import Any

from cfnfix.changelog import Change, Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import references

# resource type -> the property that makes the service keep the password in Secrets Manager
# (None: the fix generates a secret instead)
DATABASES = {
    "AWS::RDS::DBInstance": "ManageMasterUserPassword",
    "AWS::RDS::DBCluster": "ManageMasterUserPassword",
    "AWS::DocDB::DBCluster": None,
    "AWS::Redshift::Cluster": None,
}
EXCLUDE = '"@/\\'  # characters RDS, Aurora and DocumentDB refuse in a master password
EXCLUDE_REDSHIFT = EXCLUDE + "'"  # Redshift refuses the single quote too


def _password_parameter(doc: Document, value: Any) -> str | None:
    """The parameter a password property refers to, when it is a secret nobody can deploy
    without typing: NoEcho or named like a password, and without a Default."""
    if not (isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str)):
        return None
    params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
    spec = params.get(value["Ref"]) if isinstance(params, dict) else None
    if not isinstance(spec, dict) or "Default" in spec:
        return None
    no_echo = str(spec.get("NoEcho", "")).lower() == "true"
    return value["Ref"] if no_echo or "password" in value["Ref"].lower() else None


def _held_in_secret(doc: Document, param: str, readers: list[tuple], fixable: list[Finding]) -> tuple | None:
    """(secret, key, the reader's path) when the one other reader of the password parameter is
    an AWS::SecretsManager::Secret that keeps it for the applications: as its whole SecretString
    (``!Ref``, key None), or as one key of a JSON object (``!Sub '{"username": ..., "password":
    "${Param}"}'``). Then the secret can generate the password and the databases read it from
    there, and the applications keep reading the secret. None otherwise, and where the secret
    refers to one of the databases (its host, its port: reading the password from it would be a
    dependency cycle) or has a condition of its own."""
    if len(readers) != 1 or len(readers[0]) != 4 or readers[0][3] != "SecretString":
        return None
    secret = readers[0][1]
    body = doc.resources.get(secret)
    if not isinstance(body, dict) or body.get("Type") != "AWS::SecretsManager::Secret" or "Condition" in body:
        return None
    props = body.get("Properties")
    if not isinstance(props, dict) or "GenerateSecretString" in props:
        return None
    databases = {f.resource for f in fixable}
    if databases & {name for name, _ in references(body)}:
        return None
    value = props.get("SecretString")
    if value == {"Ref": param}:
        return secret, None, readers[0]
    text = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(text, str) or text.count("${" + param + "}") != 1:
        return None
    try:
        held = json.loads(text)
    except ValueError:
        return None
    keys = [k for k, v in held.items() if v == "${" + param + "}"] if isinstance(held, dict) else []
    return (secret, keys[0], readers[0]) if len(keys) == 1 else None


def _managed_unsupported(rtype: str, props: dict) -> str | None:
    """Why the service cannot manage this database's password, or None when it can."""
    engine = str(props.get("Engine", "")).lower()
    if rtype == "AWS::RDS::DBInstance":
        if engine.startswith("custom-"):
            return "RDS Custom does not support passwords managed in Secrets Manager"
        if "DBClusterIdentifier" in props:
            return "a cluster member takes its password from the cluster"
        if "SourceDBInstanceIdentifier" in props:
            return "a read replica takes its password from the source"
    if rtype == "AWS::RDS::DBCluster" and str(props.get("EngineMode", "")).lower() == "serverless":
        return "Aurora Serverless v1 does not support passwords managed in Secrets Manager"
    return None


def _references(value: Any, name: str, path: tuple = ()) -> list[tuple]:
    """Paths where ``value`` refers to parameter ``name`` (Ref, ${name} in Sub, a bare name in Metadata)."""
    found: list[tuple] = []
    if isinstance(value, dict):
        if value.get("Ref") == name and len(value) == 1:
            return [path]
        sub = value.get("Fn::Sub") if len(value) == 1 else None
        text = sub if isinstance(sub, str) else sub[0] if isinstance(sub, list) and sub and isinstance(sub[0], str) else ""
        if "${" + name + "}" in text:
            found.append(path)
        for k, v in value.items():
            if k == name and path[:1] == ("Metadata",):
                found.append(path + (k,))
            found += _references(v, name, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _references(v, name, path + (i,))
    elif value == name and path[:1] == ("Metadata",):
        found.append(path)
    return found


class DbPasswordSecret(Fixer):
    name = "db-password-secret"
    summary = "Let the database service manage master passwords (or generate them in Secrets Manager) instead of a password parameter"
    group = "deploy"
    resource_types = tuple(DATABASES)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    `MasterUserPassword` of an `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`,
    `AWS::DocDB::DBCluster` or `AWS::Redshift::Cluster` given as `!Ref` to a parameter that has
    no `Default` and is `NoEcho` or named like a password.

    ## Why it matters
    Such a stack cannot be deployed without someone typing a password, which then sits in
    deployment scripts and CI settings. In generated database templates it is the most common
    deploy blocker, and human corrections remove it almost every time.

    ## How it fixes
    - RDS DB instances and Aurora/RDS clusters: `ManageMasterUserPassword: true` replaces
      `MasterUserPassword`; RDS generates the password and keeps it in Secrets Manager
      (`MasterUserSecret`). Not for RDS Custom, cluster members, read replicas or Aurora
      Serverless v1, which do not support it.
    - Otherwise (DocumentDB, Redshift, and the cases above that have a password): a new
      `AWS::SecretsManager::Secret` generates it (`GenerateSecretString` with the username from
      `MasterUsername`, 32 characters, `ExcludeCharacters` the ones the service refuses) and
      `MasterUserPassword` becomes
      `!Sub '{{resolve:secretsmanager:${Secret}:SecretString:password}}'`. The secret takes the
      database's `Condition`.
    - The parameter is removed when nothing else uses it; otherwise it stays and that is reported.
    A password given any other way (`!If`, a literal, a parameter with a default) is left alone.
    - When the only other reader of the parameter is an `AWS::SecretsManager::Secret` that keeps
      the password for the applications (as its whole `SecretString`, or as one key of a JSON
      object written with `!Sub`), that secret generates it instead (`GenerateSecretString`,
      its other keys kept as the template, the key as `GenerateStringKey`) and the database
      reads it from there: the applications keep reading the same secret and keys. Not when the
      secret refers to the database (its host or port: a dependency cycle) or has a condition.
    A password parameter that another resource or an output reads any other way (an
    application's settings written by `cfn-init`, a connection string kept in SSM) is left
    alone and reported: the database would get a generated password while they keep the
    typed-in one; have them read the secret first.

    ## Example
    ```yaml
    # before
    Parameters:
      DBPassword: {Type: String, NoEcho: true}
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          MasterUsername: admin
          MasterUserPassword: !Ref DBPassword
    # after
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          MasterUsername: admin
          ManageMasterUserPassword: true
    ```

    ## Fix safety
    Review: on a deployed database the password changes to one only Secrets Manager knows;
    applications must read it from there (`MasterUserSecret` or the new secret).
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(*DATABASES):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            param = _password_parameter(doc, props.get("MasterUserPassword"))
            if param is None:
                continue
            path = ("Resources", rid, "Properties", "MasterUserPassword")
            managed = DATABASES[res["Type"]]
            why = _managed_unsupported(res["Type"], props) if managed else None
            if managed and why is None:
                message = (f"{rid} needs parameter {param} typed in at deploy time; "
                           f"{managed}: true lets the service generate and keep the password in Secrets Manager")
                findings.append(Finding(rid, path, message, detail=("managed", param, managed)))
            elif "DBClusterIdentifier" in props or "SourceDBInstanceIdentifier" in props:
                findings.append(Finding(rid, path, f"{rid} has a MasterUserPassword, but {why}: remove it by hand",
                                        fixable=False))
            else:
                reason = f" ({why})" if why else ""
                message = (f"{rid} needs parameter {param} typed in at deploy time; a generated "
                           f"AWS::SecretsManager::Secret provides the password instead{reason}")
                findings.append(Finding(rid, path, message, detail=("secret", param, None)))
        fixable = [f for f in findings if f.fixable]
        for param in dict.fromkeys(f.detail[1] for f in fixable):
            mine = [f for f in fixable if f.detail[1] == param]
            others = self._other_uses(doc, param, [f.path for f in mine])
            # a resource or an output that reads the password (an application's settings, a
            # connection string) would keep the typed-in one while the database gets another
            sites = {f.path for f in findings}  # other databases' passwords: reported or fixed here
            readers = [p for p in others if p[0] in ("Resources", "Outputs") and p not in sites]
            held = _held_in_secret(doc, param, readers, mine)
            if held is not None:
                secret, key, _ = held
                where = f"under the key '{key}'" if key else "as its whole value"
                for f in mine:
                    findings[findings.index(f)] = Finding(f.resource, f.path, (
                        f"{f.resource} needs parameter {param} typed in at deploy time; secret {secret}, which keeps "
                        f"it {where} for the applications, generates the password instead and {f.resource} reads "
                        "it from there"), detail=("stored", param, held))
                others = [p for p in others if p != held[2]]
                readers = []
            if readers:
                shown = ", ".join("/".join(map(str, p)) for p in readers[:3])
                for f in mine:
                    findings[findings.index(f)] = Finding(f.resource, f.path, (
                        f"{f.resource} needs parameter {param} typed in at deploy time; not changed: {shown} "
                        f"read{'s' if len(readers) == 1 else ''} the password too, and would keep the typed-in "
                        "one while the database's is generated: have them read it from Secrets Manager first"),
                        fixable=False)
            elif others:
                shown = ", ".join("/".join(map(str, p)) for p in others[:3])
                findings.append(Finding(None, ("Parameters", param), f"parameter {param} is kept: it is still used "
                                        f"at {shown}", fixable=False))
        return findings

    def _other_uses(self, doc: Document, param: str, fixed: list[tuple]) -> list[tuple]:
        data = {k: v for k, v in doc.data.items() if k != "Parameters"}
        return [p for p in _references(data, param) if p not in fixed]

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes: list[Change] = []
        params: dict[str, list[Finding]] = {}
        converted: set[str] = set()  # secrets turned to generate the password, once for all their databases
        fixed_elsewhere: dict[str, list[tuple]] = {}  # parameter -> its uses the fix rewrites beside the databases'
        for f in findings:
            kind, param, managed = f.detail
            params.setdefault(param, []).append(f)
            rid = f.resource
            res = doc.resources[rid]
            props = res["Properties"]
            with editor.finding(f):
                if kind == "stored":
                    secret, key, reader = managed
                    fixed_elsewhere.setdefault(param, []).append(reader)
                    if secret not in converted:
                        converted.add(secret)
                        redshift = any(g.detail[0] == "stored" and g.detail[2][0] == secret
                                       and doc.resources[g.resource]["Type"] == "AWS::Redshift::Cluster" for g in findings)
                        changes.extend(self._generate_in(doc, editor, f, secret, key, redshift))
                    resolve = {"Fn::Sub": "{{resolve:secretsmanager:${%s}%s}}" % (secret, f":SecretString:{key}" if key else "")}
                    editor.set(f.path, resolve)
                    changes.append(self.change(f, "replace", {"Ref": param}, resolve, f.message))
                    continue
                if kind == "managed":
                    editor.remove(f.path)
                    editor.set(f.path[:-1] + (managed,), True)
                    changes.append(self.change(f, "remove", {"Ref": param}, None, f.message))
                    changes.append(self.change(f, "add", None, True, f"{managed}: RDS keeps the password in Secrets "
                                               "Manager (MasterUserSecret)", path=f.path[:-1] + (managed,)))
                    continue
                username = props.get("MasterUsername")
                if isinstance(username, str):
                    template: Any = json.dumps({"username": username})
                elif isinstance(username, dict) and set(username) == {"Ref"}:
                    template = {"Fn::Sub": '{"username": "${%s}"}' % username["Ref"]}
                else:
                    template = None
                generate: dict = {}
                if template is not None:
                    generate["SecretStringTemplate"] = template
                    generate["GenerateStringKey"] = "password"
                generate["PasswordLength"] = 32
                generate["ExcludeCharacters"] = EXCLUDE_REDSHIFT if res["Type"] == "AWS::Redshift::Cluster" else EXCLUDE
                body: dict = {"Type": "AWS::SecretsManager::Secret"}
                if "Condition" in res:
                    body["Condition"] = res["Condition"]
                body["Properties"] = {"Description": f"Master password of {rid}", "GenerateSecretString": generate}
                secret = editor.add_resource(f"{rid}Secret", body)
                key = ":SecretString:password}}" if template is not None else ":SecretString}}"
                resolve = {"Fn::Sub": "{{resolve:secretsmanager:${%s}%s" % (secret, key)}
                editor.set(f.path, resolve)
                changes.append(self.change(f, "add", None, body, f"generated master password of {rid}",
                                           path=("Resources", secret)))
                changes.append(self.change(f, "replace", {"Ref": param}, resolve, f.message))
        unused = [p for p, group in params.items()
                  if not self._other_uses(doc, p, [f.path for f in group] + fixed_elsewhere.get(p, []))]
        every = set(unused) == set(doc.data.get("Parameters") or {})
        if every:  # an empty Parameters section is not left behind
            editor.remove(("Parameters",))
        for param in unused:
            if not every:
                editor.remove(("Parameters", param))  # shared by the findings that used it
            changes.append(self.change(None, "remove", param, None, f"parameter {param} is no longer used",
                                       path=("Parameters", param)))
        return Fix.of(editor, changes)

    def _generate_in(self, doc: Document, editor: Editor, f: Finding, secret: str, key: str | None,
                     redshift: bool) -> list[Change]:
        """Turn ``secret``'s SecretString, which held the typed-in password, into a
        GenerateSecretString that generates it (under ``key``, its other keys kept as the template)."""
        path = ("Resources", secret, "Properties")
        before = doc.value(path + ("SecretString",))
        generate: dict = {}
        if key is not None:
            rest = {k: v for k, v in json.loads(before["Fn::Sub"]).items() if k != key}
            text = json.dumps(rest)
            generate["SecretStringTemplate"] = {"Fn::Sub": text} if "${" in text else text
            generate["GenerateStringKey"] = key
        generate["PasswordLength"] = 32
        generate["ExcludeCharacters"] = EXCLUDE_REDSHIFT if redshift else EXCLUDE
        if len(doc.value(path)) == 1:  # nothing else to keep: the mapping is written anew
            editor.set(path, {"GenerateSecretString": generate})
        else:
            editor.remove(path + ("SecretString",))
            editor.set(path + ("GenerateSecretString",), generate)
        where = f" under the key '{key}'" if key else ""
        message = (f"secret {secret} generates the password{where} instead of keeping the one typed in at deploy "
                   "time; its other keys stay, and the applications that read it get the new password")
        return [self.change(f, "remove", before, None, message, path=path + ("SecretString",)),
                self.change(f, "add", None, generate, message, path=path + ("GenerateSecretString",))]
