"""RDS facts the fixers share: which engine a DB instance or cluster runs, and whether an instance
takes its settings from a cluster."""

from __future__ import annotations

from typing import Any

from .document import Document
from .values import literal_choices

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"


def engines(doc: Document, props: dict) -> list[str] | None:
    """The engines ``props`` may run, lower-cased (RDS reads them case-insensitively); None when
    the engine is absent or cannot be resolved in the template."""
    choices = literal_choices(doc, props.get("Engine"))
    if not choices or not all(isinstance(c, str) for c in choices):
        return None
    return [c.lower() for c in choices]


def is_aurora(engine: str) -> bool:
    return engine.startswith("aurora")


def cluster_member(doc: Document, props: dict) -> bool:
    """Whether a DB instance belongs, or may belong, to a cluster (any ``DBClusterIdentifier``, or
    an Aurora engine among the ones the template shows, even where another alternative is
    unknown: ``!If [FromSnapshot, !Ref SnapshotEngine, aurora-mysql]``): storage, encryption,
    backups and IAM authentication are then the cluster's settings, which the instance refuses."""
    return "DBClusterIdentifier" in props or any(isinstance(e, str) and is_aurora(e.lower())
                                                 for e in _shown_choices(doc, props.get("Engine")))


def _shown_choices(doc: Document, value: Any) -> list:
    """The literal alternatives of ``value`` the template shows, unknown ones left out."""
    branches = value.get("Fn::If") if isinstance(value, dict) and len(value) == 1 else None
    if isinstance(branches, list) and len(branches) == 3:
        return _shown_choices(doc, branches[1]) + _shown_choices(doc, branches[2])
    return literal_choices(doc, value) or []


def engine_mode_provisioned(doc: Document, props: dict) -> bool | None:
    """Whether a cluster runs in provisioned mode (the default); None when it cannot be told."""
    if "EngineMode" not in props:
        return True
    modes = literal_choices(doc, props["EngineMode"])
    if modes is None:
        return None
    return all(isinstance(m, str) and m.lower() == "provisioned" for m in modes)


def conditional_value(engine: Any, supported, value: Any) -> dict | None:
    """``Fn::If`` mirroring an engine's ``Fn::If`` of literals: ``value`` on supported branches,
    ``AWS::NoValue`` on the others; None when the engine is not such an ``Fn::If``."""
    if not (isinstance(engine, dict) and isinstance(engine.get("Fn::If"), list) and len(engine["Fn::If"]) == 3):
        return None
    condition, yes, no = engine["Fn::If"]
    if not (isinstance(yes, str) and isinstance(no, str)):
        return None
    no_value = {"Ref": "AWS::NoValue"}
    return {"Fn::If": [condition, value if supported(yes.lower()) else no_value, value if supported(no.lower()) else no_value]}
