"""Property values outside the set the schema allows (cfn-lint E3030), moved to the one sensible neighbour."""

from __future__ import annotations

from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

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
CLOUDTRAIL_S3 = (
    "S3 data events are selected with Type AWS::S3::Object and Values such as "
    "arn:aws:s3:::BUCKET/ (all objects of a bucket); bucket-level calls are management events")


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
    lint_rules = ('E3030',)
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
    - Anything else is reported with the allowed values. `AWS::SSM::Parameter` with
      `Type: SecureString` (CloudFormation cannot create one) is reported with the alternatives
      (a Secrets Manager secret, or a `{{resolve:ssm-secure:...}}` reference); it is never
      downgraded to a plain `String`, as circulating fixes do, which would store a secret in
      clear text.

    ## Example
    ```yaml
    # before
    RetentionInDays: 2555
    # after
    RetentionInDays: 2557
    ```

    ## Fix safety
    Review: the value changes (a longer retention costs more storage; a renamed mode is the
    same mode).
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for v in schemas.violations(doc):
            if v.kind != "enum":
                continue
            allowed = v.schema["enum"]
            shown = ", ".join(map(str, allowed[:12])) + (", ..." if len(allowed) > 12 else "")
            prop = next(p for p in reversed(v.path) if isinstance(p, str))
            head = f"E3030 {v.type_name}: {prop} {v.value!r} is not one of the allowed values ({shown})"
            if (v.type_name, prop, v.value) == ("AWS::CloudTrail::Trail", "Type", "AWS::S3::Bucket"):
                findings.append(self._cloudtrail(doc, v, head))
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
        return findings

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
        plain = [f for f in findings if not (isinstance(f.detail, tuple) and f.detail[:1] == ("cloudtrail",))]
        fix = self.set_details(doc, plain)
        editor = Editor(doc)
        changes = []
        for f in findings:
            if f in plain:
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
