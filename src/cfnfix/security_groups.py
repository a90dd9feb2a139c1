"""Security group rules wherever a template writes them: inline in a group's ingress/egress lists
(through ``Fn::If`` branches too) and as standalone ``AWS::EC2::SecurityGroupIngress/Egress``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from .document import Document
from .values import branches, ref_name

GROUP = "AWS::EC2::SecurityGroup"
STANDALONE = {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}
INLINE = {"SecurityGroupIngress": "ingress", "SecurityGroupEgress": "egress"}
WORLD = ("0.0.0.0/0",)
WORLD_V6 = ("::/0", "0000:0000:0000:0000:0000:0000:0000:0000/0")


@dataclass
class Rule:
    """One ingress or egress rule mapping, inline in its group or a standalone rule resource."""

    resource: str  # the group (inline rule) or the standalone rule resource
    path: tuple  # plain-data path of the rule mapping
    rule: dict
    direction: str  # "ingress" | "egress"
    group: Any  # the group the rule belongs to: its logical id, or the GroupId value of a standalone rule


def rules(doc: Document) -> Iterator[Rule]:
    """Every rule mapping of the template (inline and standalone), in template order."""
    for rid, res in doc.resources.items():
        if not isinstance(res, dict):
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        rtype = res.get("Type")
        if not isinstance(rtype, str):
            continue
        if rtype == GROUP:
            for key, direction in INLINE.items():
                for list_path, items in branches(props.get(key), ("Resources", rid, "Properties", key)):
                    if not isinstance(items, list):
                        continue
                    for i, item in enumerate(items):
                        for path, rule in branches(item, list_path + (i,)):
                            if isinstance(rule, dict) and not _is_call(rule):
                                yield Rule(rid, path, rule, direction, rid)
        elif rtype in STANDALONE:
            group = props.get("GroupId")
            group = ref_name(group) or group
            yield Rule(rid, ("Resources", rid, "Properties"), props, STANDALONE[rtype], group)


def _is_call(value: dict) -> bool:
    return len(value) == 1 and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::"))


def port_range(rule: dict) -> tuple[int, int] | None:
    """The literal (from, to) ports of a rule (-1 for all), else None."""
    try:
        low, high = rule.get("FromPort"), rule.get("ToPort")
        if isinstance(low, bool) or isinstance(high, bool) or low is None or high is None:
            return None
        return int(low), int(high)
    except (TypeError, ValueError):
        return None


def protocol(rule: dict) -> str | None:
    """The rule's protocol, normalised: "tcp", "udp", "icmp", "icmpv6", "all", a number; None if computed."""
    value = rule.get("IpProtocol")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip().lower()
    return {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(text, text)


def covers_port(rule: dict, port: int) -> bool | None:
    """Whether a TCP rule (or an all-traffic one) opens ``port``; None when it cannot be told here."""
    proto = protocol(rule)
    if proto is None:
        return None
    if proto == "all":
        return True
    if proto != "tcp":
        return False
    ports = port_range(rule)
    if ports is None:
        return None
    low, high = ports
    return low == -1 or low <= port <= high
