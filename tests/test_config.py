"""The config file and template metadata: discovery, validation, and who opts out of what."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import FIXED, HANDLER, QUEUE, TEMPLATE, dummy_fixer, invoke, work, write  # noqa: F401

TWO_FUNCTIONS = TEMPLATE + """\
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: other.lambda_handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def lambda_handler(event, context):
              return event
"""


def handlers(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip().startswith("Handler:")]


# --- discovery --------------------------------------------------------------------------------

def test_nearest_cfnfix_toml_is_used(work):
    write(work / ".cfnfix.toml", f'ignore = ["{HANDLER}"]\n')
    write(work / "stacks" / "deep" / "t.yaml", TEMPLATE)
    assert invoke("check", "stacks/deep/t.yaml").exit_code == 0
    write(work / "stacks" / ".cfnfix.toml", "ignore = []\n")  # nearer, so it wins
    assert invoke("check", "stacks/deep/t.yaml").exit_code == 1


def test_tool_cfnfix_in_pyproject(work):
    write(work / "pyproject.toml", f'[project]\nname = "x"\n\n[tool.cfnfix]\nignore = ["{HANDLER}"]\n')
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "t.yaml").exit_code == 0


def test_pyproject_without_a_cfnfix_table_is_passed_over(work):
    write(work / "pyproject.toml", f'[tool.cfnfix]\nignore = ["{HANDLER}"]\n')
    write(work / "app" / "pyproject.toml", '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n')
    write(work / "app" / "t.yaml", TEMPLATE)
    assert invoke("check", "app/t.yaml").exit_code == 0


def test_cfnfix_toml_beats_pyproject(work):
    write(work / "pyproject.toml", f'[tool.cfnfix]\nignore = ["{HANDLER}"]\n')
    write(work / ".cfnfix.toml", "ignore = []\n")
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "t.yaml").exit_code == 1


def test_explicit_config_file(work):
    write(work / "ci" / "strict.toml", f'ignore = ["{HANDLER}"]\n')
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "--config", "ci/strict.toml", "t.yaml").exit_code == 0
    result = invoke("check", "--config", "ci/missing.toml", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: ci/missing.toml: cannot read: No such file or directory\n"


def test_command_line_selection_overrides_the_file(work):
    write(work / ".cfnfix.toml", f'ignore = ["{HANDLER}"]\n')
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "--select", HANDLER, "t.yaml").exit_code == 1
    write(work / ".cfnfix.toml", f'select = ["{HANDLER}", "s3-lifecycle"]\n')
    assert invoke("check", "--ignore", HANDLER, "t.yaml").exit_code == 0


# --- validation: exit 2 naming file and key ----------------------------------------------------

@pytest.mark.parametrize("toml,message", [
    ('selct = ["ALL"]\n', "unknown key 'selct'"),
    ('select = ["no-such-fixer"]\n', "unknown fixer 'no-such-fixer' in 'select'"),
    ('ignore = ["no-such-fixer"]\n', "unknown fixer 'no-such-fixer' in 'ignore'"),
    ('select = "ALL"\n', "'select' must be a list of strings"),
    ('exclude = "cdk.out"\n', "'exclude' must be a list of strings"),
    ('[per-file-ignores]\n"legacy/**" = ["no-such-fixer"]\n', "unknown fixer 'no-such-fixer' in 'per-file-ignores.legacy/**'"),
    ("[fixers.no-such-fixer]\nx = 1\n", "unknown fixer 'no-such-fixer' in 'fixers.no-such-fixer'"),
    (f"[fixers.{HANDLER}]\nstrategy = 'x'\n", f"fixers.{HANDLER}: unknown option 'strategy' for fixer '{HANDLER}'"),
    ("[fixers.zz-test-queue-delay]\ndelay = 'soon'\n", "fixers.zz-test-queue-delay: invalid value 'soon' for option 'delay'"),
    ("[fixers.zz-test-queue-delay]\ndelay = 901\n", "invalid value 901 for option 'delay': must be between 0 and 900"),
    ("select = [\n", "invalid TOML"),
])
def test_invalid_config_is_an_error_naming_file_and_key(work, dummy_fixer, toml, message):
    write(work / ".cfnfix.toml", toml)
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "t.yaml")
    assert result.exit_code == 2
    config = str((work / ".cfnfix.toml").resolve())
    assert result.stderr.startswith(f"cfnfix: {config}: ") and message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert (work / "t.yaml").read_text() == TEMPLATE


def test_invalid_key_in_pyproject_names_the_file(work):
    write(work / "pyproject.toml", "[tool.cfnfix]\nignor = []\n")
    write(work / "t.yaml", TEMPLATE)
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"cfnfix: {(work / 'pyproject.toml').resolve()}: unknown key 'ignor'\n"


def test_fixer_options_from_the_file(work, dummy_fixer):
    write(work / ".cfnfix.toml", 'select = ["ALL"]\n\n[fixers.zz-test-queue-delay]\ndelay = 60\n')
    write(work / "q.yaml", QUEUE)
    assert invoke("apply", "q.yaml").exit_code == 0
    assert (work / "q.yaml").read_text().endswith("DelaySeconds: 60\n")


def test_command_line_option_overrides_the_file(work, dummy_fixer):
    write(work / ".cfnfix.toml", 'select = ["ALL"]\n\n[fixers.zz-test-queue-delay]\ndelay = 60\n')
    write(work / "q.yaml", QUEUE)
    assert invoke("apply", "--option", "zz-test-queue-delay.delay=7", "q.yaml").exit_code == 0
    assert (work / "q.yaml").read_text().endswith("DelaySeconds: 7\n")


# --- who opts out -----------------------------------------------------------------------------

def test_per_file_ignores(work):
    write(work / ".cfnfix.toml", f'[per-file-ignores]\n"legacy/**.yaml" = ["{HANDLER}"]\n')
    write(work / "legacy" / "old" / "t.yaml", TEMPLATE)
    write(work / "new" / "t.yaml", TEMPLATE)
    result = invoke("apply", "legacy", "new")
    assert result.exit_code == 0
    assert (work / "legacy" / "old" / "t.yaml").read_text() == TEMPLATE
    assert (work / "new" / "t.yaml").read_text() == FIXED


def test_per_file_ignores_are_relative_to_the_config_file(work, monkeypatch):
    write(work / "repo" / ".cfnfix.toml", f'[per-file-ignores]\n"legacy/*.yaml" = ["{HANDLER}"]\n')
    write(work / "repo" / "legacy" / "t.yaml", TEMPLATE)
    monkeypatch.chdir(work / "repo" / "legacy")
    assert invoke("apply", "t.yaml").exit_code == 0
    assert (work / "repo" / "legacy" / "t.yaml").read_text() == TEMPLATE


def test_exclude_applies_to_walked_directories(work):
    write(work / ".cfnfix.toml", 'exclude = ["cdk.out/**", "**/node_modules/**"]\n')
    write(work / "cdk.out" / "Stack.template.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    write(work / "web" / "node_modules" / "pkg" / "t.yaml", TEMPLATE)
    write(work / "stack.yaml", TEMPLATE)
    result = invoke("apply", "-v", ".")
    assert result.exit_code == 0
    assert "cdk.out" not in result.stdout and "node_modules" not in result.stdout
    assert (work / "web" / "node_modules" / "pkg" / "t.yaml").read_text() == TEMPLATE
    assert (work / "stack.yaml").read_text() == FIXED


def test_resource_metadata_opts_one_resource_out(work):
    text = TWO_FUNCTIONS.replace(
        "  Worker:\n    Type: AWS::Lambda::Function\n",
        f"  Worker:\n    Type: AWS::Lambda::Function\n    Metadata:\n      cfnfix:\n        ignore: [{HANDLER}]\n",
    )
    path = write(work / "t.yaml", text)
    assert invoke("apply", "t.yaml").exit_code == 0
    assert handlers(path) == ["Handler: lambda_function.lambda_handler", "Handler: index.lambda_handler"]


def test_template_metadata_opts_the_whole_file_out(work):
    for ignore in (f"[{HANDLER}]", HANDLER):  # a list, or one name
        path = write(work / "t.yaml", f"Metadata:\n  cfnfix:\n    ignore: {ignore}\n" + TWO_FUNCTIONS)
        result = invoke("check", "t.yaml")
        assert result.exit_code == 0, ignore
        assert handlers(path) == ["Handler: lambda_function.lambda_handler", "Handler: other.lambda_handler"]


def test_metadata_of_another_fixer_changes_nothing(work):
    path = write(work / "t.yaml", "Metadata:\n  cfnfix:\n    ignore: [s3-lifecycle]\n" + TEMPLATE)
    assert invoke("apply", "t.yaml").exit_code == 0
    assert handlers(path) == ["Handler: index.lambda_handler"]


def test_metadata_in_json_templates(work):
    text = (
        '{"Metadata": {"cfnfix": {"ignore": ["%s"]}},\n'
        ' "Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {\n'
        '   "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",\n'
        '   "Code": {"ZipFile": "def handler(event, context):\\n    return 1\\n"}}}}}\n' % HANDLER
    )
    write(work / "t.json", text)
    assert invoke("check", "t.json").exit_code == 0
    write(work / "u.json", text.replace(HANDLER, "s3-lifecycle"))
    assert invoke("check", "--select", HANDLER, "u.json").exit_code == 1
