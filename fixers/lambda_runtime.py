"""Lambda functions on runtimes AWS has deprecated: creation and then updates get refused."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

from cfnfix import python_code, schemas
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.inline_code import literal_code

FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
# Standard-library modules Python removed (PEP 594, PEP 632, imp): inline code importing them
# stops working on the successor even though it still parses.
_REMOVED_MODULES = {
    **dict.fromkeys(("distutils", "imp", "asynchat", "asyncore", "smtpd"), (3, 12)),
    **dict.fromkeys(("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis",
                     "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
                     "lib2to3"), (3, 13)),
}
# Code in which no removed module's name is a word imports none of them: told without libcst.
_REMOVED_NAMES = re.compile(r"\b(?:" + "|".join(_REMOVED_MODULES) + r")\b")
_AWS_SDK_V2 = re.compile(r"""(?:require\s*\(\s*|from\s+|import\s+)['"]aws-sdk(?:/[^'"]*)?['"]""")


@lru_cache(maxsize=1)
def lifecycle() -> dict[str, dict[str, Any]] | None:
    """cfn-lint's runtime lifecycle table (the data behind W2531/E2531/E2533), None without cfn-lint."""
    try:
        path = schemas.cfnlint_data() / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
        return json.loads(path.read_text(encoding="utf-8"))
    except (RuntimeError, OSError, ValueError):
        return None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def deprecated(runtime: str, table: dict, today: date) -> bool:
    entry = table.get(runtime)
    day = _day(entry.get("deprecated")) if entry else None
    return day is not None and day <= today


def successor(runtime: str, table: dict, today: date) -> str | None:
    """The first runtime down the table's successor chain that is not deprecated today."""
    seen = {runtime}
    current = runtime
    while deprecated(current, table, today):
        current = (table.get(current) or {}).get("successor")
        if not current or current in seen:
            return None
        seen.add(current)
    return current if current != runtime else None


def nearest(runtime: str, table: dict, today: date) -> str | None:
    """The closest newer version of ``runtime``'s own family that is not deprecated ``today``
    (python3.9 -> python3.10 while 3.10 is supported, not the newest): the smallest step for
    code nobody can check. None when the family has no supported newer version."""
    old = _version(runtime)
    newer = [r for r in table if family(r) == family(runtime) and _version(r) > old and not deprecated(r, table, today)]
    return min(newer, key=_version) if newer else None


def family(runtime: str) -> str:
    name = re.match(r"[a-z]+", runtime)
    return (name.group() if name else runtime).replace("dotnetcore", "dotnet")


def _version(runtime: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", runtime))


class LambdaRuntime(Fixer):
    name = "lambda-runtime"
    summary = "Replace deprecated Lambda runtimes with their supported successor in the same language"
    group = "deploy"
    safety = Safety.REVIEW
    lint_rules = ('W2531', 'E2531', 'E2533')
    default = True
    docs = """
    ## What it detects
    `AWS::Lambda::Function` / `AWS::Serverless::Function` runtimes (and SAM `Globals`) that AWS
    has deprecated: cfn-lint's W2531 (deprecated), E2531 (creation blocked) and E2533 (updates
    blocked). The runtime may be written on the function, or come from a parameter's `Default`
    and `AllowedValues` or from `Mappings` through `!Ref` / `!FindInMap`; those values are updated.

    ## Why it matters
    A deprecated runtime gets no security patches; soon after, Lambda refuses to create
    functions with it and then to update them, so the stack can no longer deploy.

    ## How it decides
    Dates and successors come from the lifecycle table cfn-lint ships
    (`cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json`), compared with the day `--as-of` names (default: today),
    so the fixer follows AWS's schedule as cfn-lint is upgraded.

    - Code the template does not hold (`Code` in S3, SAM `CodeUri`, code built with intrinsics)
      cannot be checked, so it takes the smallest step: the nearest newer version of the same
      language that is supported on that day (`python3.9` → `python3.11` while 3.10 is deprecated
      and 3.11 is not, `nodejs18.x` → `nodejs22.x`, `java8` → `java8.al2`, `ruby3.2` → `ruby3.3`).
      It never crosses a change of handler semantics unseen: when the nearest supported Node.js
      is `nodejs24.x` or later (no callback-style handlers), the function is reported instead.
    - Inline code follows the table's successor chain until a runtime that is not deprecated
      (`python3.7` → `python3.14`, `nodejs14.x` → `nodejs24.x`, `ruby2.7` → `ruby4.0`,
      `provided` → `provided.al2023`), because the code is checked first and reported instead of
      changed when it would break:

    - Python code must parse as Python 3 (libcst); Python 2 code is reported, as is code
      importing a standard-library module the new version removed (`imp`, `distutils`, `cgi`, ...).
    - Node.js code that loads the AWS SDK v2 (`require('aws-sdk')`) is reported: nodejs18.x and
      later ship only SDK v3. From nodejs24.x Lambda no longer calls callback-style handlers
      (`(event, context, callback)` without `async`), so those are reported too.

    Also reported, not changed: `go1.x` (its successor is the OS-only `provided.al2023`, which
    needs the binary rebuilt as `bootstrap`) and .NET (the package is compiled for one target
    framework and must be rebuilt; the lifecycle table names `dotnet10` as successor, but the old
    assemblies do not run on it). Without cfn-lint installed the table is missing and every
    deprecated-looking runtime is left alone.

    ## Example
    ```yaml
    # before (code in S3)
    Runtime: python3.9
    # after, judged at 2026-12-01 (python3.10 deprecated, python3.11 supported)
    Runtime: python3.11
    ```

    ## Fix safety
    Review: the function runs on a new language version. Inline code is checked, but code
    deployed from S3 or an image is not: native extensions, pinned dependencies and behaviour
    changes between versions need a test before the stack is updated.
    """

    def find(self, doc: Document) -> list[Finding]:
        table = lifecycle()
        if table is None:
            return []
        today = self.as_of
        sites = self._sites(doc)
        findings = []
        for path, (old, functions) in sites.items():
            if not deprecated(old, table, today):
                continue
            entry = table[old]
            resource = path[1] if path[0] == "Resources" else (functions[0] if functions else None)
            when = f"{old} was deprecated on {entry['deprecated']} (creation blocked from {entry.get('create-block')}, updates from {entry.get('update-block')})"
            unread = [f for f in functions if not self._readable(doc, f)]
            new = successor(old, table, today)
            if unread:  # nobody can check the code: the smallest step, and no change of handler semantics
                new = nearest(old, table, today) or new
                if new and family(old) == "nodejs" and _version(old) < (24,) <= _version(new):
                    findings.append(Finding(resource, path, (
                        f"{when}; the code of {', '.join(unread)} is not in the template, and {new}, the nearest "
                        "supported version, no longer calls callback-style handlers: check the handler is async "
                        f"(or make it so), then set the runtime to {new}"), fixable=False))
                    continue
            if new is None:
                findings.append(Finding(resource, path, f"{when}; the lifecycle table names no supported successor", fixable=False))
                continue
            if family(new) != family(old):
                findings.append(Finding(resource, path, f"{when}; its successor {new} is another kind of runtime: rebuild the code as a bootstrap binary", fixable=False))
                continue
            if family(old) == "dotnet":
                findings.append(Finding(resource, path, f"{when}; rebuild the package for {new} and change the runtime with it", fixable=False))
                continue
            problem = next((p for f in functions if (p := self._code_problem(doc, f, old, new))), None)
            if problem:
                findings.append(Finding(resource, path, f"{when}; {problem}", fixable=False))
                continue
            if unread:
                sdk = (", and check it bundles the AWS SDK v2 if it loads it (nodejs18.x and later include only SDK v3)"
                       if family(old) == "nodejs" and _version(old) < (18,) <= _version(new) else "")
                message = (f"{when}; {new} is the nearest supported version. Review: the code of {', '.join(unread)} "
                           f"is not in the template; test it on {new}{sdk}")
            else:
                message = f"{when}; {new} is its supported successor. Review: the code now runs on a new language version"
            findings.append(Finding(resource, path, message, detail=(old, new)))
        return findings

    def _sites(self, doc: Document) -> dict[tuple, tuple[str, list[str]]]:
        """Every place a runtime string is written, with the functions that take their runtime from it."""
        sites: dict[tuple, tuple[str, list[str]]] = {}

        def add(path: tuple, value: Any, function: str | None) -> None:
            if isinstance(value, str):
                old, users = sites.setdefault(path, (value, []))
                if function and function not in users:
                    users.append(function)

        data = doc.data if isinstance(doc.data, dict) else {}
        params = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
        mappings = data.get("Mappings") if isinstance(data.get("Mappings"), dict) else {}
        globals_fn = data.get("Globals", {}).get("Function") if isinstance(data.get("Globals"), dict) else None
        globals_runtime = globals_fn.get("Runtime") if isinstance(globals_fn, dict) else None

        def follow(path: tuple, value: Any, function: str | None) -> None:
            if isinstance(value, str):
                add(path, value, function)
            elif isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str) \
                    and isinstance(params.get(value["Ref"]), dict):
                name = value["Ref"]
                add(("Parameters", name, "Default"), params[name].get("Default"), function)
                allowed = params[name].get("AllowedValues")
                for i, item in enumerate(allowed if isinstance(allowed, list) else []):
                    add(("Parameters", name, "AllowedValues", i), item, function)
            elif isinstance(value, dict) and set(value) == {"Fn::FindInMap"} and isinstance(value["Fn::FindInMap"], list):
                args = value["Fn::FindInMap"]
                if len(args) < 3 or not isinstance(args[0], str) or not isinstance(mappings.get(args[0]), dict):
                    return
                for top, inner in mappings[args[0]].items():
                    if isinstance(inner, dict) and (not isinstance(args[1], str) or top == args[1]):
                        for second, item in inner.items():
                            if not isinstance(args[2], str) or second == args[2]:
                                add(("Mappings", args[0], top, second), item, function)

        for name, res in doc.resources.items():
            if not isinstance(res, dict) or res.get("Type") not in FUNCTIONS or not isinstance(res.get("Properties"), dict):
                continue
            props = res["Properties"]
            if "Runtime" in props:
                follow(("Resources", name, "Properties", "Runtime"), props["Runtime"], name)
            elif res["Type"] == "AWS::Serverless::Function" and globals_runtime is not None:
                follow(("Globals", "Function", "Runtime"), globals_runtime, name)
        return sites

    @staticmethod
    def _readable(doc: Document, function: str) -> bool:
        """Whether ``function``'s code is written in the template (inline ``ZipFile`` / ``InlineCode``)."""
        props = doc.resources[function]["Properties"]
        code = props.get("Code", {}).get("ZipFile") if isinstance(props.get("Code"), dict) else props.get("InlineCode")
        return code is not None and literal_code(code)[0] is not None

    def _code_problem(self, doc: Document, function: str, old: str, new: str) -> str | None:
        """Why ``function``'s inline code would not run on ``new``, or None."""
        props = doc.resources[function]["Properties"]
        code = props.get("Code", {}).get("ZipFile") if isinstance(props.get("Code"), dict) else props.get("InlineCode")
        if code is None:
            return None
        text, exact = literal_code(code)
        if text is None:
            return None
        if family(old) == "python" and (_REMOVED_NAMES.search(text) or not python_code.parses(text)):
            module = python_code.parse(text)
            if module is None:
                return f"the inline code of {function} does not parse as Python 3" + ("" if exact else " (checked with its substitutions blanked)")
            imported = {
                name.split(".")[0]
                for node in python_code.imports(module)
                for name in node
            }
            removed = sorted(m for m in imported if m in _REMOVED_MODULES and _version(new) >= _REMOVED_MODULES[m])
            if removed:
                return f"the inline code of {function} imports {', '.join(removed)}, which {new} no longer has"
        if family(old) == "nodejs":
            if _AWS_SDK_V2.search(text) and _version(new) >= (18,):
                return f"the inline code of {function} loads the AWS SDK v2 ('aws-sdk'), which {new} does not include; port it to SDK v3 first"
            handler = props.get("Handler")
            if isinstance(handler, str) and _version(new) >= (24,) and _callback_handler(text, handler.rsplit(".", 1)[-1]):
                return f"the inline handler of {function} takes a callback, which {new} no longer calls; make it async first"
        return None

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        by_parameter: dict[str, dict[int, Finding]] = {}
        for finding in findings:
            old, new = finding.detail
            if finding.path[0] == "Parameters" and finding.path[2] == "AllowedValues":
                by_parameter.setdefault(finding.path[1], {})[finding.path[3]] = finding
                continue
            with editor.finding(finding):
                editor.set(finding.path, new)
                changes.append(self.change(finding, "replace", old, new, finding.message))
        for parameter, fixed in by_parameter.items():
            changes += self._allowed_values(doc, editor, parameter, fixed)
        return Fix.of(editor, changes)

    def _allowed_values(self, doc: Document, editor: Editor, parameter: str, fixed: dict[int, Finding]) -> list:
        """Successors replace deprecated values; one already allowed makes the old value go instead."""
        values = doc.data["Parameters"][parameter]["AllowedValues"]
        result: list = []
        changes = []
        for i, value in enumerate(values):
            finding = fixed.get(i)
            new = finding.detail[1] if finding else value
            if finding and new in values[i + 1:] + result:
                changes.append(self.change(finding, "remove", value, None, f"{finding.message}; {new} is already allowed"))
                continue
            if finding:
                changes.append(self.change(finding, "replace", value, new, finding.message))
            result.append(new)
        path = ("Parameters", parameter, "AllowedValues")
        if len(result) < len(values):
            editor.set(path, result)  # removals next to each other would make overlapping edits
        else:
            for i, finding in fixed.items():
                editor.set(path + (i,), finding.detail[1])
        return changes


def _callback_handler(code: str, name: str) -> bool:
    """Whether the exported ``name`` is a non-async function of three parameters (event, context, callback)."""
    n = re.escape(name)
    patterns = (
        rf"(?:exports\.|module\.exports\.|export\s+(?:const|let|var)\s+|(?:const|let|var)\s+){n}\s*=\s*(async\s+)?(?:function\s*\w*\s*)?\(([^)]*)\)",
        rf"(?:export\s+)?(async\s+)?function\s+{n}\s*\(([^)]*)\)",
    )
    for pattern in patterns:
        for is_async, params in re.findall(pattern, code):
            if not is_async and len([p for p in params.split(",") if p.strip()]) >= 3:
                return True
    return False
