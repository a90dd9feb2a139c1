"""Security group rules without a description."""

from __future__ import annotations

import re
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.security_groups import GROUP, STANDALONE, port_range, protocol, rules
from cfnfix.nodepath import editor_path
from cfnfix.values import ref_name

# Characters EC2 accepts in a rule description, and its length limit.
_DISALLOWED = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")
_MAX = 255
_TCP_SERVICES = {
    22: "SSH", 25: "SMTP", 53: "DNS", 80: "HTTP", 443: "HTTPS", 1433: "SQL Server", 1521: "Oracle",
    2049: "NFS", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5439: "Redshift", 6379: "Redis",
    11211: "Memcached", 27017: "MongoDB",
}
_UDP_SERVICES = {53: "DNS", 123: "NTP"}
_PEERS = {
    "ingress": (("CidrIp", ""), ("CidrIpv6", ""), ("SourceSecurityGroupId", "sg "), ("SourceSecurityGroupName", "sg "),
                ("SourcePrefixListId", "prefix list ")),
    "egress": (("CidrIp", ""), ("CidrIpv6", ""), ("DestinationSecurityGroupId", "sg "), ("DestinationPrefixListId", "prefix list ")),
}


def describe(doc: Document, rule: dict, direction: str) -> str:
    """What the rule says, in words EC2 accepts: "HTTPS from 10.0.0.0/16", "all traffic from sg App"."""
    text = _what(doc, rule)
    peer = _peer(doc, rule, direction)
    if text == "traffic" and not peer:
        return ""
    if peer:
        text += (" from " if direction == "ingress" else " to ") + peer
    return _DISALLOWED.sub("", text)[:_MAX].strip()


def _name(doc: Document, value: Any) -> str | None:
    """A short name for a value: a literal, the parameter or resource it refers to."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("Fn::ImportValue"), str) and len(value) == 1:
        return "import " + value["Fn::ImportValue"]
    name = ref_name(value)
    if name is None:
        return None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        arg = value["Fn::GetAtt"]
        attr = arg[1] if isinstance(arg, list) and len(arg) > 1 else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None
        if isinstance(attr, str) and attr not in ("GroupId", "Id"):
            return f"{name} {attr}"
    return name


def _what(doc: Document, rule: dict) -> str:
    proto = protocol(rule)
    if proto is None:
        name = _name(doc, rule.get("IpProtocol"))
        return f"protocol {name}" if name else "traffic"
    if proto == "all":
        return "all traffic"
    if proto in ("icmp", "icmpv6"):
        label = "ICMP" if proto == "icmp" else "ICMPv6"
        ports = port_range(rule)
        return f"{label} type {ports[0]}" if ports and ports[0] != -1 else label
    if proto not in ("tcp", "udp"):
        return f"protocol {proto}"
    label = proto.upper()
    ports = port_range(rule)
    if ports is None:
        low, high = rule.get("FromPort"), rule.get("ToPort")
        name = _name(doc, low)
        return f"{label} port {name}" if name and low == high else f"{label} ports"
    low, high = ports
    if low == -1 or (low <= 0 and high >= 65535):
        return f"all {label}"
    if low == high:
        service = (_TCP_SERVICES if proto == "tcp" else _UDP_SERVICES).get(low)
        return service or f"{label} {low}"
    return f"{label} {low}-{high}"


def _peer(doc: Document, rule: dict, direction: str) -> str | None:
    for key, prefix in _PEERS[direction]:
        if key in rule:
            name = _name(doc, rule[key])
            return prefix + name if name else None
    return None


class SecurityGroupDescriptions(Fixer):
    name = "security-group-descriptions"
    summary = "Describe every security group rule from what it allows (\"HTTPS from 10.0.0.0/16\")"
    group = "security"
    scanner_checks = ("CKV_AWS_23", "SECURITY_GROUP_DESCRIPTION_RULE", "W36")
    # find() reports only the rules security_groups.rules() yields, and it yields them from these
    # types alone: a template without one has no rule, and the engine need not ask
    resource_types = (GROUP, *STANDALONE)
    safety = Safety.SAFE
    default = False
    docs = """
    Checkov: `CKV_AWS_23`

    ## What it detects
    Security group rules without a `Description` (or with an empty one): the items of an
    `AWS::EC2::SecurityGroup`'s `SecurityGroupIngress` and `SecurityGroupEgress` lists, including
    items chosen by `Fn::If`, and standalone `AWS::EC2::SecurityGroupIngress` /
    `AWS::EC2::SecurityGroupEgress` resources. A description computed by an intrinsic is left alone.

    ## Why it matters
    A rule without a description says nothing about why it exists; during an audit or an incident
    nobody knows whether `tcp 8443 from 10.2.0.0/16` may be removed. Checkov fails every group
    with such a rule.

    ## Example
    ```yaml
    # before
    SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}
      - {IpProtocol: -1, SourceSecurityGroupId: !Ref AppSG}
    # after
    SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16, Description: HTTPS from 10.0.0.0/16}
      - {IpProtocol: -1, SourceSecurityGroupId: !Ref AppSG, Description: all traffic from sg AppSG}
    ```
    The description is written from the rule itself: the protocol and ports (well-known TCP ports
    by their service name: SSH, HTTP, HTTPS, RDP, MySQL, PostgreSQL, …), and the peer (a CIDR, a
    security group or prefix list by its logical id or literal id, a parameter by its name). It
    uses only the characters EC2 accepts in a description (`a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*`)
    and at most 255 of them. It states what the rule does, not why: replace it with the reason
    when you know it.

    ## Fix safety
    Safe: the description of a rule is updated in place; the traffic allowed does not change.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for r in rules(doc):
            current = r.rule.get("Description")
            if current not in (None, ""):
                continue
            path = r.path + ("Description",)
            text = describe(doc, r.rule, r.direction)
            if not text:
                findings.append(Finding(r.resource, path, "security group rule without a description, and nothing "
                                        "in the rule to describe it from; add one by hand", fixable=False))
                continue
            findings.append(Finding(r.resource, path, f"security group {r.direction} rule without a description",
                                    detail=text))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings, lambda f: f"rule described as '{f.detail}' (Checkov CKV_AWS_23)",
                                lambda path: editor_path(doc, path))
