from __future__ import annotations

from pathlib import Path

import pytest

from extract.detail import detail_fields
from extract.encoding import decode_html

PAGES = Path(__file__).parent / "pages"
URL = "https://hubei.010b.com/info/detail/23977.html"


def fields_of(name: str, listing_title: str | None = None):
    html = decode_html((PAGES / name).read_bytes(), "text/html")
    return detail_fields(html, URL, listing_title)


def test_h1_page_with_headings_points_and_all_the_chrome():
    fields = fields_of("detail_h1.html")
    assert fields.title == "【武汉招商】武汉“云招商”平台上线 线上签约项目金额破百亿"
    assert (fields.region_raw, fields.published_raw, fields.source) == ("湖北-武汉", "2025年07月10日", "")
    assert fields.body == "\n".join(
        [
            "武汉上线“云招商”平台，把项目推介、洽谈和签约搬到线上，企业无需到场即可完成对接。",
            "一、平台功能",
            "平台设有项目库、载体库和政策库，客商可按产业方向检索园区空间与扶持政策。",
            "1. 视频洽谈：招商人员与客商实时连线。",
            "2. 电子签约：合同经电子认证后即时生效。",
            "二、初步成效",
            "上线首月，平台累计促成项目五十余个，签约金额超过一百亿元。",
        ]
    )


def test_gbk_table_layout_with_br_lines_and_sidebar():
    fields = fields_of("detail_table_gbk.html")
    assert fields.title == "荆州开发区生物医药产业园迎来首批入园企业"
    assert (fields.region_raw, fields.published_raw) == ("湖北-荆州", "2025年07月05日")
    assert fields.body == (
        "生物医药产业园首批六家企业正式入园，涵盖原料药、制剂和医用耗材三个方向。\n"
        "二、配套服务\n"
        "园区为入园企业提供环评代办、标准厂房和人才公寓，开工前审批事项实行全程代办。"
    )


def test_div_title_with_inline_meta_line_and_no_editor_line():
    fields = fields_of("detail_inline_meta.html")
    assert fields.title == "武汉新港空港综合保税区获批扩区"
    assert (fields.region_raw, fields.published_raw, fields.source) == ("湖北-武汉", "2025-07-10 09:30", "长江日报")
    assert fields.body == (
        "扩区后的综合保税区新增面积约二点一平方公里，主要用于发展保税研发、保税维修和跨境电商业务。\n"
        "海关部门将同步建设智能卡口和监管仓库，区内企业可享受“一次申报、分送集报”等便利措施。\n"
        "（一）保税维修：承接航空发动机部件维修。"
    )


def test_one_paragraph_article_followed_directly_by_a_dated_link_list():
    fields = fields_of("detail_short_sidebar.html")
    assert fields.title == "【宜昌招商】宜昌三峡物流园引进冷链仓储项目"
    assert (fields.region_raw, fields.published_raw) == ("湖北-宜昌", "2025年06月28日")
    assert fields.body == "物流园与一家冷链企业签约，将建设五万吨级冷库及配套分拨中心，服务柑橘和茶叶等特色农产品外运。"


def test_submission_boilerplate_three_times_the_article_is_not_body():
    fields = fields_of("detail_boilerplate.html")
    assert fields.title == "【汉阳区招商】汉阳区发布楼宇经济扶持办法"
    assert (fields.region_raw, fields.published_raw) == ("湖北-武汉-汉阳区", "2025年07月02日")
    assert fields.body == (
        "办法对新引进的总部企业给予租金补贴，最高三年、每年不超过三百万元。\n"
        "对年度纳税额首次突破千万元的楼宇，给予运营单位一次性奖励。"
    )


def test_listing_title_picks_the_heading_over_other_candidates():
    html = """<html><head><title>资讯详情</title></head><body>
      <h1>产业园区网</h1>
      <div>首页 &gt; 资讯</div>
      <h2>【武汉招商】青山区绿色低碳产业园签约氢能项目</h2>
      <p>发布时间：2025/07/08</p>
      <p>项目将建设加氢站和燃料电池检测中心。</p>
      <p>上一篇：<a href="/info/detail/1.html">其他新闻</a></p></body></html>"""
    fields = detail_fields(html, URL, "【武汉招商】青山区绿色低碳产业园…")
    assert fields.title == "【武汉招商】青山区绿色低碳产业园签约氢能项目"
    assert fields.published_raw == "2025/07/08"
    assert fields.body == "项目将建设加氢站和燃料电池检测中心。"


def test_inline_points_split_and_whitespace_collapsed():
    html = """<html><head><title>甲园区发布扶持政策-产业园区网</title></head><body><h1>甲园区发布扶持政策</h1>
      <div>发布日期：2025年05月06日 <a href="#">分享</a></div>
      <div>园区发布扶持政策。 一、租金减免 首年免租。 二、人才奖励\u3000最高十万元。&nbsp;</div>
      <div>版权所有 产业园区网</div></body></html>"""
    fields = detail_fields(html, URL)
    assert fields.body == "园区发布扶持政策。\n一、租金减免 首年免租。\n二、人才奖励 最高十万元。"


def test_page_without_article_gives_empty_fields():
    fields = detail_fields("", URL)
    assert (fields.title, fields.region_raw, fields.published_raw, fields.body) == ("", "", "", "")


PICTURES_ONLY = """<html><head><title>某园区签约仪式图集_产业园区网</title></head><body>
<div class="article"><h1>【武汉招商】某园区签约仪式图集</h1><div class="meta">发布日期：2025-05-12</div>
<div class="pos">{crumb}</div><div class="content"><p><img src="/a.jpg"></p><p><img src="/b.jpg"></p></div></div>
<div class="foot">版权所有 © 2025 某某园区网</div></body></html>"""


@pytest.mark.parametrize(
    "crumb", ["当前位置：首页 &gt; 招商引资 &gt; 正文", "您的位置: 首页 » 资讯", "首页 &gt; 招商引资", "招商引资 &gt; 正文",
              "您所在的位置：首页 &gt; 招商", "网站首页 &gt; 招商资讯 &gt; 详情", "位置：首页 &gt; 招商", "网站首页 &gt;&gt; 招商"]
)
def test_a_breadcrumb_is_not_the_body_of_a_page_of_pictures(crumb):
    fields = detail_fields(PICTURES_ONLY.format(crumb=crumb), URL, "【武汉招商】某园区签约仪式图集")
    assert (fields.title, fields.body, fields.published_raw) == ("【武汉招商】某园区签约仪式图集", "", "2025-05-12")


def test_a_line_naming_a_place_is_body_text():
    """Only a breadcrumb's own labels mark one: "位置：…" in a project's facts is text."""
    html = PICTURES_ONLY.format(crumb="").replace('<p><img src="/a.jpg"></p>', "<p>位置：武汉经开区东风大道888号。</p>")
    assert detail_fields(html, URL, "【武汉招商】某园区签约仪式图集").body == "位置：武汉经开区东风大道888号。"


TITLE_IN_BOLD = """<html><head><title>产业园区网</title></head><body><div>首页 &gt; 资讯</div>
<div><b>光谷 生物城新增三家研发企业</b></div>
<div>光谷生物城新增三家研发企业，园区配套服务持续完善，入园企业可享受租金减免。</div></body></html>"""


@pytest.mark.parametrize(
    "listing_title",
    ["【武汉招商】光谷生物城新增三家研发企业", "【武汉招商】光谷生物城新增…", "光谷生物城新增三家研发企业..."],
)
def test_listing_title_found_despite_prefix_spaces_and_truncation(listing_title):
    fields = detail_fields(TITLE_IN_BOLD, URL, listing_title)
    assert fields.title == "光谷 生物城新增三家研发企业"
    assert fields.body == "光谷生物城新增三家研发企业，园区配套服务持续完善，入园企业可享受租金减免。"


@pytest.mark.parametrize("listing_title", [None, "光谷生物城新增", "【武汉招商】"])
def test_untruncated_prefix_or_empty_listing_title_matches_no_line(listing_title):
    assert detail_fields(TITLE_IN_BOLD, URL, listing_title).title == "产业园区网"
