from __future__ import annotations

from pathlib import Path

import pytest

from extract.listing import listing_entries, looks_like_listing, pagination

PAGES = Path(__file__).parent / "pages"
UL_URL = "https://jianghanqu.010b.com/info/144795/page/19"
TABLE_URL = "http://127.0.0.1:8000/info/list/2001/list_2.html"
FLAT_URL = "https://wuhan.010b.com/news/index_3.html"
ANCHOR_URL = "https://xiaogan.010b.com/info/list.php?cid=7&page=3"
SOUP_URL = "https://shiyan.010b.com/dongtai/"


def read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_ul_listing_entries_ignore_headed_sidebar_nav_and_script():
    entries = listing_entries(read("listing_ul.html"), UL_URL)
    assert [e.detail_id for e in entries] == [30001, 30002, 30003, 30004, 30005, 30006]
    assert [e.position for e in entries] == [1, 2, 3, 4, 5, 6]
    first = entries[0]
    assert first.url == "https://jianghanqu.010b.com/info/detail/30001.html"
    assert first.title == "【武汉招商】光谷新增三家智能制造项目 总投资超80亿元"
    assert first.date_raw == "2025-07-23"
    # The summary keeps its own numbers and headings but loses title, date and 阅读全文.
    assert first.summary == (
        "东湖高新区近日集中签约一批智能制造项目，涵盖工业机器人、激光装备和精密传感器等方向，"
        "预计全部投产后年产值可达120亿元。 一、项目概况 三个项目均位于光谷南部园区。"
    )
    assert entries[2].title == "武汉经开区新能源汽车零部件产业园启动建设"
    assert "2019年" in entries[2].summary and entries[2].date_raw == "2025-07-22"


def test_table_listing_url_forms_and_truncated_title():
    entries = listing_entries(read("listing_table.html"), TABLE_URL)
    assert [(e.detail_id, e.url) for e in entries] == [
        (30011, "http://127.0.0.1:8000/info/detail/30011.html"),
        (30012, "https://hubei.010b.com/info/detail/30012.html"),
        (30013, "http://127.0.0.1:8000/info/detail/30013.html?from=list"),
        (30014, "http://127.0.0.1:8000/info/detail/30014.html#top"),
        (30015, "http://127.0.0.1:8000/info/detail/30015.html"),
        (30016, "http://127.0.0.1:8000/info/detail/30016.html"),
    ]
    assert entries[0].title == "【武汉招商】武汉临空港经开区数字产业园首期竣工 二十家企业签约入驻"
    assert entries[0].date_raw == "2025-07-20"
    assert all(e.summary == "" for e in entries)


def test_flat_sibling_listing_with_five_entries():
    entries = listing_entries(read("listing_flat.html"), FLAT_URL)
    assert [e.detail_id for e in entries] == [30021, 30022, 30023, 30024, 30025]
    last = entries[-1]
    assert last.title == "【黄陂区招商】黄陂区临空产业园新增跨境电商项目"
    assert last.summary == "项目将建设跨境电商监管仓和直播基地，预计每年带动进出口额超过十亿元。"
    assert last.date_raw == "2025-07-14"
    assert [e.date_raw for e in entries[:2]] == ["2025-07-18", "2025-07-17"]


def test_entries_wholly_inside_links():
    entries = listing_entries(read("listing_anchor.html"), ANCHOR_URL)
    assert [e.title for e in entries] == [
        "【武汉招商】东湖科学城重大科技基础设施集群开工",
        "【孝感招商】孝感高新区汽车零部件产业园投产",
        "荆门化工循环产业园引进新材料项目",
    ]
    assert entries[1].summary == "园区首批十家企业同步投产，产品覆盖车身结构件、座椅骨架和线束，主要为周边整车企业配套。"
    assert entries[1].date_raw == "2025-07-14"


def test_div_soup_listing_beats_unheaded_dated_sidebar():
    entries = listing_entries(read("listing_divsoup.html"), SOUP_URL)
    assert [e.detail_id for e in entries] == [30041, 30042, 30043, 30044]
    assert entries[0].summary == "七个项目涵盖车桥、变速箱壳体和智能座舱，签约总额四十二亿元，园区将提供标准厂房代建服务。"
    assert entries[0].date_raw == "2025-07-12"
    assert "详细" not in " ".join(e.summary for e in entries)


def test_labelled_bracketed_and_chinese_dates():
    html = """<ul>
      <li><a href="/info/detail/1.html">甲园区签约</a><span>【发布日期：2025年07月01日】</span><p>签约项目涉及装备制造和新材料两个方向，总投资约三十亿元。</p></li>
      <li><a href="/info/detail/2.html">乙园区开工</a><span>(2025/06/30)</span><p>2024年签约的项目今年开工，预计明年上半年投产并形成产能。</p></li>
    </ul>"""
    entries = listing_entries(html, "https://a.010b.com/info/9/page/1")
    assert [e.date_raw for e in entries] == ["2025年07月01日", "2025/06/30"]
    assert entries[1].summary.startswith("2024年签约")


def test_same_id_linked_twice_is_one_entry_and_page_without_details_is_empty():
    html = '<div><a href="/info/detail/9.html"><img src="x.jpg"></a><h3><a href="/info/detail/9.html">丙园区招商</a></h3></div>'
    assert [(e.detail_id, e.title) for e in listing_entries(html, "https://a.010b.com/l")] == [(9, "丙园区招商")]
    assert listing_entries("<p>暂无内容</p>", "https://a.010b.com/l") == []
    assert listing_entries("", "https://a.010b.com/l") == []


@pytest.mark.parametrize(
    ("name", "url", "current", "total", "next_url", "page_2"),
    [
        ("listing_ul.html", UL_URL, 19, 35, "https://jianghanqu.010b.com/info/144795/page/20",
         "https://jianghanqu.010b.com/info/144795/page/2"),
        ("listing_table.html", TABLE_URL, 2, 4, "http://127.0.0.1:8000/info/list/2001/list_3.html", TABLE_URL),
        ("listing_flat.html", FLAT_URL, 3, 6, "https://wuhan.010b.com/news/index_4.html",
         "https://wuhan.010b.com/news/index_2.html"),
        ("listing_anchor.html", ANCHOR_URL, 3, 4, "https://xiaogan.010b.com/info/list.php?cid=7&page=4",
         "https://xiaogan.010b.com/info/list.php?cid=7&page=2"),
    ],
)
def test_pagination_forms(name, url, current, total, next_url, page_2):
    pages = pagination(read(name), url)
    assert (pages.current_page, pages.total_pages, pages.next_url) == (current, total, next_url)
    assert sorted(pages.page_urls) == list(range(1, total + 1))
    assert pages.page_urls[2] == page_2
    assert pages.page_urls[current] == url


def test_pagination_template_fills_unlinked_pages_and_keeps_page_one_root():
    pages = pagination(read("listing_ul.html"), UL_URL)
    assert pages.page_urls[1] == "https://jianghanqu.010b.com/info/144795"  # the pager's 首页, not the nav's
    assert pages.page_urls[34] == "https://jianghanqu.010b.com/info/144795/page/34"
    assert pages.page_urls[35] == "https://jianghanqu.010b.com/info/144795/page/35"


def test_pagination_only_next_link():
    pages = pagination(read("listing_divsoup.html"), SOUP_URL)
    assert pages.next_url == "https://shiyan.010b.com/dongtai/?p=2"
    assert pages.total_pages is None and pages.page_urls == {}


def test_first_page_links_only_page_two():
    html = '<div><span>1</span> <a href="/info/500/page/2">2</a> <a href="/info/500/page/2">下页</a></div>'
    pages = pagination(html, "https://a.010b.com/info/500")
    assert (pages.current_page, pages.total_pages) == (1, 2)
    assert pages.page_urls == {1: "https://a.010b.com/info/500", 2: "https://a.010b.com/info/500/page/2"}
    assert pages.next_url == "https://a.010b.com/info/500/page/2"


def test_last_page_has_no_next():
    html = '<p><a href="?page=1">1</a> <a href="?page=2">2</a> <b>3</b> <a href="javascript:;">下一页</a></p><p>共3页</p>'
    pages = pagination(html, "https://a.010b.com/list?page=3")
    assert (pages.current_page, pages.total_pages, pages.next_url) == (3, 3, None)


def test_looks_like_listing():
    ul = read("listing_ul.html")
    assert looks_like_listing(listing_entries(ul, UL_URL), pagination(ul, UL_URL))
    soup = read("listing_divsoup.html")
    assert looks_like_listing(listing_entries(soup, SOUP_URL), pagination(soup, SOUP_URL))
    detail = read("detail_h1.html")
    detail_url = "https://hubei.010b.com/info/detail/23977.html"
    assert not looks_like_listing(listing_entries(detail, detail_url), pagination(detail, detail_url))
    assert not looks_like_listing([], pagination("<p>404</p>", "https://a.010b.com/x"))


def test_br_separated_flat_entries_and_arrow_pager():
    html = """<div><a href="/info/detail/1.html">甲园区新签约项目</a><br>甲园区本月签约四个装备制造项目，总投资约二十亿元。<br>2025-07-23<br>
      <a href="/info/detail/2.html">乙园区新签约项目</a><br>乙园区引进一家电子材料企业，建设两条生产线。<br>2025-07-22<br></div>
      <div><a href="/info/1/page/1">‹</a> <a href="/info/1/page/3">›</a></div>"""
    url = "https://a.010b.com/info/1/page/2"
    entries = listing_entries(html, url)
    assert [(e.title, e.date_raw) for e in entries] == [("甲园区新签约项目", "2025-07-23"), ("乙园区新签约项目", "2025-07-22")]
    assert entries[1].summary == "乙园区引进一家电子材料企业，建设两条生产线。"
    pages = pagination(html, url)
    assert (pages.current_page, pages.next_url) == (2, "https://a.010b.com/info/1/page/3")


def test_summary_inside_a_second_link_and_month_day_date():
    html = """<ul><li><a href="/info/detail/5.html">丁园区扩建</a> 07-23
      <p><a href="/info/detail/5.html">丁园区二期用地完成平整，首批标准厂房年内交付。</a></p></li>
      <li><a href="/info/detail/6.html">戊园区投产</a> 07-22<p><a href="/info/detail/6.html">戊园区首个项目投产。</a></p></li></ul>"""
    entries = listing_entries(html, "https://a.010b.com/info/1")
    assert [(e.summary, e.date_raw) for e in entries] == [
        ("丁园区二期用地完成平整，首批标准厂房年内交付。", "07-23"),
        ("戊园区首个项目投产。", "07-22"),
    ]


def test_total_without_pager_links_uses_the_page_url_form():
    pages = pagination("<div>共 35 页</div>", "https://a.010b.com/info/144795")
    assert (pages.current_page, pages.total_pages) == (1, 35)
    assert pages.page_urls[1] == "https://a.010b.com/info/144795"
    assert pages.page_urls[35] == "https://a.010b.com/info/144795/page/35"
    assert pages.next_url == "https://a.010b.com/info/144795/page/2"


@pytest.mark.parametrize(
    "pager",
    ['当前第3页 共5页 <a href="javascript:;">下一页</a>', "第 3 页</div><div>共5页", "页次：3/5页", "<span>每页20条</span> 3/5 "],
)
def test_current_and_total_from_pager_text_alone(pager):
    pages = pagination(f"<div>{pager}</div>", "https://a.010b.com/list.php")
    assert (pages.current_page, pages.total_pages) == (3, 5)
