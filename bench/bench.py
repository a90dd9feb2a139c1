"""Time `cfnfix check` and `cfnfix apply --all --dry-run` against cfn-lint on the same templates.

    python bench/bench.py [FOLDER]      (default: ../shared/corpus/aws-samples)

Each command runs once as a subprocess over the same file list, in this one run, so the
ratios compare like with like on the same machine. cfnfix runs with its default worker count;
cfn-lint with its own defaults. Prints a Markdown table.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def templates(folder: Path) -> list[str]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    return sorted(str(p) for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "aws-samples"
    files = templates(folder)
    rows = [
        ("cfn-lint", [str(BIN / "cfn-lint"), *files]),
        ("cfnfix check", [str(BIN / "cfnfix"), "check", "--ignore-non-templates", "-q", *files]),
        ("cfnfix check --all", [str(BIN / "cfnfix"), "check", "--all", "--ignore-non-templates", "-q", *files]),
        ("cfnfix apply --all --dry-run", [str(BIN / "cfnfix"), "apply", "--all", "--dry-run", "--ignore-non-templates", "-q", *files]),
    ]
    times = {name: timed(cmd) for name, cmd in rows}
    base = times["cfn-lint"]
    print(f"{len(files)} files under {folder}\n")
    print("| command | seconds | share of cfn-lint |")
    print("|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| {name} | {seconds:.2f} | {100 * seconds / base:.1f}% |")


if __name__ == "__main__":
    main()
