"""Issue 20, session 5, part B over the shared tap corpus: conditions that are no boolean
(`template-structure`, E8001/E8004-E8006) and master user names the engine reserves
(`allowed-value`, E3002), each counted on its own findings only.

    python bench/condition_username.py [--jobs N] [--no-lint]

Each part runs its fixer with only its own findings kept (the fixer's other findings set aside)
on every `tap/*/model.*` template, review fixes written, then again on its output. Per part:
templates with findings, templates fixed, templates with reported findings, second runs that
changed something, and, for every changed template, cfn-lint error codes before and after
(linted in full: the changed templates are few; verdicts come from tests/corpus/lint-cache.json
and bench/lint_vs_human.py's cache when present).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402
from cfnfix.registry import all_fixers  # noqa: E402
from qa_fixers import CONFIG, LINT_CACHE, OWN_CACHE, TAP, _lint  # noqa: E402


def _condition(f: Any) -> bool:
    return f.path[:1] == ("Conditions",) and f.message.startswith("E800")


def _username(f: Any) -> bool:
    return "MasterUsername" in f.message and f.path[-1:] == ("MasterUsername",) and (
        not f.fixable or (isinstance(f.detail, tuple) and f.detail[:1] == ("username",)))


PARTS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "condition not boolean": ("template-structure", _condition),
    "reserved master user name": ("allowed-value", _username),
}


def _only(name: str, keep: Callable[[Any], bool]) -> None:
    """Narrow fixer ``name`` (in this process) to the findings ``keep`` accepts."""
    cls = all_fixers()[name]
    if getattr(cls, "_bench_narrowed", False):
        return
    find = cls.find
    cls.find = lambda self, doc: [f for f in find(self, doc) if keep(f)]  # type: ignore[method-assign]
    cls._bench_narrowed = True  # type: ignore[attr-defined]


def _one(path: str) -> dict:
    text = Path(path).read_bytes().decode("utf-8")
    try:
        doc = parse(text)
    except TemplateError as exc:
        return {"path": path, "error": str(exc)}
    out: dict = {"path": path, "parts": {}}
    for part, (name, keep) in PARTS.items():
        _only(name, keep)
        findings = all_fixers()[name]().find(doc)
        result = fix_document(doc, [name], CONFIG)
        row = {"findings": len(findings), "changes": len(result.changes), "reported": len(result.unfixed),
               "second": 0, "before": text, "after": result.after}
        if result.after != text:
            row["second"] = len(fix_document(parse(result.after), [name], CONFIG).changes)
        out["parts"][part] = row
    return out


def main() -> None:
    args = sys.argv[1:]
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 2
    files = sorted(str(p) for p in TAP.glob("*/model.*") if p.suffix in (".yaml", ".yml", ".json"))
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_one, files, chunksize=8))
    print(f"{len(files)} tap model templates ({sum(1 for r in results if 'error' in r)} not parsed)\n")
    print("| part (fixer) | with findings | fixed | reported | second run changed |")
    print("|---|---:|---:|---:|---:|")
    for part, (name, _) in PARTS.items():
        rows = [r["parts"][part] for r in results if part in r.get("parts", {})]
        print(f"| {part} ({name}) | {sum(1 for r in rows if r['findings'])} | {sum(1 for r in rows if r['changes'])} "
              f"| {sum(1 for r in rows if r['reported'])} | {sum(1 for r in rows if r['second'])} |")
        for r in results:
            row = r.get("parts", {}).get(part)
            if row and row["findings"]:
                print(f"    {Path(r['path']).parent.name}: {'fixed' if row['changes'] else 'reported'}")
    if "--no-lint" in args:
        return
    cache: dict = {}
    for source in (LINT_CACHE, OWN_CACHE):
        if source.exists():
            cache.update(json.loads(source.read_text()))
    changed = [(part, r["path"], row["before"], row["after"]) for r in results
               for part, row in r.get("parts", {}).items() if row["after"] != row["before"]]
    texts = list(dict.fromkeys(t for _, _, b, a in changed for t in (b, a)
                               if hashlib.sha1(t.encode("utf-8")).hexdigest() not in cache))
    with ProcessPoolExecutor(jobs) as pool:
        linted = dict(zip(texts, pool.map(_lint, texts)))

    def codes(text: str) -> set[str]:
        return set(cache.get(hashlib.sha1(text.encode("utf-8")).hexdigest()) or linted.get(text, []))

    for part in PARTS:
        mine = [(p, b, a) for q, p, b, a in changed if q == part]
        before: Counter = Counter()
        after: Counter = Counter()
        new: Counter = Counter()
        for path, b, a in mine:
            before.update(codes(b))
            after.update(codes(a))
            for code in codes(a) - codes(b):
                new[code] += 1
                print(f"  new {code}: {Path(path).parent.name}")
        print(f"{part}: {len(mine)} changed templates; cfn-lint error codes before {dict(before)}, after "
              f"{dict(after)}; templates with an error before {sum(1 for _, b, _ in mine if codes(b))}, after "
              f"{sum(1 for _, _, a in mine if codes(a))}; new codes: {dict(new) or 'none'}")


if __name__ == "__main__":
    main()
