"""Mutation fuzz: every fixer on odd but parseable templates, and none of them may raise.

Each input is a real template (the fixtures, and a sample of the shared corpus when it is
there) with one value replaced by a shape CloudFormation authors and generators write where a
fixer might not expect it: an intrinsic, a list where a mapping stands, a number where a
string stands, an empty value. The seed is fixed, so a failure names a reproducible input.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from cfnfix.config import Config
from cfnfix.document import TemplateError, parse
from cfnfix.engine import fix_document
from cfnfix.registry import all_fixers
from support import AS_OF, CORPUS, FIXTURES

MUTATIONS_PER_TEMPLATE = 6  # with the fixtures of 65 fixers, about 2,900 inputs; 8 made the suite pass its 5-minute budget
CORPUS_SAMPLE = 40

SHAPES: list[Any] = [
    {"Ref": "SomeParameter"},
    {"Ref": ["a", "b"]},
    {"Fn::Sub": "${AWS::StackName}-x"},
    {"Fn::GetAtt": ["Missing", "Arn"]},
    {"Fn::If": ["SomeCondition", "a", {"Ref": "AWS::NoValue"}]},
    {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
    {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
    ["item"],
    [],
    {},
    {"Key": "Value"},
    5,
    True,
    None,
    "text",
    "",
]


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, prefix + (i,))
    return out


def _replace(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in data.items()}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(data)]


def _templates() -> list[tuple[str, str]]:
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                   and not p.name.endswith((".changes.json", ".options.json")) and ".fixed." not in p.name)
    if CORPUS.is_dir():
        corpus = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.name != "labels.json")
        files += random.Random(7).sample(corpus, min(CORPUS_SAMPLE, len(corpus)))
    out = []
    for path in files:
        try:
            out.append((path.name, parse(path.read_text(encoding="utf-8")).text))
        except (TemplateError, UnicodeDecodeError):
            continue
    return out


def _inputs() -> list[tuple[str, str]]:
    rng = random.Random(2026)
    inputs = []
    for name, text in _templates():
        data = parse(text).data
        paths = [p for p in _paths(data) if p[0] in ("Resources", "Parameters", "Conditions", "Outputs")]
        for _ in range(min(MUTATIONS_PER_TEMPLATE, len(paths))):
            path = rng.choice(paths)
            shape = rng.choice(SHAPES)
            mutated = _replace(data, path, shape)
            inputs.append((f"{name}:{'/'.join(map(str, path))}={json.dumps(shape)}", json.dumps(mutated, indent=2)))
    return inputs


INPUTS = _inputs()
EVERY_FIXER = Config(select=("ALL",), unsafe_fixes=True, as_of=AS_OF)


def test_enough_inputs():
    assert len(INPUTS) >= 1000


@pytest.mark.parametrize("chunk", range(8))
def test_no_fixer_raises_on_odd_input(chunk):
    failures = []
    for label, text in INPUTS[chunk::8]:
        try:
            doc = parse(text)
        except TemplateError:
            continue
        result = fix_document(doc, list(all_fixers()), EVERY_FIXER)
        failures += [f"{label}: {e.message}" for e in result.fixer_errors if "internal error" in e.message]
    assert failures == []
