"""cfnfix as a library: fix_text and fix_file give what `cfnfix apply` writes."""

from __future__ import annotations

import os
from datetime import date

import pytest

import cfnfix
from cfnfix.config import ConfigError
from cfnfix.document import TemplateError
from test_cli import FIXED, TEMPLATE

RUNTIME = TEMPLATE.replace("python3.12", "python3.9")


def test_fix_text_writes_safe_fixes_by_default():
    result = cfnfix.fix_text(TEMPLATE)
    assert result.after == FIXED and result.status == "fixed"
    assert [c.fixer for c in result.changes] == ["inline-lambda-handler"]
    assert result.to_json()["changes"][0]["after"] == "index.lambda_handler"


def test_fix_text_selection_and_unsafe_fixes():
    held = cfnfix.fix_text(RUNTIME, select=["lambda-runtime"], as_of=date(2026, 12, 1))
    assert held.after == RUNTIME and [c.after for c in held.available] == ["python3.14"]
    written = cfnfix.fix_text(RUNTIME, select=["deploy"], unsafe_fixes=True, as_of=date(2026, 12, 1))
    assert "Runtime: python3.14" in written.after and "index.lambda_handler" in written.after
    clean = cfnfix.fix_text(TEMPLATE, ignore=["inline-lambda-handler"])
    assert clean.after == TEMPLATE and clean.status == "clean"


def test_fix_text_options_and_errors():
    with pytest.raises(ConfigError, match="unknown fixer 'nope'"):
        cfnfix.fix_text(TEMPLATE, select=["nope"])
    with pytest.raises(ConfigError, match="unknown option 'x'"):
        cfnfix.fix_text(TEMPLATE, options={"s3-lifecycle": {"x": 1}})
    with pytest.raises(TemplateError, match="not a CloudFormation template"):
        cfnfix.fix_text("just: text\n")


def test_fix_file_writes_only_when_asked(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    os.chmod(path, 0o640)
    result = cfnfix.fix_file(path)
    assert result.after == FIXED and path.read_text() == TEMPLATE
    cfnfix.fix_file(path, write=True)
    assert path.read_text() == FIXED and (path.stat().st_mode & 0o777) == 0o640


def test_make_config_feeds_the_same_engine_as_the_cli():
    config = cfnfix.make_config(select=["ALL"], unsafe_fixes=True)
    assert config.unsafe_fixes and "flatten-nested-stacks" in config.fixers_for("x.yaml")
