"""Errors the CLI turns into one line on stderr and an exit code (no traceback).

Exit codes, documented in README.md ("Exit codes"); monitoring keys on these. Every error
line goes through ``cli.main.main``, the one place that maps an exception to a code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PAGE_ERRORS = 1  # the crawl finished, but some pages failed (see crawl_errors)
EXIT_USAGE = 2  # bad input: arguments, database, start URL; nothing was written
EXIT_LOCKED = 3  # another crawl holds the archive's lock; nothing was done
EXIT_WRITE_FAILED = 4  # the archive could not be written (disk full, read-only, I/O error); what was committed stays
EXIT_BUG = 70  # an unexpected error inside parknews (EX_SOFTWARE): a bug to report
EXIT_SIGINT = 130  # interrupted by Ctrl-C (128 + SIGINT)
EXIT_SIGPIPE = 141  # the reader of the output went away, e.g. `| head` (128 + SIGPIPE)
EXIT_SIGTERM = 143  # stopped by SIGTERM, e.g. systemd stopping the unit (128 + SIGTERM)


def exit_code_for_signal(signum: int) -> int:
    """The exit code of a command stopped by signal ``signum``: 128 + its number, as a shell
    reports it (130 SIGINT, 129 SIGHUP, 143 SIGTERM)."""
    return 128 + signum


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
class OutputClosed(ParknewsError):
    """The reader of stdout went away (``| head``): stop quietly."""

    exit_code = EXIT_SIGPIPE
