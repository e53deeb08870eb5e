"""One crawl at a time per archive.

An advisory ``flock`` on ``<archive>.lock``: the kernel drops it when the holding process
dies, however it dies (SIGKILL included), so a stale lock never blocks the next run.
The holder's pid is written into the file for the message a second run shows; on a full disk
that note is skipped (the lock itself needs no space). A lock file that cannot be created
(read-only directory) is a write failure: ``WriteFailedError``, exit code 4.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import LockedError, WriteFailedError


def lock_path(archive: str | os.PathLike) -> Path:
    archive = Path(archive)
    return archive.with_name(archive.name + ".lock")


@contextmanager
def archive_lock(archive: str | os.PathLike) -> Iterator[None]:
    """Hold the archive's crawl lock, or raise LockedError at once if another process has it."""
    from archive.db import write_failure

    path = lock_path(archive)
    try:
        handle = open(path, "a+b", buffering=0)  # unbuffered: nothing left to flush on close
    except OSError as exc:
        failure = write_failure(exc) or WriteFailedError(f"cannot write the archive: cannot create the lock file {path} ({exc})")
        raise failure from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().decode("utf-8", "replace").strip() or "another process"
            raise LockedError(
                f"{archive} is being written by {holder}; wait for that run to finish (this run did nothing)"
            ) from None
        _note(handle, f"parknews pid {os.getpid()}")
        try:
            yield
        finally:
            _note(handle, "")
            fcntl.flock(handle, fcntl.LOCK_UN)


def _note(handle, text: str) -> None:
    """Write who holds the lock, if the disk lets us (a full disk must not stop the run here)."""
    try:
        handle.seek(0)
        handle.truncate()
        if text:
            handle.write(text.encode())
    except OSError:
        pass
