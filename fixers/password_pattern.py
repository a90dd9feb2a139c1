"""Password parameters whose AllowedPattern disagrees with what the database engine accepts."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer

try:
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

_P = sre_parse  # the parser module re-exports the opcode constants
AT, IN, LITERAL, ANY = _P.AT, _P.IN, _P.LITERAL, _P.ANY
MAX_REPEAT, MIN_REPEAT, MAXREPEAT = _P.MAX_REPEAT, _P.MIN_REPEAT, _P.MAXREPEAT
_STARTS = ((AT, _P.AT_BEGINNING), (AT, _P.AT_BEGINNING_STRING))
_ENDS = ((AT, _P.AT_END), (AT, _P.AT_END_STRING))

_NAME = re.compile(r"pass(word)?|passwd|pwd|secret", re.I)
_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
_RDS_EXCLUDED = ' "/@'  # RDS: "any printable ASCII character except /, \" or @"; no spaces either
_PASSWORD_PROPERTIES = {
    "AWS::RDS::DBInstance": "MasterUserPassword",
    "AWS::RDS::DBCluster": "MasterUserPassword",
    "AWS::DocDB::DBCluster": "MasterUserPassword",
}


class Rule(NamedTuple):
    """What one engine accepts as a master password."""

    min: int
    max: int
    excluded: str = _RDS_EXCLUDED

    def allowed(self) -> list[str]:
        return [c for c in _PRINTABLE if c not in self.excluded]

    def pattern(self) -> str:
        """A character class of the allowed characters, written as ranges: ``^[!#-.0-?A-~]*$``."""
        codes = [ord(c) for c in self.allowed()]
        parts, start = [], codes[0]
        for prev, code in zip(codes, codes[1:] + [-1]):  # -1 follows no code: it closes the last range
            if code != prev + 1:
                parts.append(_class_char(start) if start == prev else f"{_class_char(start)}-{_class_char(prev)}")
                start = code
        return "^[" + "".join(parts) + "]*$"

    def description(self) -> str:
        shown = ", ".join(c for c in self.excluded if c != " ")
        return f"{self.min} to {self.max} printable ASCII characters except {shown} and space"

    def combine(self, other: "Rule") -> "Rule":
        """The rule a password must follow to be accepted by both engines."""
        excluded = "".join(c for c in _PRINTABLE if c in self.excluded or c in other.excluded)
        return Rule(max(self.min, other.min), min(self.max, other.max), excluded)


def _class_char(code: int) -> str:
    c = chr(code)
    return "\\" + c if c in "\\]^-[" else c


# Master password lengths from the RDS API reference (CreateDBInstance / CreateDBCluster) and
# DocumentDB's CreateDBCluster. Oracle also rejects & and '.
_INSTANCE_RULES = (
    ("aurora", Rule(8, 41)),
    ("mariadb", Rule(8, 41)),
    ("mysql", Rule(8, 41)),
    ("postgres", Rule(8, 128)),
    ("sqlserver", Rule(8, 128)),
    ("oracle", Rule(8, 30, _RDS_EXCLUDED + "&'")),
    ("db2", Rule(8, 255)),
)
_CLUSTER_RULE = Rule(8, 41)  # Aurora and Multi-AZ DB clusters, whatever the engine
_DOCDB_RULE = Rule(8, 100)


def instance_rule(engine: str) -> Rule | None:
    for prefix, rule in _INSTANCE_RULES:
        if engine.lower().startswith(prefix):
            return rule
    return None


def engine_values(doc: Document, engine: Any) -> list[str] | None:
    """Every value ``Engine`` can take: a literal, a parameter's allowed values, a mapping column."""
    if isinstance(engine, str):
        return [engine]
    if not isinstance(engine, dict) or len(engine) != 1:
        return None
    (fn, arg), = engine.items()
    if fn == "Ref" and isinstance(arg, str):
        param = (doc.data.get("Parameters") or {}).get(arg)
        if not isinstance(param, dict):
            return None
        values = param.get("AllowedValues") or ([param["Default"]] if "Default" in param else None)
        return [str(v) for v in values] if isinstance(values, list) and values else None
    if fn == "Fn::FindInMap" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str) and isinstance(arg[2], str):
        mapping = (doc.data.get("Mappings") or {}).get(arg[0])
        if not isinstance(mapping, dict):
            return None
        values = [row.get(arg[2]) for row in mapping.values() if isinstance(row, dict)]
        return values if values and all(isinstance(v, str) for v in values) else None
    return None


def accepted_characters(pattern: str) -> tuple[set[str], bool, int, int] | None:
    """For ``^[class]{m,n}$``-shaped patterns: (printable ASCII accepted, accepts non-ASCII, m, n).

    None for any other shape (alternatives, lookaheads, several classes): those are policies we
    cannot compare character by character.
    """
    try:
        items = list(sre_parse.parse(pattern))
    except re.error:
        return None
    while items and items[0] in _STARTS:
        items.pop(0)
    while items and items[-1] in _ENDS:
        items.pop()
    if len(items) != 1 or items[0][0] not in (MAX_REPEAT, MIN_REPEAT):
        return None
    low, high, body = items[0][1]
    body = list(body)
    if len(body) != 1 or body[0][0] not in (IN, LITERAL, ANY):
        return None
    high = high if high != MAXREPEAT else 1 << 30
    if high < 1:
        return None
    whole = re.compile(pattern)
    probe = max(low, 1)  # one character repeated: the pattern takes it exactly when its class does
    accepted = {c for c in _PRINTABLE if whole.fullmatch(c * probe)}
    return accepted, bool(whole.fullmatch("\u00e9" * probe)), low, high


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


class PasswordPattern(Fixer):
    name = "password-pattern"
    summary = "Widen password parameters' AllowedPattern to what the database engine accepts"
    group = "deploy"
    safety = Safety.SAFE
    default = True
    docs = """
    ## What it detects
    Password-like parameters (name containing password/passwd/pwd/secret, or `NoEcho: true`)
    passed by `Ref` to the `MasterUserPassword` of an `AWS::RDS::DBInstance`,
    `AWS::RDS::DBCluster` or `AWS::DocDB::DBCluster`, whose `AllowedPattern` accepts other
    characters than the engine does (`^[a-zA-Z0-9]*$` rejects `!`, `#`, `%`...; a class with
    `@` accepts what RDS refuses), or whose `MinLength`/`MaxLength` leave the engine's range.

    ## Why it matters
    A letters-and-digits pattern pushes users to weak passwords and rejects the ones password
    managers generate. A pattern that lets `@`, `/`, `"` or a space through passes parameter
    validation and then fails deep in the stack, when RDS refuses the password.

    ## How it decides
    The engine comes from the resource's `Engine` (a literal, a parameter's `AllowedValues`, or
    a `Fn::FindInMap` column; with several possible engines the strictest rule wins). Per the RDS
    API reference a master password is printable ASCII except `/`, `"`, `@` (and no space), of
    8-41 characters for MySQL, MariaDB and every DB cluster, 8-128 for PostgreSQL and SQL
    Server, 8-30 for Oracle (which also rejects `&` and `'`), 8-255 for Db2; DocumentDB 8-100.
    Patterns of one repeated character class are compared character by character; patterns
    with lookaheads or alternatives encode a policy of their own and are left alone. A
    parameter only handed to a nested stack, or to an engine the template does not pin down,
    is reported, not changed.

    ## Example
    ```yaml
    # before
    DBPassword:
      Type: String
      NoEcho: true
      MinLength: 8
      MaxLength: 41
      AllowedPattern: '[a-zA-Z0-9]*'
      ConstraintDescription: must contain only alphanumeric characters.
    # after (Engine: mysql)
      AllowedPattern: ^[!#-.0-?A-~]*$
      ConstraintDescription: 8 to 41 printable ASCII characters except ", /, @ and space
    ```
    The pattern `^[!#-.0-?A-~]*$` is the printable ASCII range `!`..`~` with `"`, `/` and `@`
    cut out; the length lives in `MinLength`/`MaxLength`, which are set to the engine's range
    (a stricter range already in the template is kept).

    ## Why `@` stays excluded
    Corrections that circulate often widen the pattern to `[a-zA-Z0-9!@#$%^&*()_+=-]*`. RDS
    rejects `@` in master passwords (with `/`, `"` and space), so such a pattern lets through
    passwords that fail at create time; this fixer excludes it.

    ## Fix safety
    Safe: every password the old rule accepted and the engine takes is still accepted; only
    passwords the engine would have refused at deploy time are now refused at parameter
    validation. A parameter `Default` the new rule would reject is reported and left alone.
    """

    def find(self, doc: Document) -> list[Finding]:
        params = doc.data.get("Parameters") if isinstance(doc.data, dict) else None
        if not isinstance(params, dict):
            return []
        findings = []
        for name, param in params.items():
            if not isinstance(param, dict) or not isinstance(param.get("AllowedPattern"), str):
                continue
            if not (_NAME.search(name) or str(param.get("NoEcho")).lower() == "true"):
                continue
            finding = self._check(doc, name, param)
            if finding:
                findings.append(finding)
        return findings

    def _check(self, doc: Document, name: str, param: dict) -> Finding | None:
        path = ("Parameters", name, "AllowedPattern")
        rule, why = self._rule(doc, name)
        if rule is None:
            return Finding(None, path, why, fixable=False) if why else None
        pattern = param["AllowedPattern"]
        shape = accepted_characters(pattern)
        if shape is None:
            return None
        accepted, non_ascii, low, high = shape
        wanted = set(rule.allowed())
        cur_min, cur_max = _as_int(param.get("MinLength")), _as_int(param.get("MaxLength"))
        new_min = min(max(cur_min or 0, low, rule.min), rule.max)
        new_max = max(min(cur_max if cur_max is not None else rule.max, high, rule.max), new_min)
        if accepted == wanted and not non_ascii and (cur_min, cur_max) == (new_min, new_max):
            return None
        problems = []
        missing, extra = sorted(wanted - accepted), sorted(accepted - wanted)
        if missing:
            problems.append(f"rejects {len(missing)} characters the engine takes ({''.join(missing[:8])}...)"
                            if len(missing) > 8 else f"rejects {''.join(missing)!r}")
        if extra or non_ascii:
            problems.append(f"accepts {''.join(extra)!r}" if extra else "accepts non-ASCII characters")
        if (cur_min, cur_max) != (new_min, new_max):
            shown = "-".join("none" if v is None else str(v) for v in (cur_min, cur_max))
            problems.append(f"MinLength-MaxLength {shown} should be {new_min}-{new_max}")
        message = f"password pattern {', '.join(problems)}; the engine takes {rule.description()}"
        default = param.get("Default")
        if isinstance(default, str) and default and not (re.fullmatch(rule.pattern(), default) and new_min <= len(default) <= new_max):
            return Finding(None, path, f"{message}; the parameter's Default would be rejected, left alone", fixable=False)
        return Finding(None, path, message, detail=(rule, new_min, new_max))

    def _rule(self, doc: Document, name: str) -> tuple[Rule | None, str]:
        """The combined rule of every engine the parameter reaches, or (None, why-not or '')."""
        rule: Rule | None = None
        nested = []
        for rid, res in doc.resources.items():
            if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
                continue
            props, rtype = res["Properties"], res.get("Type")
            if not isinstance(rtype, str):
                continue
            if rtype == "AWS::CloudFormation::Stack" and {"Ref": name} in (props.get("Parameters") or {}).values():
                nested.append(rid)
            if rtype not in _PASSWORD_PROPERTIES or props.get(_PASSWORD_PROPERTIES[rtype]) != {"Ref": name}:
                continue
            if rtype == "AWS::RDS::DBCluster":
                found = _CLUSTER_RULE
            elif rtype == "AWS::DocDB::DBCluster":
                found = _DOCDB_RULE
            else:
                engines = engine_values(doc, props.get("Engine"))
                rules = [r for r in (instance_rule(e) for e in engines or []) if r is not None]
                if not engines or len(rules) < len(engines):
                    return None, f"{rid}'s Engine cannot be resolved to known RDS engines; pattern left alone"
                found = rules[0]
                for other in rules[1:]:
                    found = found.combine(other)
            rule = found if rule is None else rule.combine(found)
        if rule is None and nested:
            return None, f"passed to nested stack {', '.join(nested)}, whose engine is not visible here; pattern left alone"
        return rule, ""

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            rule, new_min, new_max = f.detail
            param = doc.data["Parameters"][f.path[1]]
            wanted = {
                "AllowedPattern": rule.pattern(),
                "MinLength": new_min,
                "MaxLength": new_max,
                "ConstraintDescription": Rule(new_min, new_max, rule.excluded).description(),
            }
            for key, value in wanted.items():
                old = param.get(key)
                if key in ("MinLength", "MaxLength") and _as_int(old) == value:
                    continue
                if old == value:
                    continue
                path = f.path[:2] + (key,)
                with editor.finding(f):
                    editor.set(path, value)
                    changes.append(self.change(f, "add" if key not in param else "replace", old, value, f.message, path=path))
        return Fix.of(editor, changes)
