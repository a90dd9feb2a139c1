"""Never lose a byte, never hang (issue 15): what cfnfix reads, walks and writes on disk."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfnfix import files
from cfnfix.changelog import FileResult
from test_cli import CLEAN, FIXED, TEMPLATE, invoke, write  # noqa: F401 - the fixture below is test_cli's
from test_cli import work  # noqa: F401

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("cfnfix:")]


# --- targets of --changelog and -o -----------------------------------------------------------

def test_changelog_target_that_is_one_of_the_inputs_is_refused(work):
    # `cfnfix check --changelog *.yaml` as the shell expands it
    write(work / "a.yaml", TEMPLATE)
    write(work / "b.yaml", TEMPLATE)
    result = invoke("check", "--changelog", "a.yaml", "b.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: a.yaml: not writing the change log there: it exists and is not a cfnfix change log\n"
    assert (work / "a.yaml").read_text() == TEMPLATE
    result = invoke("check", "--changelog", "b.yaml", "a.yaml", "b.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: b.yaml: not writing the change log there: it is one of the inputs\n"
    assert (work / "b.yaml").read_text() == TEMPLATE


def test_an_older_change_log_is_replaced(work):
    write(work / "t.yaml", TEMPLATE)
    assert invoke("check", "--changelog", "log.json", "t.yaml").exit_code == 1
    assert invoke("apply", "--changelog", "log.json", "t.yaml").exit_code == 0
    assert [f["status"] for f in json.loads((work / "log.json").read_text())["files"]] == ["fixed"]


def test_changelog_target_found_in_an_input_directory_is_refused(work):
    write(work / "stacks" / "a.yaml", TEMPLATE)
    result = invoke("apply", "--changelog", "stacks/a.yaml", "stacks")
    assert result.exit_code == 2
    assert error_lines(result) == ["cfnfix: stacks/a.yaml: not writing the change log there: it is one of the inputs"]
    assert (work / "stacks" / "a.yaml").read_text() == TEMPLATE  # refused before anything is written


@pytest.mark.parametrize("kind,cause", [
    ("directory", "it is a directory, not a regular file"),
    ("fifo", "it is a FIFO, not a regular file"),
    ("symlink", "it is a symbolic link (name the file it points to)"),
    ("device", "it is a character device, not a regular file"),
])
@pytest.mark.parametrize("option", ["--changelog", "-o"])
def test_output_target_that_is_not_a_plain_new_or_regular_file_is_refused(work, kind, cause, option):
    write(work / "t.yaml", TEMPLATE)
    write(work / "elsewhere.json", "{}")
    target = {"directory": "out", "fifo": "out.fifo", "symlink": "link.json", "device": "null"}[kind]
    if kind == "device":  # a node of its own, like /dev/null: a regression must not replace the real one
        try:
            os.mknod(work / target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs CAP_MKNOD")
    elif kind == "directory":
        (work / target).mkdir()
    elif kind == "fifo":
        os.mkfifo(work / target)
    elif kind == "symlink":
        os.symlink("elsewhere.json", work / target)
    result = invoke("apply", option, target, "t.yaml")
    assert result.exit_code == 2
    what = "the change log" if option == "--changelog" else "the patched template"
    assert result.stderr == f"cfnfix: {target}: not writing {what} there: {cause}\n"
    assert (work / "t.yaml").read_text() == TEMPLATE
    assert (work / "elsewhere.json").read_text() == "{}"


def test_output_target_that_is_the_input_is_refused(work):
    write(work / "t.yaml", TEMPLATE)
    result = invoke("apply", "-o", "./t.yaml", "t.yaml")
    assert result.exit_code == 2
    assert result.stderr == "cfnfix: ./t.yaml: not writing the patched template there: it is one of the inputs\n"


# --- symlinks and hard links ------------------------------------------------------------------

def test_symlinked_template_is_fixed_through_the_link(work):
    real = write(work / "real" / "t.yaml", TEMPLATE)
    os.symlink("real/t.yaml", work / "link.yaml")
    result = invoke("apply", "link.yaml")
    assert result.exit_code == 0
    assert os.path.islink(work / "link.yaml") and os.readlink(work / "link.yaml") == "real/t.yaml"
    assert real.read_text() == FIXED


def test_a_file_reached_twice_in_a_directory_is_fixed_once(work):
    write(work / "stacks" / "t.yaml", TEMPLATE)
    os.symlink("t.yaml", work / "stacks" / "alias.yaml")
    result = invoke("apply", "--format", "json", "stacks", "stacks/t.yaml")
    assert result.exit_code == 0, result.stderr
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == ["stacks/alias.yaml"]
    assert (work / "stacks" / "t.yaml").read_text() == FIXED
    assert os.path.islink(work / "stacks" / "alias.yaml")


def test_a_hard_link_is_broken_by_the_rewrite(work):
    """README: the fixed file is a new file; other hard links keep the old bytes."""
    path = write(work / "t.yaml", TEMPLATE)
    os.link(path, work / "other-name.yaml")
    assert invoke("apply", "t.yaml").exit_code == 0
    assert path.read_text() == FIXED
    assert (work / "other-name.yaml").read_text() == TEMPLATE
    assert path.stat().st_nlink == 1


# --- mode, owner and group --------------------------------------------------------------------

@pytest.mark.skipif(not ROOT_USER, reason="only root can give a file to another owner")
def test_rewrite_keeps_owner_group_and_mode(work):
    path = write(work / "t.yaml", TEMPLATE)
    os.chown(path, 1234, 5678)
    path.chmod(0o640)
    assert invoke("apply", "t.yaml").exit_code == 0
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o640)
    assert path.read_text() == FIXED


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_new_files_get_the_umask_mode(work, umask_027):
    path = write(work / "t.yaml", TEMPLATE)
    path.chmod(0o600)  # the input's own mode is not copied to a new file
    assert invoke("apply", "-o", "out.yaml", "--changelog", "log.json", "t.yaml").exit_code == 0
    assert stat.S_IMODE((work / "out.yaml").stat().st_mode) == 0o640
    assert stat.S_IMODE((work / "log.json").stat().st_mode) == 0o640
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- a file changed by someone else meanwhile ---------------------------------------------------

def test_a_template_changed_between_read_and_write_is_not_overwritten(work, monkeypatch):
    from cfnfix import runner

    path = write(work / "t.yaml", TEMPLATE)
    theirs = TEMPLATE.replace("python3.12", "python3.13")
    fix_text = runner.fix_text

    def someone_edits_meanwhile(*args, **kwargs):
        path.write_text(theirs)
        return fix_text(*args, **kwargs)

    monkeypatch.setattr(runner, "fix_text", someone_edits_meanwhile)
    result = invoke("apply", "t.yaml")
    assert result.exit_code == 2
    assert error_lines(result) == ["cfnfix: t.yaml: changed on disk since cfnfix read it; not overwritten (run cfnfix again)"]
    assert path.read_text() == theirs
    assert sorted(p.name for p in work.iterdir()) == ["t.yaml"]


# --- what is read -------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["named", "in a directory"])
def test_a_fifo_is_not_read(tmp_path, where):
    write(tmp_path / "stacks" / "t.yaml", TEMPLATE)
    os.mkfifo(tmp_path / "stacks" / "pipe.yaml")
    args = ["stacks/pipe.yaml", "stacks/t.yaml"] if where == "named" else ["stacks"]
    proc = subprocess.run([sys.executable, "-m", "cfnfix", "apply", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == "cfnfix: stacks/pipe.yaml: a FIFO, not a regular file; only regular files are read\n"
    assert (tmp_path / "stacks" / "t.yaml").read_text() == FIXED


def test_a_huge_file_is_not_read_whole(tmp_path):
    with open(tmp_path / "huge.yaml", "wb") as handle:  # sparse: 2 GB that take no disk space
        handle.truncate(2 * 1024**3)
    proc = subprocess.Popen([sys.executable, "-m", "cfnfix", "check", "huge.yaml"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # this process's own rusage: RUSAGE_CHILDREN would hold the peak of every process any
    # earlier test in this worker started
    deadline = time.monotonic() + 60
    while not (ended := os.wait4(proc.pid, os.WNOHANG))[0]:
        assert time.monotonic() < deadline, "cfnfix did not exit"
        time.sleep(0.05)
    _, status, usage = ended
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read()  # one line: the pipe held it
    proc.stderr.close()
    assert proc.returncode == 2
    assert stderr == "cfnfix: huge.yaml: file is larger than 5 MB\n"
    assert usage.ru_maxrss < 400 * 1024


def test_an_unreadable_subdirectory_is_named(work, monkeypatch):
    write(work / "stacks" / "t.yaml", TEMPLATE)
    write(work / "stacks" / "locked" / "u.yaml", TEMPLATE)
    scandir = os.scandir

    def locked(path=".", *args):
        if os.path.basename(os.fspath(path)) == "locked":  # what chmod 000 does for a user other than root
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path, *args)

    monkeypatch.setattr(os, "scandir", locked)
    result = invoke("apply", "stacks")
    assert result.exit_code == 2
    assert error_lines(result) == ["cfnfix: stacks/locked: cannot read directory: Permission denied"]
    assert (work / "stacks" / "t.yaml").read_text() == FIXED


# --- interrupted and killed runs ----------------------------------------------------------------

def _slow_inputs(folder: Path, count: int = 64, buckets: int = 6000) -> None:
    """Inputs a run of ``apply -j 4`` is still working on when the tests below stop it, ~2 s
    after it starts: 16 files of 1,500 buckets took 1.55 s (wall) on two cores, and the kill
    came after the run had written every file; 16 of 6,000 take ~5 s alone, yet a CI run
    beside the rest of the suite once finished them before the interrupt came. 64 take ~20 s;
    a stopped run costs the tests only the writing of the inputs (15 MB)."""
    body = "".join(f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n" for i in range(buckets))
    for n in range(count):
        write(folder / f"t{n:02}.yaml", "Resources:\n" + body)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile (the ones handing out file numbers do)
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_ctrl_c_exits_130_at_once_and_stops_every_worker(tmp_path):
    _slow_inputs(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "cfnfix", "apply", "-j", "4", "."], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:  # -j 4: the main process and 3 forks
        time.sleep(0.1)
    time.sleep(1)
    workers = _children(proc.pid)
    if len(workers) != 3:
        proc.kill()
        proc.wait()
        pytest.fail(f"the run is not under way with its three forked processes ({len(workers)} found)")
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert time.monotonic() - sent < 3
    assert stderr == "cfnfix: interrupted; files not written yet are left as they were\n"
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary file, nothing half-done


def test_killing_the_main_process_leaves_no_worker_writing(tmp_path):
    _slow_inputs(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "cfnfix", "apply", "-j", "4", "."], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:  # -j 4: the main process and 3 forks
        time.sleep(0.1)
    time.sleep(1.5)
    workers = _children(proc.pid)
    if len(workers) != 3:
        proc.kill()
        proc.wait()
        pytest.fail(f"the run is not under way with its three forked processes ({len(workers)} found)")
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_processes_share_the_files_and_report_them_in_input_order(work):
    """-j 3 forks two processes; every result comes back once, in the order of the inputs, as
    one process gives them, also a result larger than a pipe holds (64 KiB)."""
    topics = [f"  Topic{i}:\n    Type: AWS::SNS::Topic\n" for i in range(2600)]
    for n in range(14):
        write(work / f"t{n:02}.yaml", TEMPLATE + "".join(topics[: 200 * n]))
    write(work / "t07.yaml", "Resources: [unclosed\n")
    alone = invoke("apply", "--dry-run", "-j", "1", ".")
    shared = invoke("apply", "--dry-run", "-j", "3", ".")
    assert alone.exit_code == shared.exit_code == 2
    assert os.path.getsize(work / "t13.yaml") > 65536
    assert alone.stdout.count("+      Handler: index.lambda_handler") == 13
    assert (shared.stdout, shared.stderr) == (alone.stdout, alone.stderr)


def test_each_process_begins_with_its_own_share_of_neighbouring_files(work, monkeypatch):
    """-j 2: the main process begins with the first half of the list, the forked one with the
    second (neighbours are alike, so what a process learns from a file serves it again)."""
    from cfnfix import runner
    from cfnfix.config import Config, Resolver

    def who(path, *args):
        time.sleep(0.05)  # both processes get to their own share first
        return FileResult(path, "skipped", error=str(os.getpid())), []

    monkeypatch.setattr(runner, "process", who)
    files = [(f"t{n:02}.yaml", True) for n in range(12)]
    results = runner.run(files, runner.Job(resolver=Resolver.always(Config())), jobs=2)
    assert [r.path for r in results] == [path for path, _ in files]
    assert results[0].error == str(os.getpid())
    assert results[6].error != str(os.getpid())
    assert {r.error for r in results[:3]} == {str(os.getpid())}
    assert len({r.error for r in results[6:9]}) == 1


@pytest.mark.parametrize("pipes", [0, 1, 2, 3, 4])
def test_a_run_out_of_file_descriptors_uses_the_processes_it_has(work, monkeypatch, pipes):
    """-j 3 needs five pipes; with fewer to be had, fewer processes do the same work (none
    forked: this one alone)."""
    for n in range(12):
        write(work / f"t{n:02}.yaml", TEMPLATE)
    alone = invoke("check", "-j", "1", ".")
    made = []
    pipe = os.pipe

    def scarce():
        if len(made) >= pipes:
            raise OSError(24, "Too many open files")
        made.append(1)
        return pipe()

    monkeypatch.setattr(os, "pipe", scarce)
    result = invoke("check", "-j", "3", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (alone.exit_code, alone.stdout, alone.stderr)


def test_a_run_without_room_for_results_files_works_in_this_process(work, monkeypatch):
    """A forked process writes its results to a temporary file: where none can be made (no
    room, no temporary directory), the run is this process's alone, with the same results."""
    import tempfile

    for n in range(12):
        write(work / f"t{n:02}.yaml", TEMPLATE)
    alone = invoke("check", "-j", "1", ".")
    forks = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1))
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **kw: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    result = invoke("check", "-j", "3", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (alone.exit_code, alone.stdout, alone.stderr)
    assert forks == []


def test_an_interrupted_start_stops_the_forked_processes_and_leaves_no_pipe_open(work, monkeypatch):
    from cfnfix import runner
    from cfnfix.config import Config, Resolver

    forks = []
    fork = os.fork

    def interrupted():
        if forks:
            raise KeyboardInterrupt  # Ctrl-C while the second process is being forked
        forks.append(fork())
        return forks[-1]

    monkeypatch.setattr(os, "fork", interrupted)
    open_before = set(os.listdir("/proc/self/fd"))
    files = [(f"t{n:02}.yaml", True) for n in range(12)]
    with pytest.raises(KeyboardInterrupt):
        runner.run(files, runner.Job(resolver=Resolver.always(Config())), jobs=3)
    assert forks and forks[0] > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], 0)  # the run stopped and reaped it
    assert set(os.listdir("/proc/self/fd")) == open_before


def test_a_process_that_dies_costs_only_the_file_it_had(work, monkeypatch):
    from cfnfix import runner

    for n in range(12):
        write(work / f"t{n:02}.yaml", TEMPLATE)
    main = os.getpid()
    process = runner.process

    def dying(path, *args):
        if os.getpid() != main:  # a forked process dies on the first file it takes
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.05)  # the main process leaves the forked one time to take a file
        return process(path, *args)

    monkeypatch.setattr(runner, "process", dying)
    result = invoke("check", "-j", "2", ".")
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1
    assert errors[0].endswith(": internal error (a worker process was stopped by signal 9); nothing written")
    assert result.stdout.endswith("12 files checked: 11 pending, 1 error\n")


# --- memory management ----------------------------------------------------------------------------

def test_the_cyclic_collector_is_paused_for_the_whole_run_and_restored_after(work, monkeypatch):
    import gc

    from cfnfix import runner

    write(work / "a.yaml", TEMPLATE)
    write(work / "b.yaml", TEMPLATE)
    fix_text = runner.fix_text
    states = []

    def recording(*args, **kwargs):
        states.append(gc.isenabled())  # between files too: nothing collects in between
        return fix_text(*args, **kwargs)

    monkeypatch.setattr(runner, "fix_text", recording)
    assert gc.isenabled()
    result = invoke("check", "-j", "1", "a.yaml", "b.yaml")
    assert result.exit_code == 1
    assert states == [False, False]
    assert gc.isenabled()


def test_what_a_run_leaves_alive_is_frozen_not_scanned_again(work, monkeypatch):
    """A 1 MB template leaves ~500,000 objects alive (results, caches): collecting them when the
    collector comes back, and again at exit, cost 0.7 s of 7.7 s."""
    import gc

    from cfnfix import runner

    write(work / "a.yaml", TEMPLATE)
    fix_text = runner.fix_text
    left = []

    def leaving_a_cycle(*args, **kwargs):
        cycle: dict = {}
        cycle["self"] = cycle
        left.append(cycle)
        return fix_text(*args, **kwargs)

    monkeypatch.setattr(runner, "fix_text", leaving_a_cycle)
    assert invoke("check", "-j", "1", "a.yaml").exit_code == 1
    assert gc.isenabled()
    assert not any(o is left[0] for o in gc.get_objects())  # in the permanent generation


def test_unique_names_the_real_file_as_realpath_does(tmp_path, monkeypatch):
    """unique keeps each folder's real path (files._realpath): every kind of path still gets
    os.path.realpath's answer, symlinked files and folders, loops, dangling links and .. included."""
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "t.yaml").write_text("x")
    (real / "sub" / "u.yaml").write_text("x")
    (tmp_path / "linked").symlink_to(real)
    (real / "alias.yaml").symlink_to(real / "sub" / "u.yaml")
    (real / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (real / "loop.yaml").symlink_to(real / "loop.yaml")
    (real / "up").symlink_to("..")
    monkeypatch.chdir(real)
    paths = ["t.yaml", "./t.yaml", "sub/u.yaml", "sub/../t.yaml", "alias.yaml", "dangling.yaml", "loop.yaml",
             "missing/t.yaml", "up/real/t.yaml", "sub/..", "sub/.", "sub/", "..", "/",
             str(tmp_path / "linked" / "t.yaml"), str(tmp_path / "linked" / "sub" / "u.yaml"),
             str(tmp_path / "linked" / "alias.yaml"), str(tmp_path) + "//linked/./t.yaml"]
    folders: dict = {}
    for path in paths + paths:
        assert files._realpath(path, folders) == os.path.realpath(path), path
    firsts = {}
    for path in paths:
        firsts.setdefault(os.path.realpath(path), path)
    assert files.unique(paths, str) == list(firsts.values())
