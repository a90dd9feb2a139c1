"""Placeholders left where the deployer's value is meant (``YOUR_HOSTED_ZONE_ID``, ``sg-67890``),
which the schema's pattern or cfn-lint's id formats reject (E3031, E1150-E1164): each becomes a
``Ref`` to a new parameter for the deployer to supply."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, NamedTuple

from cfnfix import formats, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor, free_id
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.parameter_types import is_scalar, place_type
from cfnfix.parameters import NewParameters, parameters
from cfnfix.values import property_literals

MAX_PARAMETERS = 200  # CloudFormation quota: parameters per template
_SECTIONS = ("Parameters", "Resources", "Conditions", "Mappings", "Outputs", "Rules")
# words that mark a value as one to be replaced, in any case and anywhere in it
_MARKERS = frozenset({"your", "placeholder", "changeme", "replaceme", "fixme", "tbd"})
# verbs that do when an object follows (REPLACE_WITH_..., change-me), or alone
_VERBS = frozenset({"replace", "change"})
_OBJECTS = frozenset({"me", "with", "this"})
# words that also start names authors choose (my-bucket, example-app, todo-app, change-events):
# where the id of an existing thing is read, which no chosen name can be; elsewhere only a TODO in
# capitals, or the word alone
_WEAK = frozenset({"my", "example", "todo"}) | _VERBS
_WORDS = re.compile(r"^[A-Za-z0-9]+(?:[_\- ]+[A-Za-z0-9]+)*$")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_ANGLED = re.compile(r"^<[^<>]*[A-Za-z][^<>]*>$")
_XS = re.compile(r"^x{3,}$", re.IGNORECASE)
_BODY = re.compile(r"^[0-9a-fA-FxX]*$")
_RUNS = ("0123456789" * 3, "0123456789abcdef" * 2, "1234567890abcdef" * 2)
_ID_LENGTH = 8  # the shortest id body the EC2 id formats accept


def words(text: str) -> list[str]:
    """The words of ``text`` as written (``_``, ``-``, space and case changes separate them; a
    run of words in one case is one word too: ``ChangeMe`` gives ``ChangeMe``, ``Change``,
    ``Me``); [] when the text holds anything else (``:``, ``/``, ``.``): an ARN or a path is no
    one word."""
    if not _WORDS.match(text):
        return []
    out = []
    for part in re.split(r"[_\- ]+", text):
        out.append(part)
        pieces = _CAMEL.findall(part)
        if len(pieces) > 1:
            out.extend(pieces)
    return out


def _marker(said: list[str], reads_existing: bool) -> str | None:
    lower = [w.lower() for w in said]
    for i, w in enumerate(lower):
        if w in _MARKERS or _XS.match(w):
            return said[i]
        if w in _VERBS and i + 1 < len(lower) and lower[i + 1] in _OBJECTS:
            return said[i] + " " + said[i + 1]
        if said[i] == "TODO" or reads_existing and w in _WEAK or len(said) == 1 and w in _WEAK:
            return said[i]
    return None


@lru_cache(maxsize=65536)
def may_be_placeholder(text: str) -> bool:
    """Whether ``placeholder`` may find ``text`` a placeholder at some place: text in <...>, a
    marker word (as where an existing thing's id is read, which takes the most words), or any
    id prefix followed by an id-like body. False rules it out everywhere, before the schema of
    its place is looked up; kept per text, as the texts of one template come back in every
    document a fix makes of it."""
    if _ANGLED.match(text) or _marker(words(text), True) is not None:
        return True
    lower = text.lower()
    return any(lower.startswith(p) and _BODY.match(lower[len(p):]) for p in formats.PREFIXES.values())


def placeholder(text: str, prefixes: list[str], reads_existing: bool) -> str | None:
    """Why ``text`` is plainly a placeholder (a phrase for the change log), or None.

    ``prefixes`` are the id prefixes the place's formats name (``sg-``); ``reads_existing``
    whether the place reads the id of a thing that exists outside the stack."""
    if _ANGLED.match(text):
        return "text in <...>"
    marker = _marker(words(text), reads_existing)
    if marker is not None:
        return "x's standing for a value" if _XS.match(marker) else f"the word {marker.upper()!r}"
    lower = text.lower()
    prefix = next((p for p in prefixes if lower.startswith(p)), None)
    if prefix is None:
        return None
    body = lower[len(prefix):]
    if not _BODY.match(body):
        return None
    if len(body) < _ID_LENGTH:
        return f"an id too short to be one: {len(body)} characters after {prefix}"
    if set(body) == {"0"}:
        return "an id of zeros"
    if set(body) == {"x"}:
        return "an id of x's"
    if any(body in run for run in _RUNS):
        return "an id of counted digits"
    return None


class Site(NamedTuple):
    """A literal value that stands for one the deployer supplies: a string, or a list of them."""

    resource: str
    path: tuple
    value: Any
    kind: str | None  # the parameter type the place takes (None: it cannot be told)
    why: str  # why it is a placeholder ("" for the same text read elsewhere)
    rule: str  # the cfn-lint rule rejecting it ("" for the same text read elsewhere)
    rejected_by: str

    @property
    def where(self) -> str:
        return f"{self.resource} {'/'.join(map(str, self.path[3:]))}"


def _literals(doc: Document, rid: str) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every literal string in the properties of resource ``rid``; what an
    intrinsic holds (an Fn::Sub text, an Fn::If branch, a Join part) is left out. Read from the
    document's shared ``property_literals``, which other fixers walk too."""
    return ((path, value) for path, value in property_literals(doc)[rid] if isinstance(value, str))


def _resources(doc: Document) -> Iterator[tuple[str, str]]:
    """(id, type) of every resource of a known type with a mapping of properties."""
    for rid, res in doc.resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str) or not isinstance(res.get("Properties"), dict):
            continue
        if schemas.resource_schema(res["Type"]) is None:
            continue
        yield rid, res["Type"]


def _defined(doc: Document) -> set:
    data = doc.data if isinstance(doc.data, dict) else {}
    return {name for section in _SECTIONS if isinstance(data.get(section), dict) for name in data[section]}


def _quoted(texts: list[str]) -> str:
    return ", ".join(f"'{t}'" for t in texts)


class PlaceholderValue(Fixer):
    name = "placeholder-value"
    summary = "Turn placeholder values the schema rejects (YOUR_HOSTED_ZONE_ID, sg-67890) into parameters (E3031, E1150-E1164)"
    group = "deploy"
    safety = Safety.REVIEW
    default = False
    lint_rules = ("E3031", "E1150", "E1151", "E1152", "E1153", "E1154", "E1155", "E1156", "E1157", "E1158",
                  "E1159", "E1160", "E1161", "E1162", "E1164")
    docs = """
    ## What it detects
    A literal string in a resource's properties that the schema rejects where it stands (its
    `pattern`, cfn-lint E3031, or the id and ARN formats cfn-lint checks, E1150-E1164) and that
    is plainly a placeholder for a value the deployer gives:
    - it holds one of the words YOUR, PLACEHOLDER, CHANGEME, REPLACEME, FIXME, TBD or a run of
      x's, in any case, the words separated by `_`, `-`, spaces or case changes
      (`YOUR_HOSTED_ZONE_ID`, `your-vpc-id`, `ReplaceMe`, `XXXX`), or REPLACE/CHANGE followed by
      ME, WITH or THIS (`REPLACE_WITH_ZONE_ID`, `change-me`);
    - MY, EXAMPLE, TODO, REPLACE and CHANGE also start names authors choose (`todo-app`,
      `MyBucket`, `change-events`): they count where the place reads the id of an existing thing
      (a subnet, a security group, a hosted zone), which no chosen name fits, and elsewhere only
      as the whole value or, for TODO, in capitals;
    - it is text in angle brackets (`<vpc-id>`);
    - it is an id with the right prefix whose body is too short, all zeros, all x's or counted
      digits (`sg-67890`, `vpc-xxxxxxxx`, `subnet-123456789`).

    A value with `:` or `/` in it (an ARN, a path) is no placeholder as a whole and is left
    alone, as is a value the schema accepts, a value inside `Fn::Sub` text or any other
    intrinsic (an `Fn::If` branch, a `Join` part), a dynamic reference (`{{resolve:...}}`), a
    value that names something the template defines, and any value rejected for a reason that
    is not a placeholder (other fixers own those). Templates with a `Transform` are skipped.

    ## Why it matters
    CloudFormation or the service rejects the value (`Invalid id: "sg-67890"`) and the stack
    fails. Generated templates leave such placeholders where the author meant "the deployer
    gives this"; a parameter says so, and the AWS-specific parameter types check the value
    before anything deploys.

    ## What it changes
    The value becomes a `Ref` to a new parameter with no `Default` (no value is invented),
    declared at the end of `Parameters` (the section is created before `Resources` when the
    template has none). The parameter is named from the resource and the property
    (`Route53DNSSECHostedZoneId`; a number is added when the name is taken), typed as the place
    wants (`AWS::EC2::SecurityGroup::Id`, `AWS::Route53::HostedZone::Id` for a Route 53
    resource's own `HostedZoneId`, `AWS::EC2::Subnet::Id`, else `String`), and its
    `Description` says which placeholder the template held. One parameter stands for each
    distinct placeholder and type: the same placeholder in several places reads one parameter,
    including places that read the same kind of id where the schema cannot tell it from a name
    (an instance's `SecurityGroupIds` item). A list whose items are all placeholders becomes one
    `List<...>` parameter (`Subnets: [subnet-123, subnet-456]` becomes `Subnets: !Ref
    LoadBalancerSubnets` of type `List<AWS::EC2::Subnet::Id>`), unless one of its placeholders is
    also read alone elsewhere.

    Reported, not changed: templates that would pass CloudFormation's 200 parameters (or whose
    `Parameters` section is no mapping), and placeholders at a place whose parameter type cannot
    be told.

    ## Example
    ```yaml
    # before
    Resources:
      Ingress:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: sg-67890
          IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 203.0.113.0/24
    # after
    Parameters:
      IngressGroupId:
        Type: AWS::EC2::SecurityGroup::Id
        Description: 'GroupId of Ingress: the template held the placeholder ''sg-67890''; supply the real value'
    Resources:
      Ingress:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: !Ref IngressGroupId
          IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 203.0.113.0/24
    ```

    ## Fix safety
    Review: the stack now needs a value at deploy time that only the deployer knows, and the
    resource reads whatever is supplied. A parameter is asked for on every deploy, also when
    only resources whose `Condition` is false read it. If the placeholder stood for something
    the template should create, define that resource and `Ref` it instead of the parameter.
    """

    def find(self, doc: Document) -> list[Finding]:
        if not isinstance(doc.data, dict) or "Transform" in doc.data:
            return []
        defined = _defined(doc)
        sites = self._sites(doc, defined)
        if not sites:
            return []
        groups: dict[tuple, list[Site]] = {}
        for site in self._whole_lists(doc, sites):
            key = (tuple(site.value) if isinstance(site.value, list) else site.value, site.kind)
            groups.setdefault(key, []).append(site)
        self._same_text_elsewhere(doc, groups, defined)
        section = doc.data.get("Parameters")
        malformed = section is not None and not isinstance(section, dict)
        too_many = malformed or len(parameters(doc)) + len(groups) > MAX_PARAMETERS
        taken = set(defined)
        findings = []
        for (_, kind), group in groups.items():
            first = group[0]
            head = self._head(first)
            if kind is None:
                findings.append(Finding(first.resource, first.path, f"{head}; no parameter type fits the place: "
                                        "supply the value by hand", fixable=False))
                continue
            if too_many:
                why = ("the Parameters section is no mapping" if malformed
                       else f"a parameter for it would pass CloudFormation's {MAX_PARAMETERS} parameters")
                findings.append(Finding(first.resource, first.path, f"{head}; {why}: supply the value by hand",
                                        fixable=False))
                continue
            name = self._name(first, taken)
            taken.add(name)
            shown = _quoted(first.value) if isinstance(first.value, list) else f"'{first.value}'"
            held = "placeholders" if isinstance(first.value, list) else "placeholder"
            readers = ", ".join(dict.fromkeys(s.where for s in group))
            body = {"Type": kind, "Description": f"{self._prop(first)} of {first.resource}: the template held the "
                    f"{held} {shown}; supply the real value"}
            also = [s.where for s in group[1:]]
            message = (f"{head}; it becomes a Ref to new parameter '{name}' ({kind}) for the deployer to supply"
                       + (f", also read at {', '.join(dict.fromkeys(also))}" if also else ""))
            findings.append(Finding(first.resource, first.path, message, detail=(name, body, group, readers)))
        return findings

    def _sites(self, doc: Document, defined: set) -> list[Site]:
        """Every literal string the schema rejects that is plainly a placeholder."""
        out = []
        literals = property_literals(doc)
        for rid, type_name in _resources(doc):
            for path, value in literals[rid]:
                if (not isinstance(value, str) or not may_be_placeholder(value) or not value.strip()
                        or "{{resolve:" in value or value in defined):
                    continue
                schema = schemas.schema_at(type_name, path)
                kind = place_type(doc, path)
                existing = kind is not None and kind.startswith("AWS::")
                why = placeholder(value, formats.id_prefixes(schema), existing)
                if why is None:
                    continue
                # asked last: a schema pattern is matched with the ``regex`` module, an import of
                # ~20 ms per process, which most runs then never make (no placeholder reaches it)
                rejected = formats.rejection(schema, value)
                if rejected is None:
                    continue
                out.append(Site(rid, path, value, kind, why, *rejected))
        return out

    @staticmethod
    def _whole_lists(doc: Document, sites: list[Site]) -> list[Site]:
        """The sites, a list whose items are all placeholders taken as one (unless one of them is
        also read alone elsewhere: one parameter per placeholder)."""
        items: dict[tuple, list[Site]] = {}
        for s in sites:
            if isinstance(s.path[-1], int):
                items.setdefault(s.path[:-1], []).append(s)
        alone = {s.value for s in sites if not isinstance(s.path[-1], int)}
        whole: dict[tuple, Site] = {}
        for path, found in items.items():
            value = doc.value(path)
            if not isinstance(value, list) or len(found) != len(value) or any(s.value in alone for s in found):
                continue
            kind = place_type(doc, path)
            if kind is None or is_scalar(kind):
                continue
            first = found[0]
            whole[path] = Site(first.resource, path, list(value), kind, "every item is one", first.rule, first.rejected_by)
        out, done = [], set()
        for s in sites:
            parent = s.path[:-1] if isinstance(s.path[-1], int) else None
            if parent in whole:
                if parent not in done:
                    out.append(whole[parent])
                    done.add(parent)
                continue
            out.append(s)
        return out

    @staticmethod
    def _same_text_elsewhere(doc: Document, groups: dict[tuple, list[Site]], defined: set) -> None:
        """Adds to each group of an AWS-specific id type the same text where it is read as that
        type but the schema cannot tell an id from a name (an instance's SecurityGroupIds item)."""
        wanted = {key for key in groups if isinstance(key[0], str) and key[1] and key[1].startswith("AWS::")}
        if not wanted:
            return
        seen = {s.path for group in groups.values() for s in group}
        for rid, _ in _resources(doc):
            for path, value in _literals(doc, rid):
                if path in seen or value in defined or not any(value == key[0] for key in wanted):
                    continue
                kind = place_type(doc, path)
                if (value, kind) in wanted:
                    groups[(value, kind)].append(Site(rid, path, value, kind, "", "", ""))

    @staticmethod
    def _prop(site: Site) -> str:
        prop = next((p for p in reversed(site.path) if isinstance(p, str)), "Value")
        if isinstance(site.path[-1], int) and prop.endswith("s") and not prop.endswith("ss"):
            prop = prop[:-1]  # one item of SecurityGroupIds: a SecurityGroupId
        return prop

    def _name(self, site: Site, taken: set) -> str:
        base = re.sub(r"[^A-Za-z0-9]", "", site.resource + self._prop(site)) or "Placeholder"
        return free_id(base[:250], taken)

    @staticmethod
    def _head(site: Site) -> str:
        if isinstance(site.value, list):
            return (f"{site.rule} {site.where} [{_quoted(site.value)}] holds only placeholders, which "
                    f"{site.rejected_by} rejects")
        return f"{site.rule} {site.where} {site.value!r} is a placeholder ({site.why}) that {site.rejected_by} rejects"

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        declared = NewParameters(editor, {f.detail[0]: f.detail[1] for f in findings})
        changes = []
        for f in findings:
            name, body, group, readers = f.detail
            with editor.finding(f):
                declared.declare(name, body)
                for site in group:
                    editor.set(site.path, {"Ref": name})
                held = (f"placeholders {_quoted(group[0].value)}" if isinstance(group[0].value, list)
                        else f"placeholder '{group[0].value}'")
                changes.append(self.change(f, "add", None, body, f"declared parameter '{name}' ({body['Type']}) with no "
                                           f"Default for the {held} read at {readers}: the deployer "
                                           f"supplies the real value; its Description keeps the {held.split()[0]}",
                                           path=("Parameters", name)))
                for site in group:
                    shown = (f"placeholders {_quoted(site.value)}" if isinstance(site.value, list)
                             else f"placeholder '{site.value}'")
                    them = "them" if isinstance(site.value, list) else "it"
                    why = (f" ({site.why}; {site.rule}: {site.rejected_by} rejects {them})" if site.rule
                           else f" (the same placeholder, read as {site.kind})")
                    changes.append(self.change(f, "replace", site.value, {"Ref": name},
                                               f"{shown} at {site.where}{why} becomes a Ref to parameter "
                                               f"'{name}'", path=site.path))
        return Fix.of(editor, changes)
