"""Load balancer listeners that accept old TLS versions or plain HTTP."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.values import literal_choices, ref_name

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
# Policies that allow nothing older than TLS 1.2 (the prefixes Checkov CKV_AWS_103 accepts).
_MODERN = ("ELBSecurityPolicy-TLS13-1-2", "ELBSecurityPolicy-TLS13-1-3", "ELBSecurityPolicy-FS-1-2", "ELBSecurityPolicy-TLS-1-2")
_DEFAULT_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _modern_policy(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.startswith(_MODERN):
        raise ValueError("a predefined policy that allows nothing older than TLS 1.2 (" + ", ".join(p + "-*" for p in _MODERN) + ")")
    return raw


def internet_facing(doc: Document, lb: dict) -> bool | None:
    """Whether a load balancer resource is internet-facing (the default); None when unknown."""
    props = lb.get("Properties")
    if not isinstance(props, dict):
        props = {}
    if "Scheme" not in props:
        return True
    schemes = literal_choices(doc, props["Scheme"])
    if schemes is None:
        return None
    if all(s == "internet-facing" for s in schemes):
        return True
    return False if all(s == "internal" for s in schemes) else None


def _redirects_to_https(actions: Any) -> bool:
    return isinstance(actions, list) and any(
        isinstance(a, dict) and isinstance(a.get("RedirectConfig"), dict) and a["RedirectConfig"].get("Protocol") == "HTTPS"
        for a in actions)


class LoadBalancerTlsPolicy(Fixer):
    name = "load-balancer-tls-policy"
    summary = "Give HTTPS/TLS listeners a TLS 1.2+ security policy; redirect HTTP to an existing HTTPS listener"
    group = "security"
    scanner_checks = ("CKV_AWS_103", "CKV_AWS_2", "ELBV2_LISTENER_SSL_POLICY_RULE", "ELBV2_LISTENER_PROTOCOL_RULE",
                      "W55", "W56")
    resource_types = (LISTENER,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("policy", _DEFAULT_POLICY, "the security policy given to HTTPS and TLS listeners", parse=_modern_policy),
    )
    docs = """
    Checkov: `CKV_AWS_103` (TLS 1.2), `CKV_AWS_2` (HTTPS)

    ## What it detects
    - `AWS::ElasticLoadBalancingV2::Listener` resources with `Protocol: HTTPS` or `TLS` and no
      `SslPolicy`, or a predefined policy that still accepts TLS 1.0 or 1.1
      (`ELBSecurityPolicy-2016-08`, `ELBSecurityPolicy-TLS-1-1-2017-01`, …). Without `SslPolicy`,
      CloudFormation uses `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0.
    - `Protocol: HTTP` listeners of an internet-facing load balancer of the template whose
      default action does not redirect to HTTPS.

    ## Why it matters
    TLS 1.0 and 1.1 are deprecated (RFC 8996) and their cipher suites are weak; an internet-facing
    HTTP listener serves content and cookies in clear text.

    ## What it changes
    The listener's policy becomes `ELBSecurityPolicy-TLS13-1-2-2021-06` (option `policy`), the
    policy AWS recommends: TLS 1.3, and TLS 1.2 with forward-secret ciphers. A policy computed by
    an intrinsic is reported when one of its values is outdated.

    An HTTP listener's default actions become a permanent redirect to HTTPS **only when the same
    load balancer has an HTTPS listener** in the template (under the same `Condition`, or none),
    and no listener rule hangs off the HTTP listener (such rules would keep serving HTTP: decide
    them by hand). Otherwise it is reported: add a certificate and an HTTPS listener first.
    Internal load balancers' HTTP listeners are left alone.

    ## Example
    ```yaml
    # before
    HttpsListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref LoadBalancer
        Protocol: HTTPS
        Port: 443
        Certificates: [{CertificateArn: !Ref Certificate}]
        DefaultActions: [{Type: forward, TargetGroupArn: !Ref TargetGroup}]
    HttpListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref LoadBalancer
        Protocol: HTTP
        Port: 80
        DefaultActions: [{Type: forward, TargetGroupArn: !Ref TargetGroup}]
    # after
    HttpsListener:
      ...
        SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
    HttpListener:
      ...
        DefaultActions: [{Type: redirect, RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_301}}]
    ```

    ## Fix safety
    Review. Clients limited to TLS 1.0/1.1 (old Android, Java 7, embedded devices) can no longer
    connect. Plain-HTTP requests get a 301 to HTTPS instead of a response; clients that do not
    follow redirects (health checkers, webhooks posting to `http://`) break. Listeners are
    updated in place.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        resources = doc.resources
        listeners = list(doc.resources_of_type(LISTENER))
        for rid, res in listeners:
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            protocol = props.get("Protocol")
            if protocol in ("HTTPS", "TLS"):
                findings += self._policy(doc, rid, props)
            elif protocol == "HTTP":
                lb_id = ref_name(props.get("LoadBalancerArn"))
                if not lb_id:
                    continue
                lb = resources.get(lb_id)
                if not (isinstance(lb, dict) and lb.get("Type") == LOAD_BALANCER) or internet_facing(doc, lb) is not True:
                    continue
                if _redirects_to_https(props.get("DefaultActions")) or not isinstance(props.get("DefaultActions"), list):
                    continue
                findings.append(self._redirect(doc, rid, res, lb_id, listeners))
        return findings

    def _policy(self, doc: Document, rid: str, props: dict) -> list[Finding]:
        path = ("Resources", rid, "Properties", "SslPolicy")
        policy = props.get("SslPolicy")
        if policy is None:
            return [Finding(rid, path, f"{props['Protocol']} listener without SslPolicy: CloudFormation's default "
                            "ELBSecurityPolicy-2016-08 accepts TLS 1.0", detail=None)]
        choices = literal_choices(doc, policy)
        if isinstance(policy, str):
            return [] if policy.startswith(_MODERN) else [
                Finding(rid, path, f"SslPolicy {policy} accepts TLS versions older than 1.2", detail=policy)]
        if choices is not None and all(isinstance(c, str) and c.startswith(_MODERN) for c in choices):
            return []
        return [Finding(rid, path, "SslPolicy is computed and may accept TLS versions older than 1.2; choose one of the "
                        "ELBSecurityPolicy-TLS13-1-2-* policies (Checkov CKV_AWS_103)", fixable=False)]

    def _redirect(self, doc: Document, rid: str, res: dict, lb_id: str, listeners: list) -> Finding:
        path = ("Resources", rid, "Properties", "DefaultActions")
        on_lb = [(lid, listener) for lid, listener in listeners
                 if isinstance(listener.get("Properties"), dict) and listener["Properties"].get("Protocol") == "HTTPS"
                 and ref_name(listener["Properties"].get("LoadBalancerArn")) == lb_id]
        https = [(lid, listener) for lid, listener in on_lb if listener.get("Condition") in (None, res.get("Condition"))]
        if on_lb and not https:
            return Finding(rid, path, f"HTTP listener on internet-facing load balancer {lb_id}, whose HTTPS listener "
                           f"{on_lb[0][0]} exists only under condition {on_lb[0][1].get('Condition')}: redirect by hand "
                           "where it exists (Checkov CKV_AWS_2, CKV_AWS_103)", fixable=False)
        if not https:
            return Finding(rid, path, f"HTTP listener on internet-facing load balancer {lb_id}, which has no HTTPS "
                           "listener: add a certificate and an HTTPS listener, then redirect HTTP to it "
                           "(Checkov CKV_AWS_2, CKV_AWS_103)", fixable=False)
        rules = [r for r, body in doc.resources_of_type(_RULE)
                 if isinstance(body.get("Properties"), dict) and ref_name(body["Properties"].get("ListenerArn")) == rid]
        if rules:
            return Finding(rid, path, f"HTTP listener with listener rules ({', '.join(rules)}) that would keep serving "
                           "plain HTTP; redirect by hand (Checkov CKV_AWS_2, CKV_AWS_103)", fixable=False)
        port = https[0][1]["Properties"].get("Port", 443)
        port = str(port) if isinstance(port, (int, str)) and not isinstance(port, bool) else port
        action = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": port, "StatusCode": "HTTP_301"}}]
        return Finding(rid, path, f"HTTP listener on internet-facing load balancer {lb_id} serves plain HTTP",
                       detail=(action, https[0][0]))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        policy = self.config["policy"]
        for f in findings:
            with editor.finding(f):
                if f.path[-1] == "SslPolicy":
                    editor.set(f.path, policy)
                    if f.detail is None:
                        message = (f"security policy {policy}: TLS 1.2 and 1.3 only (Checkov CKV_AWS_103); "
                                   "clients limited to TLS 1.0/1.1 can no longer connect")
                    else:
                        message = (f"security policy {f.detail} replaced by {policy} (Checkov CKV_AWS_103); clients "
                                   "limited to TLS 1.0/1.1 can no longer connect")
                    changes.append(self.change(f, "add" if f.detail is None else "replace", f.detail, policy, message))
                else:
                    action, https = f.detail
                    before = doc.value(f.path)
                    editor.set(f.path, action)
                    changes.append(self.change(f, "replace", before, action, (
                        f"plain HTTP redirected (301) to the HTTPS listener {https} "
                        "(Checkov CKV_AWS_2, CKV_AWS_103); the previous default actions are dropped: the HTTPS "
                        "listener serves the traffic")))
        return Fix.of(editor, changes)
