"""Runs the chosen fixers over files: read, find, fix, re-parse, write atomically."""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple, NoReturn

from . import files as files_mod
from . import ignore
from .api import collector_paused, fix_text
from .changelog import FileResult
from .config import Config, Resolver
from .document import MAX_BYTES, TemplateError, decode
from .engine import beside

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_TEMPLATE_HINTS = ("Resources", "AWSTemplateFormatVersion")


class Job(NamedTuple):
    """One run's settings (forked processes inherit them)."""

    resolver: Resolver  # each file's config
    dry_run: bool = False  # check and --dry-run: build every fix, write nothing
    output: str | None = None  # -o: write the (single) result here
    locate: bool = True  # a report is printed or written: record where each entry points (engine.fix_document)
    # the main process reads each result's texts and changes (a report, a diff, the template on
    # stdout); without, a result keeps only what it prints and counts (see _process_entry)
    details: bool = True
    # of those details, the texts (the template before and after, the record of the edits
    # between them): read only for a diff, a Markdown or SARIF report, or the template on stdout
    texts: bool = True


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
    """Process every file, then write; results come back in input order whatever the number of processes.

    Forked processes only compute: nothing is written until every file has been read and
    fixed, so a fixer reading other inputs (nested stacks) sees them as they were before the
    run, whatever ``jobs`` is, and an interrupted or killed run leaves no process writing.
    """
    tick = progress or (lambda done, total: None)
    # The collector stays paused while files are processed, from the first to the last (in a
    # forked process, for its whole life): a file leaves about 50 objects in cycles (15,144 over
    # the 312 aws-samples templates; ~6 MB more memory over 853 templates), while collecting
    # after every file rescanned what the file left alive, ~3% of a run's CPU (issue 21)
    with collector_paused():
        if jobs > 1 and len(files) >= 4 * jobs and hasattr(os, "fork"):
            outcomes = _in_processes(files, job, jobs, stdin_text, tick)
        else:
            outcomes = _in_this_process(files, job, stdin_text, tick)
        # What the files left alive (results, caches, the cycles above) stays until the
        # process exits: frozen, it is not scanned by the collection the collector's return
        # would start at once, nor by the one at interpreter exit (0.7 s of a 1 MB template's
        # 7.7 s, ~0.04 s over aws-samples)
        gc.freeze()
    return [_write(result, writes) for result, writes in outcomes]


def _in_this_process(files: list[tuple[str, bool]], job: Job, stdin_text: bytes | None,
                     tick: Callable[[int, int], None]) -> list[tuple[FileResult, Writes]]:
    """_process_entry over ``files``, one after the other, in this process."""
    outcomes = []
    for entry in files:
        outcomes.append(_process_entry(entry, job, stdin_text))
        tick(len(outcomes), len(files))
    return outcomes


# What goes through the pipes between processes: a file's number (its place in the list); and
# through a forked process's results file, the length of each pickled result
_NUMBER = struct.Struct("=I")
_LENGTH = struct.Struct("=Q")


def _in_processes(files: list[tuple[str, bool]], job: Job, jobs: int, stdin_text: bytes | None,
                  tick: Callable[[int, int], None]) -> list[tuple[FileResult, Writes]]:
    """_process_entry over ``files`` in ``jobs`` processes: this one and ``jobs - 1`` forked
    copies of it; Ctrl-C stops them all at once.

    Why not a process pool: concurrent.futures's (a manager and a feeder thread, pickled tasks,
    ``jobs`` workers while this process only waited) ran 7,890M instructions where this runs
    7,542M (``check --all -j 2`` over the 312 aws-samples templates, callgrind, the counts a
    forked process inherits subtracted; one process runs 7,256M), its manager and feeder
    threads alone ~0.05 CPU s; and a worker that died ended the run with a traceback.

    Each process has its share of the files, a run of neighbours in the list, in a pipe of file
    numbers; once its own pipe is empty it takes from the others' (a large template does not
    hold back the files after it). Neighbours are alike (a template's YAML and JSON forms, the
    templates of one service), so the schemas, patterns and clean properties a process keeps
    serve it again for its next files: dealt out one by one from a single pipe, the files made
    every process learn the same (7,745M instructions). Every process reads each pipe 4 bytes
    at a time: a read that small from a pipe is atomic, so each number goes to exactly one
    process. A forked process inherits the files, the job and every module loaded.

    It writes each result to a file of its own (an unnamed temporary file), which this process
    reads once the forked one has ended, and a byte per file to a pipe, which this process
    reads between its own files, for the progress count. Results sent through a pipe (it holds
    64 KiB, results reach megabytes) needed a thread here to read them while this process
    worked: that thread, waking for each result, cost ``check --all -j 2`` over aws-samples
    0.03 of its 0.81 CPU s. A write to a file never waits for a reader. A file whose process
    ended before writing its result is this file's error.
    """
    numbers: list[tuple[int, int]] = []  # (read, write) per process: its share of the files
    for _ in range(jobs):
        try:
            numbers.append(os.pipe())
        except OSError:  # out of file descriptors: fewer shares
            break
    if len(numbers) < 2:
        for pipe in numbers:
            os.close(pipe[0])
            os.close(pipe[1])
        return _in_this_process(files, job, stdin_text, tick)
    workers: list[_Worker] = []
    children: list[int] = []
    handing_out = 0  # shares whose numbers a thread writes (and whose pipe it closes)
    try:
        for share in range(1, len(numbers)):
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                worker = _Worker()
            except OSError:  # out of file descriptors (or room for a file): the processes there are take the share
                break
            pid = -1
            try:
                pid = os.fork()
            except OSError:  # no more processes to be had: the ones there are take the share
                break
            finally:
                if pid == -1:  # not forked (no more processes, or interrupted): nobody writes there
                    worker.close()
            if pid == 0:
                for _, numbers_out in numbers:  # a pipe of numbers ends once the main process has written them
                    os.close(numbers_out)
                for other in workers:
                    other.close()
                os.close(worker.finished)
                _child(_shares_from(numbers, share), worker.results, worker.ticks, files, job, stdin_text)  # does not return
            children.append(pid)
            worker.forked()
            workers.append(worker)
        # started once every process is forked: a fork copies only the thread that makes it
        bounds = [len(files) * share // len(numbers) for share in range(len(numbers) + 1)]
        for share, (_, numbers_out) in enumerate(numbers):
            threading.Thread(target=_hand_out, args=(numbers_out, range(bounds[share], bounds[share + 1])),
                             daemon=True).start()
            handing_out += 1
        done: dict[int, tuple[FileResult, Writes]] = {}

        def count() -> int:
            return len(done) + sum(worker.count for worker in workers)
        for number in _numbers(_shares_from(numbers, 0)):
            done[number] = _process_entry(files[number], job, stdin_text)
            for worker in workers:
                worker.take_ticks()
            tick(count(), len(files))
        while running := [worker.finished for worker in workers if worker.running]:
            ready = select.select(running, [], [], 0.2)[0]
            for worker in workers:
                if worker.finished in ready:
                    worker.take_ticks()
            tick(count(), len(files))
        for worker in workers:
            done.update(worker.outcomes())
        endings = [_ending(pid) for pid in children]
    except BaseException:
        for pid in children:  # they write nothing and nothing of theirs is needed any more
            os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)
        for _, numbers_out in numbers[handing_out:]:
            os.close(numbers_out)
        raise
    finally:
        for numbers_in, _ in numbers:
            os.close(numbers_in)
        for worker in workers:
            worker.close()
    why = "; ".join(e for e in endings if e) or "ended without it"
    return [done.get(number) or (FileResult(path, "error", error=f"internal error (a worker process {why}); "
                                                                  "nothing written"), [])
            for number, (path, _) in enumerate(files)]


def _shares_from(numbers: list[tuple[int, int]], share: int) -> list[int]:
    """The pipes of numbers a process reads, in turn: its own share's, then the next ones'."""
    return [numbers[(share + i) % len(numbers)][0] for i in range(len(numbers))]


def _hand_out(numbers_out: int, share: range) -> None:
    """Write the numbers of a share of the files into its pipe, then close it.

    One write per number: a write of at most PIPE_BUF bytes to a pipe goes in whole or not at
    all, so the pipe only ever holds whole numbers (a larger write may stop part-way, on a signal)."""
    try:
        for number in share:
            os.write(numbers_out, _NUMBER.pack(number))
    except OSError:  # every reader is gone (an interrupted run)
        pass
    finally:
        os.close(numbers_out)


def _write_all(fd: int, data: bytes) -> None:
    """os.write until all of ``data`` is written (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _numbers(pipes: list[int]) -> Iterator[int]:
    """The file numbers this process takes from the pipes, each in turn until it is empty."""
    size = _NUMBER.size
    for numbers_in in pipes:
        while data := os.read(numbers_in, size):
            yield _NUMBER.unpack(data)[0]


class _Worker:
    """This process's ends of what a forked process writes to: the file of its results (see
    _child) and the pipe of its ticks, a byte per file done; the pipe ends when the process does."""

    def __init__(self) -> None:
        import tempfile  # here: only a run that forks needs it, and its import costs ~3 ms

        results = tempfile.TemporaryFile(buffering=0)
        try:
            self.finished, self.ticks = os.pipe()
        except OSError:
            results.close()
            raise
        self._file = results
        self.results = results.fileno()
        self.count = 0  # files the process has done
        self.running = True

    def forked(self) -> None:
        """The process is under way: only it writes its ticks, which this one reads without waiting."""
        os.close(self.ticks)
        self.ticks = -1
        os.set_blocking(self.finished, False)

    def take_ticks(self) -> None:
        """Count the ticks written since the last call; note the end of the pipe."""
        try:
            data = os.read(self.finished, 1 << 16)
        except BlockingIOError:
            return
        self.count += len(data)
        if not data:
            self.running = False

    def outcomes(self) -> dict[int, tuple[FileResult, Writes]]:
        """The results the process wrote, by file number (all of them, once it has ended); a
        result it was stopped while writing is left out."""
        self._file.seek(0)
        data = self._file.read()
        found = {}
        start = 0
        while len(data) - start >= _LENGTH.size:
            end = start + _LENGTH.size + _LENGTH.unpack_from(data, start)[0]
            if len(data) < end:
                break
            number, outcome = pickle.loads(data[start + _LENGTH.size : end])
            found[number] = outcome
            start = end
        return found

    def close(self) -> None:
        self._file.close()
        for fd in (self.finished, self.ticks):
            if fd != -1:
                os.close(fd)
        self.finished = self.ticks = -1


def _child(pipes: list[int], results: int, ticks: int, files: list[tuple[str, bool]], job: Job,
           stdin_text: bytes | None) -> NoReturn:
    """A forked process: takes file numbers from ``pipes`` until none is left, writes each
    result to ``results`` and a byte to ``ticks``, exits.

    It ends with ``os._exit``: the interpreter's exit would flush output buffers and run
    clean-ups that belong to the process it was copied from. Ctrl-C is the main process's to
    handle; a child whose main process died exits too (it would otherwise go on with files for
    nobody; writing a tick to a pipe nobody reads also ends it).
    """
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        parent = os.getppid()

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
        for number in _numbers(pipes):
            data = pickle.dumps((number, _process_entry(files[number], job, stdin_text)), pickle.HIGHEST_PROTOCOL)
            _write_all(results, _LENGTH.pack(len(data)) + data)
            os.write(ticks, b"\0")
        status = 0
    finally:
        os._exit(status)


def _ending(pid: int) -> str | None:
    """How a forked process ended, when that was not by finishing its files."""
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])  # -N: stopped by signal N
    if code < 0:
        return f"was stopped by signal {-code}"
    return f"exited with status {code}" if code else None


def _process_entry(entry: tuple[str, bool], job: Job, stdin_bytes: bytes | None = None) -> tuple[FileResult, Writes]:
    """process() for one file of a run: a bug in a fixer becomes this file's error, never a traceback.

    A run whose main process reads no result's texts or changes (``Job.details``) keeps only
    the status and messages: a forked process pickles every result it sends, and the texts
    before and after, with the change log, were ~98% of the bytes (5.7 MB over aws-samples;
    ``check --all -q -j 2`` 7,559M -> 7,538M instructions without them), which the main process
    also held to the end of the run. A run that prints the changes but no diff (``check``'s
    report) keeps them without the texts (``Job.texts``): 5.4 MB fewer to pickle and read back
    for ``check --all -j 2`` over aws-samples, ~0.007 of its ~0.79 CPU s."""
    path, explicit = entry
    try:
        result, writes = process(path, explicit, job, stdin_bytes)
    except Exception as exc:  # noqa: BLE001 - reported per file, the run goes on
        return FileResult(path, "error", error=f"internal error ({type(exc).__name__}: {exc}); nothing written"), []
    if not job.details:
        result = FileResult(result.path, result.status, fixer_errors=result.fixer_errors, error=result.error,
                            output=result.output, warning=result.warning)
    elif not job.texts:  # what is written goes in ``writes``
        result = dataclasses.replace(result, before=None, after=None, applied=None, companions={})
    return result, writes


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
        result = fix_text(text, config, None if path == "-" else path, locate=job.locate)
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
