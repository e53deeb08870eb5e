"""``extract.encoding`` at its address before issue 15 (see ``crawler/extract/__init__.py``)."""

from extract.encoding import *  # noqa: F401,F403 - the public names, nothing else
