"""Runs the chosen fixers over files: read, find, fix, re-parse, write atomically."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import files as files_mod
from . import ignore
from .api import collector_paused, fix_text
from .changelog import FileResult
from .config import Config, Resolver
from .document import MAX_BYTES, TemplateError, decode
from .engine import beside

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_TEMPLATE_HINTS = ("Resources", "AWSTemplateFormatVersion")


@dataclass(frozen=True)
class Job:
    """One run's settings, shipped to worker processes."""

    resolver: Resolver  # each file's config
    dry_run: bool = False  # check and --dry-run: build every fix, write nothing
    output: str | None = None  # -o: write the (single) result here


class InputError(Exception):
    """A path given on the command line cannot be used."""


def discover(paths: list[str], config_for: Callable[[str], Config],
             explicit: bool = True) -> tuple[list[tuple[str, bool]], list[FileResult]]:
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
            found, unreadable = ignore.walk(path)
            errors.extend(FileResult(folder, "error", error=cause) for folder, cause in unreadable)
            files.extend(
                (str(p), False) for p in found
                if p.suffix in TEMPLATE_SUFFIXES and not config_for(str(p)).is_excluded(str(p))
            )
        elif path.exists() or path.is_symlink():
            if not config_for(raw).is_excluded(raw):
                files.append((raw, explicit))
        else:
            errors.append(FileResult(raw, "error", error="no such file or directory"))
    return files_mod.unique(files, lambda entry: entry[0]), errors


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


# A write the main process makes once every file is processed: (target, bytes, what was read
# from the target when it is the input itself, to check it did not change meanwhile). A file
# may need several: second files beside it (a macro's own stack) come before the template.
Write = tuple[str, bytes, files_mod.Snapshot | None]
Writes = list[Write]


def run(files: list[tuple[str, bool]], job: Job, jobs: int = 1, stdin_text: bytes | None = None,
        progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Process every file, then write; results come back in input order whatever the number of workers.

    Workers only compute: nothing is written until every file has been read and fixed, so a
    fixer reading other inputs (nested stacks) sees them as they were before the run, whatever
    ``jobs`` is, and an interrupted or killed run leaves no worker writing.
    """
    tick = progress or (lambda done, total: None)
    # The collector stays paused while files are processed, from the first to the last (in a
    # worker process, from its start: _worker_start): a file leaves about 50 objects in cycles
    # (15,144 over the 312 aws-samples templates; ~6 MB more memory over 853 templates), while
    # collecting after every file rescanned what the file left alive, ~3% of a run's CPU
    # (issue 21). The main process of a pool keeps it running: paused there, the pool's own
    # objects outlived a Ctrl-C into interpreter shutdown, which then reported an error.
    if jobs > 1 and len(files) >= 4 * jobs:
        outcomes = _in_workers(files, job, jobs, stdin_text, tick)
    else:
        outcomes = []
        with collector_paused():
            for entry in files:
                outcomes.append(_process_entry(entry, job, stdin_text))
                tick(len(outcomes), len(files))
            # What the files left alive (results, caches, the cycles above) stays until the
            # process exits: frozen, it is not scanned by the collection the collector's return
            # would start at once, nor by the one at interpreter exit (0.7 s of a 1 MB template's
            # 7.7 s, ~0.04 s over aws-samples)
            gc.freeze()
    return [_write(result, writes) for result, writes in outcomes]


def _in_workers(files: list[tuple[str, bool]], job: Job, jobs: int, stdin_text: bytes | None,
                tick: Callable[[int, int], None]) -> list:
    """_process_entry over ``files`` in ``jobs`` processes; Ctrl-C stops them all at once."""
    from concurrent.futures import ProcessPoolExecutor  # not imported by the runs that need no pool

    pool = ProcessPoolExecutor(jobs, initializer=_worker_start, initargs=(os.getpid(), job, stdin_text))
    try:
        outcomes = []
        for outcome in pool.map(_in_worker, files, chunksize=4):
            outcomes.append(outcome)
            tick(len(outcomes), len(files))
    except BaseException:
        # shutdown() alone lets running workers finish their files first; nothing of theirs is
        # needed any more (they write nothing), so stop them now
        for worker in list((pool._processes or {}).values()):  # no public API reaches the workers
            worker.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return outcomes


# The job of the run a worker process serves, and the standard input it read: handed over once,
# when the worker starts, not with every batch of files, so that the configuration files the
# worker finds stay found for its later files (a job sent with each batch came with an empty cache).
_worker_job: tuple[Job, bytes | None] | None = None


def _worker_start(parent: int, job: Job, stdin_text: bytes | None) -> None:
    """Ctrl-C is the main process's to handle; a worker whose main process died exits too
    (it would otherwise go on with the files already queued for it, for nobody).
    """
    global _worker_job
    _worker_job = job, stdin_text
    gc.disable()  # for the worker's life, which is processing files (see run)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _in_worker(entry: tuple[str, bool]) -> tuple[FileResult, Writes]:
    """_process_entry in a worker process, with the job its start handed over."""
    assert _worker_job is not None, "a worker process starts with its job (_worker_start)"
    return _process_entry(entry, *_worker_job)


def _process_entry(entry: tuple[str, bool], job: Job, stdin_bytes: bytes | None = None) -> tuple[FileResult, Writes]:
    """process() for a worker: a bug in a fixer becomes this file's error, never a traceback."""
    path, explicit = entry
    try:
        return process(path, explicit, job, stdin_bytes)
    except Exception as exc:  # noqa: BLE001 - reported per file, the run goes on
        return FileResult(path, "error", error=f"internal error ({type(exc).__name__}: {exc}); nothing written"), []


def _write(result: FileResult, writes: Writes) -> FileResult:
    """Carry out the writes process() asked for; a failure makes the file's result an error."""
    for target, data, expected in writes:
        try:
            files_mod.write_atomic(target, data, expected)
        except OSError as exc:
            return FileResult(result.path, "error", error=f"cannot write {target}: {exc.strerror or exc}")
        except files_mod.FileError as exc:
            return FileResult(result.path, "error", error=str(exc) if target == result.path else f"cannot write {target}: {exc}")
    return result


def process(path: str, explicit: bool, job: Job, stdin_bytes: bytes | None = None) -> tuple[FileResult, Writes]:
    """The result for one file, and the writes it needs (made by the caller, in the main process)."""
    raw, snapshot = stdin_bytes, None
    try:
        if path != "-":
            snapshot = files_mod.read(path, MAX_BYTES)
            raw = snapshot.data
        text = decode(raw or b"")
    except files_mod.FileError as exc:
        return FileResult(path, "error", error=str(exc)), []
    except TemplateError as exc:
        if not explicit and not _may_be_template(raw or b""):
            return FileResult(path, "skipped"), []
        return FileResult(path, "error", error=str(exc)), []
    if not explicit and not any(hint in text for hint in _TEMPLATE_HINTS):
        return FileResult(path, "skipped"), []
    config = job.resolver.for_path(path)
    try:
        result = fix_text(text, config, None if path == "-" else path)
    except TemplateError as exc:
        if not explicit and "not a CloudFormation template" in str(exc):
            return FileResult(path, "skipped"), []
        return FileResult(path, "error", error=str(exc)), []
    result.path = path
    if result.status == "error" or (result.after == text and (job.dry_run or not job.output)):  # -o gets the template even when clean
        return result, []
    if job.dry_run:
        result.status = "pending"
        return result, []
    if result.companions and path == "-" and not job.output:
        return FileResult(path, "error", error="a fix writes a second file beside the template, which needs a file, "
                                              "not stdin; nothing written"), []
    if path == "-" and not job.output:
        return result, []
    target = job.output or result.output or path
    if target != path:
        result.output = target
    companions: Writes = [(beside(target, suffix), text.encode("utf-8"), None) for suffix, text in result.companions.items()]
    return result, [*companions, (target, (result.after or "").encode("utf-8"), snapshot if target == path else None)]


def _may_be_template(raw: bytes) -> bool:
    """Whether bytes that are not UTF-8 text (UTF-16, Latin-1, binary, too large) still look
    like a template: files that only happen to end in .yaml are skipped, not errors.
    """
    head = raw[:65536]
    return any(hint in head.decode(encoding, "ignore") for encoding in ("utf-16-le", "utf-16-be", "latin-1")
               for hint in _TEMPLATE_HINTS)
