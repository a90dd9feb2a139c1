"""Never hang, never blow up, say clearly what is wrong (issue 15): inputs that are not what they seem."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import time

import pytest

from cfnfix.document import MAX_BYTES, MAX_DEPTH
from test_cli import FIXED, TEMPLATE, invoke, write
from test_cli import work  # noqa: F401 - fixture

BOMB = """\
AWSTemplateFormatVersion: '2010-09-09'
Metadata:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("cfnfix:")]


@pytest.mark.parametrize("command", [("check",), ("check", "--all"), ("apply", "--all")])
def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, command):
    write(tmp_path / "bomb.yaml", BOMB)
    assert len(BOMB.encode()) < 500
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cfnfix", *command, "bomb.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 15
    assert proc.returncode == 2
    assert proc.stderr == "cfnfix: bomb.yaml: YAML aliases expand to more than 100000 nodes; refused\n"
    assert (tmp_path / "bomb.yaml").read_text() == BOMB


def test_aliases_still_work_and_are_not_edited(work):
    text = TEMPLATE.replace("      Runtime: python3.12\n", "      Runtime: &rt python3.12\n") + "Outputs:\n  Rt:\n    Value: *rt\n"
    write(work / "t.yaml", text)
    assert invoke("apply", "t.yaml").exit_code == 0
    assert (work / "t.yaml").read_text() == text.replace("lambda_function.lambda_handler", "index.lambda_handler")


def test_a_recursive_alias_is_refused(work):
    write(work / "t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata: &m {Self: *m}\n")
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: t.yaml: line 4: YAML alias inside the node it names (a recursive structure)\n"


@pytest.mark.parametrize("depth", [490, 999])
def test_deep_nesting_is_refused_with_a_clear_line(work, depth):
    write(work / "deep.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n      X: "
          + "[" * depth + "]" * depth + "\n")
    write(work / "deep.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Metadata": '
          + '{"a": ' * depth + "1" + "}" * depth + "}}}\n")
    result = invoke("check", "--all", "deep.yaml", "deep.json")
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"cfnfix: deep.yaml: line 5: nesting deeper than {MAX_DEPTH} levels",
        f"cfnfix: deep.json: line 1: nesting deeper than {MAX_DEPTH} levels",
    ]


def test_nesting_up_to_the_limit_is_processed(work):
    depth = MAX_DEPTH - 5
    write(work / "t.yaml", TEMPLATE + "    Metadata:\n      X: " + "[" * depth + "]" * depth + "\n")
    result = invoke("apply", "--all", "t.yaml")
    assert result.exit_code == 0, result.stderr
    assert (work / "t.yaml").read_text().startswith(FIXED[:200])


# --- encodings and sizes ---------------------------------------------------------------------

@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                       ("utf-16-le", b"")])
def test_utf16_is_named_as_such(work, codec, bom):
    write(work / "t.yaml", bom + TEMPLATE.encode(codec))
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: t.yaml: UTF-16 text; CloudFormation reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)\n"


NOT_TEMPLATES = {
    "logo.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "strings.yml": codecs.BOM_UTF16_LE + "greeting: hello\nname: app\n".encode("utf-16-le"),
    "latin1.yaml": "name: caf\xe9\nowner: J\xfcrgen\n".encode("latin-1"),
    "huge.json": b'{"data": "' + b"x" * (MAX_BYTES + 10) + b'"}\n',
}


def test_ignore_non_templates_skips_undecodable_and_oversized_files(work):
    for name, content in NOT_TEMPLATES.items():
        write(work / name, content)
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "--ignore-non-templates", "--format", "json", *NOT_TEMPLATES, "t.yaml")
    assert result.exit_code == 0, result.stderr
    statuses = {f["path"]: f["status"] for f in json.loads(result.stdout)["files"]}
    assert statuses == {**{name: "skipped" for name in NOT_TEMPLATES}, "t.yaml": "fixed"}
    assert all((work / name).read_bytes() == content for name, content in NOT_TEMPLATES.items())


def test_ignore_non_templates_still_reports_templates_it_cannot_read(work):
    write(work / "utf16.yaml", codecs.BOM_UTF16_LE + TEMPLATE.encode("utf-16-le"))
    write(work / "latin1.yaml", TEMPLATE.replace("python3.12", "python3.12  # caf\xe9").encode("latin-1"))
    result = invoke("check", "--ignore-non-templates", "utf16.yaml", "latin1.yaml")
    assert result.exit_code == 2
    assert error_lines(result) == [
        "cfnfix: utf16.yaml: UTF-16 text; CloudFormation reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)",
        "cfnfix: latin1.yaml: not UTF-8 text (byte 398)",
    ]


# --- the config file ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,content,message", [
    (".cfnfix.toml", 'ignore = ["caf\xe9"]\n'.encode("latin-1"),
     "cfnfix: {root}/.cfnfix.toml: not UTF-8 text (byte 14); TOML files are UTF-8"),
    ("pyproject.toml", b"tool = 5\n", "cfnfix: {root}/pyproject.toml: 'tool' must be a table"),
    ("pyproject.toml", b"[tool]\ncfnfix = 5\n", "cfnfix: {root}/pyproject.toml: 'tool.cfnfix' must be a table"),
])
def test_a_malformed_config_file_is_one_line_naming_it(work, name, content, message):
    write(work / name, content)
    write(work / "t.yaml", TEMPLATE)
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == message.format(root=work) + "\n"
    explicit = invoke("check", "--config", name, "t.yaml")
    assert explicit.exit_code == 2
    assert explicit.stderr == message.format(root=work).replace(f"{work}/", "") + "\n"
