"""One crawl at a time per archive.

An advisory ``flock`` on ``<archive>.lock``: the kernel drops it when the holding process
dies, however it dies (SIGKILL included), so a stale lock never blocks the next run.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import LockedError


def lock_path(archive: str | os.PathLike) -> Path:
    archive = Path(archive)
    return archive.with_name(archive.name + ".lock")


@contextmanager
def archive_lock(archive: str | os.PathLike) -> Iterator[None]:
    """Hold the archive's crawl lock, or raise LockedError at once if another process has it."""
    path = lock_path(archive)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"{archive} is being written by {holder}; wait for that run to finish (this run did nothing)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"parknews pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
