"""Writing an output file whole or not at all, and never writing over what is not a file.

Every file a research command writes (exports, charts) goes through ``output_file``:

* ``-`` is standard output, written as it goes (no temporary file);
* an existing target that is not a regular file (a FIFO, a terminal), or that is named under
  ``/dev`` or ``/proc`` (``/dev/stdout``, whatever it points to), is written through, never
  replaced, for formats that stream; other formats refuse it;
* a regular target (or a new one, or a symlink to one, which stays a symlink) is written to
  ``.<name>.<random>.part`` beside it and renamed over it only when complete, so a reader
  sees the old file or the new one, never half of one;
* the temporary file is created with the process umask (``0666 & ~umask``, as ``open()``
  would) and locked (``flock``) while it is written: a ``.part`` that nobody holds locked
  is the leftover of a killed export and is removed when the next export to that name
  starts (a running export's file is left alone), with ``.<name>.<random>.scratch/``, where
  a writer that needs its own temporary files (XlsxWriter) is told to put them;
* SIGTERM and SIGHUP raise ``Interrupted`` (as Ctrl-C raises KeyboardInterrupt), so the
  temporary file is removed on the way out and the command exits 128 + the signal number.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.errors import ParknewsError, UsageError, exit_code_for_signal

STDOUT = "-"
PART_SUFFIX = ".part"
SCRATCH_SUFFIX = ".scratch"  # beside a part: a writer's own temporary files (XlsxWriter's)
_CAUGHT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Interrupted(ParknewsError):
    """A signal stopped the command; what it was writing was removed."""

    def __init__(self, signum: int) -> None:
        self.exit_code = exit_code_for_signal(signum)
        super().__init__(f"interrupted by {signal.Signals(signum).name}: not completed, and no temporary file left behind")


@dataclass
class Output:
    """Where a writer writes: ``path`` (a file it may open itself) and/or ``stream``."""

    path: str | None
    stream: BinaryIO | None
    label: str  # how to name the destination to the user
    scratch: str | None = None  # a private directory for a writer's own temporary files


def part_files(target: str | os.PathLike) -> list[Path]:
    """The temporary files an export to ``target`` makes or left behind."""
    target = Path(target)
    return sorted(target.parent.glob(f".{_glob_escape(target.name)}.*{PART_SUFFIX}"))


def remove_stale_parts(target: str | os.PathLike) -> int:
    """Remove the ``.part`` files of killed exports to ``target`` (ones no process holds), and
    their scratch directories; count the parts removed."""
    target = Path(target)
    removed = 0
    for scratch in target.parent.glob(f".{_glob_escape(target.name)}.*{SCRATCH_SUFFIX}"):
        if not scratch.with_name(scratch.name[: -len(SCRATCH_SUFFIX)] + PART_SUFFIX).exists():
            shutil.rmtree(scratch, ignore_errors=True)  # its part is gone: nobody writes here
    for part in part_files(target):
        try:
            fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a live export: BlockingIOError
            shutil.rmtree(_scratch_of(part), ignore_errors=True)
            os.unlink(part)
            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


@contextmanager
def output_file(target: str, *, streams: bool, what: str = "the output") -> Iterator[Output]:
    """Yield where to write ``target``; make it visible only if the block completes.

    ``streams``: the format can be written front to back into a pipe or device (CSV, JSON
    lines); others need a regular file. Raises UsageError for a target that cannot be
    written (a directory, a missing directory, no permission, a device for a format that
    does not stream), before anything is written.
    """
    how = check_target(target, streams=streams, what=what)
    if how == "stdout":
        with _signals_interrupt():
            yield Output(None, sys.stdout.buffer, "standard output")
            sys.stdout.buffer.flush()
        return
    path = Path(target)
    if how == "through":
        with _signals_interrupt(), _open_through(path) as stream:
            yield Output(None, stream, target)
        return
    real = Path(os.path.realpath(path))  # a symlink stays one: its target is replaced
    remove_stale_parts(real)
    part, fd = _create_part(real)
    scratch = _scratch_of(part)
    try:
        with _signals_interrupt():
            if not streams:
                scratch.mkdir(mode=0o700)
            with os.fdopen(os.dup(fd), "wb") as stream:
                yield Output(str(part), stream, target, None if streams else str(scratch))
            shutil.rmtree(scratch, ignore_errors=True)
            _keep_mode(real, fd)
            os.replace(part, real)
    except OSError as exc:
        _remove(part)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(part)
        raise
    finally:
        os.close(fd)


def check_target(target: str, *, streams: bool, what: str = "the output") -> str:
    """How ``target`` will be written, or UsageError (exit 2) saying why it cannot be.

    ``"stdout"`` for ``-``, ``"through"`` for a device, FIFO or descriptor name (formats that
    stream only), ``"replace"`` for a new or regular file. Refused: a directory, a missing or
    unwritable directory, an existing file this user may not write (as ``cp`` refuses; root
    may), and a non-regular target for a format that does not stream. Commands call it before
    printing anything, so a bad ``-o``/``--plot`` fails before any output.
    """
    if target == STDOUT:
        if not streams:
            raise UsageError(f"{what} cannot go to standard output; give a file name with -o")
        return "stdout"
    path = Path(target)
    try:
        mode = os.stat(path).st_mode  # follows symlinks: the kind of file finally written
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{target} is a directory; give a file name for {what}")
    if mode is not None and (not stat.S_ISREG(mode) or _is_special_path(path)):
        if not streams:
            raise UsageError(f"{target} is not a regular file (a device, pipe or descriptor); {what} needs one: "
                             "write a file, then copy it")  # fmt: skip
        return "through"
    real = Path(os.path.realpath(path))
    if not real.parent.is_dir():
        raise UsageError(f"cannot write {real}: directory {real.parent} does not exist")
    if mode is not None and not os.access(real, os.W_OK):
        raise UsageError(f"cannot write {target}: the file is read-only for this user; make it writable "
                         "(chmod u+w) or choose another name")  # fmt: skip
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {target}: its directory {real.parent} is read-only for this user")
    return "replace"


def _keep_mode(real: Path, fd: int) -> None:
    """Give the new file the permission bits of the file it replaces (a new name keeps the umask's)."""
    try:
        os.fchmod(fd, stat.S_IMODE(os.stat(real).st_mode))
    except FileNotFoundError:
        pass


def _is_special_path(path: Path) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N: a descriptor's name, written through even when
    it resolves to a regular file (replacing that file would leave the descriptor's holder,
    a shell's ``>`` or ``>>``, writing to a file no longer there)."""
    return Path(os.path.abspath(path)).parts[1:2] in (("dev",), ("proc",))


def _create_part(real: Path) -> tuple[Path, int]:
    parent = real.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {real}: directory {parent} does not exist")
    for _ in range(100):
        part = parent / f".{real.name}.{secrets.token_hex(4)}{PART_SUFFIX}"
        try:
            # 0o666 and the umask, as any new file; O_EXCL: never an existing file or symlink.
            fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot write {real}: {exc.strerror}") from None
        fcntl.flock(fd, fcntl.LOCK_EX)  # marks the part as live until this process ends
        return part, fd
    raise UsageError(f"cannot write {real}: no free temporary name beside it")


@contextmanager
def _open_through(path: Path) -> Iterator[BinaryIO]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as stream:
        yield stream


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into ``Interrupted`` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, _frame):
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, interrupt) for signum in _CAUGHT_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _scratch_of(part: Path) -> Path:
    return part.with_name(part.name[: -len(PART_SUFFIX)] + SCRATCH_SUFFIX)


def _remove(part: Path) -> None:
    shutil.rmtree(_scratch_of(part), ignore_errors=True)
    try:
        os.unlink(part)
    except FileNotFoundError:
        pass


def _glob_escape(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)
