"""Which resources a template's resources depend on, and the cycles CloudFormation refuses (E3004).

Dependencies come from ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` (``${X}`` and ``${X.Attr}``,
``${!Literal}`` excluded) and ``DependsOn``, anywhere in a resource's body.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import Any, Callable, Iterator

from .memo import last_of

_SUB_REF = re.compile(r"\$\{(?!!)([^}]+)\}")
PSEUDO_PARAMETERS = ("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
                     "AWS::StackId", "AWS::StackName", "AWS::URLSuffix")


def entries(data: Any, sections: tuple = ("Resources", "Outputs")) -> Iterator[tuple[str, str, dict]]:
    """(section, logical id, body) of every mapping entry of the given template sections."""
    if not isinstance(data, dict):
        return
    for section in sections:
        body = data.get(section)
        if isinstance(body, dict):
            for key, item in body.items():
                if isinstance(item, dict):
                    yield section, key, item


def sub_names(template: str) -> list[str]:
    """Names referenced by an ``Fn::Sub`` string: ``${X}`` -> X, ``${X.Attr}`` -> X."""
    return [m.split(".", 1)[0].strip() for m in _SUB_REF.findall(template)]


def references(value: Any, path: tuple = ()) -> Iterator[tuple[str, tuple]]:
    """Every (logical name, path of the referring node) in ``value``; pseudo parameters left out.

    The walk fills one list and steps into mappings and lists only (no generator per node, no
    call per scalar): every cycle, usage and reference check runs it over whole bodies."""
    found: list[tuple[str, tuple]] = []
    _references(value, path, found)
    return iter(found)


CALLS = ("Ref", "Fn::GetAtt", "Fn::Sub")


def _references(value: Any, path: tuple, found: list[tuple[str, tuple]]) -> None:
    if isinstance(value, dict):
        if len(value) == 1:
            (fn, arg), = value.items()
            if fn in CALLS:
                _call_references(fn, arg, path, found)
                if fn == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
                    for k, v in arg[1].items():
                        if isinstance(v, (dict, list)):
                            _references(v, path + (fn, 1, k), found)
                return
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                _references(v, path + (k,), found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _references(v, path + (i,), found)


def _call_references(fn: str, arg: Any, path: tuple, found: list[tuple[str, tuple]]) -> None:
    """What one ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` call at ``path`` refers to, as references()
    finds it, but for the values of an ``Fn::Sub``'s variables (a caller holding every call of a
    body, ``reference_names.calls``, has the calls in them already)."""
    if fn == "Ref":
        if not isinstance(arg, str):
            _references(arg, path + (fn,), found)  # not a reference itself; what it holds may be
        elif not arg.startswith("AWS::"):
            found.append((arg, path))
    elif fn == "Fn::GetAtt":
        target = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
        if isinstance(target, str):
            found.append((target, path))
        if isinstance(arg, list):
            for i, item in enumerate(arg[1:], 1):
                _references(item, path + (fn, i), found)
    else:
        text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
        if isinstance(text, str):
            local = set(variables) if isinstance(variables, dict) else set()
            for name in sub_names(text):
                if name not in local and not name.startswith("AWS::"):
                    found.append((name, path))


def depends_on(resource: Any) -> list[str]:
    deps = resource.get("DependsOn") if isinstance(resource, dict) else None
    if isinstance(deps, str):
        return [deps]
    return [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []


def reference_paths(res: dict) -> dict[str, list[tuple]]:
    """references() of a resource's body (all but Type, DependsOn and Condition), grouped by name."""
    index: dict[str, list[tuple]] = {}
    body = {k: v for k, v in res.items() if k not in ("Type", "DependsOn", "Condition")}
    for name, path in references(body):
        index.setdefault(name, []).append(path)
    return index


def paths_of_calls(calls: list[tuple[str, Any, tuple]], depth: int = 2) -> dict[str, list[tuple]]:
    """reference_paths() of a resource from the calls ``reference_names.calls`` found in its body
    (paths from the template root: ``depth`` leading keys dropped), without walking the body again."""
    found: list[tuple[str, tuple]] = []
    for fn, arg, path in calls:
        if fn == "Ref" and isinstance(arg, str):  # most calls: no call of their own
            if not arg.startswith("AWS::"):
                found.append((arg, path[depth:]))
        else:
            _call_references(fn, arg, path[depth:], found)
    index: dict[str, list[tuple]] = {}
    for name, where in found:
        index.setdefault(name, []).append(where)
    return index


def dependency_graph(resources: dict, index: dict[str, dict[str, list[tuple]]] | None = None) -> dict[str, set[str]]:
    """Resource -> the other resources it needs first. ``index``: the reference_paths() of every
    resource that is a mapping, by logical id, when the caller has it."""
    graph: dict[str, set[str]] = {}
    for name, res in resources.items():
        if not isinstance(res, dict):
            continue
        paths = index[name] if index is not None else reference_paths(res)
        needs = set(paths) | set(depends_on(res))
        # a resource that is not a mapping has no edges of its own, so it closes no cycle
        graph[name] = {n for n in needs if isinstance(resources.get(n), dict) and n != name}
    return graph


def edges(resources: dict, source: str, target: str, index: dict[str, dict[str, list[tuple]]] | None = None) -> list[tuple]:
    """Paths (from the resource root) inside ``source`` where it refers to ``target``. ``index``:
    as for dependency_graph()."""
    res = resources.get(source)
    if not isinstance(res, dict):
        return []
    found = [("DependsOn",)] if target in depends_on(res) else []
    paths = index[source] if index is not None else _paths_by_name(res)
    return found + paths.get(target, [])


def _paths_by_name(res: dict) -> dict[str, list[tuple]]:
    """reference_paths() of a resource, kept for the last resource walked (``memo.last_of``).

    Callers ask edges() for each target of one resource in turn; walking the body once per
    target is quadratic for a role naming thousands of buckets.
    """
    return last_of("graph.paths_by_name", res, lambda: reference_paths(res))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one resource (Tarjan), each sorted.

    A resource that needs nothing (most of a template's) is in no such component, and visiting it
    changes no other's ``low`` (its index is above its parent's): it is passed over, which leaves
    the search among the others, and the components and their order, as they were."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index or not graph[root]:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if not graph.get(child):
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def cheapest_cut(graph: dict[str, set[str]], candidates: list[tuple[str, str]],
                 cost: Callable[[tuple], Any], limit: int = 16) -> set[tuple[str, str]] | None:
    """The cheapest set of candidate edges whose removal leaves ``graph`` without cycles.

    ``cost`` rates a set of candidate edges (any comparable value; fewer edges win ties).
    Breaking every cycle with the fewest changes is a minimum feedback arc set, hard in
    general but tiny in templates; above ``limit`` candidates every candidate is cut rather
    than searched (still correct, not minimal). None when even that leaves a cycle.
    """
    def acyclic(cut: set) -> bool:
        reduced = {n: {m for m in deps if (n, m) not in cut} for n, deps in graph.items()}
        return not cycles(reduced)

    edges_ = sorted(set(candidates))
    if not acyclic(set(edges_)):
        return None
    if len(edges_) > limit:
        return set(edges_)
    subsets = [s for size in range(1, len(edges_) + 1) for s in combinations(edges_, size)]
    for subset in sorted(subsets, key=lambda s: (cost(s), len(s), s)):
        if acyclic(set(subset)):
            return set(subset)
    return None  # pragma: no cover - the full set was acyclic above
