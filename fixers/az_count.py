"""Subnets spread over more AZs than a test stack needs, with everything that serves only them."""

from __future__ import annotations

import json
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, int_range
from cfnfix.graph import references
from cfnfix.render import intrinsic
from cfnfix.usage import Use, plain_value, prune_depends_on, remove_items, uses

SUBNET = "AWS::EC2::Subnet"
ROUTE_TABLE = "AWS::EC2::RouteTable"
ASSOCIATION = "AWS::EC2::SubnetRouteTableAssociation"
NAT = "AWS::EC2::NatGateway"
EIP = "AWS::EC2::EIP"
# Resources that exist for one subnet (or one route table): they go with it.
SERVES = {
    ASSOCIATION: ("SubnetId", "RouteTableId"),
    "AWS::EC2::SubnetNetworkAclAssociation": ("SubnetId",),
    NAT: ("SubnetId",),
    "AWS::EFS::MountTarget": ("SubnetId",),
    "AWS::EC2::Route": ("RouteTableId",),
    "AWS::EC2::SubnetCidrBlock": ("SubnetId",),
}
MIN_ITEMS = 2  # DB subnet groups, ALBs and most multi-AZ consumers need two AZs; never shrink below


def az_key(value: Any) -> tuple[str, Any] | None:
    """("index", i) for ``!Select [i, !GetAZs ...]``, ("literal", text) for a fixed AZ, else None."""
    if isinstance(value, str):
        return "literal", value
    call = intrinsic(value)
    if not call:
        return None
    name, arg = call
    if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
        index, source = arg
        if isinstance(index, str) and index.isdigit():
            index = int(index)
        inner = intrinsic(source)
        if isinstance(index, int) and not isinstance(index, bool) and inner and inner[0] == "Fn::GetAZs":
            return "index", index
    if name == "Fn::Sub" and isinstance(arg, str):
        return "literal", arg  # ${AWS::Region}a
    return None


def _target(value: Any) -> str | None:
    call = intrinsic(value)
    if call and call[0] == "Ref" and isinstance(call[1], str):
        return call[1]
    if call and call[0] == "Fn::GetAtt":
        arg = call[1]
        head = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
        return head if isinstance(head, str) else None
    return None


def _list_item(use: Use) -> tuple | None:
    """The path of the list item that holds ``use``, when its list is a plain value (a property,
    a Fn::If branch, the list of a ``Fn::Join``), not an argument of another function."""
    path = use.path
    while len(path) > 2 and path[-2] == "Fn::If" and path[-1] in (1, 2):
        path = path[:-2]  # a conditional item, ``!If [c, !Ref Subnet3, !Ref AWS::NoValue]``, goes as a whole
    if not isinstance(path[-1], int):
        return None
    through = (("Fn::If", 1), ("Fn::If", 2), ("Fn::Join", 1))
    return path if plain_value(path[2:-1], ("Properties", "Value"), through) else None


class AzCount(Fixer):
    name = "az-count"
    summary = "Remove subnets beyond the first N availability zones, with their route tables, NAT gateways and EIPs"
    group = "qa"
    resource_types = (SUBNET,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("count", 2, "availability zones to keep (at least 2: load balancers and DB subnet groups need two)",
               parse=int_range(2, 6)),
    )
    docs = """
    ## What it detects
    `AWS::EC2::Subnet` resources in an availability zone beyond the first `count` (2): an
    `AvailabilityZone` of `!Select [i, !GetAZs '']` with `i >= count`, or a literal AZ (or
    `!Sub '${AWS::Region}c'`) that is not among the first `count` distinct ones in template order.

    ## Why it matters
    Every AZ of a generated network usually brings a NAT gateway, an Elastic IP, a route table
    and more; a test stack that deploys, runs its checks and is torn down needs two AZs, not
    three. The extra AZ costs money and Elastic IPs (5 per region by default, shared by every
    stack in the test account), and some regions offered to a test account have only two AZs
    with `GetAZs`-indexed subnets failing there.

    ## What the fix does
    Removes those subnets and what serves only them: their route table and network ACL
    associations, EFS mount targets, NAT gateways in them and the Elastic IPs only those used,
    route tables left without an association and their routes. Lists that name a removed
    resource shrink (`Subnets`, `SubnetIds`, `VPCZoneIdentifier`, `RouteTableIds`, a
    `Fn::Join`ed list in an Output); `DependsOn` entries naming one are removed; an Output whose
    value is just a removed resource is removed when it is not exported.

    Reported, and nothing changed in the template: a single reference to a removed resource
    elsewhere (an instance's `SubnetId`, a route through a removed NAT gateway from a kept route
    table, an exported Output of a removed subnet, a use inside another function), a list that
    would keep fewer than 2 items, or a subnet whose AZ cannot be read (a parameter, a mapping)
    in a template that has subnets beyond the first `count` AZs.

    ## Example
    ```yaml
    # before
    PrivateSubnet3:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: !Ref VPC
        CidrBlock: 10.0.12.0/24
        AvailabilityZone: !Select [2, !GetAZs '']
    DBSubnetGroup:
      Type: AWS::RDS::DBSubnetGroup
      Properties:
        DBSubnetGroupDescription: db
        SubnetIds: [!Ref PrivateSubnet1, !Ref PrivateSubnet2, !Ref PrivateSubnet3]
    # after: PrivateSubnet3 (and its route table, association, NAT gateway, EIP) removed
    DBSubnetGroup:
      Type: AWS::RDS::DBSubnetGroup
      Properties:
        DBSubnetGroupDescription: db
        SubnetIds: [!Ref PrivateSubnet1, !Ref PrivateSubnet2]
    ```

    ## Fix safety
    Review: subnets and what is in them are deleted from a deployed stack; anything placed in
    them by other stacks blocks the deletion. The stack keeps its multi-AZ shape with two AZs,
    which is right for a test deploy and a loss of resilience for production.
    """

    def find(self, doc: Document) -> list[Finding]:
        count = self.config["count"]
        subnets = list(doc.resources_of_type(SUBNET))
        keys: dict[str, Any] = {}
        literals: list[str] = []
        unknown = []
        for rid, res in subnets:
            props = res.get("Properties")
            if not isinstance(props, dict):
                props = {}
            key = az_key(props.get("AvailabilityZone"))
            if key is None:
                unknown.append(rid)
                continue
            if key[0] == "literal":
                text = json.dumps(key[1], sort_keys=True)
                if text not in literals:
                    literals.append(text)
                key = ("index", literals.index(text))
            keys[rid] = key[1]
        beyond = [rid for rid, _ in subnets if rid in keys and keys[rid] >= count]
        if not beyond:
            return []
        where = ("Resources", beyond[0])
        lead = f"subnet{'s' if len(beyond) > 1 else ''} {', '.join(beyond)} beyond the first {count} availability zones"
        if unknown:
            return [Finding(beyond[0], where, f"{lead}; not changed: the AZ of {', '.join(unknown)} cannot be read", fixable=False)]
        plan = self._plan(doc, beyond)
        if isinstance(plan, str):
            return [Finding(beyond[0], where, f"{lead}; not changed: {plan}", fixable=False)]
        return [Finding(beyond[0], where, lead, detail=plan)]

    # ------------------------------------------------------------ planning

    @staticmethod
    def _closure(doc: Document, beyond: list[str]) -> dict[str, str]:
        """Removed resource -> why, starting from the subnets beyond the kept AZs."""
        resources = doc.resources
        removed = dict.fromkeys(beyond, "subnet beyond the kept availability zones")
        changed = True
        while changed:
            changed = False
            for rid, res in resources.items():
                if rid in removed or not isinstance(res, dict):
                    continue
                rtype = res.get("Type")
                if not isinstance(rtype, str):
                    continue
                props = res.get("Properties")
                if not isinstance(props, dict):
                    props = {}
                for key in SERVES.get(rtype, ()):
                    target = _target(props.get(key))
                    if target in removed:
                        removed[rid] = f"{rtype.rsplit('::', 1)[-1]} of {target}, which is removed"
                        changed = True
                        break
                if rid in removed or rtype != ROUTE_TABLE:
                    continue
                associations = [a for a, body in resources.items() if isinstance(body, dict) and body.get("Type") == ASSOCIATION
                                and _target((body.get("Properties") or {}).get("RouteTableId") if isinstance(body.get("Properties"), dict) else None) == rid]
                if associations and all(a in removed for a in associations):
                    removed[rid] = "route table whose subnets are all removed"
                    changed = True
        eips: set[str] = set()
        for rid in removed:
            if resources[rid].get("Type") == NAT:
                for name, _ in references(resources[rid].get("Properties")):
                    if isinstance(resources.get(name), dict) and resources[name].get("Type") == EIP:
                        eips.add(name)
        named = uses(doc.data, eips)  # one walk of the template for all of them
        for eip in [e for e in resources if e in eips]:
            if all(u.section == "Resources" and u.owner in removed for u in named if u.target == eip):
                removed[eip] = "Elastic IP of a removed NAT gateway"
        return {rid: removed[rid] for rid in resources if rid in removed}  # template order

    def _plan(self, doc: Document, beyond: list[str]) -> dict | str:
        removed = self._closure(doc, beyond)
        items: dict[tuple, dict[int, str]] = {}  # list -> {index: the removed resource it names}
        depends: dict[str, set[str]] = {}
        outputs: list[str] = []
        for use in uses(doc.data, set(removed)):
            if use.section == "Resources" and use.owner in removed:
                continue
            spot = "/".join(map(str, use.path))
            if use.kind == "DependsOn":
                depends.setdefault(use.owner, set()).add(use.target)
                continue
            item = _list_item(use)
            if item is not None:
                items.setdefault(item[:-1], {})[item[-1]] = use.target
                continue
            if use.section == "Outputs" and use.inner == ("Value",):
                if "Export" in doc.data["Outputs"][use.owner]:
                    return f"output {use.owner} exports {use.target}, which is removed; another stack may import it"
                if use.owner not in outputs:
                    outputs.append(use.owner)
                continue
            return f"{use.target} would be removed but {spot} names it; move that to a kept AZ by hand"
        for parent, indexes in items.items():
            if parent[:2] in [("Outputs", o) for o in outputs]:
                continue
            current = doc.value(parent)
            left = len(current) - len(set(indexes))
            subnets = any(doc.resources[t].get("Type") == SUBNET for t in indexes.values())
            if left < 1 or (subnets and left < min(MIN_ITEMS, len(current))):
                return (f"{'/'.join(map(str, parent))} would keep {left} item{'s' if left != 1 else ''} "
                        f"of {len(current)}" + (f"; its consumer needs {MIN_ITEMS} AZs" if left else ""))
        return {"removed": removed, "items": items, "depends": depends, "outputs": outputs, "count": self.config["count"]}

    # ------------------------------------------------------------ fixing

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes: list = []
        f = findings[0]
        plan = f.detail
        count = plan["count"]
        removed: dict[str, str] = plan["removed"]
        with editor.finding(f):
            for rid, why in removed.items():
                editor.remove(("Resources", rid))
                changes.append(self.change(f, "remove", doc.resources[rid], None,
                                           f"{why}: the test stack keeps {count} availability zones", path=("Resources", rid)))
            for parent, indexes in plan["items"].items():
                if parent[:2] in [("Outputs", o) for o in plan["outputs"]]:
                    continue
                current = doc.value(parent)
                after = remove_items(editor, parent, set(indexes))
                names = ", ".join(sorted(set(indexes.values())))
                changes.append(self.change(f, "replace", current, after,
                                           f"{names} removed from the list with the availability zones beyond the first {count}",
                                           path=parent))
            for rid, drop in plan["depends"].items():
                before_after = prune_depends_on(editor, rid, drop)
                if before_after is not None:
                    before, after = before_after
                    changes.append(self.change(f, "remove" if after is None else "replace", before, after,
                                               f"DependsOn on {', '.join(sorted(drop))} removed: removed with their availability zone",
                                               path=("Resources", rid, "DependsOn")))
            every = plan["outputs"] and set(plan["outputs"]) == set(doc.data["Outputs"])
            if every:
                editor.remove(("Outputs",))  # an empty Outputs section is invalid
            for oid in plan["outputs"]:
                if not every:
                    editor.remove(("Outputs", oid))
                changes.append(self.change(f, "remove", doc.data["Outputs"][oid], None,
                                           f"output {oid} named a removed resource and is not exported",
                                           path=("Outputs", oid)))
        return Fix.of(editor, changes)
