"""CPU seconds each fixer's find() and fix() take over a corpus, as `apply --all` runs them.

    python bench/fixer_costs.py [FOLDER ...] [--top N] [--profile FILE]

Default folder: the aws-samples corpus. Runs every fixer in one process (like ``-j 1``) and
times each call of find and fix through the engine, so the documents each fixer sees are the
ones it sees in a real run. ``--profile FILE`` also writes a cProfile of the whole run.
"""

from __future__ import annotations

import argparse
import cProfile
import time
from collections import defaultdict
from pathlib import Path

from cfnfix import engine
from cfnfix.config import Overrides, Resolver
from cfnfix.runner import Job, process

ROOT = Path(__file__).resolve().parent.parent


def templates(folders: list[Path]) -> list[str]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    return [str(p) for folder in folders for p in sorted(folder.rglob("*")) if p.suffix in suffixes and p.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--profile")
    args = parser.parse_args()
    folders = args.folders or [ROOT.parent / "shared" / "corpus" / "aws-samples"]
    spent: dict[tuple[str, str], float] = defaultdict(float)
    guard = engine._guard

    def timed(fixer, step, *rest):
        start = time.process_time()
        try:
            return guard(fixer, step, *rest)
        finally:
            spent[fixer.name, step] += time.process_time() - start

    engine._guard = timed
    job = Job(resolver=Resolver(Overrides(run_all=True), None), dry_run=True)
    files = templates(folders)
    profile = cProfile.Profile() if args.profile else None
    start = time.process_time()
    if profile:
        profile.enable()
    for path in files:
        process(path, False, job)
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    total = time.process_time() - start
    fixers = sorted({name for name, _ in spent}, key=lambda n: -(spent[n, "find"] + spent[n, "fix"]))
    print(f"{len(files)} files, {total:.2f} CPU s in all, {sum(spent.values()):.2f} in fixers\n")
    print("| fixer | find (s) | fix (s) | total (s) |")
    print("|---|---:|---:|---:|")
    for name in fixers[: args.top]:
        print(f"| {name} | {spent[name, 'find']:.2f} | {spent[name, 'fix']:.2f} | {spent[name, 'find'] + spent[name, 'fix']:.2f} |")


if __name__ == "__main__":
    main()
