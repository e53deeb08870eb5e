"""A listing page with one entry (the last page of a listing): the entry is its own nodes, not
the column's heading, the pager, the site's navigation or the footer around it."""

from __future__ import annotations

import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from extract.listing import listing_entries
from tests.crawling import crawl, rows

URL = "https://jianghanqu.010b.com/info/144795/page/12"
TITLE = "【汉阳区招商】光谷生物城新药研发中心开工"
SUMMARY = "项目由三家药企联合建设，总投资八亿元，预计二〇二七年投用。"
DATE = "2026-03-09"
HEADLINE = f'<a href="/info/detail/40417.html">{TITLE}</a>'
NAV = '<div class="nav"><a href="/">网站首页</a> <a href="/info/144795/">招商引资</a> <a href="/park/">园区</a></div>'
PAGER = ('<div class="pages"><a href="/info/144795/page/1">首页</a><a href="/info/144795/page/11">上一页</a>'
         '<a href="/info/144795/page/10">10</a><a href="/info/144795/page/11">11</a><b>12</b> 共 12 页</div>')  # fmt: skip
FOOT = '<div class="copy">Copyright © 2026 示例园区网 鄂ICP备00000000号</div>'


def page(main: str, *, side: str = "", title: str = "招商引资_示例园区网") -> str:
    return (f"<html><head><title>{title}</title></head><body>{NAV}<div class='wrap'><div class='col'>{main}</div>"
            f"{side}</div>{FOOT}</body></html>")  # fmt: skip


CASES = {
    # an entry in a list, under the column's heading, above the pager
    "list": f"<h2>招商引资</h2><ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li></ul>{PAGER}",
    # the summary written before the headline, the date as a small heading after it
    "summary first": f"<h2>招商引资</h2><ul><li><p>{SUMMARY}</p><h3>{HEADLINE}</h3><h6>{DATE}</h6></li></ul>{PAGER}",
    # a card whose date is a heading before the headline
    "date heading": f"<h2>招商引资</h2><div class='cards'><div class='card'><h4>{DATE}</h4><h3>{HEADLINE}</h3>"
    f"<p>{SUMMARY}</p></div></div>{PAGER}",
    # flat markup: headline, date and summary are siblings of the heading and the pager
    "flat": f"<h2>招商引资</h2><span>{DATE}</span>{HEADLINE}<p>{SUMMARY}</p>{PAGER}",
    # flat markup split by <br>: the date and the summary are loose text
    "br": f"<h2>招商引资</h2>{HEADLINE}<br>{DATE}<br>{SUMMARY}<br>{PAGER}",
    # a table whose header row names the columns
    "table": f"<table><tr><th>标题</th><th>日期</th></tr><tr><td>{HEADLINE}</td><td>{DATE}</td></tr>"
    f"<tr><td colspan='2'>{SUMMARY}</td></tr></table>{PAGER}",
    # the column's name in a plain <div>, and a pager of 首页 and 上一页 only
    "plain heading": f"<div class='tit'>招商引资</div><ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li></ul>"
    "<div class='pg'><a href='/info/144795/page/1'>首页</a> <a href='/info/144795/page/11'>上一页</a> 第12页/共12页</div>",
    # a breadcrumb above the list, and the pager inside the list
    # a box of links after the list (投稿), then the pager
    "link box": f"<h2>招商引资</h2><ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li></ul>"
    f"<div class='add'><a href='/tougao/'>有想补充的信息?点我投稿</a></div>{PAGER}",
    # a tag line between the headline and the summary stays with the entry
    "tag line": f"<h2>招商引资</h2><ul><li><h3>{HEADLINE}</h3><div class='tags'><a href='/tag/1'>生物医药</a></div>"
    f"<p>{SUMMARY}</p><span>{DATE}</span></li></ul>{PAGER}",
    "crumb": f"<div class='pos'>当前位置：<a href='/'>首页</a> &gt; 招商引资</div><ul><li>{HEADLINE}<p>{SUMMARY}</p>"
    f"<span>{DATE}</span></li><li class='pg'><a href='/info/144795/page/11'>上一页</a> 共 12 页</li></ul>",
}


SHARE = "<div class='share'>分享：<a href='#'>微信</a><a href='#'>微博</a><a href='#'>QQ</a><a href='#'>空间</a></div>"
# Inside an entry, what looks like page chrome is the entry's: its date and summary stay.
INSIDE = {
    "share box": (f"<li>{HEADLINE}{SHARE}<p>{SUMMARY}</p><span>{DATE}</span></li>", "分享：微信微博QQ空间 " + SUMMARY),
    "hidden count": (f"<li>{HEADLINE}<span style='display:none'>99</span><p>{SUMMARY}</p><span>{DATE}</span></li>", "99 " + SUMMARY),
    "copyright words": (f"<li>{HEADLINE}<p>版权交易中心揭牌，版权所有人可在线登记。</p><span>{DATE}</span></li>", "版权交易中心揭牌，版权所有人可在线登记。"),
    "page words": (f"<li>{HEADLINE}<p>一期完成 1/3 页岩气开发，规划共 3 页图纸已公示。</p><span>{DATE}</span></li>", "一期完成 1/3 页岩气开发，规划共 3 页图纸已公示。"),
    "dated heading": (f"<li><h5>{DATE} 湖北日报</h5><h3>{HEADLINE}</h3><p>{SUMMARY}</p></li>", "湖北日报 " + SUMMARY),
    "tag line with the date": (f"<li>{HEADLINE}<p>{SUMMARY}</p><div class='tags'>{DATE} <a href='/t/1'>江汉</a> "
                               "<a href='/t/2'>招商</a> <a href='/t/3'>新能源</a> <a href='/t/4'>汽车</a></div></li>",
                               f"{SUMMARY} 江汉 招商 新能源 汽车"),
    "summary opening with 相关": (f"<li>{HEADLINE}<p>相关负责人介绍，{SUMMARY}</p><span>{DATE}</span></li>", f"相关负责人介绍，{SUMMARY}"),
    "summary naming a licence": (f"<li>{HEADLINE}<p>{SUMMARY}平台已完成ICP备案。</p><span>{DATE}</span></li>", f"{SUMMARY}平台已完成ICP备案。"),
    "date and place links": (f"<li><p>{DATE} <a href='/r/1'>湖北</a> <a href='/r/2'>武汉</a></p>{HEADLINE}<p>{SUMMARY}</p></li>", "湖北 武汉 " + SUMMARY),
}


@pytest.mark.parametrize("case", INSIDE)
def test_chrome_like_pieces_inside_the_entry_are_the_entry_s(case):
    item, summary = INSIDE[case]
    [entry] = listing_entries(page(f"<h2>招商引资</h2><ul>{item}</ul>{PAGER}"), URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, summary)
    [entry] = listing_entries(page(f"<ul>{item}</ul>"), URL)  # and with no pager to mark the column
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, summary)


# Around the list, what is the page's stays out: a loading notice or a word over the list,
# a count of records, a related box and 返回顶部 after it.
AROUND = {
    "loading notice": ("<div class='loading'>加载中...</div><div class='tit'>最新动态</div>", ""),
    "record count": ("", "<div class='count'>共有 1 条记录</div>"),
    "related and back to top": ("", "<div class='rel'>相关推荐：<a href='/n/1'>招商政策</a><a href='/n/2'>园区介绍</a></div>"
                                    "<div class='more'><a href='/info/'>更多&gt;&gt;</a></div><div class='bt'>返回顶部</div>"),
}


@pytest.mark.parametrize("case", AROUND)
def test_the_page_around_the_list_is_not_the_entry(case):
    before, after = AROUND[case]
    [entry] = listing_entries(page(f"{before}<ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li></ul>{after}"), URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, SUMMARY)


@pytest.mark.parametrize("day", ["昨天", "3天前"])
def test_a_relative_date_before_the_headline_is_the_entry_s(day):
    html = page(f"<h2>招商引资</h2><table><tr><td>{day}</td><td>{HEADLINE}</td></tr><tr><td colspan='2'>{SUMMARY}</td></tr>"
                f"</table>{PAGER}")  # fmt: skip
    [entry] = listing_entries(html, URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, day, SUMMARY)


def test_a_date_before_the_headline_is_kept_whatever_the_page_title_and_navigation_say():
    """The site's 首页 link is no pager link, and a date the <title> repeats is no heading."""
    html = page(f"<h2>招商引资</h2><ul><li><span>{DATE}</span>{HEADLINE}<p>{SUMMARY}</p></li></ul>{PAGER}",
                title=f"{DATE} 招商引资_示例园区网")  # fmt: skip
    [entry] = listing_entries(html, URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, SUMMARY)


@pytest.mark.parametrize("case", CASES)
def test_the_only_entry_is_its_own_text(case):
    entries = listing_entries(page(CASES[case]), URL)
    summary = ("生物医药 " if case == "tag line" else "") + SUMMARY
    assert [(e.detail_id, e.title, e.date_raw, e.summary, e.position) for e in entries] == [
        (40417, TITLE, DATE, summary, 1)
    ]


def test_an_ad_cell_beside_the_column_is_not_the_entry():
    layout = (f"<table><tr><td class='left'><h2>招商引资</h2><table><tr><td>{HEADLINE}</td><td>{DATE}</td></tr>"
              f"</table>{PAGER}</td><td class='right'>广告招租 电话咨询</td></tr></table>")  # fmt: skip
    [entry] = listing_entries(page(layout), URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, "")


def test_a_notice_beside_the_column_is_not_the_entry():
    """Text beside the column (a loading notice), with the pager further down: outside the entry."""
    html = page(f"<h2>招商引资</h2><ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li></ul>{PAGER}")
    html = html.replace("<div class='col'>", "<span class='loading'>页面加载中…</span><div class='col'>")
    [entry] = listing_entries(html, URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, SUMMARY)


def test_the_same_article_in_a_box_beside_the_list_is_not_the_entry():
    """The box (头条) links the article with a longer blurb; the entry is the one by the pager."""
    main = f"<h2>招商引资</h2><ul><li>{HEADLINE}<span>{DATE}</span></li></ul>{PAGER}"
    side = f"<div class='side'><h3>头条</h3><div>{HEADLINE}<p>{SUMMARY}这是一段很长的头条导语。</p></div></div>"
    [entry] = listing_entries(page(main, side=side), URL)
    assert (entry.title, entry.date_raw, entry.summary) == (TITLE, DATE, "")


def test_a_day_number_heading_stays_with_its_entry():
    """A big day number (<h2>09</h2> over 2026-03) is the entry's date, not a column heading."""
    card = (f"<h2>招商引资</h2><div class='list'><div class='item'><div class='day'><h2>09</h2><p>2026-03</p></div>"
            f"<div class='txt'><h3>{HEADLINE}</h3><p>{SUMMARY}</p></div></div></div>{PAGER}")  # fmt: skip
    [entry] = listing_entries(page(card), URL)
    assert entry.title == TITLE and entry.summary.endswith(SUMMARY) and "09" in entry.summary
    assert "招商引资" not in entry.summary and "共 12 页" not in entry.summary


def test_two_entries_are_read_as_before():
    """The one-entry rule applies to one entry only: two entries keep their own blocks."""
    second = HEADLINE.replace("40417", "40418").replace("开工", "封顶")
    listing = (f"<h2>招商引资</h2><ul><li>{HEADLINE}<p>{SUMMARY}</p><span>{DATE}</span></li>"
               f"<li>{second}<p>另一条摘要。</p><span>2026-03-08</span></li></ul>{PAGER}")  # fmt: skip
    entries = listing_entries(page(listing), URL)
    assert [(e.detail_id, e.summary, e.date_raw) for e in entries] == [
        (40417, SUMMARY, DATE), (40418, "另一条摘要。", "2026-03-08")
    ]


def test_a_deep_and_wide_one_entry_page_is_read_in_linear_time():
    """Each level's siblings are looked at once: 20 times the page costs about 20 times the time."""

    def hostile(n: int) -> str:
        levels = "".join(f"<div><h3>栏目第{k}层</h3>" for k in range(n)) + f"<ul><li>{HEADLINE}<p>{SUMMARY}</p></li></ul>"
        return page(levels + "</div>" * n + PAGER + "".join(f"<p>段落{k}</p>" for k in range(50 * n)))

    def cost(n: int) -> float:
        html = hostile(n)
        started = time.perf_counter()
        [entry] = listing_entries(html, URL)
        assert entry.summary == SUMMARY
        return time.perf_counter() - started

    cost(5)  # warm; libxml2 keeps 255 levels of nesting, so the deep page stays below that
    small, large = min(cost(10) for _ in range(3)), min(cost(200) for _ in range(3))
    assert large < 20 * small * 5  # linear with room; quadratic would be ~400x


def test_a_page_of_many_links_to_the_one_article_is_read_in_linear_time():
    """Each block holding the article is a candidate entry; only the first few are read."""

    def cost(n: int) -> float:
        html = page("<h2>招商引资</h2>" + f"{HEADLINE}<span>{DATE}</span>" * n)
        started = time.perf_counter()
        [entry] = listing_entries(html, URL)
        assert entry.title == TITLE
        return time.perf_counter() - started

    cost(10)
    small, large = min(cost(100) for _ in range(3)), min(cost(2000) for _ in range(3))
    assert large < 20 * small * 5


@pytest.mark.parametrize("theme", ["classic", "table", "flat"])
def test_a_crawled_last_page_of_one_entry_archives_its_own_summary(tmp_path, theme):
    site = ReplaySite(pages=2, per_page=5, theme=theme)
    site.add_article()  # 11 articles: the third page lists one
    db = tmp_path / "news.db"
    with ReplayServer(site) as server:
        result = crawl(server.start_url, db)
    assert result.returncode == 0, result.stderr
    expected = {a["detail_id"]: a for a in site.expected()}
    [last] = [a for a in expected.values() if a["page"] == 3]
    archived = {r["detail_id"]: r for r in rows(db, "SELECT detail_id, summary, listing_date FROM articles")}
    assert set(archived) == set(expected)
    assert (archived[last["detail_id"]]["summary"], archived[last["detail_id"]]["listing_date"]) == (
        last["summary"], last["listing_date"])  # fmt: skip
    wrong = [i for i, a in expected.items() if archived[i]["summary"] != a["summary"]]
    assert wrong == []
