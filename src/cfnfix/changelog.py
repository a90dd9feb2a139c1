"""The change log: what changed, where, why and how safe it is (DESIGN.md, "Change log")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("add", "replace", "remove", "move")
SAFETIES = ("safe", "review")
STATUSES = ("fixed", "pending", "clean", "skipped", "error")


@dataclass(frozen=True)
class Change:
    fixer: str
    resource: str | None
    path: tuple
    action: str
    before: Any
    after: Any
    safety: str
    message: str

    def to_json(self) -> dict:
        return {
            "fixer": self.fixer,
            "resource": self.resource,
            "path": list(self.path),
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "safety": self.safety,
            "message": self.message,
        }


@dataclass(frozen=True)
class Problem:
    """A fixer's finding: pending (``check``), or one it will not fix automatically, and why."""

    fixer: str
    resource: str | None
    path: tuple
    message: str
    safety: str | None = None  # of the fix a pending finding would get

    def to_json(self) -> dict:
        out = {"fixer": self.fixer, "resource": self.resource, "path": list(self.path), "message": self.message}
        if self.safety:
            out["safety"] = self.safety
        return out


@dataclass
class FileResult:
    path: str
    status: str
    changes: list[Change] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)  # text-form check: what apply would fix
    unfixed: list[Problem] = field(default_factory=list)
    error: str | None = None
    diff: str = ""  # unified diff of the pending/written change
    output: str | None = None  # where the result was (or would be) written, when not in place
    before: str | None = None  # original text, kept for reports that point into it
    after: str | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"path": self.path, "status": self.status}
        if self.error is not None:
            out["error"] = self.error
            return out
        if self.output is not None:
            out["output"] = self.output
        out["changes"] = [c.to_json() for c in self.changes]
        if self.unfixed:
            out["unfixed"] = [u.to_json() for u in self.unfixed]
        return out


def changelog(results: list[FileResult]) -> dict:
    return {"version": 1, "files": [r.to_json() for r in results]}
