"""Literal physical names that collide when two copies of a stack share an account."""

from __future__ import annotations

import re
from typing import Any, Iterator

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.memo import cached
from cfnfix.literals import StringSite, escape, intrinsic, set_sub, string_sites, sub_variables, template_of, value_of
from cfnfix.names import NAME_PROPERTIES, NameRule, TextIndex, occurs_in, replace_occurrences, split_fifo
from cfnfix.parameters import accepts, add_parameter, is_parameter, max_length, parameter
from cfnfix.schemas import resource_schema
from cfnfix.text_checks import entry_check

PARAMETER = "EnvironmentSuffix"
PARAMETER_MAX = 10
PARAMETER_BODY = {
    "Type": "String",
    "Default": "dev",
    "Description": "Suffix that keeps resource names unique when several copies of this stack share an account",
    "AllowedPattern": "^[a-z0-9]+$",
    "MaxLength": PARAMETER_MAX,
    "ConstraintDescription": "lowercase letters and digits, at most 10",
}
STACK_NAME_BUDGET = 32  # stack names can be 128 characters; budgets assume test stacks stay within 32
# Longest expansion of the pseudo parameters a name may already use (for length checks).
PSEUDO_LENGTHS = {"AWS::AccountId": 12, "AWS::Region": 14, "AWS::Partition": 10, "AWS::URLSuffix": 16}
# Already unique per stack: anything built from these.
UNIQUE_PSEUDO = ("AWS::StackName", "AWS::StackId")
# Where a name written out elsewhere cannot be rewritten (Fn::Sub is not allowed, or it is code).
UNREWRITABLE = ("Mappings", "Parameters", "Conditions", "Metadata", "Rules")
CODE_KEYS = ("ZipFile", "InlineCode")
SERVICE_OWNED = "service-owned"  # the detail of the report on a log group a service names
# Log groups services write to under names they make from their resource's (the service's docs):
# Lambda functions, CodeBuild projects (by default), Image Builder images, database log exports
# (RDS, DocumentDB, Neptune, Redshift), EKS control planes, ECS Container Insights, AppSync
# APIs, Batch jobs, Elastic Beanstalk environments, SageMaker, Amazon MQ brokers
SERVICE_LOG_GROUPS = ("/aws/lambda/", "/aws/codebuild/", "/aws/imagebuilder/", "/aws/rds/", "/aws/docdb/",
                      "/aws/neptune/", "/aws/redshift/", "/aws/eks/", "/aws/ecs/containerinsights/",
                      "/aws/appsync/apis/", "/aws/batch/job", "/aws/elasticbeanstalk/", "/aws/sagemaker/",
                      "/aws/amazonmq/")


def _prose(key: str) -> bool:
    return isinstance(key, str) and key.endswith("Description")


def _unique(doc: Document, value: Any) -> bool:
    """Whether a computed name already differs per stack (stack name, a parameter, EnvironmentSuffix)."""
    if isinstance(value, str):
        return PARAMETER in value
    if isinstance(value, list):
        return any(_unique(doc, v) for v in value)
    if not isinstance(value, dict):
        return False
    call = intrinsic(value)
    if call:
        name, arg = call
        if name == "Ref":
            return arg in UNIQUE_PSEUDO or is_parameter(doc, arg) or arg == PARAMETER
        if name == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(text, str) and any(v in UNIQUE_PSEUDO or is_parameter(doc, v) or v == PARAMETER
                                             for v in sub_variables(text)):
                return True
    return any(_unique(doc, v) for v in value.values())


def _service_owned(name: str) -> bool:
    """Whether a log group name is one a service writes to by its own convention, from the name
    of its resource (``/aws/lambda/<function>``); other ``/aws/`` names (``/aws/vpc/flowlogs``,
    ``/aws/vendedlogs/...``) are chosen freely and handed to the service."""
    return name.startswith(SERVICE_LOG_GROUPS)


def _expanded_length(template: str) -> int:
    """Longest length a Sub template of pseudo parameters can expand to."""
    return len(re.sub(r"\$\{([^}]*)\}", lambda m: "x" * PSEUDO_LENGTHS.get(m.group(1).strip(), 0), template))


def _all_strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every string value in ``value`` (and Fn::Sub templates), for finding names written out."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _all_strings(item, path + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _prose(key):
                yield from _all_strings(item, path + (key,))


class UniqueNames(Fixer):
    name = "unique-names"
    summary = "Give literal physical names (BucketName, RoleName, TableName, ...) a per-stack suffix"
    group = "qa"
    # find() looks only at resources of the types NAME_PROPERTIES names: a template without one
    # has no name to report, and the engine need not ask
    resource_types = tuple(NAME_PROPERTIES)
    safety = Safety.REVIEW
    default = False
    options = (
        Option("suffix", "parameter",
               "`parameter`: append `-${EnvironmentSuffix}` (the parameter is added when missing); "
               "`stack-name`: append `-${AWS::StackName}`; `remove`: drop the name where nothing refers to it",
               choices=("parameter", "stack-name", "remove")),
    )
    docs = """
    ## What it detects
    Explicit physical names that are plain literals, on the resource types whose names must be
    unique in an account and region (or, for buckets, everywhere): `BucketName`, `RoleName`,
    `FunctionName`, `TableName`, `QueueName`, `TopicName`, `LogGroupName`, ECS/EKS/RDS/DocDB/
    Neptune/Redshift/ElastiCache cluster names and identifiers, `DBInstanceIdentifier`,
    `StateMachineName`, `RepositoryName`, `AlarmName`, target group and load balancer `Name`,
    secrets, SSM parameters, KMS aliases, event buses and rules, and more (the table is in
    `cfnfix/names.py`), and the names SAM passes on (`AWS::Serverless::Function`
    `FunctionName`, `SimpleTable` `TableName`, `StateMachine` `Name`). An `Fn::Sub` name made
    only of `${AWS::AccountId}`, `${AWS::Region}` and literal text collides just the same and is
    included.

    Already unique, left alone: names that use `${AWS::StackName}`, a `Ref` to a parameter, or
    `EnvironmentSuffix`.

    ## Why it matters
    Generated templates are deployed into one shared test account, many at once. Two copies of
    a stack that both create `BucketName: orders-data` collide: the second fails with "already
    exists", and teardown of one can remove what the other uses.

    ## What it changes
    With `suffix = "parameter"` (default) the name gets `-${EnvironmentSuffix}` through `Fn::Sub`,
    in the file's style (`!Sub` or `Fn::Sub:`), and the template gets an `EnvironmentSuffix`
    parameter (String, default `dev`, lowercase letters and digits, at most 10) unless it has
    one. The suffix goes before a FIFO queue's or topic's `.fifo` ending. Every other place in
    the template that writes the old name out — an ARN in a policy, a URL, an environment
    variable, a log group named after a function — is rewritten the same way, so references
    keep pointing at the resource. The name of an inline policy (`PolicyName` of a role's
    `Policies`, of an `AWS::IAM::Policy`) that happens to be the same text is not: it belongs
    to its role, user or group, whatever the stack.

    Reported, not changed: a log group named the way a service names the group it writes to
    (`/aws/lambda/<function>`, `/aws/codebuild/<project>`, `/aws/imagebuilder/<image>`,
    `/aws/rds/instance/<id>/<log>`, `/aws/eks/<cluster>/cluster`, ...; not other `/aws/` names such
    as `/aws/vpc/flowlogs`, which are chosen freely) unless it is named after a resource that gets
    the suffix, with which it is renamed: a suffix of its own would leave the group unused and the
    service logging to a group of its own making; a name that would exceed its type's length
    limit with the suffix (it is not truncated: pick a shorter name), a name also written in
    `Mappings`, `Parameters`, `Conditions`, `Metadata` or inline Lambda code (make that a
    reference first), and with
    `suffix = "stack-name"` names that must be lowercase (S3, RDS, ECR, ...: stack names may
    hold capitals). With `suffix = "remove"` a name is removed only when nothing else in the
    template writes it out and the type does not require it; the others are reported.

    ## Example
    ```yaml
    # before
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: orders.fifo
        FifoQueue: true
    # after
    Parameters:
      EnvironmentSuffix:
        Type: String
        Default: dev
        ...
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: !Sub orders-${EnvironmentSuffix}.fifo
        FifoQueue: true
    ```

    ## Fix safety
    Review: a new name replaces the resource on the next update of a deployed stack (a new,
    empty bucket, table or queue; the old one is deleted unless retained). For the test-account
    stacks this fixer is meant for, that is intended.
    """

    def find(self, doc: Document) -> list[Finding]:
        mode = self.config["suffix"]
        findings = []
        for rid, res in doc.resources.items():
            if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
                continue
            rule = NAME_PROPERTIES.get(res["Type"])
            props = res.get("Properties")
            if rule is None or not isinstance(props, dict) or rule.prop not in props:
                continue
            finding = self._check(doc, rid, res["Type"], rule, props[rule.prop], mode)
            if finding is not None:
                findings.append(finding)
        # a service's log group that another name's suffix rewrites (named after a function that
        # gets one) is renamed with it: nothing to report
        rewritten = {site.path for f in findings if f.fixable for site in f.detail[1]}
        return [f for f in findings if not (f.detail == SERVICE_OWNED and f.path in rewritten)]

    def _check(self, doc: Document, rid: str, rtype: str, rule: NameRule, value: Any, mode: str) -> Finding | None:
        path = ("Resources", rid, "Properties", rule.prop)
        if isinstance(value, str):
            if "${" in value:
                return Finding(rid, path, f"{rule.prop} '{value}' holds ${{...}} but is not an Fn::Sub, so it is used "
                               "literally; write it as !Sub", fixable=False)
            template, needle, shown = escape(value), value, value
        else:
            call = intrinsic(value)
            if not call or call[0] != "Fn::Sub" or _unique(doc, value):
                return None
            arg = call[1]
            if not isinstance(arg, str) or any(v not in PSEUDO_LENGTHS for v in sub_variables(arg)):
                return None  # refers to resources or has its own variables: not a plain literal
            template, needle, shown = arg, arg, arg
        label = f"{rule.prop} '{shown}'"
        if rtype == "AWS::Logs::LogGroup" and _service_owned(needle):
            # the service picks the group by its resource's name: renaming the resource renames
            # the group with it (its references), a suffix of the group's own sends the logs elsewhere
            return Finding(rid, path, f"{label} is where AWS writes the logs of the resource it names "
                           "(/aws/<service>/<name>); a suffix of its own would make the service log elsewhere: "
                           "give that resource a per-stack name and name the group after it "
                           "(!Sub /aws/lambda/${Function})", fixable=False, detail=SERVICE_OWNED)
        stem, ending = split_fifo(template, rule)

        blocked = self._unrewritable(doc, needle, path)
        if blocked:
            return Finding(rid, path, f"{label} is also written out in {blocked}; make that a reference "
                           "(!Ref/!GetAtt) first, then the name can get a per-stack suffix", fixable=False)
        references = self._references(doc, needle, path)

        if mode == "remove":
            required = (resource_schema(rtype) or {}).get("required") or ()
            if rule.prop in required:
                return Finding(rid, path, f"{label}: {rtype} requires a name, so it cannot be removed; "
                               "use suffix = parameter or stack-name", fixable=False)
            if references:
                return Finding(rid, path, f"{label} is written out elsewhere ({_where(references)}); it is not removed: "
                               "use suffix = parameter or stack-name", fixable=False)
            return Finding(rid, path, f"{label} is the same in every copy of the stack", detail=(None, [], None, ""))

        if mode == "stack-name":
            if rule.lowercase:
                return Finding(rid, path, f"{label} must be lowercase and a stack name may hold capitals; "
                               "use suffix = parameter", fixable=False)
            suffix, budget = "${AWS::StackName}", STACK_NAME_BUDGET
        else:
            suffix = "${" + PARAMETER + "}"
            existing = parameter(doc, PARAMETER)
            budget = max_length(existing, max(PARAMETER_MAX, len(str((existing or {}).get("Default", "")))))
        new_template = f"{stem}-{suffix}{ending}"
        longest = _expanded_length(f"{stem}-{ending}") + budget
        if longest > rule.max_length:
            return Finding(rid, path, f"{label} with a -{suffix} suffix could reach {longest} characters, over the "
                           f"limit of {rule.max_length} for {rtype}; shorten the name (it is not truncated)", fixable=False)
        note = ""
        if mode == "parameter" and rule.lowercase and parameter(doc, PARAMETER) is not None and accepts(parameter(doc, PARAMETER), "A"):
            note = f"; {PARAMETER} must be lowercase here: its AllowedPattern accepts capitals"
        return Finding(rid, path, f"{label} is the same in every copy of the stack{note}",
                       detail=(new_template, references, needle, note))

    def _unrewritable(self, doc: Document, needle: str, own: tuple) -> str | None:
        """Where ``needle`` is written in a place Fn::Sub cannot go, if anywhere."""
        texts, index = _unrewritable_texts(doc)
        for i in index.containing(needle):
            if occurs_in(needle, texts[i][1]):
                return texts[i][0]
        return None

    def _references(self, doc: Document, needle: str, own: tuple) -> list[StringSite]:
        """The other strings (resource properties, outputs) that write the name out."""
        sites, index = _rewritable_sites(doc)
        return [sites[i][0] for i in index.containing(needle) if sites[i][0].path != own and occurs_in(needle, sites[i][1])]

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        if self.config["suffix"] == "parameter" and parameter(doc, PARAMETER) is None and not is_parameter(doc, PARAMETER):
            add_parameter(editor, PARAMETER, PARAMETER_BODY)
            changes.append(self.change(None, "add", None, PARAMETER_BODY, f"parameter {PARAMETER}: set it per deployment "
                                       "to keep names apart", path=("Parameters", PARAMETER)))
        for f in findings:
            new_template, references, needle, note = f.detail
            before = doc.value(f.path)
            with editor.finding(f):
                if new_template is None:
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", before, None, "name removed: CloudFormation generates a "
                                               "unique one; nothing in the template wrote it out"))
                    continue
                editor.set(f.path, {"Fn::Sub": new_template})
                changes.append(self.change(f, "replace", before, {"Fn::Sub": new_template},
                                           "per-stack name; the resource is replaced on update" + note))
                for site in references:
                    updated = replace_occurrences(needle, template_of(site), new_template)
                    set_sub(editor, site, updated)
                    changes.append(self.change(f, "replace", value_of(site), {"Fn::Sub": updated},
                                               f"writes out the renamed {f.path[-1]} of {f.resource}", path=site.path))
        return Fix.of(editor, changes)


def _unrewritable_texts(doc: Document) -> tuple[list[tuple[str, str]], TextIndex]:
    """(where, text) of every string in a place Fn::Sub cannot go, in the order they are
    searched; collected once per document, not once per name (quadratic in resources)."""
    return cached(doc, "unique-names.unrewritable", lambda: _indexed(_unrewritable_strings(doc)))


def _rewritable_sites(doc: Document) -> tuple[list[tuple[StringSite, str]], TextIndex]:
    """(site, its Fn::Sub template text) of the strings in resource properties and outputs that
    may write a name out (prose keys aside), collected once per document."""
    return cached(doc, "unique-names.sites", lambda: _indexed(_sites(doc)))


def _indexed(pairs: list) -> tuple[list, TextIndex]:
    return pairs, TextIndex([text for _, text in pairs])


def _unrewritable_strings(doc: Document) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for section in UNREWRITABLE:
        found += [(section, text) for _, text in _all_strings(data.get(section), (section,))]
    may_hold = entry_check(doc, *CODE_KEYS)  # a resource whose text writes no code key has no code: no walk
    for rid, res in doc.resources.items():
        if isinstance(res, dict):
            found += [(f"the Metadata of {rid}", t) for _, t in _all_strings(res.get("Metadata"), ())]
            props = res.get("Properties")
            code = _all_strings(props, ()) if rid in CODE_KEYS else _code_strings(props) if may_hold(
                ("Resources", rid)) else []
            found += [(f"the inline code of {rid}", text) for _, text in code]
    return found


def _code_strings(value: Any) -> list[tuple[tuple, str]]:
    """What ``_all_strings`` yields under a ``CODE_KEYS`` key of ``value``, in the same order:
    the walk enters mappings and lists only, and reads the strings of code alone (not every
    string of every property, to keep a few)."""
    found: list[tuple[tuple, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if _prose(key):
                continue
            if key in CODE_KEYS:
                found += _all_strings(item, ())
            elif isinstance(item, (dict, list)):
                found += _code_strings(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                found += _code_strings(item)
    return found


# IAM resources whose PolicyName names an inline policy: a name of the role, user or group's
# own, never another resource's (two stacks' roles may each hold a policy "root")
_INLINE_POLICY_HOLDERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy")


def _sites(doc: Document) -> list[tuple[StringSite, str]]:
    found: list[tuple[StringSite, str]] = []
    for section, name, body in _bodies(doc):
        inline_policies = section == "Resources" and isinstance(body, dict) and body.get("Type") in _INLINE_POLICY_HOLDERS
        for key in ("Properties",) if section == "Resources" else ("Value", "Export"):
            if not isinstance(body, dict) or key not in body:
                continue
            found += [(site, template_of(site)) for site in string_sites(body[key], (section, name, key), CODE_KEYS)
                      if not any(_prose(p) for p in site.path)
                      and not (inline_policies and site.path[-1] == "PolicyName")]
    return found


def _bodies(doc: Document) -> list[tuple[str, str, Any]]:
    out = [("Resources", rid, res) for rid, res in doc.resources.items()]
    outputs = doc.data.get("Outputs") if isinstance(doc.data, dict) else None
    if isinstance(outputs, dict):
        out += [("Outputs", oid, body) for oid, body in outputs.items()]
    return out


def _where(sites: list[StringSite]) -> str:
    names = sorted({f"{s.path[0]}/{s.path[1]}" for s in sites})
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
