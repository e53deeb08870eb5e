"""Errors the CLI turns into one line on stderr and an exit code (no traceback)."""

from __future__ import annotations

# Exit codes, documented in README.md ("Exit codes"). Monitoring keys on these.
EXIT_OK = 0
EXIT_PAGE_ERRORS = 1  # the crawl finished, but some pages failed (see crawl_errors)
EXIT_USAGE = 2  # bad input: arguments, database, start URL; nothing was written
EXIT_LOCKED = 3  # another crawl holds the archive's lock; nothing was done
EXIT_WRITE_FAILED = 4  # the archive could not be written (disk full, read-only, I/O error); what was committed stays


class ParknewsError(Exception):
    """An error with a message meant for the user and the exit code to leave with."""

    exit_code = EXIT_USAGE


class UsageError(ParknewsError):
    exit_code = EXIT_USAGE


class LockedError(ParknewsError):
    exit_code = EXIT_LOCKED


class WriteFailedError(ParknewsError):
    """The archive could not be written (disk full, read-only file, I/O error)."""

    exit_code = EXIT_WRITE_FAILED
