"""GuardDuty detectors that give both DataSources and Features (cfn-lint E3063): the data sources become features."""

from __future__ import annotations

import json
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties

# data-source setting (path below DataSources) -> the feature that replaces it (GuardDuty's
# "feature activation model": DataSources is the older form of the same settings)
FEATURES = {
    ("S3Logs", "Enable"): "S3_DATA_EVENTS",
    ("Kubernetes", "AuditLogs", "Enable"): "EKS_AUDIT_LOGS",
    ("MalwareProtection", "ScanEc2InstanceWithFindings", "EbsVolumes"): "EBS_MALWARE_PROTECTION",
}


def _status(value: Any) -> Any:
    """The feature Status a data-source flag stands for (through Fn::If); None when not readable."""
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return "ENABLED"
    if value is False or (isinstance(value, str) and value.lower() == "false"):
        return "DISABLED"
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        arg = value["Fn::If"]
        if isinstance(arg, list) and len(arg) == 3:
            yes, no = _status(arg[1]), _status(arg[2])
            if yes is not None and no is not None:
                return {"Fn::If": [arg[0], yes, no]}
    return None


def _settings(sources: dict) -> tuple[list[tuple[tuple, Any]], list[str]]:
    """(setting path, value) of every flag set in DataSources, and what cannot be read as one."""
    found, odd = [], []

    def walk(value: Any, path: tuple) -> None:
        if path in FEATURES:
            found.append((path, value))
        elif isinstance(value, dict) and any(k[: len(path) + 1] == path + (key,) for k in FEATURES for key in value):
            for key, item in value.items():
                if any(k[: len(path) + 1] == path + (key,) for k in FEATURES):
                    walk(item, path + (key,))
                else:
                    odd.append("/".join(path + (str(key),)))
        else:
            odd.append("/".join(path) or "DataSources")

    if not isinstance(sources, dict) or any(str(k).startswith("Fn::") for k in sources):
        return [], ["DataSources"]
    for key, item in sources.items():
        if any(k[0] == key for k in FEATURES):
            walk(item, (key,))
        else:
            odd.append(str(key))
    return found, odd


class GuarddutyFeatures(Fixer):
    name = "guardduty-features"
    summary = "Fold a GuardDuty detector's DataSources into its Features when it gives both (E3063)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E3063",)
    default = False
    docs = """
    ## What it detects
    An `AWS::GuardDuty::Detector` with both `DataSources` and `Features`. cfn-lint reports these
    as E3063.

    ## Why it matters
    GuardDuty refuses the request (`The request failed because both data sources and features
    were provided`): the stack operation fails. `Features` is the current form of the same
    settings, and the one AWS recommends.

    ## How it decides
    Each data source maps to one feature: `S3Logs.Enable` to `S3_DATA_EVENTS`,
    `Kubernetes.AuditLogs.Enable` to `EKS_AUDIT_LOGS`,
    `MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes` to `EBS_MALWARE_PROTECTION`
    (`true` is `ENABLED`, `false` `DISABLED`, through `Fn::If`). A data source whose feature is
    already listed with the same status is dropped; one whose feature is missing is added to
    `Features`; then `DataSources` goes. A data source that says otherwise than the feature
    listed for it, a value that is not a flag, or `Features` given by an intrinsic is reported.

    ## Example
    ```yaml
    # before
    DataSources:
      S3Logs:
        Enable: true
    Features:
      - Name: RDS_LOGIN_EVENTS
        Status: ENABLED
    # after
    Features:
      - Name: RDS_LOGIN_EVENTS
        Status: ENABLED
      - Name: S3_DATA_EVENTS
        Status: ENABLED
    ```

    ## Fix safety
    Safe: the detector protects exactly what the template asked, written in the one form GuardDuty
    accepts.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::GuardDuty::Detector"):
            props = properties(res)
            if not props or "DataSources" not in props or "Features" not in props:
                continue
            path = ("Resources", rid, "Properties", "DataSources")
            head = "E3063 GuardDuty takes DataSources or Features, not both"
            features = props["Features"]
            if not isinstance(features, list):
                findings.append(Finding(rid, path, f"{head}; Features is an intrinsic: move the data sources into it by hand",
                                        fixable=False))
                continue
            listed = {f.get("Name"): f.get("Status") for f in features if isinstance(f, dict) and isinstance(f.get("Name"), str)}
            settings, odd = _settings(props["DataSources"])
            if odd:
                findings.append(Finding(rid, path, f"{head}; {', '.join(odd)} has no feature this fixer maps it to: "
                                        "write it as a feature by hand and remove DataSources", fixable=False))
                continue
            added: list[dict] = []
            problems: list[str] = []
            for where, value in settings:
                name, status = FEATURES[where], _status(value)
                shown = "DataSources/" + "/".join(where)
                if status is None:
                    problems.append(f"{shown} is {json.dumps(value)}, not a flag")
                elif name in listed:
                    if json.dumps(listed[name]) != json.dumps(status):
                        problems.append(f"{shown} asks {json.dumps(status)} but Features has {name} "
                                        f"{json.dumps(listed[name])}")
                elif all(a["Name"] != name for a in added):
                    added.append({"Name": name, "Status": status})
            if problems:
                findings.append(Finding(rid, path, f"{head}; {'; '.join(problems)}: decide which is meant and remove "
                                        "DataSources", fixable=False))
                continue
            said = ("; adds " + ", ".join(f"{a['Name']} {json.dumps(a['Status'])}" for a in added) + " to Features"
                    if added else "; every data source is already a feature with the same status")
            findings.append(Finding(rid, path, f"{head}: DataSources folded into Features{said}", detail=added))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            features = f.path[:-1] + ("Features",)
            with editor.finding(f):
                for item in f.detail:
                    editor.append(features, item)
                editor.remove(f.path)
                count = len(doc.value(features))
                for i, item in enumerate(f.detail):
                    changes.append(self.change(f, "add", None, item, f"{item['Name']} is the feature for the data "
                                               "source DataSources gave", path=features + (count + i,)))
                changes.append(self.change(f, "remove", doc.value(f.path), None, f.message))
        return Fix.of(editor, changes)
