"""cfnfix as a library: fix a template given as text or as a file, get the new text and the change log.

The command line goes through :func:`fix_text` for every file, so a library caller gets exactly
what ``cfnfix apply`` would write.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from .changelog import FileResult
from .config import Config, Overrides
from . import files
from .document import MAX_BYTES, TemplateError, decode
from .engine import fix_source

__all__ = ["FileResult", "TemplateError", "fix_file", "fix_text", "make_config"]


def make_config(select: Iterable[str] | None = None, ignore: Iterable[str] = (), unsafe_fixes: bool = False,
                options: Mapping[str, Mapping[str, Any]] | None = None, as_of: date | None = None,
                regions: Iterable[str] = ()) -> Config:
    """A validated config: ``select`` fixer or group names (None: the fixers on by default,
    ``["ALL"]``: every fixer), ``options`` per fixer name. Raises ConfigError for unknown names
    or option values."""
    overrides = Overrides(select=tuple(select or ()), ignore=tuple(ignore), unsafe_fixes=unsafe_fixes, as_of=as_of,
                          regions=tuple(regions),
                          fixer_options=tuple((f, k, v) for f, opts in (options or {}).items() for k, v in opts.items()))
    return overrides.apply(Config())


def fix_text(text: str, config: Config | None = None, path: str | None = None, *, locate: bool = True,
             **settings: Any) -> FileResult:
    """Fix a template given as text. ``config`` or, instead, the keyword arguments of
    :func:`make_config` choose the fixers; ``path`` names the file the text came from (fixers
    that read files beside it, such as flattening, need it). The result's ``after`` holds the
    fixed text, ``changes`` the change log entries, ``to_json()`` the change log; raises
    TemplateError when the text is not a CloudFormation template. ``locate=False`` leaves
    ``places`` empty (see ``engine.fix_document``): for a caller that reports no line numbers."""
    config = config if config is not None else make_config(**settings)
    with collector_paused():
        result = fix_source(text, config.fixers_for(path or "-"), config, path, locate=locate)
    result.path = path or "-"
    if result.status == "fixed" and result.after == text:
        result.status = "clean"
    return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector, run while a template's many long-lived nodes are being
    built, makes parsing grow faster than the file; a file's cycles are collected after it
    (a command-line run collects none: forked processes keep the collector paused until they
    exit, and the main process freezes what is left when its files are done; see ``runner.run``)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def fix_file(path: str | Path, config: Config | None = None, write: bool = False, **settings: Any) -> FileResult:
    """Fix the template at ``path``; with ``write``, write the fixed text back in place (atomically,
    keeping mode, owner and group, and refusing when the file changed meanwhile). A fixer whose
    result is a new template (flattening) is written to ``result.output`` instead. Raises
    ``cfnfix.files.FileError`` for a path that is not a readable regular file."""
    name = str(path)
    snapshot = files.read(name, MAX_BYTES)
    text = decode(snapshot.data)
    result = fix_text(text, config, name, **settings)
    if write and result.after is not None and result.after != text:
        target = result.output or name
        files.write_atomic(target, result.after.encode("utf-8"), snapshot if target == name else None)
    return result
