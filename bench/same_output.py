"""Record, or compare with a record, what `cfnfix apply --all --dry-run` makes of every corpus file.

    python bench/same_output.py record DIR      write one file per corpus template into DIR
    python bench/same_output.py compare DIR     exit 1 and list the templates whose result differs

For each template (the aws-samples corpus and every tap model) the record holds the fixed text,
the status and the change log, pending review fixes, unfixed findings and fixer errors (as the
JSON report shows them): a performance change must leave every one of them byte-identical.
Runs in-process, in two worker processes; ``--as-of`` is pinned so the date does not matter,
and the checkout's own path is written as ``<checkout>``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
CORPUS = CHECKOUT.parent / "shared" / "corpus"
AS_OF = date(2026, 12, 1)


def corpus() -> list[str]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    samples = sorted(str(p) for p in (CORPUS / "aws-samples").rglob("*") if p.suffix in suffixes and p.is_file())
    models = sorted(str(p) for p in (CORPUS / "tap").glob("*/model.*"))
    return samples + models


def outcome(path: str) -> str:
    from cfnfix.config import Overrides, Resolver
    from cfnfix.runner import Job, process

    job = Job(resolver=Resolver(Overrides(run_all=True, as_of=AS_OF), None), dry_run=True)
    result, _ = process(path, False, job)
    record = {
        "status": result.status, "error": result.error, "output": result.output,
        "changes": [c.to_json() for c in result.changes],
        "available": [c.to_json() for c in result.available],
        "unfixed": [p.to_json() for p in result.unfixed],
        "fixer_errors": [p.to_json() for p in result.fixer_errors],
        "companions": result.companions,
    }
    report = json.dumps(record, indent=1, sort_keys=True, default=str)
    # a message may name the project root, which is this checkout: records made in another
    # checkout (a worktree) compare equal all the same
    report = report.replace(str(CHECKOUT), "<checkout>")
    return report + "\n=====\n" + (result.after or "")


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:  # line endings as written
        return handle.read()


def key(path: str) -> str:
    return hashlib.sha1(path.encode()).hexdigest()[:16] + "-" + Path(path).parent.name + "-" + Path(path).name


def main() -> int:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    files = corpus()
    from cfnfix.registry import all_fixers

    all_fixers()  # every module loaded before the workers fork: edits made meanwhile do not leak in
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(outcome, files, chunksize=8))
    if mode == "record":
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in zip(files, results):
            (folder / key(path)).write_text(text, encoding="utf-8")  # no newline translation on write
        print(f"recorded {len(files)} templates in {folder}")
        return 0
    differ = [path for path, text in zip(files, results)
              if not (folder / key(path)).exists() or _read(folder / key(path)) != text]
    for path in differ:
        print("differs:", path)
    print(f"{len(files)} templates, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
