"""The parknews Datasette plugin: the CLI's search rules inside Datasette, and readable pages.

Installed with the package (entry point ``datasette`` → ``parknews``), so any Datasette in the
same environment loads it; ``archive.serve`` also registers it when the entry point is not
installed. What it does:

* on every connection, the SQL functions ``parknews_match(q)`` and
  ``parknews_snippet(q, title, summary, body)``: ``archive.search``'s query rules, not a
  second implementation (the stored query "search by keyword" uses them);

and only where the metadata of ``archive.serve`` is loaded (its ``plugins.parknews`` section):

* the articles table's search box parsed by ``archive.search.parse_query`` (a malformed query
  is a 400 page saying what is wrong), and reposts left out of its rows, counts and facets
  unless ``_reposts=1``;
* the stored query "search by keyword" with a malformed ``q`` (``OR`` alone, ``光谷 OR``) is a
  400 saying what is wrong, as the search box is (SQLite itself only says "user-defined
  function raised exception");
* ``/`` goes to the archive's page, whose table list starts with ``articles``
  (``templates/database-archive.html``); an article's page shows the title, the fields and
  the body as text (``templates/_table-row-archive-articles.html``); ``/-/parknews.css``
  keeps the column descriptions to a small box and long cells short.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl

from archive.errors import UsageError
from archive.search import sql_match, sql_snippet

PLUGIN = "parknews"
TEMPLATES = Path(__file__).parent / "templates"
CSS = (Path(__file__).parent / "parknews.css").read_text(encoding="utf-8")


def _function(implementation):
    def call(*args):
        try:
            return implementation(*args)
        except UsageError as exc:  # SQLite shows "user-defined function raised exception"
            raise ValueError(str(exc)) from None

    return call


@hookimpl
def prepare_connection(conn):
    conn.create_function("parknews_match", 1, _function(sql_match), deterministic=True)
    conn.create_function("parknews_snippet", 4, _function(sql_snippet), deterministic=True)


def _ours(datasette) -> bool:
    return datasette.plugin_config(PLUGIN) is not None


@hookimpl(trylast=True)  # after Datasette's own search filter, whose :search it replaces
def filters_from_request(request, database, table, datasette):
    if table != "articles" or not _ours(datasette):
        return None

    async def inner():
        from datasette.filters import FilterArguments
        from datasette.utils.asgi import BadRequest

        params, clauses, descriptions = {}, [], []
        search = request.args.get("_search")
        if search is not None:  # Datasette's own filter put "match :search" in the SQL
            try:
                params["search"] = sql_match(search)  # an empty box matches nothing, as in Datasette
            except UsageError as exc:
                raise BadRequest(str(exc)) from None
        if not request.args.get("_reposts"):
            clauses.append("duplicate_of IS NULL")
            descriptions.append("reposts left out (add _reposts=1 to include them)")
        return FilterArguments(clauses, params, descriptions)

    return inner


STORED_QUERY = "search_by_keyword"


def stored_query_problem(path: str, query_string: bytes, database: str) -> str | None:
    """Why the stored query's ``q`` in this request is malformed (None when it is not, or when
    the request is not for the stored query): ``archive.search``'s own error text."""
    from urllib.parse import parse_qs, unquote

    if unquote(path).rstrip("/") not in (f"/{database}/{STORED_QUERY}", f"/{database}/{STORED_QUERY}.json"):
        return None
    for q in parse_qs(query_string.decode("utf-8", "replace")).get("q", []):
        try:
            sql_match(q)
        except UsageError as exc:
            return str(exc)
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def checked(scope, receive, send):
            config = datasette.plugin_config(PLUGIN) if scope.get("type") == "http" else None
            problem = None
            if config is not None:
                problem = stored_query_problem(scope.get("path", ""), scope.get("query_string", b""),
                                               config.get("database", "archive"))  # fmt: skip
            if problem is None:
                return await app(scope, receive, send)
            from html import escape

            if scope["path"].endswith(".json"):
                body = json.dumps({"ok": False, "error": problem, "status": 400}, ensure_ascii=False)
                kind = "application/json; charset=utf-8"
            else:
                body = (f"<!DOCTYPE html><meta charset=utf-8><title>Malformed search</title>"
                        f"<h1>Malformed search</h1><p>{escape(problem)}</p><p><a href=\"?\">Search again</a></p>")
                kind = "text/html; charset=utf-8"
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", kind.encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": body.encode("utf-8")})

        return checked

    return wrap


@hookimpl
def register_routes(datasette):
    if not _ours(datasette):
        return []
    from datasette.utils.asgi import Response

    database = datasette.plugin_config(PLUGIN).get("database", "archive")

    async def index(request):
        return Response.redirect(datasette.urls.database(database))

    async def css(request):
        return Response(CSS, content_type="text/css; charset=utf-8", headers={"cache-control": "max-age=600"})

    return [(r"^/$", index), (r"^/-/parknews\.css$", css)]


@hookimpl
def extra_css_urls(datasette):
    return ["/-/parknews.css"] if _ours(datasette) else []
