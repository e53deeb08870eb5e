"""The command line: every ``parknews`` subcommand, and what it shows on a terminal.

Owns: the ``parknews`` command group and its one error handler (``cli.main.main``: every
error becomes one line ``parknews: error: …`` and an exit code of ``archive.errors``); the
writing commands ``crawl``, ``demo``, ``reparse`` (``cli.crawl``) and the researchers'
commands ``search``, ``query``, ``export``, ``stats``, ``runs``, ``serve``, ``reindex``
(``cli.research``); running a Scrapy crawl in-process with the options' settings
(``cli.runner``); every check of what a user types (``cli.validate``); the one way archive and
network text reaches a terminal (``cli.terminal``). ``python -m cli`` is ``parknews``.

May import: ``archive``, ``crawler``, ``extract``, ``normalize`` (it is the top of the house:
nothing imports ``cli``). Scrapy and Twisted only inside the commands that crawl, so that the
researchers' commands start fast (``tests/test_startup.py``).
"""
