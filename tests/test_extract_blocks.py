from __future__ import annotations

import lxml.etree
import pytest

from extract.blocks import body_of, collapse, parse_html, text_content, text_lines
from normalize.text import strip_invisible


def lines_of(html: str, **options) -> list[str]:
    return [line.text for line in text_lines([body_of(parse_html(html))], **options)]


def test_blocks_and_br_end_lines_inline_elements_do_not():
    html = "<div>园区<b>新增</b>企业<p>三家 研发</p>年内<br>投产<span>两条</span>产线</div>"
    assert lines_of(html) == ["园区新增企业", "三家 研发", "年内", "投产两条产线"]


def test_pieces_keep_their_link_and_the_line_its_innermost_block():
    root = parse_html('<ul><li><a href="/d/1.html">签约<b>项目</b></a>五个<a name="x">锚点</a></li></ul>')
    (line,) = text_lines([body_of(root)])
    link = root.find(".//a")
    assert [(p.text, p.link) for p in line.pieces] == [("签约", link), ("项目", link), ("五个", None), ("锚点", None)]
    assert line.block is root.find(".//li") and not line.heading
    assert line.link_ratio == 4 / 8


def test_nodes_inside_a_heading_and_a_link_take_them_from_their_ancestors():
    root = parse_html('<h2><a href="/d/2.html"><span>扩区获批</span> 尾字</a></h2>')
    span = root.find(".//span")
    (line,) = text_lines([span], tails=True)
    assert line.text == "扩区获批 尾字" and line.heading
    assert line.block is root.find(".//h2")
    assert {piece.link for piece in line.pieces} == {root.find(".//a")}


def test_text_outside_any_block_belongs_to_its_element():
    span = lxml.etree.fromstring("<span>孤立<i>文字</i></span>")
    (line,) = text_lines([span])
    assert line.text == "孤立文字" and line.block is span


def test_invisible_text_skipped_and_chrome_only_outside_article():
    html = """<body><nav>首页 资讯</nav><script>var x = 1;</script><article><header><h1>标题</h1></header>
      <p>正文<!-- 注释 -->接续<style>p{}</style></p></article><footer>版权所有</footer></body>"""
    assert lines_of(html, skip_chrome=True) == ["标题", "正文接续"]
    assert lines_of(html) == ["首页 资讯", "标题", "正文接续", "版权所有"]


def test_collapse_whitespace_including_wide_spaces():
    assert collapse(" 光谷\u3000生物城\xa0\n 企业 ") == "光谷 生物城 企业"
    assert collapse(" \t") == "" and collapse("") == ""


def test_the_parsed_page_has_no_invisible_format_characters():
    # Raw and as entities: ZWSP, BOM, ZWJ, soft hyphen, word joiner.
    root = parse_html("<p>光谷\u200b生物城\ufeff</p><p>融&zwj;资&shy;环&#8288;境</p>")
    assert [line.text for line in text_lines([body_of(root)])] == ["光谷生物城", "融资环境"]


def test_parse_html_gives_a_document_for_empty_input_and_text_content_reads_all_text():
    assert body_of(parse_html("")) is not None and body_of(parse_html("<!-- 空 -->")) is not None
    root = parse_html("<p>园区<b>企业</b><!-- 注释 -->三家</p>")
    assert text_content(root.find(".//p")) == "园区企业三家"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("光谷生物城", "光谷生物城"),  # nothing to remove: returned as it is
        ("光谷\u200b生物城", "光谷生物城"),  # in the BMP
        ("𠀀光谷\U000e0020生物城😀", "𠀀光谷生物城😀"),  # beyond it (a tag character), beside kept astral ones
        ("𠀀光\u00ad谷\U000e0001", "𠀀光谷"),  # both kinds together
        ("光谷😀", "光谷😀"),  # astral, nothing invisible
        ("plain ascii\u200b", "plain ascii"),
    ],
)
def test_strip_invisible_removes_every_format_character_and_only_those(text, cleaned):
    assert strip_invisible(text) == cleaned
