"""The ``--where`` option of export and stats: one SQL expression over ``articles`` columns.

``where_clause`` is the one place a user's condition enters SQL. It is accepted only when it is
a single balanced expression (every parenthesis closed inside it, no ``;`` and no comment, so
the parentheses it is wrapped in cannot be closed early: ``1=1) OR (1=1`` is refused) and when
SQLite, compiling it as ``SELECT 1 FROM articles WHERE (…)`` under an authorizer, sees it read
nothing but ``articles`` (a subquery on ``captures`` or ``sqlite_master`` is refused).
Functions are allowed (``substr``, ``lower``, ``instr`` …); a subquery on ``articles`` itself too.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from archive.errors import UsageError

TABLE = "articles"
_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION}


def unbalanced(where: str) -> str | None:
    """Why ``where`` is not one balanced expression (None when it is).

    Quoted text ('…', "…", `…`, […]) is skipped; outside it a ``)`` that closes more than was
    opened, an unclosed ``(``, ``;``, ``--`` or ``/*`` is a reason.
    """
    depth, i, n = 0, 0, len(where)
    while i < n:
        char = where[i]
        if char in _QUOTES:
            end = where.find(_QUOTES[char], i + 1)
            while end != -1 and char != "[" and where[end + 1 : end + 2] == char:  # '' inside '…'
                end = where.find(char, end + 2)
            if end == -1:
                return f"the quote {char} at character {i + 1} is never closed"
            i = end + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return f"the ) at character {i + 1} closes a parenthesis it did not open"
        elif char == ";":
            return "it holds a ; (one condition only, not several statements)"
        elif where.startswith(("--", "/*"), i):
            return "it holds an SQL comment"
        i += 1
    if depth:
        return f"{depth} parenthesis{'es' if depth > 1 else ''} left open"
    return None


def where_clause(db: sqlite_utils.Database, where: str | None) -> str | None:
    """``(where)`` checked to be one condition reading only ``articles`` columns; None for none.

    Raises UsageError (exit 2) naming what is wrong: unbalanced text, an unknown column, a read
    of another table, a syntax error.
    """
    if where is None or not where.strip():
        return None
    reason = unbalanced(where)
    if reason is not None:
        raise UsageError(f"--where {where!r} is not one condition: {reason}; write one expression on articles columns")
    denied: list[str] = []

    def authorize(action, arg1, arg2, _db_name, _source):
        if action in _ALLOWED or (action == sqlite3.SQLITE_READ and arg1 == TABLE):
            return sqlite3.SQLITE_OK
        denied.append(arg1 if action == sqlite3.SQLITE_READ else f"action {action}")
        return sqlite3.SQLITE_DENY

    conn = db.conn
    conn.set_authorizer(authorize)
    try:
        conn.execute(f"SELECT 1 FROM {TABLE} WHERE ({where}) LIMIT 0").fetchall()
    except sqlite3.Error as exc:
        if denied:
            raise UsageError(
                f"--where {where!r} reads {denied[0]}: it may use only articles columns (see README, Columns)"
            ) from None
        raise UsageError(f"--where {where!r}: {exc}") from None
    finally:
        conn.set_authorizer(None)
    return f"({where})"
