"""The text answers of python_code (parses, defines) agree with libcst wherever they say yes:
they let inline-lambda-handler and lambda-runtime skip libcst, so a yes libcst would not give
would change a result."""

import pytest

from cfnfix import python_code
from support import run_fixers

CASES = {
    "plain": "import json\n\ndef handler(event, context):\n    return 1\n",
    "docstring first": '"""Module."""\nimport os\n\ndef handler(event, context):\n    """Doc."""\n',
    "async": "async def handler(event, context):\n    pass\n",
    "decorated": "@wrap\ndef handler(event, context):\n    pass\n",
    "crlf": "import os\r\ndef handler(event, context):\r\n    return 1\r\n",
    "inside a string": "x = '''\ndef handler(event, context): pass\n'''\n",
    "inside a continued string": "x = 'a\\\ndef handler(event, context): pass'\n",
    "inside a branch": "if True:\n    def handler(event, context): pass\n",
    "a class": "class handler:\n    pass\n",
    "mixed tabs": "def handler(event, context):\n\tif event:\n        \treturn 1\n",
    "python 2 print": "def handler(event, context):\n    print 'x'\n",
    "python 2 except": "def handler(event, context):\n    try:\n        pass\n    except Exception, err:\n        pass\n",
    "python 2 octal": "def handler(event, context):\n    return 0777\n",
    "unbalanced": "def handler(event, context):\n    x = (1\n",
    "newer grammar": "def handler[T](event, context): pass\n",
}


@pytest.mark.parametrize("code", CASES.values(), ids=CASES.keys())
def test_a_yes_is_what_libcst_says(code):
    module = python_code.parse(code)
    if python_code.parses(code):
        assert module is not None
        assert python_code.defines(code, "handler") == ("handler" in python_code.functions(module))


def test_code_libcst_refuses_gets_no_yes():
    for name in ("mixed tabs", "python 2 print", "python 2 octal", "unbalanced"):
        assert python_code.parse(CASES[name]) is None
        assert not python_code.parses(CASES[name])


def test_the_usual_code_is_settled_without_libcst():
    assert python_code.parses(CASES["docstring first"]) and python_code.defines(CASES["docstring first"], "handler")
    assert not python_code.defines(CASES["inside a string"], "handler")


TEMPLATE = """Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: {runtime}
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
{code}
"""


def _unfixed(runtime: str, code: str, fixer: str) -> list[str]:
    text = TEMPLATE.format(runtime=runtime, code="\n".join("          " + line for line in code.splitlines()))
    return [p.message for p in run_fixers(text, [fixer]).unfixed]


@pytest.mark.parametrize("name", ["python 2 print", "mixed tabs", "unbalanced"])
def test_a_handler_already_right_is_still_read_when_the_code_may_not_parse(name):
    assert _unfixed("python3.12", CASES[name], "inline-lambda-handler") == [
        "inline code does not parse as Python 3; handler left alone"]


def test_lambda_runtime_reads_the_imports_when_a_removed_module_is_named():
    code = "import json\nfrom imp import reload\n\ndef handler(event, context):\n    pass\n"
    assert _unfixed("python3.9", code, "lambda-runtime")[0].endswith("imports imp, which python3.14 no longer has")
    assert _unfixed("python3.9", CASES["plain"], "lambda-runtime") == []
