"""The config file and template metadata: discovery, validation, and who opts out of what."""

from __future__ import annotations

import json
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


def test_discover_with_a_shared_memory_answers_as_a_fresh_search(tmp_path):
    """Folders asked in one run share what the search found above them (discover's ``known``):
    a .cfnfix.toml far above still beats a pyproject.toml with [tool.cfnfix] near another
    folder, a folder with its own file still wins, and a pyproject.toml that cannot be read
    fails each time it is reached, not only the first time."""
    from cfnfix.config import ConfigError, discover

    write(tmp_path / "pyproject.toml", "[tool.cfnfix]\n")
    write(tmp_path / "a" / "pyproject.toml", "[tool.cfnfix]\n")
    write(tmp_path / "a" / "b" / "c" / "t.yaml", "")
    write(tmp_path / "a" / "d" / ".cfnfix.toml", "")
    write(tmp_path / "a" / "d" / "e" / "t.yaml", "")
    write(tmp_path / "x" / "pyproject.toml", "[tool.cfnfix\n")
    write(tmp_path / "x" / "y" / "t.yaml", "")
    folders = [tmp_path / "a" / "b" / "c", tmp_path / "a" / "d" / "e", tmp_path / "a" / "b", tmp_path / "a",
               tmp_path / "a" / "d", tmp_path]
    known: dict = {}
    for folder in folders + folders[::-1]:
        assert discover(folder, known) == discover(folder)
    assert discover(tmp_path / "a" / "b" / "c", known) == tmp_path / "a" / "pyproject.toml"
    assert discover(tmp_path / "a" / "d" / "e", known) == tmp_path / "a" / "d" / ".cfnfix.toml"
    for _ in range(2):
        with pytest.raises(ConfigError):
            discover(tmp_path / "x" / "y", known)

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


# --- per-file configs and file selection like ruff ---------------------------------------------

def test_each_file_gets_the_config_nearest_to_it(work):
    write(work / "a" / ".cfnfix.toml", f'ignore = ["{HANDLER}"]\n')
    write(work / "a" / "x.yaml", TEMPLATE)
    write(work / "b" / "x.yaml", TEMPLATE)
    for order in (("a/x.yaml", "b/x.yaml"), ("b/x.yaml", "a/x.yaml")):
        result = invoke("check", *order)
        assert result.exit_code == 1
        assert "b/x.yaml:17:16: inline-lambda-handler" in result.stdout
        assert "a/x.yaml:" not in result.stdout


def test_exclude_is_a_gitignore_style_glob(work):
    write(work / ".cfnfix.toml", 'exclude = ["build", "legacy/**.yaml"]\n')
    write(work / "build" / "t.yaml", TEMPLATE)
    write(work / "sub" / "build" / "t.yaml", TEMPLATE)
    write(work / "legacy" / "deep" / "t.yaml", TEMPLATE)
    write(work / "stack.yaml", TEMPLATE)
    result = invoke("check", ".")
    assert result.stdout.splitlines()[:-1] == [
        "stack.yaml:17:16: inline-lambda-handler inline code is stored as index.py; handler must be index.<function>"]


def test_walk_skips_gitignored_files_and_tool_directories(work):
    write(work / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(work / ".gitignore", "generated/\n*.out.yaml\n")
    for folder in ("generated", "node_modules/pkg", "cdk.out", ".aws-sam/build", "env", "stacks"):
        write(work / folder / "t.yaml", TEMPLATE)
    write(work / "env" / "pyvenv.cfg", "home = /usr\n")
    write(work / "stacks" / "x.out.yaml", TEMPLATE)
    result = invoke("check", "stacks", ".")
    files = sorted({line.split(":")[0] for line in result.stdout.splitlines()[:-1]})
    assert files == ["stacks/t.yaml"]


def test_metadata_names_are_checked_like_config_names(work):
    text = TEMPLATE.replace("  Worker:\n    Type: AWS::Lambda::Function\n",
                            "  Worker:\n    Type: AWS::Lambda::Function\n    Metadata:\n      cfnfix:\n        ignore: [no-such-fixer]\n")
    write(work / "t.yaml", text)
    result = invoke("apply", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: t.yaml: resource Worker: Metadata/cfnfix/ignore names unknown fixer 'no-such-fixer'\n"
    assert (work / "t.yaml").read_text() == text
    write(work / "t.yaml", text.replace("no-such-fixer", "deploy"))  # a group name opts out its fixers
    assert invoke("check", "t.yaml").exit_code == 0


def test_cfn_lint_suppressions_are_honoured(work):
    misspelt = ("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Metadata:\n      cfn-lint:\n        config:\n"
                "          ignore_checks: [E3002]\n    Properties:\n      DelaySecond: 5\n")
    write(work / "q.yaml", misspelt)
    assert invoke("check", "--select", "property-name", "q.yaml").exit_code == 0
    # every fixer that answers E3002 keeps out of it, unsupported-property's renames included
    assert invoke("check", "--unsafe-fixes", "--select", "property-name,unsupported-property", "q.yaml").exit_code == 0
    write(work / "q.yaml", misspelt.replace("[E3002]", "[W1001]"))
    assert invoke("check", "--select", "property-name", "q.yaml").exit_code == 1
    assert invoke("check", "--unsafe-fixes", "--select", "unsupported-property", "q.yaml").exit_code == 1


def test_a_suppressed_rule_is_left_alone_by_a_fixer_of_several_rules(work):
    # allowed-value answers E3030, E3031, E3034 and E3024: a resource ignoring E3030 opts out of
    # that rule only; the template's own ignore_checks hold for every resource
    bucket = ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n{meta}    Properties:\n"
              "      VersioningConfiguration: {{Status: enabled}}\n")
    resource = "    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [E3030]\n"
    write(work / "b.yaml", bucket.format(meta=""))
    assert invoke("check", "--unsafe-fixes", "--select", "allowed-value", "b.yaml").exit_code == 1
    write(work / "b.yaml", bucket.format(meta=resource))
    assert invoke("check", "--unsafe-fixes", "--select", "allowed-value", "b.yaml").exit_code == 0
    write(work / "b.yaml", "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [E30]\n" + bucket.format(meta=""))
    assert invoke("check", "--unsafe-fixes", "--select", "allowed-value", "b.yaml").exit_code == 0
    write(work / "b.yaml", bucket.format(meta=resource.replace("E3030", "E3031")))
    assert invoke("check", "--unsafe-fixes", "--select", "allowed-value", "b.yaml").exit_code == 1


def test_regions_choose_the_schemas(work):
    write(work / ".cfnfix.toml", 'regions = ["mars-1"]\n')
    write(work / "q.yaml", QUEUE)
    result = invoke("check", "q.yaml")
    assert (result.exit_code, result.stderr) == (2, f"cfnfix: {work / '.cfnfix.toml'}: 'regions': unknown region 'mars-1'\n")
    write(work / ".cfnfix.toml", 'regions = ["us-east-1", "eu-west-1"]\n')
    assert invoke("check", "q.yaml").exit_code == 0
    bad = invoke("check", "--regions", "nowhere", "q.yaml")
    assert bad.stderr == "cfnfix: --regions: unknown region 'nowhere'\n"


@pytest.mark.parametrize("suppression", [
    "    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_18\n            comment: a replica\n",
    "    Metadata:\n      bridgecrew:\n        skip:\n          - id: CKV_AWS_18\n",
    "    Metadata:\n      guard:\n        SuppressedRules: [S3_BUCKET_LOGGING_ENABLED]\n",
    "    Metadata:\n      cfn_nag:\n        rules_to_suppress:\n          - id: W35\n            reason: a replica\n",
    "    # checkov:skip=CKV_AWS_18: a replica\n",
])
def test_other_scanners_suppressions_are_honoured(work, suppression):
    # the author told Checkov, cfn-guard or cfn_nag that the bucket logs nowhere: s3-access-logging
    # (CKV_AWS_18) keeps out of it, and only of it; another bucket still gets its fix
    bucket = "  {name}:\n    Type: AWS::S3::Bucket\n{meta}    Properties:\n      VersioningConfiguration: {{Status: Enabled}}\n"
    text = "Resources:\n" + bucket.format(name="Replica", meta=suppression)
    write(work / "b.yaml", text)
    assert invoke("apply", "--unsafe-fixes", "--select", "s3-access-logging", "b.yaml").exit_code == 0
    assert (work / "b.yaml").read_text() == text
    assert invoke("check", "--unsafe-fixes", "--select", "s3-versioning,s3-public-access-block", "b.yaml").exit_code == 1
    write(work / "b.yaml", text + bucket.format(name="Source", meta=""))
    result = invoke("check", "--unsafe-fixes", "--select", "s3-access-logging", "--format", "json", "b.yaml")
    changed = {c["resource"] for c in json.loads(result.stdout)["files"][0]["changes"]}
    assert "Source" in changed and "Replica" not in changed


def test_a_suppression_of_another_check_opts_out_of_nothing(work):
    text = ("Resources:\n  Replica:\n    Type: AWS::S3::Bucket\n    Metadata:\n      checkov:\n        skip:\n"
            "          - id: CKV_AWS_21\n      guard:\n        SuppressedRules: [S3_BUCKET_VERSIONING_ENABLED]\n"
            "    # checkov:skip=CKV_AWS_21: versions are kept elsewhere\n"
            "    Properties:\n      VersioningConfiguration: {Status: Enabled}\n"
            "  Other:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n")
    write(work / "b.yaml", text)
    assert invoke("check", "--unsafe-fixes", "--select", "s3-access-logging", "b.yaml").exit_code == 1
    assert invoke("check", "--unsafe-fixes", "--select", "s3-versioning", "b.yaml").exit_code == 0


def test_a_checkov_comment_holds_for_its_own_resource_only(work):
    text = ("Resources:\n  First:\n    Type: AWS::S3::Bucket\n    # checkov:skip=CKV_AWS_21: versions kept elsewhere\n"
            "  Second:\n    Type: AWS::S3::Bucket\n")
    write(work / "b.yaml", text)
    result = invoke("check", "--unsafe-fixes", "--select", "s3-versioning", "--format", "json", "b.yaml")
    assert {c["resource"] for c in json.loads(result.stdout)["files"][0]["changes"]} == {"Second"}
