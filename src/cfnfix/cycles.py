"""Dependency cycles (E3004) the cycle fixers share: one dependency graph per document, who may
cut which edge, the cycles each fixer owns, and removing the items a fix moved out.

``security-group-cycle``, ``iam-policy-cycle`` and ``s3-notification-cycle`` each break the
cycles closed by references only they can move; they read the same graph of one document. The
cycle search itself is :func:`cfnfix.graph.cycles` (Tarjan, no dependency: networkx would find
the same components but costs a quarter second of import for every run).
"""

from __future__ import annotations

from typing import Iterator

from .document import Document
from .edits import Editor
from .graph import cycles, dependency_graph, edges, paths_of_calls
from .memo import cached, entrywise
from .reference_names import body_calls

SG = "AWS::EC2::SecurityGroup"
RULE_LISTS = {"SecurityGroupIngress": "AWS::EC2::SecurityGroupIngress", "SecurityGroupEgress": "AWS::EC2::SecurityGroupEgress"}
NOTIFICATION_GRANTS = ("AWS::Lambda::Permission", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")

def document_index(doc: Document) -> dict[str, dict[str, list[tuple]]]:
    """Where each resource of ``doc`` that is a mapping refers to which name
    (:func:`cfnfix.graph.reference_paths`, by logical id), built once per document. Callers must
    not change it.

    It is read off the calls of the shared reference walk (``reference_names.body_calls``, which
    the reference fixers pay for anyway), not by a walk of its own; a resource whose calls are
    the very list of the last document (a fix left it alone) keeps its paths (``memo.entrywise``)."""
    def index() -> dict[str, dict[str, list[tuple]]]:
        resources = [(key, found) for section, key, _, found in body_calls(doc) if section == "Resources"]
        paths = entrywise("graph.reference_paths", resources, lambda _, found: paths_of_calls(found))
        return dict(zip([key for key, _ in resources], paths))

    return cached(doc, "reference_index", index)


def document_graph(doc: Document) -> dict[str, set[str]]:
    """The dependency graph of ``doc``'s resources, built once per document from its reference
    index. Callers must not change it."""
    return cached(doc, "dependency_graph", lambda: dependency_graph(doc.resources, document_index(doc)))


# the graph of the last document whose cycles were searched, and its cycles
_last_cycles: tuple[dict[str, set[str]], list[list[str]]] | None = None


def document_cycles(doc: Document) -> list[list[str]]:
    """cycles() of document_graph(), found once per document. Callers must not change them.

    A fix that changes no reference leaves the graph as it was (294 of 531 searches over
    aws-samples): cycles() depends on the graph alone, so the last search's cycles are taken
    when its graph is equal, which costs a comparison instead of a search."""
    def find() -> list[list[str]]:
        global _last_cycles
        graph = document_graph(doc)
        if _last_cycles is None or _last_cycles[0] != graph:
            _last_cycles = (graph, cycles(graph))
        return _last_cycles[1]

    return cached(doc, "cycles", find)


def document_edge_kinds(doc: Document) -> dict[tuple[str, str], tuple[str, list[tuple]]]:
    """edge_kinds() of ``doc``, built once per document. Callers must not change it."""
    return cached(doc, "edge_kinds", lambda: edge_kinds(doc.resources, document_graph(doc), document_index(doc)))


def edge_kinds(resources: dict, graph: dict[str, set[str]],
               index: dict[str, dict[str, list[tuple]]] | None = None) -> dict[tuple[str, str], tuple[str, list[tuple]]]:
    """Edges one of the cycle fixers can cut, by owner, with the paths that make each edge.

    An edge belongs to a fixer only when every reference behind it sits where that fixer can
    move it: all in inline security group rules, all in a role's inline policy statements, or
    all in a bucket's ``NotificationConfiguration`` or its ``DependsOn`` on the permission a
    notification needs (both left to ``s3-notification-cycle``).
    """
    kinds: dict[tuple[str, str], tuple[str, list[tuple]]] = {}
    for source, targets in graph.items():
        rtype = resources[source].get("Type")
        for target in targets:
            paths = edges(resources, source, target, index)
            if not paths:
                continue
            if rtype == SG and all(len(p) > 2 and p[:2] in (("Properties", k) for k in RULE_LISTS) and isinstance(p[2], int) for p in paths):
                kinds[(source, target)] = ("sg-rule", paths)
            elif rtype == "AWS::IAM::Role" and all(
                len(p) > 5 and p[:2] == ("Properties", "Policies") and isinstance(p[2], int) and p[3:5] == ("PolicyDocument", "Statement")
                for p in paths
            ):
                kinds[(source, target)] = ("role-policy", paths)
            elif rtype == "AWS::S3::Bucket" and all(
                p[:2] == ("Properties", "NotificationConfiguration")
                or (p == ("DependsOn",) and resources[target].get("Type") in NOTIFICATION_GRANTS)
                for p in paths
            ):
                kinds[(source, target)] = ("s3-notification", paths)
    return kinds


def owned_cycles(doc: Document, kind: str, owner_type: str, key) -> Iterator[tuple[list[str], list[str], dict, dict]]:
    """The cycles that edges of ``kind`` (a fixer's own) help close, among the edges only it may cut.

    Yields (cycle members, members of ``owner_type``, the cycle's subgraph, {edge: sorted
    ``key(path)`` of the references that make it}) for each cycle with an owner in it.
    """
    resources = doc.resources
    # each cycle below runs through fewer edges than the whole graph has, so it lies in a cycle of
    # the whole graph (found once per document): with no owner in one there is nothing to search
    if not any(resources[r].get("Type") == owner_type for component in document_cycles(doc) for r in component):
        return
    graph = document_graph(doc)
    kinds = document_edge_kinds(doc)
    work = without(graph, {e for e, (k, _) in kinds.items() if k != kind})
    for component in cycles(work):
        owners = [r for r in component if resources[r].get("Type") == owner_type]
        if not owners:
            continue
        members = set(component)
        movable = {
            e: sorted({key(p) for p in paths}, key=str)
            for e, (k, paths) in kinds.items() if k == kind and e[0] in members and e[1] in members
        }
        yield component, owners, {n: work[n] & members for n in component}, movable


def without(graph: dict[str, set[str]], cut: set) -> dict[str, set[str]]:
    return {n: {m for m in deps if (n, m) not in cut} for n, deps in graph.items()}


def reaches(graph: dict[str, set[str]], starts: list[str], goal: str) -> bool:
    """Whether ``goal`` is among what ``starts`` need, directly or not (a DependsOn on it from
    ``goal`` would close a loop)."""
    seen, todo = set(), list(starts)
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def remove_items(editor: Editor, path: tuple, indices: list[int]) -> None:
    """Remove items of the sequence at ``path``; the key goes too when nothing is left."""
    items = editor.doc.value(path)
    if len(set(indices)) == len(items):
        editor.remove(path)
    else:
        for index in sorted(set(indices)):
            editor.remove(path + (index,))
