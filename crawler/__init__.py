"""Fetching: the Scrapy side of parknews, from a listing URL to items written to the archive.

Owns: the settings (``settings``, the single switchboard, ``scrapy crawl parknews`` included),
the spider (``spiders``), its items (``items``), the download middlewares and robots.txt
(``middlewares``, ``robots``), the pipelines that normalise, dedupe and write items through
``archive.store`` (``pipelines``), the live progress line (``progress``), ``reparse`` (the
extract and normalise stages again over the pages stored in an archive), and the site replay
the tests and the demo crawl (``replay``).

May import: ``extract`` and ``normalize`` (the pure stages it feeds pages through) and
``archive`` (storage: the writer, the run's state, the errors a write raises). Never ``cli``:
the command line imports the crawler, not the other way round (``tests/test_layers.py``).
"""
