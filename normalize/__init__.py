"""Pure rules of text, the bottom of the house: text in, clean values out, no I/O.

Owns: the one list of invisible (Cf) characters, whitespace and full-width forms (``text``),
titles and their region tags (``titles``), the date patterns and their parsing (``dates``),
places and their administrative codes (``regions``, with ``data/``), money amounts and their
kind (``amounts``).

May import: nothing of parknews (``extract``, ``archive``, ``crawler`` and ``cli`` all build on
it; ``tests/test_layers.py``).
"""
