"""Property values outside the set the schema allows (cfn-lint E3030, E3031 for look-alike characters), moved to
the one sensible neighbour."""

from __future__ import annotations

import json
import re

from typing import Any, Iterator

from cfnfix import lookalikes, master_username, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.literals import StringSite, intrinsic, set_at, set_sub, string_sites, sub_variables, value_of
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.nodepath import editor_path
from cfnfix.memo import entrywise
from cfnfix.usage import uses
from cfnfix.values import parameter, property_literals

# Names that circulate for an allowed value, per (resource type, property): same meaning, other spelling.
EQUIVALENTS: dict[tuple[str, str], dict[str, str]] = {
    ("AWS::DynamoDB::Table", "BillingMode"): {"ON_DEMAND": "PAY_PER_REQUEST"},  # the console's "On-demand"
    ("AWS::DynamoDB::GlobalTable", "BillingMode"): {"ON_DEMAND": "PAY_PER_REQUEST"},
    ("AWS::S3::Bucket", "StorageClass"): {"STANDARD_INFREQUENT_ACCESS": "STANDARD_IA", "ONEZONE_INFREQUENT_ACCESS": "ONEZONE_IA"},
    ("AWS::Config::DeliveryChannel", "DeliveryFrequency"): {"Daily": "TwentyFour_Hours"},
}

# Values with no automatic replacement, and what to do instead.
ADVICE: dict[tuple[str, str, str], str] = {
    ("AWS::SSM::Parameter", "Type", "SecureString"): (
        "CloudFormation cannot create SecureString parameters; keep the secret out of plain text: "
        "an AWS::SecretsManager::Secret (GenerateSecretString), or a SecureString created outside "
        "the stack and read with {{resolve:ssm-secure:NAME}}"),
}
# List items with no effect where they stand, and why: removed (the list keeps its other items).
NO_EFFECT: dict[tuple[str, str, str], str] = {
    ("AWS::Lambda::Url", "AllowMethods", "OPTIONS"): (
        "a function URL answers CORS preflight (OPTIONS) requests itself from its Cors settings; "
        "AllowMethods lists the methods of the requests that follow, so OPTIONS there changes nothing"),
}
# SSM parameter properties and what a Secrets Manager secret calls them (None: no counterpart).
SECRET_PROPERTIES = {"Name": "Name", "Description": "Description", "Value": "SecretString", "KeyId": "KmsKeyId",
                     "KmsKeyId": "KmsKeyId", "Tags": "Tags", "Type": None, "Tier": None, "DataType": None,
                     "AllowedPattern": None, "Policies": None}
LOST = {"Tier": "the parameter tier (Secrets Manager has none)",
        "DataType": "the data type (a secret is text)",
        "AllowedPattern": "the pattern the value was checked against",
        "Policies": "the parameter policies (expiration; Secrets Manager rotates with AWS::SecretsManager::RotationSchedule)"}
CLOUDTRAIL_S3 = (
    "S3 data events are selected with Type AWS::S3::Object and Values such as "
    "arn:aws:s3:::BUCKET/ (all objects of a bucket); bucket-level calls are management events")


RESOURCE_TYPE = re.compile(r"AWS::\w+::\w+")
CLOUDTRAIL_MANAGEMENT = "CloudTrail logs the API calls on resources of this type as management events, not data events"


def object_selector(value: Any) -> Any:
    """The CloudTrail data-resource value selecting every object of the bucket ``value`` names
    (a bucket ARN gains a trailing ``/``); None when the value's form is not understood."""
    if isinstance(value, str):
        if not value.startswith("arn:") or ":::" not in value:
            return None
        return value if "/" in value.split(":::", 1)[1] else value + "/"
    if not (isinstance(value, dict) and len(value) == 1):
        return None
    (name, arg), = value.items()
    if name == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2 and arg[1] == "Arn" and isinstance(arg[0], str):
        return {"Fn::Sub": "${%s.Arn}/" % arg[0]}
    if name == "Fn::Sub" and isinstance(arg, str):
        return {"Fn::Sub": arg if arg.endswith("/") else arg + "/"}
    if name == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        return {"Fn::Sub": [arg[0] if arg[0].endswith("/") else arg[0] + "/", arg[1]]}
    if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and arg[0] == "" and isinstance(arg[1], list):
        return {"Fn::Join": ["", arg[1] + ["/"]]}
    if name == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
        return {"Fn::Sub": "${%s}/" % arg}
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def neighbour(value: Any, allowed: list, equivalents: dict[str, str]) -> tuple[Any, str]:
    """The allowed value ``value`` was meant to be, and why; (None, "") when there is none."""
    if isinstance(value, str) and value in equivalents and equivalents[value] in allowed:
        return equivalents[value], "is the name the schema uses for the same setting"
    number = _number(value)
    numbers = [a for a in allowed if _number(a) is not None and not isinstance(a, str)]
    if number is not None and numbers and len(numbers) == len(allowed):
        above = sorted(a for a in numbers if a > number)
        if above:
            return above[0], "is the next allowed value above it"
        return None, f"is above the largest allowed value {max(numbers)}"
    if isinstance(value, str):
        same = [a for a in allowed if isinstance(a, str) and a.lower() == value.lower()]
        if len(same) == 1:
            return same[0], "differs only in case"
    return None, ""


class AllowedValue(Fixer):
    name = "allowed-value"
    summary = "Move property values outside the schema's allowed set to the one sensible allowed value (E3030)"
    group = "schema"
    safety = Safety.REVIEW
    lint_rules = ('E3030', 'E3031', 'E3034', 'E3024')
    default = False
    docs = """
    ## What it detects
    A resource property value, at any depth, outside the `enum` of the resource type's schema
    (as shipped with cfn-lint). cfn-lint reports these as E3030.

    ## Why it matters
    CloudFormation or the service rejects the value and the stack operation fails
    (`Invalid retention value. Valid values are: [1, 3, 5, ...]`).

    ## How it decides
    - A number goes to the next allowed value above it (log `RetentionInDays: 2555` becomes
      2557, the seven years the author meant to keep at least); never below, which would keep
      data for less time than asked.
    - A string differing only in case goes to the allowed spelling (`enabled` to `ENABLED`).
    - A few names that circulate for an allowed value are mapped (`BillingMode: ON_DEMAND` to
      `PAY_PER_REQUEST`, Config `DeliveryFrequency: Daily` to `TwentyFour_Hours`).
    - A CloudTrail data resource of `Type: AWS::S3::Bucket` (not a data-resource type) becomes
      `AWS::S3::Object`, and each bucket ARN in its `Values` gains the trailing `/` that selects
      every object of the bucket, as the CloudTrail documentation prescribes
      (`arn:aws:s3:::bucket/`; `!GetAtt Bucket.Arn` becomes `!Sub '${Bucket.Arn}/'`). A value of
      another form is reported.
    - A CloudTrail data resource of a type that has no data events (`AWS::IAM::Role`,
      `AWS::KMS::Key`, `AWS::RDS::DBCluster`): the API calls on it are management events, which
      the selector already logs unless it says `IncludeManagementEvents: false`. It is removed
      (safe: nothing is logged less), with the `DataResources` list when no item is left; with
      management events left out, it is reported.
    - An `AWS::SSM::Parameter` with `Type: SecureString` (CloudFormation cannot create one)
      becomes the `AWS::SecretsManager::Secret` CloudFormation can create: same logical id,
      `Name`, `Description`, `Value` as `SecretString`, `KeyId` as `KmsKeyId`, tags as a
      Key/Value list; the `Tier`, `AllowedPattern` or `Policies` it loses are named in the
      change log. Only when nothing in the template reads it as a parameter: a `Ref`, `GetAtt`
      or `Sub` of it (a parameter's `Ref` is its name, a secret's its ARN), another resource or
      output naming the parameter's name (an IAM policy on `parameter/...`) or a
      `{{resolve:ssm-secure:...}}` in the template rule the secret out.
    - Such a parameter the template reads as a parameter becomes a `Type: String` parameter
      (review) only when its value is already in clear text in the template: a literal, or an
      intrinsic built only from literals, pseudo parameters, `Ref`s to resources, `GetAtt`s of
      resources that are not custom resources and parameters that are not `NoEcho`. Whoever
      reads the template reads that value already; what is lost is encryption at rest and the
      KMS key policy as a second gate on reads, as the change log says with the ways to keep
      them (a SecureString created outside the stack and read with
      `{{resolve:ssm-secure:NAME}}`, or a Secrets Manager secret). Its `KeyId`/`KmsKeyId` (no
      such property on a String parameter) is removed in the same fix, saying the key no longer
      encrypts the value; each `{{resolve:ssm-secure:NAME}}` naming it (its literal `Name`, its
      `Fn::Sub` text, or `${Parameter}`) becomes `{{resolve:ssm:NAME}}`, as an ssm-secure
      reference to a String parameter fails. Readers by `Ref`, `GetAtt ... Value`, IAM policy or
      `aws ssm get-parameter --with-decryption` keep working unchanged. A value that reads a
      `NoEcho` parameter, a `{{resolve:...}}` dynamic reference, a custom resource's attribute
      or another stack's export is a real secret: reported with the alternatives, never
      downgraded; so is a parameter an ssm-secure reference may or may not name (a computed
      name, a reference built with `Fn::Join`). A computed `Name` with no reader, or a value that
      already resolves a Secrets Manager secret, is reported too.
    - A list item that has no effect where it stands is removed (a function URL's
      `Cors.AllowMethods: [GET, OPTIONS]` loses `OPTIONS`: the URL answers preflight requests
      itself); when it is the only item, it is reported.
    - A limit or a count of tries above the schema's `maximum` (a property named `Max...`,
      `Maximum...`, `...Retry...`, `...Retries`, `...Attempts`; cfn-lint E3034) becomes the
      maximum: Lambda's `EventInvokeConfig.MaximumRetryAttempts: 5` becomes 2, the most retries
      the service makes. Other numbers out of range are left to the author.
    - A tag key given twice in one `Tags` list (E3024): a repeat with the same value goes
      (nothing is lost); two values are reported, the author choosing the one meant.
    - A string written with characters that only look like a hyphen or a space (a
      non-breaking hyphen U+2011 in `env‑security`, an en dash, a minus sign, a no-break
      space; a zero-width space, which shows as nothing) that fails the schema's `pattern`
      (cfn-lint E3031) or `enum` and passes it once they are the plain characters: they are
      replaced in place, the quoting of the file kept (in the branches of an `Fn::If` too).
      The same text where the schema accepts it (a tag value of a resource whose schema sets
      no pattern) is left as written, and so is a value that fails for another reason too.
    - A database master user name the engine reserves (`AWS::RDS::DBCluster`,
      `AWS::RDS::DBInstance`): `rdsadmin` on every engine (RDS's own account), `admin` on
      PostgreSQL (`aurora-postgresql`, `postgres`); cfn-lint E3002 on a cluster. RDS refuses to
      create the database ("MasterUsername admin cannot be used as it is a reserved word used by
      the engine"), so nothing deployed carries the name. It becomes the engine's default master
      user name (`postgres` for PostgreSQL, `admin` for MySQL and MariaDB, as the RDS and Aurora
      user guides name them) where the name is written: the property itself; the `Default` of
      the parameter it `Ref`s (reported when the parameter's `AllowedValues`, `AllowedPattern`
      or length refuse the new name); or the `username` of the
      `GenerateSecretString.SecretStringTemplate` (or `SecretString`) of the template's secret it
      resolves with `{{resolve:secretsmanager:...:SecretString:username}}` (which cfn-lint does
      not see; the deployment fails the same way). Other strings holding the old name (a
      connection string, an output) are listed in the change log, not changed: whether they
      mean the database user is the author's call. An engine with no known default name
      (Oracle, SQL Server, Db2) is reported.
    - Anything else is reported with the allowed values.

    ## Example
    ```yaml
    # before
    RetentionInDays: 2555
    # after
    RetentionInDays: 2557
    ```

    ## Fix safety
    Look-alike characters replaced are `safe`: the service rejects the value as written, and
    the value reads the same. Otherwise review: the value changes (a longer retention costs more storage; a renamed mode is the
    same mode); a SecureString parameter's readers outside the template must read the secret
    instead (`GetSecretValue`, or the SSM path `/aws/reference/secretsmanager/NAME`). A
    SecureString parameter downgraded to `String` is review too: the value it holds is stored
    unencrypted and any principal allowed `ssm:GetParameter` on it reads it, with no KMS key
    policy (nor `kms:Decrypt` permission) in the way any more. A reserved master user name
    replaced is review: no database was created with it, but the name clients log in with is
    the new one.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = self._lookalikes(doc)
        plain = {f.path for f in findings}
        for v in schemas.violations(doc):
            if v.kind != "enum" or v.path in plain:
                continue
            allowed = v.schema["enum"]
            shown = ", ".join(map(str, allowed[:12])) + (", ..." if len(allowed) > 12 else "")
            prop = next(p for p in reversed(v.path) if isinstance(p, str))
            head = f"E3030 {v.type_name}: {prop} {v.value!r} is not one of the allowed values ({shown})"
            if (v.type_name, prop, v.value) == ("AWS::CloudTrail::Trail", "Type", "AWS::S3::Bucket"):
                findings.append(self._cloudtrail(doc, v, head))
                continue
            if (v.type_name, prop) == ("AWS::CloudTrail::Trail", "Type") and v.path[5:6] == ("DataResources",) \
                    and isinstance(v.value, str) and RESOURCE_TYPE.fullmatch(v.value):
                found = self._management_events(doc, v, head, allowed)
                if found is not None:
                    findings.append(found)
                continue
            if (v.type_name, prop, v.value) == ("AWS::SSM::Parameter", "Type", "SecureString") and v.path[3:] == ("Type",):
                findings.append(self._secure_string(doc, v, head))
                continue
            why_none = NO_EFFECT.get((v.type_name, prop, str(v.value)))
            if why_none and isinstance(v.path[-1], int):
                items = doc.value(v.path[:-1])
                if isinstance(items, list) and len(items) > 1:
                    findings.append(Finding(v.resource, v.path, f"{head}; removed: {why_none}", detail=("drop",)))
                    continue
                findings.append(Finding(v.resource, v.path, f"{head}; {why_none}; it is the only item: list the "
                                        "values meant instead", fixable=False))
                continue
            advice = ADVICE.get((v.type_name, prop, str(v.value)))
            if advice:
                findings.append(Finding(v.resource, v.path, f"{head}; {advice}", fixable=False))
                continue
            new, why = neighbour(v.value, allowed, EQUIVALENTS.get((v.type_name, prop), {}))
            if new is None:
                reason = f"; {v.value!r} {why}" if why else "; no allowed value is clearly the one meant"
                findings.append(Finding(v.resource, v.path, head + reason, fixable=False))
                continue
            findings.append(Finding(v.resource, v.path, f"{head}; {new!r} {why}", detail=new))
        checks = _per_resource(doc)
        return findings + self._above_maximum(checks) + self._duplicate_tags(checks) + self._reserved_usernames(doc)

    def _reserved_usernames(self, doc: Document) -> list[Finding]:
        """A database master user name the engine reserves (``admin`` on PostgreSQL, ``rdsadmin``
        anywhere; cfn-lint E3002 on a DB cluster): RDS refuses to create the database, so nothing
        deployed carries the name. It becomes the engine's default master user name, where the
        name is written: the property, the parameter's Default, or the username of the secret
        the property resolves (which cfn-lint does not see)."""
        out: list[Finding] = []
        claimed: dict[tuple, Finding] = {}
        for rid, res in doc.resources_of_type(*master_username.TYPES):
            props = res.get("Properties")
            if not isinstance(props, dict) or "MasterUsername" not in props \
                    or any(k in props for k in master_username.INHERITED):
                continue
            engine = props.get("Engine")
            engine = engine.lower() if isinstance(engine, str) else None
            src = master_username.source(doc, rid, props["MasterUsername"])
            if not isinstance(src, master_username.Source) or engine is None:
                if isinstance(src, master_username.Source) and src.name == "rdsadmin":
                    out.append(Finding(rid, ("Resources", rid, "Properties", "MasterUsername"), (
                        f"{res['Type']} {rid}: MasterUsername 'rdsadmin' is reserved (RDS keeps it for its own "
                        "administration account) and the Engine is not written out: choose another name"),
                        fixable=False))
                continue
            why = master_username.reserved(engine, src.name)
            if why is None:
                continue
            first = claimed.get(src.path)
            if first is not None:  # a parameter or secret another database reads too: one fix for both
                first.message += f"; {rid} reads the same name" + (" and changes with it" if first.fixable else "")
                continue
            out.append(self._reserved_username(doc, rid, res["Type"], engine, src, why))
            claimed[src.path] = out[-1]
        return out

    def _reserved_username(self, doc: Document, rid: str, rtype: str, engine: str, src: master_username.Source,
                           why: str) -> Finding:
        path = ("Resources", rid, "Properties", "MasterUsername")
        old = src.name
        where = {"literal": "", "parameter": f" (the Default of parameter {src.owner}, which MasterUsername reads)",
                 "secret": f" (the username of secret {src.owner}, which MasterUsername resolves)"}[src.kind]
        # cfn-lint's DBCluster schema refuses the name (E3002), or the Default its Ref resolves to (W1030)
        code = {"literal": "E3002 ", "parameter": "W1030 "}.get(src.kind, "") if rtype == "AWS::RDS::DBCluster" else ""
        head = (f"{code}{rtype} {rid}: MasterUsername '{old}'{where} is reserved ({why}): RDS refuses to create "
                "the database with it")
        new = master_username.default_name(engine)
        if new is None:
            return Finding(rid, path, f"{head}; no default master user name is known here for {engine}: choose "
                           "another name", fixable=False)
        if src.kind == "parameter":
            param = parameter(doc, src.owner) or {}
            allowed, pattern = param.get("AllowedValues"), param.get("AllowedPattern")
            refused = ("its AllowedValues do not hold it" if isinstance(allowed, list) and new not in allowed else
                       "its AllowedPattern refuses it" if isinstance(pattern, str)
                       and schemas.value_matches(pattern, new) is False else
                       "its MinLength or MaxLength refuses it" if not _length_fits(param, new) else "")
            if refused:
                return Finding(rid, path, f"{head}; '{new}', the engine's default master user name, cannot become the "
                               f"parameter's Default: {refused}; choose a name by hand", fixable=False)
        skip = {path, src.path}
        others = master_username.mentions(doc, old, skip)
        said = (f"{head}, so nothing deployed carries the name; it becomes '{new}', the default master user name of "
                f"{engine} (the database user's name changes: clients must log in as '{new}')")
        if src.kind == "parameter":
            said += "; a value given for the parameter at deploy time still overrides it"
        if others:
            shown = ", ".join("/".join(map(str, p)) for p in others[:5]) + (", ..." if len(others) > 5 else "")
            said += (f"; '{old}' is also written at {shown}, not changed: change it to '{new}' by hand where it "
                     "means the database user")
        return Finding(rid, path, said, detail=("username", src, new))

    def _lookalikes(self, doc: Document) -> list[Finding]:
        """Strings the schema rejects (pattern E3031, enum E3030) only for characters that look
        like a hyphen or a space: the text as it reads is what the author typed."""
        out: list[Finding] = []
        if not lookalikes.may_hold_lookalikes(doc.text):
            return out
        for rid, res in doc.resources.items():
            rtype = res.get("Type") if isinstance(res, dict) else None
            if not isinstance(rtype, str) or not isinstance(res.get("Properties"), dict) or not schemas.resource_schema(rtype):
                continue
            for path, where, value in _strings(res["Properties"], ("Resources", rid, "Properties")):
                if not lookalikes.has_lookalikes(value):
                    continue
                schema = schemas.schema_at(rtype, where)
                new = lookalikes.plain(value)
                said = (f"{rtype}: {'/'.join(map(str, where[3:]))} {value!r} is written with characters that only look like {new!r} "
                        f"({lookalikes.named(value)})")
                enum, pattern = schema.get("enum"), schema.get("pattern")
                if isinstance(enum, list) and not schemas.enum_matches(value, enum) and schemas.enum_matches(new, enum):
                    out.append(Finding(rid, path, f"E3030 {said}: the allowed value {new!r} is meant", detail=("plain", new)))
                elif isinstance(pattern, str) and schemas.value_matches(pattern, value) is False \
                        and schemas.value_matches(pattern, new) and len(new) >= schema.get("minLength", 0):
                    out.append(Finding(rid, path, f"E3031 {said}; the schema's pattern {pattern} rejects it and "
                                       f"accepts {new!r}", detail=("plain", new)))
        return out

    def _duplicate_tags(self, checks: list[tuple[str, tuple[list, list]]]) -> list[Finding]:
        """A tag key given twice in one Tags list (E3024): a repeat with the same value goes, two
        values are reported (which one the resource should carry is the author's choice)."""
        out = []
        for rid, (repeats, _) in checks:
            for path, key, j, i, same in repeats:
                head = f"E3024 tag key {key!r} is given twice in {'/'.join(map(str, path[3:]))} (items {j} and {i})"
                if same:
                    out.append(Finding(rid, path + (i,), f"{head}; removed: it repeats item {j}, nothing is lost",
                                       detail=("drop",)))
                else:
                    out.append(Finding(rid, path + (i,), f"{head} with different values: keep the one meant by "
                                       "hand (a resource carries one value per tag key)", fixable=False))
        return out

    def _above_maximum(self, checks: list[tuple[str, tuple[list, list]]]) -> list[Finding]:
        """Limits written above the schema's maximum (E3034): a count of retries or a maximum
        becomes the highest value allowed, the most of what was asked that the service gives."""
        out = []
        for rid, (_, limits) in checks:
            for path, rtype, name, value, top in limits:
                out.append(Finding(rid, path, f"E3034 {rtype}: {name} {value} is greater than the maximum of {top}; "
                                   f"{top}, the most the service allows, is the nearest to what was asked", detail=top))
        return out

    def _secure_string(self, doc: Document, v: schemas.Violation, head: str) -> Finding:
        """A SecureString parameter CloudFormation cannot create becomes the Secrets Manager secret
        it can, when nothing in the template reads it as a parameter."""
        advice = ADVICE[("AWS::SSM::Parameter", "Type", "SecureString")]
        props = doc.value(v.path[:-1])

        def refuse(why: str) -> Finding:
            return Finding(v.resource, v.path, f"{head}; {advice}; not turned into a secret here: {why}", fixable=False)

        if not isinstance(props, dict) or any(str(k).startswith("Fn::") for k in props):
            return refuse("its properties are not a plain mapping")
        odd = [k for k in props if k not in SECRET_PROPERTIES]
        if odd:
            return refuse(f"{', '.join(odd)} has no counterpart on a secret")
        value = props.get("Value")
        if isinstance(value, str) and "{{resolve:secretsmanager:" in value:
            return refuse("its value is already a Secrets Manager secret: read that secret directly")
        users = [u for u in uses(doc.data, {v.resource}) if u.kind != "DependsOn"]
        if users:
            shown = ", ".join(dict.fromkeys("/".join(map(str, u.path[:2])) for u in users))
            return self._downgrade(doc, v, head, props, refuse(f"{shown} read it as a parameter (Ref gives a "
                                                               "parameter's name, a secret's ARN)"))
        name = props.get("Name")
        text = name if isinstance(name, str) else name.get("Fn::Sub") if isinstance(name, dict) and set(name) == {"Fn::Sub"} else None
        if isinstance(text, list):
            text = text[0] if text and isinstance(text[0], str) else None
        if "Name" in props and not isinstance(text, str):
            return refuse("its Name is computed: the readers of that name cannot be checked")
        elsewhere = {k: b for k, b in (doc.data.get("Resources") or {}).items() if k != v.resource}
        elsewhere["Outputs"] = doc.data.get("Outputs")
        found = [k for k, b in elsewhere.items() if _mentions(b, text)] if text else []
        if found:
            return self._downgrade(doc, v, head, props, refuse(
                f"{', '.join(found)} name{'s' if len(found) == 1 else ''} the parameter {text!r} (an IAM policy or a "
                "reader of the parameter would need to change with it)"))
        if _mentions(doc.data, "resolve:ssm-secure:"):
            return self._downgrade(doc, v, head, props, refuse(
                "the template reads SecureString parameters with {{resolve:ssm-secure:...}}"))
        if "Tags" in props and not isinstance(props["Tags"], dict):
            return refuse("its Tags are not a plain mapping")
        lost = [LOST[k] for k in props if k in LOST]
        kept = "name, value and KMS key" if {"KeyId", "KmsKeyId"} & set(props) else "name and value"
        said = (f"{head}; CloudFormation cannot create SecureString parameters: the parameter becomes an "
                f"AWS::SecretsManager::Secret with the same {kept}, encrypted as before (readers of the SSM "
                "parameter read the secret instead: GetSecretValue, {{resolve:secretsmanager:NAME}}, or the SSM "
                "path /aws/reference/secretsmanager/NAME)")
        if isinstance(value, str):
            said += "; the value is still written in the template, where GenerateSecretString would keep it out"
        if lost:
            said += "; lost: " + "; ".join(lost)
        return Finding(v.resource, v.path, said, detail=("secret", props))

    def _downgrade(self, doc: Document, v: schemas.Violation, head: str, props: dict, refused: Finding) -> Finding:
        """A SecureString parameter the template reads as a parameter cannot become a secret; when
        its value is already in clear text in the template, it becomes a String parameter (review):
        whoever reads the template reads the value already; encryption at rest and the KMS key
        policy are what is lost. Otherwise ``refused``, naming why it is not downgraded either."""
        def keep(why: str) -> Finding:
            return Finding(refused.resource, refused.path, f"{refused.message}; not downgraded to String: {why}",
                           fixable=False)

        if "Value" not in props:
            return keep("it has no Value to judge")
        secret = secret_source(doc, props["Value"])
        if secret:
            return keep(f"its value {secret}, a secret the template does not show")
        readers, unknown = secure_readers(doc, v.resource, props.get("Name"))
        if unknown:
            return keep(f"{unknown} cannot be compared with this parameter's name (an ssm-secure reference to a "
                        "String parameter fails)")
        keys = [k for k in ("KeyId", "KmsKeyId") if k in props]
        said = (f"{head}; CloudFormation cannot create SecureString parameters and the template reads this one as a "
                "parameter, so it cannot become a secret; its value is already in clear text in the template "
                "(whoever reads the template reads it): Type becomes String. Lost: encryption at rest and the KMS "
                "key policy as a second gate on reads (ssm:GetParameter alone now reads the value); to keep them, "
                "create the SecureString outside the stack and read it with {{resolve:ssm-secure:NAME}}, or keep "
                "the value in a Secrets Manager secret")
        if keys:
            said += f"; its {keys[0]} goes (a String parameter has no KMS key)"
        if readers:
            many = len(readers) > 1
            said += (f"; {len(readers)} reader{'s' if many else ''} of it with {{{{resolve:ssm-secure:...}}}} "
                     f"read{'' if many else 's'} it with {{{{resolve:ssm:...}}}} (an ssm-secure reference to a String "
                     "parameter fails)")
        return Finding(v.resource, v.path, said, detail=("string", keys, readers))

    def _to_string(self, doc: Document, editor: Editor, f: Finding) -> list:
        rid, keys, readers = f.resource, f.detail[1], f.detail[2]
        base = ("Resources", rid, "Properties")
        editor.set(base + ("Type",), "String")
        changes = [self.change(f, "replace", "SecureString", "String", f.message)]
        for key in keys:
            editor.remove(base + (key,))
            changes.append(self.change(
                f, "remove", doc.value(base + (key,)), None, f"a String parameter has no {key} and CloudFormation has "
                "no other place for it: lost: this KMS key no longer encrypts the value, and its key policy no "
                "longer gates who reads it", path=base + (key,)))
        for site, new in readers:
            if site.in_sub:
                set_sub(editor, site, new)
            else:
                set_at(editor, site.path, new)
            changes.append(self.change(
                f, "replace", value_of(site), {"Fn::Sub": new} if site.in_sub else new,
                f"{{{{resolve:ssm-secure:...}}}} fails on a String parameter: the reference to {rid} reads it with "
                "{{resolve:ssm:...}}, the same value", path=site.path))
        return changes

    def _to_secret(self, doc: Document, editor: Editor, f: Finding) -> list:
        rid, props = f.resource, f.detail[1]
        base = ("Resources", rid, "Properties")
        editor.set(("Resources", rid, "Type"), "AWS::SecretsManager::Secret")
        changes = [self.change(f, "replace", "AWS::SSM::Parameter", "AWS::SecretsManager::Secret", f.message,
                               path=("Resources", rid, "Type"))]
        for key, value in props.items():
            new = SECRET_PROPERTIES[key]
            if new is None:
                editor.remove(base + (key,))
                why = "a secret has no type: it is always encrypted" if key == "Type" else f"lost: {LOST[key]}"
                changes.append(self.change(f, "remove", value, None, why, path=base + (key,)))
            elif key == "Tags":
                tags = [{"Key": k, "Value": editor.source(base + ("Tags", k))} for k in value]
                editor.set(base + ("Tags",), tags)
                changes.append(self.change(f, "replace", value, [{"Key": k, "Value": v} for k, v in value.items()],
                                           "a secret takes tags as a list of Key/Value pairs", path=base + ("Tags",)))
            elif new != key:
                if new in props:
                    raise EditConflict(f"both {key} and {new} are set")
                editor.rename(base + (key,), new)
                changes.append(self.change(f, "move", key, new, f"a secret's {new} is the parameter's {key}", path=base))
        return changes

    def _management_events(self, doc: Document, v: schemas.Violation, head: str, allowed: list) -> Finding | None:
        """A CloudTrail data resource of a type that has no data events (an IAM role, a KMS key,
        a DB cluster): the API calls on it are management events, which the selector logs unless
        it says IncludeManagementEvents: false. Then the data resource adds nothing and goes;
        a list left with no item goes with it (one finding for the whole list)."""
        selector, items = doc.value(v.path[:5]), doc.value(v.path[:6])
        values = doc.value(v.path[:7] + ("Values",))
        if not (isinstance(selector, dict) and isinstance(items, list)):
            return Finding(v.resource, v.path, f"{head}; {CLOUDTRAIL_MANAGEMENT}", fixable=False)
        if selector.get("IncludeManagementEvents", True) is not True:
            return Finding(v.resource, v.path, f"{head}; {CLOUDTRAIL_MANAGEMENT}, which this selector leaves out "
                           "(IncludeManagementEvents: false): include them, or remove the data resource", fixable=False)
        lost = " (management events cover every resource: the ARNs its Values name too)" if values else ""
        said = f"{head}; {CLOUDTRAIL_MANAGEMENT}, which this selector already logs: the data resource is removed{lost}"
        plain = [i for i, item in enumerate(items) if isinstance(item, dict) and item.get("Type") not in allowed
                 and isinstance(item.get("Type"), str) and RESOURCE_TYPE.fullmatch(item["Type"])]
        if len(plain) == len(items):  # none left: the list goes, through the first of its findings
            if v.path[6] != plain[0]:
                return None
            return Finding(v.resource, v.path[:6], said + "; no data resource is left, nor the DataResources list",
                           detail=("drop",))
        return Finding(v.resource, v.path[:7], said, detail=("drop",))

    def _cloudtrail(self, doc: Document, v: schemas.Violation, head: str) -> Finding:
        values = doc.value(v.path[:-1] + ("Values",))
        if not isinstance(values, list) or not values:
            return Finding(v.resource, v.path, f"{head}; {CLOUDTRAIL_S3}", fixable=False)
        new = [object_selector(item) for item in values]
        if any(n is None for n in new):
            return Finding(v.resource, v.path, f"{head}; {CLOUDTRAIL_S3} (a value here is not a bucket ARN "
                           "this fixer can extend: change it by hand)", fixable=False)
        changed = {i: n for i, (n, old) in enumerate(zip(new, values)) if n != old}
        return Finding(v.resource, v.path, f"{head}; {CLOUDTRAIL_S3}: Type becomes AWS::S3::Object and each "
                       "bucket ARN ends in /", detail=("cloudtrail", changed))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        special = (("cloudtrail",), ("secret",), ("string",), ("drop",), ("plain",), ("username",))
        plain = [f for f in findings if not (isinstance(f.detail, tuple) and f.detail[:1] in special)]
        fix = self.set_details(doc, plain)
        editor = Editor(doc)
        changes = []
        for f in findings:
            if f in plain:
                continue
            if f.detail[0] == "secret":
                with editor.finding(f):
                    changes += self._to_secret(doc, editor, f)
                continue
            if f.detail[0] == "plain":
                with editor.finding(f):
                    self._plain(doc, editor, f.path, f.detail[1])
                    changes.append(self.change(f, "replace", doc.value(f.path), f.detail[1], f.message, safety=Safety.SAFE))
                continue
            if f.detail[0] == "string":
                with editor.finding(f):
                    changes += self._to_string(doc, editor, f)
                continue
            if f.detail[0] == "username":
                with editor.finding(f):
                    changes += self._username(doc, editor, f, f.detail[1], f.detail[2])
                continue
            if f.detail[0] == "drop":
                with editor.finding(f):
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", doc.value(f.path), None, f.message, safety=Safety.SAFE))
                continue
            with editor.finding(f):
                editor.set(f.path, "AWS::S3::Object")
                values = f.path[:-1] + ("Values",)
                for i, new in f.detail[1].items():
                    editor.set(values + (i,), new)
                changes.append(self.change(f, "replace", "AWS::S3::Bucket", "AWS::S3::Object", f.message))
                changes += [self.change(f, "replace", doc.value(values + (i,)), new, "S3 data events: the bucket "
                                        "ARN ends in / to select every object", path=values + (i,))
                            for i, new in f.detail[1].items()]
        more = Fix.of(editor, changes)
        return Fix(fix.edits + more.edits, fix.changes + more.changes, fix.unfixed + more.unfixed)

    def _username(self, doc: Document, editor: Editor, f: Finding, src: master_username.Source, new: str) -> list:
        """Write ``new`` where the master user name is written (see ``_reserved_username``)."""
        if src.kind != "secret":
            set_at(editor, src.path, new)
            return [self.change(f, "replace", src.name, new, f.message, path=src.path)]
        text = doc.value(src.path)
        text = text["Fn::Sub"] if src.in_sub else text
        after = master_username.with_name(text, new)
        at = editor_path(doc, src.path + (("Fn::Sub",) if src.in_sub else ()))
        if text.count(src.name) == 1:
            editor.replace_text(at, src.name, new)
        else:
            editor.set(at, after)
        before = {"Fn::Sub": text} if src.in_sub else text
        return [self.change(f, "replace", before, {"Fn::Sub": after} if src.in_sub else after, f.message,
                            path=src.path)]

    @staticmethod
    def _plain(doc: Document, editor: Editor, path: tuple, new: str) -> None:
        """Replace the look-alike characters of the string at ``path`` in its own text (quotes
        kept); a string whose text spells them otherwise (a JSON \\u escape) is written anew."""
        value, at = doc.value(path), editor_path(doc, path)
        node = doc.node(at)
        source = doc.text[node.start:node.end] if node is not None else ""
        odd = [c for c in dict.fromkeys(value) if lookalikes.has_lookalikes(c)]
        if node is None or any(source.count(c) != value.count(c) for c in odd):
            editor.set(at, new)
            return
        for c in odd:
            editor.replace_text(at, c, lookalikes.plain(c))


# Names of properties that set a limit or a count of tries: above the maximum, the maximum is meant.
LIMIT_NAMES = re.compile(r"^Max|Maximum|Retr(y|ies)|Attempts")


def _length_fits(param: dict, text: str) -> bool:
    """Whether ``text`` fits a parameter's MinLength and MaxLength (those that are numbers)."""
    low, high = _number(param.get("MinLength")), _number(param.get("MaxLength"))
    return (low is None or len(text) >= low) and (high is None or len(text) <= high)


def _strings(value: Any, path: tuple, where: tuple | None = None) -> Iterator[tuple[tuple, tuple, str]]:
    """(path, schema path, text) of every literal string under ``value``, the branches of an
    ``Fn::If`` included (their schema path is the one of the Fn::If); what other intrinsics
    compute is left out."""
    where = path if where is None else where
    if isinstance(value, str):
        yield path, where, value
    elif isinstance(value, dict):
        if len(value) == 1 and (str(next(iter(value))) in ("Ref", "Condition") or str(next(iter(value))).startswith("Fn::")):
            args = value.get("Fn::If")
            if isinstance(args, list) and len(args) == 3:
                for i in (1, 2):
                    yield from _strings(args[i], path + ("Fn::If", i), where)
            return
        for k, v in value.items():
            yield from _strings(v, path + (k,), where + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,), where + (i,))


def _per_resource(doc: Document) -> list[tuple[str, tuple[list, list]]]:
    """(logical id, (repeated tag keys, limits above the maximum)) of each resource with a
    ``Properties`` mapping, in order; see :func:`_resource_checks`.

    Both depend on the resource's own entry alone (its type, and ``property_literals``, which is
    derived from its properties) and the region, so an entry a fix left alone keeps them from
    the document before (``memo.entrywise``, one name per region): a re-run after a fix checks
    only the resources the fix touched."""
    literals = property_literals(doc)
    resources = doc.resources
    entries = [(rid, resources[rid]) for rid in literals]
    found = entrywise(f"allowed_value.checks.{schemas.region()}", entries,
                      lambda rid, res: _resource_checks(res, literals[rid]))
    return list(zip(literals, found))


def _resource_checks(res: dict, nodes: list[tuple[tuple, Any]]) -> tuple[list, list]:
    """(path of the list, key, first item, repeating item, same value) of each tag key given twice
    in a Tags list, and (path, type, name, value, maximum) of each limit above its schema's
    maximum, among a resource's ``property_literals``.

    Why the ``mentions`` pre-check is exact: ``schema_at`` only follows the type's own schema
    (its ``$ref`` are local), so where no object of it has a ``maximum`` no place has one."""
    repeats = []
    for path, tags in _tag_lists(nodes):
        first: dict = {}
        for i, tag in enumerate(tags):
            if not (isinstance(tag, dict) and isinstance(tag.get("Key"), str)):
                continue
            key = tag["Key"]
            if key not in first:
                first[key] = (i, tag)
                continue
            j, earlier = first[key]
            same = json.dumps(earlier, sort_keys=True, default=str) == json.dumps(tag, sort_keys=True, default=str)
            repeats.append((path, key, j, i, same))
    limits = []
    rtype = res.get("Type")
    # a type whose schema has no maximum anywhere (two resources in three) has nothing to compare
    if isinstance(rtype, str) and schemas.resource_schema(rtype) and schemas.mentions(rtype, "maximum"):
        for path, value in _numbers(nodes):
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            if not LIMIT_NAMES.search(name):
                continue
            top = schemas.schema_at(rtype, path).get("maximum")
            if isinstance(top, (int, float)) and not isinstance(top, bool) and value > top:
                limits.append((path, rtype, name, value, top))
    return repeats, limits


def _tag_lists(nodes: list[tuple[tuple, Any]]):
    """(path, list) of every ``Tags`` list among a resource's ``property_literals``."""
    return ((p, v) for p, v in nodes if p[-1] == "Tags" and isinstance(v, list))  # a path is never empty


def _numbers(nodes: list[tuple[tuple, Any]]):
    """(path, number) of every number (booleans aside) among a resource's ``property_literals``."""
    return ((p, v) for p, v in nodes if isinstance(v, (int, float)) and not isinstance(v, bool))


def _mentions(value: Any, text: str) -> bool:
    """Whether a string anywhere in ``value`` contains ``text``."""
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_mentions(k, text) or _mentions(v, text) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, text) for v in value)
    return False


SECURE_REFERENCE = re.compile(r"\{\{resolve:ssm-secure:((?:\$\{[^}]*\}|[^}])*)\}\}")  # a Sub variable may end the name
CUSTOM_TYPES = ("AWS::CloudFormation::CustomResource",)
# intrinsics whose result is built from their arguments only: clear text when the arguments are
CLEAR_CALLS = ("Fn::Join", "Fn::Select", "Fn::Split", "Fn::Base64", "Fn::FindInMap", "Fn::GetAZs", "Fn::Cidr",
               "Fn::ToJsonString", "Fn::Length")


def secret_source(doc: Document, value: Any) -> str | None:
    """What makes ``value`` a secret the template does not show (a NoEcho parameter, a dynamic
    reference, a custom resource's attribute, another stack's export), said as "... reads X";
    None when it is built only from literals, pseudo parameters, resources' Refs, attributes of
    non-custom resources and parameters that are not NoEcho."""
    if isinstance(value, str):
        return "reads a dynamic reference ({{resolve:...}})" if "{{resolve:" in value else None
    if isinstance(value, list):
        return next((why for why in (secret_source(doc, item) for item in value) if why), None)
    if not isinstance(value, dict):
        return None
    call = intrinsic(value)
    if call is None:
        return next((why for why in (secret_source(doc, item) for item in value.values()) if why), None)
    name, arg = call
    if name == "Ref":
        return _ref_secret(doc, arg)
    if name == "Fn::GetAtt":
        target = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
        return _attribute_secret(doc, target) or (secret_source(doc, arg[1:]) if isinstance(arg, list) else None)
    if name == "Fn::Sub":
        text, local = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
        if not isinstance(text, str) or not isinstance(local, dict):
            return "is computed in a form this fixer does not read"
        if "{{resolve:" in text:
            return "reads a dynamic reference ({{resolve:...}})"
        for var in sub_variables(text):
            if var in local:
                continue
            why = _attribute_secret(doc, var.split(".", 1)[0]) if "." in var else _ref_secret(doc, var)
            if why:
                return why
        return secret_source(doc, list(local.values()))
    if name == "Fn::If":
        return secret_source(doc, arg[1:] if isinstance(arg, list) else arg)
    if name == "Fn::ImportValue":
        return "reads an export of another stack (Fn::ImportValue), which may hold a secret"
    if name in CLEAR_CALLS:
        return secret_source(doc, arg)
    return f"is computed with {name}, which this fixer does not judge"


def _ref_secret(doc: Document, name: Any) -> str | None:
    if not isinstance(name, str):
        return "reads a reference this fixer does not read"
    if name.startswith("AWS::") or name in doc.resources:
        return None
    param = parameter(doc, name)
    if param is None:
        return f"reads {name}, which is defined nowhere"
    if str(param.get("NoEcho", "")).lower() == "true":
        return f"reads the NoEcho parameter {name}"
    return None


def _attribute_secret(doc: Document, target: Any) -> str | None:
    res = doc.resources.get(target) if isinstance(target, str) else None
    rtype = res.get("Type") if isinstance(res, dict) else None
    if not isinstance(rtype, str):
        return f"reads an attribute of {target}, whose type is not known"
    if rtype.startswith("Custom::") or rtype in CUSTOM_TYPES:
        return f"reads an attribute of the custom resource {target} (whatever its function returns)"
    return None


def secure_readers(doc: Document, rid: str, name: Any) -> tuple[list[tuple[StringSite, str]], str]:
    """The strings of the template (outside resource ``rid``) that read the SSM parameter ``rid``
    named ``name`` with ``{{resolve:ssm-secure:NAME}}``, each with its text reading it with
    ``{{resolve:ssm:NAME}}`` instead; and, when some ssm-secure reference may or may not name it
    (a computed name, a reference built from pieces), where that reference is ("" when none)."""
    if isinstance(name, dict) and set(name) == {"Fn::Sub"}:
        arg = name["Fn::Sub"]
        form: tuple[str, bool] | None = (arg, True) if isinstance(arg, str) else \
            (arg[0], True) if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[1] == {} else None
    else:
        form = (name, False) if isinstance(name, str) else None
    data = doc.data if isinstance(doc.data, dict) else {}
    sites: list[StringSite] = []
    for section, body in data.items():
        if section == "Resources" and isinstance(body, dict):
            for key, res in body.items():
                if key != rid:
                    sites += string_sites(res, ("Resources", key))
        else:
            sites += string_sites(body, (section,))
    others = {k: b for k, b in (data.get("Resources") or {}).items() if k != rid} if isinstance(data.get("Resources"), dict) else {}
    total = _count(others, "{{resolve:ssm-secure:") + sum(_count(b, "{{resolve:ssm-secure:") for k, b in data.items() if k != "Resources")
    seen, out = 0, []
    for site in sites:
        if "{{resolve:ssm-secure:" not in site.text:
            continue
        seen += site.text.count("{{resolve:ssm-secure:")
        where = "/".join(map(str, site.path[:2]))
        matches = list(SECURE_REFERENCE.finditer(site.text))
        if len(matches) < site.text.count("{{resolve:ssm-secure:"):
            return [], f"a {{{{resolve:ssm-secure:...}}}} reference in {where} built from pieces"
        call = doc.value(site.path) if site.in_sub else None
        local = set(call["Fn::Sub"][1]) if isinstance(call, dict) and isinstance(call.get("Fn::Sub"), list) \
            and len(call["Fn::Sub"]) == 2 and isinstance(call["Fn::Sub"][1], dict) else set()
        same = []
        for m in matches:
            verdict = _same_name(re.sub(r":\d+$", "", m.group(1)), site.in_sub, local, rid, form,
                                 form is None and name is not None)
            if verdict is None:
                return [], f"the reference {m.group(0)} in {where}"
            if verdict:
                same.append(m)
        if same:
            new = site.text
            for m in reversed(same):
                new = new[:m.start()] + m.group(0).replace("resolve:ssm-secure:", "resolve:ssm:", 1) + new[m.end():]
            out.append((site, new))
    if seen < total:
        return [], "a {{resolve:ssm-secure:...}} reference in a place this fixer does not read"
    return out, ""


def _same_name(ref: str, in_sub: bool, local: set, rid: str, form: tuple[str, bool] | None,
               computed: bool) -> bool | None:
    """Whether the ssm-secure reference ``ref`` names the parameter ``rid`` of name ``form``
    ((text, is a Sub template), None when ``computed`` or absent); None when it cannot be told."""
    names = sub_variables(ref) if in_sub else []
    if in_sub and ref.strip() == "${%s}" % rid:
        return True  # the parameter's Ref is its name
    if any(n in local or n.split(".", 1)[0] == rid for n in names):
        return None
    if form is None:  # no Name: the one CloudFormation generates is written nowhere but through ${rid}
        return False if not names and not computed else None
    text, is_sub = form
    name_vars = sub_variables(text) if is_sub else []
    if not name_vars:
        if not names:
            return ref == text
        return None if _wildcard(ref).fullmatch(text) else False
    if in_sub and ref == text:
        return True
    if _wildcard(text).fullmatch(ref) or (names and _wildcard(ref).fullmatch(text)):
        return None
    return False


def _wildcard(template: str) -> re.Pattern:
    """``template`` as a pattern where each ``${...}`` stands for any text."""
    return re.compile(".+".join(re.escape(part) for part in re.split(r"\$\{(?!!)[^}]*\}", template)), re.S)


def _count(value: Any, text: str) -> int:
    """How many times ``text`` occurs in the strings of ``value``."""
    if isinstance(value, str):
        return value.count(text)
    if isinstance(value, dict):
        return sum(_count(k, text) + _count(v, text) for k, v in value.items())
    if isinstance(value, list):
        return sum(_count(v, text) for v in value)
    return 0
