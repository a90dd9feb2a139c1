"""Every template of the shared corpus survives the engine: untouched it comes back byte for byte,
and a one-scalar edit changes exactly one line.

Each file is parsed once; both checks of a file run back to back and share that parse.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from cfnfix.config import Config
from cfnfix.document import Document, TemplateError, decode, parse
from cfnfix.edits import Editor, apply_edits
from cfnfix.engine import fix_document
from support import CORPUS, data_diff

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not checked out"),
]

SUFFIXES = (".yaml", ".yml", ".json", ".template")
PROBE = "Custom::CfnfixProbe"

# Files with a template suffix that are not templates the engine accepts, and why (a fragment of
# the one-line error). The duplicate-key files are real template mistakes: CloudFormation rejects
# them too, so the error must name the line and the key.
NOT_TEMPLATES = {
    "aws-samples/.github/workflows/stale.yml": "not a CloudFormation template",
    "aws-samples/CloudFormation/CustomResources/getfromjson/bandit.json": "not a CloudFormation template",
    "aws-samples/CloudFormation/CustomResources/getfromjson/bandit.yml": "not a CloudFormation template",
    **{
        f"aws-samples/CloudFormation/CustomResources/getfromjson/src/events/event-{name}.json": "not a CloudFormation template"
        for name in (
            "consume-from-list-retrieval-error",
            "consume-from-list",
            "consume-from-map-retrieval-error",
            "consume-from-map",
            "empty-json-data-input",
            "empty-search-input",
            "invalid-json-data-input",
            "invalid-search-input",
        )
    },
    "aws-samples/CloudFormation/MacrosExamples/Count/event.json": "not a CloudFormation template",
    "aws-samples/CloudFormation/MacrosExamples/Count/event_bad.json": "not a CloudFormation template",
    "aws-samples/EKS/manifest.yml": "line 21: invalid YAML: more than one YAML document",
    "aws-samples/Solutions/CodeBuildAndCodePipeline/codebuild-app-build.yml": "not a CloudFormation template",
    "aws-samples/Solutions/CodeBuildAndCodePipeline/codebuild-app-deploy.yml": "not a CloudFormation template",
    "tap/229161-2414e72d/model.yaml": "line 61: duplicate key 'AWSTemplateFormatVersion' in the top level",
    "tap/Pr7022-7c4079e4/model.yaml": "line 770: duplicate key 'Mappings' in the top level",
    "tap/Pr92-13130241/model.yaml": "line 138: duplicate key 'Resources' in the top level",
    "tap/Pr9333-3459c4db/model.yaml": "line 80: duplicate key 'us-east-1' in Mappings/RegionMap",
}


def _candidates() -> list[str]:
    """Corpus files that look like templates by name (labels.json, READMEs and licences are not)."""
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and p.name != "labels.json"
    )


CANDIDATES = _candidates()
TEMPLATES = [rel for rel in CANDIDATES if rel not in NOT_TEMPLATES]


@lru_cache(maxsize=2)
def _load(rel: str) -> tuple[bytes, Document]:
    raw = (CORPUS / rel).read_bytes()
    return raw, parse(decode(raw))


def _probe_path(doc: Document) -> tuple:
    """A scalar every template has: the first resource's Type, else Description or the version."""
    for rid, res in doc.resources.items():
        if isinstance(res, dict) and isinstance(res.get("Type"), str):
            return ("Resources", rid, "Type")
    return ("Description",) if "Description" in doc.data else ("AWSTemplateFormatVersion",)


def test_corpus_is_there():
    assert len(TEMPLATES) > 1400, f"only {len(TEMPLATES)} templates found under {CORPUS}"


@pytest.mark.parametrize("rel", sorted(NOT_TEMPLATES))
def test_non_templates_are_refused_with_a_clear_cause(rel):
    with pytest.raises(TemplateError) as exc:
        parse(decode((CORPUS / rel).read_bytes()))
    assert NOT_TEMPLATES[rel] in str(exc.value)
    assert "\n" not in str(exc.value)


# File-major order: both checks of one file run together, so _load parses each file once.
@pytest.mark.parametrize("check", ["round_trip", "one_line_edit"])
@pytest.mark.parametrize("rel", TEMPLATES)
def test_corpus_template(rel, check):
    raw, doc = _load(rel)
    if check == "round_trip":
        _check_round_trip(raw, doc)
    else:
        _check_one_line_edit(doc)


def _check_round_trip(raw: bytes, doc: Document) -> None:
    assert apply_edits(doc.text, []).encode("utf-8") == raw
    assert Editor(doc).edits() == []
    result = fix_document(doc, [], Config())
    assert result.status == "clean" and result.after.encode("utf-8") == raw


def _check_one_line_edit(doc: Document) -> None:
    path = _probe_path(doc)
    node = doc.node(path)
    editor = Editor(doc)
    editor.set(path, PROBE)
    new = apply_edits(doc.text, editor.edits(), newline="\r\n" if "\r\n" in doc.text else "\n")

    before, after = doc.text.splitlines(keepends=True), new.splitlines(keepends=True)
    line = doc.line_col(node.start)[0] - 1
    assert len(before) == len(after), "the edit added or removed lines"
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [line]
    col, end_col = doc.column(node.start), doc.column(node.end)
    assert after[line].startswith(before[line][:col]) and after[line].endswith(before[line][end_col:])

    reparsed = parse(new)
    value = reparsed.data
    for part in path:
        value = value[part]
    assert value == PROBE
    assert data_diff(doc.data, reparsed.data) == [path]
