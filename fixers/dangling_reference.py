"""Ref, Fn::GetAtt and Fn::Sub references that name nothing (cfn-lint E1020, E1010, E1019),
repaired when exactly one target is plainly meant."""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

from cfnfix import group_targets, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.graph import PSEUDO_PARAMETERS as PSEUDO, references
from cfnfix.group_targets import LISTS, Move
from cfnfix.nodepath import node_path
from cfnfix.reference_names import SUB_VAR as _SUB_VAR, arg_path as _arg_path, body_calls, body_map_calls, by_type, close, pick, \
    defined_names, generated_names, script_variable, undeclared

def pick_attribute(name: str, attrs: list[str]) -> tuple[str | None, str]:
    same_case = [a for a in attrs if a.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    if name.endswith("Arn") and name != "Arn" and "Arn" in attrs and not [a for a in attrs if a.endswith("Arn") and a != "Arn" and "." not in a]:
        return "Arn", "is the resource's only ARN attribute"
    last = [a for a in attrs if "." in a and a.rsplit(".", 1)[1].lower() == name.lower()]
    if len(last) == 1:
        return last[0], "is the only attribute of that name"
    return pick(name, attrs)


class Elsewhere(NamedTuple):
    """An attribute asked of the wrong call or resource: the ``Fn::GetAtt`` at the finding's path
    becomes ``call``, or in an ``Fn::Sub`` string (``token``: (text path, ``${...}``)) ``text``."""

    call: Any
    text: str
    token: tuple | None
    safety: Safety
    source: tuple | None = None  # where ``call`` is written, copied with its own text


_GENERIC = ("Arn", "Id", "Name")


def elsewhere(doc: Document, res: str, attr: str, attrs: list[str], reader: str | None,
              in_sub: bool = False) -> Callable | None:
    """Where an attribute the type of ``res`` lacks is plainly found instead, as a finding maker:
    - the resource's ``Ref`` when the name is its type's one primary identifier, which is what
      ``Ref`` returns (``!GetAtt Function.FunctionName`` is ``!Ref Function``);
    - the value of the property of that name the resource sets, when it names no resource (or
      the reader is an output: None);
    - the one resource of the same service, other than the ``reader`` (the resource asking),
      that names ``res`` in its properties and has that attribute, which is no ARN, id or name (``!GetAtt Function.FunctionUrl`` is the ``FunctionUrl`` of the
      ``AWS::Lambda::Url`` whose ``TargetFunctionArn`` names the function)."""
    body = doc.resources.get(res)
    if not isinstance(body, dict):
        return None  # no resource of that name: nothing has its attributes
    type_name = body.get("Type")
    root = schemas.resource_schema(type_name) if isinstance(type_name, str) else None
    ident = (root or {}).get("primaryIdentifier") or []
    if ident == [f"/properties/{attr}"]:
        why = f"'{attr}' is no attribute of {type_name} but what its Ref returns"
        return _maker({"Ref": res}, "${" + res + "}", why, Safety.SAFE, f"Ref {res}")
    props = body.get("Properties")
    value = props.get(attr) if isinstance(props, dict) else None
    if value is not None and _portable(doc, value, reader) and not (in_sub and not _literal(value)):
        why = f"'{attr}' is no attribute of {type_name} but a property the resource sets"
        return _maker(value, str(value) if _literal(value) else "", why, Safety.SAFE, "the value it sets",
                      ("Resources", res, "Properties", attr))
    owners = []
    service = type_name.split("::")[:2] if isinstance(type_name, str) else None
    for other, item in doc.resources.items():
        if other in (res, reader) or not isinstance(item, dict) or not isinstance(item.get("Type"), str):
            continue
        if attr in _GENERIC or item["Type"].split("::")[:2] != service:
            continue  # an ARN or id any resource has, or another service's resource: not plainly the one
        if any(name == res for name, _ in references(item.get("Properties"))):
            theirs = schemas.attributes(item["Type"]) or []
            if attr in theirs or attr in schemas.read_only_attributes(item["Type"]):
                owners.append((other, item["Type"]))
    if len(owners) == 1:
        other, other_type = owners[0]
        why = (f"'{attr}' is no attribute of {type_name}; '{other}' ({other_type}), the one resource naming it "
               "that has it, is plainly meant")
        condition = doc.resources[other].get("Condition")
        if condition is not None and condition != body.get("Condition"):
            return None  # the other resource may not exist where this one is used
        return _maker({"Fn::GetAtt": [other, attr]}, "${" + f"{other}.{attr}" + "}", why, Safety.REVIEW,
                      f"Fn::GetAtt {other}.{attr}")
    return None


def _with_variables(text: str, detail: FromMaps) -> str:
    """The Fn::Sub string ``text`` with each ``${Map.Key}`` token of ``detail`` read as its variable."""
    for token, name, _ in detail.tokens:
        text = text.replace(token, "${" + name + "}")
    return text


def _literal(value: Any) -> bool:
    """A scalar an Fn::Sub string can hold as text (no ``${``, which Sub would read)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and "${" not in str(value)


def _portable(doc: Document, value: Any, reader: str | None) -> bool:
    """Whether ``value`` can be written where ``reader`` asks for it: it names no resource (only
    parameters and pseudo parameters), unless the reader is an output, where no cycle can close."""
    return reader is None or not any(name in doc.resources for name, _ in references(value))


def _maker(call: Any, text: str, why: str, safety: Safety, shown: str, source: tuple | None = None) -> Callable:
    def make(fixer: Any, rid: str | None, path: tuple, what: str, token: tuple | None = None) -> Finding:
        rule = "E1019" if token else "E1010"
        new = (text or shown) if token else shown
        return Finding(rid, path, f"{rule} {what}: {why}; it becomes {new}",
                       detail=Elsewhere(call, text, token, safety, source))
    return make


def _renamed(value: Any, old: str, new: str) -> Any:
    """``value`` as the text edit leaves it (the plain data of a short-form ``!GetAtt A.B`` is a list)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict) and isinstance(value.get("Fn::GetAtt"), list) and ".".join(map(str, value["Fn::GetAtt"])) == old:
        return {"Fn::GetAtt": new.split(".", 1)}
    if isinstance(value, dict):
        return {k: _renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, old, new) for v in value]
    return value


_VAR_NAME = re.compile(r"[A-Za-z0-9_]+")


def map_key(data: dict, mapping: str, attr: str) -> tuple[Any, str]:
    """The top-level key ``${mapping.attr}`` in an ``Fn::Sub`` string plainly reads, as the key
    argument of an ``Fn::FindInMap``, and why; (None, why not) when there is none: the region
    (``AWS::Region``) when the top-level keys are region names, the mapping's one top-level key,
    or a ``Ref`` to the one parameter whose ``AllowedValues`` are exactly the mapping's top-level keys (its ``Default``, if any, one of them); ``attr`` must be a
    second-level key under every top-level key, or ``Fn::FindInMap`` would fail for some value."""
    table = (data.get("Mappings") or {}).get(mapping)
    if not isinstance(table, dict) or not table:
        return None, f"'{mapping}' is no mapping of top-level keys"
    keys = [str(k) for k in table]
    lacking = [str(k) for k, v in table.items() if not isinstance(v, dict) or attr not in v]
    if lacking:
        return None, (f"'{attr}' is missing under its top-level key{'s' if len(lacking) > 1 else ''} "
                      + ", ".join(f"'{k}'" for k in lacking) + ", where Fn::FindInMap would fail")
    if set(keys) <= set(schemas.known_regions()):
        return {"Ref": "AWS::Region"}, "its top-level keys are regions (" + ", ".join(f"'{k}'" for k in keys) + ")"
    if len(keys) == 1:
        return keys[0], f"'{keys[0]}' is its only top-level key"
    params = data.get("Parameters")
    if not isinstance(params, dict):
        params = {}
    fits = []
    for name, body in params.items():
        allowed = body.get("AllowedValues") if isinstance(body, dict) else None
        if not isinstance(allowed, list) or body.get("Type") not in ("String", "Number"):
            continue
        default = body.get("Default")
        if {str(v) for v in allowed} == set(keys) and (default is None or str(default) in keys):
            fits.append(str(name))
    shown = ", ".join(f"'{k}'" for k in keys)
    if len(fits) == 1:
        return {"Ref": fits[0]}, f"parameter '{fits[0]}' allows exactly its top-level keys ({shown})"
    if fits:
        return None, "parameters " + ", ".join(f"'{n}'" for n in fits) + f" each allow exactly its top-level keys ({shown})"
    return None, f"no parameter's AllowedValues are exactly its top-level keys ({shown})"


def _variable(attr: str, mapping: str, taken: set[str]) -> str:
    """A name for the Sub variable standing for ``${mapping.attr}``: the second-level key, unless
    the string already uses that name."""
    base = "".join(_VAR_NAME.findall(attr)) or "Value"
    for name in (base, "".join(_VAR_NAME.findall(mapping)) + base):
        if name not in taken:
            return name
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _shown(value: Any) -> str:
    return f"!Ref {value['Ref']}" if isinstance(value, dict) else str(value)


class FromMaps(NamedTuple):
    """``${Map.Key}`` tokens of one ``Fn::Sub`` string that become variables of the Sub read with
    ``Fn::FindInMap``: (token, variable, FindInMap call) each; ``text`` is the node path of the
    string, ``local`` that of the variable map of a list-form Sub (None in the one-string form)."""

    text: tuple
    local: tuple | None
    tokens: tuple


class DanglingReference(Fixer):
    name = "dangling-reference"
    summary = ("Repair Ref, Fn::GetAtt and Fn::Sub references that name nothing, when one target is plainly meant "
               "(E1020, E1010, E1019, E1011); balancer targets naming an Auto Scaling group become its registration")
    group = "deploy"
    safety = Safety.SAFE
    lint_rules = ("E1010", "E1011", "E1019", "E1020")
    default = False
    docs = """
    ## What it detects
    - `Ref` to a name that is no parameter, resource or pseudo parameter (cfn-lint E1020);
    - `Fn::GetAtt` on a resource that does not exist, or asking for an attribute its type does
      not have (E1010);
    - `${Name}` and `${Resource.Attribute}` in an `Fn::Sub` string that name nothing (E1019),
      including IAM policy variables such as `${aws:username}`, which `Fn::Sub` reads as its own.

    ## Why it matters
    CloudFormation rejects the template (`Unresolved resource dependencies`, `Template error:
    instance of Fn::GetAtt references undefined resource`): nothing deploys.

    ## How it decides
    A name is corrected only when exactly one target is plainly meant:
    - the same name in another case (`Ref: myBucket` for `MyBucket`);
    - the one near spelling (difflib ratio at least 0.9, clearly ahead of the next) that
      differs in no digit, so `Subnet3` is never taken for `Subnet2`;
    - for attributes, the names cfn-lint accepts for the type: another case, the resource's only
      ARN attribute for a `...Arn` the type lacks (`!GetAtt Role.RoleArn` is `!GetAtt Role.Arn`),
      the one dotted attribute ending in the name, or a near spelling;
    - an attribute the type lacks that is its one primary identifier, which is what `Ref`
      returns: `!GetAtt Function.FunctionName` becomes `!Ref Function`, `${Table.TableName}`
      becomes `${Table}` (safe);
    - an attribute the type lacks that is a property the resource sets: that property's value
      (`!GetAtt Group.GroupName` of an X-Ray group with `GroupName: !Sub '${Env}-traces'`
      becomes `!Sub '${Env}-traces'`; in an `Fn::Sub` string only a plain text value), when the
      value names no other resource or the reader is an output (safe);
    - an attribute the type lacks (other than an ARN, id or name) that the one resource of the
      same service naming it in its properties has:
      `!GetAtt Function.FunctionUrl` becomes the `FunctionUrl` of the `AWS::Lambda::Url` whose
      `TargetFunctionArn` names the function (`review`: another resource is read; not done when
      that resource has a `Condition` the reader lacks).

    A name that is, in any case, the last segment of a resource type (`VPC`, `InternetGateway`,
    `Bucket`, `Function`) means the template's only resource of such a type: `Ref: VPC` becomes
    `Ref: ProductionVPC` when that is the one `AWS::EC2::VPC` (safe), unless another parameter or
    resource is a slip of the name, the resource is the reader itself, it has a `Condition` the
    reader lacks, or (for `Fn::GetAtt`) its type lacks the attribute. With several resources of
    the type, the candidates are reported.

    `${Map.Key}` in an `Fn::Sub` string, where `Map` is a mapping (Fn::Sub cannot read mappings),
    becomes a variable of the Sub read with `Fn::FindInMap` (safe): the string is given its list
    form, `!Sub ['...${Key}...', {Key: !FindInMap [Map, <top-level key>, Key]}]` (an existing list
    form gets the variable added; the variable is named after the second-level key, made unique
    against the string's other variables). The top-level key is `!Ref AWS::Region` when the
    mapping's top-level keys are region names, else the mapping's only one, or `!Ref` to the one
    parameter whose `AllowedValues` are exactly the mapping's top-level keys
    (its `Default`, if any, one of them). Reported instead: several such parameters, none, or a
    second-level key missing under some top-level key (`Fn::FindInMap` would fail for that value).

    IAM policy variables in an `Fn::Sub` string (`${aws:username}`, `${s3:prefix}`) are escaped
    to `${!aws:username}`, which `Fn::Sub` writes out as the literal `${aws:username}` the policy
    needs.

    A `${name}` in an `Fn::Sub` string of code (`UserData`, `ZipFile`, `Command`...) that names
    nothing in the template but a variable the script sets itself (`port=8080`,
    `export PORT=...`, `const port = ...`, `for host in ...`) is escaped to `${!name}`:
    `Fn::Sub` then writes out the `${name}` the script reads, the text the author wrote.

    A load balancer target that names an Auto Scaling group of the template instead of an
    instance (`Targets: [{Id: !GetAtt Group.Outputs.InstanceId}]` on an
    `AWS::ElasticLoadBalancingV2::TargetGroup`, or `!Ref Group` in the `Instances` of a classic
    `AWS::ElasticLoadBalancing::LoadBalancer`; any `Fn::GetAtt` or `Ref` of the group) means "the
    group's instances are the targets", which CloudFormation writes on the group: the item goes
    (the list with it when it is left empty) and `!Ref TargetGroup` is added to the group's
    `TargetGroupARNs` (`LoadBalancerNames` for a classic load balancer), created when absent and
    not repeated (`review`: Elastic Load Balancing registers each of the group's instances as it
    launches). Reported instead, with why: an item with an `AvailabilityZone`, a `Port` other than
    the target group's own, or other keys that would be lost; a `TargetType` other than
    `instance`; a balancer and group with different `Condition`s; a group whose list is not a
    list (an intrinsic); a balancer that depends on the group otherwise (a reference or
    `DependsOn`), where the registration would close a dependency cycle.

    Anything else with candidates (a name near a defined one, several candidates) is reported
    with the closest names and nothing changes: only a person knows what was meant. A name
    near no defined name is left to `undeclared-parameter`, which declares it as a parameter.
    `Fn::FindInMap` on a mapping the template does not define (E1011) is reported: its values
    cannot be known. Templates with a transform other than SAM's are skipped (a macro defines
    names of its own). In a SAM template a name SAM may add counts as defined: one that begins
    with the logical id of a serverless resource (`MyFunctionRole`, `MyApi.Stage`) or with
    `Serverless`/`CodeDeploy` (`ServerlessRestApi`, `CodeDeployServiceRole`). In any template,
    so does a name that begins with the logical id of a module (a type ending in `::MODULE`):
    CloudFormation names the module's resources after it (`StorageBucket` of `Storage`).

    ## Example
    ```yaml
    # before
    Function:
      Properties:
        Role: !GetAtt LambdaRole.RoleArn
        VpcConfig:
          SubnetIds: [!Ref privateSubnet1]
    # after
    Function:
      Properties:
        Role: !GetAtt LambdaRole.Arn
        VpcConfig:
          SubnetIds: [!Ref PrivateSubnet1]
    ```

    ```yaml
    # before
    TargetGroup:
      Properties:
        Targets:
          - Id: !GetAtt AutoScalingGroup.Outputs.InstanceId
    # after: the target group lists no targets, and
    AutoScalingGroup:
      Properties:
        TargetGroupARNs:
          - !Ref TargetGroup
    ```

    ## Fix safety
    Safe: the template could not be deployed as written, and the name it gets is the one the
    author plainly meant (an attribute read from another resource is `review`; so is a target
    moved to an Auto Scaling group's registration, which changes what the balancer serves). The text is
    edited in place (quotes, short forms, block strings kept).
    """

    def find(self, doc: Document) -> list[Finding]:
        data = doc.data
        generated = generated_names(data)
        if not isinstance(data, dict) or generated is None:
            return []  # a macro defines names of its own
        params = list(data.get("Parameters") or {}) if isinstance(data.get("Parameters"), dict) else []
        self._no_parameters = "Parameters" not in data
        resources = list(doc.resources)
        refs = params + resources
        # membership tests (admitting what SAM may add); the lists keep the order names are offered in
        self._known = defined_names(refs, generated), defined_names(resources, generated)
        known_refs = self._known[0]
        self._types: dict[str, str] = {}  # type short names no resource is taken for, and why
        self._doc = doc
        self._undeclared: set[tuple[tuple, str]] | None = None  # see _left_to_undeclared_parameter
        moves, refusals = group_targets.scan(doc)
        items = [m.item for m in moves] + [r.item for r in refusals]
        handled = {item + (("Id",) if item[3] == "Targets" else ()) for item in items}
        findings: list[Finding] = self._registrations(moves) + [self._refusal(r) for r in refusals]
        seen: set = set()
        for (section, key, _, found_calls), map_calls in zip(body_calls(doc), body_map_calls(doc)):
            rid = key if section == "Resources" else None
            for fn, arg, path in found_calls:
                if fn == "Ref" and (not isinstance(arg, str) or arg in known_refs or arg in PSEUDO):
                    continue  # most calls: a Ref to a defined name, which _check passes over too
                if path in handled:
                    continue  # a balancer target naming an Auto Scaling group: its own finding above
                for f in self._check(doc, fn, arg, path, rid, refs, resources):
                    marker = (f.path, f.message) if f is not None else None
                    if f is not None and marker not in seen:
                        seen.add(marker)
                        findings.append(f)
            if map_calls:  # most bodies call no Fn::FindInMap
                findings += self._maps(data, map_calls, rid)
        return findings

    @staticmethod
    def _said(shown: str) -> str:
        """The rule cfn-lint reports for a target naming a group: E1010 for an attribute the group lacks."""
        if shown.startswith("Fn::GetAtt "):
            attr = shown.split(" ", 1)[1].split(".", 1)[1:]
            if not attr or attr[0] not in (schemas.attributes(group_targets.GROUP) or [attr[0]]):
                return "E1010 "
        return ""

    def _registrations(self, moves: list[Move]) -> list[Finding]:
        """One finding per set of balancers and groups the moves tie together (their edits share lists)."""
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for m in moves:
            parent[root("B:" + m.balancer)] = root("G:" + m.group)
        clusters: dict[str, list[Move]] = {}
        for m in moves:
            clusters.setdefault(root("G:" + m.group), []).append(m)
        out = []
        for cluster in clusters.values():
            parts = []
            for m in cluster:
                key, _, registration = LISTS[group_targets.TARGET_GROUP if m.item[3] == "Targets" else group_targets.CLASSIC]
                parts.append(f"{self._said(m.shown)}{m.shown} in the {key} of {m.kind} {m.balancer} names Auto Scaling "
                             f"group {m.group}, not an instance: the group's instances are plainly meant, so {m.group} "
                             f"registers them with {m.balancer} through its {registration} instead")
            out.append(Finding(cluster[0].balancer, cluster[0].item, "; ".join(parts)
                               + " (Elastic Load Balancing adds each instance as it launches)", detail=tuple(cluster)))
        return out

    @staticmethod
    def _refusal(r: group_targets.Refusal) -> Finding:
        key, _, registration = LISTS[group_targets.TARGET_GROUP if r.item[3] == "Targets" else group_targets.CLASSIC]
        return Finding(r.balancer, r.item, f"{DanglingReference._said(r.shown)}{r.shown} in the {key} of {r.balancer} "
                       f"names Auto Scaling group {r.group}, not an instance; not moved to the group's {registration}, "
                       f"as {r.why}: if the group's instances are meant, register them yourself (!Ref {r.balancer} in "
                       f"{r.group}'s {registration}), else name the target itself", fixable=False)

    def _register(self, doc: Document, editor: Editor, f: Finding, moves: tuple) -> list:
        """Remove the moved target items (their list too when emptied) and register each balancer
        in its group's TargetGroupARNs / LoadBalancerNames."""
        changes = []
        lists: dict[tuple, list[Move]] = {}
        for m in moves:
            lists.setdefault(m.item[:-1], []).append(m)
        for where, moved in lists.items():
            items = doc.value(where)
            groups = ", ".join(dict.fromkeys(m.group for m in moved))
            dropped = "".join(f"; {m.dropped} goes with it" for m in moved if m.dropped)
            if len({m.item for m in moved}) == len(items):
                editor.remove(where)
                shown = ", ".join(m.shown for m in moved)
                changes.append(self.change(
                    f, "remove", items, None, f"{where[3]} of {moved[0].balancer} removed: "
                    + (f"its only item, {shown}, names" if len(items) == 1 else f"its items, {shown}, name")
                    + f" Auto Scaling group {groups}, not an instance; the group registers its instances itself "
                    f"through its {moved[0].registration[3]}{dropped}", path=where, safety=Safety.REVIEW))
                continue
            for m in moved:
                editor.remove(m.item)
                changes.append(self.change(
                    f, "remove", doc.value(m.item), None, f"{m.shown} removed from the {where[3]} of {m.balancer}: "
                    f"it names Auto Scaling group {m.group}, not an instance; the group registers its instances "
                    f"itself through its {m.registration[3]}"
                    + (f"; {m.dropped} goes with it" if m.dropped else ""), path=m.item, safety=Safety.REVIEW))
        by_group: dict[tuple, list[str]] = {}
        for m in moves:
            names = by_group.setdefault(m.registration, [])
            if m.balancer not in names:
                names.append(m.balancer)
        for where, balancers in by_group.items():
            present = doc.value(where)
            present = present if isinstance(present, list) else []
            new = [{"Ref": b} for b in balancers if not any(group_targets.registered(v, b) for v in present)]
            group, noun = where[1], "target group" if where[3] == "TargetGroupARNs" else "classic load balancer"
            if not new:
                continue  # the group registers its instances there already
            names = [b["Ref"] for b in new]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            why = (f"Auto Scaling group {group} registers its instances with {noun}{'s' if len(names) > 1 else ''} "
                   + listed + " (Elastic Load Balancing adds each instance as it launches "
                   "and removes it as it terminates)")
            if doc.node(where) is None:
                editor.set(where, new)
                changes.append(self.change(f, "add", None, new, f"{where[3]} added: {why}", path=where,
                                           safety=Safety.REVIEW))
            else:
                for k, ref in enumerate(new):
                    editor.append(where, ref)
                    changes.append(self.change(f, "add", None, ref, f"{ref['Ref']} added to {where[3]}: {why}",
                                               path=where + (len(present) + k,), safety=Safety.REVIEW))
        return changes

    def _maps(self, data: dict, map_calls: list[tuple[tuple, Any]], rid: str | None) -> list[Finding]:
        """Fn::FindInMap (``map_calls``: path, argument) on a mapping the template does not define
        (E1011): reported, its values cannot be known."""
        mappings = data.get("Mappings")
        if not isinstance(mappings, dict):
            mappings = {}
        out = []
        for call, arg in map_calls:
            name = arg[0] if isinstance(arg, list) and arg else None
            if not isinstance(name, str) or name in mappings:
                continue
            near = close(name, list(map(str, mappings)))
            hint = ("closest: " + ", ".join(f"'{n}'" for n in near) + "; correct the name or define it") if near else (
                "define the mapping or write the values it was meant to give")
            out.append(Finding(rid, call, f"E1011 Fn::FindInMap on '{name}', a mapping the template does not define; "
                               f"its values cannot be known: {hint}", fixable=False))
        return out

    def _check(self, doc: Document, fn: str, arg: Any, path: tuple, rid: str | None,
               refs: list[str], resources: list[str]) -> list[Finding | None]:
        self._call = path  # findings are logged at the call; the text is edited at its argument
        known_refs, known_resources = self._known
        if fn == "Ref":
            if not isinstance(arg, str) or arg in known_refs or arg in PSEUDO:
                return []
            target, why = pick(arg, refs + list(PSEUDO))
            if target is None:
                target, why = self._typed(doc, arg, path)
            where = _arg_path(doc, path, fn)
            return [self._finding("E1020", f"Ref to '{arg}'", arg, target, why, refs, rid, where, arg)]
        if fn == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg)):
                return []
            res, attr = arg
            if res not in known_resources:
                where = _arg_path(doc, path, fn)
                node = doc.node(where)
                if node is None:
                    return []
                target, why = pick(res, resources)
                if target is None:
                    target, why = self._typed(doc, res, path, attr)
                text_path, old = (where, f"{res}.{attr}") if node.kind == "scalar" else (where + (0,), res)
                new = f"{target}.{attr}" if node.kind == "scalar" and target else target
                return [self._finding("E1010", f"Fn::GetAtt on '{res}'", res, target, why, resources, rid,
                                      text_path, old, new, kind="resource")]
            attrs = self._attrs(doc, res, attr)
            if attrs is None:
                return []
            other = elsewhere(doc, res, attr, attrs, rid)
            if other is not None:
                return [other(self, rid, path, f"Fn::GetAtt '{res}.{attr}'")]
            where = _arg_path(doc, path, fn)
            node = doc.node(where)
            if node is None:
                return []
            target, why = pick_attribute(attr, attrs)
            text_path, old = (where, f"{res}.{attr}") if node.kind == "scalar" else (where + (1,), attr)
            new = f"{res}.{target}" if node.kind == "scalar" and target else target
            return [self._finding("E1010", f"Fn::GetAtt '{res}.{attr}'", attr, target, why, attrs, rid,
                                  text_path, old, new, kind="attribute")]
        if fn == "Fn::Sub":
            text, local = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            if not isinstance(text, str):
                return []
            local = local if isinstance(local, dict) else {}
            out: list[Finding | None] = []
            from_maps: list[tuple] = []  # (token, mapping, second-level key, top-level key, why) read from a mapping
            for inner in dict.fromkeys(_SUB_VAR.findall(text)):
                name = inner.strip()
                token = "${" + inner + "}"
                if name in local or name in known_refs or name in PSEUDO:
                    continue
                where = _arg_path(doc, path, fn) + ((0,) if isinstance(arg, list) else ())
                if script_variable(text, name, path):
                    message = (f"E1019 '{token}' in an Fn::Sub string names nothing in the template but a variable "
                               f"the script sets itself; escaped as '${{!{inner}}}', which Fn::Sub writes out as "
                               f"'{token}' for the script")
                    out.append(Finding(rid, path, message, detail=(where, token, "${!" + inner + "}")))
                    continue
                if ":" in name and not name.startswith("AWS::"):
                    message = (f"E1019 '{token}' in an Fn::Sub string is not a template name; it reads as an IAM "
                               f"policy variable, which Fn::Sub needs escaped as '${{!{inner}}}'")
                    out.append(Finding(rid, path, message, detail=(where, token, "${!" + inner + "}")))
                    continue
                if "." in name:
                    res, attr = name.split(".", 1)
                    if res in known_resources:
                        attrs = self._attrs(doc, res, attr)
                        if attrs is None:
                            continue
                        other = elsewhere(doc, res, attr, attrs, rid, in_sub=True)
                        if other is not None:
                            out.append(other(self, rid, path, f"'{token}' in an Fn::Sub string", (where, token)))
                            continue
                        target, why = pick_attribute(attr, attrs)
                        new = "${" + f"{res}.{target}" + "}" if target else None
                        out.append(self._finding("E1019", f"'{token}' in an Fn::Sub string", attr, target, why, attrs,
                                                 rid, where, token, new, kind="attribute"))
                        continue
                    mappings = doc.data.get("Mappings")
                    if isinstance(mappings, dict) and res in mappings:
                        key, why = map_key(doc.data, res, attr)
                        if key is None:
                            out.append(Finding(rid, path, f"E1019 '{token}' in an Fn::Sub string reads mapping '{res}', "
                                               f"which Fn::Sub cannot, and {why}: give the value as a variable, "
                                               f"'!Sub [..., {{Name: !FindInMap [{res}, <top-level key>, {attr}]}}]'",
                                               fixable=False))
                        else:
                            from_maps.append((token, res, attr, key, why))
                        continue
                    target, why = pick(res, resources)
                    if target is None:
                        target, why = self._typed(doc, res, path, attr)
                    new = "${" + f"{target}.{attr}" + "}" if target else None
                    out.append(self._finding("E1019", f"'{token}' in an Fn::Sub string", res, target, why, resources,
                                             rid, where, token, new, kind="resource"))
                    continue
                target, why = pick(name, refs + list(PSEUDO))
                if target is None:
                    target, why = self._typed(doc, name, path)
                new = "${" + target + "}" if target else None
                out.append(self._finding("E1019", f"'{token}' in an Fn::Sub string", name, target, why,
                                         refs + list(local), rid, where, token, new))
            if from_maps:
                out.append(self._from_maps(doc, arg, text, local, path, rid, from_maps))
            return out
        return []

    def _from_maps(self, doc: Document, arg: Any, text: str, local: dict, path: tuple, rid: str | None,
                   found: list[tuple]) -> Finding:
        """One finding for the ``${Map.Key}`` tokens of one Fn::Sub string: each becomes a variable of the Sub."""
        taken = {n.strip() for n in _SUB_VAR.findall(text)} | set(map(str, local))
        where = _arg_path(doc, path, "Fn::Sub")
        tokens, parts = [], []
        for token, mapping, attr, key, why in found:
            name = _variable(attr, mapping, taken)
            taken.add(name)
            call = {"Fn::FindInMap": [mapping, key, attr]}
            tokens.append((token, name, call))
            parts.append(f"'{token}' in an Fn::Sub string reads mapping '{mapping}', which Fn::Sub cannot; it becomes "
                         f"'${{{name}}}', a variable of the Sub given by !FindInMap [{mapping}, {_shown(key)}, {attr}] "
                         f"({why})")
        listed = isinstance(arg, list)
        detail = FromMaps(where + (0,) if listed else where, where + (1,) if listed else None, tuple(tokens))
        return Finding(rid, path, "E1019 " + "; ".join(parts), detail=detail)

    def _typed(self, doc: Document, name: str, path: tuple, attr: str | None = None) -> tuple[str | None, str]:
        """The one resource ``name``, its type's short name, plainly means (``Ref: VPC`` for the one
        ``AWS::EC2::VPC``), and why; when none is taken, why not is kept for the report."""
        target, found, why = by_type(doc, name, path[:2], attr)
        self._types.pop(name, None)
        if target is None and found:
            self._types[name] = why
        return (target, why) if target is not None else (None, "")

    def _attrs(self, doc: Document, res: str, attr: str) -> list[str] | None:
        """Attributes of resource ``res`` when ``attr`` is not one of them; None when it is, or unknown."""
        body = doc.resources.get(res)
        type_name = body.get("Type") if isinstance(body, dict) else None
        if not isinstance(type_name, str) or attr in schemas.read_only_attributes(type_name):
            return None
        attrs = schemas.attributes(type_name)
        if attrs is None or attr in attrs or any(a.endswith(".*") and attr.startswith(a[:-1]) for a in attrs):
            return None
        return attrs

    def _left_to_undeclared_parameter(self, name: str) -> bool:
        """Whether ``name``, read by the call at hand, is a name nothing defines and nothing is near,
        which undeclared-parameter declares. The sites (``reference_names.undeclared``) are found
        the first time a document asks, not in every find: most documents name nothing undefined,
        and undeclared-parameter, which always needs them, often sees a later document."""
        if self._undeclared is None:
            self._undeclared = {(site.call, site.shown.split(".")[0]) for site in undeclared(self._doc)}
        return (self._call, name) in self._undeclared

    def _finding(self, rule: str, what: str, name: str, target: str | None, why: str, pool: list[str],
                 rid: str | None, text_path: tuple, old: str, new: str | None = None, kind: str = "name") -> Finding | None:
        noun = {"attribute": "attribute of its type", "resource": "resource"}.get(kind, "parameter or resource")
        if target is not None:
            message = f"{rule} {what} names no {noun}; '{target}' {why}"
            return Finding(rid, self._call, message, detail=(text_path, old, new if new is not None else target))
        if self._left_to_undeclared_parameter(name):
            return None  # undeclared-parameter declares it
        if kind != "attribute" and name in self._types:
            return Finding(rid, self._call, f"{rule} {what} names no {noun}; {self._types[name]}", fixable=False)
        near = close(name, pool)
        hint = ("closest: " + ", ".join(f"'{n}'" for n in near) + "; correct the name or define it") if near else (
            "define it or correct the name")
        if kind == "name" and self._no_parameters:
            hint += " (the template declares no Parameters: if it is an input, declare it there)"
        return Finding(rid, self._call, f"{rule} {what} names no {noun}; {hint}", fixable=False)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            if isinstance(f.detail, tuple) and f.detail and isinstance(f.detail[0], Move):
                with editor.finding(f):
                    changes += self._register(doc, editor, f, f.detail)
                continue
            if isinstance(f.detail, FromMaps):
                with editor.finding(f):
                    before = doc.value(f.path)
                    after = self._sub_from_maps(doc, editor, f.path, f.detail)
                    changes.append(self.change(f, "replace", before, after, f.message))
                continue
            if isinstance(f.detail, Elsewhere):
                with editor.finding(f):
                    before = doc.value(f.path)
                    if f.detail.token is None:  # the whole Fn::GetAtt becomes the new call
                        after = f.detail.call
                        source = f.detail.source
                        source = (node_path(doc, source) or source) if source else None  # short forms: !If [...]
                        editor.set(node_path(doc, f.path) or f.path, editor.source(source) if source else after)
                    else:
                        text_path, token = f.detail.token
                        editor.replace_text(text_path, token, f.detail.text)
                        after = _renamed(before, token, f.detail.text)
                    changes.append(self.change(f, "replace", before, after, f.message, safety=f.detail.safety))
                continue
            text_path, old, new = f.detail
            with editor.finding(f):
                editor.replace_text(text_path, old, new)
                before = doc.value(f.path)
                after = _renamed(before, old, new)
                changes.append(self.change(f, "replace", before, after, f.message))
        return Fix.of(editor, changes)

    @staticmethod
    def _sub_from_maps(doc: Document, editor: Editor, call: tuple, detail: FromMaps) -> Any:
        """Edit the Fn::Sub at ``call`` so its ``${Map.Key}`` tokens read variables; the Sub as it is left."""
        value = doc.value(call)
        arg = value.get("Fn::Sub") if isinstance(value, dict) else None
        variables = {name: found for _, name, found in detail.tokens}
        if detail.local is not None and isinstance(arg, list):
            for token, name, _ in detail.tokens:
                editor.replace_text(detail.text, token, "${" + name + "}")  # in place: the string's own quoting kept
            for name, found in variables.items():
                editor.set(detail.local + (name,), found)
            local = dict(arg[1]) if isinstance(arg[1], dict) else {}
            return {"Fn::Sub": [_with_variables(arg[0], detail), {**local, **variables}]}
        if not isinstance(arg, str):
            raise EditConflict("the Fn::Sub is not the one-string form it was found in")
        text = _with_variables(arg, detail)
        editor.set(node_path(doc, call) or call, {"Fn::Sub": [text, variables]})
        return {"Fn::Sub": [text, variables]}
