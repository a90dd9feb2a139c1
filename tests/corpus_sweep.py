"""Every fixer on every real template of ../shared/corpus: the data behind test_corpus and the report.

The sweep runs the same code path as `cfnfix apply --all --dry-run` on each file, then the
second run, the `check` run, and cfn-lint on input and output of every file that changed.
cfn-lint's codes are memoised in tests/corpus/lint-cache.json, keyed by the SHA-1 of the
template text (cfn-lint's version is pinned): linting is most of the sweep's cost, and a text
already linted needs no second look. An output that a code change makes new is linted afresh;
`python bench/corpus_report.py --refresh-lint-cache` records it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cfnfix.config import Config, Resolver
from cfnfix.document import Document, parse
from cfnfix.nodepath import editor_path
from cfnfix.runner import Job, process, run

from support import CORPUS, ROOT, lint_codes, patched

LINT_CACHE = ROOT / "tests" / "corpus" / "lint-cache.json"
EXPECTED_ERRORS = ROOT / "tests" / "corpus" / "expected-errors.json"
# Every removal unsupported-property makes under `apply --all`, each read by eye: the schema has
# no home for the value. Re-record with `python bench/corpus_report.py --record-removals`.
REVIEWED_REMOVALS = ROOT / "tests" / "corpus" / "unsupported-removals.json"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def corpus_files() -> list[Path]:
    return sorted(
        p for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and p.name != "labels.json"
    )


def _key(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@dataclass
class Outcome:
    path: str
    status: str
    error: str | None = None
    changes: list[dict] = field(default_factory=list)
    unfixed: list[dict] = field(default_factory=list)
    second_run_changes: int = 0
    check_status: str = ""  # `check` with the default selection and safety
    apply_wrote: bool = False  # `apply` with the same options changed the file
    fixer_errors: list[str] = field(default_factory=list)
    stray_lines: list[int] = field(default_factory=list)
    diff_patches: bool = True  # the dry-run diff turns the template into its fixed text
    new_lint_errors: list[str] = field(default_factory=list)
    lint_before: list[str] = field(default_factory=list)
    lint_after: list[str] = field(default_factory=list)
    lint_seen: dict[str, list[str]] = field(default_factory=dict)  # every text linted: digest -> codes
    lint_missing: int = 0  # texts the cache lacked, with lint="cached": not linted
    after: str = ""


def _covered_lines(doc: Document, paths: list[tuple], other: Document, gone: bool = False) -> set[int]:
    """Lines that the nodes at ``paths`` (with their keys) occupy in ``doc``.

    A path whose ancestors ``other`` lacks covers its outermost new ancestor: adding
    Parameters/X to a template without Parameters writes the ``Parameters:`` line too.
    """
    lines: set[int] = set()
    for path in paths:
        path = editor_path(doc, path)  # a data path through a short-form intrinsic (!If) names its node
        for depth in range(1, len(path)):
            if other.node(path[:depth]) is None:
                path = path[:depth]
                break
        # the key line of the deepest existing holder: a mapping that gains its first key, or
        # loses its last one, may be rewritten there (`Key: {}`)
        holder = path[:-1]
        while holder and doc.node(holder) is None:
            holder = holder[:-1]
        if holder:
            lines.add(doc.line_col(_entry_start(doc, holder))[0])
        node = doc.node(path)
        if node is None or gone:  # gone: removed items' indexes now name their successors
            continue
        start = _entry_start(doc, path)
        first, _ = doc.line_col(start)
        last, _ = doc.line_col(max(node.end, start))
        lines.update(range(first, last + 1))
    return lines


def _entry_start(doc: Document, path: tuple) -> int:
    """Where the entry for ``path`` begins: its key in a mapping, else the node itself."""
    node = doc.node(path)
    parent = doc.node(path[:-1]) if path else None
    if parent is not None and parent.kind == "map":
        entry = parent.entry(path[-1])
        if entry:
            return min(node.start, entry[0].start)
    return node.start


def stray_lines(before: str, after: str, changes: list[dict]) -> list[int]:
    """Lines changed although no logged change covers them (positive: output line, negative: input).

    The lines the logged changes occupy are taken out of input and output; what remains must be
    the same sequence. Nothing is aligned, so repeated lines cannot hide or fake a change. A
    trailing comma is a JSON separator (the neighbour of an added or removed member gains or
    loses one), and blank lines and lines of brackets alone carry no content: none of them count.
    """
    old, new = parse(before, duplicates=True), parse(after)  # the input may repeat keys mapping-key repairs
    paths = [tuple(c["path"]) for c in changes]
    def within(c: dict) -> bool:
        """A move inside the object at the path (a key renamed, or moved under a sibling key):
        ``before`` names the key, or the path below the object, it came from."""
        holder, source = old.value(tuple(c["path"])), c["before"]
        key = source[0] if isinstance(source, list) and source else source
        return isinstance(holder, dict) and isinstance(key, str) and key in holder

    # what was removed or moved away is gone: a sequence index now names the item's successor
    gone = [tuple(c["path"]) for c in changes
            if c["action"] == "remove" or (c["action"] == "move" and not within(c))]
    kept = [p for p in paths if p not in gone]
    old_cover = _covered_lines(old, paths, new)
    new_cover = _covered_lines(new, kept, old) | _covered_lines(new, gone, old, gone=True)

    def rest(text: str, cover: set[int]) -> list[tuple[int, str]]:
        lines = text.split("\n")  # as Document.line_col counts them (splitlines also breaks at \x85, \u2028...)
        for number in sorted(cover):  # the comment lines directly above an entry, indented like it, go with it
            indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
            while number > 1 and number - 1 not in cover and lines[number - 2].lstrip().startswith("#") \
                    and len(lines[number - 2]) - len(lines[number - 2].lstrip()) == indent:
                number -= 1
                cover.add(number)
        kept = []
        for number, line in enumerate(lines, 1):
            line = line.rstrip().rstrip(",")
            if number not in cover and line.strip(" \t{}[]"):
                kept.append((number, line))
        return kept

    a, b = rest(before, old_cover), rest(after, new_cover)
    stray = []
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            stray += [-a[i][0] for i in range(i1, i2)] + [b[j][0] for j in range(j1, j2)]
    return stray


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class _NotCached(Exception):
    """A text the lint cache lacks, in a sweep that lints from the cache only."""


def _lint(text: str, cache: dict[str, list[str]], seen: dict[str, list[str]], cached_only: bool = False) -> list[str]:
    """cfn-lint's error codes for ``text``, from the cache when it has them; noted in ``seen``."""
    digest = _digest(text)
    codes = cache.get(digest)
    if codes is None and cached_only:
        raise _NotCached(digest)
    codes = sorted(codes) if codes is not None else sorted(lint_codes(text))
    seen[digest] = codes
    return codes


def _children(parent: Path) -> list[Path]:
    """Templates beside a parent (its folder and below): where flattening finds nested stacks."""
    return [p for p in parent.parent.rglob("*") if p.suffix in SUFFIXES and p != parent and p.name != "labels.json"]


def _apply_writes(path: Path, config: Config) -> bool:
    """Whether `cfnfix apply` with ``config`` (default fixers, which read no sibling files)
    changes a copy of ``path`` or writes a file beside it."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / path.name
        shutil.copyfile(path, target)
        run([(str(target), True)], Job(resolver=Resolver.always(config)))
        return target.read_bytes() != path.read_bytes() or len(list(Path(tmp).iterdir())) > 1


def sweep_one(path: Path, lint_cache: dict[str, list[str]] | None = None, lint: bool | str = True) -> Outcome:
    """``lint``: True lints what the cache lacks (slow), "cached" uses the cache alone and counts
    what it lacks in ``lint_missing``, False lints nothing."""
    # the corpus is a tree of projects without .git: its children may be inlined from anywhere in it
    all_fixers = Config(select=("ALL",), unsafe_fixes=True,
                        fixer_options={"flatten-nested-stacks": {"allowed-roots": (str(CORPUS),)}})
    raw = path.read_bytes()
    result, _ = process(str(path), True, Job(resolver=Resolver.always(all_fixers), dry_run=True))
    out = Outcome(_key(path), result.status, result.error,
                  [c.to_json() for c in result.changes], [u.to_json() for u in result.unfixed])
    out.fixer_errors = [e.message for e in result.fixer_errors]
    if result.status == "error":
        return out
    defaults = Config()
    out.check_status = process(str(path), True, Job(resolver=Resolver.always(defaults), dry_run=True))[0].status
    out.apply_wrote = _apply_writes(path, defaults)
    if result.status == "clean":
        return out
    before = raw.decode("utf-8")
    out.after = result.after
    second, _ = process("-", True, Job(resolver=Resolver.always(all_fixers), dry_run=True), result.after.encode("utf-8"))
    out.second_run_changes = len(second.changes) + (second.status == "error")
    out.stray_lines = stray_lines(before, result.after, out.changes)
    try:
        out.diff_patches = patched(result.before, result.diff) == result.after
    except AssertionError:  # a context or removed line the text does not have
        out.diff_patches = False
    if lint:
        cache = lint_cache or {}
        only = lint == "cached"
        try:
            out.lint_before = _lint(before, cache, out.lint_seen, only)
            if any(c["fixer"] == "flatten-nested-stacks" for c in out.changes):
                # the flattened template answers for its children's errors too
                for child in _children(path):
                    codes = _lint(child.read_bytes().decode("utf-8"), cache, out.lint_seen, only)
                    out.lint_before = sorted(set(out.lint_before) | set(codes))
            out.lint_after = _lint(result.after, cache, out.lint_seen, only)
        except _NotCached:
            out.lint_missing += 1
            return out
        out.new_lint_errors = sorted(set(out.lint_after) - set(out.lint_before))
    return out


def _sweep_entry(args: tuple) -> Outcome:
    path, cache, lint = args
    try:
        return sweep_one(path, cache, lint)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding of the sweep, not the end of it
        return Outcome(_key(path), "crash", f"{type(exc).__name__}: {exc}")


def sweep(lint: bool | str = True, files: list[Path] | None = None) -> list[Outcome]:
    cache = json.loads(LINT_CACHE.read_text()) if LINT_CACHE.exists() else {}
    files = files if files is not None else corpus_files()
    jobs = os.cpu_count() or 1
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_sweep_entry, [(p, cache, lint) for p in files], chunksize=8))


def _fixture_lint(text: str) -> tuple[str, list[str]]:
    return _digest(text), sorted(lint_codes(text))


def fixture_lints(old: dict[str, list[str]]) -> dict[str, list[str]]:
    """cfn-lint's codes for every golden fixture's input and expected output (what the fixture
    guarantees lint), from ``old`` where it has them."""
    texts = [p.read_bytes().decode("utf-8") for p in sorted((ROOT / "fixtures").rglob("*"))
             if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
             and not p.name.endswith((".changes.json", ".options.json")) and p.name != "changes.json"]
    known = {d: old[d] for d in map(_digest, texts) if d in old}
    todo = [t for t in dict.fromkeys(texts) if _digest(t) not in known]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        known.update(pool.map(_fixture_lint, todo, chunksize=4))
    return known


def refresh_lint_cache(outcomes: list[Outcome]) -> None:
    """Record cfn-lint's codes for every input and output the sweep linted, and for the golden
    fixtures, and only those."""
    old = json.loads(LINT_CACHE.read_text()) if LINT_CACHE.exists() else {}
    cache = fixture_lints(old)
    for o in outcomes:
        cache.update(o.lint_seen)
    LINT_CACHE.parent.mkdir(parents=True, exist_ok=True)
    LINT_CACHE.write_text(json.dumps(dict(sorted(cache.items())), indent=0) + "\n")



def unsupported_removals(outcomes: list[Outcome]) -> list[dict]:
    """The removals unsupported-property made in the sweep, as the reviewed list records them."""
    found = [{"file": o.path, "path": "/".join(map(str, c["path"])), "reason": c["message"]}
             for o in outcomes for c in o.changes if c["fixer"] == "unsupported-property" and c["action"] == "remove"]
    return sorted(found, key=lambda r: (r["file"], r["path"]))
