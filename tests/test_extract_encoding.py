from __future__ import annotations

from pathlib import Path

from extract.detail import detail_fields
from extract.encoding import decode_html

PAGES = Path(__file__).parent / "pages"
TEXT = "湖北省武汉市光谷生物城新增三家研发企业，园区配套服务持续完善。"


def page(charset_meta: str = "") -> str:
    return f"<html><head>{charset_meta}<title>测试</title></head><body><p>{TEXT}</p></body></html>"


def test_header_charset():
    assert TEXT in decode_html(page().encode("gbk"), "text/html; charset=GBK")


def test_meta_charset_only_gb2312_decodes_as_gb18030():
    # "𠀀" and "镕" are outside GB2312: only a gb18030 reading keeps them.
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').replace("光谷", "镕𠀀")
    assert "镕𠀀" in decode_html(html.encode("gb18030"), None)


def test_html5_meta_charset():
    assert TEXT in decode_html(page('<meta charset="gbk">').encode("gbk"), "text/html")


def test_utf8_bom_wins():
    assert TEXT in decode_html(b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html; charset=gbk")


def test_gbk_bytes_labelled_utf8_in_header():
    decoded = decode_html(page().encode("gbk"), "text/html; charset=utf-8")
    assert TEXT in decoded and "\ufffd" not in decoded


def test_utf8_bytes_labelled_gbk_in_header_with_correct_meta():
    body = page('<meta charset="utf-8">').encode("utf-8")
    assert TEXT in decode_html(body, "text/html; charset=gbk")


def test_utf8_bytes_with_wrong_meta_and_no_header():
    assert TEXT in decode_html(page('<meta charset="gb2312">').encode("utf-8"), None)


def test_gbk_bytes_labelled_latin1():
    assert TEXT in decode_html(page().encode("gbk"), "text/html; charset=iso-8859-1")


def test_stray_bad_byte_keeps_declared_utf8():
    body = page('<meta charset="utf-8">').encode("utf-8").replace(b"<p>", b"<p>\xff", 1)
    decoded = decode_html(body, None)
    assert TEXT in decoded and decoded.count("\ufffd") == 1


def test_ascii_page():
    assert decode_html(b"<html><body>plain</body></html>", None) == "<html><body>plain</body></html>"


def test_gbk_fixture_with_meta_only_charset():
    body = (PAGES / "detail_table_gbk.html").read_bytes()
    assert body.decode("gbk")  # the fixture really is GBK bytes
    fields = detail_fields(decode_html(body, "text/html"), "https://hubei.010b.com/info/detail/7.html")
    assert fields.title == "荆州开发区生物医药产业园迎来首批入园企业"
