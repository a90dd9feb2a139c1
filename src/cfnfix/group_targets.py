"""Load balancer targets that name an Auto Scaling group of the template instead of an instance.

``Targets: [{Id: !GetAtt Group.Outputs.InstanceId}]`` on an ELBv2 target group (or
``Instances: [!Ref Group]`` on a classic load balancer), where ``Group`` is an
``AWS::AutoScaling::AutoScalingGroup``, means "the group's instances are this balancer's
targets". CloudFormation says that on the group: ``TargetGroupARNs`` (``LoadBalancerNames`` for a
classic load balancer), and Elastic Load Balancing registers each instance as it launches.

:func:`scan` finds them, as moves (the item can go to the group) and refusals (it cannot, and
why). It only reads the document; ``dangling-reference`` edits.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .cycles import document_graph, document_index, reaches
from .document import Document
from .graph import depends_on

TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
GROUP = "AWS::AutoScaling::AutoScalingGroup"
# balancer type -> (its list of targets, what an item names, the group's list that registers it)
LISTS = {TARGET_GROUP: ("Targets", "Id", "TargetGroupARNs"), CLASSIC: ("Instances", None, "LoadBalancerNames")}


class Move(NamedTuple):
    """One item of a balancer's list of targets that becomes the group's registration."""

    balancer: str
    item: tuple  # template path of the list item
    group: str
    shown: str  # the call as the message shows it: "Fn::GetAtt Group.Outputs.InstanceId"
    dropped: str = ""  # what else the item held, which the group's registration already gives

    @property
    def kind(self) -> str:
        return "target group" if self.item[3] == "Targets" else "classic load balancer"

    @property
    def registration(self) -> tuple:
        """Template path of the group's list that registers it with balancers."""
        return ("Resources", self.group, "Properties", LISTS[TARGET_GROUP if self.item[3] == "Targets" else CLASSIC][2])


class Refusal(NamedTuple):
    """One item of a balancer's list of targets that cannot become the group's registration, and why."""

    balancer: str
    item: tuple
    group: str
    shown: str
    why: str


def named_group(doc: Document, value: Any) -> tuple[str, str] | None:
    """(group, call shown) when ``value`` is a ``Ref`` or ``Fn::GetAtt`` of an Auto Scaling group of ``doc``."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (fn, arg), = value.items()
    if fn == "Ref" and isinstance(arg, str):
        name, shown = arg, f"Ref {arg}"
    elif fn == "Fn::GetAtt":
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        if not (isinstance(parts, list) and parts and all(isinstance(p, str) for p in parts)):
            return None
        name, shown = parts[0], "Fn::GetAtt " + ".".join(parts)
    else:
        return None
    body = doc.resources.get(name)
    if not isinstance(body, dict) or body.get("Type") != GROUP:
        return None
    return name, shown


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b) and not isinstance(a, (dict, list))


def registered(value: Any, balancer: str) -> bool:
    """Whether an item of a group's TargetGroupARNs/LoadBalancerNames already names ``balancer``
    (``Ref``, or an ``Fn::GetAtt`` of it)."""
    if value == {"Ref": balancer}:
        return True
    arg = value.get("Fn::GetAtt") if isinstance(value, dict) and len(value) == 1 else None
    parts = arg.split(".", 1) if isinstance(arg, str) else arg
    return isinstance(parts, list) and bool(parts) and parts[0] == balancer


def _item_refusal(item: Any, balancer_props: dict) -> tuple[str, str]:
    """(why not, what is dropped) for a target item: why is empty when it can go."""
    if not isinstance(item, dict):
        return "", ""
    others = [k for k in item if k != "Id"]
    if not others:
        return "", ""
    if "AvailabilityZone" in item:
        return (f"the item's AvailabilityZone {item['AvailabilityZone']!r} would be lost (the group registers its "
                "instances in the zones they run in)"), ""
    if "Port" in item and others == ["Port"]:
        port, own = item["Port"], balancer_props.get("Port")
        if _same(port, own):
            return "", f"its Port {port} (the target group's own)"
        return (f"the item's Port {port!r} is not the target group's Port ({own!r}), on which the group's instances "
                "would be registered"), ""
    return "the item's " + ", ".join(map(str, others)) + " would be lost", ""


def scan(doc: Document) -> tuple[list[Move], list[Refusal]]:
    """The balancer target items that name an Auto Scaling group: those that can become the
    group's registration, and those reported, with why."""
    moves: list[Move] = []
    refusals: list[Refusal] = []
    if not doc.resource_types() & LISTS.keys():
        return moves, refusals  # no balancer of a kind that lists targets: most templates
    resources = doc.resources
    for balancer, body in resources.items():
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or body["Type"] not in LISTS:
            continue
        key, field, registration = LISTS[body["Type"]]
        props = body.get("Properties")
        if not isinstance(props, dict) or not isinstance(props.get(key), list):
            continue
        items = props[key]
        for index, item in enumerate(items):
            value = item.get(field) if field and isinstance(item, dict) else (None if field else item)
            found = named_group(doc, value)
            if found is None:
                continue
            group, shown = found
            path = ("Resources", balancer, "Properties", key, index)
            why, dropped = _item_refusal(item, props) if field else ("", "")
            group_body = resources[group]
            group_props = group_body.get("Properties")
            target_type = props.get("TargetType", "instance")
            if not why and field and target_type != "instance":
                why = (f"its TargetType is {target_type!r}, and an Auto Scaling group registers its instances "
                       "by instance id ('instance')")
            if not why and group_body.get("Condition") != body.get("Condition"):
                why = (f"{balancer} and {group} have different Conditions ({body.get('Condition') or 'none'}, "
                       f"{group_body.get('Condition') or 'none'})")
            if not why and not isinstance(group_props, dict):
                why = f"{group} has no Properties mapping"
            if not why and registration in group_props and not isinstance(group_props[registration], list):
                why = f"the {registration} of {group} is not a list, to which the {key[:-1].lower()} could be added"
            if why:
                refusals.append(Refusal(balancer, path, group, shown, why))
            else:
                moves.append(Move(balancer, path, group, shown, dropped))
    return _acyclic(doc, moves, refusals)


def _acyclic(doc: Document, moves: list[Move], refusals: list[Refusal]) -> tuple[list[Move], list[Refusal]]:
    """Moves whose new dependency (group -> balancer) closes no cycle once the moved items are gone:
    a balancer that needs the group otherwise (say, through a listener or DependsOn) is refused."""
    if not moves:
        return moves, refusals
    graph = dict(document_graph(doc))
    index = document_index(doc)
    for balancer in {m.balancer for m in moves}:
        gone = [m.item[2:] for m in moves if m.balancer == balancer]
        needs = {name for name, paths in index.get(balancer, {}).items()
                 if any(all(p[: len(g)] != g for g in gone) for p in paths)}
        needs |= set(depends_on(doc.resources[balancer]))
        graph[balancer] = {n for n in needs if n in graph and n != balancer}
    for m in moves:
        graph[m.group] = set(graph.get(m.group, set())) | {m.balancer}
    kept = []
    for m in moves:
        if reaches(graph, sorted(graph.get(m.balancer, ())), m.group):
            refusals.append(Refusal(m.balancer, m.item, m.group, m.shown,
                                    f"{m.balancer} depends on {m.group} otherwise (a reference or DependsOn), and "
                                    f"the group's registration would close a dependency cycle (break that dependency first)"))
        else:
            kept.append(m)
    return kept, refusals
