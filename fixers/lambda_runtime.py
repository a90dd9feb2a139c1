"""Lambda functions on runtimes AWS has deprecated: creation and then updates get refused."""

from __future__ import annotations

from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.inline_code import literal_code
from cfnfix.lambda_runtimes import (
    deprecated,
    family,
    lifecycle,
    nearest,
    node_problem,
    python_problem,
    successor,
    version,
)

FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")


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
                if new and family(old) == "nodejs" and version(old) < (24,) <= version(new):
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
                       if family(old) == "nodejs" and version(old) < (18,) <= version(new) else "")
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
        params = data.get("Parameters")
        if not isinstance(params, dict):
            params = {}
        mappings = data.get("Mappings")
        if not isinstance(mappings, dict):
            mappings = {}
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
        if family(old) == "python":
            return python_problem(text, exact, function, new)
        if family(old) == "nodejs":
            return node_problem(text, function, new, props.get("Handler"))
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

