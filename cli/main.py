"""The ``parknews`` command line: crawl, demo, and the researchers' commands on an archive.

``main`` is the one place where an error becomes what the user sees: one line on stderr,
``parknews: error: …`` (shown as text: ``cli.terminal.visible``), and the exit code of
``archive.errors``. Nothing else prints errors or picks exit codes for them.
"""

from __future__ import annotations

import os
import sqlite3
import sys

import click

from cli.crawl import CRAWL_COMMANDS
from archive.errors import (
    EXIT_BUG, EXIT_LOCKED, EXIT_SIGINT, EXIT_SIGPIPE, EXIT_USAGE, OutputClosed, ParknewsError,
)  # fmt: skip
from cli.research import RESEARCH_COMMANDS
from cli.terminal import visible
from cli.validate import check_argv


class ParknewsGroup(click.Group):
    """The command group; a closed output pipe becomes OutputClosed, before click makes it exit 1,
    and Ctrl-C becomes click's Abort before click prints a bare newline for it (one error line)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise OutputClosed() from exc
        except KeyboardInterrupt as exc:
            raise click.exceptions.Abort() from exc


@click.group(cls=ParknewsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parknews")
def cli() -> None:
    """Crawl 产业园区网 (010b.com) investment-promotion news into an SQLite archive, and query it."""


for command in [*CRAWL_COMMANDS, *RESEARCH_COMMANDS]:
    cli.add_command(command)


NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2


def error_for(exc: BaseException) -> tuple[int, str | None]:
    """The exit code and the one-line message for ``exc`` (None: say nothing)."""
    if isinstance(exc, (OutputClosed, BrokenPipeError)):
        return EXIT_SIGPIPE, None  # the reader went away (| head): nothing to say
    if isinstance(exc, ParknewsError):
        return exc.exit_code, str(exc)
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return EXIT_SIGINT, "interrupted (Ctrl-C); nothing more was done"
    if isinstance(exc, NO_ARGS_IS_HELP) and exc.ctx is not None:
        click.echo(exc.ctx.get_help())  # `parknews` alone: the help on stdout, one error line
        return EXIT_USAGE, f"no command given; choose one of those above (e.g. {exc.ctx.command_path} crawl --help)"
    if isinstance(exc, click.ClickException):
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see: {exc.ctx.command_path} --help)"
        return EXIT_USAGE, exc.format_message() + hint
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc)
        if "locked" in text:
            return EXIT_LOCKED, f"the archive is busy ({text}): another process is writing it; try again when it is done"
        if "readonly" in text:
            return EXIT_USAGE, f"cannot write the archive ({text}): the file or its directory is read-only for this user"
        if "not a database" in text:
            return EXIT_USAGE, f"the archive is not an SQLite archive ({text}); pass another --db path"
        return EXIT_USAGE, f"the archive could not be read ({text}); check the --db path (parknews runs --db PATH)"
    if isinstance(exc, OSError):
        if exc.filename:
            return EXIT_USAGE, f"cannot use {exc.filename} ({exc.strerror or exc}); check the path, its directory and permissions"
        return EXIT_USAGE, f"{exc.strerror or exc}"
    return EXIT_BUG, (
        f"internal error ({type(exc).__name__}: {exc}); this is a bug in parknews: please report it with "
        "the command line (PARKNEWS_DEBUG=1 shows the traceback)"
    )


def drop_stdout() -> None:
    """Send what is left in stdout's buffer nowhere: its reader is gone or its disk is full."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind it (a test's StringIO)
        pass


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # not a StringIO in someone's test
            stream.reconfigure(errors="backslashreplace")  # undecodable file names never crash a print
    try:
        check_argv(args)
        code = cli.main(args, prog_name="parknews", standalone_mode=False)
        sys.stdout.flush()  # a full disk or a closed pipe is found here, not silently at exit
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place errors become an exit code
        if os.environ.get("PARKNEWS_DEBUG") and not isinstance(exc, (ParknewsError, click.ClickException)):
            raise
        code, message = error_for(exc)
        if code == EXIT_SIGPIPE or (isinstance(exc, OSError) and exc.filename is None):  # stdout failed: drop the rest
            drop_stdout()
            if message is not None:
                message = f"cannot write the output: {exc.strerror or exc}"
        if message is not None:
            print(f"parknews: error: {visible(message, one_line=True)}", file=sys.stderr, flush=True)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
