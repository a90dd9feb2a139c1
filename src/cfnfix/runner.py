"""Runs the chosen fixers over files: read, find, fix, re-parse, write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .changelog import FileResult
from .config import Config
from .document import TemplateError, decode, parse
from .engine import _beside, fix_document

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_TEMPLATE_HINTS = ("Resources", "AWSTemplateFormatVersion")


@dataclass(frozen=True)
class Job:
    """One run's settings, shipped to worker processes."""

    config: Config
    dry_run: bool = False  # check and --dry-run: build every fix, write nothing
    output: str | None = None  # -o: write the (single) result here


class InputError(Exception):
    """A path given on the command line cannot be used."""


def discover(paths: list[str], config: Config, explicit: bool = True) -> tuple[list[tuple[str, bool]], list[FileResult]]:
    """Files to process as (path, must be a template), and errors for paths that cannot be used.

    Files found in directories need not be templates (others are skipped); named files must
    be, unless ``explicit`` is False (pre-commit passes every YAML/JSON file it stages).
    """
    files: list[tuple[str, bool]] = []
    errors: list[FileResult] = []
    for raw in paths:
        if raw == "-":
            files.append(("-", True))
            continue
        path = Path(raw)
        if path.is_dir():
            files.extend(
                (str(p), False)
                for p in sorted(_walk(path))
                if p.suffix in TEMPLATE_SUFFIXES and not config.is_excluded(str(p))
            )
        elif path.exists() or path.is_symlink():
            if not config.is_excluded(raw):
                files.append((raw, explicit))
        else:
            errors.append(FileResult(raw, "error", error="no such file or directory"))
    return files, errors


def template_free_directories(paths: list[str], results: list[FileResult]) -> list[FileResult]:
    """Errors for directories given that held no template: none found by name, or all skipped."""
    out = []
    for raw in paths:
        if raw == "-" or not Path(raw).is_dir():
            continue
        mine = [r for r in results if r.path != raw and Path(r.path).is_relative_to(raw)]
        if all(r.status == "skipped" for r in mine):
            out.append(FileResult(raw, "error", error="no CloudFormation templates found in this directory"))
    return out


def _walk(root: Path):
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            yield Path(folder) / name


def run(files: list[tuple[str, bool]], job: Job, jobs: int = 1, stdin_text: bytes | None = None) -> list[FileResult]:
    """Process every file; results come back in input order whatever the number of workers."""
    if jobs > 1 and len(files) >= 4 * jobs:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(_process_entry, files, [job] * len(files), [stdin_text] * len(files), chunksize=4))
    return [_process_entry(entry, job, stdin_text) for entry in files]


def _process_entry(entry: tuple[str, bool], job: Job, stdin_bytes: bytes | None = None) -> FileResult:
    """process() for a worker: a bug in a fixer becomes this file's error, never a traceback."""
    path, explicit = entry
    try:
        return process(path, explicit, job, stdin_bytes)
    except Exception as exc:  # noqa: BLE001 - reported per file, the run goes on
        return FileResult(path, "error", error=f"internal error ({type(exc).__name__}: {exc}); nothing written")


def process(path: str, explicit: bool, job: Job, stdin_bytes: bytes | None = None) -> FileResult:
    try:
        raw = stdin_bytes if path == "-" else _read(path)
        text = decode(raw or b"")
    except TemplateError as exc:
        return FileResult(path, "error", error=str(exc))
    if not explicit and not any(hint in text for hint in _TEMPLATE_HINTS):
        return FileResult(path, "skipped")
    try:
        doc = parse(text)
    except TemplateError as exc:
        if not explicit and "not a CloudFormation template" in str(exc):
            return FileResult(path, "skipped")
        return FileResult(path, "error", error=str(exc))
    result = fix_document(doc, job.config.fixers_for(path), job.config, None if path == "-" else path)
    result.path = path
    if result.after == text and (job.dry_run or not job.output):  # -o gets the template even when clean
        return result
    if job.dry_run:
        result.status = "pending"
        return result
    if result.companions and path == "-" and not job.output:
        return FileResult(path, "error", error="a fix writes a second file beside the template, which needs a file, not stdin; nothing written")
    if path != "-" or job.output:
        target = job.output or result.output or path
        try:
            for suffix, text in result.companions.items():  # first: the template may depend on them
                write_atomic(_beside(target, suffix), text.encode("utf-8"), like=path)
            write_atomic(target, result.after.encode("utf-8"), like=path)
        except OSError as exc:
            return FileResult(path, "error", error=f"cannot write {target}: {exc.strerror}")
        if target != path:
            result.output = target
    return result


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise TemplateError("is a directory") from None
    except OSError as exc:
        raise TemplateError(f"cannot read: {exc.strerror or exc}") from None


def write_atomic(target: str, data: bytes, like: str | None = None) -> None:
    """Write via a temporary file in the same directory and a rename, keeping the file's mode."""
    directory = os.path.dirname(os.path.abspath(target))
    mode = None
    for candidate in (target, like):
        if candidate and os.path.exists(candidate):
            mode = stat.S_IMODE(os.stat(candidate).st_mode)
            break
    fd, tmp = tempfile.mkstemp(prefix=".cfnfix-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
