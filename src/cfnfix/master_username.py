"""Database master user names the engine reserves, the name each engine uses by default, and where a
template keeps the name a ``MasterUsername`` reads (a parameter's ``Default``, a Secrets Manager
secret's JSON).

RDS refuses a reserved name when it creates the database ("MasterUsername admin cannot be used as
it is a reserved word used by the engine"): ``rdsadmin`` on every engine (RDS's own account),
``admin`` on PostgreSQL (RDS and Aurora). cfn-lint's ``AWS::RDS::DBCluster`` schema says the same
(its top-level ``allOf``). The RDS and Aurora user guides name the default master user of a
PostgreSQL database ``postgres``, of MySQL and MariaDB ``admin``.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from .document import Document
from .literals import intrinsic
from .values import parameter

TYPES = ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance")
POSTGRES = ("aurora-postgresql", "postgres", "postgresql")
MYSQL = ("aurora-mysql", "aurora", "mysql", "mariadb")
# properties that make the database take its master user from elsewhere (a snapshot, a source, its cluster)
INHERITED = ("DBClusterIdentifier", "SourceDBInstanceIdentifier", "DBSnapshotIdentifier", "SnapshotIdentifier",
             "SourceDBClusterIdentifier", "RestoreType")
_RESOLVE = re.compile(r"^\{\{resolve:secretsmanager:(.+?):SecretString:username(?::[^:}]*){0,2}\}\}$")
_USERNAME = re.compile(r'("username"\s*:\s*")([^"\\]*)(")')


def reserved(engine: str, name: str) -> str | None:
    """Why ``engine`` refuses the master user name ``name``; None when it does not (as far as known)."""
    if name == "rdsadmin":
        return "RDS keeps it for its own administration account, on every engine"
    if name == "admin" and engine in POSTGRES:
        return f"a reserved word of {engine}"
    return None


def default_name(engine: str) -> str | None:
    """The master user name the AWS console proposes for ``engine``; None when not known here."""
    if engine in POSTGRES:
        return "postgres"
    if engine in MYSQL:
        return "admin"
    return None


class Source(NamedTuple):
    """Where the name a ``MasterUsername`` reads is written: ``kind`` is "literal" (the property
    itself), "parameter" (``path`` is the parameter's ``Default``) or "secret" (``path`` the
    secret's JSON string, ``in_sub`` when it is an ``Fn::Sub`` template); ``name`` the user name
    found there; ``owner`` the parameter's or the secret's logical id."""

    kind: str
    path: tuple
    name: str
    owner: str | None = None
    in_sub: bool = False


def source(doc: Document, rid: str, value: Any) -> Source | str | None:
    """Where the user name ``MasterUsername`` (``value``) of ``rid`` comes from; a sentence saying
    why it cannot be followed; None when it is computed in a way this module does not read."""
    prop = ("Resources", rid, "Properties", "MasterUsername")
    if isinstance(value, str):
        match = _RESOLVE.match(value)
        if match:
            return _secret(doc, _secret_named(doc, match.group(1)), match.group(1))
        return None if value.startswith("{{resolve:") else Source("literal", prop, value)
    call = intrinsic(value)
    if call is None:
        return None
    fn, arg = call
    if fn == "Ref":
        param = parameter(doc, arg)
        default = param.get("Default") if param is not None else None
        return Source("parameter", ("Parameters", arg, "Default"), default, arg) if isinstance(default, str) else None
    if fn == "Fn::Sub" and isinstance(arg, str):
        match = _RESOLVE.match(arg)
        ref = re.fullmatch(r"\$\{([A-Za-z0-9]+)\}", match.group(1)) if match else None
        return _secret(doc, ref.group(1), match.group(1)) if ref and match else None
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and arg[0] == "" and isinstance(arg[1], list):
        parts = arg[1]
        if len(parts) == 3 and parts[0] == "{{resolve:secretsmanager:" and isinstance(parts[2], str) \
                and _RESOLVE.match("{{resolve:secretsmanager:X" + parts[2]):
            target = intrinsic(parts[1])
            if target is not None and target[0] == "Ref" and isinstance(target[1], str):
                return _secret(doc, target[1], target[1])
    return None


def _secret_named(doc: Document, name: str) -> str | None:
    """The logical id of the secret whose literal ``Name`` is ``name``."""
    for rid, res in doc.resources_of_type("AWS::SecretsManager::Secret"):
        props = res.get("Properties")
        if isinstance(props, dict) and props.get("Name") == name:
            return rid
    return None


def _secret(doc: Document, rid: str | None, shown: str) -> Source | str:
    res = doc.resources.get(rid) if rid else None
    if not (isinstance(res, dict) and res.get("Type") == "AWS::SecretsManager::Secret"):
        return f"it reads the secret {shown}, which is not a secret of this template"
    props = res.get("Properties")
    if not isinstance(props, dict):
        props = {}
    generate = props.get("GenerateSecretString")
    if isinstance(generate, dict) and "SecretStringTemplate" in generate:
        path: tuple = ("Resources", rid, "Properties", "GenerateSecretString", "SecretStringTemplate")
        text = generate["SecretStringTemplate"]
    elif "SecretString" in props:
        path, text = ("Resources", rid, "Properties", "SecretString"), props["SecretString"]
    else:
        return f"the secret {rid} has no username written in the template"
    in_sub = False
    call = intrinsic(text)
    if call is not None and call[0] == "Fn::Sub" and isinstance(call[1], str):
        text, in_sub = call[1], True
    if not isinstance(text, str):
        return f"the username of secret {rid} is computed"
    names = [m.group(2) for m in _USERNAME.finditer(text)]
    try:
        parsed = json.loads(text) if not in_sub else None
    except ValueError:
        parsed = None
    if len(names) != 1 or (parsed is not None and (not isinstance(parsed, dict) or parsed.get("username") != names[0])) \
            or (in_sub and "${" in names[0]):
        return f"the username of secret {rid} is not one plain JSON value"
    return Source("secret", path, names[0], rid, in_sub)


def with_name(text: str, name: str) -> str:
    """The secret's JSON text ``text`` with its one ``username`` value set to ``name``."""
    return _USERNAME.sub(lambda m: m.group(1) + name + m.group(3), text, count=1)


def mentions(doc: Document, name: str, skip: set[tuple]) -> list[tuple]:
    """Paths of the strings of the template (descriptions aside) that hold ``name`` as a word, outside
    the paths in ``skip``: places that may mean the database user and that the fix does not follow."""
    word = re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])")
    found: list[tuple] = []

    def walk(value: Any, path: tuple) -> None:
        if any(path[:len(s)] == s for s in skip):
            return
        if isinstance(value, str):
            if word.search(value):
                found.append(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("Description", "ConstraintDescription"):
                    walk(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, path + (i,))

    if isinstance(doc.data, dict):
        for section in ("Parameters", "Mappings", "Resources", "Outputs"):
            walk(doc.data.get(section), (section,))
    return found
