"""What every fixer is: a name, a safety level, documented options, and separate find/fix steps.

``find`` only reads the document, so ``cfnfix check`` never pays for building fixes; ``fix``
turns the findings into text edits plus change-log entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, ClassVar, NamedTuple

from .changelog import Change, Safety
from .document import Document
from .edits import Edit, Editor


class OptionError(ValueError):
    """A fixer option has an unknown name or a value outside what it accepts."""


class Option(NamedTuple):
    """One option of a fixer, set in the config file or with ``--option FIXER.KEY=VALUE``."""

    name: str
    default: Any
    help: str
    choices: tuple = ()
    parse: Callable[[Any], Any] | None = None  # converts/validates a raw value; raises ValueError

    def coerce(self, raw: Any) -> Any:
        value = raw
        if self.parse is not None:
            try:
                value = self.parse(raw)
            except (TypeError, ValueError) as exc:
                raise OptionError(f"invalid value {raw!r} for option '{self.name}': {exc}") from None
        if self.choices and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise OptionError(f"invalid value {raw!r} for option '{self.name}' (one of: {allowed})")
        return value


def int_range(low: int, high: int) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise ValueError("not a whole number")
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def name_list(raw: Any) -> tuple:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValueError("a list of names")
    return tuple(i.strip() for i in items if i.strip())


@dataclass
class Finding:
    """One problem in one place. ``fixable`` False means: report it, change nothing."""

    resource: str | None
    path: tuple
    message: str
    fixable: bool = True
    detail: Any = None  # the fixer's own data, handed back to fix()


@dataclass
class Fix:
    """A fixer's edits and change-log entries, each owned by the finding it fixes (see
    ``Editor.finding`` and ``Fixer.change``), and the findings whose fix could not be placed."""

    edits: list[Edit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)
    # Second files, written beside the input as <stem><suffix><ext> (suffix -> full text), for a
    # fix that moves part of a template into a stack of its own; written only when some of this
    # fix's changes are, and never by check or --dry-run.
    companions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, editor: Editor, changes: list[Change]) -> "Fix":
        edits = editor.edits()  # rendering can still refuse a finding, so it comes first
        return cls(edits, changes, list(editor.unfixed))


GROUPS = ("deploy", "schema", "data-protection", "qa", "security")


class Fixer:
    """Base of all fixers. Subclasses set the class attributes and implement find and fix.

    The engine builds one instance per template and calls find (and fix) on each document a
    fix makes of it, in later passes and rounds: what a fixer keeps on ``self`` must be set
    afresh at the start of the call that uses it."""

    name: ClassVar[str]
    summary: ClassVar[str]
    group: ClassVar[str]  # one of GROUPS; a group name selects all its fixers
    safety: ClassVar[Safety]  # of the fixer's usual change; each change carries its own
    default: ClassVar[bool]
    lint_rules: ClassVar[tuple[str, ...]] = ()  # cfn-lint rule ids it fixes; their ignore_checks opt a resource out
    # The checks of other scanners it answers: Checkov ids (CKV_AWS_158), cfn-guard rule names
    # (CLOUDWATCH_LOG_GROUP_ENCRYPTED), cfn_nag rule ids (W84). A resource whose Metadata (or
    # a ``checkov:skip=`` comment) suppresses any of them keeps out of the fixer: its author
    # decided that check does not hold there.
    scanner_checks: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()
    # When set, find() reports nothing unless the template has a resource of one of these types,
    # and the engine skips find() on templates without one (issue 21: most fixers find nothing
    # on most templates). Set it only when find() starts by filtering resources on these types.
    resource_types: ClassVar[tuple[str, ...]] = ()
    docs: ClassVar[str] = ""  # Markdown: what it detects, why, example, fix safety
    # When set, a file this fixer changed is written beside its input as <stem><suffix><ext>
    # (unless -o names the target): for fixers whose result is a new template, not a repair.
    output_suffix: ClassVar[str | None] = None
    source_path: str | None = None  # the input file, when there is one; set by the runner

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self._as_of: date | None = None
        if not self.options and not options:  # most fixers: the engine makes ~11,000 per aws-samples run
            self.config = {}
            return
        self.config = {o.name: o.default for o in self.options}
        if options:
            known = {o.name: o for o in self.options}
            for key, raw in options.items():
                if key not in known:
                    raise OptionError(f"unknown option '{key}' for fixer '{self.name}'")
                self.config[key] = known[key].coerce(raw)

    @property
    def as_of(self) -> date:
        """The day deprecations are judged at: ``--as-of`` when the engine sets it, else today.

        Today is read when first asked, not when the fixer is made: the engine makes each fixer
        once per template (11,291 over the aws-samples corpus with ``--all``), three fixers ask,
        and ``date.today()`` cost as much as the rest of making one. Read once, it stays the
        same for the rest of the run."""
        if self._as_of is None:
            self._as_of = date.today()
        return self._as_of

    @as_of.setter
    def as_of(self, day: date) -> None:
        self._as_of = day

    def find(self, doc: Document) -> list[Finding]:
        raise NotImplementedError

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        raise NotImplementedError

    def set_details(self, doc: Document, findings: list[Finding],
                    message: Callable[[Finding], str] | None = None,
                    where: Callable[[tuple], tuple] | None = None) -> Fix:
        """The common fix: the value at each finding's path becomes the finding's ``detail``.

        ``message`` words the change (default: the finding's message); ``where`` maps the
        finding's plain-data path to the path the editor walks (see ``nodepath.editor_path``)."""
        editor = Editor(doc)
        changes = []
        for f in findings:
            with editor.finding(f):
                target = where(f.path) if where else f.path
                action = "add" if doc.node(target) is None else "replace"
                editor.set(target, f.detail)
                text = message(f) if message else f.message
                changes.append(self.change(f, action, doc.value(f.path), f.detail, text))
        return Fix.of(editor, changes)

    def change(self, finding: Finding | None, action: str, before: Any, after: Any, message: str,
               path: tuple | None = None, safety: Safety | str | None = None) -> Change:
        """A change-log entry owned by ``finding`` (None: shared by all findings of this fix,
        such as a role they all use), in this fixer's name and, unless given, its safety."""
        where = tuple(path if path is not None else finding.path if finding else ())
        resource = finding.resource if finding else (where[1] if where[:1] == ("Resources",) and len(where) > 1 else None)
        return Change(
            fixer=self.name,
            resource=resource,
            path=where,
            action=action,
            before=before,
            after=after,
            safety=Safety(safety or self.safety),
            message=message,
            owner=finding,
        )
