"""The archive: the SQLite file, everything written to it and everything read from it.

Owns: the schema (``schema``), opening, checking and upgrading an archive and the one
transaction helper (``db``, ``migrate``), the crawl lock (``lock``), all writes (``store``;
the derived facts ``facts``, the full-text and repost indexes ``fts``, ``reposts``), what a run
knows before it starts (``state``), the query rules shared by the command line and Datasette
(``search``, ``where``, ``query_limits``, ``stats``, ``columns``), the exports (``export``,
``writers``, ``outfile``), the Datasette server and plugin (``serve``, ``datasette``), and the
errors with their exit codes (``errors``).

May import: ``normalize`` and ``extract`` (pure functions: the places, money amounts and park
names an upgrade or a rebuild recomputes from stored text and pages). Never ``crawler`` or
``cli``: data flows from the crawler into the archive, and the command line drives both
(``tests/test_layers.py``).

Start-up: sqlite-utils imports pandas and numpy at import time when they are installed (the
``research`` extra installs them), only to add their scalar types to the table it uses to
infer column types from inserted Python values. parknews declares every column's type
(``archive/schema.py``) and never inserts numpy or pandas values, yet paid 0.4-0.6 s of every
command's start-up for them (``python -X importtime -c 'import sqlite_utils'``). So
sqlite-utils is imported here, before any archive module uses it, with those two modules
hidden; they import normally afterwards (the dta and Parquet writers use pandas and pyarrow).
Nothing changes if sqlite-utils, pandas or numpy was imported before this package.
``bench/bench_startup.py`` measures it; ``tests/test_startup.py`` checks which modules the
research commands import.
"""

from __future__ import annotations

import sys

_HIDDEN_FROM_SQLITE_UTILS = ("pandas", "numpy")


def _import_sqlite_utils_lean() -> None:
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _HIDDEN_FROM_SQLITE_UTILS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import pandas" raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


_import_sqlite_utils_lean()
