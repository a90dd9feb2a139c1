"""Runs fixers over one document: which fixes are written, which wait, and which fixer failed.

The promises users rely on live here, not in the fixers (as in ruff): a finding's edits and
change-log entries are applied together or not at all; ``review`` fixes are written only when
asked; when two findings' edits collide only the later one waits for the next pass; and a
fixer that raises or refuses loses only its own findings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from . import quotas, schemas
from .changelog import Change, FileResult, Problem, Safety, anchor
from .config import Config, expand
from .document import Document, DuplicateKeyError, TemplateError, line_break, parse
from .edits import Edit, EditConflict, apply_edits, edit_spans
from .fixer import GROUPS, Finding, Fix, Fixer
from .registry import fixer_class, fixer_names
from .reparse import reparse
from .suppressions import comment_suppressions, scanner_suppressions

MAX_PASSES = 8  # a fixer is run again while findings wait on a conflict and the last pass made progress
# The fixer list runs again while a round changed something: a resource one fixer adds (a log
# bucket, a role) gets the fixes of the fixers before it, so a second run changes nothing.
MAX_ROUNDS = 3
# The fixer that repairs repeated mapping keys: it runs on a document no strict parse gives, so
# before the others (see fix_source).
DUPLICATES_FIXER = "mapping-key"


@dataclass
class _Unit:
    """What one finding's fix does: applied, deferred or withheld as a whole."""

    finding: Finding | None  # None: edits shared by every finding of the fix
    edits: list[Edit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def safety(self, shared: "_Unit") -> Safety:
        review = any(c.safety == Safety.REVIEW for c in self.changes + shared.changes)
        return Safety.REVIEW if review else Safety.SAFE


@dataclass
class OptOuts:
    """What a template's Metadata opts its resources out of: fixers (by name or group), and the
    cfn-lint rule ids its ``ignore_checks`` name (prefixes, as cfn-lint reads them; under None,
    the template's own, which hold for every resource)."""

    fixers: dict[str, set[str]] = field(default_factory=dict)
    checks: dict[str | None, tuple[str, ...]] = field(default_factory=dict)

    def skips(self, fixer: str, finding: Finding) -> bool:
        """Whether ``finding`` is opted out of: its resource ignores the fixer, or the rule the
        finding names first (``E3030 ...``) is ignored for it. A fixer answering several rules
        (allowed-value: E3030, E3031...) keeps out of the one a resource suppresses only."""
        rid = finding.resource
        if rid is not None and fixer in self.fixers.get(rid, ()):
            return True
        prefixes = self.checks.get(None, ()) + (self.checks.get(rid, ()) if rid is not None else ())
        if not prefixes:
            return False
        code = finding.message.split(" ", 1)[0]
        return _RULE_ID.fullmatch(code) is not None and code.startswith(prefixes)


_RULE_ID = re.compile(r"[EWI]\d{4}")


class _FixerFailed(Exception):
    """A fixer raised or refused the document: its findings are lost, nothing else is."""


def fix_source(text: str, names: list[str], config: Config, source_path: str | None = None,
               locate: bool = True) -> FileResult:
    """Parse ``text`` and run fixers ``names`` on it (see fix_document); raises TemplateError
    when the text cannot be processed.

    A repeated mapping key is refused, unless the duplicates fixer is selected: it then runs
    first, on a parse that records the repeats, and the other fixers run on its result. What it
    cannot repair (or may not write without ``unsafe_fixes``) is the same one-line error."""
    try:
        return fix_document(parse(text), names, config, source_path, owned=True, locate=locate)
    except DuplicateKeyError as exc:
        if DUPLICATES_FIXER not in names:
            raise
        strict_error = str(exc)
    loose = parse(text, duplicates=True)
    if DUPLICATES_FIXER in _metadata_ignores(loose, [DUPLICATES_FIXER])[0]:  # the template opts out of it
        raise DuplicateKeyError(strict_error)
    first = FileResult("", "clean", before=text, after=text)
    fixer = fixer_class(DUPLICATES_FIXER)(config.fixer_options.get(DUPLICATES_FIXER))
    doc = loose
    for _ in range(MAX_PASSES):  # repeats of neighbouring entries can wait on each other's edits
        findings = _guard_template(fixer, doc)
        refused = [f for f in findings if not f.fixable and f.detail == "duplicate"]
        if refused:
            raise DuplicateKeyError(refused[0].message)
        try:
            repaired = _run_fixer(fixer, doc, findings, first, OptOuts(), config.unsafe_fixes, (set(), set()), owned=False,
                                  parse_text=lambda t: parse(t, duplicates=True))
        except _FixerFailed as failed:
            raise DuplicateKeyError(f"{strict_error} ({failed.args[0]})") from None
        done, doc = repaired is doc or not repaired.duplicates, repaired
        if done:
            break
    if doc.duplicates:
        hint = " (mapping-key merges it with --unsafe-fixes)" if first.available else ""
        raise DuplicateKeyError(strict_error + hint)
    repaired = parse(doc.text)
    # the places are those of the text as given (``loose``), found below: none of ``repaired``'s
    rest = fix_document(repaired, names, config, source_path, owned=True, locate=False)
    offset = max((c.finding or 0 for c in first.changes), default=-1) + 1
    rest.changes = first.changes + [replace(c, finding=(c.finding or 0) + offset) for c in rest.changes]
    rest.available = first.available + rest.available
    rest.unfixed = first.unfixed + rest.unfixed
    rest.before = text
    rest.applied = None  # the duplicates pass's edits are not recorded: the diff searches
    rest.status = "fixed"
    if locate:
        rest.places = places(loose, rest)
    return rest


def _guard_template(fixer: Fixer, doc: Document) -> list[Finding]:
    try:
        return _guard(fixer, "find", doc)
    except _FixerFailed as failed:
        raise TemplateError(failed.args[0]) from None


def fix_document(doc: Document, names: list[str], config: Config, source_path: str | None = None,
                 owned: bool = False, locate: bool = True) -> FileResult:
    """Run fixers ``names`` in order on ``doc``; the result holds the final text in ``after``.

    ``source_path`` is the file ``doc`` came from, for fixers that read files beside it. A
    fixer with an ``output_suffix`` that changes the text sets ``output`` to the file beside it.
    ``owned``: the caller hands ``doc`` over and reads nothing of it afterwards, so the first
    fix re-parses only the entries it touched, moving the other nodes of ``doc`` into the new
    document (without it, ``doc`` is left intact and that fix parses its text whole).
    ``locate``: record in ``places`` where each entry points in ``doc``'s text, for the reports;
    a run that prints and writes no report skips it (what ``before_move`` records before the
    nodes move on, and the walks to each place), and a report asked for later finds the places
    itself (``report.places``).
    """
    with schemas.regions(config.regions):
        return _fix_document(doc, names, config, source_path, owned, locate)


def _fix_document(doc: Document, names: list[str], config: Config, source_path: str | None,
                  handed_over: bool, locate: bool) -> FileResult:
    original = doc
    if handed_over and locate:
        original.keep_places()  # the report's places are in this text, after its nodes moved on
    result = FileResult("", "clean", before=doc.text, after=doc.text, applied=[])
    try:
        skip_all, opt_outs = _metadata_ignores(doc, names)
    except TemplateError as exc:
        return FileResult("", "error", error=str(exc))
    chosen = [(name, fixer_class(name)) for name in names if name not in skip_all]
    # one instance per fixer for the whole template, built when it first runs: a later round
    # runs it again as the engine's passes already do (find starts afresh on each document)
    built: dict[str, Fixer] = {}
    seen: dict[str, tuple[set, set]] = {}  # per fixer: unfixed and available entries already listed
    failed: set[str] = set()
    # the document each fixer last ran on: one that meets the same document again (nothing
    # changed since it ran, a round earlier) would find, fix and report exactly the same
    last_run: dict[str, Document] = {}
    for _ in range(MAX_ROUNDS):
        start = doc
        present = doc.resource_types()
        for name, cls in chosen:
            if name in failed or last_run.get(name) is doc:
                continue
            if cls.resource_types and present.isdisjoint(cls.resource_types):
                continue  # its find() would return nothing
            last_run[name] = doc
            fixer = built.get(name)
            if fixer is None:
                fixer = built[name] = cls(config.fixer_options.get(name))
                fixer.source_path = source_path
                if config.as_of is not None:
                    fixer.as_of = config.as_of
                seen[name] = (set(), set())
            try:
                findings = _guard(fixer, "find", doc)
                if not findings:  # what most runs find (~17,000 of 18,000 over aws-samples): nothing to set up
                    continue
                reported: set = set()
                applied = len(result.changes)
                new_doc = _run_fixer(fixer, doc, findings, result, opt_outs, config.unsafe_fixes,
                                     seen[name], owned=handed_over or doc is not original,
                                     reported=reported)
            except _FixerFailed as exc:
                message, trace = exc.args
                result.fixer_errors.append(Problem(name, None, (), message, trace=trace))
                failed.add(name)
                continue
            if new_doc is not doc:
                _drop_fixed(result, name, result.changes[applied:], reported, seen[name][0])
                doc = new_doc
                present = doc.resource_types()
                if fixer.output_suffix and source_path:
                    result.output = beside(source_path, fixer.output_suffix)
        if doc is start:
            break
    result.after = doc.text
    if result.changes:
        result.status = "fixed"
    if doc is not original:
        result.warning = quotas.crossed(original, doc)
    if locate:
        result.places = places(original, result)
    return result


def places(doc: Document, result: FileResult) -> dict[tuple, tuple[int, int, int, int]]:
    """Where each entry of ``result`` points in ``doc`` (see ``Document.place``), for the reports."""
    return doc.places({anchor(e) for group in (result.changes, result.available, result.unfixed) for e in group})


def _run_fixer(fixer: Fixer, doc: Document, findings: list[Finding], result: FileResult,
               opt_outs: OptOuts, unsafe_fixes: bool, seen: tuple[set, set], owned: bool,
               parse_text: Callable[[str], Document] | None = None, reported: set | None = None) -> Document:
    """Fix and find again until nothing waits on a conflict; returns the (possibly new) document.

    ``findings``: what ``fixer.find`` returned for ``doc``, asked by the caller, which calls
    this only when there are some (and the duplicates pass, which looks at them first, does not
    ask twice).

    ``owned``: the engine built ``doc`` from an earlier fix, or the caller handed it over, and
    nothing else reads its nodes, so the next document may reuse them (``reparse``); a caller's
    document not handed over is never touched.
    ``parse_text`` parses each new text instead (the duplicates pass keeps repeats with it).
    ``reported`` receives the key of every problem this run reports, listed before or not."""
    seen_unfixed, seen_available = seen
    if reported is None:
        reported = set()

    def report(problem: Problem) -> None:
        reported.add(_key(problem))
        _add_once(result.unfixed, seen_unfixed, problem)
    for passes in range(MAX_PASSES):
        if passes:  # the first pass's findings are above
            findings = _guard(fixer, "find", doc)
            if not findings:
                return doc
        findings = [f for f in findings if not opt_outs.skips(fixer.name, f)]
        fixable = []
        for f in findings:
            if f.fixable:
                fixable.append(f)
            else:
                report(Problem(fixer.name, f.resource, tuple(f.path), f.message))
        if not fixable:
            return doc
        try:
            fix: Fix = _guard(fixer, "fix", doc, fixable)
        except EditConflict as exc:  # a fix that names no owners cannot be split: none of it goes in
            fix = Fix(unfixed=[(f, str(exc)) for f in fixable])
        for finding, why in fix.unfixed:
            problem = Problem(fixer.name, finding.resource, tuple(finding.path), f"{finding.message} (not fixed: {why})")
            report(problem)
        shared, units = _units(fix, fixable)
        enabled = []
        for unit in units:
            if unit.safety(shared) == Safety.SAFE or unsafe_fixes:
                enabled.append(unit)
            else:
                for change in unit.changes + shared.changes:
                    _add_once(result.available, seen_available, _detached(change))
        accepted, deferred = _without_conflicts(shared, enabled)
        if not accepted:
            for unit in deferred:
                waiting = unit.finding
                if waiting is not None:
                    problem = Problem(fixer.name, waiting.resource, tuple(waiting.path),
                                      f"{waiting.message} (not fixed: its edits conflict with another fix)")
                    report(problem)
            return doc
        chosen = {id(x) for u in [shared, *accepted] for x in u.edits + u.changes}
        edits = [e for e in fix.edits if id(e) in chosen]  # in the editor's order, which apply_edits needs
        try:
            newline = line_break(doc.text)
            new_text = apply_edits(doc.text, edits, newline=newline)
        except EditConflict as exc:
            raise _FixerFailed(f"{fixer.name}: its edits overlap ({exc}); its fixes were not applied", None) from None
        if new_text == doc.text:
            return doc
        spans = edit_spans(edits, newline)  # for the re-parse and the diff's record alike
        try:
            if parse_text is not None:
                new_doc = parse_text(new_text)
            else:
                new_doc = reparse(doc, new_text, spans) if owned else parse(new_text)
        except TemplateError as exc:
            raise _FixerFailed(f"{fixer.name}: produced an invalid template ({exc}); its fixes were not applied", None) from None
        if result.applied is not None:
            result.applied.append(spans)
        # findings are numbered in the order they are applied: the last change holds the highest
        base = (result.changes[-1].finding or 0) + 1 if result.changes else 0
        keys = {id(u.finding): base + i for i, u in enumerate(accepted)}
        result.changes.extend(_detached(c, keys.get(id(c.owner), base))
                              for c in fix.changes if id(c) in chosen)  # in the fixer's order
        result.companions.update(fix.companions)  # some of the fix is applied, so its second files go too
        doc, owned = new_doc, True
        if not deferred:
            return doc
    return doc


def _guard(fixer: Fixer, step: str, *args: Any) -> Any:
    """Call ``fixer.find`` or ``fixer.fix``; whatever it raises becomes that fixer's error."""
    try:
        return getattr(fixer, step)(*args)
    except TemplateError as exc:
        raise _FixerFailed(f"{fixer.name}: {exc}", None) from None
    except EditConflict:
        raise
    except RecursionError:
        raise _FixerFailed(f"{fixer.name}: the template nests too deeply for it", None) from None
    except Exception as exc:  # noqa: BLE001 - a bug in one fixer must not cost the others their fixes
        import traceback  # only for a fixer that failed

        trace = "".join(traceback.format_exception(exc))
        raise _FixerFailed(f"{fixer.name}: internal error ({type(exc).__name__}: {exc})", trace) from None


def _units(fix: Fix, findings: list[Finding]) -> tuple[_Unit, list[_Unit]]:
    """Split a fix by owning finding. A fix that names no owner is one unit, as a whole."""
    refused = {id(f) for f, _ in fix.unfixed}
    by_owner = {id(f): _Unit(f) for f in findings if id(f) not in refused}
    shared = _Unit(None)
    for edit in fix.edits:
        if id(edit.owner) not in refused:
            by_owner.get(id(edit.owner), shared).edits.append(edit)
    for change in fix.changes:
        if id(change.owner) not in refused:
            by_owner.get(id(change.owner), shared).changes.append(change)
    units = [u for u in by_owner.values() if u.edits or u.changes]
    if not units:  # nothing is owned by a finding: the fix is one unit
        return _Unit(None), [shared] if shared.edits or shared.changes else []
    return shared, units


def _without_conflicts(shared: _Unit, units: list[_Unit]) -> tuple[list[_Unit], list[_Unit]]:
    """(accepted, deferred): of two units whose edits overlap, the later one waits."""
    live = set(range(len(units)))
    while True:
        spans = sorted([(e.start, e.end, -1) for e in shared.edits]
                       + [(e.start, e.end, i) for i in live for e in units[i].edits])
        loser = _first_conflict(spans)
        if loser is None:
            loser = _first_double_claim([(-1, shared)] + [(i, units[i]) for i in sorted(live)])
        if loser is None:
            break
        if loser == -1:  # the shared edits collide with themselves: nothing of this fix can go in
            return [], list(units)
        live.discard(loser)
    return [units[i] for i in sorted(live)], [u for i, u in enumerate(units) if i not in live]


def _first_conflict(spans: list[tuple[int, int, int]]) -> int | None:
    """The later unit of the first overlapping pair among spans sorted by (start, end, unit).

    Insertions at one offset do not conflict (they keep their order); a span that starts
    inside another does, even within one unit, since apply_edits would refuse it."""
    reach, holder = -1, None
    for start, end, unit in spans:
        if holder is not None and start < reach:
            return max(unit, holder)
        if end > reach:
            reach, holder = end, unit
    return None


def _first_double_claim(ranked: list[tuple[int, _Unit]]) -> int | None:
    """The later of two units that add the same key to the same mapping."""
    claimed: dict[tuple, int] = {}
    for rank, unit in ranked:
        for edit in unit.edits:
            for claim in edit.claims:
                if claimed.setdefault(claim, rank) != rank:
                    return rank
    return None


def _detached(change: Change, finding: int | None = None) -> Change:
    """The change without its finding object, which stays behind when results cross process
    boundaries; ``finding`` numbers the finding within the file.

    Made directly, not by ``dataclasses.replace``, whose look at the fields cost five times the
    construction (it runs for every change applied or offered: 1,285 over aws-samples);
    tests/test_engine.py checks that every field of Change is carried over."""
    c = change
    return Change(c.fixer, c.resource, c.path, c.action, c.before, c.after, c.safety, c.message, None, finding)


def _drop_fixed(result: FileResult, name: str, changes: list, reported: set, seen: set) -> None:
    """Take back what an earlier run of fixer ``name`` reported as not fixed where its ``changes``
    now fix it (another fixer's fix made it fixable: a literal zone written as Fn::GetAZs): the
    report says how things end. What this run reported stays (a note beside its own fix)."""
    def fixed(problem: Problem) -> bool:
        return (problem.fixer == name and _key(problem) not in reported and any(
            c.resource == problem.resource and tuple(c.path[:len(problem.path)]) == tuple(problem.path) for c in changes))

    gone = [p for p in result.unfixed if fixed(p)]
    if gone:
        result.unfixed = [p for p in result.unfixed if not fixed(p)]
        seen.difference_update(_key(p) for p in gone)


def _key(item: Any) -> tuple:
    return (item.fixer, item.resource, tuple(item.path), item.message) if isinstance(item, Problem) else (
        item.fixer, item.resource, tuple(item.path), item.action, repr(item.after))


def _add_once(into: list, seen: set, item: Any) -> None:
    key = _key(item)
    if key not in seen:
        seen.add(key)
        into.append(item)


def beside(path: str, suffix: str) -> str:
    """``stacks/app.yaml`` with suffix ``.flat`` -> ``stacks/app.flat.yaml``."""
    base, ext = os.path.splitext(path)
    return base + suffix + ext


def _metadata_ignores(doc: Document, run: list[str]) -> tuple[set[str], "OptOuts"]:
    """Fixers a template opts out of, at top level or per resource: by name or group in
    ``Metadata: cfnfix: ignore``, and through cfn-lint's own ``Metadata: cfn-lint: config:
    ignore_checks`` for fixers whose every rule id is ignored there (a suppressed E3002 is not
    "fixed"), and through other scanners' suppressions for fixers one of whose checks is
    suppressed (``cfnfix.suppressions``); and, for the findings of the others, the rule ids
    ignored (``OptOuts.skips``). An unknown name is an error, as in the config file.

    The caller asks only whether the fixers it ``run``s are skipped, so the rule ids of those
    alone are read: the others' modules need not be imported for it."""

    def scanners_skip(skipped: set[str]) -> set[str]:
        return {n for n in run if not skipped.isdisjoint(fixer_class(n).scanner_checks)} if skipped else set()

    def names(metadata: Any, where: str) -> tuple[set[str], tuple[str, ...]]:
        out: set[str] = set()
        if not isinstance(metadata, dict):
            return out, ()
        own = metadata.get("cfnfix")
        if isinstance(own, dict):
            ignore = own.get("ignore", [])
            listed = [ignore] if isinstance(ignore, str) else [str(i) for i in ignore] if isinstance(ignore, list) else []
            for name in listed:
                if name not in fixer_names() and name not in GROUPS:
                    raise TemplateError(f"{where}: Metadata/cfnfix/ignore names unknown fixer '{name}'")
            out |= expand(listed)
        out |= scanners_skip(scanner_suppressions(metadata))
        lint = metadata.get("cfn-lint")
        config = lint.get("config") if isinstance(lint, dict) else None
        checks = config.get("ignore_checks") if isinstance(config, dict) else None
        if not isinstance(checks, list):
            return out, ()
        prefixes = tuple(str(c) for c in checks)
        out |= {n for n in run if (rules := fixer_class(n).lint_rules) and all(r.startswith(prefixes) for r in rules)}
        return out, prefixes

    top, top_checks = names(doc.data.get("Metadata"), "the template") if isinstance(doc.data, dict) else (set(), ())
    opt_outs = OptOuts(checks={None: top_checks} if top_checks else {})
    for rid, res in doc.resources.items():
        if isinstance(res, dict) and "Metadata" in res:
            opt_outs.fixers[rid], checks = names(res["Metadata"], f"resource {rid}")
            if checks:
                opt_outs.checks[rid] = checks
    for rid, skipped in comment_suppressions(doc).items():  # Checkov's comment form
        opt_outs.fixers.setdefault(rid, set()).update(scanners_skip(skipped))
    return top, opt_outs
