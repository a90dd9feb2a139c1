"""Every fixer documents itself like a lint rule, and docs/fixers/ matches what `explain` prints."""

import re

import pytest
from click.testing import CliRunner

from cfnfix.cli import main
from cfnfix.docs import render_docs
from cfnfix.registry import all_fixers
from support import ROOT

SECTIONS = ("## What it detects", "## Why it matters", "## Example", "## Fix safety", "## Options")


@pytest.mark.parametrize("name", list(all_fixers()))
def test_fixer_docs_have_every_section(name):
    text = render_docs(all_fixers()[name])
    for section in SECTIONS:
        assert section in text, f"{name}: missing {section}"


@pytest.mark.parametrize("name", list(all_fixers()))
def test_generated_docs_are_current(name):
    page = ROOT / "docs" / "fixers" / f"{name}.md"
    assert page.exists(), f"run: python -m cfnfix.docs docs/fixers"
    assert page.read_text(encoding="utf-8") == render_docs(all_fixers()[name]), "stale: python -m cfnfix.docs docs/fixers"


def test_explain_prints_the_docs_page():
    result = CliRunner().invoke(main, ["explain", "inline-lambda-handler"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "docs" / "fixers" / "inline-lambda-handler.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(all_fixers()))
def test_the_checkov_checks_a_fixer_names_are_the_ones_it_gives_way_to(name):
    # a fixer whose docs say it answers a Checkov check keeps out of a resource that skips it
    cls = all_fixers()[name]
    named = set(re.findall(r"CKV2?_AWS_\d+", cls.docs))
    assert named <= set(cls.scanner_checks), f"{name}: docs name {sorted(named - set(cls.scanner_checks))}"
