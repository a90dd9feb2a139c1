"""One NAT gateway per AZ is the production pattern; a throwaway test stack needs one, or none."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import EditConflict, Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.graph import references
from cfnfix.render import intrinsic
from cfnfix.usage import Use, prune_depends_on, standalone, uses

NAT = "AWS::EC2::NatGateway"
EIP = "AWS::EC2::EIP"
ROUTE = "AWS::EC2::Route"
ENDPOINT = "AWS::EC2::VPCEndpoint"
SERVICES = (("s3", "S3GatewayEndpoint"), ("dynamodb", "DynamoDBGatewayEndpoint"))


def service_of(name: Any) -> str | None:
    """``s3`` for ``com.amazonaws.${AWS::Region}.s3`` (string, Sub or Join), else the last label or None."""
    call = intrinsic(name)
    if call and call[0] == "Fn::Sub":
        name = call[1][0] if isinstance(call[1], list) and call[1] else call[1]
    elif call and call[0] == "Fn::Join" and isinstance(call[1], list) and len(call[1]) == 2 and isinstance(call[1][1], list):
        sep = call[1][0] if isinstance(call[1][0], str) else ""
        name = sep.join(p if isinstance(p, str) else "?" for p in call[1][1])
    return name.rsplit(".", 1)[-1] if isinstance(name, str) and "." in name else None


class NatGateways(Fixer):
    name = "nat-gateways"
    summary = "Keep one NAT gateway for all private subnets, or replace NAT with S3/DynamoDB gateway endpoints"
    group = "qa"
    resource_types = (NAT,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("mode", "single",
               "`single`: keep the first NAT gateway and route every private subnet through it; "
               "`endpoints`: remove NAT entirely and add S3 and DynamoDB gateway endpoints",
               choices=("single", "endpoints")),
    )
    docs = """
    ## What it detects
    `AWS::EC2::NatGateway` resources: with `mode = "single"` (the default) a template with two or
    more of them (the one-per-AZ pattern); with `mode = "endpoints"` any template with one.

    ## Why it matters
    Every NAT gateway is billed by the hour plus data processed and holds an Elastic IP from the
    account's quota (5 per region by default). Generated templates often run one per AZ; in a
    shared test account where many stacks deploy in parallel, the EIP quota runs out and stacks
    fail with `AddressLimitExceeded`, and the hourly cost multiplies for a stack that lives minutes.

    ## What the fix does
    `single`: the first NAT gateway in template order is kept. Every route through another NAT
    gateway (`NatGatewayId` of an `AWS::EC2::Route`) is redirected to it, `DependsOn` entries
    naming them too; the other NAT gateways go, with the `AWS::EC2::EIP`s that only they used.

    `endpoints`: every NAT gateway goes, with its EIPs and the `AWS::EC2::Route`s through it;
    gateway endpoints for S3 and DynamoDB (`com.amazonaws.${AWS::Region}.s3` via `Fn::Sub`,
    `VpcEndpointType: Gateway`) are added on the private route tables those routes were in (an
    existing gateway endpoint for the service gets the route tables it lacks). Private subnets
    then have no internet access: only S3 and DynamoDB stay reachable. Code that calls other AWS
    APIs or the internet from them (Lambda in a VPC, package downloads) needs interface endpoints
    or the `single` mode.

    Reported, and nothing changed: a NAT gateway named anywhere else than a route's
    `NatGatewayId` or a `DependsOn` (an Output, a `Fn::Sub`); NAT gateways or their routes under
    different `Condition`s; in `endpoints` mode, route tables that are not a plain `Ref` or lie
    in different VPCs.

    ## Example
    ```yaml
    # before
    NatGateway1: {Type: AWS::EC2::NatGateway, Properties: {AllocationId: !GetAtt Eip1.AllocationId, SubnetId: !Ref Public1}}
    NatGateway2: {Type: AWS::EC2::NatGateway, Properties: {AllocationId: !GetAtt Eip2.AllocationId, SubnetId: !Ref Public2}}
    PrivateRoute2:
      Type: AWS::EC2::Route
      Properties:
        RouteTableId: !Ref PrivateRouteTable2
        DestinationCidrBlock: 0.0.0.0/0
        NatGatewayId: !Ref NatGateway2
    # after (single): NatGateway2 and Eip2 are gone
    PrivateRoute2:
      Type: AWS::EC2::Route
      Properties:
        RouteTableId: !Ref PrivateRouteTable2
        DestinationCidrBlock: 0.0.0.0/0
        NatGatewayId: !Ref NatGateway1
    ```

    ## Fix safety
    Review: NAT gateways and EIPs are deleted from a deployed stack (the EIP addresses are
    released), and in `single` mode the private subnets of every AZ depend on the kept gateway's
    AZ, which is right for a test stack and wrong for production; in `endpoints` mode private
    subnets lose internet access.
    """

    def find(self, doc: Document) -> list[Finding]:
        nats = [rid for rid, _ in doc.resources_of_type(NAT)]
        mode = self.config["mode"]
        if len(nats) < (2 if mode == "single" else 1):
            return []
        where = ("Resources", nats[0])
        lead = (f"{len(nats)} NAT gateway{'s' if len(nats) > 1 else ''} ({', '.join(nats)}) in a test stack: "
                + ("keep one for all private subnets" if mode == "single" else "replace NAT with S3 and DynamoDB gateway endpoints"))
        plan = self._plan(doc, nats) if mode == "single" else self._endpoint_plan(doc, nats)
        if isinstance(plan, str):
            return [Finding(nats[0], where, f"{lead}; not changed: {plan}", fixable=False)]
        return [Finding(nats[0], where, lead, detail=plan)]

    # ------------------------------------------------------------ planning

    @staticmethod
    def _conditions_differ(doc: Document, ids: list[str]) -> bool:
        return len({repr(doc.resources[r].get("Condition")) for r in ids}) > 1

    def _eips(self, doc: Document, removed: set[str]) -> list[str]:
        """EIPs that only the removed NAT gateways (and resources removed with them) use."""
        eips = set()
        for rid in removed:
            if doc.resources[rid].get("Type") != NAT:
                continue
            for name, _ in references(doc.resources[rid].get("Properties")):
                if isinstance(doc.resources.get(name), dict) and doc.resources[name].get("Type") == EIP:
                    eips.add(name)
        named = uses(doc.data, eips)  # one walk of the template for all of them
        return [e for e in doc.resources
                if e in eips and all(u.section == "Resources" and u.owner in removed for u in named if u.target == e)]

    def _plan(self, doc: Document, nats: list[str]) -> dict | str:
        kept, gone = nats[0], nats[1:]
        if self._conditions_differ(doc, nats):
            return "the NAT gateways have different Conditions"
        redirect: list[tuple] = []
        depends: dict[str, set[str]] = {}
        for use in uses(doc.data, set(gone)):
            if use.section == "Resources" and use.owner in gone:
                continue
            if use.kind == "DependsOn":
                depends.setdefault(use.owner, set()).add(use.target)
            elif self._route_use(doc, use):
                redirect.append(use.path)
            else:
                return f"{use.target} is named at {'/'.join(map(str, use.path))}, not only by routes; redirect or remove that by hand"
        return {"kept": kept, "gone": gone, "redirect": redirect, "depends": depends,
                "eips": self._eips(doc, set(gone))}

    @staticmethod
    def _route_use(doc: Document, use: Use) -> bool:
        return (use.section == "Resources" and doc.resources[use.owner].get("Type") == ROUTE and use.kind == "Ref"
                and use.inner[:2] == ("Properties", "NatGatewayId") and standalone(use))

    def _endpoint_plan(self, doc: Document, nats: list[str]) -> dict | str:
        routes = []
        for use in uses(doc.data, set(nats)):
            if use.kind == "DependsOn" or (use.section == "Resources" and use.owner in nats):
                continue
            if not (self._route_use(doc, use) and use.inner == ("Properties", "NatGatewayId")):
                return f"{use.target} is named at {'/'.join(map(str, use.path))}, not only as a route's target"
            routes.append(use.owner)
        removed = set(nats) | set(routes)
        if any(doc.resources[r].get("Condition") is not None for r in removed):
            return "NAT gateways or their routes have Conditions"
        tables: list[str] = []
        for route in routes:
            table = (doc.resources[route].get("Properties") or {}).get("RouteTableId")
            call = intrinsic(table)
            if not (call and call[0] == "Ref" and isinstance(call[1], str) and isinstance(doc.resources.get(call[1]), dict)):
                return f"route {route} has a RouteTableId that is not a Ref to a route table of this template"
            if doc.resources[call[1]].get("Condition") is not None:
                return f"route table {call[1]} has a Condition"
            if call[1] not in tables:
                tables.append(call[1])
        vpcs = {repr((doc.resources[t].get("Properties") or {}).get("VpcId")) for t in tables}
        if len(vpcs) > 1:
            return "the private route tables are in different VPCs"
        vpc = (doc.resources[tables[0]].get("Properties") or {}).get("VpcId") if tables else None
        depends: dict[str, set[str]] = {}
        for use in uses(doc.data, removed):
            if use.kind == "DependsOn" and use.owner not in removed:  # DependsOn is only in Resources
                depends.setdefault(use.owner, set()).add(use.target)
        existing = {}
        for rid, res in doc.resources_of_type(ENDPOINT):
            props = res.get("Properties")
            if not isinstance(props, dict):
                props = {}
            service = service_of(props.get("ServiceName"))
            if props.get("VpcEndpointType", "Gateway") == "Gateway" and service in dict(SERVICES):
                if repr(props.get("VpcId")) in vpcs and service not in existing:
                    existing[service] = rid
        for rid in existing.values():
            ids = doc.resources[rid]["Properties"].get("RouteTableIds")
            if ids is not None and not isinstance(ids, list):
                return f"gateway endpoint {rid} has RouteTableIds that are not a list"
        return {"routes": routes, "tables": tables, "vpc": vpc, "depends": depends, "existing": existing,
                "eips": self._eips(doc, removed), "nats": nats}

    # ------------------------------------------------------------ fixing

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes: list = []
        f = findings[0]
        with editor.finding(f):
            if self.config["mode"] == "single":
                self._single(doc, editor, f, changes)
            else:
                self._endpoints(doc, editor, f, changes)
        return Fix.of(editor, changes)

    def _remove(self, doc: Document, editor: Editor, f: Finding, changes: list, rid: str, message: str) -> None:
        editor.remove(("Resources", rid))
        changes.append(self.change(f, "remove", doc.resources[rid], None, message, path=("Resources", rid)))

    def _prune(self, doc: Document, editor: Editor, f: Finding, changes: list, depends: dict,
               kept: str | None = None) -> None:
        """DependsOn entries naming removed resources: redirected to ``kept`` (dropped when it is
        already there), or dropped when nothing replaces them."""
        for rid, drop in depends.items():
            deps = doc.resources[rid].get("DependsOn")
            path = ("Resources", rid, "DependsOn")
            names = ", ".join(sorted(drop))
            if kept is not None and not (deps == kept or (isinstance(deps, list) and kept in deps)):
                if isinstance(deps, list) and not all(isinstance(d, str) for d in deps):
                    raise EditConflict(f"DependsOn of {rid} holds a value that is not a resource name")
                new = kept if isinstance(deps, str) else list(dict.fromkeys(kept if d in drop else d for d in deps))
                editor.set(path, new)
                changes.append(self.change(f, "replace", deps, new,
                                           f"DependsOn on {names} now names the single NAT gateway {kept}", path=path))
                continue
            before_after = prune_depends_on(editor, rid, drop)
            if before_after is not None:
                before, after = before_after
                why = (f"{kept}, the single NAT gateway, is already in it" if kept is not None
                       else "removed with the NAT gateways")
                changes.append(self.change(f, "remove" if after is None else "replace", before, after,
                                           f"DependsOn on {names} removed: {why}", path=path))

    def _single(self, doc: Document, editor: Editor, f: Finding, changes: list) -> None:
        plan = f.detail
        kept = plan["kept"]
        for path in plan["redirect"]:
            old = doc.value(path)
            editor.set(path, {"Ref": kept})
            changes.append(self.change(f, "replace", old, {"Ref": kept},
                                       f"route through the single NAT gateway {kept} (was {old.get('Ref')})", path=path))
        self._prune(doc, editor, f, changes, plan["depends"], kept=kept)
        for rid in plan["gone"]:
            self._remove(doc, editor, f, changes, rid,
                         f"NAT gateway removed: its routes go through {kept}, one NAT gateway for the whole test stack")
        for rid in plan["eips"]:
            self._remove(doc, editor, f, changes, rid, "Elastic IP of a removed NAT gateway; the address is released")

    def _endpoints(self, doc: Document, editor: Editor, f: Finding, changes: list) -> None:
        plan = f.detail
        for rid in plan["nats"]:
            self._remove(doc, editor, f, changes, rid,
                         "NAT gateway removed: private subnets lose internet access; S3 and DynamoDB stay reachable "
                         "through gateway endpoints")
        for rid in plan["eips"]:
            self._remove(doc, editor, f, changes, rid, "Elastic IP of a removed NAT gateway; the address is released")
        for rid in plan["routes"]:
            self._remove(doc, editor, f, changes, rid, "default route through a removed NAT gateway")
        self._prune(doc, editor, f, changes, plan["depends"])
        refs = [{"Ref": t} for t in plan["tables"]]
        if not refs:
            return
        for service, base in SERVICES:
            rid = plan["existing"].get(service)
            if rid is not None:
                current = doc.resources[rid]["Properties"].get("RouteTableIds")
                missing = [r for r in refs if r not in (current or [])]
                if not missing:
                    continue
                path = ("Resources", rid, "Properties", "RouteTableIds")
                if current:
                    for r in missing:
                        editor.append(path, r)
                else:
                    editor.set(path, missing)
                changes.append(self.change(f, "replace" if current else "add", current, (current or []) + missing,
                                           f"the {service} gateway endpoint also serves the private route tables that used NAT",
                                           path=path))
                continue
            body = {"Type": ENDPOINT, "Properties": {
                "VpcId": plan["vpc"],
                "ServiceName": {"Fn::Sub": f"com.amazonaws.${{AWS::Region}}.{service}"},
                "VpcEndpointType": "Gateway",
                "RouteTableIds": refs,
            }}
            new_id = editor.add_resource(base, body)
            changes.append(self.change(f, "add", None, body,
                                       f"{service} stays reachable from the private subnets without NAT (gateway endpoints are free)",
                                       path=("Resources", new_id)))
