"""Lambda environment variables under names the Lambda runtime reserves (cfn-lint E3663)."""

from __future__ import annotations

import json
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.properties import properties

# The keys Lambda sets itself and refuses in a function's configuration (cfn-lint's list,
# data/schemas/extensions/aws_lambda_function/environment_variable_keys.json).
RESERVED = (
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
)
CREDENTIALS = ("AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_REGION_VALUES = ({"Ref": "AWS::Region"}, {"Fn::Sub": "${AWS::Region}"})


def _same_as_runtime(key: str, value: Any) -> bool:
    """Whether ``value`` is what Lambda itself puts in ``key``: nothing is lost without it."""
    return key in ("AWS_REGION", "AWS_DEFAULT_REGION") and value in _REGION_VALUES


def _what_lambda_sets(key: str) -> str:
    if key in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        return "the Region the function runs in"
    if key in CREDENTIALS:
        return "the credentials of the function's execution role"
    return "its own value"


class LambdaReservedVariable(Fixer):
    name = "lambda-reserved-variable"
    summary = "Remove Lambda environment variables whose names the runtime reserves and sets itself (E3663)"
    group = "schema"
    safety = Safety.SAFE
    lint_rules = ("E3663",)
    default = False
    docs = """
    ## What it detects
    An `AWS::Lambda::Function` whose `Environment.Variables` sets a key Lambda reserves
    (`AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, `AWS_ACCESS_KEY_ID`,
    `_HANDLER`, ...). cfn-lint reports these as E3663.

    ## Why it matters
    Lambda refuses to create or update the function (`Lambda was unable to configure your
    environment variables because the environment variables you have provided contains reserved
    keys`): the stack operation fails. The runtime sets these keys itself, so code reading
    `os.environ['AWS_REGION']` gets the function's Region without any configuration.

    ## How it decides
    - A reserved key whose value is what Lambda sets anyway (`AWS_REGION` or
      `AWS_DEFAULT_REGION` as `!Ref AWS::Region` or `!Sub '${AWS::Region}'`) is removed: nothing
      is lost.
    - A reserved key with any other value (a literal Region, hard-coded credentials, an
      intrinsic) is removed as a review change whose message says what is dropped: Lambda never
      accepts the key, and the code reading it sees the runtime's value. If the code needs the
      other value, pass it under a name of your own and read that.
    - When no variable is left, the empty `Variables` (and an `Environment` holding nothing
      else) goes too. `Variables` given by an intrinsic (`Fn::If`) is reported, not edited.

    ## Example
    ```yaml
    # before
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        AWS_REGION: !Ref AWS::Region
    # after
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
    ```

    ## Fix safety
    Safe when the value is the one Lambda sets anyway; review when another value is dropped
    (the function sees the runtime's value instead; it never could see the template's).
    """

    def find(self, doc: Document) -> list[Finding]:
        findings = []
        for rid, res in doc.resources_of_type("AWS::Lambda::Function"):
            props = properties(res)
            env = props.get("Environment") if props else None
            if not isinstance(env, dict) or "Variables" not in env:
                continue
            variables = env["Variables"]
            path = ("Resources", rid, "Properties", "Environment", "Variables")
            if not isinstance(variables, dict):
                continue
            if any(str(k).startswith("Fn::") for k in variables):
                text = json.dumps(variables)
                named = [k for k in RESERVED if f'"{k}"' in text]
                if named:
                    findings.append(Finding(rid, path, "E3663 Environment.Variables is an intrinsic that may set keys "
                                            f"Lambda reserves ({', '.join(named)}): remove them from its branches by hand",
                                            fixable=False))
                continue
            reserved = [k for k in variables if k in RESERVED]
            if not reserved:
                continue
            parts = []
            for key in reserved:
                value = variables[key]
                if _same_as_runtime(key, value):
                    parts.append(f"{key} is set by Lambda to {_what_lambda_sets(key)}, which is what the template gives it")
                else:
                    parts.append(f"{key} is set by Lambda to {_what_lambda_sets(key)}; the template's value "
                                 f"{json.dumps(value)} is dropped (to pass it, use a name of your own and read that)")
            message = ("E3663 Lambda reserves " + ", ".join(reserved) + " and refuses them in a function's "
                       "environment: removed; " + "; ".join(parts))
            findings.append(Finding(rid, path, message, detail=(reserved, len(reserved) == len(variables), set(env) == {"Variables"})))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            reserved, empties, only_variables = f.detail
            variables = doc.value(f.path)
            with editor.finding(f):
                if empties and only_variables:
                    editor.remove(f.path[:-1])
                elif empties:
                    editor.remove(f.path)
                else:
                    for key in reserved:
                        editor.remove(f.path + (key,))
                for key in reserved:
                    value = variables[key]
                    safety = Safety.SAFE if _same_as_runtime(key, value) else Safety.REVIEW
                    why = (f"Lambda reserves {key} and sets it to {_what_lambda_sets(key)}")
                    why += ("; the template gave the same value" if safety is Safety.SAFE else
                            f"; the template's value {json.dumps(value)} is dropped (to pass it, use a name of "
                            "your own and read that in the code)")
                    changes.append(self.change(f, "remove", value, None, why, path=f.path + (key,), safety=safety))
                if empties:
                    gone = f.path[:-1] if only_variables else f.path
                    changes.append(self.change(f, "remove", doc.value(gone), None, f"{gone[-1]} held only keys Lambda reserves: "
                                               "nothing is left in it",
                                               path=gone, safety=Safety.SAFE))
        return Fix.of(editor, changes)
