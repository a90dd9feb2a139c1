"""Inline Lambda code whose handler names a file or function that does not exist."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import python_code
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.inline_code import literal_code

_NODE_EXPORTS = (
    re.compile(r"^\s*(?:module\.)?exports\.(\w+)\s*=", re.M),
    re.compile(r"^\s*export\s+(?:const|let|var|(?:async\s+)?function\*?)\s+(\w+)", re.M),
)
_NODE_EXPORT_OBJECT = re.compile(r"module\.exports\s*=\s*\{([^}]*)\}")
_PY_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)\s*\(([^)]*)\)", re.M)
_INLINE_RUNTIMES = ("python", "nodejs")


def python_functions(code: str) -> dict[str, int] | None:
    """Module-level functions and their positional-parameter counts; None when not Python 3."""
    module = python_code.parse(code)
    return None if module is None else python_code.functions(module)


def python_functions_by_text(code: str) -> dict[str, int]:
    """Column-0 ``def`` lines, for code whose non-literal parts keep it from parsing."""
    found = {}
    for name, params in _PY_DEF.findall(code):
        found[name] = len([p for p in params.split(",") if p.strip() and not p.strip().startswith("*")])
    return found


def node_exports(code: str) -> list[str]:
    names: list[str] = []
    for pattern in _NODE_EXPORTS:
        names += pattern.findall(code)
    for body in _NODE_EXPORT_OBJECT.findall(code):
        for part in body.split(","):
            name = part.split(":")[0].strip()
            if re.fullmatch(r"\w+", name):
                names.append(name)
    return list(dict.fromkeys(names))


class InlineLambdaHandler(Fixer):
    name = "inline-lambda-handler"
    summary = "Point the Handler of inline Lambda code at index.<function defined in the code>"
    group = "deploy"
    safety = Safety.SAFE
    default = True
    docs = """
    ## What it detects
    `AWS::Lambda::Function` resources with `Code.ZipFile` (and `AWS::Serverless::Function` with
    `InlineCode`) whose `Handler` is not `index.<function>` for a function the code defines.

    ## Why it matters
    CloudFormation writes inline code to a file named `index.py` (Python) or `index.js`
    (Node.js). A handler such as `lambda_function.lambda_handler` names a module that does not
    exist: the stack deploys, and every invocation fails with `Runtime.ImportModuleError`.

    ## How it decides
    The Python code is parsed with libcst. The handler's function is kept when the code defines
    it at module level (`lambda_function.lambda_handler` becomes `index.lambda_handler`);
    otherwise the one module-level function taking `(event, context)` is used. For Node.js the
    exported names count (`exports.handler`, `module.exports.handler`, `export const handler`,
    `module.exports = {handler}`). Code built with `Fn::Sub` or `Fn::Join` is read from its
    literal parts. When no function, or more than one, could be meant, the problem is reported
    in the change log and nothing is changed. Runtimes that cannot run inline code (Java, .NET,
    Go, Ruby, `provided.*`) and Python code that does not parse as Python 3 are reported too.

    ## Example
    ```yaml
    # before
    Handler: lambda_function.lambda_handler
    Code:
      ZipFile: |
        def lambda_handler(event, context):
            return {"ok": True}
    # after
    Handler: index.lambda_handler
    ```

    ## Fix safety
    Safe: only the `Handler` string changes, to the one value under which the code can run.
    """

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        globals_fn = doc.data.get("Globals", {}).get("Function", {}) if isinstance(doc.data.get("Globals"), dict) else {}
        for rid, res in doc.resources.items():
            if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
                continue
            props = res["Properties"]
            if res.get("Type") == "AWS::Lambda::Function":
                code = props.get("Code", {}).get("ZipFile") if isinstance(props.get("Code"), dict) else None
                runtime = props.get("Runtime")
            elif res.get("Type") == "AWS::Serverless::Function":
                code = props.get("InlineCode")
                runtime = props.get("Runtime", globals_fn.get("Runtime") if isinstance(globals_fn, dict) else None)
            else:
                continue
            handler = props.get("Handler")
            if code is None or not isinstance(handler, str):
                continue
            finding = self._check(rid, handler, runtime, code)
            if finding:
                findings.append(finding)
        return findings

    def _check(self, rid: str, handler: str, runtime: Any, code: Any) -> Finding | None:
        path = ("Resources", rid, "Properties", "Handler")
        if isinstance(runtime, str) and not runtime.startswith(_INLINE_RUNTIMES):
            return Finding(rid, path, f"runtime {runtime} cannot run inline code (only Python and Node.js can)", fixable=False)
        text, exact = literal_code(code)
        if text is None:
            return None
        wanted = handler.rsplit(".", 1)[-1]
        is_node = runtime.startswith("nodejs") if isinstance(runtime, str) else not re.search(r"^\s*(def|import)\s", text, re.M)
        if is_node:
            names = node_exports(text)
            candidates = names
        elif handler == f"index.{wanted}" and python_code.parses(text) and python_code.defines(text, wanted):
            return None  # the usual case, told without libcst: nothing to report or fix
        else:
            functions = python_functions(text)
            if functions is None:
                if exact:
                    return Finding(rid, path, "inline code does not parse as Python 3; handler left alone", fixable=False)
                functions = python_functions_by_text(text)
            names = list(functions)
            candidates = [n for n, count in functions.items() if count == 2]
        if handler == f"index.{wanted}" and wanted in names:
            return None
        if wanted in names:
            target = wanted
        elif len(candidates) == 1:
            target = candidates[0]
        else:
            kinds = "exported functions" if is_node else "module-level functions taking (event, context)"
            why = f"several {kinds} could be meant ({', '.join(candidates)})" if candidates else f"the code has no {kinds}"
            return Finding(rid, path, f"handler {handler} names no function of the inline code, and {why}; handler left alone", fixable=False)
        new = f"index.{target}"
        if new == handler:
            return None
        if handler.startswith("index.") and target != wanted:
            message = f"the inline code defines no function {wanted}; {target} is the one it could mean"
        else:
            message = f"inline code is stored as {'index.js' if is_node else 'index.py'}; handler must be index.<function>"
        return Finding(rid, path, message, detail=new)

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        return self.set_details(doc, findings)
