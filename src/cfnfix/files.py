"""The file system, touched safely: what cfnfix reads, walks and writes goes through here.

Reading opens only regular files and never more than a cap, so a FIFO named ``*.yaml`` cannot
hang a run and a 2 GB file is not read whole. Writing replaces a file through a temporary file
and a rename (no half-written file, ever), keeps the file's mode, owner and group, writes
through a symlink to the file it names (the link stays), and refuses when the file changed
since it was read, so a concurrent edit is never silently lost. Messages are one line naming
the cause, not the path: callers put the path in front.
"""

from __future__ import annotations

import os
import stat
from typing import Callable, NamedTuple, TypeVar

T = TypeVar("T")


class FileError(Exception):
    """A path cannot be used as asked; the message is one line naming the cause."""


class Snapshot(NamedTuple):
    """What was read from a file, and which file it was: the base a later write is checked against."""

    data: bytes  # at most the read limit + 1 bytes
    size: int  # st_size when read (larger than ``len(data)`` for a file over the limit)
    identity: tuple[int, int, int, int]  # (st_dev, st_ino, st_size, st_mtime_ns)


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}


def kind(mode: int) -> str:
    """``a FIFO``, ``a directory``...: what a file that is not a regular file is, for messages."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def read(path: str, limit: int) -> Snapshot:
    """The first ``limit + 1`` bytes of the regular file at ``path`` (following symlinks).

    The file is opened non-blocking and checked with fstat before a byte is read: opening a
    FIFO for reading would otherwise wait for a writer forever, and a device never ends. The
    extra byte lets the caller tell a file of exactly ``limit`` bytes from a larger one.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileError(f"{kind(st.st_mode)}, not a regular file; only regular files are read")
        chunks, left = [], min(st.st_size, limit) + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return Snapshot(b"".join(chunks), st.st_size, _identity(st))
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _unchanged(path: str, snapshot: Snapshot) -> bool:
    """Whether ``path`` is still the file ``snapshot`` was read from, with the same bytes.

    The stat identity catches most changes cheaply; the bytes catch an edit of the same size
    within the file system's timestamp granularity.
    """
    try:
        if _identity(os.stat(path)) != snapshot.identity:
            return False
        with open(path, "rb") as handle:
            return handle.read(len(snapshot.data) + 1) == snapshot.data
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(target: str, data: bytes, expected: Snapshot | None = None) -> None:
    """Replace ``target`` with ``data`` through a temporary file and a rename.

    A symlink is written through: the file it names gets the bytes and the link stays. An
    existing file keeps its mode, owner and group; a new one gets ``0666 & ~umask`` like any
    file a program creates. With ``expected`` (what was read), a file changed since then is
    left alone and FileError raised. The rename gives the file a new inode: other hard links
    to the old one keep the old bytes.
    """
    real = os.path.realpath(target)
    try:
        old: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise FileError(f"{kind(old.st_mode)}, not a regular file; not written")
    import tempfile  # (and shutil with it) imported by the runs that write only

    fd, tmp = tempfile.mkstemp(prefix=".cfnfix-", dir=os.path.dirname(real))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if old is None:
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            else:
                mine = os.fstat(handle.fileno())
                if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
                    os.fchown(handle.fileno(), old.st_uid, old.st_gid)  # before fchmod: chown clears setuid bits
                os.fchmod(handle.fileno(), stat.S_IMODE(old.st_mode))
        if expected is not None and not _unchanged(real, expected):
            raise FileError("changed on disk since cfnfix read it; not overwritten (run cfnfix again)")
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def unsafe_target(target: str, inputs: list[str]) -> str | None:
    """Why ``target`` must not receive a new output (a change log, ``-o``), or None when it may.

    Writing over one of the inputs destroys it (``--changelog *.yaml`` names the first template
    as the log); writing to a directory, device or FIFO cannot work or hangs; a symlink would
    redirect the write somewhere the user did not name.
    """
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be used: {exc.strerror or exc}"
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link (name the file it points to)"
    if not stat.S_ISREG(st.st_mode):
        return f"it is {kind(st.st_mode)}, not a regular file"
    for path in inputs:
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return "it is one of the inputs"
    return None


def unique(items: list[T], path: Callable[[T], str]) -> list[T]:
    """``items`` without those whose ``path`` names a file already listed (through a symlink,
    ``./``, or twice): each real file is fixed, and written, once.
    """
    seen: set[str] = set()
    out = []
    folders: dict[str, str] = {}
    for item in items:
        real = _realpath(path(item), folders)
        if real not in seen:
            seen.add(real)
            out.append(item)
    return out


def _realpath(path: str, folders: dict[str, str]) -> str:
    """``os.path.realpath(path)``, with the real path of each folder kept in ``folders``.

    realpath checks every part of the path for a symlink (an ``lstat`` each: ~2,200 over the
    312 aws-samples templates); the templates of a run share their folders. A last part that
    is a plain name and no symlink leaves realpath nothing to resolve in it: it appends the
    name to the folder's real path, which is what this returns too."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)
