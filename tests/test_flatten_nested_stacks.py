"""flatten-nested-stacks: parent + children fixture trees, and the runner's write-beside hook.

Each case is a folder fixtures/flatten-nested-stacks/<case>/ holding the parent
``template.{yaml,json}``, its children (any names, any depth), and the recorded
``template.flat.{yaml,json}`` and ``changes.json``; optional ``options.json`` (the fixer's
options) and ``error.txt`` (the expected one-line error: nothing is written).
Record with ``python tests/test_flatten_nested_stacks.py CASE...``, then review every file.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import FIXTURES, covered, data_diff, lint_codes  # noqa: E402

from cfnfix.cli import main  # noqa: E402
from cfnfix.config import Config  # noqa: E402
from cfnfix.document import parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402

NAME = "flatten-nested-stacks"
FOLDER = FIXTURES / NAME
CASES = sorted(p for p in FOLDER.iterdir() if p.is_dir()) if FOLDER.is_dir() else []


def parent_of(case: Path) -> Path:
    return next(p for p in sorted(case.glob("template.*")) if ".flat." not in p.name)


def flat_of(parent: Path) -> Path:
    return parent.with_name(f"template.flat{parent.suffix}")


def flatten(parent: Path, options: dict | None = None, text: str | None = None):
    config = Config(fixer_options={NAME: options} if options else {}, unsafe_fixes=True)  # flattening is a review fix
    text = parent.read_text(encoding="utf-8") if text is None else text
    return fix_document(parse(text), [NAME], config, source_path=str(parent))


def options_of(case: Path) -> dict:
    path = case / "options.json"
    return json.loads(path.read_text()) if path.exists() else {}


def children_of(case: Path, parent: Path) -> list[Path]:
    return [p for p in sorted(case.rglob("*")) if p.suffix in (".yaml", ".json") and p != parent
            and ".flat." not in p.name and p.name not in ("changes.json", "options.json")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    parent = parent_of(case)
    result = flatten(parent, options_of(case))
    error = case / "error.txt"
    if error.exists():  # a fixer that fails loses only its own findings: the file stays as it was
        assert result.after == parent.read_text(encoding="utf-8")
        assert [e.message for e in result.fixer_errors] == [error.read_text().strip().removesuffix("; nothing written")]
        return
    assert result.status != "error", result.error
    expected = flat_of(parent)
    before = parent.read_text(encoding="utf-8")
    assert result.after == (expected.read_text(encoding="utf-8") if expected.exists() else before)
    log = {"changes": [c.to_json() for c in result.changes], "unfixed": [u.to_json() for u in result.unfixed]}
    assert log == json.loads((case / "changes.json").read_text())
    if not expected.exists():
        return
    assert result.output == str(expected)
    flat = parse(result.after)
    assert not [r for r, body in flat.resources.items() if body.get("Type") == "AWS::CloudFormation::Stack"]
    second = flatten(expected, options_of(case), result.after)
    assert second.after == result.after and not second.changes and not second.unfixed
    known = set(lint_codes(before))
    for child in children_of(case, parent):
        known |= lint_codes(child.read_text(encoding="utf-8"))
    assert not lint_codes(result.after) - known, f"cfn-lint errors introduced: {sorted(lint_codes(result.after) - known)}"
    logged = [tuple(c.path) for c in result.changes]
    stray = [p for p in data_diff(parse(before).data, flat.data) if not covered(p, logged)]
    assert not stray, f"data changed at paths no change names: {stray}"


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(FOLDER / case, target, ignore=shutil.ignore_patterns("*.flat.*", "changes.json", "error.txt"))
    return target


def test_cli_writes_beside_the_parent_and_keeps_it(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    parent = case / "template.yaml"
    before = parent.read_bytes()
    out = CliRunner().invoke(main, ["apply", "--unsafe-fixes", "--select", NAME, str(parent)])
    assert out.exit_code == 0, out.output
    assert parent.read_bytes() == before
    assert (case / "template.flat.yaml").read_bytes() == (FOLDER / "two-levels" / "template.flat.yaml").read_bytes()
    assert "-> " + str(case / "template.flat.yaml") in out.output


def test_cli_output_option_names_the_target(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    target = tmp_path / "one.yaml"
    out = CliRunner().invoke(main, ["apply", "--unsafe-fixes", "--select", NAME, "-o", str(target), str(case / "template.yaml")])
    assert out.exit_code == 0, out.output
    assert target.exists() and not (case / "template.flat.yaml").exists()


def test_cli_missing_child_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    (case / "subnets.yaml").unlink()
    out = CliRunner().invoke(main, ["apply", "--select", NAME, str(case / "template.yaml")])
    assert out.exit_code == 2
    assert "nested stack Subnets: TemplateURL subnets.yaml names no local file" in out.output
    assert not (case / "template.flat.yaml").exists()


def test_check_reports_without_writing(tmp_path: Path) -> None:
    case = _copy("two-levels", tmp_path)
    out = CliRunner().invoke(main, ["check", "--unsafe-fixes", "--select", NAME, str(case / "template.yaml")])
    assert out.exit_code == 1
    assert not (case / "template.flat.yaml").exists()


def test_other_fixers_still_write_in_place_without_source_path() -> None:
    """Engine regression: fix_document's new source_path argument is optional."""
    text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    result = fix_document(parse(text), [NAME], Config())
    assert result.status == "clean" and result.output is None


if __name__ == "__main__":  # record: python tests/test_flatten_nested_stacks.py CASE...
    for name in sys.argv[1:]:
        case = FOLDER / name
        parent = parent_of(case)
        result = flatten(parent, options_of(case))
        if result.status == "error":
            (case / "error.txt").write_text(result.error + "\n")
            print("recorded error", name, result.error)
            continue
        if result.after != parent.read_text(encoding="utf-8"):
            flat_of(parent).write_text(result.after, encoding="utf-8")
        log = {"changes": [c.to_json() for c in result.changes], "unfixed": [u.to_json() for u in result.unfixed]}
        (case / "changes.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n")
        print("recorded", name)
