"""Datasette on an archive, with the metadata and plugin shipped in the package (extra ``web``).

The archive is served under the name ``archive`` (``/archive/articles``), whatever its file
is called. The metadata (``archive/datasette/metadata.json``) hides the internal tables, sets
the facets, the label column and the stored queries; the articles' column descriptions come
from ``archive.columns``, the keyword query's SQL from ``archive.search.stored_query_sql``, and
the other queries' ``{date}`` and ``{place}`` from ``archive.search``/``archive.stats``, so
nothing is written twice. The plugin (``archive.datasette``) supplies the query rules.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from archive.db import check_archive_path
from archive.errors import UsageError

METADATA_PATH = Path(__file__).parent / "datasette" / "metadata.json"
DATABASE_NAME = "archive"
INSTALL_HINT = "Datasette is not installed: install with pip install -e '.[web]'"
SETTINGS = {
    "truncate_cells_html": 120,  # characters of a cell in the table view (the row page shows all)
    "default_page_size": 50,
    "default_facet_size": 8,
    "sql_time_limit_ms": 5000,  # a keyword query with bm25 over a million articles takes ~2 s
    "facet_time_limit_ms": 1000,
}


def metadata_for(db_path: str | os.PathLike | None = None) -> dict:
    """The shipped metadata, completed with the column documentation and the keyword query."""
    from archive.columns import ARTICLE_COLUMNS
    from archive.search import ARTICLE_DATE, stored_query_sql
    from archive.stats import PLACE

    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    section = metadata["databases"][DATABASE_NAME]
    section["tables"]["articles"]["columns"] = {name: column.doc for name, column in ARTICLE_COLUMNS.items()}
    for query in section["queries"].values():  # {date} and {place}: the expressions of search and stats
        query["sql"] = query.get("sql", "").replace("{date}", ARTICLE_DATE).replace("{place}", PLACE)
    section["queries"]["search_by_keyword"]["sql"] = stored_query_sql()
    return metadata


def make_datasette(db_path: str | os.PathLike):
    """A Datasette instance serving the archive at ``db_path`` read-only, as ``/archive``."""
    path = check_archive_path(db_path, must_exist=True)
    try:
        from datasette.app import Datasette
        from datasette.database import Database
        from datasette.plugins import pm
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    from archive import datasette as plugin

    if not pm.is_registered(plugin) and pm.get_plugin(plugin.PLUGIN) is None:
        pm.register(plugin, name=plugin.PLUGIN)  # a checkout whose entry point is not installed
    datasette = Datasette(metadata=metadata_for(), template_dir=str(plugin.TEMPLATES), settings=SETTINGS)
    datasette.add_database(Database(datasette, path=str(path), is_mutable=True), name=DATABASE_NAME)
    return datasette


def serve(db_path: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive until interrupted."""
    datasette = make_datasette(db_path)
    import uvicorn  # comes with datasette

    uvicorn.run(datasette.app(), host=host, port=port)
