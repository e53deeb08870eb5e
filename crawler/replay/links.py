"""How the replay writes a link: the same target in the several URL forms seen on real sites.

A crawler must resolve every form against the page it found it on and treat
``127.0.0.1`` and ``localhost`` (same server, other host name) as one site.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit, urlunsplit

LINK_FORMS = ("absolute", "other_host", "root", "relative")


def other_host_base(base_url: str) -> str:
    """The same server under its other loopback name."""
    parts = urlsplit(base_url)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return urlunsplit((parts.scheme, f"{other}:{parts.port}", "", "", ""))


def href(target: str, *, form: str, page_path: str, base_url: str, query: str = "", fragment: str = "") -> str:
    """Write a link to the root-relative ``target`` as found on the page at ``page_path``."""
    if form == "absolute":
        url = base_url + target
    elif form == "other_host":
        url = other_host_base(base_url) + target
    elif form == "root":
        url = target
    elif form == "relative":
        url = _relative(target, page_path)
    else:
        raise ValueError(f"unknown link form {form!r}; expected one of {LINK_FORMS}")
    if query:
        url += "?" + query
    if fragment:
        url += "#" + fragment
    return url


def _relative(target: str, page_path: str) -> str:
    # Relative to the page's directory: "/info/1/page/3" resolves against "/info/1/page/".
    relative = posixpath.relpath(target, posixpath.dirname(page_path) or "/")
    if target.endswith("/"):
        relative = "./" if relative == "." else relative + "/"
    return relative
