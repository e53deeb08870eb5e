"""The ``parknews`` command line: crawl, demo, and the researchers' commands on an archive."""

from __future__ import annotations

import sys

import click

from archive.crawl_cli import CRAWL_COMMANDS
from archive.errors import ParknewsError
from archive.research_cli import RESEARCH_COMMANDS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parknews")
def cli() -> None:
    """Crawl 产业园区网 (010b.com) investment-promotion news into an SQLite archive, and query it."""


for command in [*CRAWL_COMMANDS, *RESEARCH_COMMANDS]:
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except ParknewsError as exc:
        click.echo(f"parknews: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("parknews: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"parknews: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
