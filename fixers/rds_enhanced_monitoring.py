"""RDS DB instances without enhanced monitoring."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.rds import INSTANCE, engines
from cfnfix.roles import service_role, trusted_roles
from cfnfix.values import common_condition

_PRINCIPAL = "monitoring.rds.amazonaws.com"
_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"
_INTERVALS = (1, 5, 10, 15, 30, 60)


class RdsEnhancedMonitoring(Fixer):
    name = "rds-enhanced-monitoring"
    summary = "Turn on RDS enhanced monitoring (MonitoringInterval and a monitoring role) on DB instances"
    group = "security"
    scanner_checks = ("CKV_AWS_118", "RDS_ENHANCED_MONITORING_ENABLED")
    resource_types = (INSTANCE,)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option("interval", 60, "seconds between enhanced monitoring samples", choices=_INTERVALS,
               parse=lambda raw: int(raw)),
    )
    docs = """
    Checkov: `CKV_AWS_118`

    ## What it detects
    `AWS::RDS::DBInstance` resources without `MonitoringInterval`, so enhanced monitoring (OS
    metrics from the database host: processes, memory, disk and network per second) is off.
    Left alone: RDS Custom engines, and intervals computed by an intrinsic. Reported, not changed:
    an explicit `MonitoringInterval: 0` (someone turned it off).

    ## Why it matters
    CloudWatch's standard RDS metrics come from the hypervisor once a minute; when a database
    slows down, enhanced monitoring shows which process used the CPU or memory and how the
    storage behaved. Checkov fails DB instances without it.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: mysql
    # after
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: mysql
        MonitoringInterval: 60
        MonitoringRoleArn: !GetAtt RDSEnhancedMonitoringRole.Arn
    RDSEnhancedMonitoringRole:
      Type: AWS::IAM::Role
      Properties:
        Description: Lets RDS publish enhanced monitoring metrics to CloudWatch Logs
        AssumeRolePolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: monitoring.rds.amazonaws.com
              Action: sts:AssumeRole
        ManagedPolicyArns:
          - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole
    ```
    One role serves every instance of the template. A role already in the template that RDS
    monitoring may assume and that carries that managed policy is used instead of a new one; an
    existing `MonitoringRoleArn` is kept. The new role carries the instances' `Condition` when
    they all share one.

    ## Fix safety
    Review: it adds cost (the metrics are written to CloudWatch Logs, `RDSOSMetrics`, billed per
    GB ingested and stored; a shorter interval writes more) and a new IAM role. The instance is
    modified in place, without interruption.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(INSTANCE):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            path = ("Resources", rid, "Properties", "MonitoringInterval")
            current = props.get("MonitoringInterval")
            if current is not None:
                if current in (0, "0"):
                    findings.append(Finding(rid, path, "enhanced monitoring is explicitly off (MonitoringInterval 0); "
                                            "set an interval if nothing depends on that (Checkov CKV_AWS_118)", fixable=False))
                continue
            choices = engines(doc, props) or []
            if any(e.startswith("custom-") for e in choices):
                continue
            findings.append(Finding(rid, path, "DB instance without enhanced monitoring",
                                    detail="MonitoringRoleArn" not in props))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        interval = self.config["interval"]
        role_arn = None
        if any(f.detail for f in findings):
            existing = trusted_roles(doc, _PRINCIPAL, _POLICY)
            if existing:
                role = existing[0]
            else:
                condition = common_condition(doc, [f.resource for f in findings if f.detail and f.resource is not None])
                body = service_role(_PRINCIPAL, [_POLICY], "Lets RDS publish enhanced monitoring metrics to CloudWatch Logs",
                                    condition)
                role = editor.add_resource("RDSEnhancedMonitoringRole", body)
                changes.append(self.change(None, "add", None, body, "role RDS assumes to publish enhanced monitoring "
                                           "metrics (managed policy AmazonRDSEnhancedMonitoringRole; for Checkov CKV_AWS_118)", path=("Resources", role)))
            role_arn = {"Fn::GetAtt": [role, "Arn"]}
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, interval)
                message = (f"enhanced monitoring every {interval} s (Checkov CKV_AWS_118); metrics are billed as "
                           "CloudWatch Logs ingestion; modified in place")
                changes.append(self.change(f, "add", None, interval, message))
                if f.detail:
                    arn_path = f.path[:-1] + ("MonitoringRoleArn",)
                    editor.set(arn_path, role_arn)
                    changes.append(self.change(f, "add", None, role_arn, "role RDS uses to publish the metrics (Checkov CKV_AWS_118)",
                                               path=arn_path))
        return Fix.of(editor, changes)
