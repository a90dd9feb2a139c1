"""AWS Config's per-account singletons (recorder, delivery channel) behind a create switch."""

from __future__ import annotations

import re
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.conditions import Switch, condition_parameters, is_switch
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.usage import Use, prune_depends_on, uses, wrap_point

RECORDER = "AWS::Config::ConfigurationRecorder"
CHANNEL = "AWS::Config::DeliveryChannel"
_NO_VALUE = {"Ref": "AWS::NoValue"}


def _parameter_name(raw: Any) -> str:
    if not isinstance(raw, str) or not re.fullmatch(r"[A-Za-z0-9]{1,255}", raw):
        raise ValueError("an alphanumeric parameter name")
    return raw


class ConfigSingletons(Fixer):
    name = "config-singletons"
    summary = "Put the AWS Config recorder and delivery channel behind a CreateConfigRecorder parameter (default: do not create)"
    group = "qa"
    resource_types = (RECORDER, CHANNEL)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("parameter", "CreateConfigRecorder",
               "name of the true/false parameter that creates the recorder and delivery channel", parse=_parameter_name),
    )
    docs = """
    ## What it detects
    `AWS::Config::ConfigurationRecorder` and `AWS::Config::DeliveryChannel` resources that are
    created unconditionally, or under a condition that does not read the switch parameter
    (`CreateConfigRecorder` unless the `parameter` option names another).

    ## Why it matters
    AWS Config allows one configuration recorder and one delivery channel per account and
    region. A shared test account (or any account with AWS Config or Control Tower set up)
    already has them, so the stack fails with `MaxNumberOfConfigurationRecordersExceededException`
    and rolls back; in parallel test runs only the first stack can ever hold them.

    ## What the fix does
    - adds the parameter `CreateConfigRecorder` (`String`, `AllowedValues: [true, false]`,
      `Default: false`) and the condition `ShouldCreateConfigRecorder` (an existing parameter
      of that name is reused when it is such a switch, an existing `Fn::Equals` condition on it too);
    - gives the recorder and the channel `Condition: ShouldCreateConfigRecorder`; a resource that
      already has a condition gets a new condition, `Fn::And` of both;
    - removes `DependsOn` entries naming them (a `DependsOn` on a resource that may not exist
      is invalid). Config rules and conformance packs work with the account's existing recorder;
    - wraps other `Ref`/`Fn::GetAtt`/`Fn::Sub` uses standing alone as a value in
      `Fn::If [ShouldCreateConfigRecorder, <use>, !Ref AWS::NoValue]`;
    - gives Outputs that name them the condition.

    The recorder's IAM role, the delivery bucket and its policy are kept: they are harmless
    without the recorder, other resources often use them, and conditioning them would spread the
    condition through the template.

    Reported, and nothing changed: a use inside another function (`Fn::Join`, a `Fn::Sub`
    variable, ...) where `AWS::NoValue` is not allowed, or an existing parameter of the switch's
    name that is not a true/false parameter.

    ## Example
    ```yaml
    # before
    Recorder:
      Type: AWS::Config::ConfigurationRecorder
      Properties:
        RoleARN: !GetAtt ConfigRole.Arn
    S3Rule:
      Type: AWS::Config::ConfigRule
      DependsOn: Recorder
      Properties:
        Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
    # after
    Parameters:
      CreateConfigRecorder:
        Type: String
        Default: 'false'
        AllowedValues: ['true', 'false']
    Conditions:
      ShouldCreateConfigRecorder: !Equals [!Ref CreateConfigRecorder, 'true']
    Resources:
      Recorder:
        Type: AWS::Config::ConfigurationRecorder
        Properties:
          RoleARN: !GetAtt ConfigRole.Arn
        Condition: ShouldCreateConfigRecorder
      S3Rule:
        Type: AWS::Config::ConfigRule
        Properties:
          Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
    ```

    ## Fix safety
    Review: with the default (`false`) an update of a deployed stack deletes its recorder and
    delivery channel. Deploy with `CreateConfigRecorder=true` in an account and region without
    AWS Config. Config rules lose their ordering after the recorder: in a fresh account with
    `CreateConfigRecorder=true` a rule may be created before the recorder; deploy the stack
    once more if that happens, or keep the rules in an account that already records.
    """

    def find(self, doc: Document) -> list[Finding]:
        singletons = [rid for rid, _ in doc.resources_of_type(RECORDER, CHANNEL)]
        if not singletons:
            return []
        param = self.config["parameter"]
        data = doc.data
        conditions = data.get("Conditions")
        todo = [rid for rid in singletons if param not in condition_parameters(conditions, doc.resources[rid].get("Condition"))]
        if not todo:
            return []
        where = ("Resources", todo[0])
        lead = (f"{', '.join(todo)}: AWS Config allows one configuration recorder and one delivery channel per "
                "account and region, so an account that has them rejects this stack")
        params = data.get("Parameters")
        if isinstance(params, dict) and param in params and not is_switch(params[param]):
            return [Finding(todo[0], where, f"{lead}; not made optional: parameter {param} exists and is not a "
                                            "true/false switch (choose another name with the 'parameter' option)", fixable=False)]
        if any(not isinstance(doc.resources[rid].get("Condition", ""), str) for rid in todo):
            return [Finding(todo[0], where, f"{lead}; not made optional: a Condition that is not a name", fixable=False)]
        blocked = [u for u in uses(data, set(todo)) if self._blocked(doc, u, todo)]
        # a required top-level property, or a use inside another function
        if blocked:
            spots = ", ".join("/".join(map(str, u.path)) for u in blocked)
            return [Finding(todo[0], where, f"{lead}; not made optional: they are used where AWS::NoValue cannot stand "
                                            f"({spots}); make those uses conditional by hand", fixable=False)]
        return [Finding(todo[0], where, lead, detail=todo)]

    @staticmethod
    def _blocked(doc: Document, use: Use, todo: list[str]) -> bool:
        if use.section == "Outputs" or use.kind == "DependsOn":
            return False
        if use.owner in todo and doc.resources[use.owner].get("Condition") == doc.resources[use.target].get("Condition"):
            return False  # both get the same condition
        return wrap_point(doc.data, use) is None

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        f = findings[0]
        todo: list[str] = f.detail
        param = self.config["parameter"]
        with editor.finding(f):
            switch = Switch(editor, param, "Set to true only in an account and region without an AWS Config recorder "
                                           "and delivery channel (AWS Config allows one of each)",
                            "Should" + param)
            original = {rid: doc.resources[rid].get("Condition") for rid in todo}
            effective = {rid: switch.combined(original[rid]) for rid in todo}
            found = uses(doc.data, set(todo))
            out_conditions: dict[str, list[str]] = {}
            dropped: dict[str, set[str]] = {}
            wrapped: dict[tuple, list] = {}  # wrap point -> original conditions of what it names
            for use in found:
                cond = effective[use.target]
                if use.section == "Outputs":
                    out_conditions.setdefault(use.owner, []).append(original[use.target])
                elif use.kind == "DependsOn":
                    if use.owner in todo and effective[use.owner] == cond:
                        continue
                    dropped.setdefault(use.owner, set()).add(use.target)
                elif doc.resources[use.owner].get("Condition") != cond and effective.get(use.owner) != cond:
                    point = wrap_point(doc.data, use)
                    if point is None:  # find() reports a template with such a use
                        raise EditConflict(f"{'/'.join(map(str, use.path))} cannot be made conditional")
                    wrapped.setdefault(point, []).append(original[use.target])
            for rid in todo:
                old = doc.resources[rid].get("Condition")
                new = effective[rid]
                editor.set(("Resources", rid, "Condition"), new)
                changes.append(self.change(
                    f, "replace" if old is not None else "add", old, new,
                    f"{rid} is created only when {param} is 'true': AWS Config allows one "
                    f"{'recorder' if doc.resources[rid].get('Type') == RECORDER else 'delivery channel'} per account and region",
                    path=("Resources", rid, "Condition")))
            for rid, drop in dropped.items():
                before_after = prune_depends_on(editor, rid, drop)
                if before_after is None:
                    continue
                before, after = before_after
                rtype = doc.resources[rid].get("Type")
                why = ("it works with the account's existing recorder" if isinstance(rtype, str) and rtype.startswith("AWS::Config::")
                       else "it is no longer ordered after them")
                changes.append(self.change(
                    f, "remove" if after is None else "replace", before, after,
                    f"DependsOn on {', '.join(sorted(drop))} removed from {rid}: {'it' if len(drop) == 1 else 'they'} "
                    f"may not exist (see {param}); {why}",
                    path=("Resources", rid, "DependsOn")))
            for path in sorted(wrapped, key=len):  # one wrap around uses nested in another's wrap
                for inner in [p for p in wrapped if len(p) > len(path) and p[: len(path)] == path]:
                    wrapped[path] += wrapped.pop(inner)
            for path, conds in wrapped.items():
                cond = switch.combined(*conds)
                before = doc.value(path)
                after = {"Fn::If": [cond, before, _NO_VALUE]}
                editor.set(path, after)
                changes.append(self.change(f, "replace", before, after,
                                           f"dropped (AWS::NoValue) when {cond} is false: it names an AWS Config singleton", path=path))
            outputs = doc.data.get("Outputs")
            for oid, conds in out_conditions.items():
                old = outputs[oid].get("Condition")
                combined = switch.combined(old, *conds) if isinstance(old, str) or old is None else None
                if combined is None or combined == old:
                    continue
                editor.set(("Outputs", oid, "Condition"), combined)
                changes.append(self.change(f, "replace" if old is not None else "add", old, combined,
                                           f"output {oid} names the AWS Config singletons: it exists only when they do",
                                           path=("Outputs", oid, "Condition")))
            for path, body, message in switch.additions:
                editor.set(path, body)
                changes.append(self.change(f, "add", None, body, message, path=path))
        return Fix.of(editor, changes)
