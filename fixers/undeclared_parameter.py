"""References to names nothing in the template defines and nothing is near (cfn-lint E1020,
E1010, E1019, E6101): completed by declaring a parameter of that name, for the deployer to supply."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.nodepath import node_path
from cfnfix.parameter_types import combined, place_type
from cfnfix.parameters import NewParameters, parameters
from cfnfix.reference_names import Site, reference_counts, undeclared

MAX_PARAMETERS = 200  # CloudFormation quota: parameters per template
_SHOWN_READERS = 6


def _list(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:_SHOWN_READERS])
    return shown + (f" and {len(names) - _SHOWN_READERS} more" if len(names) > _SHOWN_READERS else "")


def _renamed(value: Any, site: Site) -> Any:
    """The reference at ``site`` as the fix leaves it."""
    if site.text is None:
        return {"Ref": site.parameter}
    if isinstance(value, str):
        return value.replace(site.token, site.new_token)
    if isinstance(value, dict):
        return {k: _renamed(v, site) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, site) for v in value]
    return value


class UndeclaredParameter(Fixer):
    name = "undeclared-parameter"
    summary = "Declare a parameter for a Ref, Fn::GetAtt or Fn::Sub name defined nowhere and near no defined name (E1020, E1010, E1019)"
    group = "deploy"
    safety = Safety.REVIEW
    default = False
    lint_rules = ("E1020", "E1010", "E1019", "E6101")
    docs = """
    ## What it detects
    A `Ref`, an `Fn::GetAtt` or an `${...}` in an `Fn::Sub` string (in a resource, an output or
    a condition) that names no parameter, resource or pseudo parameter, and is no slip of a
    defined name (cfn-lint E1020, E1010, E1019; E6101 in outputs). A slip is the same words
    with one misspelt (`DBSecurityGrp`) or numbered otherwise (`Subnet1` next to `Subnet2`), or
    one word more or fewer (`VpcId` next to `Vpc`); those are `dangling-reference`'s: it repairs
    them when one is plainly meant and reports the candidates otherwise. Another word in place
    of one names another thing: `BatchJobRole` next to `BatchJobQueue` is an input the
    template lacks. A resource whose `Ref` cannot be what the place reads makes no slip: the
    reader itself (a resource cannot read itself: `CidrBlock: !Ref PublicSubnet1CIDR` in
    `PublicSubnet1`), or a place that wants a CIDR block, a number, a boolean or the id of another
    resource type (`SubnetId: !Ref VpcSubnet` next to a VPC `Vpc`). A name that is the short name
    of a resource type in the template (`VPC`) is also `dangling-reference`'s.

    ## Why it matters
    CloudFormation rejects the template (`Unresolved resource dependencies`): nothing deploys.
    Generated templates often read a subnet, a security group or a role that was never declared
    (or cut off): the value has to come from somewhere, and only the deployer knows it.

    ## What it changes
    A parameter of that name is declared at the end of `Parameters` (the section is created
    before `Resources` when the template has none), with no `Default` (no value is invented)
    and a `Description` saying who reads it and that it was defined nowhere:
    - its `Type` comes from where it is read: the AWS-specific type when the property takes one
      (cfn-lint's schema formats: a subnet id gives `AWS::EC2::Subnet::Id`, a list of security
      group ids `List<AWS::EC2::SecurityGroup::Id>`, an instance's `KeyName`
      `AWS::EC2::KeyPair::KeyName`), `Number` where a number is wanted,
      `CommaDelimitedList` where a list of strings is, otherwise `String` (always in `Fn::Sub`
      text, outputs and conditions);
    - a name read in places that want different types becomes `String` when every place takes
      a single value, and is reported otherwise;
    - `Fn::GetAtt X.Attr` (and `${X.Attr}`) on a resource `X` defined nowhere becomes
      `Ref` to a new parameter `XAttr` (dots removed: `!GetAtt BatchJobRole.Arn` becomes
      `!Ref BatchJobRoleArn`, `${Db.Endpoint.Address}` becomes `${DbEndpointAddress}`).

    Reported, not changed: a name whose place wants an object or cannot be told (a resource
    type without a schema, a list of lists), an attribute parameter whose name is taken,
    templates that would pass CloudFormation's 200 parameters, and templates that look cut off
    or half-renamed: more than a third of their references name nothing and some of those are
    near defined names (`SubnetId: !Ref PublicSubnet2` next to a subnet `PublicSubnet1`), which would
    be left failing with the rest hidden behind parameters. Templates with a transform other than
    SAM's are skipped (a macro defines names of its own); in a SAM template the names SAM may
    add (`MyFunctionRole`, `ServerlessRestApi`: see dangling-reference) count as defined.

    ## Example
    ```yaml
    # before
    Resources:
      WebServer:
        Type: AWS::EC2::Instance
        Properties:
          SubnetId: !Ref Subnet
    # after
    Parameters:
      Subnet:
        Type: AWS::EC2::Subnet::Id
        Description: 'Subnet: referenced by WebServer, defined nowhere in the template; supply an existing one or define the resource'
    Resources:
      WebServer:
        Type: AWS::EC2::Instance
        Properties:
          SubnetId: !Ref Subnet
    ```

    ## Fix safety
    Review: the stack now needs a value at deploy time, and the resource it names is one that
    exists outside the stack, not one the template creates. If the author meant to define the
    resource in the template, define it and remove the parameter.
    """

    def find(self, doc: Document) -> list[Finding]:
        groups: dict[str, list[Site]] = {}
        for site in undeclared(doc):
            groups.setdefault(site.parameter, []).append(site)
        if not groups:
            return []
        section = doc.data.get("Parameters")
        malformed = section is not None and not isinstance(section, dict)  # a list or text: not ours to rewrite
        too_many = malformed or len(parameters(doc)) + len(groups) > MAX_PARAMETERS
        total, missing = reference_counts(doc)
        named = sum(len(s) for s in groups.values())
        cut_off = named * 3 > total and missing > named  # much names nothing, and some of it only a person can place
        findings = []
        for name, sites in groups.items():
            first = sites[0]
            types = [place_type(doc, s.call) if s.text is None else "String" for s in sites]
            kind = combined(types)
            what = self._what(first)
            readers = _list([s.reader for s in sites])
            if too_many:
                why = ("the Parameters section is no mapping" if malformed
                       else f"declaring it would pass CloudFormation's {MAX_PARAMETERS} parameters")
                findings.append(Finding(first.resource, first.call, f"{what} names nothing in the template; {why}: "
                                        "define it or correct the name", fixable=False))
                continue
            if cut_off:
                findings.append(Finding(first.resource, first.call, f"{what} names nothing in the template, as do {missing} "
                                        f"of its {total} references, some of them near defined names: it looks cut off "
                                        "or half-renamed; parameters would hide that. Restore the missing definitions",
                                        fixable=False))
                continue
            if kind is None:
                told = sorted({f"{t} ({s.reader})" for s, t in zip(sites, types) if t is not None})
                why = ("read where different types are wanted: " + ", ".join(told)) if len(told) > 1 else (
                    "read where no parameter type fits (an object, or a place whose type is unknown)")
                findings.append(Finding(first.resource, first.call, f"{what} names nothing in the template and is {why}; "
                                        "declare it or define the resource", fixable=False))
                continue
            if first.getatt:
                res, attr = first.shown.split(".", 1)
                description = (f"{name}: stands for Fn::GetAtt {first.shown}, read by {readers}; {res} is defined "
                               "nowhere in the template; supply the value or define the resource")
            else:
                description = (f"{name}: referenced by {readers}, defined nowhere in the template; supply an existing "
                               "one or define the resource")
            body = {"Type": kind, "Description": description}
            message = (f"{what} names nothing in the template; declared parameter '{name}' ({kind}) for the "
                       f"deployer to supply, read by {readers}")
            findings.append(Finding(first.resource, first.call, message, detail=(name, body, sites)))
        return findings

    @staticmethod
    def _what(site: Site) -> str:
        if site.text is not None:
            return f"{site.rule} '{site.token}' in an Fn::Sub string"
        if site.getatt:
            return f"{site.rule} Fn::GetAtt '{site.shown}'"
        return f"{site.rule} Ref to '{site.shown}'"

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        declared = NewParameters(editor, {f.detail[0]: f.detail[1] for f in findings})
        changes = []
        for f in findings:
            name, body, sites = f.detail
            with editor.finding(f):
                declared.declare(name, body)
                rewritten = []
                for site in sites:
                    if not site.getatt:
                        continue
                    before = doc.value(site.call)
                    if site.text is None:
                        editor.set(node_path(doc, site.call) or site.call, {"Ref": name})
                    else:
                        editor.replace_text(site.text, site.token, site.new_token)
                    rewritten.append((site, before))
                changes.append(self.change(f, "add", None, body, f.message, path=("Parameters", name),
                                           safety=Safety.REVIEW))
                for site, before in rewritten:
                    changes.append(self.change(f, "replace", before, _renamed(before, site),
                                               f"{self._what(site)} becomes a reference to parameter '{name}'",
                                               path=site.call, safety=Safety.REVIEW))
        return Fix.of(editor, changes)
