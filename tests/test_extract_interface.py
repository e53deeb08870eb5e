"""The extraction interface tools were written against (``crawler.extract.*``, as the real-page
scorer ``shared/realpages/score_pages.py`` imports it) still answers, with extract's own functions."""

from __future__ import annotations

import importlib

import pytest

INTERFACE = {
    "encoding": ["decode_html"],
    "detail": ["detail_fields"],
    "listing": ["listing_entries", "pagination"],
}


@pytest.mark.parametrize("module", INTERFACE)
def test_old_module_paths_give_extracts_functions(module):
    old = importlib.import_module(f"crawler.extract.{module}")
    new = importlib.import_module(f"extract.{module}")
    for name in INTERFACE[module]:
        assert getattr(old, name) is getattr(new, name)


def test_the_old_paths_extract_a_page_we_wrote():
    from crawler.extract.detail import detail_fields
    from crawler.extract.encoding import decode_html

    html = decode_html(
        "<html><head><title>光谷新签约项目_园区网</title></head><body><h1>光谷新签约项目</h1>"
        "<p>发布日期：2025-07-08</p><p>光谷新签约项目12个，总投资约300亿元，涵盖光电子信息、生物医药等领域。</p>"
        "</body></html>".encode("gbk"),
        "text/html; charset=gbk",
    )
    fields = detail_fields(html, "https://example.010b.com/info/detail/1.html")
    assert fields.title == "光谷新签约项目" and "2025-07-08" in fields.published_raw and "总投资约300亿元" in fields.body
