"""The park a listing belongs to, read from the listing page's title, headings or breadcrumb."""

from __future__ import annotations

import pytest

from extract.park import ListingPark, listing_park, read_names

URL = "https://JiangHanQuDianZiXinXiChanYeYuanQu.010b.com/info/144795/page/1"
SIDEBAR = "<h3>热门资讯</h3><h3>推荐园区</h3><ul><li>某某产业园</li></ul>"


@pytest.mark.parametrize(
    "html, park, listing",
    [
        # title: park and listing run together, page mark, site name
        ("<title>江汉区电子信息产业园区招商资讯_第3页_产业园区网</title>" + SIDEBAR, "江汉区电子信息产业园区", "招商资讯"),
        # title: listing first, park second, other separators
        ("<title>园区动态 | 光谷生物城 - 中国产业园区网</title>", "光谷生物城", "园区动态"),
        ("<title>招商资讯—武汉经济技术开发区—产业园区网</title>", "武汉经济技术开发区", "招商资讯"),
        # title without the park; breadcrumb names it
        ("<title>招商资讯-产业园区网</title>" + SIDEBAR
         + "<div>当前位置：<a href='/'>首页</a> &gt; <a href='/p/'>宜昌高新区</a> &gt; 招商资讯</div>", "宜昌高新区", "招商资讯"),
        # title of the listing only; an <h1> banner names the park
        ("<title>新闻动态 第2页</title><h1>襄阳市东津新区</h1>" + SIDEBAR, "襄阳市东津新区", "新闻动态"),
        # a region channel: a listing name, no park
        ("<title>湖北招商资讯 共35页</title>" + SIDEBAR, None, "招商资讯"),
        # nothing to tell: sidebars only
        ("<title>产业园区网</title>" + SIDEBAR, None, None),
        ("", None, None),
        ("<html><body><p>无标题页面</p></body></html>", None, None),
    ],
)
def test_park_and_listing_names(html, park, listing):
    found = listing_park(html, URL)
    assert (found.park_name, found.listing_name) == (park, listing)
    assert found.host == "jianghanqudianzixinxichanyeyuanqu.010b.com"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("江汉区电子信息产业园区招商资讯", ("江汉区电子信息产业园区", "招商资讯")),
        ("热门资讯", (None, None)),
        ("更多园区", (None, None)),
        ("网友社区", (None, None)),
        ("投资专区", (None, None)),
        ("第1页", (None, None)),
        ("产业园区网", (None, None)),
        ("首页 » 孝感临空经济区 » 政策法规", ("孝感临空经济区", "政策法规")),
        ("【江汉区电子信息产业园区】招商资讯", ("江汉区电子信息产业园区", "招商资讯")),
        ("荆州开发区官网 - 园区新闻", ("荆州开发区", "园区新闻")),
        ("武汉新港空港综合保税区(东西湖区)首页", ("武汉新港空港综合保税区", None)),
    ],
)
def test_read_names(text, expected):
    assert read_names(text) == expected


@pytest.mark.parametrize("url", ["/info/1/page/1", "http://[::1/info/1", ""])
def test_a_listing_url_without_a_host(url):
    assert listing_park("<title>招商资讯</title>", url) == ListingPark(None, None, "招商资讯")
