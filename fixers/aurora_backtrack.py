"""Aurora MySQL clusters created without a backtrack window."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option, int_range

_MYSQL = ("aurora", "aurora-mysql")
_MAX_SECONDS = 259200  # 72 hours, the limit AWS documents


def possible_values(doc: Document, value: Any) -> list[str] | None:
    """Every literal a property can take: itself, a parameter's Default, or both branches of Fn::If.

    None when any branch is not known in the template (a parameter without Default, a mapping
    lookup, an import): the fixer then does not guess.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and isinstance(arg, str):
            params = doc.data.get("Parameters")
            param = params.get(arg) if isinstance(params, dict) else None
            default = param.get("Default") if isinstance(param, dict) else None
            return [default] if isinstance(default, str) else None
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            first, second = possible_values(doc, arg[1]), possible_values(doc, arg[2])
            if first is None or second is None:
                return None
            return first + second
    return None


def _group_ids(value: Any) -> list[str]:
    """Logical ids a ``DBClusterParameterGroupName`` refers to (``Ref``, or the branches of ``Fn::If``)."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and isinstance(arg, str):
            return [arg]
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return _group_ids(arg[1]) + _group_ids(arg[2])
    return []


def binlog_replication(doc: Document, props: dict) -> tuple[str, str] | None:
    """(parameter group, why) when the cluster's parameter group in this template turns on binary
    log replication (``binlog_format`` other than OFF, or not resolvable), which backtracking
    does not support; None otherwise."""
    for gid in _group_ids(props.get("DBClusterParameterGroupName")):
        group = doc.resources.get(gid)
        if not isinstance(group, dict) or group.get("Type") != "AWS::RDS::DBClusterParameterGroup":
            continue
        params = group.get("Properties", {}).get("Parameters") if isinstance(group.get("Properties"), dict) else None
        if not isinstance(params, dict) or "binlog_format" not in params:
            continue
        if params["binlog_format"] is False:  # YAML 1.1 reads a plain OFF as false
            continue
        values = possible_values(doc, params["binlog_format"])
        if values is None:
            return gid, "sets binlog_format to a value the template does not resolve"
        on = sorted({v for v in values if v.upper() != "OFF"})
        if on:
            return gid, f"sets binlog_format to {' or '.join(on)}"
    return None


class AuroraBacktrack(Fixer):
    name = "aurora-backtrack"
    summary = "Give Aurora MySQL clusters a BacktrackWindow (in seconds; only takes effect on new clusters)"
    group = "data-protection"
    resource_types = ("AWS::RDS::DBCluster",)  # find() reports only resources of these types
    safety = Safety.REVIEW
    default = False
    options = (
        Option(
            "seconds",
            86400,
            "target backtrack window in seconds, 0 to 259200 (72 hours); the default is 24 hours",
            parse=int_range(0, _MAX_SECONDS),
        ),
    )
    docs = """
    ## What it detects
    `AWS::RDS::DBCluster` resources whose engine is Aurora MySQL (`aurora-mysql`, or the legacy
    `aurora`) and that have no `BacktrackWindow`. The engine is read from the literal value, from
    the `Default` of a parameter it refers to, or from both branches of an `Fn::If`; when an
    `Fn::If` chooses between Aurora MySQL and another engine, the window is added under the same
    condition (`!If [Cond, 86400, !Ref AWS::NoValue]`).

    Left alone, because Aurora does not support backtracking there: Aurora PostgreSQL; Aurora
    Serverless v1 and the other non-provisioned engine modes (`EngineMode` other than
    `provisioned`); members of a global database (`GlobalClusterIdentifier`); binlog read replicas
    of another cluster (`ReplicationSourceIdentifier`). Clusters whose engine cannot be resolved
    in the template are not guessed at. A cluster whose `AWS::RDS::DBClusterParameterGroup`
    (reached through `DBClusterParameterGroupName: !Ref ...`) sets `binlog_format` to anything
    but `OFF` uses binary log replication, which backtracking does not support: it is reported,
    not changed.

    ## Why it matters
    Backtracking rewinds a cluster in minutes to a point before a destructive statement (a
    `DELETE` without `WHERE`, a dropped table), without restoring a snapshot into a new cluster.
    It has to be configured when the cluster is created.

    ## Example
    ```yaml
    # before
    Database:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-mysql
    # after
    Database:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-mysql
        BacktrackWindow: 86400
    ```

    ## Why not `BacktrackWindow: 72`
    A correction that circulates sets `BacktrackWindow: 72`, reading the documented limit of
    "72 hours" as the unit. The property is in **seconds**: 72 gives a window of 72 seconds, too
    short to react to anything. The maximum is 259200 (72 hours); the default here is 86400
    (24 hours). Change records are billed per hour of window, so choose it with cost in mind.

    ## Fix safety
    Review. AWS configures backtracking when an Aurora MySQL cluster is created (or restored from
    a snapshot or cloned from a backtrack-enabled cluster). CloudFormation lists `BacktrackWindow`
    as *update requires: no interruption*, so on a stack that is already deployed the cluster is
    **not** replaced: the update that adds the window to a cluster created without backtracking is
    refused by RDS. Apply it to clusters that have not been created yet, or restore the cluster
    from a snapshot with backtracking enabled. Setting the window to 0 later disables
    backtracking for good.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        for rid, res in doc.resources_of_type("AWS::RDS::DBCluster"):
            props = res.get("Properties")
            if not isinstance(props, dict) or "BacktrackWindow" in props:
                continue
            if "GlobalClusterIdentifier" in props or "ReplicationSourceIdentifier" in props:
                continue
            engines = possible_values(doc, props.get("Engine"))
            if not engines or not any(e in _MYSQL for e in engines):
                continue
            if "EngineMode" in props:
                modes = possible_values(doc, props["EngineMode"])
                if modes is None:
                    path = ("Resources", rid, "Properties", "EngineMode")
                    findings.append(Finding(rid, path, "engine mode cannot be resolved in the template; "
                                            "backtracking is only supported in provisioned mode", fixable=False))
                    continue
                if any(m != "provisioned" for m in modes):
                    continue
            binlog = binlog_replication(doc, props)
            if binlog:
                path = ("Resources", rid, "Properties", "DBClusterParameterGroupName")
                findings.append(Finding(rid, path, f"Aurora MySQL cluster without a backtrack window; its parameter group "
                                        f"{binlog[0]} {binlog[1]} (binary log replication), which backtracking does not "
                                        "support: choose one of the two", fixable=False))
                continue
            value: Any = self.config["seconds"]
            if not all(e in _MYSQL for e in engines):
                value = self._conditional(props["Engine"], value)
                if value is None:
                    path = ("Resources", rid, "Properties", "Engine")
                    findings.append(Finding(rid, path, "engine is Aurora MySQL only under some conditions that "
                                            "cannot be expressed with one Fn::If; BacktrackWindow not added", fixable=False))
                    continue
            path = ("Resources", rid, "Properties", "BacktrackWindow")
            findings.append(Finding(rid, path, "Aurora MySQL cluster without a backtrack window", detail=value))
        return findings

    @staticmethod
    def _conditional(engine: Any, seconds: int) -> dict | None:
        """``Fn::If`` mirroring the engine's, with the window on its Aurora MySQL branch only."""
        if not (isinstance(engine, dict) and isinstance(engine.get("Fn::If"), list)):
            return None
        condition, yes, no = engine["Fn::If"]
        if not (isinstance(yes, str) and isinstance(no, str)):
            return None
        no_value = {"Ref": "AWS::NoValue"}
        return {"Fn::If": [condition, seconds if yes in _MYSQL else no_value, seconds if no in _MYSQL else no_value]}

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        hours = self.config["seconds"] / 3600
        message = (
            f"target backtrack window of {self.config['seconds']} seconds ({hours:g} h); backtracking is configured "
            "when the cluster is created: on a deployed cluster created without it the update (no interruption) "
            "is refused, so apply to new clusters or restore from a snapshot with backtracking"
        )
        for f in findings:
            with editor.finding(f):
                editor.set(f.path, f.detail)
                changes.append(self.change(f, "add", None, f.detail, message))
        return Fix.of(editor, changes)
