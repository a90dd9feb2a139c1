"""The change log: what changed, where, why and how safe it is (its JSON Schema is
docs/changelog.schema.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Safety(str, Enum):
    """How a change affects a deployed stack (README.md, "Which fixes are written").

    ``safe`` changes are written by ``apply``; ``review`` changes (behaviour, cost or identity
    of a deployed resource) only with ``--unsafe-fixes`` or ``--all``.
    """

    SAFE = "safe"
    REVIEW = "review"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class Change:
    """One entry of the change log: what one fixer changed at one place, and how safe it is."""

    fixer: str
    resource: str | None
    path: tuple
    action: str
    before: Any
    after: Any
    safety: Safety
    message: str
    # The finding this change belongs to: the engine applies, defers or withholds a finding's
    # changes and edits together. None: shared by every finding of one fix (a role they all use).
    owner: Any = field(default=None, compare=False, repr=False)
    # which finding of the file the change fixes, once the engine has taken the owner off: SARIF
    # gives each finding one result carrying all of its changes
    finding: int | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict:
        return {
            "fixer": self.fixer,
            "resource": self.resource,
            "path": list(self.path),
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "safety": Safety(self.safety).value,
            "message": self.message,
        }


def anchor(entry: "Change | Problem") -> tuple:
    """The path a report points an entry at: for a move, the place the value was (the key the
    author wrote), where a rename is logged at the object holding it (``path`` and the
    ``before`` keys below it); else its ``path``. A move whose ``before`` is a value, not keys,
    points at ``path``, as does any path the original lacks (a report shows the nearest node)."""
    if isinstance(entry, Change) and entry.action == "move":
        before = entry.before
        if isinstance(before, str):
            return (*entry.path, before)
        if isinstance(before, list) and before and all(isinstance(k, (str, int)) for k in before):
            return (*entry.path, *before)
    return tuple(entry.path)


@dataclass(frozen=True)
class Problem:
    """A fixer's finding: pending (``check``), or one it will not fix automatically, and why."""

    fixer: str
    resource: str | None
    path: tuple
    message: str
    trace: str | None = field(default=None, compare=False, repr=False)  # an internal error's traceback, for -v

    def to_json(self) -> dict:
        return {"fixer": self.fixer, "resource": self.resource, "path": list(self.path), "message": self.message}


@dataclass
class FileResult:
    """What a run did to one file: its status, the changes written, offered or refused, and errors."""

    path: str
    status: str
    changes: list[Change] = field(default_factory=list)  # written (apply) or to be written (check)
    available: list[Change] = field(default_factory=list)  # review fixes not enabled: shown, not written
    unfixed: list[Problem] = field(default_factory=list)
    fixer_errors: list[Problem] = field(default_factory=list)  # a fixer that failed: only its findings lost
    error: str | None = None
    output: str | None = None  # where the result was (or would be) written, when not in place
    companions: dict[str, str] = field(default_factory=dict)  # suffix -> text of a second file (Fix.companions)
    before: str | None = None  # original text, kept for reports that point into it
    after: str | None = None
    # where each entry's path points in ``before`` (start line, start column, end line, end
    # column, 1-based), filled by the engine from the document it parsed anyway: reports need
    # not parse the original again
    places: dict[tuple, tuple[int, int, int, int]] = field(default_factory=dict, repr=False)
    warning: str | None = None  # one line about the result (a fix pushed it past CloudFormation's quotas)
    # the edit_spans() of each fix the engine applied, in order, for the diff to find the text
    # they left alone without a search (see ``edits.unchanged_spans``); None: not recorded
    applied: list[list[tuple[int, int, int]]] | None = field(default=None, repr=False)

    @property
    def diff(self) -> str:
        """Unified diff of the pending or written change, computed only when something shows it."""
        if self.status not in ("fixed", "pending") or self.before is None or self.after is None:
            return ""
        from .diff import unified_diff

        return unified_diff(self.before, self.after, self.path, self.unchanged)

    @property
    def unchanged(self) -> list[tuple[int, int, int]] | None:
        """(offset in ``before``, offset in ``after``, length) of the text the fixes left alone, in
        order; None where the engine kept no record (``applied``)."""
        if self.applied is None or self.before is None:
            return None
        from .edits import unchanged_spans

        return unchanged_spans(len(self.before), self.applied)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"path": self.path, "status": self.status}
        if self.error is not None:
            out["error"] = self.error
            return out
        if self.output is not None:
            out["output"] = self.output
        out["changes"] = [c.to_json() for c in self.changes]
        if self.available:
            out["available"] = [c.to_json() for c in self.available]
        if self.unfixed:
            out["unfixed"] = [u.to_json() for u in self.unfixed]
        if self.fixer_errors:
            out["errors"] = [{"fixer": e.fixer, "error": e.message} for e in self.fixer_errors]
        return out


def changelog(results: list[FileResult]) -> dict:
    return {"version": 1, "files": [r.to_json() for r in results]}
