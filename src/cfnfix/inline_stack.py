"""Child stacks inlined into their parent: finding the child templates, renaming, substituting,
and the text edits that put the result in the parent.

Used by flatten-nested-stacks (``AWS::CloudFormation::Stack``) and stackset-to-stack
(``AWS::CloudFormation::StackSet`` with an inline ``TemplateBody`` or a local file). The plan is
built on plain template data; a child that has nested stacks of its own is flattened here as
data first, so grandchildren arrive in the parent already inlined (and renamed twice:
``Parent`` + ``Child`` + ``Resource``). :func:`inline_findings` and :func:`inline_fix` turn a
plan into findings and into edits of the parent's text.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple
from urllib.parse import urlparse

from . import files, render
from .document import MAX_BYTES as MAX_TEMPLATE_BYTES
from .document import Document, Node, TemplateError, decode, parse
from .edits import Edit, EditConflict, Editor
from .fixer import Finding, Fix, Fixer
from .graph import depends_on, references
from .render import intrinsic
from .shapes import mapping

STACK = "AWS::CloudFormation::Stack"
STACK_SET = "AWS::CloudFormation::StackSet"
MAX_ID = 255
LIMITS = (("Resources", 500), ("Parameters", 200), ("Outputs", 200))
MAX_BYTES = 1024 * 1024
_SECTIONS = ("Resources", "Parameters", "Conditions", "Mappings", "Outputs", "Rules")
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_CHILD_PSEUDO = ("AWS::StackName", "AWS::StackId")
_SSM = "AWS::SSM::Parameter::Value<"


@dataclass
class Inlined:
    """One nested stack, ready to replace its Stack resource: everything in the parent's names."""

    stack: str
    label: str  # the child file, as messages name it
    template_url: Any
    resources: dict = field(default_factory=dict)  # new id -> body
    origin: dict = field(default_factory=dict)  # new id -> the child's own id
    outputs: dict = field(default_factory=dict)  # child output name -> value expression
    exports: dict = field(default_factory=dict)  # new output id -> output body (exported outputs)
    conditions: dict = field(default_factory=dict)
    mappings: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)  # SSM parameters the child resolved itself
    transforms: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)  # Stack properties with no flat equivalent


@dataclass
class Plan:
    """How to flatten a parent's nested stacks: the stacks inlined and the rewrites of what names them."""

    inlined: dict  # stack id -> Inlined, in the parent's order
    rewrite: Callable[[Any], Any]  # parent value -> value with stack outputs resolved
    rewrite_depends: Callable[..., Any]  # a DependsOn value with stacks expanded
    rewrite_resource: Callable[[Any], Any]  # a parent resource body, both of the above applied
    transform: Any  # the merged Transform value, or None when unchanged
    problems: list  # (stack id or None, message): reasons not to flatten
    chosen: dict = field(default_factory=dict)  # child label -> why that file was chosen (matched by name)


def stack_name_uses(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths where ``value`` names its own stack (AWS::StackName/StackId, Ref or Sub)."""
    found: list[tuple] = []
    call = intrinsic(value)
    if call and call[0] == "Ref" and call[1] in _CHILD_PSEUDO:
        return [path]
    if call and call[0] == "Fn::Sub":
        text = call[1][0] if isinstance(call[1], list) and call[1] else call[1]
        if isinstance(text, str) and any(f"${{{p}}}" in text for p in _CHILD_PSEUDO):
            found.append(path)
    if isinstance(value, dict):
        for k, v in value.items():
            found += [p for p in stack_name_uses(v, path + (k,)) if p not in found]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += stack_name_uses(v, path + (i,))
    return found


def rewrite_sub(arg: Any, resolve: Callable[[str], Any], value: Callable[[Any], Any]) -> dict:
    """``Fn::Sub`` with its ``${Name}``/``${Name.Attr}`` resolved; literals stay in the text.

    ``resolve`` gives the new expression for a name (None: keep it). An expression that is not
    a name or a literal becomes a variable of the Sub's own map.
    """
    listed = isinstance(arg, list)
    text, variables = (arg[0], arg[1]) if listed and len(arg) == 2 else (arg, {})
    if not isinstance(text, str) or not isinstance(variables, dict):
        return {"Fn::Sub": value(arg)}
    new_vars = {k: value(v) for k, v in variables.items()}
    used = {m.strip() for m in _SUB_VAR.findall(text)}

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        if name.startswith("!") or name in variables:
            return match.group(0)
        expr = resolve(name)
        if expr is None:
            return match.group(0)
        if isinstance(expr, bool):
            return "true" if expr else "false"
        if isinstance(expr, (str, int, float)):
            return str(expr).replace("${", "${!")
        call = intrinsic(expr)
        if call and call[0] == "Fn::Sub" and isinstance(call[1], str) and not (
                {m.strip() for m in _SUB_VAR.findall(call[1])} & set(variables)):
            return call[1]  # a Sub of a Sub: its text means the same spliced in
        if call and call[0] == "Ref" and isinstance(call[1], str) and call[1] not in variables:
            return "${" + call[1] + "}"
        if (call and call[0] == "Fn::GetAtt" and isinstance(call[1], list) and len(call[1]) == 2
                and all(isinstance(a, str) for a in call[1]) and call[1][0] not in variables):
            return "${" + ".".join(call[1]) + "}"
        var, n = re.sub(r"[^A-Za-z0-9]", "", name) or "Value", 2
        base = var
        while var in new_vars and new_vars[var] != expr or var in used and var != name:
            var, n = f"{base}{n}", n + 1
        new_vars[var] = expr
        return "${" + var + "}"

    new_text = _SUB_VAR.sub(replace, text)
    return {"Fn::Sub": [new_text, new_vars] if listed or new_vars else new_text}


def lift_if(condition: Any) -> Any:
    """A condition with each ``Fn::Equals`` over an ``Fn::If`` (a parameter the parent passes as
    ``Fn::If``) rewritten without it, which conditions do not allow:
    ``Equals(If(c, a, b), x)`` -> ``Or(And(c, Equals(a, x)), And(Not(c), Equals(b, x)))``."""
    call = intrinsic(condition)
    if call and call[0] == "Fn::Equals" and isinstance(call[1], list) and len(call[1]) == 2:
        for side, value in enumerate(call[1]):
            branch = intrinsic(value)
            if branch and branch[0] == "Fn::If" and isinstance(branch[1], list) and len(branch[1]) == 3 \
                    and isinstance(branch[1][0], str):
                name, yes, no = branch[1]
                other = call[1][1 - side]

                def equals(v: Any, other: Any = other, side: int = side) -> Any:
                    return lift_if({"Fn::Equals": [v, other] if side == 0 else [other, v]})

                return {"Fn::Or": [{"Fn::And": [{"Condition": name}, equals(yes)]},
                                   {"Fn::And": [{"Fn::Not": [{"Condition": name}]}, equals(no)]}]}
        return condition
    if isinstance(condition, dict):
        return {k: lift_if(v) for k, v in condition.items()}
    if isinstance(condition, list):
        return [lift_if(v) for v in condition]
    return condition


def _getatt(arg: Any) -> tuple[Any, Any]:
    if isinstance(arg, str):
        head, _, attr = arg.partition(".")
        return head, attr
    if isinstance(arg, list) and len(arg) >= 2:
        return arg[0], ".".join(arg[1:]) if all(isinstance(a, str) for a in arg[1:]) else arg[1]
    return None, None


class _ChildNames:
    """Rewrites a child's values into the parent's names: parameters substituted, ids prefixed."""

    def __init__(self, values: dict, resources: dict, conditions: dict, mappings: dict) -> None:
        self.values, self.resources, self.conditions, self.mappings = values, resources, conditions, mappings

    def value(self, v: Any) -> Any:
        call = intrinsic(v)
        if call:
            name, arg = call
            if name == "Ref" and isinstance(arg, str):
                if arg in self.values:
                    return copy.deepcopy(self.values[arg])
                return {"Ref": self.resources.get(arg, arg)}
            if name == "Fn::GetAtt":
                target, attr = _getatt(arg)
                if isinstance(target, str) and target in self.resources:
                    return {"Fn::GetAtt": [self.resources[target], self.value(attr)]}
            if name == "Fn::Sub":
                return rewrite_sub(arg, self._sub_name, self.value)
            if name == "Fn::If" and isinstance(arg, list) and arg and isinstance(arg[0], str):
                return {"Fn::If": [self.conditions.get(arg[0], arg[0])] + [self.value(a) for a in arg[1:]]}
            if name == "Condition" and isinstance(arg, str):
                return {"Condition": self.conditions.get(arg, arg)}
            if name == "Fn::FindInMap" and isinstance(arg, list) and arg and isinstance(arg[0], str):
                return {"Fn::FindInMap": [self.mappings.get(arg[0], arg[0])] + [self.value(a) for a in arg[1:]]}
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v

    def _sub_name(self, name: str) -> Any:
        head, _, attr = name.partition(".")
        if not attr and head in self.values:
            return self.values[head]
        if head in self.resources:
            return {"Fn::GetAtt": [self.resources[head], attr]} if attr else {"Ref": self.resources[head]}
        return None

    def resource(self, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        out = {}
        for key, v in body.items():
            if key == "Condition" and isinstance(v, str):
                out[key] = self.conditions.get(v, v)
            elif key == "DependsOn":
                out[key] = [self.resources.get(d, d) for d in v] if isinstance(v, list) else self.resources.get(v, v)
            elif key == "Type":
                out[key] = v
            else:
                out[key] = self.value(v)
        return out


def _passed_parameters(raw: Any) -> dict:
    """What a Stack (a mapping) or a StackSet (a list of ParameterKey/ParameterValue) passes."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, list):
        return {p["ParameterKey"]: p.get("ParameterValue") for p in raw
                if isinstance(p, dict) and isinstance(p.get("ParameterKey"), str)}
    return {}


def _as_list(raw: Any) -> Any:
    """A list parameter's value: CloudFormation passes a comma-joined string to a nested stack."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",")]
    if isinstance(raw, list):
        return raw
    call = intrinsic(raw)
    if call and call[0] == "Fn::Join" and isinstance(call[1], list) and len(call[1]) == 2 and call[1][0] == ",":
        return call[1][1]
    return {"Fn::Split": [",", raw]}


def _transforms(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _transform_name(item: Any) -> Any:
    return item.get("Name") if isinstance(item, dict) else item


class Flattener:
    """Builds plans; ``templates`` maps logical ids or TemplateURLs to files (relative to ``root``).

    Child files are read only inside the ``allowed`` directories (the project root and any the
    user adds): a TemplateURL is input, and must not make cfnfix read, and report, any file.
    """

    def __init__(self, templates: dict, root: Path, allowed: tuple[Path, ...], parent: Path | None = None) -> None:
        self.templates = templates
        self.root = root
        self.allowed = tuple(p.resolve() for p in allowed)
        self.parent = parent  # the parent template's file: never a candidate child
        self.chosen: dict[str, str] = {}  # child label -> why it was chosen by name

    def plan(self, data: dict, base: Path, chain: tuple = (), types: tuple = (STACK,)) -> Plan:
        """Inline the resources of ``types`` in ``data`` (their own children are always Stacks)."""
        return _Level(self, data, base, chain, types).plan()

    def flatten(self, data: dict, base: Path, chain: tuple) -> tuple[dict, list]:
        """A child template with its own nested stacks inlined, and the problems found."""
        level = _Level(self, data, base, chain)
        plan = level.plan()
        if not level.stacks:
            return data, []
        return apply(data, plan), plan.problems

    def label(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def resolve(self, stack: str, url: Any, parent: dict, base: Path) -> Path:
        text = _url_text(url, parent)
        mapped = self.templates.get(stack) or (self.templates.get(text) if text else None)
        if mapped:
            path = Path(mapped) if Path(mapped).is_absolute() else self.root / mapped
            if path.is_file():
                return self._allowed(stack, path)
            raise TemplateError(f"nested stack {stack}: option 'templates' maps it to {mapped}, which is not a file")
        tried = _candidates(text, base) if text else []
        for path in tried:
            if path.is_file():
                return self._allowed(stack, path)
        shown = json.dumps(url) if not isinstance(url, str) else url
        by_name = self._by_name(stack, url, text, base)
        if isinstance(by_name, Path):
            keys = ", ".join(sorted(_name_keys(stack, url, text)))
            self.chosen[self.label(by_name)] = (f"TemplateURL {shown} names no local file; {self.label(by_name)} is "
                                                f"the only template beside the parent whose name fits ({keys})")
            return self._allowed(stack, by_name)
        if by_name:
            raise TemplateError(f"nested stack {stack}: TemplateURL {shown} names no local file and several templates "
                                f"fit its name ({', '.join(by_name)}); map it with option 'templates'")
        looked = f" (looked for {', '.join(self.label(p) for p in tried)})" if tried else ""
        raise TemplateError(
            f"nested stack {stack}: TemplateURL {shown} names no local file{looked}; map it with option 'templates'"
        )


    def _allowed(self, stack: str, path: Path) -> Path:
        real = path.resolve()
        if not any(real.is_relative_to(root) for root in self.allowed):
            raise TemplateError(
                f"nested stack {stack}: {path} is outside the project ({self.allowed[0]}); not read "
                "(allow its directory with option 'allowed-roots')"
            )
        return path

    def read(self, path: Path) -> dict:
        """A child template's data; a FIFO or a huge file is refused before it is read."""
        snapshot = files.read(str(path), MAX_TEMPLATE_BYTES)
        return parse(decode(snapshot.data)).data

    def _by_name(self, stack: str, url: Any, text: str | None, base: Path) -> Path | list[str] | None:
        """The one template beside the parent (or a folder below) whose file name fits the stack's
        logical id, the URL parameter's name or the URL's file name; else the labels of all that
        fit (none or several: nothing is chosen)."""
        keys = _name_keys(stack, url, text)
        if not keys:
            return None
        fits = []
        for path in sorted(p for pattern in ("*", "*/*") for p in base.glob(pattern)):
            if (path.suffix not in (".json", ".yaml", ".yml", ".template") or ".flat." in path.name or not path.is_file()
                    or (self.parent is not None and path.resolve() == self.parent.resolve())):
                continue
            if _name_key(path.stem) and any(_fits(_name_key(path.stem), k) for k in keys) and _is_template(path):
                fits.append(path)
        return fits[0] if len(fits) == 1 else [self.label(p) for p in fits]


_GENERIC_WORDS = {"template", "templates", "url", "uri", "stack", "stacks", "nested", "cfn", "cloudformation",
                  "child", "file", "path", "key", "s3", "json", "yaml", "yml"}


def _name_key(name: str) -> str:
    """A name's distinctive part: ``VPCTemplateURL``, ``VPCStack`` and ``vpc-stack`` all give ``vpc``."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[0-9]+", name)
    return "".join(w.lower() for w in words if w.lower() not in _GENERIC_WORDS)


def _name_keys(stack: str, url: Any, text: str | None) -> set[str]:
    """Keys a child file's name may match: the stack's id, the parameter holding the URL, the URL's file name."""
    names = [stack]
    call = intrinsic(url)
    if call and call[0] == "Ref" and isinstance(call[1], str):
        names.append(call[1])
    tail = text.rsplit("/", 1)[-1] if text else ""
    if tail and "${" not in tail:
        names.append(tail.rsplit(".", 1)[0])
    return {k for k in map(_name_key, names) if k}


def _fits(key: str, wanted: str) -> bool:
    """Same key, or one a prefix of the other (``app`` / ``application``), three letters at least."""
    short, long_ = sorted((key, wanted), key=len)
    return key == wanted or (len(short) >= 3 and long_.startswith(short))


def _is_template(path: Path) -> bool:
    try:
        parse(decode(files.read(str(path), MAX_TEMPLATE_BYTES).data))
        return True
    except (TemplateError, files.FileError):
        return False


def _url_text(url: Any, parent: dict) -> str | None:
    """The literal text of a TemplateURL, with any non-literal part as ``${}``."""
    if isinstance(url, str):
        return url
    call = intrinsic(url)
    if not call:
        return None
    name, arg = call
    if name == "Ref" and isinstance(arg, str):
        params = parent.get("Parameters")
        param = params.get(arg) if isinstance(params, dict) else None
        default = param.get("Default") if isinstance(param, dict) else None
        return default if isinstance(default, str) else None
    if name == "Fn::Sub":
        text = arg[0] if isinstance(arg, list) and arg else arg
        if not isinstance(text, str):
            return None
        return _SUB_VAR.sub(lambda m: _url_text({"Ref": m.group(1).strip()}, parent) or m.group(0), text)
    if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        sep = arg[0] if isinstance(arg[0], str) else ""
        return sep.join(p if isinstance(p, str) else "${}" for p in arg[1])
    return None


def _candidates(text: str, base: Path) -> list[Path]:
    """Local files a TemplateURL may mean: a path, a file:// URL, or an S3/HTTPS key's tail."""
    if "://" in text and not text.startswith("file://"):
        parts = [p for p in urlparse(text).path.split("/") if p]
        return [base.joinpath(*parts[i:]) for i in range(len(parts)) if not any("${" in p for p in parts[i:])]
    path = Path(text[len("file://"):] if text.startswith("file://") else text)
    return [path if path.is_absolute() else base / path]


class _Level:
    """One template whose Stack resources are being inlined."""

    def __init__(self, flattener: Flattener, data: dict, base: Path, chain: tuple, types: tuple = (STACK,)) -> None:
        self.flattener, self.data, self.base, self.chain = flattener, data, base, chain
        resources = mapping(data.get("Resources"))
        self.stacks = {rid: r for rid, r in resources.items() if isinstance(r, dict) and r.get("Type") in types}
        # Ref names (resources and parameters) are one namespace; the other sections each their own
        self.taken = {s: set(data[s]) if isinstance(data.get(s), dict) else set() for s in _SECTIONS}
        self.taken["Parameters"] = self.taken["Resources"] = self.taken["Resources"] | self.taken["Parameters"]
        self.done: dict[str, Inlined] = {}
        self.active: list[str] = []
        self.problems: list[tuple] = []

    def plan(self) -> Plan:
        for sid in self.stacks:
            self.inline(sid)
        transform = self._transform()
        return Plan(self.done, self.rewrite, self.rewrite_depends, self.rewrite_resource, transform, self.problems,
                    self.flattener.chosen)

    def fresh(self, base: str, section: str) -> str:
        """A new name in ``section``: alphanumeric, at most 255 characters, used nowhere yet."""
        base = re.sub(r"[^A-Za-z0-9]", "", base) or "Resource"
        taken = self.taken[section]
        candidate, n = base[:MAX_ID], 2
        while candidate in taken:
            suffix = str(n)
            candidate, n = base[: MAX_ID - len(suffix)] + suffix, n + 1
        taken.add(candidate)
        return candidate

    # ------------------------------------------------------------ parent side

    def rewrite(self, v: Any) -> Any:
        """A parent value with references to nested-stack outputs replaced by the outputs' values."""
        call = intrinsic(v)
        if call:
            name, arg = call
            if name == "Fn::GetAtt":
                target, attr = _getatt(arg)
                if isinstance(target, str) and target in self.stacks:
                    return self._output(target, attr)
            if name == "Ref" and isinstance(arg, str) and arg in self.stacks:
                return {"Ref": "AWS::StackId"}  # the nested stack's id: the flat stack is the nearest thing
            if name == "Fn::Sub":
                return rewrite_sub(arg, self._sub_name, self.rewrite)
        if isinstance(v, dict):
            return {k: self.rewrite(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.rewrite(x) for x in v]
        return v

    def _sub_name(self, name: str) -> Any:
        head, _, attr = name.partition(".")
        if head in self.stacks and not attr:
            return {"Ref": "AWS::StackId"}
        return self._output(head, attr) if head in self.stacks and attr else None

    def _output(self, stack: str, attr: Any) -> Any:
        inlined = self.inline(stack)
        out = attr[len("Outputs."):] if isinstance(attr, str) and attr.startswith("Outputs.") else None
        if out is None or out not in inlined.outputs:
            what = f"output {out}" if out else f"attribute {attr}"
            self.problems.append((stack, f"nested stack {stack} ({inlined.label}) has no {what}"))
            return {"Fn::GetAtt": [stack, attr]}
        return copy.deepcopy(inlined.outputs[out])

    def rewrite_depends(self, deps: Any, condition: Any = None, body: Any = None) -> Any:
        """DependsOn with each stack replaced by its resources.

        A resource under another condition than the dependent's own is left out: it may not
        exist, and CloudFormation rejects a DependsOn on a resource that is not created. A stack
        whose outputs ``body`` (the dependent's definition) uses is left out too: the references
        to its resources they become already order the two.
        """
        names = [deps] if isinstance(deps, str) else deps if isinstance(deps, list) else []
        if isinstance(body, dict):
            rewritten = self.rewrite({k: v for k, v in body.items() if k not in ("DependsOn", "Type", "Condition")})
            used = {n for n, _ in references(rewritten)}
            names = [d for d in names if not (isinstance(d, str) and d in self.stacks
                                              and used & set(self.inline(d).resources))]
        out: list = []
        for d in names:
            if isinstance(d, str) and d in self.stacks:
                found = [n for n, body in self.inline(d).resources.items()
                         if not isinstance(body, dict) or body.get("Condition") in (None, condition)]
            else:
                found = [d]
            out += [n for n in found if n not in out]
        if isinstance(deps, str) and len(out) == 1:
            return out[0]
        return out

    def rewrite_resource(self, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        out = {}
        for key, v in body.items():
            out[key] = self.rewrite_depends(v, body.get("Condition"), body) if key == "DependsOn" else v if key in ("Type", "Condition") else self.rewrite(v)
        if out.get("DependsOn") == []:
            del out["DependsOn"]
        return out

    # ------------------------------------------------------------ child side

    def inline(self, sid: str) -> Inlined:
        if sid in self.done:
            return self.done[sid]
        if sid in self.active:
            cycle = " -> ".join(self.active[self.active.index(sid):] + [sid])
            raise TemplateError(f"nested stacks pass outputs to each other in a cycle: {cycle}")
        self.active.append(sid)
        try:
            result = self._inline(sid, self.stacks[sid])
        finally:
            self.active.pop()
        self.done[sid] = result
        return result

    def _inline(self, sid: str, stack: dict) -> Inlined:
        flattener = self.flattener
        props = mapping(stack.get("Properties"))
        body = props.get("TemplateBody") if stack.get("Type") == STACK_SET else None
        source: Any
        if isinstance(body, str):  # a stack set's template given inline
            path, label, source = self.base / f"<{sid}>", f"the TemplateBody of {sid}", body
            try:
                child_data = parse(body).data
            except TemplateError as exc:
                raise TemplateError(f"stack set {sid}: {label}: {exc}") from None
        else:
            path = flattener.resolve(sid, props.get("TemplateURL"), self.data, self.base)
            label, source = flattener.label(path), props.get("TemplateURL")
            if path.resolve() in self.chain:
                loop = self.chain[self.chain.index(path.resolve()):] + (path.resolve(),)
                raise TemplateError(f"nested stacks form a loop: {' -> '.join(flattener.label(p) for p in loop)}")
            try:
                child_data = flattener.read(path)
            except (TemplateError, files.FileError) as exc:
                raise TemplateError(f"nested stack {sid}: {label}: {exc}") from None
        child, problems = flattener.flatten(child_data, path.parent, self.chain + (path.resolve(),))
        self.problems += [(sid, f"{label}: {m}") for _, m in problems]
        result = Inlined(sid, label, source)
        result.dropped = [k for k in props if k not in ("TemplateURL", "TemplateBody", "Parameters")]
        result.dropped += [k for k in ("DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy") if k in stack]
        passed = _passed_parameters(props.get("Parameters"))
        values = self._parameters(sid, label, child, {k: self.rewrite(v) for k, v in passed.items()}, result)

        def section(name: str) -> dict:
            return mapping(child.get(name))

        rename = {n: self.fresh(sid + n, "Resources") for n in section("Resources")}
        conditions = {n: self.fresh(sid + n, "Conditions") for n in section("Conditions")}
        mappings = {n: self.fresh(sid + n, "Mappings") for n in section("Mappings")}
        names = _ChildNames(values, rename, conditions, mappings)
        stack_condition = stack.get("Condition") if isinstance(stack.get("Condition"), str) else None

        for n, body in section("Resources").items():
            new = names.resource(body)
            if isinstance(new, dict):
                if stack_condition and "Condition" not in new:
                    new["Condition"] = stack_condition
                used = {r for r, _ in references(new)} | set(depends_on(new))
                deps = self.rewrite_depends(stack.get("DependsOn"), new.get("Condition"), stack)
                extra = [d for d in ([deps] if isinstance(deps, str) else deps) if not (isinstance(d, str) and d in used)]
                if extra:
                    new["DependsOn"] = depends_on(new) + extra
            result.resources[rename[n]] = new
            result.origin[rename[n]] = n
        for n, body in section("Conditions").items():
            new = lift_if(names.value(body))
            result.conditions[conditions[n]] = {"Fn::And": [{"Condition": stack_condition}, new]} if stack_condition else new
            params = set(self.data.get("Parameters") or {}) | set(result.parameters)
            bad = sorted({r for r, _ in references(new) if r not in params and r not in conditions.values()})
            if bad:
                self.problems.append((sid, f"condition {n} of {label} would depend on {', '.join(bad)}, not on parameters"))
            elif '"Fn::If"' in json.dumps(new):
                self.problems.append((sid, f"condition {n} of {label} would contain the Fn::If its parameter is passed"))
        for n, body in section("Mappings").items():
            result.mappings[mappings[n]] = copy.deepcopy(body)
        for n, body in section("Rules").items():
            result.rules[self.fresh(sid + n, "Rules")] = names.value(body)
        for n, body in section("Outputs").items():
            if not isinstance(body, dict):
                continue
            result.outputs[n] = names.value(body.get("Value"))
            if "Export" in body:
                new = names.resource(body)
                if stack_condition and "Condition" not in new:
                    new["Condition"] = stack_condition
                result.exports[self.fresh(sid + n, "Outputs")] = new
        result.transforms = _transforms(child.get("Transform"))
        metadata = mapping(child.get("Metadata"))
        result.metadata = {k: v for k, v in metadata.items() if k != "AWS::CloudFormation::Interface"}
        if "Globals" in child and child["Globals"] != self.data.get("Globals"):
            self.problems.append((sid, f"{label} has its own SAM Globals, which would apply to the whole template"))
        return result

    def _parameters(self, sid: str, label: str, child: dict, passed: dict, result: Inlined) -> dict:
        """Each child parameter's value in the parent's terms: what the stack passes, else the Default."""
        values = {}
        declared = mapping(child.get("Parameters"))
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            kind = str(spec.get("Type", "String"))
            if name in passed:
                raw = passed[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                raise TemplateError(
                    f"nested stack {sid}: parameter {name} of {label} has no value (the stack passes none and it has no Default)"
                )
            if kind.startswith(_SSM):
                if not isinstance(raw, str):
                    self.problems.append((sid, f"parameter {name} of {label} is an SSM parameter name given by an expression"))
                    values[name] = raw
                    continue
                new = self.fresh(sid + name, "Parameters")
                result.parameters[new] = {"Type": kind, "Default": raw}
                values[name] = {"Ref": new}
            elif kind == "CommaDelimitedList" or kind.startswith("List<"):
                values[name] = _as_list(raw)
            else:
                values[name] = raw
        return values

    def _transform(self) -> Any:
        own = _transforms(self.data.get("Transform"))
        merged = list(own)
        for inlined in self.done.values():
            for item in inlined.transforms:
                same = [m for m in merged if _transform_name(m) == _transform_name(item)]
                if not same:
                    merged.append(item)
                elif item not in same:
                    self.problems.append((inlined.stack, f"{inlined.label} uses macro {_transform_name(item)} with other parameters than the parent"))
        if merged == own:
            return None
        return merged[0] if len(merged) == 1 and isinstance(merged[0], str) else merged


def apply(data: dict, plan: Plan) -> dict:
    """``data`` with the plan carried out (what the fixer's edits do to the parent's text)."""
    out: dict = {}
    for key, value in data.items():
        if key == "Resources" and isinstance(value, dict):
            resources: dict = {}
            for rid, body in value.items():
                if rid in plan.inlined:
                    resources.update(plan.inlined[rid].resources)
                else:
                    resources[rid] = plan.rewrite_resource(body)
            out[key] = resources
        elif key == "Outputs" and isinstance(value, dict):
            out[key] = {n: plan.rewrite(o) for n, o in value.items()}
        else:
            out[key] = value
    copied: set[str] = set()  # the parent's own sections are extended in copies, never in place
    for (section, name), body, _ in additions(plan, data):
        if section not in copied:
            copied.add(section)
            own = out.get(section)
            out[section] = dict(own) if isinstance(own, dict) else own if own is not None else {}
        held = out[section]
        if isinstance(held, dict):  # a section that is no mapping is the template's own error
            held[name] = body
    if plan.transform is not None:
        out["Transform"] = plan.transform
    return out


def additions(plan: Plan, parent: dict) -> list[tuple[tuple, Any, str]]:
    """(path, value, stack id) of every top-level entry the inlined children add."""
    out = []
    seen_metadata = set(parent.get("Metadata") or {}) if isinstance(parent.get("Metadata"), dict) else set()
    for section, attr in (("Parameters", "parameters"), ("Conditions", "conditions"), ("Mappings", "mappings"),
                          ("Rules", "rules"), ("Outputs", "exports"), ("Metadata", "metadata")):
        for inlined in plan.inlined.values():
            for name, body in getattr(inlined, attr).items():
                if section == "Metadata":
                    if name in seen_metadata:
                        continue
                    seen_metadata.add(name)
                out.append(((section, name), body, inlined.stack))
    return out


def limit_problems(flat: dict) -> list[str]:
    out = []
    for section, limit in LIMITS:
        count = len(flat.get(section) or {}) if isinstance(flat.get(section), dict) else 0
        if count > limit:
            out.append(f"the flattened template would have {count} {section.lower()}, over CloudFormation's limit of {limit}")
    size = len(json.dumps(flat, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_BYTES:
        out.append(f"the flattened template would be {size} bytes even as compact JSON, over CloudFormation's 1 MB limit")
    return out


# ---------------------------------------------------------------- findings and text edits

_ATOMIC = ("Ref", "Fn::GetAtt", "Fn::Sub")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_KINDS = {"Parameters": "SSM parameter", "Conditions": "condition", "Mappings": "mapping", "Rules": "rule",
          "Outputs": "exported output", "Metadata": "metadata key"}


class Wording(NamedTuple):
    """How messages name what is inlined (flatten-nested-stacks' words by default)."""

    thing: str = "nested stack"  # "nested stack from net.yaml can be inlined"
    things: str = "nested stacks"
    not_done: str = "nested stacks not flattened"
    result: str = "the flattened one"  # what AWS::StackName names afterwards
    resource: str = "Stack"  # "Tags of the Stack resource have no equivalent"


NESTED_STACK_WORDS = Wording()


def inline_findings(doc: Document, sids: list[str], flattener: Flattener, base: Path, chain: tuple = (),
                    types: tuple = (STACK,), words: Wording = NESTED_STACK_WORDS) -> list[Finding]:
    """One finding per child to inline (the plan as detail), or, when anything stands in the way,
    one unfixable finding per problem: inlining is all or nothing."""
    plan = flattener.plan(doc.data, base, chain, types=types)
    flat = apply(doc.data, plan)  # before reading the problems: rewriting the parent finds some
    problems = list(plan.problems) + [(None, m) for m in limit_problems(flat)]
    resources = doc.node(("Resources",))
    if doc.format == "yaml" and resources is not None and resources.style == "flow":
        problems.append((None, "Resources is a YAML flow mapping; flattening writes block entries"))
    if problems:
        return [
            Finding(sid, ("Resources", sid) if sid else ("Resources",), f"{words.not_done}: {message}", fixable=False)
            for sid, message in dict.fromkeys(problems)
        ]
    return [
        Finding(sid, ("Resources", sid),
                f"{words.thing} from {plan.inlined[sid].label} can be inlined" + _chosen_note(plan, sid),
                detail=plan)
        for sid in sids
    ]


def inline_fix(fixer: Fixer, doc: Document, findings: list[Finding], words: Wording = NESTED_STACK_WORDS) -> Fix:
    """The edits that replace each child resource by its inlined resources, rewrite the parent's
    references to the children (their outputs, their ids, DependsOn on them), remove parameters
    that only located them, and add the children's other sections."""
    plan: Plan = findings[0].detail
    if {f.resource for f in findings} != set(plan.inlined):
        raise EditConflict(f"flattening is all or nothing, and some {words.things} are excluded by cfnfix metadata")
    editor = Editor(doc)
    edits: list[Edit] = []
    changes = []
    by_stack = {f.resource: f for f in findings}
    resources = doc.node(("Resources",))
    if resources is None:
        raise EditConflict("no Resources mapping to inline into")
    blank = _blank_lines_between(doc, resources)
    for sid, inlined in plan.inlined.items():
        entry = resources.entry(sid)
        if entry is None:
            raise EditConflict(f"{sid} is not in Resources")
        key, value = entry
        edits.append(Edit(key.start, value.end, _render(doc, editor, key, inlined, blank)))
        changes += _stack_changes(fixer, by_stack[sid], inlined, plan.chosen, words)
    finding = findings[0]
    for rid, body in doc.resources.items():
        if rid in plan.inlined or not isinstance(body, dict) or "DependsOn" not in body:
            continue
        new = plan.rewrite_depends(body["DependsOn"], body.get("Condition"), body)
        if new != body["DependsOn"]:
            where = Finding(rid, ("Resources", rid, "DependsOn"), "")
            if new == []:
                editor.remove(("Resources", rid, "DependsOn"))
                changes.append(fixer.change(where, "remove", body["DependsOn"], None,
                                            f"its references to the {words.things}' outputs already order it after them"))
            else:
                editor.set(("Resources", rid, "DependsOn"), new)
                changes.append(fixer.change(where, "replace", body["DependsOn"], new,
                                            f"{words.things} in DependsOn become the resources they held"))
    for section in ("Resources", "Outputs"):
        node = doc.node((section,))
        if node is None or not isinstance(doc.data.get(section), dict):
            continue
        for key, value in node.value:
            if section == "Resources" and key.value in plan.inlined:
                continue
            body = doc.data[section].get(key.value)
            for path, old, new in _edit_points(value, body, (section, key.value), plan.rewrite):
                editor.set(path, new)
                where = Finding(key.value if section == "Resources" else None, path, "")
                changes.append(fixer.change(where, "replace", old, new, _reference_message(old, plan, words)))
    changes += _unused_parameters(fixer, doc, editor, plan, by_stack, words)
    for path, body, sid in additions(plan, doc.data):
        editor.set(path, body)
        changes.append(fixer.change(by_stack[sid], "add", None, body,
                                    f"{_KINDS[path[0]]} of {words.thing} {sid} ({plan.inlined[sid].label})", path=path))
    if plan.transform is not None:
        before = doc.data.get("Transform")
        editor.set(("Transform",), plan.transform)
        changes.append(fixer.change(finding, "replace" if before is not None else "add", before, plan.transform,
                                    "the children's macros are needed by the inlined resources", path=("Transform",)))
    return Fix(edits + editor.edits(), changes)


def _unused_parameters(fixer: Fixer, doc: Document, editor: Editor, plan: Plan, by_stack: dict,
                       words: Wording) -> list:
    """Remove parent parameters that only located the children (template URLs, their bucket)
    and that the flat template no longer uses."""
    params = mapping(doc.data.get("Parameters"))
    located: dict[str, str] = {}
    for sid, inlined in plan.inlined.items():
        for name, _ in references({"TemplateURL": inlined.template_url}):
            if name in params:
                located.setdefault(name, sid)
    if not located:
        return []
    flat = apply(doc.data, plan)
    still = {n for section in ("Resources", "Outputs", "Conditions", "Rules")
             for n, _ in references(flat.get(section) or {})}
    unused = [n for n in located if n not in still]
    adds_parameters = any(path[0] == "Parameters" for path, _, _ in additions(plan, doc.data))
    if not unused or (len(unused) == len(params) and adds_parameters):
        return []
    changes = []
    for name in unused:
        if len(unused) < len(params):
            editor.remove(("Parameters", name))
        changes.append(fixer.change(by_stack[located[name]], "remove", params[name], None,
                                    f"parameter only located {words.thing} templates; the flat template has none",
                                    path=("Parameters", name)))
    if len(unused) == len(params):
        editor.remove(("Parameters",))
    return changes


def _render(doc: Document, editor: Editor, key: Node, inlined: Inlined, blank: bool) -> str:
    """The inlined resources as entries of the parent's Resources, starting where the Stack's key stood."""
    style = editor.style
    line = doc.text[doc.line_start(key.start) : key.start]
    if doc.format == "json":
        members = [render.json_member(rid, body, line, style) for rid, body in inlined.resources.items()]
        return (", " if style.compact else ",\n" + ("\n" if blank else "") + line).join(members)
    col = doc.column(key.start)
    blocks = ["\n".join(render.entry_lines(rid, body, col, style)) for rid, body in inlined.resources.items()]
    return ("\n\n" if blank else "\n").join(blocks)[col:]


def _stack_changes(fixer: Fixer, finding: Finding, inlined: Inlined, chosen: dict, words: Wording) -> list:
    ids = list(inlined.resources)
    count = f"{len(ids)} resource{'' if len(ids) == 1 else 's'}"
    message = f"{words.thing} replaced by the {count} of {inlined.label}, ids prefixed with {inlined.stack}"
    if inlined.label in chosen:
        message += f" (review: {chosen[inlined.label]})"
    if inlined.dropped:
        message += f"; {', '.join(inlined.dropped)} of the {words.resource} resource have no equivalent and are dropped"
    out = [fixer.change(finding, "replace", inlined.template_url, ids, message)]
    for rid, body in inlined.resources.items():
        note = f"resource {inlined.origin[rid]} of {inlined.label}"
        uses = stack_name_uses(body)
        if uses:
            where = ", ".join("/".join(map(str, p)) for p in uses)
            note += (f"; keeps AWS::StackName/AWS::StackId at {where}: it named the {words.thing}"
                     f" and now names {words.result}")
        out.append(fixer.change(finding, "add", None, body, note, path=("Resources", rid)))
    return out


def _chosen_note(plan: Plan, sid: str) -> str:
    why = plan.chosen.get(plan.inlined[sid].label)
    return f" (review: {why})" if why else ""


def _reference_message(old: Any, plan: Plan, words: Wording) -> str:
    call = render.intrinsic(old)
    if call and call[0] == "Ref" and call[1] in plan.inlined:
        return f"Ref {call[1]} named the {words.thing}'s id; the flat stack's id (AWS::StackId) stands in for it"
    if call and call[0] == "Fn::Sub" and any(f"${{{sid}}}" in json.dumps(old) for sid in plan.inlined):
        return f"a {words.thing}'s id in Fn::Sub becomes the flat stack's id (AWS::StackId); outputs become their values"
    return f"reference to a {words.thing}'s output replaced by the output's value"


def _blank_lines_between(doc: Document, resources: Node) -> bool:
    """Whether the parent separates its resources with blank lines (new ones follow suit)."""
    pairs = resources.value
    return any(_BLANK_LINE.search(doc.text[a[1].end : b[0].start]) for a, b in zip(pairs, pairs[1:]))


def _edit_points(node: Node, data: Any, path: tuple, rewrite) -> Iterator[tuple[tuple, Any, Any]]:
    """(path, old, new) of the smallest parts of ``data`` that ``rewrite`` changes, at editable nodes.

    Short-form intrinsics (``!Join``) are one node in the text, so they change as a whole.
    """
    call = render.intrinsic(data)
    if call and (node.tag or call[0] in _ATOMIC):
        new = rewrite(data)
        if new != data:
            yield path, data, new
        return
    if node.kind == "map" and isinstance(data, dict):
        for key, value in node.value:
            if key.value in data:
                yield from _edit_points(value, data[key.value], path + (key.value,), rewrite)
    elif node.kind == "seq" and isinstance(data, list):
        for i, (item, value) in enumerate(zip(node.value, data)):
            yield from _edit_points(item, value, path + (i,), rewrite)
