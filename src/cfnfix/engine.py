"""Runs fixers over one document: which fixes are written, which wait, and which fixer failed.

The promises users rely on live here, not in the fixers (as in ruff): a finding's edits and
change-log entries are applied together or not at all; ``review`` fixes are written only when
asked; when two findings' edits collide only the later one waits for the next pass; and a
fixer that raises or refuses loses only its own findings.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

from .changelog import Change, FileResult, Problem, Safety
from .config import Config
from .document import Document, TemplateError, parse
from .edits import Edit, EditConflict, apply_edits
from .fixer import Finding, Fix, Fixer
from .registry import all_fixers

MAX_PASSES = 8  # a fixer is run again while findings wait on a conflict and the last pass made progress


@dataclass
class _Unit:
    """What one finding's fix does: applied, deferred or withheld as a whole."""

    finding: Finding | None  # None: edits shared by every finding of the fix
    edits: list[Edit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def safety(self, shared: "_Unit") -> Safety:
        review = any(c.safety == Safety.REVIEW for c in self.changes + shared.changes)
        return Safety.REVIEW if review else Safety.SAFE


class _FixerFailed(Exception):
    """A fixer raised or refused the document: its findings are lost, nothing else is."""


def fix_document(doc: Document, names: list[str], config: Config, source_path: str | None = None) -> FileResult:
    """Run fixers ``names`` in order on ``doc``; the result holds the final text in ``after``.

    ``source_path`` is the file ``doc`` came from, for fixers that read files beside it. A
    fixer with an ``output_suffix`` that changes the text sets ``output`` to the file beside it.
    """
    result = FileResult("", "clean", before=doc.text, after=doc.text)
    skip_all, skip_by_resource = _metadata_ignores(doc)
    fixers = all_fixers()
    for name in names:
        if name in skip_all:
            continue
        fixer = fixers[name](config.fixer_options.get(name))
        fixer.source_path = source_path
        if config.as_of is not None:
            fixer.as_of = config.as_of
        try:
            new_doc = _run_fixer(fixer, doc, result, skip_by_resource, config.unsafe_fixes)
        except _FixerFailed as exc:
            message, trace = exc.args
            result.fixer_errors.append(Problem(name, None, (), message, trace=trace))
            continue
        if new_doc is not doc:
            doc = new_doc
            if fixer.output_suffix and source_path:
                result.output = _beside(source_path, fixer.output_suffix)
    result.after = doc.text
    if result.changes:
        result.status = "fixed"
    return result


def _run_fixer(fixer: Fixer, doc: Document, result: FileResult, skip_by_resource: dict[str, set[str]],
               unsafe_fixes: bool) -> Document:
    """Find and fix until nothing waits on a conflict; returns the (possibly new) document."""
    seen_unfixed: set[tuple] = set()
    seen_available: set[tuple] = set()
    for _ in range(MAX_PASSES):
        findings = [f for f in _guard(fixer, "find", doc) if fixer.name not in skip_by_resource.get(f.resource, ())]
        fixable = []
        for f in findings:
            if f.fixable:
                fixable.append(f)
            else:
                _add_once(result.unfixed, seen_unfixed, Problem(fixer.name, f.resource, tuple(f.path), f.message))
        if not fixable:
            return doc
        fix: Fix = _guard(fixer, "fix", doc, fixable)
        for finding, why in fix.unfixed:
            problem = Problem(fixer.name, finding.resource, tuple(finding.path), f"{finding.message} (not fixed: {why})")
            _add_once(result.unfixed, seen_unfixed, problem)
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
                f = unit.finding
                if f is not None:
                    problem = Problem(fixer.name, f.resource, tuple(f.path), f"{f.message} (not fixed: its edits conflict with another fix)")
                    _add_once(result.unfixed, seen_unfixed, problem)
            return doc
        chosen = {id(x) for u in [shared, *accepted] for x in u.edits + u.changes}
        edits = [e for e in fix.edits if id(e) in chosen]  # in the editor's order, which apply_edits needs
        try:
            new_text = apply_edits(doc.text, edits, newline="\r\n" if "\r\n" in doc.text else "\n")
        except EditConflict as exc:
            raise _FixerFailed(f"{fixer.name}: its edits overlap ({exc}); its fixes were not applied", None) from None
        if new_text == doc.text:
            return doc
        try:
            new_doc = parse(new_text)
        except TemplateError as exc:
            raise _FixerFailed(f"{fixer.name}: produced an invalid template ({exc}); its fixes were not applied", None) from None
        result.changes.extend(_detached(c) for c in fix.changes if id(c) in chosen)  # in the fixer's order
        result.companions.update(fix.companions)  # some of the fix is applied, so its second files go too
        doc = new_doc
        if not deferred:
            return doc
    return doc


def _guard(fixer: Fixer, step: str, *args: Any) -> Any:
    """Call ``fixer.find`` or ``fixer.fix``; whatever it raises becomes that fixer's error."""
    try:
        return getattr(fixer, step)(*args)
    except TemplateError as exc:
        raise _FixerFailed(f"{fixer.name}: {exc}", None) from None
    except RecursionError:
        raise _FixerFailed(f"{fixer.name}: the template nests too deeply for it", None) from None
    except Exception as exc:  # noqa: BLE001 - a bug in one fixer must not cost the others their fixes
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


def _detached(change: Change) -> Change:
    """The change without its finding: results cross process boundaries and go to reports."""
    return replace(change, owner=None) if change.owner is not None else change


def _add_once(into: list, seen: set, item: Any) -> None:
    key = (item.fixer, item.resource, tuple(item.path), item.message) if isinstance(item, Problem) else (
        item.fixer, item.resource, tuple(item.path), item.action, repr(item.after))
    if key not in seen:
        seen.add(key)
        into.append(item)


def _beside(path: str, suffix: str) -> str:
    """``stacks/app.yaml`` with suffix ``.flat`` -> ``stacks/app.flat.yaml``."""
    base, ext = os.path.splitext(path)
    return base + suffix + ext


def _metadata_ignores(doc: Document) -> tuple[set[str], dict[str, set[str]]]:
    """Fixers a template opts out of: ``Metadata: cfnfix: ignore: [...]`` at top level or per resource."""

    def names(metadata: Any) -> set[str]:
        if isinstance(metadata, dict) and isinstance(metadata.get("cfnfix"), dict):
            ignore = metadata["cfnfix"].get("ignore", [])
            if isinstance(ignore, str):
                return {ignore}
            if isinstance(ignore, list):
                return {str(i) for i in ignore}
        return set()

    top = names(doc.data.get("Metadata")) if isinstance(doc.data, dict) else set()
    per_resource = {
        rid: names(res.get("Metadata")) for rid, res in doc.resources.items() if isinstance(res, dict)
    }
    return top, per_resource
