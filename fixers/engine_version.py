"""Database engine versions AWS no longer lets you create (cfn-lint W3691/W3690, E3691/E3690)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from cfnfix import schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

# resource type -> (cfn-lint extension folder, rule id for a deprecated version, for an unknown one)
TYPES = {
    "AWS::RDS::DBInstance": ("aws_rds_dbinstance", "W3691", "E3691"),
    "AWS::RDS::DBCluster": ("aws_rds_dbcluster", "W3690", "E3690"),
}


# RDS / Aurora end of standard support per (engine, release line), from the AWS release calendars
# ("Supported MySQL major versions on Amazon RDS", "Release calendar for Amazon RDS for
# PostgreSQL", "Release calendar for Aurora MySQL major versions"). cfn-lint's data has no support
# dates; after these days a version of the line runs only in paid RDS Extended Support.
STANDARD_SUPPORT_END = {
    ("mysql", "5.7"): date(2024, 2, 29),
    ("mysql", "8.0"): date(2026, 7, 31),
    ("postgres", "11"): date(2024, 2, 29),
    ("postgres", "12"): date(2025, 2, 28),
    ("postgres", "13"): date(2026, 2, 28),
    ("aurora-mysql", "5.7"): date(2024, 10, 31),
    ("aurora-postgresql", "11"): date(2024, 2, 29),
    ("aurora-postgresql", "12"): date(2025, 2, 28),
    ("aurora-postgresql", "13"): date(2026, 2, 28),
}
# Engines whose DB instances take a major version alone (`8.0`, `16`): RDS picks its default minor,
# cfn-lint wants a full version (E3691).
MAJOR_ONLY = ("mysql", "postgres")


def extended_support_since(engine: str, version: str, as_of: date) -> date | None:
    """The day the version's line left standard support, when that is on or before ``as_of``."""
    end = STANDARD_SUPPORT_END.get((engine, major_line(engine, version)))
    return end if end is not None and end <= as_of else None


def _engine_table(doc_schema: dict) -> dict[str, list[str]]:
    """Engine -> version list, from the ``if Engine const X ... then EngineVersion enum`` branches."""
    table: dict[str, list[str]] = {}
    for branch in doc_schema.get("allOf", []):
        cond = branch.get("if", {}).get("properties", {})
        engine = cond.get("Engine", {}).get("const")
        if engine is None:
            continue
        versions = cond.get("EngineVersion", {}).get("enum") or (
            (branch.get("then") or {}).get("properties", {}).get("EngineVersion", {}).get("enum"))
        if versions:
            table[engine] = [str(v) for v in versions]
    return table


@lru_cache(maxsize=None)
def versions(folder: str) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """(versions cfn-lint knows per engine, deprecated versions per engine) for a resource type."""
    known = _engine_table(schemas.extension(folder, "engine_version.json"))
    deprecated = {e: set(v) for e, v in _engine_table(schemas.extension(folder, "engine_version_deprecated.json")).items()}
    return known, deprecated


def version_key(version: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", version))


def major_line(engine: str, version: str) -> str:
    """The release line a version belongs to: '14' for PostgreSQL 14.x, '8.0' for MySQL 8.0.x."""
    parts = version.split(".")
    if "postgres" in engine and parts[0].isdigit() and int(parts[0]) >= 10:
        return parts[0]
    return ".".join(parts[:2])


def _supported(engine: str, folder: str) -> list[str]:
    known, deprecated = versions(folder)
    return [v for v in known.get(engine, []) if v not in deprecated.get(engine, set())]


def _same_line(engine: str, version: str, folder: str) -> list[str]:
    """The supported full versions of ``version``'s line and build variant. Suffixed builds
    (16.4-limitless, 5.7.44-rds.2025...: Limitless, paid Extended Support) are other products."""
    line = major_line(engine, version)
    variant = version.partition("-")[2].split(".")[0]
    return [v for v in _supported(engine, folder) if major_line(engine, v) == line and v != line
            and v.partition("-")[2].split(".")[0] == variant]


def replacement(engine: str, version: str, folder: str) -> str | None:
    """The lowest supported version at or above ``version`` in its line, else the line alone when accepted."""
    above = sorted((v for v in _same_line(engine, version, folder) if version_key(v) >= version_key(version)),
                   key=version_key)
    if above:
        return above[0]
    line = major_line(engine, version)
    return line if line in _supported(engine, folder) else None


def newest_in_line(engine: str, line: str, folder: str) -> str | None:
    """The newest supported plain version of a release line (``8.0`` -> ``8.0.46``)."""
    return max(_same_line(engine, line, folder), key=version_key, default=None)


def _scalar_text(doc: Document, path: tuple) -> str | None:
    """A scalar as written (``8.0`` stays ``8.0``, not the float 8.0)."""
    node = doc.node(path)
    if node is None or node.kind != "scalar" or node.tag:
        return None
    text = doc.text[node.start:node.end]
    return text[1:-1] if node.style in ("'", '"') else text


def _parameter(doc: Document, value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        params = doc.data.get("Parameters")
        if isinstance(params, dict) and isinstance(value["Ref"], str) and isinstance(params.get(value["Ref"]), dict):
            return value["Ref"]
    return None


class EngineVersion(Fixer):
    name = "engine-version"
    summary = "Move RDS/Aurora engine versions AWS no longer creates to the closest supported one of the same line"
    group = "schema"
    resource_types = tuple(TYPES)  # find() reports only resources of these types
    safety = Safety.REVIEW
    lint_rules = ('W3690', 'W3691', 'E3690', 'E3691')
    default = False
    docs = """
    ## What it detects
    `AWS::RDS::DBInstance` and `AWS::RDS::DBCluster` whose `EngineVersion` cfn-lint's data lists
    as deprecated for the engine (W3691, W3690: AWS no longer creates it) or does not list at all
    (E3691, E3690). A version given through a parameter is checked in the parameter's `Default`
    and `AllowedValues`.

    ## Why it matters
    Creating the database fails (`Cannot find version X for mysql`); a stack that deployed
    yesterday fails to deploy in a new account or region today.

    ## How it decides
    From cfn-lint's `engine_version.json` and `engine_version_deprecated.json`: the lowest
    supported version at or above the current one in the same release line (MySQL `8.0.x`,
    PostgreSQL `14.x`, Aurora MySQL `8.0.mysql_aurora.*`); where the line has none, the line
    alone (`8.0`, `14`) when the engine accepts it, so RDS picks its current default minor
    version. Suffixed builds are other products and never chosen for a plain version (`-rds.*`
    is paid RDS Extended Support, `-limitless` Aurora Limitless). A version with no supported
    successor in its line (MySQL 5.7) is reported: a major-version upgrade is a migration, not
    a fix. A DB instance of MySQL or PostgreSQL may name the major version alone (`8.0`, `16`):
    RDS accepts it and picks the line's default minor version, but cfn-lint's list has only
    full versions (E3691), so it is completed with the line's newest supported minor version
    (`8.0` -> `8.0.46`), as a person correcting the template does. The line, and with it the
    bill, stays the same; when the line is in paid RDS Extended Support at `--as-of`, the
    change log says so.

    It never moves to a version of a line that is in paid RDS Extended Support (past the end of
    standard support at `--as-of`): those are reported. cfn-lint's data has no support dates;
    the fixer carries the end-of-standard-support dates from the AWS release calendars (MySQL
    5.7: 2024-02-29, 8.0: 2026-07-31; PostgreSQL 11: 2024-02-29, 12: 2025-02-28, 13:
    2026-02-28; Aurora MySQL 2 (5.7): 2024-10-31; Aurora PostgreSQL 11-13 as PostgreSQL). ElastiCache and OpenSearch versions are not
    handled: cfn-lint ships no list of deprecated ones.

    Circulating fixes bump to the newest major version; staying within the line keeps the
    application's compatibility.

    ## Example
    ```yaml
    # before
    Engine: postgres
    EngineVersion: '14.3'
    # after
    EngineVersion: '14.18'
    ```

    ## Fix safety
    Review: on a deployed stack a new minor version is an in-place engine upgrade (brief
    downtime, no way back to the old minor version). Pinning a line given alone can also
    name a minor version older than one the instance already runs after an automatic minor
    upgrade; CloudFormation then refuses the update, and the version must be raised by hand.
    A version dropped from a parameter's `AllowedValues` is no longer a value the stack may
    hold: an update that keeps it (the previous value, or a pipeline passing it) is refused
    until the parameter names an allowed version.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        seen: set[tuple] = set()
        for rid, res in doc.resources_of_type(*TYPES):
            props = res.get("Properties")
            if not isinstance(props, dict) or "EngineVersion" not in props:
                continue
            folder, deprecated_rule, unknown_rule = TYPES[res["Type"]]
            engine = props.get("Engine")
            param = _parameter(doc, engine)
            if param:
                engine = doc.data["Parameters"][param].get("Default")
            if not isinstance(engine, str):
                continue
            engine = engine.lower()
            base = ("Resources", rid, "Properties", "EngineVersion")
            param = _parameter(doc, props["EngineVersion"])
            if param:
                spec = doc.data["Parameters"][param]
                paths: list[tuple] = [("Parameters", param, "Default")] if "Default" in spec else []
                allowed = spec.get("AllowedValues")
                if isinstance(allowed, list):
                    paths += [("Parameters", param, "AllowedValues", i) for i in range(len(allowed))]
            else:
                paths = [base]
            for path in paths:
                if path in seen:
                    continue
                seen.add(path)
                finding = self._check(doc, rid, res["Type"], engine, path, folder, deprecated_rule, unknown_rule)
                if finding:
                    findings.append(finding)
        return findings

    def _check(self, doc: Document, rid: str, rtype: str, engine: str, path: tuple, folder: str,
               deprecated_rule: str, unknown_rule: str) -> Finding | None:
        version = _scalar_text(doc, path)
        known, deprecated = versions(folder)
        if version is None or engine not in known:
            return None
        line = major_line(engine, version)
        if rtype == "AWS::RDS::DBInstance" and engine in MAJOR_ONLY and version == line:
            return self._pin_line(doc, rid, rtype, engine, path, folder, unknown_rule, version)
        if version in deprecated.get(engine, set()):
            head = f"{deprecated_rule} {rtype}: engine version '{version}' for engine '{engine}' is deprecated and cannot be used to create new databases"
        elif version not in known[engine]:
            head = f"{unknown_rule} {rtype}: engine version '{version}' is not a version of engine '{engine}'"
        else:
            return None
        new = replacement(engine, version, folder)
        since = extended_support_since(engine, version, self.as_of)
        if new is not None and since is not None:
            return Finding(rid, path, f"{head}; the {line} line is in paid RDS Extended Support since {since}: "
                           "a version of it would be billed as such, and a standard-support major version is a "
                           "migration: set it by hand", fixable=False)
        if new is None:
            return Finding(rid, path, f"{head}; no supported version in the {major_line(engine, version)} line (a major upgrade is a migration, set it by hand)", fixable=False)
        return self._finding(doc, rid, path, version, new, head, f"closest supported version of the same line is {new}")

    def _pin_line(self, doc: Document, rid: str, rtype: str, engine: str, path: tuple, folder: str,
                  unknown_rule: str, version: str) -> Finding | None:
        """A major version alone (``8.0``) is completed with the line's newest supported minor
        version: RDS accepts the line alone, but cfn-lint's list (E3691) and a reviewer's diff
        both want the version the database runs. The line stays the same, and so does the bill."""
        new = newest_in_line(engine, version, folder)
        if new is None:
            return None  # cfn-lint knows no version of the line: nothing to complete it with
        head = (f"{unknown_rule} {rtype}: engine version '{version}' names the {version} line alone (RDS picks the "
                f"line's default minor version; cfn-lint lists only full versions)")
        how = f"pinned to the line's newest supported version {new}"
        since = extended_support_since(engine, version, self.as_of)
        if since is not None:
            how += (f"; the line is in paid RDS Extended Support since {since} either way: a standard-support major "
                    "version is a migration, set it by hand")
        return self._finding(doc, rid, path, version, new, head, how)

    @staticmethod
    def _finding(doc: Document, rid: str, path: tuple, version: str, new: str, head: str, how: str) -> Finding:
        """The fix of one value: an entry of a parameter's AllowedValues that already allows the
        new version is dropped, anything else is replaced."""
        if path[-1] != "Default" and isinstance(path[-1], int) and new in doc.data["Parameters"][path[1]]["AllowedValues"]:
            return Finding(rid, path, f"{head}; {new} is already allowed, the stale value is dropped", detail=(version, None))
        return Finding(rid, path, f"{head}; {how}", detail=(version, new))

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            before, after = f.detail
            with editor.finding(f):
                if after is None:
                    editor.remove(f.path)
                    changes.append(self.change(f, "remove", before, None, f.message))
                else:
                    editor.set(f.path, after)
                    changes.append(self.change(f, "replace", before, after, f.message))
        return Fix.of(editor, changes)
