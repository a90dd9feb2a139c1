"""Issue-20 part A (session 5): the twin subnet ``required-property`` gives an Application Load
Balancer that has one (cfn-lint E3680), over the tap models and the AWS sample templates.

    python bench/subnet_twin.py [--no-lint] [--jobs N] [--diffs DIR]

Per corpus: templates with an E3680 finding, fixed (a twin planned), reported, and each report's
reason. The fixed templates (``required-property`` alone, review fixes written) are linted before
and after: the error codes on both sides, and every code the fix introduced (must be none).
``--diffs DIR`` writes the unified diff of every fixed template there, for reading.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cfnfix.config import Config  # noqa: E402
from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = {"tap": sorted(SHARED.glob("tap/*/model.*")), "aws-samples": sorted(SHARED.glob("aws-samples/**/*.*"))}
SUFFIXES = (".yaml", ".yml", ".json", ".template")
LINT_CACHE = ROOT / "tests" / "corpus" / "lint-cache.json"
OWN_CACHE = Path(tempfile.gettempdir()) / "cfnfix-lint-vs-human.json"
CONFIG = Config(unsafe_fixes=True)
FIXER = "required-property"


def _one(path: str) -> dict:
    try:
        text = Path(path).read_bytes().decode("utf-8")
        doc = parse(text)
    except (TemplateError, UnicodeDecodeError, ValueError) as exc:
        return {"path": path, "error": str(exc)}
    found = [f for f in all_fixers()[FIXER]().find(doc) if f.message.startswith("E3680")]
    out: dict = {"path": path, "fixable": sum(f.fixable for f in found),
                 "reasons": [f.message.split("; ", 1)[-1] for f in found if not f.fixable]}
    if out["fixable"]:
        result = fix_document(doc, [FIXER], CONFIG)
        out["before"], out["after"] = text, result.after
        again = fix_document(parse(result.after), [FIXER], CONFIG)
        out["second"] = len(again.changes)
    return out


def _lint(text: str) -> list[str]:
    from support import lint_codes

    return sorted(lint_codes(text))


def main() -> None:
    args = sys.argv[1:]
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 2
    diffs = Path(args[args.index("--diffs") + 1]) if "--diffs" in args else None
    cache: dict = {}
    for source in (LINT_CACHE, OWN_CACHE):
        if source.exists():
            cache.update(json.loads(source.read_text()))
    for corpus, paths in CORPORA.items():
        files = [str(p) for p in paths if p.suffix in SUFFIXES]
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_one, files, chunksize=8))
        hits = [r for r in results if r.get("fixable") or r.get("reasons")]
        fixed = [r for r in hits if r.get("fixable")]
        reasons = Counter(re.sub(r"'[^']*'", "'…'", why) for r in hits for why in r.get("reasons", []))
        print(f"## {corpus}: {len(files)} templates, {len(hits)} with an E3680 finding, {len(fixed)} fixed, "
              f"{sum(1 for r in hits if r.get('reasons'))} reported, "
              f"{sum(1 for r in fixed if r.get('second'))} changed again by a second run")
        for why, n in reasons.most_common():
            print(f"  {n} x {why}")
        for r in fixed:
            if diffs is not None:
                diffs.mkdir(parents=True, exist_ok=True)
                name = Path(r["path"]).parent.name if corpus == "tap" else Path(r["path"]).name
                diff = difflib.unified_diff(r["before"].splitlines(True), r["after"].splitlines(True), "before", "after")
                (diffs / f"{corpus}-{name}.diff").write_text("".join(diff))
        if "--no-lint" in args or not fixed:
            continue

        def codes(text: str) -> list[str]:
            key = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if key not in cache:
                cache[key] = _lint(text)
            return cache[key]

        new: Counter = Counter()
        before_n = after_n = 0
        for r in fixed:
            before, after = set(codes(r["before"])), set(codes(r["after"]))
            before_n += "E3680" in before
            after_n += "E3680" in after
            for code in after - before:
                new[code] += 1
                print(f"  new {code}: {r['path']}")
            print(f"  {Path(r['path']).parent.name if corpus == 'tap' else Path(r['path']).name}: "
                  f"{sorted(before)} -> {sorted(after)}")
        print(f"  E3680 in {before_n} fixed templates before, {after_n} after; new codes: {dict(new) or 'none'}")


if __name__ == "__main__":
    main()
