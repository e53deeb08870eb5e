"""The kinds of structure met on real pages written by others (issue #9), each on a page of our
own writing: broken markup, datelines and decks, share widgets and promo boxes, titles over
two lines, 信息公开 date tables, odd date forms, listings split over wrappers, calendars beside
the pager, <base href>, mixed encodings, invisible characters and repeated region names.

The last test crawls such pages from a loopback HTTP server into a real archive.
"""

from __future__ import annotations

import datetime
import http.server
import threading
from pathlib import Path

import pytest

from archive.fts import bigram_text, query_phrase
from crawler.items import ArticleItem
from crawler.pipelines import normalise
from extract.detail import detail_fields
from extract.encoding import decode_html
from extract.listing import listing_entries, pagination
from normalize.dates import parse_date
from normalize.regions import resolve_region
from normalize.text import collapse_whitespace, strip_invisible
from normalize.titles import clean_title
from tests.crawling import crawl, rows

URL = "https://hubei.010b.com/info/detail/31001.html"
LIST_URL = "https://hubei.010b.com/info/5005/page/1"

P1 = "临江经济开发区今年上半年新签约项目二十三个，协议投资总额超过一百二十亿元，其中先进制造业项目占七成。"
P2 = "开发区将继续完善标准厂房和人才公寓等配套设施，为落地企业提供从注册到投产的全程代办服务。"
P3 = "下一步，园区还将围绕新能源装备和电子信息两条产业链开展精准招商，力争全年签约额再创新高。"
BODY = "\n".join([P1, P2, P3])


def detail(html: str, listing_title: str | None = None):
    return detail_fields(html, URL, listing_title)


def page(inner: str, title: str = "临江开发区上半年签约项目二十三个") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}_某某新闻网</title></head><body>{inner}</body></html>"


# -- broken markup --------------------------------------------------------------------------


def test_a_stray_closing_html_tag_in_an_included_header_does_not_cut_the_page():
    html = page(
        "<div class='top'><a href='/'>首页</a></html></div>"  # an include that closes the document
        f"<h1>临江开发区上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
        f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div><div>责任编辑：王某</div>"
    )
    fields = detail(html)
    assert fields.title == "临江开发区上半年签约项目二十三个"
    assert fields.body == BODY


def test_stray_closing_tags_and_comments_in_a_listing():
    html = (
        "<html><body><div class='nav'><a href='/'>首页</a></body></html></div><ul>"
        + "".join(
            f"<li><a href='/info/detail/{n}.html'>临江园区第{n}批项目集中开工</a><!-- 条目 {n} -->"
            f"<span>2025-07-{n:02d}</span></li><!-- 分隔 -->"
            for n in range(1, 6)
        )
        + "</ul><!-- 列表结束 --><div>共 3 页 <a href='/info/5005/page/2'>下一页</a></div></body></html>"
    )
    entries = listing_entries(html, LIST_URL)
    assert [e.detail_id for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].date_raw == "2025-07-01"
    assert pagination(html, LIST_URL).next_url == "https://hubei.010b.com/info/5005/page/2"


def test_a_comment_beside_a_lone_entry_block_does_not_raise():
    html = (
        "<div><div><a href='/info/detail/7.html'>临江园区一季度外贸进出口增长三成</a></div><!-- 摘要 -->"
        "<div>园区外贸企业一季度进出口总额同比增长百分之三十，新增出口企业十二家。</div></div>"
    )
    entries = listing_entries(html, LIST_URL)
    assert [e.detail_id for e in entries] == [7]


def test_base_href_is_honoured_for_listing_links():
    html = (
        "<html><head><base href='https://wuhan.010b.com/news/'></head><body><ul>"
        + "".join(f"<li><a href='../info/detail/{n}.html'>园区第{n}条新闻标题示例</a> 2025-07-0{n}</li>" for n in (1, 2, 3))
        + "</ul><a href='list_2.html'>下一页</a></body></html>"
    )
    entries = listing_entries(html, "https://hubei.010b.com/news/list.html")
    assert entries[0].url == "https://wuhan.010b.com/info/detail/1.html"
    assert pagination(html, "https://hubei.010b.com/news/list.html").next_url == "https://wuhan.010b.com/news/list_2.html"


def test_malformed_base_and_links_are_skipped_not_raised():
    html = ("<base href='http://[::1'><ul><li><a href='/info/detail/1.html'>临江园区新闻一</a></li>"
            "<li><a href='http://[::1/info/detail/2.html'>坏链接</a></li>"
            "<li><a href='http://a.010b.com:99999/info/detail/3.html'>坏端口</a></li></ul>")
    assert [e.url for e in listing_entries(html, LIST_URL)] == ["https://hubei.010b.com/info/detail/1.html"]
    assert pagination(html, LIST_URL).total_pages is None


# -- where the article text starts and ends ------------------------------------------------------


def test_dateline_without_label_and_a_deck_line_are_not_the_text():
    html = page(
        "<h1>临江开发区上半年签约项目二十三个</h1>"
        "<div>2025-07-09 10:20 临江日报</div>"
        "<div>来源于：临江发布</div>"
        "<div class='deck'>先进制造业项目占七成</div>"
        f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
    )
    fields = detail(html, "临江开发区上半年签约项目二十三个")
    assert fields.body == BODY
    assert (fields.published_raw, fields.source) == ("2025-07-09 10:20", "临江发布")


def test_share_widgets_and_a_promo_link_box_between_dateline_and_text():
    promo = "".join(f"<li><a href='/zt/{n}.html'>专题{n}</a></li>" for n in range(1, 9))
    html = page(
        "<h1>临江开发区上半年签约项目二十三个</h1><div>2025年07月09日 临江日报</div>"
        "<div class='share'>分享到：<a href='#'>QQ空间</a> <a href='#'>微博</a> <a href='#'>微信</a></div>"
        f"<ul class='promo'>{promo}</ul>"
        f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
        "<p><a href='#'>QQ空间</a> <a href='#'>新浪微博</a> <a href='#'>微信</a></p><p>相关新闻正文之外的内容</p></div>"
    )
    assert detail(html, "临江开发区上半年签约项目二十三个").body == BODY


@pytest.mark.parametrize(
    "ending",
    [
        "<p>关注临江新闻网</p>",
        "<p>扫一扫，分享到朋友圈</p>",
        "<div>为你推荐</div>",
        "<div>阅读剩余全文（）</div>",
        "<div>【我来说两句】【打印】【关闭】</div>",
    ],
)
def test_follow_calls_qr_codes_recommendations_and_read_more_end_the_text(ending):
    html = page(
        f"<h1>临江开发区上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
        f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p>{ending}"
        "<p>园区周边楼盘均价持续走低，购房者观望情绪浓厚，成交量环比下降。</p></div>"
    )
    assert detail(html, "临江开发区上半年签约项目二十三个").body == BODY


@pytest.mark.parametrize(
    "ending",
    ["<p>【纠错】 【责任编辑:周某】</p>", "<div>(责编：吴某、郑某)</div>", "<div>本文来源：临江日报 责任编辑：冯某_NB07</div>",
     "<div>posted @ 2025-07-09 21:15 园区观察 阅读(120) 评论(3) <a href='/e'>编辑</a></div>",
     "<div>标签：<a href='/t/1'>园区</a> <a href='/t/2'>招商</a></div>"],
)
def test_editor_credits_and_post_counters_end_the_text(ending):
    html = page(f"<h1>临江开发区上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
                f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p>{ending}<p>网友：园区环境确实越来越好了，点赞。</p></div>")
    assert detail(html, "临江开发区上半年签约项目二十三个").body == BODY


def test_a_forum_thread_is_its_first_post():
    def post(n: int, author: str, text: str, floor: str) -> str:
        return (f"<table><tr><td><a href='/u/{n}'>{author}</a><p>帖子 12 积分 30</p></td><td>"
                f"<div><strong>{floor}</strong><em>发表于 2025-7-{8 + n} 10:20</em> | <a href='#'>只看该作者</a></div>"
                f"<div class='post'>{text}</div><div><a>回复</a> <a>引用</a> <a>举报</a></div></td></tr></table>")

    thread = (f"<div><table><tr><td>查看: 1234 | 回复: 2</td><td><h1>临江开发区上半年签约项目二十三个</h1></td></tr></table>"
              + post(1, "园区观察", "<br>".join([P1, P2, P3]), "楼主")
              + post(2, "路人甲", "支持一下，园区确实发展很快，我们公司也考虑入驻。", "沙发") + "</div>")
    fields = detail(page(thread), "临江开发区上半年签约项目二十三个")
    assert (fields.body, fields.published_raw) == (BODY, "2025-7-9 10:20")
    tieba = ("<h3>临江开发区上半年签约项目二十三个</h3>"
             f"<div><div><a>园区观察</a></div><div>{'<br>'.join([P1, P2, P3])}</div><div><span>1楼</span><span>2025-07-09 10:20</span></div></div>"
             "<div><div><a>路人甲</a></div><div>支持一下，园区确实发展很快。</div><div><span>2楼</span><span>2025-07-09 11:00</span></div></div>")
    fields = detail(page(tieba), "临江开发区上半年签约项目二十三个")
    assert (fields.body, fields.published_raw) == (BODY, "2025-07-09 10:20")


def test_a_subheading_that_opens_with_guanzhu_is_text():
    html = page(
        f"<h1>临江开发区上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
        f"<div class='text'><p>{P1}</p><p>关注点转向配套服务</p><p>{P2}</p></div>"
    )
    assert detail(html, "临江开发区上半年签约项目二十三个").body == "\n".join([P1, "关注点转向配套服务", P2])


def test_deck_boxed_with_the_headline_and_text_in_a_box_of_its_own():
    html = page(
        "<table><tr><td><a href='/epaper/a01.html'>第A01版：要闻</a></td></tr></table>"
        "<table><tr><td class='t'>临江开发区上半年签约项目二十三个</td></tr>"
        "<tr><td class='deck'>上半年协议投资总额超过一百二十亿元，先进制造业项目占七成</td></tr></table>"
        "<div><a href='/tj.html'>在线荐稿</a><a href='/bk.html'>记者博客</a></div>"
        f"<div class='content'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
    )
    body = detail(page_html := html, "临江开发区上半年签约项目二十三个").body
    assert body.endswith(BODY) and P1 in body, page_html


def test_a_short_article_does_not_run_on_into_the_prose_of_a_sidebar():
    html = page(
        "<div class='main'><h1>临江开发区发布招商公告</h1><div>发布时间：2025-07-09</div>"
        "<div class='content'><p>临江开发区将于本月下旬举办新能源装备产业专场推介会，欢迎各地企业报名参加。</p></div></div>"
        "<div class='side'><div><a href='/zt/1.html'>专题</a></div>"
        f"<p>{P2}</p><p>{P3}</p></div>",
        title="临江开发区发布招商公告",
    )
    assert detail(html, "临江开发区发布招商公告").body == "临江开发区将于本月下旬举办新能源装备产业专场推介会，欢迎各地企业报名参加。"


def test_text_far_from_the_headline_is_found_in_the_box_with_the_most_prose():
    nav = "".join(f"<div>栏目{n}</div>" for n in range(40))  # more short lines than a preamble has
    html = page(f"<div><h1>临江开发区上半年签约项目二十三个</h1><div>2025-07-09</div></div>{nav}"
                f"<div class='side'><p>园区简介：临江开发区成立于二〇〇六年。</p></div>"
                f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>")
    assert detail(html, "临江开发区上半年签约项目二十三个").body == BODY


# -- titles --------------------------------------------------------------------------------------


def test_headline_split_by_br_is_one_title():
    html = page(
        "<h1>临江开发区上半年<br>签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
        f"<div><p>{P1}</p><p>{P2}</p></div>",
    )
    fields = detail(html, "临江开发区上半年签约项目二十三个")
    assert fields.title == "临江开发区上半年签约项目二十三个"
    assert fields.body == "\n".join([P1, P2])


def test_headline_with_a_dash_subtitle_line():
    html = page(
        "<div class='title'>园区企业走出去</div><div class='sub'>——临江开发区外贸企业调查</div>"
        f"<div>发布时间：2025-07-09</div><div><p>{P1}</p><p>{P2}</p></div>",
        title="园区企业走出去——临江开发区外贸企业调查",
    )
    fields = detail(html, "园区企业走出去——临江开发区外贸企业调查")
    assert fields.title == "园区企业走出去——临江开发区外贸企业调查"
    assert fields.body == "\n".join([P1, P2])


def test_a_blog_headline_that_links_to_the_post_itself():
    html = page(
        "<div class='post'><div class='title'><a href='/blog/archive/31001.html'>在园区创业的第一年</a></div>"
        f"<div>{P1}</div><div>{P2}</div><div>发表于 2025-07-09 21:15 阅读(120) 评论(3)</div></div>"
        "<ul><li># re: 在园区创业的第一年</li><li>写得真好，期待下一篇。</li></ul>",
        title="在园区创业的第一年",
    )
    fields = detail(html, "在园区创业的第一年")
    assert fields.title == "在园区创业的第一年"
    assert fields.body.startswith(P1)
    assert fields.published_raw.startswith("2025-07-09")


def test_headline_and_dateline_in_a_header_outside_article_and_main():
    html = page("<header class='site'><a href='/'>首页</a></header><header class='head'><h1>临江开发区上半年签约项目二十三个</h1>"
                f"<p>2025-07-09 10:20 来源：临江日报</p></header><section><p>{P1}</p><p>{P2}</p></section><footer>版权所有 临江网</footer>")
    fields = detail(html, "临江开发区上半年签约项目二十三个")
    assert (fields.title, fields.published_raw, fields.body) == ("临江开发区上半年签约项目二十三个", "2025-07-09 10:20", "\n".join([P1, P2]))


def test_a_numbered_section_heading_opening_the_text_is_kept():
    html = page(f"<h1>临江开发区上半年签约项目二十三个</h1><div>2025-07-09 10:20</div><div><p>一、总体情况</p><p>{P1}</p></div>")
    assert detail(html, "临江开发区上半年签约项目二十三个").body == "\n".join(["一、总体情况", P1])


def test_a_hidden_copy_of_the_title_at_the_top_is_not_the_headline():
    html = page(
        "<div id='meta-title'>临江开发区上半年签约项目二十三个</div><div>20</div><div>临江发布</div>"
        + "".join(f"<div><a href='/org/{n}.html'>部门{n}</a><p>地址：临江大道{n}号</p></div>" for n in range(8))
        + "<h3><p>临江开发区上半年签约项目二十三个</p></h3><div>来源：临江发布 发布时间：2025-07-09 16:18</div>"
        f"<div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
    )
    fields = detail(html, "临江开发区上半年签约项目二十三个")
    assert fields.body == BODY
    assert fields.published_raw == "2025-07-09 16:18"


def test_listing_and_page_differ_in_full_width_punctuation_only():
    html = page(f"<h1>临江园区新厂房交付（图）</h1><div>发布时间：2025-07-09</div><div><p>{P1}</p></div>")
    fields = detail(html, "临江园区新厂房交付(图)")
    assert fields.title == "临江园区新厂房交付（图）" and fields.body == P1


@pytest.mark.parametrize("heading", ["网友评论", "最新评论（12）", "发表评论"])
def test_a_comments_heading_ends_the_text(heading):
    html = page(f"<h1>临江开发区上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div>"
                f"<div><p>{P1}</p><p>{P2}</p><h3>{heading}</h3><p>这篇报道写得很好，期待园区发展越来越好！</p></div>")
    assert detail(html, "临江开发区上半年签约项目二十三个").body == "\n".join([P1, P2])


def test_title_shown_only_in_the_page_title_among_column_and_site_names():
    html = ("<html><head><title>园区论坛-[原创]临江园区十年变迁记-出错了[某某社区]</title></head><body>"
            "<p>您在访问“[原创]临江园区十年变迁记”的时候发生错误，请登录后再试。</p></body></html>")
    assert detail(html, "[原创]临江园区十年变迁记").title == "[原创]临江园区十年变迁记"


def test_badge_and_call_to_action_links_are_not_the_listing_title():
    html = "<ul>" + "".join(
        f"<li><a href='/info/detail/{n}.html'>[置顶]</a> <a href='/info/detail/{n}.html'>临江园区第{n}期招商推介会举行</a>"
        f" <a href='/info/detail/{n}.html'>点击了解更多&gt;</a> 2025-07-0{n}</li>"
        for n in (1, 2, 3)
    ) + "</ul>"
    assert [e.title for e in listing_entries(html, LIST_URL)] == [f"临江园区第{n}期招商推介会举行" for n in (1, 2, 3)]


# -- dates ----------------------------------------------------------------------------------------


def test_information_disclosure_table_gives_the_publication_date_not_the_signing_date():
    table = (
        "<table><tr><td>索引号：</td><td>11420000/2025-00123</td><td>发文机关：</td><td>临江市人民政府</td></tr>"
        "<tr><td>发布日期</td><td>2025年07月08日</td><td>成文日期</td><td>2025年07月01日</td></tr>"
        "<tr><td>文号：</td><td>临开发〔2025〕12号</td><td>有效性：</td><td>有效</td></tr></table>"
    )
    html = page(f"{table}<h1>关于印发临江开发区招商引资奖励办法的通知</h1><div><p>{P1}</p><p>{P2}</p></div>",
                title="关于印发临江开发区招商引资奖励办法的通知")
    assert parse_date(detail(html, "关于印发临江开发区招商引资奖励办法的通知").published_raw).date == "2025-07-08"
    # The labels inside the meta lines, 成文日期 first.
    html = page("<h1>关于印发临江开发区招商引资奖励办法的通知</h1><div>成文日期：2025-07-01 发布日期：2025-07-08</div>"
                f"<div><p>{P1}</p></div>", title="关于印发临江开发区招商引资奖励办法的通知")
    assert parse_date(detail(html, "关于印发临江开发区招商引资奖励办法的通知").published_raw).date == "2025-07-08"


def test_the_publication_time_wins_over_an_update_time_shown_first():
    html = page(f"<h1>临江开发区上半年签约项目二十三个</h1><div>更新时间：2025-07-10 发布时间：2025-07-09</div><div><p>{P1}</p></div>")
    assert detail(html, "临江开发区上半年签约项目二十三个").published_raw == "2025-07-09"


def test_a_page_without_a_shown_date_takes_its_meta_publication_date():
    html = ("<html><head><meta name='publishdate' content='2025-07-09 10:20'><title>临江开发区上半年签约项目二十三个</title>"
            f"</head><body><h1>临江开发区上半年签约项目二十三个</h1><div><p>{P1}</p></div></body></html>")
    assert detail(html, "临江开发区上半年签约项目二十三个").published_raw == "2025-07-09 10:20"


def test_dateline_above_the_title_and_byline_after_the_text():
    above = page(f"<div>临江新闻网</div><div>2025年07月09日</div><h2>临江开发区上半年签约项目二十三个</h2>"
                 f"<div><p>{P1}</p><p>{P2}</p></div>")
    assert detail(above, "临江开发区上半年签约项目二十三个").published_raw == "2025年07月09日"
    after = page(f"<h2>临江开发区上半年签约项目二十三个</h2><div><p>{P1}</p><p>{P2}</p></div>"
                 "<div>本帖由<a href='/u/1'>园区观察</a>于2025年7月9日21:15在<a href='/f/2'>园区论坛</a>发表</div>"
                 "<div>郑 重 声 明</div><div>1. 言论仅代表作者观点。</div>")
    fields = detail(after, "临江开发区上半年签约项目二十三个")
    assert fields.published_raw.startswith("2025年7月9日")
    assert fields.body == "\n".join([P1, P2])


@pytest.mark.parametrize(
    "shown, date, at",
    [
        ("发布时间：2025年07月10日 10时20分", "2025-07-10", "2025-07-10T10:20:00+08:00"),
        ("发布时间：２０２５－０７－０９ １０：２０", "2025-07-09", "2025-07-09T10:20:00+08:00"),
        ("发布日期：二〇二五年七月八日", "2025-07-08", None),
        ("发布时间 2025/07/17 22:11:42 by 园区观察", "2025-07-17", "2025-07-17T22:11:42+08:00"),
    ],
)
def test_date_forms_on_article_pages(shown, date, at):
    html = page(f"<h1>临江开发区上半年签约项目二十三个</h1><div>{shown}</div><div><p>{P1}</p></div>")
    published = parse_date(detail(html, "临江开发区上半年签约项目二十三个").published_raw)
    assert (published.date, published.at) == (date, at)


def test_relative_listing_dates_resolve_against_the_fetch_time_in_beijing():
    html = "<ul>" + "".join(
        f"<li><a href='/info/detail/{n}.html'>临江园区快讯第{n}条消息</a><span>{shown}</span></li>"
        for n, shown in ((1, "9小时前"), (2, "昨天 18:30"), (3, "3天前"))
    ) + "</ul>"
    shown = [e.date_raw for e in listing_entries(html, LIST_URL)]
    assert shown == ["9小时前", "昨天 18:30", "3天前"]
    fetched = datetime.datetime(2025, 7, 9, 20, 0, tzinfo=datetime.timezone.utc)  # 04:00 on 07-10 in Beijing
    items = [ArticleItem(detail_id=n, url=URL, listing_date_raw=raw, fetched_at=fetched.isoformat()) for n, raw in enumerate(shown)]
    dates = [normalise(item, now=fetched).listing_date for item in items]
    assert dates == ["2025-07-09", "2025-07-09", "2025-07-07"]


def test_a_relative_date_after_the_source_name_is_the_entry_date():
    html = "<ul>" + "".join(
        f"<li><a href='/info/detail/{n}.html'>临江园区快讯第{n}条消息</a><p>临江日报 {shown}</p></li>"
        for n, shown in ((1, "9小时前"), (2, "昨天 18:30"))
    ) + "</ul>"
    entries = listing_entries(html, LIST_URL)
    assert [(e.date_raw, e.summary) for e in entries] == [("9小时前", "临江日报"), ("昨天 18:30", "临江日报")]


# -- listings -----------------------------------------------------------------------------------


def test_entries_split_over_several_wrappers_are_one_listing():
    wrappers = "".join(
        "<div class='box'><ul>"
        + "".join(
            f"<li><span>(2025-07-0{w + 1} 1{k}:00)</span><a href='/c/{k}'>[园区]</a> "
            f"<a href='/info/detail/{w * 3 + k}.html'>临江园区滚动新闻第{w * 3 + k}条</a></li>"
            for k in range(1, 4)
        )
        + "</ul></div>"
        for w in range(4)
    )
    sidebar = "<div class='side'><h3>热门排行</h3><ul>" + "".join(
        f"<li><a href='/info/detail/{90 + k}.html'>热门{k}</a></li>" for k in range(5)
    ) + "</ul></div>"
    html = f"<html><body><div id='panel'>{wrappers}</div>{sidebar}</body></html>"
    assert [e.detail_id for e in listing_entries(html, LIST_URL)] == list(range(1, 13))


def test_a_box_of_the_same_markup_under_its_own_heading_is_not_the_listing():
    def box(ids):
        return "<div class='box'><ul>" + "".join(
            f"<li><a href='/info/detail/{n}.html'>临江园区滚动新闻第{n}条</a><span>2025-07-0{n % 9 + 1}</span></li>" for n in ids
        ) + "</ul></div>"

    html = (f"<html><body><div id='col'>{box(range(1, 6))}{box(range(6, 11))}"
            f"<h3>最新文章</h3>{box(range(50, 55))}</div></body></html>")
    assert [e.detail_id for e in listing_entries(html, LIST_URL)] == list(range(1, 11))


def test_a_listing_grouped_by_day_headings_is_one_listing():
    days = "".join(
        f"<h4>7月{day}日</h4><ul>" + "".join(
            f"<li><a href='/info/detail/{day * 10 + k}.html'>临江园区{day}日第{k}条新闻</a><span>1{k}:00</span></li>" for k in range(1, 4)
        ) + "</ul>"
        for day in (9, 8, 7)
    )
    html = f"<html><body><div id='col'>{days}</div><h3>最新文章</h3><ul><li><a href='/info/detail/5.html'>别的</a></li></ul></body></html>"
    assert [e.detail_id for e in listing_entries(html, LIST_URL)] == [91, 92, 93, 81, 82, 83, 71, 72, 73]


def test_a_listing_of_thousands_of_small_wrappers_is_one_listing():
    # 1,500 wrappers of 2 entries back to back (the runs are found walking back from each
    # wrapper, not by scanning the page once per wrapper; speed is measured in bench/).
    html = "<html><body>" + "".join(
        f"<div><div><a href='/info/detail/{2 * i + 1}.html'>临江园区第{i}条甲</a></div>"
        f"<div><a href='/info/detail/{2 * i + 2}.html'>临江园区第{i}条乙</a></div></div>"
        for i in range(1500)
    ) + "</body></html>"
    assert len(listing_entries(html, LIST_URL)) == 3000


def test_a_calendar_of_day_links_and_comment_counts_are_not_the_pager():
    calendar = "<ul class='cal'>" + "".join(
        f"<li><a href='https://archive.010b.com/2025-07/{d:02d}/index.html'>{d}</a></li>" for d in range(1, 16)
    ) + "<li><span>16</span></li></ul>"
    entries = "<ul>" + "".join(
        f"<li><a href='/info/detail/{n}.html'>临江园区第{n}条新闻</a> <a href='/comments/{n}.html'>{800 + n}</a></li>"
        for n in range(1, 6)
    ) + "</ul>"
    pager = ("<div class='pages'><span>1</span> <a href='/info/5005/page/2'>2</a> <a href='/info/5005/page/3'>3</a>"
             " … <a href='/info/5005/page/36'>36</a> <a href='/info/5005/page/2'>下一页</a></div>")
    html = f"<html><body>{calendar}{entries}{pager}</body></html>"
    pages = pagination(html, LIST_URL)
    assert (pages.current_page, pages.total_pages) == (1, 36)
    assert pages.next_url == "https://hubei.010b.com/info/5005/page/2"


def test_comment_counts_beside_entries_are_no_pager_even_without_a_next_link():
    entries = "<ul>" + "".join(
        f"<li><a href='/info/detail/{n}.html'>临江园区第{n}条新闻</a> <a href='/comments/{n}.html'>{840 + n}</a></li>"
        for n in range(1, 6)
    ) + "</ul>"
    pages = pagination(f"<html><body>{entries}</body></html>", LIST_URL)
    assert (pages.total_pages, pages.next_url) == (None, None)
    pager = "<div><a href='/info/5005/page/2'>2</a> <a href='/info/5005/page/3'>3</a></div>"
    pages = pagination(f"<html><body>{entries}{pager}</body></html>", LIST_URL)
    assert (pages.total_pages, pages.next_url) == (3, "https://hubei.010b.com/info/5005/page/2")


def test_a_script_pager_of_fragment_links_gives_the_total():
    html = ("<ul>" + "".join(f"<li><a href='/info/detail/{n}.html'>临江园区第{n}条新闻</a></li>" for n in range(1, 4))
            + "</ul><div><span>1</span> <a href='#page=2'>2</a> <a href='#page=3'>3</a> …… <a href='#page=20'>20</a>"
            " <a href='#page=2'>下一页</a></div>")
    pages = pagination(html, "https://news.010b.com/latest/")
    assert pages.total_pages == 20 and pages.next_url is None


# -- encoding -------------------------------------------------------------------------------------


def test_declared_utf8_page_with_a_short_gbk_footer_stays_utf8():
    head = "<html><head><meta charset='utf-8'><title>临江开发区上半年签约项目二十三个</title></head><body>"
    body = f"<h1>临江开发区上半年签约项目二十三个</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
    raw = (head + body).encode("utf-8") + "<div>主办：临江开发区管委会</div>".encode("gbk") + b"</body></html>"
    html = decode_html(raw, "text/html; charset=utf-8")
    assert P1 in html and "临江开发区上半年签约项目二十三个" in html


def test_utf8_page_of_mostly_latin_and_typographic_text_is_utf8():
    text = "Café “Zhongguancun” — résumé of the park’s 2025 plan… naïve señor"
    raw = f"<html><body><p>{text}</p><p>园区</p></body></html>".encode("utf-8")
    assert text in decode_html(raw, None)


def test_gbk_bytes_declared_utf8_are_still_read_as_gbk():
    raw = f"<html><head><meta charset='utf-8'></head><body><p>{P1}</p></body></html>".encode("gbk")
    assert P1 in decode_html(raw, "text/html; charset=utf-8")


# -- invisible characters and regions --------------------------------------------------------------


@pytest.mark.parametrize("mark", ["\u200d", "\u2060", "\u00ad", "\u200b", "\ufeff", "\u200e", "\u2063"])
def test_format_characters_are_removed_from_titles_text_and_the_search_index(mark):
    cleaned = clean_title(f"【武{mark}汉招商】光谷{mark}生物城新签约项目")
    assert (cleaned.region_tag, cleaned.title) == ("武汉", "光谷生物城新签约项目")
    assert strip_invisible(f"融{mark}资") == "融资" and collapse_whitespace(f" 融{mark}资 ") == "融资"
    assert bigram_text(f"融{mark}资环境") == bigram_text("融资环境")
    assert query_phrase(f"融{mark}资") == query_phrase("融资")
    html = page(f"<h1>临江开发区{mark}上半年签约项目二十三个</h1><div>发布时间：2025-07-09</div><div><p>{P1}</p></div>")
    assert detail(html).title == "临江开发区上半年签约项目二十三个"


@pytest.mark.parametrize(
    "raw, names, adcode",
    [
        ("吉林-吉林", ("吉林省", "吉林市", None), "220200"),
        ("湖北-荆州-荆州", ("湖北省", "荆州市", "荆州区"), "421003"),
        ("湖北-武汉-武汉", ("湖北省", "武汉市", None), "420100"),
    ],
)
def test_a_name_repeated_in_the_region_field_is_the_next_level_down(raw, names, adcode):
    region = resolve_region(None, raw)
    assert (region.province, region.city, region.district, region.adcode) == (*names, adcode)


# -- the same pages crawled into an archive --------------------------------------------------------

SITE: dict[str, tuple[bytes, str]] = {}


def _site() -> dict[str, tuple[bytes, str]]:
    entries = [
        (41, "【吉林招商】吉林市化工园区二期开工", "9小时前", "吉林-吉林",
         "<h1>【吉林招商】吉林市化工园区<br>二期开工</h1><div>所属地区：吉林-吉林</div>"
         "<div>发布时间：2025年07月10日 10时20分</div>"),
        (42, "【荆州招商】荆州区新材料产业园签约", "2025-07-08", "湖北-荆州-荆州",
         "<div class='top'></html></div><h1>【荆州招商】荆州区新材料产业园签约</h1><div>所属地区：湖北-荆州-荆州</div>"
         "<div>2025-07-08 09:57 荆州日报</div><div>分享到：<a href='#'>QQ空间</a> <a href='#'>微博</a></div>"),
    ]
    listing = "<html><head><meta charset='utf-8'></head><body><ul>" + "".join(
        f"<li><a href='/info/detail/{i}.html'>{t}</a><span>{d}</span><p>{P1}</p></li>" for i, t, d, _, _ in entries
    ) + "</ul><div>共 1 页</div></body></html>"
    site = {"/info/5005/page/1": (listing.encode("utf-8"), "text/html; charset=utf-8")}
    for ident, title, _, _, head in entries:
        html = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{head}"
                f"<div class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div><div>关注临江新闻网</div>"
                "<div>责任编辑：王某</div></body></html>")
        # A GBK footer pasted into the UTF-8 page.
        site[f"/info/detail/{ident}.html"] = (html.encode("utf-8") + "<p>主办单位：某某网</p>".encode("gbk"),
                                              "text/html; charset=utf-8")
    return site


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        if path not in SITE:
            self.send_error(404)
            return
        body, content_type = SITE[path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def real_kinds_site():
    SITE.clear()
    SITE.update(_site())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_crawl_of_real_page_kinds_archives_clean_fields(real_kinds_site, tmp_path: Path):
    db = tmp_path / "kinds.db"
    result = crawl(f"{real_kinds_site}/info/5005/page/1", db)
    assert result.returncode == 0, result.stderr
    got = {r["detail_id"]: r for r in rows(db, "SELECT * FROM articles")}
    assert set(got) == {41, 42}
    jilin, jingzhou = got[41], got[42]
    assert (jilin["title"], jilin["region_tag"]) == ("吉林市化工园区二期开工", "吉林")
    assert (jilin["city"], jilin["adcode"]) == ("吉林市", "220200")
    assert (jilin["published_date"], jilin["published_at"]) == ("2025-07-10", "2025-07-10T10:20:00+08:00")
    assert (jingzhou["district"], jingzhou["adcode"]) == ("荆州区", "421003")
    assert jingzhou["published_at"] == "2025-07-08T09:57:00+08:00"
    for article in (jilin, jingzhou):
        assert article["body"] == BODY
    # The relative listing date is read against the fetch time, in Beijing.
    fetched = datetime.datetime.fromisoformat(jilin["fetched_at"])
    assert jilin["listing_date"] == (fetched - datetime.timedelta(hours=9)).astimezone(
        datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
