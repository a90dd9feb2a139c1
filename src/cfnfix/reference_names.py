"""Names that references use: which existing name a misspelt one plainly means (``pick``,
``close``, ``misspelt``), and the references to names that nothing in the template defines and
that are no slip of a defined one (``undeclared``), which ``undeclared-parameter`` declares as parameters and
``dangling-reference`` leaves to it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, NamedTuple

from . import schemas
from .document import Document
from .graph import PSEUDO_PARAMETERS as PSEUDO, entries
from .memo import cached, entrywise
from .nodepath import node_path
from .parameter_types import place_type
from .property_names import words

SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_CLOSE = 0.9  # difflib ratio of a near spelling
_MARGIN = 0.04  # the best name must beat the next by this much
_NAME = re.compile(r"[A-Za-z0-9]{1,255}")
# properties whose text is code or a document another service reads: ${...} there may be its own
CODE_KEYS = ("ZipFile", "UserData", "BuildSpec", "Content", "DefinitionString", "Definition", "InlineCode",
             "Script", "Command", "Commands")


_VALID = re.compile(r"[A-Za-z0-9]+(\.[A-Za-z0-9]+)*|AWS::[A-Za-z]+")
_NOT_DIGIT = re.compile(r"\D")
_LAST_LETTER = re.compile(r"(?<=[a-z0-9])[A-Z]$")  # `SubnetA`'s A; not VPC's C


def numbering(name: str) -> tuple[str, str]:
    """What tells apart the names of a series, which no near spelling may change: the digits
    (`Subnet1`, `Subnet2`) and a closing capital letter after a small one or a digit (`SubnetA`,
    `SubnetB`: a reference to a `PublicSubnetA` nothing defines is not `PublicSubnetB`)."""
    last = _LAST_LETTER.search(name)
    return _NOT_DIGIT.sub("", name), last.group(0) if last else ""
# below this bound on its ratio a name can be neither the pick (at least _CLOSE) nor the runner-up
# that takes it away (within _MARGIN of it); twice the margin keeps float rounding out of it
_FAR = _CLOSE - 2 * _MARGIN


def pick(name: str, pool: list[str]) -> tuple[str | None, str]:
    """The one name of ``pool`` that ``name`` plainly means, and why; None when there is none.

    Same name in another case, or the single near spelling (difflib ratio at least 0.9, clearly
    ahead of the next) of the same ``numbering``: ``Subnet1`` never becomes ``Subnet2``, nor
    ``SubnetA`` ``SubnetB``. A name
    whose ratio cannot reach ``_FAR`` (its length or its letters alone say so, as difflib's
    ``real_quick_ratio`` and ``quick_ratio`` bound it) is not compared in full: it can change
    neither the pick nor the margin, and the full comparison is most of what a pick costs.

    The answer is kept by name and pool (``_pick``): it depends on nothing else, and the same
    name meets the same pool again and again, in dangling-reference and in ``undeclared`` and on
    each document a later fix makes (150 picks over aws-samples, 17 different ones)."""
    return _pick(name, tuple(pool))


@lru_cache(maxsize=1024)
def _pick(name: str, pool: tuple[str, ...]) -> tuple[str | None, str]:
    import difflib  # here, not at the top: only the fixers that meet a name nothing defines pick

    valid = [p for p in pool if _VALID.fullmatch(p)]  # valid names only
    same_case = [p for p in valid if p.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    series = numbering(name)
    lower = name.lower()
    scored = []
    for p in valid:
        if numbering(p) != series or 2.0 * min(len(lower), len(p)) / (len(lower) + len(p)) < _FAR:
            continue
        matcher = difflib.SequenceMatcher(None, lower, p.lower())
        if matcher.quick_ratio() >= _FAR:
            scored.append((matcher.ratio(), p))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= _CLOSE and (len(scored) == 1 or scored[0][0] - scored[1][0] >= _MARGIN):
        return scored[0][1], "is the only name this close"
    return None, ""


def close(name: str, pool: list[str]) -> list[str]:
    """Names to show as candidates in a report; kept by name and pool as ``pick``'s answers are
    (42 asked over aws-samples, 12 different)."""
    return list(_close(name, tuple(pool)))


@lru_cache(maxsize=1024)
def _close(name: str, pool: tuple[str, ...]) -> tuple[str, ...]:
    import difflib

    return tuple(difflib.get_close_matches(name, pool, n=3, cutoff=0.6))


_WORD_SLIP = 0.75  # difflib ratio of a misspelt word ("Grp" for "Group", "Rol" for "Role")


def misspelt(name: str, pool: list[str]) -> list[str]:
    """The names of ``pool`` that ``name`` may be a slip of (words as ``property_names.words``
    splits them: lower case, singular): the same words but one misspelt
    (``DBSecurityGrp``) or numbered otherwise (``Subnet1``), or one word more or fewer (``VpcId``, ``LambdaRole`` for
    ``LambdaExecRole``). Another word in its place names another thing (``BatchJobRole`` is no
    slip of ``BatchJobQueue``): a reference to it is an input the template lacks.

    Kept by name and pool as ``pick``'s answers are (78 asked over aws-samples, 13 different)."""
    return list(_misspelt(name, tuple(pool)))


@lru_cache(maxsize=1024)
def _misspelt(name: str, pool: tuple[str, ...]) -> tuple[str, ...]:
    import difflib

    mine = words(name)
    found = []
    for other in pool:
        theirs = words(other)
        if mine == theirs:
            found.append(other)
        elif len(mine) == len(theirs):
            slips = [(a, b) for a, b in zip(mine, theirs) if a != b]
            if len(slips) == 1 and (all(w.isdigit() for w in slips[0])  # a sibling: Subnet1 of Subnet2
                                    or difflib.SequenceMatcher(None, *slips[0]).ratio() >= _WORD_SLIP):
                found.append(other)
        elif abs(len(mine) - len(theirs)) == 1:
            short, long = sorted((mine, theirs), key=len)
            if any(long[:i] + long[i + 1:] == short for i in range(len(long))):
                found.append(other)
    return tuple(found)


def has_attribute(type_name: str, attr: str) -> bool:
    """Whether ``Fn::GetAtt`` accepts ``attr`` on ``type_name`` (as cfn-lint judges; False when unknown)."""
    attrs = schemas.attributes(type_name)
    if attr in schemas.read_only_attributes(type_name):
        return True
    return attrs is not None and (attr in attrs or any(a.endswith(".*") and attr.startswith(a[:-1]) for a in attrs))


def by_type(doc: Document, name: str, reader: tuple, attr: str | None = None) -> tuple[str | None, list[str], str]:
    """The one resource a reference to ``name``, the last segment of a resource type (``VPC``,
    ``Bucket``, ``Function``: another case counts), plainly means: the template's only resource of
    such a type, when no parameter or other resource is a slip of ``name`` (``misspelt``), it is not
    the reader itself (``reader``: section and key of the reference), it carries no ``Condition``
    the reader lacks, and (for ``attr``) its type has that attribute. Returns (that resource or
    None, the resources of such types, why none is taken): several is a choice for a person."""
    data = doc.data
    if not isinstance(data, dict) or not reader or reader[0] == "Conditions":
        return None, [], ""  # a condition can read no resource
    lower = name.lower()
    found = [rid for rid, body in doc.resources.items()
             if isinstance(body, dict) and isinstance(body.get("Type"), str) and "::" in body["Type"]
             and body["Type"].rsplit("::", 1)[1].lower() == lower]
    if not found:
        return None, [], ""
    kinds = " and ".join(sorted({doc.resources[n]["Type"] for n in found}))
    if len(found) > 1:
        return None, found, (f"'{name}' is the short name of {kinds}, of which the template has several: "
                             + ", ".join(f"'{n}'" for n in found) + "; correct the name to the one meant")
    (target,) = found
    body = doc.resources[target]
    if target == reader[1] and reader[0] == "Resources":
        return None, found, f"'{name}' is the short name of {kinds}, but '{target}' cannot read itself"
    params = list(data["Parameters"]) if isinstance(data.get("Parameters"), dict) else []
    slips = misspelt(name, [n for n in params + list(doc.resources) if n != target])
    if slips:
        return None, found, (f"'{name}' is the short name of {kinds} ('{target}') but may also be a slip of "
                             + ", ".join(f"'{n}'" for n in slips) + "; correct the name to the one meant")
    section = data.get(reader[0])
    holder = section.get(reader[1]) if isinstance(section, dict) else None
    theirs = holder.get("Condition") if isinstance(holder, dict) else None
    if body.get("Condition") is not None and body.get("Condition") != theirs:
        return None, found, (f"'{name}' is the short name of {kinds}, but '{target}' exists only when condition "
                             f"'{body['Condition']}' holds: read it under that condition (Fn::If) or correct the name")
    if attr is not None and not has_attribute(body["Type"], attr):
        return None, found, f"'{target}', the template's only {kinds}, has no attribute '{attr}'"
    return target, found, f"is the template's only {kinds}, the type '{name}' names"


_NO_RESOURCE_GIVES = ("ipv4-network", "ipv6-network")  # schema formats of a CIDR: no resource's Ref returns one


def cannot_mean(doc: Document, other: str, reader: str | None, call: tuple) -> bool:
    """Whether a ``Ref`` at ``call`` (read by resource ``reader``) cannot mean resource ``other``,
    so a name near ``other`` is no slip of it: ``other`` is the reader itself (a resource cannot
    read itself), or the place wants a value no ``Ref`` to ``other`` gives: a CIDR block
    (``CidrBlock: !Ref PublicSubnet1CIDR`` next to a subnet ``PublicSubnet1``), a number or a
    boolean, or the id of another resource type (``AWS::EC2::Subnet::Id`` where ``other`` is a VPC)."""
    body = doc.resources.get(other)
    kind = body.get("Type") if isinstance(body, dict) else None
    if not isinstance(kind, str):
        return False  # a parameter, or a resource of no type: any value
    if other == reader:
        return True
    if call[:1] != ("Resources",) or len(call) < 4 or call[2] != "Properties":
        return False
    wanted = place_type(doc, call)
    if wanted == "Number":
        return True
    if wanted is not None and wanted.startswith(("AWS::", "List<AWS::")):
        owner = wanted.removeprefix("List<").rstrip(">").split("::")
        return "::".join(owner[:3]) != kind
    reader_type = doc.resources.get(call[1], {}).get("Type") if isinstance(doc.resources.get(call[1]), dict) else None
    if not isinstance(reader_type, str) or any(isinstance(p, str) and (p.startswith("Fn::") or p == "Ref") for p in call[3:]):
        return False
    schema = schemas.schema_at(reader_type, call)
    return schema.get("format") in _NO_RESOURCE_GIVES or schema.get("type") == "boolean"


def arg_path(doc: Document, path: tuple, fn: str) -> tuple:
    """Node path of an intrinsic's argument: the tagged node itself in short form, else under the key."""
    return node_path(doc, path + (fn,)) or path + (fn,)


def calls(value: Any, path: tuple, maps: list | None = None) -> list[tuple[str, Any, tuple]]:
    """(function, argument, path of the call) for every Ref, Fn::GetAtt and Fn::Sub in ``value``.

    ``maps``, when given, receives (path, argument) of every Fn::FindInMap in ``value``, in the
    order of :func:`map_calls`, as the walk passes them: the one walk serves both. The walk
    fills lists and steps into mappings and lists only (no generator per node, no call per
    scalar), with one function for each, so that a node's kind is asked once, where it is met:
    it runs over every body of every document."""
    found: list[tuple[str, Any, tuple]] = []
    if isinstance(value, dict):
        _mapping_calls(value, path, found, maps)
    elif isinstance(value, list):
        _list_calls(value, path, found, maps)
    return found


_CALLED = ("Ref", "Fn::GetAtt", "Fn::Sub")


def _mapping_calls(value: dict, path: tuple, found: list, maps: list | None) -> None:
    if len(value) == 1:
        (fn, arg), = value.items()
        if fn in _CALLED:
            if maps is not None:
                _map_calls(arg, path + (fn,), maps)  # this walk stops here; a FindInMap may not
            found.append((fn, arg, path))
            if fn == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
                for k, v in arg[1].items():
                    if isinstance(v, dict):
                        _mapping_calls(v, path + (fn, 1, k), found, None)
                    elif isinstance(v, list):
                        _list_calls(v, path + (fn, 1, k), found, None)
            return
        if fn == "Fn::FindInMap" and maps is not None:
            maps.append((path, arg))
    for k, v in value.items():
        if isinstance(v, dict):
            _mapping_calls(v, path + (k,), found, maps)
        elif isinstance(v, list):
            _list_calls(v, path + (k,), found, maps)


def _list_calls(value: list, path: tuple, found: list, maps: list | None) -> None:
    for i, v in enumerate(value):
        if isinstance(v, dict):
            _mapping_calls(v, path + (i,), found, maps)
        elif isinstance(v, list):
            _list_calls(v, path + (i,), found, maps)


def map_calls(value: Any, path: tuple) -> list[tuple[tuple, Any]]:
    """(path, argument) of every Fn::FindInMap in ``value``."""
    found: list[tuple[tuple, Any]] = []
    _map_calls(value, path, found)
    return found


def _map_calls(value: Any, path: tuple, found: list) -> None:
    if isinstance(value, dict):
        if len(value) == 1 and "Fn::FindInMap" in value:
            found.append((path, value["Fn::FindInMap"]))
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                _map_calls(v, path + (k,), found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _map_calls(v, path + (i,), found)


def bodies(data: dict) -> Iterator[tuple[str, Any, Any]]:
    """(section, key, entry) of every resource, output and condition."""
    yield from entries(data)
    conditions = data.get("Conditions")
    if isinstance(conditions, dict):
        yield from (("Conditions", key, value) for key, value in conditions.items())


def searched(section: str, entry: Any) -> Any:
    """What of a body (``bodies``) references are looked for in: a resource's properties and
    metadata (not its Type, DependsOn or Condition), an output or condition whole."""
    if section == "Resources":
        return {k: v for k, v in entry.items() if k not in ("Type", "DependsOn", "Condition")}
    return entry


def body_calls(doc: Document) -> list[tuple[str, str, Any, list[tuple[str, Any, tuple]]]]:
    """(section, key, value searched, its ``calls``) of every body (``bodies``), in template order.

    Computed once per document: ``undeclared``, ``reference_counts`` and dangling-reference each
    read every reference of the same document, and the walk is most of what they cost."""
    return _walk_bodies(doc)[0]


def body_map_calls(doc: Document) -> list[list[tuple[tuple, Any]]]:
    """The ``map_calls`` of every body, in the order of :func:`body_calls` (the same walk)."""
    return _walk_bodies(doc)[1]


def _walk_bodies(doc: Document) -> tuple[list, list]:
    data = doc.data
    if not isinstance(data, dict):
        return [], []

    def walk_one(where: tuple[str, Any], entry: Any) -> tuple[tuple, list]:
        value = searched(where[0], entry)
        maps: list = []
        return (*where, value, calls(value, where, maps)), maps

    def walk() -> tuple[list, list]:
        entries = (((section, key), entry) for section, key, entry in bodies(data))
        walked = entrywise("reference_names.body_calls", entries, walk_one)  # an entry a fix left alone: not again
        return [found for found, _ in walked], [maps for _, maps in walked]

    return cached(doc, "reference_names.body_calls", walk)


def script_variable(text: str, name: str, path: tuple) -> bool:
    """Whether ``${name}`` in the ``Fn::Sub`` text at ``path`` is the script's own variable: the
    text is code (``UserData``, ``ZipFile``...) and assigns ``name`` itself (``port=``,
    ``export PORT=``, ``const port =``, ``for port in``)."""
    if not any(k in CODE_KEYS for k in path if isinstance(k, str)) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return False
    word = re.escape(name)
    assigned = rf"(?:^|[\s;&|(`]|\b(?:export|local|readonly|declare|const|let|var)\s+){word}\s*=(?!=)"
    return bool(re.search(assigned, text, re.M) or re.search(rf"\bfor\s+{word}\s+in\b", text))


class Site(NamedTuple):
    """A reference to a name nothing defines and no defined name is a slip of, and the parameter
    standing for it."""

    parameter: str  # the parameter that stands for it: the name, or resource + attribute
    shown: str  # as written: 'Subnet', 'BatchJobRole.Arn'
    rule: str  # cfn-lint's rule: E1020 (Ref), E1010 (Fn::GetAtt), E1019 (Fn::Sub)
    resource: str | None  # the reader (None in outputs and conditions)
    call: tuple  # data path of the Ref / Fn::GetAtt / Fn::Sub
    text: tuple | None = None  # Fn::Sub: node path of the string
    token: str = ""  # Fn::Sub: the ${...} as written
    new_token: str = ""  # Fn::Sub: what it becomes ('${BatchJobRoleArn}'; same as token for a plain name)
    getatt: bool = False  # Fn::GetAtt or ${X.Attr}: the reference itself is rewritten

    @property
    def reader(self) -> str:
        return self.resource if self.resource is not None else ".".join(map(str, self.call[:2]))


# Names SAM gives resources of its own, whatever the template calls its resources: ServerlessRestApi
# (with its Deployment and Stage), ServerlessHttpApi, ServerlessDeploymentApplication, CodeDeployServiceRole
SAM_OWN = ("Serverless", "CodeDeploy")


def generated_names(data: Any) -> tuple[str, ...] | None:
    """How the names a template's transform and modules add begin: the logical ids of its modules
    (a module's resources are named after it: ``StorageBucket``, as cfn-lint admits them); with
    SAM, also the logical ids of the serverless resources (SAM names what it makes for one after
    it: ``MyFunctionRole``, ``MyFunction.Alias``, ``MyApiStage``) and SAM's own names; None with
    any other transform (a macro, AWS::LanguageExtensions's loops), whose names cannot be known."""
    names = schemas.transforms(data)
    if not names:
        return schemas.module_ids(data)
    if any(n != schemas.SAM_TRANSFORM for n in names):
        return None
    return schemas.serverless_ids(data) + SAM_OWN + schemas.module_ids(data)


class _WithGenerated(set):
    """Defined names, and any name a transform or a module may add (one that begins as
    ``generated_names`` says)."""

    def __init__(self, names: Any, generated: tuple[str, ...]) -> None:
        super().__init__(names)
        self.generated = generated

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or (isinstance(name, str) and name.startswith(self.generated))


def defined_names(names: Any, generated: tuple[str, ...]) -> set:
    """``names`` as a set for membership tests that also admit the names ``generated`` begins (a
    plain set when nothing is generated: no SAM transform, no module)."""
    return _WithGenerated(names, generated) if generated else set(names)


def undeclared(doc: Document) -> list[Site]:
    """References to names no parameter, resource or pseudo parameter defines, that no defined
    name is a slip of (no candidate ``pick`` or ``misspelt`` offers), in template order.

    Computed once per document (undeclared-parameter declares these sites, dangling-reference
    leaves them to it): callers must not change the list."""
    return cached(doc, "reference_names.undeclared", lambda: _undeclared(doc))


def _undeclared(doc: Document) -> list[Site]:
    data = doc.data
    generated = generated_names(data)
    if not isinstance(data, dict) or generated is None:
        return []  # a macro defines names of its own
    params = list(data["Parameters"]) if isinstance(data.get("Parameters"), dict) else []
    resources = list(doc.resources)
    defined = defined_names(resources, generated)  # membership; the lists keep the template's order for candidates
    refs = params + resources
    known = defined_names(refs, generated)
    other: set[str] = set()  # conditions, mappings and outputs: a parameter may not share their names
    for section in ("Conditions", "Mappings", "Outputs"):
        if isinstance(data.get(section), dict):
            other.update(map(str, data[section]))
    taken = defined_names(known | other, generated)
    out: list[Site] = []

    def free(name: str) -> bool:
        return bool(_NAME.fullmatch(name)) and name not in taken

    def attribute_site(res: str, attr: str, rid, call, rule, text=None, token="") -> Site | None:
        if res in defined or not free(res) or not re.fullmatch(r"[A-Za-z0-9]+(\.[A-Za-z0-9]+)*", attr):
            return None
        if pick(res, resources)[0] is not None or misspelt(res, resources) or by_type(doc, res, call[:2])[1]:
            return None
        name = res + attr.replace(".", "")
        if not free(name) or pick(name, refs)[0] is not None:
            return None
        return Site(name, f"{res}.{attr}", rule, rid, call, text, token, "${" + name + "}" if token else "", True)

    def name_site(name: str, rid, call, rule, pool, text=None, token="") -> Site | None:
        if not free(name) or name in PSEUDO:
            return None
        near = [n for n in misspelt(name, pool) if text is not None or not cannot_mean(doc, n, rid, call)]
        if pick(name, refs + list(PSEUDO))[0] is not None or near or by_type(doc, name, call[:2])[1]:
            return None
        return Site(name, name, rule, rid, call, text, token, token)

    for section, key, _, found_calls in body_calls(doc):
        rid = key if section == "Resources" else None
        for fn, arg, path in found_calls:
            site = None
            if fn == "Ref" and isinstance(arg, str) and arg not in known:
                site = name_site(arg, rid, path, "E1020", refs + list(PSEUDO))
            elif fn == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                    site = attribute_site(parts[0], parts[1], rid, path, "E1010")
            elif fn == "Fn::Sub":
                text, local = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
                if not isinstance(text, str):
                    continue
                local = local if isinstance(local, dict) else {}
                where = None  # the string's node path, looked up only for a name nothing defines
                for inner in dict.fromkeys(SUB_VAR.findall(text)):
                    name = inner.strip()
                    token = "${" + inner + "}"
                    if name in local or name in known or name in PSEUDO or ":" in name or script_variable(text, name, path):
                        continue
                    if where is None:
                        where = arg_path(doc, path, fn) + ((0,) if isinstance(arg, list) else ())
                    if "." in name:
                        res, attr = name.split(".", 1)
                        found = attribute_site(res, attr, rid, path, "E1019", where, token)
                    else:
                        found = name_site(name, rid, path, "E1019", refs + list(local), where, token)
                    if found is not None:
                        out.append(found)
                continue
            if site is not None:
                out.append(site)
    return out


def reference_counts(doc: Document) -> tuple[int, int]:
    """(references, references that name nothing the template defines) over resources, outputs
    and conditions: each Ref, Fn::GetAtt and ``${...}`` of an ``Fn::Sub`` string counts once."""
    data = doc.data
    if not isinstance(data, dict):
        return 0, 0
    generated = generated_names(data) or ()  # names SAM adds count as defined
    params = list(data["Parameters"]) if isinstance(data.get("Parameters"), dict) else []
    resources = defined_names(doc.resources, generated)
    defined = defined_names([*params, *doc.resources], generated)
    total = missing = 0
    for _, _, _, found_calls in body_calls(doc):
        for fn, arg, path in found_calls:
            if fn == "Ref":
                total += 1
                missing += isinstance(arg, str) and arg not in defined and arg not in PSEUDO
            elif fn == "Fn::GetAtt":
                total += 1
                res = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else None
                missing += isinstance(res, str) and res not in resources
            elif fn == "Fn::Sub":
                text, local = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
                if not isinstance(text, str):
                    continue
                local = local if isinstance(local, dict) else {}
                for inner in SUB_VAR.findall(text):
                    name = inner.strip()
                    total += 1
                    base = name.split(".", 1)[0]
                    missing += not (name in local or name in PSEUDO or ":" in name or script_variable(text, name, path)
                                    or ("." in name and base in resources) or ("." not in name and name in defined))
    return total, missing
