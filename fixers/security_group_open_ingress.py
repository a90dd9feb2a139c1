"""Security group rules that open SSH, RDP or HTTP to the whole internet."""

from __future__ import annotations

import ipaddress
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.security_groups import GROUP, STANDALONE, WORLD, WORLD_V6, covers_port, port_range, protocol, rules
from cfnfix.graph import references
from cfnfix.nodepath import editor_path
from cfnfix.parameters import accepts
from cfnfix.values import parameter, ref_name

_ADMIN = ((22, "SSH", "CKV_AWS_24"), (3389, "RDP", "CKV_AWS_25"))
_HTTP = (80, "HTTP", "CKV_AWS_260")
_PARAMETER = "AllowedAdminCidr"
_CIDR_PATTERN = r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$"
_LOAD_BALANCERS = ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer")


def _cidr(raw: Any) -> str:
    if raw == "":
        return raw
    network = ipaddress.IPv4Network(str(raw))  # ValueError on anything else, including host bits set
    if network.prefixlen == 0:
        raise ValueError("must not be 0.0.0.0/0")
    return str(network)


def _exact(rule: dict) -> bool:
    """A TCP rule for one port."""
    ports = port_range(rule)
    return protocol(rule) == "tcp" and ports is not None and ports[0] == ports[1]


def public_load_balancer_groups(doc: Document) -> set[str]:
    """Logical ids of the security groups attached to an internet-facing load balancer of the template."""
    groups: set[str] = set()
    for _, lb in doc.resources_of_type(*_LOAD_BALANCERS):
        props = lb.get("Properties")
        if not isinstance(props, dict) or props.get("Scheme", "internet-facing") != "internet-facing":
            continue
        attached = props.get("SecurityGroups")
        for item in attached if isinstance(attached, list) else []:
            name = ref_name(item)
            if name:
                groups.add(name)
    return groups


class SecurityGroupOpenIngress(Fixer):
    name = "security-group-open-ingress"
    summary = "Restrict SSH and RDP open to 0.0.0.0/0 to a CIDR parameter; report HTTP open to the world"
    group = "security"
    scanner_checks = ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "INCOMING_SSH_DISABLED",
                      "RESTRICTED_INCOMING_TRAFFIC", "EC2_SECURITY_GROUP_INGRESS_OPEN_TO_WORLD_RULE", "W2")
    # find() reports only the rules security_groups.rules() yields, and it yields them from these
    # types alone: a template without one has no rule, and the engine need not ask
    resource_types = (GROUP, *STANDALONE)
    safety = Safety.REVIEW
    default = False
    options = (
        Option("admin-cidr", "10.0.0.0/8",
               "Default of the new AllowedAdminCidr parameter (an IPv4 CIDR); empty: no default, every deployment must "
               "pass a value", parse=_cidr),
    )
    docs = """
    Checkov: `CKV_AWS_24` (SSH, port 22), `CKV_AWS_25` (RDP, port 3389)

    ## What it detects
    Ingress rules (inline in an `AWS::EC2::SecurityGroup`, also inside `Fn::If`, or standalone
    `AWS::EC2::SecurityGroupIngress`) from `0.0.0.0/0` or `::/0` that open port 22 (SSH), 3389
    (RDP) or 80 (HTTP): a TCP rule whose port range includes the port, or an all-traffic rule.

    ## Why it matters
    SSH and RDP open to the internet are scanned and brute-forced within minutes of launch; an
    administrative port should accept connections from a known network only.

    ## What it changes
    A rule from `0.0.0.0/0` to exactly port 22 or 3389 gets `CidrIp: !Ref AllowedAdminCidr`, a new
    template parameter (one per template) whose `Default` is `10.0.0.0/8` (option `admin-cidr`).
    The default is a private range on purpose: a parameter without a default would make every
    existing deployment of the template fail until someone passes a value, while a private range
    keeps admin access for a VPN, a bastion or a peered network and closes it to the internet.
    Pass your office or VPN range when deploying, or set `admin-cidr` to an empty string to make
    the parameter mandatory. Prefer Session Manager, which needs no inbound rule at all. A rule
    `Description` that names `0.0.0.0/0` (`SSH from 0.0.0.0/0`, as security-group-descriptions
    writes it) would then state a range the rule no longer allows: `0.0.0.0/0` in it becomes the
    parameter's name. This fixer runs before security-group-descriptions, so a rule it narrows
    is described as it ends up (`SSH from AllowedAdminCidr`).

    A rule whose `CidrIp` is a template parameter defaulting to `0.0.0.0/0` (`SSHLocation`) is
    left pointing at it; the parameter's `Default` becomes the `admin-cidr` range instead, when
    every use of the parameter is the source of such a one-port SSH/RDP rule, it is a `String`
    without `AllowedValues`, and its `AllowedPattern` accepts the new default. Values passed at
    deployment are kept; deployments relying on the default get the narrower range.

    Reported, not changed:
    - rules from `::/0` to SSH or RDP, and rules whose port range or protocol opens these ports
      along with others (narrowing them would close the other ports too);
    - a CIDR given by a parameter whose `Default` is `0.0.0.0/0` when the parameter is used
      elsewhere too, opens other ports, or its constraints refuse the new default (change the
      default or the value deployed);
    - port 80 open to the world (Checkov `CKV_AWS_260`, which this fixer never clears) on a group
      that is not attached to an internet-facing load balancer of the template: a web server may
      be meant to serve the internet, and no narrower range can be guessed;
    - port 80 open to the world on a group attached to an internet-facing load balancer of the
      template: intended (HTTP from anywhere is the load balancer's job), reported as such
      because Checkov's `CKV_AWS_260` fails it. HTTPS (443) is not reported: no check fails it.

    ## Example
    ```yaml
    # before
    SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
    # after
    SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AllowedAdminCidr}
    # and, in Parameters:
    AllowedAdminCidr:
      Type: String
      Description: IPv4 range allowed to reach SSH and RDP (added by cfnfix in place of 0.0.0.0/0)
      Default: 10.0.0.0/8
      AllowedPattern: ^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$
      ConstraintDescription: an IPv4 CIDR such as 203.0.113.0/24
    ```

    ## Fix safety
    Review: it changes who can reach the instances. SSH/RDP connections from outside the
    parameter's range are refused after the update (with a changed parameter default: on
    stacks that use the default). A standalone ingress rule is replaced (its
    CIDR cannot change in place); an inline rule is revoked and re-added.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        public = public_load_balancer_groups(doc)
        by_parameter: dict[str, list] = {}
        for r in rules(doc):
            if r.direction != "ingress":
                continue
            rule = r.rule
            cidr_path = r.path + ("CidrIp",)
            v4, v6 = rule.get("CidrIp"), rule.get("CidrIpv6")
            open4, open6 = v4 in WORLD, v6 in WORLD_V6
            source = "0.0.0.0/0" if open4 else "::/0"
            param_name = ref_name(v4) if isinstance(v4, dict) and "Ref" in v4 else None
            param = parameter(doc, param_name)
            if param_name is not None and param is not None and param.get("Default") in WORLD:
                admin = [(label, check) for port, label, check in _ADMIN if covers_port(rule, port)]
                if admin:
                    by_parameter.setdefault(param_name, []).append((r, cidr_path, admin, _exact(rule)))
                continue
            if not (open4 or open6):
                continue
            exact = _exact(rule)
            opened = [(port, label, check) for port, label, check in _ADMIN if covers_port(rule, port)]
            if opened and exact and open4:
                _, label, check = opened[0]
                findings.append(Finding(r.resource, cidr_path, f"{label} open to 0.0.0.0/0", detail=(label, check)))
                continue
            if opened:
                if covers_port(rule, _HTTP[0]) and r.group not in public:
                    opened.append(_HTTP)
                what = " and ".join(label for _, label, _ in opened)
                checks = ", ".join(check for _, _, check in opened)
                why = ("restrict the IPv6 range by hand" if exact else
                       "the rule opens other ports too; split it and restrict the admin ports by hand")
                findings.append(Finding(r.resource, r.path, f"{what} open to {source}: {why} (Checkov {checks})",
                                        fixable=False))
                continue
            if covers_port(rule, _HTTP[0]) and r.group not in public:
                findings.append(Finding(r.resource, r.path, (
                    f"HTTP (port 80) open to {source} on a group not attached to an internet-facing load balancer of "
                    "this template; restrict it, or serve HTTP through a load balancer (Checkov CKV_AWS_260)"), fixable=False))
            elif covers_port(rule, _HTTP[0]):
                findings.append(Finding(r.resource, r.path, (
                    f"HTTP (port 80) open to {source} on {r.group}, the group of an internet-facing load balancer of "
                    "this template: intended (the load balancer serves the internet), not changed; Checkov "
                    "CKV_AWS_260 reports it (skip that check on this group if it should pass)"), fixable=False))
        for name, uses in by_parameter.items():
            findings += self._parameter_default(doc, name, uses)
        return findings

    def _parameter_default(self, doc: Document, name: str, uses: list) -> list[Finding]:
        """A parameter defaulting to 0.0.0.0/0 that only opens SSH/RDP: one finding for its
        ``Default``, or a report per rule when the default cannot safely change."""
        labels = [label for _, _, opened, _ in uses for label, _ in opened]
        checks = sorted({check for _, _, opened, _ in uses for _, check in opened})
        opened_text = " and ".join(dict.fromkeys(labels))
        body = parameter(doc, name) or {}
        default = self.config["admin-cidr"]
        total = sum(1 for ref, _ in references(doc.data) if ref == name)
        why = None
        if not all(exact for _, _, _, exact in uses):
            why = "a rule using it opens other ports too; split it and restrict the admin ports by hand"
        elif total != len(uses):
            why = "the parameter is used elsewhere too; give it a narrower default where that fits"
        elif not default:
            why = "option admin-cidr is empty; give it a narrower default"
        elif body.get("Type") != "String" or "AllowedValues" in body or not accepts(body, default):
            why = f"its type or constraints do not take {default}; give it a narrower default"
        if why:
            return [Finding(r.resource, path, f"{opened_text} open to parameter {name}, whose default is 0.0.0.0/0: {why} "
                            f"(Checkov {', '.join(checks)})", fixable=False) for r, path, _, _ in uses]
        return [Finding(uses[0][0].resource, ("Parameters", name, "Default"), (
            f"default of parameter {name} changed from 0.0.0.0/0 to {default}: it only says who may reach {opened_text} "
            f"(Checkov {', '.join(checks)}); stacks deployed or updated with the default refuse {opened_text} connections "
            "from outside that range: pass your office or VPN range, or reach the instances through Session Manager"),
            detail=("default", default))]

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            if f.detail[0] == "default":
                with editor.finding(f):
                    editor.set(f.path, f.detail[1])
                    changes.append(self.change(f, "replace", doc.value(f.path), f.detail[1], f.message))
        rules = [f for f in findings if f.detail[0] != "default"]
        if not rules:
            return Fix.of(editor, changes)
        default = self.config["admin-cidr"]
        name = editor.unique_id(_PARAMETER)
        body: dict[str, Any] = {
            "Type": "String",
            "Description": "IPv4 range allowed to reach SSH and RDP (added by cfnfix in place of 0.0.0.0/0)",
        }
        if default:
            body["Default"] = default
        body["AllowedPattern"] = _CIDR_PATTERN
        body["ConstraintDescription"] = "an IPv4 CIDR such as 203.0.113.0/24"
        editor.set(("Parameters", name), body)
        changes.append(self.change(None, "add", None, body, "parameter for the range allowed to reach SSH and RDP (for Checkov CKV_AWS_24, CKV_AWS_25)",
                                   path=("Parameters", name)))
        where = f"default {default}" if default else "no default: pass a value when deploying"
        for f in rules:
            label, check = f.detail
            with editor.finding(f):
                value = {"Ref": name}
                editor.set(editor_path(doc, f.path), value)
                changes.append(self.change(f, "replace", "0.0.0.0/0", value, (
                    f"{label} restricted from 0.0.0.0/0 to parameter {name} ({where}) (Checkov {check}); connections "
                    "from outside that range are refused: reach the instances through a VPN, a bastion or Session Manager")))
                said = doc.value(f.path[:-1] + ("Description",))
                if isinstance(said, str) and "0.0.0.0/0" in said:
                    # the rule's description names the range it no longer allows ("RDP from
                    # 0.0.0.0/0", as security-group-descriptions writes it): it names the parameter
                    editor.replace_text(editor_path(doc, f.path[:-1] + ("Description",)), "0.0.0.0/0", name)
                    after = said.replace("0.0.0.0/0", name)
                    changes.append(self.change(f, "replace", said, after, f"the rule's description named 0.0.0.0/0; it now reads {after!r} (Checkov {check})",
                                               path=f.path[:-1] + ("Description",)))
        return Fix.of(editor, changes)
