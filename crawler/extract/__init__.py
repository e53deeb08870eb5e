"""The extraction interface at its address before issue 15, for tools written against it.

``extract`` (a top-level package since issue 15) owns the extraction rules; this package only
re-exports the public functions of ``extract.encoding``, ``extract.detail`` and
``extract.listing`` under ``crawler.extract.*``, the module paths that
``shared/realpages/score_pages.py`` (the real-page benchmark, ``bench/bench_real_pages.py``)
imports: ``decode_html``, ``detail_fields``, ``listing_entries`` and ``pagination``. No rule
lives here; new code imports ``extract``.
"""
