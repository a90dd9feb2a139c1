"""Time `cfnfix check` and `cfnfix apply --all --dry-run` against cfn-lint on the same templates.

    python bench/bench.py [FOLDER]      (default: ../shared/corpus/aws-samples)
    python bench/bench.py --scaling     one template of 1,500 and one of 15,000 S3 buckets

Each command runs once as a subprocess over the same file list, in this one run, so the
ratios compare like with like on the same machine. cfnfix runs with its default worker count;
cfn-lint with its own defaults. Prints a Markdown table.

``--scaling`` checks that cost grows linearly with the number of resources: ten times the
buckets should take about ten times as long (issue 15: 16,000 buckets once took 197 s).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
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


def buckets(count: int) -> str:
    """A template of ``count`` plain versioned S3 buckets: every bucket fixer has work on each."""
    body = "".join(
        f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n"
        f"        Status: Enabled\n"
        for i in range(count)
    )
    return "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + body


def scaling() -> None:
    print("| buckets | bytes | apply --all --dry-run (s) | check --all (s) |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for count in (1_500, 15_000):
            path = Path(folder) / f"buckets{count}.yaml"
            path.write_text(buckets(count))
            apply = timed([str(BIN / "cfnfix"), "apply", "--all", "--dry-run", "-q", str(path)])
            check = timed([str(BIN / "cfnfix"), "check", "--all", "-q", str(path)])
            print(f"| {count:,} | {path.stat().st_size:,} | {apply:.2f} | {check:.2f} |")


def main() -> None:
    if sys.argv[1:] == ["--scaling"]:
        scaling()
        return
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
