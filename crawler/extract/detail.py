"""``extract.detail`` at its address before issue 15 (see ``crawler/extract/__init__.py``)."""

from extract.detail import *  # noqa: F401,F403 - the public names, nothing else
