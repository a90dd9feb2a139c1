"""Every removal `unsupported-property` makes on the shared corpus under `apply --all`, against a
reviewed list (tests/corpus/unsupported-removals.json: file, path, reason).

A removal is only right when the resource's schema has no home for the value; each entry of the
list was read by eye with that in mind. A new removal, or one that went away, fails the test:
review it and update the list with `python tests/test_unsupported_property_removals.py`.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_sweep import corpus_files  # noqa: E402
from support import CORPUS, ROOT  # noqa: E402

from cfnfix.config import Config  # noqa: E402
from cfnfix.runner import Job, process  # noqa: E402

REVIEWED = ROOT / "tests" / "corpus" / "unsupported-removals.json"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}"),
]


def _removals_in(path: Path) -> list[dict]:
    result = process(str(path), True, Job(config=Config(select=("ALL",), unsafe_fixes=True), dry_run=True))
    return [{"file": path.relative_to(CORPUS).as_posix(), "path": "/".join(map(str, c.path)), "reason": c.message}
            for c in result.changes if c.fixer == "unsupported-property" and c.action == "remove"]


def removals() -> list[dict]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        found = [r for rs in pool.map(_removals_in, corpus_files(), chunksize=8) for r in rs]
    return sorted(found, key=lambda r: (r["file"], r["path"]))


def test_removals_are_the_reviewed_ones():
    reviewed = json.loads(REVIEWED.read_text(encoding="utf-8"))
    assert removals() == reviewed


if __name__ == "__main__":
    REVIEWED.write_text(json.dumps(removals(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {REVIEWED}; review every entry before committing it")
