"""CPU of parsing the JSON templates of a corpus: the strict-JSON fast path against libyaml.

    python bench/json_parse.py [FOLDER] [--runs N]

Default folder: the aws-samples corpus. Parses every ``.json`` file with ``document.parse``,
once as it runs (the fast path of ``document._json_tree``, libyaml for what it declines) and
once with the fast path turned off (libyaml for all, as before issue 21 session 6), the two
alternated ``--runs`` times (the host is shared: a single timing is noise); prints the least
and the median of each.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path
from unittest import mock

from cfnfix import document

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "aws-samples")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    texts = [document.decode(p.read_bytes()) for p in sorted(args.folder.rglob("*.json"))]
    declined = sum(document._json_tree(t.removeprefix("\ufeff"), 0, 0) is None for t in texts)

    def run() -> float:
        start = time.process_time()
        for text in texts:
            document.parse(text, require_template=False)
        return time.process_time() - start

    spent: dict[str, list[float]] = {"fast path": [], "libyaml": []}
    gc.collect()
    for _ in range(args.runs):
        spent["fast path"].append(run())
        with mock.patch.object(document, "_json_tree", return_value=None):
            spent["libyaml"].append(run())
    print(f"{len(texts)} JSON files, {declined} declined by the fast path")
    for name, times in spent.items():
        times.sort()
        print(f"{name}: least {times[0] * 1000:.1f} ms, median {times[len(times) // 2] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
