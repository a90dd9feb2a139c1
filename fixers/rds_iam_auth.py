"""RDS databases without IAM database authentication."""

from __future__ import annotations

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.rds import CLUSTER, INSTANCE, cluster_member, conditional_value, engine_mode_provisioned, engines

_INSTANCE_ENGINES = ("mysql", "mariadb", "postgres")
_CLUSTER_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql")
_CHECKS = {INSTANCE: "CKV_AWS_161", CLUSTER: "CKV_AWS_162"}


class RdsIamAuth(Fixer):
    name = "rds-iam-auth"
    summary = "Enable IAM database authentication on MySQL, MariaDB, PostgreSQL and Aurora databases"
    group = "security"
    scanner_checks = ("CKV_AWS_161", "CKV_AWS_162")
    resource_types = (INSTANCE, CLUSTER)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    docs = """
    Checkov: `CKV_AWS_161` (DB instances), `CKV_AWS_162` (DB clusters)

    ## What it detects
    `AWS::RDS::DBInstance` resources running MySQL, MariaDB or PostgreSQL, and Aurora
    `AWS::RDS::DBCluster` resources (Aurora MySQL, Aurora PostgreSQL) in provisioned mode, without
    `EnableIAMDatabaseAuthentication`. The engine is read from the literal, from the parameter it
    refers to (every `AllowedValues` entry, else its `Default`) or from both branches of an
    `Fn::If`; when an `Fn::If` of literals chooses between a supported engine and another, the
    property is added under the same condition.

    Left alone: Oracle, SQL Server and Db2 (IAM database authentication is not available there),
    DB instances that belong to a cluster (Aurora instances, or any `DBClusterIdentifier`: the
    cluster manages the mapping), Aurora Serverless v1 and other non-provisioned engine modes,
    Multi-AZ DB clusters of the `mysql`/`postgres` engines. Reported, not changed: an explicit
    `EnableIAMDatabaseAuthentication: false`, and engines that cannot be resolved in the template.

    ## Why it matters
    With IAM authentication, applications connect with short-lived tokens from their IAM role
    instead of a long-lived database password kept in configuration, and access is granted and
    revoked in IAM. Password authentication keeps working beside it.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t3.micro
    # after
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t3.micro
        EnableIAMDatabaseAuthentication: true
    ```
    To use it, create database users that authenticate through IAM (MySQL and MariaDB:
    `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`; PostgreSQL: `GRANT rds_iam TO user`) and
    give the application's role `rds-db:connect` on them.

    ## Fix safety
    Review: it changes who can authenticate to the database (IAM principals holding
    `rds-db:connect` for a database user mapped to IAM). The database is modified in place, not
    replaced; existing password logins keep working.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type(INSTANCE, CLUSTER):
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            path = ("Resources", rid, "Properties", "EnableIAMDatabaseAuthentication")
            current = props.get("EnableIAMDatabaseAuthentication")
            if current is not None:
                if current is False or (isinstance(current, str) and current.lower() == "false"):
                    findings.append(Finding(rid, path, "IAM database authentication is explicitly disabled; enable it "
                                            f"if nothing depends on that (Checkov {_CHECKS[res['Type']]})", fixable=False))
                continue
            choices = engines(doc, props)
            if res["Type"] == INSTANCE:
                if cluster_member(doc, props):
                    continue
                supported = _INSTANCE_ENGINES
            else:
                if engine_mode_provisioned(doc, props) is not True:
                    continue
                supported = _CLUSTER_ENGINES
            if choices is None:
                if "Engine" in props:
                    findings.append(Finding(rid, path, "engine cannot be resolved in the template; IAM database "
                                            "authentication not added", fixable=False))
                continue
            if not any(e in supported for e in choices):
                continue
            value: bool | dict = True
            if not all(e in supported for e in choices):
                conditional = conditional_value(props.get("Engine"), lambda e, supported=supported: e in supported, True)
                if conditional is None:
                    findings.append(Finding(rid, path, "engine may be one without IAM database authentication "
                                            f"({', '.join(sorted(set(choices)))}); not added", fixable=False))
                    continue
                value = conditional
            kind = "DB instance" if res["Type"] == INSTANCE else "DB cluster"
            findings.append(Finding(rid, path, f"{kind} without IAM database authentication", detail=value))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings, lambda f: (
            f"IAM database authentication enabled (Checkov {_CHECKS[doc.resources[f.resource]['Type']]}); password "
            "logins keep working; modified in place. Map database users to IAM before clients connect with tokens"))
