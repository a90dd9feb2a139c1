"""Property values outside the set the schema allows (cfn-lint E3030, E3031 for look-alike characters), moved to
the one sensible neighbour."""

from __future__ import annotations

import json
import re

from typing import Any, Iterator

from cfnfix import lookalikes, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.nodepath import editor_path
from cfnfix.usage import uses
from cfnfix.values import literal_nodes

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
      output naming the parameter's name (an IAM policy on `parameter/...`), a
      `{{resolve:ssm-secure:...}}`, a computed `Name` or a value that already resolves a secret
      make it a report with the alternatives. It is never downgraded to a plain `String`, as
      circulating fixes do, which would store a secret in clear text.
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
    instead (`GetSecretValue`, or the SSM path `/aws/reference/secretsmanager/NAME`).
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
        return findings + self._above_maximum(doc) + self._duplicate_tags(doc)

    def _lookalikes(self, doc: Document) -> list[Finding]:
        """Strings the schema rejects (pattern E3031, enum E3030) only for characters that look
        like a hyphen or a space: the text as it reads is what the author typed."""
        out = []
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

    def _duplicate_tags(self, doc: Document) -> list[Finding]:
        """A tag key given twice in one Tags list (E3024): a repeat with the same value goes, two
        values are reported (which one the resource should carry is the author's choice)."""
        out = []
        for rid, res in doc.resources.items():
            props = res.get("Properties") if isinstance(res, dict) else None
            if not isinstance(props, dict):
                continue
            for path, tags in _tag_lists(props, ("Resources", rid, "Properties")):
                first: dict = {}
                for i, tag in enumerate(tags):
                    if not (isinstance(tag, dict) and isinstance(tag.get("Key"), str)):
                        continue
                    key = tag["Key"]
                    if key not in first:
                        first[key] = (i, tag)
                        continue
                    j, earlier = first[key]
                    head = f"E3024 tag key {key!r} is given twice in {'/'.join(map(str, path[3:]))} (items {j} and {i})"
                    if json.dumps(earlier, sort_keys=True, default=str) == json.dumps(tag, sort_keys=True, default=str):
                        out.append(Finding(rid, path + (i,), f"{head}; removed: it repeats item {j}, nothing is lost",
                                           detail=("drop",)))
                    else:
                        out.append(Finding(rid, path + (i,), f"{head} with different values: keep the one meant by "
                                           "hand (a resource carries one value per tag key)", fixable=False))
        return out

    def _above_maximum(self, doc: Document) -> list[Finding]:
        """Limits written above the schema's maximum (E3034): a count of retries or a maximum
        becomes the highest value allowed, the most of what was asked that the service gives."""
        out = []
        for rid, res in doc.resources.items():
            rtype = res.get("Type") if isinstance(res, dict) else None
            if not isinstance(rtype, str) or not isinstance(res.get("Properties"), dict) or not schemas.resource_schema(rtype):
                continue
            for path, value in _numbers(res["Properties"], ("Resources", rid, "Properties")):
                name = next((p for p in reversed(path) if isinstance(p, str)), "")
                if not LIMIT_NAMES.search(name):
                    continue
                top = schemas.schema_at(rtype, path).get("maximum")
                if isinstance(top, (int, float)) and not isinstance(top, bool) and value > top:
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
        if "Tags" in props and not isinstance(props["Tags"], dict):
            return refuse("its Tags are not a plain mapping")
        users = [u for u in uses(doc.data, {v.resource}) if u.kind != "DependsOn"]
        if users:
            shown = ", ".join(dict.fromkeys("/".join(map(str, u.path[:2])) for u in users))
            return refuse(f"{shown} read it as a parameter (Ref gives a parameter's name, a secret's ARN)")
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
            return refuse(f"{', '.join(found)} name{'s' if len(found) == 1 else ''} the parameter {text!r} (an IAM "
                          "policy or a reader of the parameter would need to change with it)")
        if _mentions(doc.data, "resolve:ssm-secure:"):
            return refuse("the template reads SecureString parameters with {{resolve:ssm-secure:...}}")
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
        plain = [f for f in findings if not (isinstance(f.detail, tuple)
                                             and f.detail[:1] in (("cloudtrail",), ("secret",), ("drop",), ("plain",)))]
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


def _tag_lists(value: Any, path: tuple):
    """(path, list) of every literal ``Tags`` list under ``value``."""
    return ((p, v) for p, v in literal_nodes(value, path) if p[-1:] == ("Tags",) and isinstance(v, list))


def _numbers(value: Any, path: tuple):
    """(path, number) of every literal number under ``value`` (booleans aside)."""
    return ((p, v) for p, v in literal_nodes(value, path) if isinstance(v, (int, float)) and not isinstance(v, bool))


def _mentions(value: Any, text: str) -> bool:
    """Whether a string anywhere in ``value`` contains ``text``."""
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_mentions(k, text) or _mentions(v, text) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, text) for v in value)
    return False
