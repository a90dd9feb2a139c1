"""Inline Lambda code whose handler names a file or function that does not exist."""

from __future__ import annotations

import re
from typing import Any

from cfnfix import python_code
from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.inline_code import literal_code
from cfnfix.lambda_runtimes import lifecycle, newest, node_problem, python_problem

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
    Go, Ruby) and Python code that does not parse as Python 3 are reported too.

    Inline code under an OS-only runtime (`provided`, `provided.al2`, `provided.al2023`, written
    on the function itself) never runs: Lambda looks for a `bootstrap` executable. When the code
    is plainly one language, the runtime becomes that language's (review):
    - Python: the code parses as Python 3 (libcst) and defines a module-level function taking
      two parameters, and does not parse as Node.js with exports. `Runtime` becomes the newest
      Python runtime that is not deprecated on the `--as-of` day (from the lifecycle table
      `lambda-runtime` uses) and `Handler` `index.<function>` by the rules above (the handler's
      own function name when the code defines it, else the one `(event, context)` function).
    - Node.js: the code exports functions (`exports.handler = ...`). `Runtime` becomes the
      newest Node.js runtime not deprecated, `Handler` `index.<export>`.
    A missing `Handler` is added. `Architectures` stays (both languages run on `x86_64` and
    `arm64`). Reported instead: code that is both or neither, several candidate functions, a
    function with `Layers` (a layer made for a custom runtime, its `bootstrap`, does not run
    under Python or Node.js), Python code importing a module the new version removed, Node.js
    code loading the AWS SDK v2 or with a callback-style handler, a runtime set in SAM
    `Globals` or through a parameter. This fixer runs before `lambda-runtime`, so a deprecated
    `provided.al2` is not first moved to `provided.al2023`.

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

    ```yaml
    # before
    Runtime: provided.al2
    Handler: bootstrap
    Code:
      ZipFile: |
        def lambda_handler(event, context):
            return {"ok": True}
    # after (judged at 2026-12-01)
    Runtime: python3.14
    Handler: index.lambda_handler
    ```

    ## Fix safety
    Safe: only the `Handler` string changes, to the one value under which the code can run.
    Changing a `provided.*` runtime to Python or Node.js is review: the function now runs its
    code on that language; modules it imports that the runtime does not include must be
    packaged with it.
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
            if code is None:
                continue
            if isinstance(props.get("Runtime"), str) and props["Runtime"].startswith("provided") \
                    and (handler is None or isinstance(handler, str)):
                findings.append(self._language_runtime(rid, props, code))
                continue
            if not isinstance(handler, str):
                continue
            finding = self._check(rid, handler, runtime, code)
            if finding:
                findings.append(finding)
        return findings

    def _language_runtime(self, rid: str, props: dict, code: Any) -> Finding:
        """Inline code under an OS-only runtime (``provided.*``, written on the function): when the
        code is plainly Python or plainly Node.js, the runtime becomes the newest of that language
        that is not deprecated and the handler ``index.<function>``; otherwise reported."""
        runtime, handler = props["Runtime"], props.get("Handler")
        path = ("Resources", rid, "Properties", "Runtime")
        head = f"runtime {runtime} cannot run inline code (only Python and Node.js can)"

        def report(why: str) -> Finding:
            return Finding(rid, path, f"{head}; {why}", fixable=False)

        text, exact = literal_code(code)
        if text is None:
            return report("the code is built with intrinsics cfnfix cannot read: choose a Python or Node.js runtime by hand")
        module = python_code.parse(text)
        exports = node_exports(text)
        if module is not None and exports:
            return report("the code parses as Python 3 and also exports Node.js functions: choose its runtime by hand")
        wanted = handler.rsplit(".", 1)[-1] if isinstance(handler, str) else None
        if module is not None:
            functions = python_code.functions(module)
            candidates = [n for n, count in functions.items() if count == 2]
            if not candidates:
                return report("the code parses as Python 3 but defines no module-level function taking (event, context): "
                              "choose its runtime and handler by hand")
            language, kind, names = "python", "Python", list(functions)
        elif exports:
            language, kind, names = "nodejs", "Node.js", exports
            candidates = exports
        else:
            return report("the code is neither Python 3 nor Node.js with exported functions: choose its runtime by hand")
        target = wanted if wanted in names else candidates[0] if len(candidates) == 1 else None
        if target is None:
            return report(f"the code is {kind}, but several functions could be its handler ({', '.join(candidates)}): "
                          "set Runtime and Handler by hand")
        table = lifecycle()
        new = newest(language, table, self.as_of) if table is not None else None
        if new is None:
            return report(f"the code is {kind}, but cfn-lint's runtime table is missing: set a {kind} runtime by hand")
        if "Layers" in props:
            return report(f"the code is {kind}, but the function has Layers, which may be built for {runtime} (a custom "
                          f"runtime's bootstrap does not run under {new}): set Runtime to {new} and Handler to "
                          f"index.{target} by hand once the layers are checked")
        problem = (python_problem(text, exact, rid, new) if language == "python"
                   else node_problem(text, rid, new, f"index.{target}"))
        if problem:
            return report(f"the code is {kind}, but {problem}")
        if language == "python":
            shape = f"it parses as Python 3 and defines {target}" + ("(event, context)" if functions[target] == 2 else "")
        else:
            shape = f"it exports {target}"
        message = (f"{head}; the code is plainly {kind} ({shape}): Runtime becomes {new}, the newest {kind} runtime not "
                   f"deprecated, and Handler index.{target} (inline code is stored as "
                   f"{'index.py' if language == 'python' else 'index.js'}). Review: the function now runs its code on "
                   f"{kind}; modules it imports that {new} does not include must be packaged with it")
        return Finding(rid, path, message, detail=("runtime", runtime, new, handler, f"index.{target}"))

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
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                if isinstance(f.detail, tuple) and f.detail[:1] == ("runtime",):
                    _, old, new, handler, new_handler = f.detail
                    props = f.path[:3]
                    editor.set(props + ("Runtime",), new)
                    changes.append(self.change(f, "replace", old, new, f.message, safety=Safety.REVIEW))
                    if handler != new_handler:
                        editor.set(props + ("Handler",), new_handler)
                        changes.append(self.change(f, "add" if handler is None else "replace", handler, new_handler, (
                            f"inline code is stored as {'index.py' if new.startswith('python') else 'index.js'}; "
                            "handler must be index.<function>"), path=props + ("Handler",)))
                    continue
                editor.set(f.path, f.detail)
                changes.append(self.change(f, "replace", doc.value(f.path), f.detail, f.message))
        return Fix.of(editor, changes)
