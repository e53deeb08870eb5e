"""Markup-agnostic extraction: pure functions from a page's text (and URL) to its fields.

``urls`` tells detail links and on-site URLs apart, ``encoding`` turns bytes into text,
``blocks`` reads HTML as lines of text, ``listing`` finds a listing's entries and pagination,
``detail`` an article's title, meta fields and body. Nothing here does I/O or keys on class
names or ids: entries, pagination and fields are found from content and structure. ``park``
reads the park and listing name a listing page shows.

May import: ``normalize`` only (the invisible characters, full-width forms and the date
patterns). Nothing here imports ``archive``, ``crawler`` or ``cli``, so the archive can re-read
its stored pages with the same code (``tests/test_layers.py``).
"""
