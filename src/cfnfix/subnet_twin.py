"""A second subnet, in another Availability Zone, for an Application Load Balancer given one.

An Application Load Balancer needs subnets in at least two Availability Zones (cfn-lint E3680;
AWS: "you must specify subnets from at least two Availability Zones"). When its only subnet is
an ``AWS::EC2::Subnet`` of the template whose zone is ``!Select [i, !GetAZs ...]`` and whose CIDR
can be told apart from every other subnet of its VPC, a twin is planned: the subnet's properties
in the next zone with the next free CIDR block of the same size, its route table and network ACL
associations, and the load balancer lists it. Anything else is a reason, for a report.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .edits import free_id
from .graph import references
from .literals import intrinsic
from .parameters import accepts, parameters
from .values import ref_name

SUBNET = "AWS::EC2::Subnet"
VPC = "AWS::EC2::VPC"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ASSOCIATIONS = ("AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::SubnetNetworkAclAssociation")
# Addressing a copy cannot take over: IPv6 blocks and IPAM pools are chosen by hand.
OTHER_ADDRESSING = ("Ipv6CidrBlock", "Ipv6Native", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "Ipv6IpamPoolId",
                    "Ipv6NetmaskLength", "EnableDns64")
MAX_TRIES = 1 << 16  # candidate blocks looked at before giving up

Network = ipaddress.IPv4Network


@dataclass
class Twin:
    """What a load balancer's twin subnet adds: resources (id -> body, in order), an optional
    parameter, the item its subnet list gets, and what the change log says about them."""

    subnet: str  # the original subnet
    twin: str  # the twin's logical id
    body: dict
    cidr: str  # the block proposed
    cidr_how: str  # how it was chosen (literal, parameter default, Fn::Cidr index)
    associations: dict[str, dict] = field(default_factory=dict)  # new id -> body
    parameter: tuple[str, dict] | None = None
    item: Any = None  # the new item of Subnets / SubnetMappings


def alb_subnets(res: dict) -> tuple[str, list] | None:
    """(key, list) of an Application Load Balancer's one-item ``Subnets`` or ``SubnetMappings``."""
    props = res.get("Properties") if isinstance(res, dict) else None
    if not isinstance(props, dict) or props.get("Type", "application") != "application":
        return None
    for key in ("Subnets", "SubnetMappings"):
        items = props.get(key)
        if isinstance(items, list) and len(items) == 1:
            return key, items
    return None


def _subnet_of(item: Any, key: str) -> Any:
    if key == "SubnetMappings":
        if not isinstance(item, dict) or set(item) != {"SubnetId"}:
            return None
        return item["SubnetId"]
    return item


def _same_form(value: Any, old: str, new: str) -> Any:
    """``value`` (a Ref or GetAtt to ``old``) pointing at ``new`` instead."""
    call = intrinsic(value)
    if call and call[0] == "Ref":
        return {"Ref": new}
    if call and call[0] == "Fn::GetAtt":
        arg = call[1]
        if isinstance(arg, list):
            return {"Fn::GetAtt": [new, *arg[1:]]}
        if isinstance(arg, str):
            return {"Fn::GetAtt": new + arg[len(old):]}
    return None


def _plain_target(value: Any) -> str | None:
    """The resource a plain ``Ref`` or ``Fn::GetAtt <id>.SubnetId`` names."""
    call = intrinsic(value)
    if call and call[0] == "Fn::GetAtt":
        arg = call[1]
        attr = arg[1] if isinstance(arg, list) and len(arg) == 2 else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None
        if attr != "SubnetId":
            return None
    return ref_name(value)


# ----------------------------------------------------------------- names


def _number(logical_id: str) -> re.Match | None:
    """The last run of digits of an id (``PublicSubnet1`` -> 1, ``Subnet1Public`` -> 1)."""
    found = list(re.finditer(r"\d+", logical_id))
    return found[-1] if found else None


def _letter(logical_id: str) -> str | None:
    """The zone letter an id ends with (``WebSubnetA``, ``SubnetPublicB``), not Z."""
    m = re.search(r"(?<=[a-z0-9])[A-Y]$", logical_id)
    return m.group() if m else None


def twin_base(logical_id: str) -> str:
    """``PublicSubnet1`` -> ``PublicSubnet2``, ``SubnetA1`` -> ``SubnetA2``, ``WebSubnetA`` ->
    ``WebSubnetB``, ``PublicSubnet`` -> ``PublicSubnet2``."""
    m = _number(logical_id)
    if m is not None:
        return logical_id[: m.start()] + str(int(m.group()) + 1) + logical_id[m.end():]
    letter = _letter(logical_id)
    if letter is not None:
        return logical_id[:-1] + chr(ord(letter) + 1)
    return logical_id + "2"


def adapt_text(text: str, old_id: str, new_id: str) -> str:
    """``text`` of the original subnet said of its twin: its logical id replaced, and its number
    (``public-subnet-1`` -> ``public-subnet-2``) where the id has one and the text repeats it
    apart from other digits (outside ``${...}``)."""
    named = re.compile(rf"(?<![A-Za-z0-9]){re.escape(old_id)}(?!\d)")
    if named.search(text):
        return named.sub(new_id, text)
    old, new = _number(old_id), _number(new_id)
    parts = re.split(r"(\$\{[^}]*\})", text)
    if old is not None and new is not None:
        pattern, by = rf"(?<![\d.]){old.group()}(?![\d.])", new.group()
    elif old is None and _letter(old_id) and _letter(new_id):  # web-subnet-a -> web-subnet-b
        a, b = _letter(old_id) or "", _letter(new_id) or ""
        return "".join(p if p.startswith("${") else re.sub(
            rf"(?:(?<=[-_ ])|^)({a}|{a.lower()})(?=$|[-_ ])", lambda m: b if m.group() == a else b.lower(), p) for p in parts)
    else:
        return text
    return "".join(p if p.startswith("${") else re.sub(pattern, by, p) for p in parts)


def adapt_value(value: Any, old_id: str, new_id: str) -> Any:
    """A tag value adapted like ``adapt_text``: plain strings, ``Fn::Sub`` texts and the literal
    parts of ``Fn::Join``; anything else copied."""
    if isinstance(value, str):
        return adapt_text(value, old_id, new_id)
    call = intrinsic(value)
    if call and call[0] == "Fn::Sub":
        arg = call[1]
        if isinstance(arg, str):
            return {"Fn::Sub": adapt_text(arg, old_id, new_id)}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            return {"Fn::Sub": [adapt_text(arg[0], old_id, new_id), copy.deepcopy(arg[1])]}
    if call and call[0] == "Fn::Join":
        arg = call[1]
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return {"Fn::Join": [arg[0], [adapt_text(p, old_id, new_id) if isinstance(p, str) else copy.deepcopy(p)
                                          for p in arg[1]]]}
    return copy.deepcopy(value)


# ----------------------------------------------------------------- zones


def next_zone(value: Any) -> tuple[Any, str | None]:
    """(the twin's AvailabilityZone, None) or (None, why not).

    ``!Select [0, !GetAZs ...]`` gives index 1; any other index gives 0: indexes 0 and 1 exist
    in every region, a third zone does not (us-west-1 offers two to most accounts)."""
    if value is None:
        return None, ("it has no AvailabilityZone, so EC2 picks its zone and a second subnet could land in the same "
                      "one: give it !Select [0, !GetAZs ''] (this replaces it if it is deployed), then add the second "
                      "subnet with !Select [1, !GetAZs '']")
    if isinstance(value, str):
        return None, (f"its AvailabilityZone is the literal '{value}', and the name of another zone of that region "
                      "cannot be known here: write it as !Select [i, !GetAZs ''] (hardcoded-az does) or add the "
                      "second subnet by hand")
    call = intrinsic(value)
    if call and call[0] == "Fn::Select" and isinstance(call[1], list) and len(call[1]) == 2:
        index, source = call[1]
        inner = intrinsic(source)
        digits = isinstance(index, str) and index.isdigit()
        if inner and inner[0] == "Fn::GetAZs" and (digits or isinstance(index, int) and not isinstance(index, bool)):
            n = int(index)
            new = 1 if n == 0 else 0
            return {"Fn::Select": [str(new) if digits else new, copy.deepcopy(source)]}, None
    return None, "its AvailabilityZone is not !Select [i, !GetAZs ...]: add a subnet of another zone by hand"


# ----------------------------------------------------------------- addresses


def _param_default(doc: Document, name: Any) -> str | None:
    body = parameters(doc).get(name) if isinstance(name, str) else None
    default = body.get("Default") if isinstance(body, dict) else None
    return default if isinstance(default, str) else None


def _network(text: Any) -> Network | None:
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.IPv4Network(text.strip(), strict=True)
    except ValueError:
        return None


def _cidr_call(doc: Document, value: Any, vpcs: dict[str, Network | None]) -> list[Network] | None:
    """The blocks of a literal ``Fn::Cidr [block, count, bits]`` call (its block a literal, a
    parameter's default or the VPC's ``CidrBlock``)."""
    call = intrinsic(value)
    if not call or call[0] != "Fn::Cidr" or not isinstance(call[1], list) or len(call[1]) != 3:
        return None
    block, count, bits = call[1]
    base = resolve(doc, block, vpcs)
    try:
        count, bits = int(count), int(bits)
    except (TypeError, ValueError):
        return None
    if base is None or not 1 <= count <= 256 or not 0 < bits <= 32 - base.prefixlen:
        return None
    out = []
    for i, net in enumerate(base.subnets(new_prefix=32 - bits)):
        if i == count:
            break
        out.append(net)
    return out if len(out) == count else None


def resolve(doc: Document, value: Any, vpcs: dict[str, Network | None]) -> Network | None:
    """The IPv4 block ``value`` stands for: a literal, a ``Ref`` to a parameter with a literal
    default, an ``Fn::FindInMap`` with literal keys, ``!GetAtt <vpc>.CidrBlock``, or
    ``!Select [n, !Cidr [...]]`` of those; else None."""
    if isinstance(value, str):
        return _network(value)
    call = intrinsic(value)
    if not call:
        return None
    if call[0] == "Ref":
        return _network(_param_default(doc, call[1]))
    if call[0] == "Fn::FindInMap" and isinstance(call[1], list) and len(call[1]) == 3 and all(
            isinstance(k, str) for k in call[1]):
        found: Any = doc.data.get("Mappings") if isinstance(doc.data, dict) else None
        for k in call[1]:
            found = found.get(k) if isinstance(found, dict) else None
        return _network(found)
    if call[0] == "Fn::GetAtt":
        target = ref_name(value)
        arg = call[1]
        attr = arg[1] if isinstance(arg, list) and len(arg) == 2 else arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else None
        return vpcs.get(target) if attr == "CidrBlock" and isinstance(target, str) else None
    if call[0] == "Fn::Select" and isinstance(call[1], list) and len(call[1]) == 2:
        index, source = call[1]
        blocks = _cidr_call(doc, source, vpcs)
        try:
            n = int(index)
        except (TypeError, ValueError):
            return None
        return blocks[n] if blocks is not None and 0 <= n < len(blocks) else None
    return None


def _vpc_blocks(doc: Document) -> dict[str, Network | None]:
    vpcs: dict[str, Network | None] = {}
    for rid, res in doc.resources_of_type(VPC):
        props = res.get("Properties")
        vpcs[rid] = resolve(doc, props.get("CidrBlock"), {}) if isinstance(props, dict) else None
    return vpcs


def free_block(vpc: Network, size: Network, taken: list[Network]) -> Network | None:
    """The first block of ``size``'s prefix length inside ``vpc``, after ``size`` and wrapping
    round to the start, that overlaps none of ``taken``."""
    step = size.num_addresses
    start, end = int(vpc.network_address), int(vpc.broadcast_address) + 1
    at = int(size.network_address)
    for _ in range(min(MAX_TRIES, (end - start) // step)):
        at += step
        if at >= end:
            at = start
        candidate = ipaddress.IPv4Network((at, size.prefixlen))
        if not any(candidate.overlaps(t) for t in taken):
            return candidate
    return None


# ----------------------------------------------------------------- the plan


def plan(doc: Document, lb: str, used: dict[str, Twin]) -> tuple[Twin | None, str]:
    """The twin subnet of load balancer ``lb`` (shared through ``used`` with another load balancer
    given the same one subnet), or (None, why it cannot be planned)."""
    key, items = alb_subnets(doc.resources[lb]) or ("", [])
    value = _subnet_of(items[0], key) if items else None
    sid = _plain_target(value)
    res = doc.resources.get(sid) if sid else None
    if sid is None or not isinstance(res, dict):
        what = f"parameter '{sid}'" if sid in parameters(doc) else "not a subnet of this template (an import or an expression)"
        return None, f"its one subnet is {what}: add a subnet of another zone by hand"
    if res.get("Type") != SUBNET:
        return None, f"'{sid}' is not an AWS::EC2::Subnet: add a subnet of another zone by hand"
    item = {"SubnetId": None} if key == "SubnetMappings" else None
    if sid in used:
        twin = used[sid]
        new = _same_form(value, sid, twin.twin)
        return Twin(**{**twin.__dict__, "item": {"SubnetId": new} if item is not None else new}), ""
    props = res.get("Properties")
    if not isinstance(props, dict):
        return None, f"'{sid}' has no properties to copy"
    extra = [k for k in OTHER_ADDRESSING if k in props]
    if extra:
        return None, f"'{sid}' also has {', '.join(extra)}: a second subnet's addressing must be chosen by hand"
    if "AvailabilityZoneId" in props:
        return None, (f"'{sid}' names its zone by AvailabilityZoneId, and another zone id of that region cannot be "
                      "known here: add a subnet of another zone by hand")
    zone, why = next_zone(props.get("AvailabilityZone"))
    if why:
        return None, f"'{sid}': {why}"
    vpc_id = ref_name(props.get("VpcId"))
    vpcs = _vpc_blocks(doc)
    if vpc_id not in vpcs:
        return None, (f"the VPC of '{sid}' is not an AWS::EC2::VPC of this template, so its other subnets, and a free "
                      "CIDR block, cannot be known: add a subnet of another zone by hand")
    vpc_block = vpcs[vpc_id]
    if vpc_block is None:
        return None, f"the CidrBlock of '{vpc_id}' is not a literal (or a parameter's default): choose the second subnet's block by hand"
    taken: list[Network] = []
    for other, body in doc.resources_of_type(SUBNET):
        oprops = body.get("Properties") if isinstance(body, dict) else None
        ovpc = oprops.get("VpcId") if isinstance(oprops, dict) else None
        target = ref_name(ovpc)
        if target != vpc_id and (target is not None or vpc_id not in {n for n, _ in references(ovpc)}):
            continue  # a subnet of another VPC (an Fn::If that may name this one counts as this one's)
        block = resolve(doc, oprops.get("CidrBlock") if isinstance(oprops, dict) else None, vpcs)
        if block is None:
            return None, (f"the CidrBlock of '{other}', a subnet of '{vpc_id}', is not a literal, a parameter's default or "
                          "an Fn::Cidr block: an overlap cannot be ruled out, choose the second subnet's block by hand")
        taken.append(block)
    cidr = props.get("CidrBlock")
    own = resolve(doc, cidr, vpcs)
    if own is None or not own.subnet_of(vpc_block):
        return None, f"the CidrBlock of '{sid}' is not a block of {vpc_id}'s {vpc_block} that can be read here"
    twin_id = _fresh(doc, twin_base(sid), used)
    body = copy.deepcopy(res)
    body["Properties"] = new_props = copy.deepcopy(props)
    new_props["AvailabilityZone"] = zone
    parameter = None
    call = intrinsic(cidr)
    if isinstance(cidr, str):
        block = free_block(vpc_block, own, taken)
        new_props["CidrBlock"] = str(block)
        how = f"the next block of the same size in {vpc_id}'s {vpc_block} that no subnet of it uses"
    elif call and call[0] == "Ref":
        block = free_block(vpc_block, own, taken)
        name, pbody = call[1], parameters(doc)[call[1]]
        adapted = name.replace(sid, twin_id, 1) if sid in name else adapt_text(name, sid, twin_id)
        new_name = _fresh(doc, adapted if adapted != name else twin_id + "Cidr", used)
        new_body = copy.deepcopy(pbody)
        new_body["Default"] = str(block)
        if isinstance(pbody.get("Description"), str):
            desc = adapt_text(pbody["Description"], sid, twin_id)
            new_body["Description"] = desc if desc != pbody["Description"] else f"CIDR block for {twin_id}, the second " \
                f"subnet of load balancer {lb} (in another Availability Zone than {sid})"
        if block is not None and (not accepts(pbody, str(block)) or isinstance(pbody.get("AllowedValues"), list)
                                  and str(block) not in pbody["AllowedValues"]):
            return None, f"the block {block} proposed for a second subnet is not allowed by parameter '{name}': add it by hand"
        parameter = (new_name, new_body)
        new_props["CidrBlock"] = {"Ref": new_name}
        how = (f"the next block of the same size in {vpc_id}'s {vpc_block} that no subnet of it uses, with the "
               "parameters' defaults")
    elif call and call[0] == "Fn::Select":  # !Select [n, !Cidr [...]], as resolve() read it
        index, source = call[1]
        blocks = _cidr_call(doc, source, vpcs) or []
        block = None
        for m in [*range(int(index) + 1, len(blocks)), *range(int(index))]:
            if not any(blocks[m].overlaps(t) for t in taken):
                block = blocks[m]
                new_props["CidrBlock"] = {"Fn::Select": [str(m) if isinstance(index, str) else m, copy.deepcopy(source)]}
                break
        how = "the next index of the same Fn::Cidr list whose block no subnet of the VPC uses"
    else:
        block = free_block(vpc_block, own, taken)
        if block is None:
            return None, f"{vpc_id}'s {vpc_block} has no free block the size of {own} left: add the second subnet by hand"
        return None, (f"the CidrBlock of '{sid}' is not a literal, a parameter or an Fn::Cidr block (a block from a "
                      f"mapping is the author's to add): the free block {block} of {vpc_id} would do, add the second "
                      "subnet by hand")
    if block is None:
        return None, f"{vpc_id}'s {vpc_block} has no free block the size of {own} left: add the second subnet by hand"
    if isinstance(new_props.get("Tags"), list):
        new_props["Tags"] = [{**tag, "Value": adapt_value(tag["Value"], sid, twin_id)}
                             if isinstance(tag, dict) and "Value" in tag else copy.deepcopy(tag) for tag in new_props["Tags"]]
    associations = {}
    for other, abody in doc.resources.items():
        if not isinstance(abody, dict) or abody.get("Type") not in ASSOCIATIONS:
            continue
        aprops = abody.get("Properties")
        subnet_ref = aprops.get("SubnetId") if isinstance(aprops, dict) else None
        if sid not in {n for n, _ in references(subnet_ref)}:
            continue
        if _plain_target(subnet_ref) != sid:
            return None, f"'{other}' associates '{sid}' through an expression: add the second subnet by hand"
        new_assoc = copy.deepcopy(abody)
        new_assoc["Properties"]["SubnetId"] = _same_form(subnet_ref, sid, twin_id)
        associations[_fresh(doc, other.replace(sid, twin_id, 1) if sid in other else twin_base(other), used)] = new_assoc
    new = _same_form(value, sid, twin_id)
    twin = Twin(sid, twin_id, body, str(block), how, associations, parameter,
                {"SubnetId": new} if item is not None else new)
    used[sid] = twin
    return twin, ""


def _fresh(doc: Document, base: str, used: dict[str, Twin]) -> str:
    """``base``, or ``base`` with a number, used by no section of the template nor by a twin planned before."""
    taken: set[str] = set()
    if isinstance(doc.data, dict):
        for section in doc.data.values():
            if isinstance(section, dict):
                taken.update(k for k in section if isinstance(k, str))
    for twin in used.values():
        taken.update({twin.twin, *twin.associations, *([twin.parameter[0]] if twin.parameter else [])})
    return free_id(base, taken, "Subnet")
