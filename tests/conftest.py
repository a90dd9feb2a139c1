import os
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from support import same_document  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def reparse_matches_parse():
    """Every document the engine re-parses in part during the tests must equal the whole parse
    of its text: every one in this process (fixtures and focused tests), and one in three,
    chosen by the text, in the corpus sweep's workers, which fork from it. Checking all of the
    sweep's (about 7,000) cost a quarter of the suite's time, against a five-minute budget."""
    from cfnfix import engine
    from cfnfix.document import parse

    incremental = engine.reparse
    here = os.getpid()

    def checked(old, text, spans):
        doc = incremental(old, text, spans)
        if os.getpid() == here or zlib.crc32(text.encode("utf-8", "surrogatepass")) % 3 == 0:
            difference = same_document(doc, parse(text))
            assert difference is None, f"reparse differs from parse: {difference}"
        return doc

    engine.reparse = checked
    yield
    engine.reparse = incremental
