import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from support import same_document  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def reparse_matches_parse():
    """Every document the engine re-parses in part during the tests (fixtures and the corpus
    sweep, whose workers fork from this process) must equal the whole parse of its text."""
    from cfnfix import engine
    from cfnfix.document import parse

    incremental = engine.reparse

    def checked(old, text, edits, newline):
        edits = list(edits)
        doc = incremental(old, text, edits, newline)
        difference = same_document(doc, parse(text))
        assert difference is None, f"reparse differs from parse: {difference}"
        return doc

    engine.reparse = checked
    yield
    engine.reparse = incremental
