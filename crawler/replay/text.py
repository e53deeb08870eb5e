"""Generated Chinese text for the replay: titles, article bodies, summaries and boilerplate.

Everything is drawn from a ``random.Random`` passed in, so a seed gives the same site every
time. The wording is written for the replay (vocabulary and structure follow the live site;
no sentence is copied from it). No I/O here.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass

# Region tag -> (所属地区 as the detail page shows it, the place as the text names it).
# Districts and functional zones of Wuhan all show "湖北-武汉", as the live site does.
REGION_TAGS: dict[str, tuple[str, str]] = {
    "武汉": ("湖北-武汉", "武汉市"),
    "汉阳区": ("湖北-武汉", "汉阳区"),
    "宜昌": ("湖北-宜昌", "宜昌市"),
    "襄阳": ("湖北-襄阳", "襄阳市"),
    "湖北": ("湖北", "湖北省"),
    "黄陂": ("湖北-武汉", "黄陂区"),
    "江汉区": ("湖北-武汉", "江汉区"),
    "东湖高新区": ("湖北-武汉", "东湖高新区"),
    "光谷": ("湖北-武汉", "光谷"),
    "武汉经开区": ("湖北-武汉", "武汉经开区"),
    "临空港经开区": ("湖北-武汉", "临空港经开区"),
    "长江新区": ("湖北-武汉", "长江新区"),
    "荆州": ("湖北-荆州", "荆州市"),
    "孝感": ("湖北-孝感", "孝感市"),
    "江夏区": ("湖北-武汉", "江夏区"),
}
# The live listing is mostly 武汉-tagged; the rest share what is left.
_TAG_WEIGHTS = {tag: (12 if tag == "武汉" else 1) for tag in REGION_TAGS}

# Untagged titles start with a full place name instead: (place, 所属地区).
UNTAGGED_PLACES: tuple[tuple[str, str], ...] = (
    ("武汉经济开发区", "湖北-武汉"),
    ("东湖新技术开发区", "湖北-武汉"),
    ("武汉临空港经济技术开发区", "湖北-武汉"),
    ("宜昌高新区", "湖北-宜昌"),
    ("襄阳高新区", "湖北-襄阳"),
    ("荆州开发区", "湖北-荆州"),
)

INDUSTRIES = (
    "光电子信息", "新能源汽车", "生物医药", "高端装备", "集成电路", "人工智能", "新材料",
    "现代物流", "数字经济", "节能环保", "航空航天", "智能网联汽车", "大健康", "北斗导航",
)
_COMPANY_HEADS = ("楚能", "江城", "鼎盛", "华创", "启明", "天擎", "星河", "卓远", "汉新", "融通", "长盈", "九峰")
_COMPANY_TRADES = ("科技", "智能", "新材料", "生物", "光电", "动力", "精密")
_COMPANY_FORMS = ("有限公司", "股份有限公司", "集团")
_SLOGANS = ("招商提速", "项目攻坚", "百企入园", "双招双引", "链长领航", "千企万才")
_SOURCES = ("长江日报", "湖北日报", "武汉晚报", "楚天都市报", "宜昌日报", "襄阳日报", "荆州日报")
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
_GIVEN = "晓明静伟芳娜敏磊洋艳勇军杰涛超霞平刚桂"

# Money slots, named by the kind of amount the words around them make it (see
# normalize/amounts.py): {inv}, {inv2} investment, {fx} investment in a foreign
# currency, {con} contract, {fin}, {fin2} financing, {out}, {out2} output, {tax}, {fund}, {other}.
# Each is filled by ``money()`` and recorded in the ledger with its value, so that a crawl can
# be checked against what the text says. {small} is a bare number (a threshold, not an amount).
MONEY_SLOTS = {
    "inv": "investment", "inv2": "investment", "fx": "investment", "con": "contract", "fin": "financing",
    "fin2": "financing", "out": "output", "out2": "output", "tax": "tax", "fund": "funds", "other": "other",
}  # fmt: skip

_TITLE_TEMPLATES = (
    "{place}{n}个{ind}项目集中签约 总投资{inv}",
    "{company}{inv}{ind}项目落户{place}",
    "{place}出台{ind}产业扶持新政 助力企业扩产增效",
    "{place}上半年招商引资到位资金{inv} 同比增长{pct}%",
    "{place}举办{ind}产业招商推介会 现场签约{con}",
    "{place}规上工业企业产值增长{pct}% {ind}领跑",
    "{place}加快建设{ind}产业园 预计年产值{out}",
    "{company}{place}基地正式投产 {ind}产能再提升",
    "{place}发布优化营商环境{n}条措施 企业办事时限压缩{pct}%",
    "{place}{ind}产业链招商取得新进展",
    "{place}与{company}签署战略合作协议 共建{ind}创新中心",
    "{place}“{slogan}”行动成效显著 新增市场主体{n}万户",
)

_LEAD_GOALS = (
    "加快构建现代化产业体系", "进一步扩大有效投资", "推动招商引资提质增效",
    "持续优化营商环境", "培育壮大{ind}产业集群", "增强产业链供应链韧性",
)
_LEAD_ACTIONS = (
    "近日集中签约一批重点项目", "出台专项扶持政策", "组织开展“{slogan}”专项行动",
    "召开{ind}产业招商大会", "启动新一轮园区基础设施建设", "与多家龙头企业深化合作",
)
_LEAD_RESULTS = (
    "涉及总投资{inv}", "预计带动新增就业{n}00余人", "为区域经济高质量发展注入新动能",
    "一批链主企业和配套项目相继落地", "产业集聚效应进一步显现",
)
_SENTENCES = (
    "据统计，{year}年{place}共引进{ind}项目{n}个，实际到位资金{inv}，同比增长{pct}%。",
    "{company}相关负责人表示，选择落户{place}主要看中当地完善的产业配套和高效的政务服务。",
    "项目全部建成后，预计可实现年产值{out}，年纳税{tax}。",
    "{place}将对新落户的{ind}企业给予最高{fund}的资金支持。",
    "目前，该项目一期厂房已完成主体结构施工，计划于{year2}年{month}月投入使用。",
    "截至{month}月底，{place}{ind}产业规模突破{out}，占工业总产值的{pct}%。",
    "下一步，{place}将围绕{ind}、{ind2}等重点领域，开展精准招商和以商招商。",
    "会上，{n}个项目现场签约，涵盖{ind}、{ind2}等多个领域。",
    "{place}招商部门建立项目全流程跟踪服务机制，实行“一个项目、一个专班、一套方案”。",
    "{company}计划投资{inv}建设研发中心和智能化生产线，达产后年营收可达{out2}。",
    "{place}同步推进标准厂房建设，已累计建成{n}万平方米，入驻率达到{pct}%。",
    "在要素保障方面，{place}统筹安排用地指标{n}00亩，优先保障重点项目落地。",
    "今年以来，{place}新签约亿元以上项目{n}个，其中十亿元以上项目{n2}个。",
    "为降低企业融资成本，当地设立总规模{fund}的产业引导基金，带动社会资本参与项目建设。",
    "{place}还将完善人才公寓、学校和医院等配套设施，提升园区综合承载能力。",
    "业内人士认为，{ind}正处于快速发展期，{place}具备较好的先发优势。",
    "数据显示，{place}{ind}企业数量较上年增加{pct}%，高新技术企业达到{n}家。",
    "通过线上线下联动，{place}全年举办各类招商推介活动{n}场，接洽客商{n2}批次。",
    "对固定资产投资超过{small}亿元的项目，可按实际投资额的{spct}%给予补贴。",
    "{place}推行“拿地即开工”审批模式，项目从签约到开工平均用时缩短至{n}天。",
    "园区内{ind}企业之间的本地配套率已提升至{pct}%，上下游协作更加紧密。",
    "{company}负责人介绍，新产线投产后产品良率提高{spct}个百分点，订单已排至明年。",
    "{place}与{company}签署合作协议，合同金额{con}。",
    "园区企业累计获得银行授信{fin}，今年新增贷款{fin2}。",
    "{company}注册资本{other}，主要从事{ind}产品研发。",
    "外资方面，{company}追加投资{fx}，扩建{ind}生产基地。",
    "{place}项目总投资{inv}，其中设备投资{inv2}。",
    "{place}为园区企业争取各类补贴资金{fund}，协调银行贷款{fin}。",
    "项目咨询电话027-{phone}，备案编号{year2}-420100-{n}-{n2}，计划于{year2}年第{quarter}季度开工。",
)
_HEADINGS = (
    "项目概况", "政策要点", "推进举措", "签约成果", "产业基础", "下一步工作", "配套服务",
    "发展成效", "主要做法", "未来规划", "招商亮点", "资金支持", "要素保障", "区域协同",
)
_MEASURES = (
    "强化政策支持", "优化审批服务", "加强要素保障", "完善配套设施", "创新招商方式",
    "壮大市场主体", "推动产业协同", "加大金融支持", "引育高端人才", "提升开放水平",
)
_CN_NUMERALS = "一二三四五六七八九十"
_EDIT_TAILS = ("最新进展", "再获新突破", "持续推进", "跑出加速度")


@dataclass
class Boilerplate:
    """The site-wide 投稿 notice and content rules, shown on every page below the content."""

    notice: list[str]
    rules: list[str]

    def text_length(self) -> int:
        return sum(len(line) for line in self.notice + self.rules)


def pick_region(rng: random.Random, untagged_share: float = 0.15) -> tuple[str | None, str, str]:
    """Return (region tag or None, 所属地区, place named in the text)."""
    if rng.random() < untagged_share:
        place, region_raw = rng.choice(UNTAGGED_PLACES)
        return None, region_raw, place
    tag = rng.choices(list(_TAG_WEIGHTS), weights=list(_TAG_WEIGHTS.values()))[0]
    region_raw, place = REGION_TAGS[tag]
    return tag, region_raw, place


@dataclass(frozen=True)
class Money:
    """An amount as written, with what it says (value in its currency; high end of a range)."""

    raw: str
    value: float
    value_high: float | None = None
    currency: str = "CNY"
    approximate: bool = False


@dataclass(frozen=True)
class Planted:
    """An amount planted in the text: where (offset in its piece of text), what, and its kind."""

    offset: int
    money: Money
    kind: str


_CN_DIGITS = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
_FOREIGN = (("万美元", "USD", 1e4), ("亿欧元", "EUR", 1e8), ("亿港元", "HKD", 1e8), ("亿日元", "JPY", 1e8))


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals: 十二, 二十, 三十五."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (_CN_DIGITS[ones] if ones else "")


def money(rng: random.Random, low: float, high: float) -> Money:
    """An amount in yuan between ``low`` and ``high`` 亿 (or about), written in one of the forms
    the site uses: 12.5亿元, 3541.07万元, 二十亿元, 近百亿元, 3000余万元, １２亿元, 1,200万元,
    10至15亿元, 3千万元, 超12亿元 …"""
    x = round(rng.uniform(low, high), 1)
    n = max(2, round(x))
    form = rng.randrange(10)
    if form == 0:
        wan = round(rng.uniform(low, high) * 1e4, 2)
        return Money(f"{wan:.2f}万元", wan * 1e4)
    if form == 1:
        n = min(n, 99)
        return Money(f"{chinese_number(n)}亿元", n * 1e8)
    if form == 2:
        word = rng.choice(("近", "超", "约", "逾"))
        return Money(f"{word}{n}亿元", n * 1e8, approximate=True)
    if form == 3:
        return Money(f"{rng.choice(('近', '超'))}百亿元", 1e10, approximate=True)
    if form == 4:
        wan = rng.randrange(1000, 9000, 100)
        return Money(f"{wan}余万元", wan * 1e4, approximate=True)
    if form == 5:
        return Money(f"{x:g}亿元".translate(_FULL_WIDTH), x * 1e8)
    if form == 6:
        wan = rng.randint(1000, 9999)
        return Money(f"{wan:,}万元", wan * 1e4)
    if form == 7:
        top = n + rng.randint(1, 10)
        return Money(f"{n}{rng.choice(('至', '-', '到'))}{top}亿元", n * 1e8, top * 1e8)
    if form == 8:
        k = rng.randint(2, 9)
        return Money(f"{k}千万元", k * 1e7)
    return Money(f"{x:g}亿元", x * 1e8)


def foreign_money(rng: random.Random) -> Money:
    unit, currency, scale = rng.choice(_FOREIGN)
    n = rng.randrange(1000, 9000, 100) if scale == 1e4 else rng.randint(2, 50)
    return Money(f"{n}{unit}", n * scale, currency=currency)


class Ledger:
    """What amounts the generated text holds, by piece of text (a sentence, or a part of a title
    between spaces): ``amounts_in(text)`` finds them again in any text made of those pieces."""

    PIECES = re.compile(r"[^。\s]*。|[^。\s]+")

    def __init__(self) -> None:
        self.pieces: dict[str, tuple[Planted, ...]] = {}

    def record(self, text: str, planted: list[tuple[Money, str]]) -> None:
        at = 0
        located = []
        for money_, kind in planted:
            at = text.index(money_.raw, at)
            located.append((at, money_, kind))
            at += len(money_.raw)
        for piece in self.PIECES.finditer(text):
            inside = tuple(
                Planted(at - piece.start(), money_, kind) for at, money_, kind in located
                if piece.start() <= at < piece.end()
            )
            if inside:
                known = self.pieces.setdefault(piece.group(), inside)
                assert known == inside, f"one piece of text, two meanings: {piece.group()}"

    def amounts_in(self, text: str) -> list[Planted]:
        """The planted amounts of ``text``, with offsets in ``text``."""
        found = []
        for piece in self.PIECES.finditer(text or ""):
            for planted in self.pieces.get(piece.group(), ()):
                found.append(Planted(piece.start() + planted.offset, planted.money, planted.kind))
        return found


def _fill(template: str, slots: dict[str, str], ledger: Ledger | None) -> str:
    filled = template.format(**slots)
    if ledger is not None:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name in MONEY_SLOTS]
        ledger.record(filled, [(slots[f"_{name}"], MONEY_SLOTS[name]) for name in names])
    return filled


def _slots(rng: random.Random, place: str) -> dict:
    ind, ind2 = rng.sample(INDUSTRIES, 2)
    amounts = {
        "inv": money(rng, 5, 400), "inv2": money(rng, 0.5, 5), "con": money(rng, 5, 400),
        "fin": money(rng, 1, 200), "fin2": money(rng, 0.5, 50), "out": money(rng, 5, 400),
        "out2": money(rng, 10, 800), "tax": money(rng, 0.1, 5), "fund": money(rng, 0.5, 5),
        "other": money(rng, 0.1, 2), "fx": foreign_money(rng),
    }  # fmt: skip
    return {
        **{name: amount.raw for name, amount in amounts.items()},
        **{f"_{name}": amount for name, amount in amounts.items()},
        "quarter": str(rng.randint(1, 4)),
        "phone": str(rng.randint(80000000, 89999999)),
        "place": place,
        "ind": ind,
        "ind2": ind2,
        "company": rng.choice(_COMPANY_HEADS) + rng.choice(_COMPANY_TRADES) + rng.choice(_COMPANY_FORMS),
        "slogan": rng.choice(_SLOGANS),
        "small": _amount(rng, 0.5, 5),
        "pct": f"{rng.uniform(3, 60):.1f}",
        "spct": str(rng.randint(2, 15)),
        "n": str(rng.randint(3, 60)),
        "n2": str(rng.randint(2, 20)),
        "year": str(rng.randint(2019, 2024)),
        "year2": str(rng.randint(2025, 2027)),
        "month": str(rng.randint(1, 12)),
    }


def _amount(rng: random.Random, low: float, high: float) -> str:
    value = rng.uniform(low, high)
    return str(round(value)) if value >= 20 and rng.random() < 0.6 else f"{value:.1f}"


def headline(rng: random.Random, place: str, ledger: Ledger | None = None) -> str:
    """A title without its region prefix. Sometimes with a doubled or ideographic space,
    which the archive collapses. Its amounts go to ``ledger``."""
    text = _fill(rng.choice(_TITLE_TEMPLATES), _slots(rng, place), ledger)
    if " " in text and rng.random() < 0.08:
        text = text.replace(" ", rng.choice(("  ", "\u3000")), 1)
    return text


def sentence(rng: random.Random, place: str, ledger: Ledger | None = None) -> str:
    return _fill(rng.choice(_SENTENCES), _slots(rng, place), ledger)


def lead_paragraph(rng: random.Random, place: str, ledger: Ledger | None = None) -> str:
    slots = _slots(rng, place)
    template = f"为{rng.choice(_LEAD_GOALS)}，{{place}}{rng.choice(_LEAD_ACTIONS)}，{rng.choice(_LEAD_RESULTS)}。"
    return _fill(template, slots, ledger) + sentence(rng, place, ledger)


def body_paragraphs(rng: random.Random, place: str, *, short: bool = False, ledger: Ledger | None = None) -> list[str]:
    """An article: a lead paragraph, then headed sections of paragraphs or numbered points.

    Lengths run from 400 to 3000 characters, most near 1000; ``short`` gives one paragraph
    of about 150 characters.
    """
    if short:
        return [lead_paragraph(rng, place, ledger) + sentence(rng, place, ledger)]
    target = int(rng.triangular(400, 3000, 800))
    paragraphs = [lead_paragraph(rng, place, ledger)]
    numbered_heading = rng.random() < 0.2  # "（一）" instead of "一、"
    for index, heading in enumerate(rng.sample(_HEADINGS, len(_CN_NUMERALS))):
        numeral = _CN_NUMERALS[index]
        paragraphs.append(f"（{numeral}）{heading}" if numbered_heading else f"{numeral}、{heading}")
        if rng.random() < 0.35:
            for point, measure in enumerate(rng.sample(_MEASURES, rng.randint(2, 4)), start=1):
                paragraphs.append(f"{point}.{measure}。" + sentence(rng, place, ledger))
        else:
            for _ in range(rng.randint(1, 3)):
                paragraphs.append("".join(sentence(rng, place, ledger) for _ in range(rng.randint(2, 4))))
        if sum(map(len, paragraphs)) >= target:
            break
    while sum(map(len, paragraphs)) > 3000:
        paragraphs.pop()
    if is_heading(paragraphs[-1]):
        paragraphs.pop()
    return paragraphs


def is_heading(paragraph: str) -> bool:
    """True for section headings such as "一、项目概况" or "（二）政策要点"."""
    return len(paragraph) <= 8 and (paragraph[:1] in _CN_NUMERALS or paragraph.startswith("（"))


def summary_of(paragraphs: list[str], limit: int) -> str:
    """The listing summary: the article run together, cut after the last full stop
    within ``limit`` characters."""
    text = " ".join(paragraphs)
    if len(text) <= limit:
        return text
    cut = text.rfind("。", 0, limit)
    return text[: cut + 1] if cut > 0 else text[:limit]


def near_copy(rng: random.Random, paragraphs: list[str], place: str, ledger: Ledger | None = None) -> list[str]:
    """A repost's body: identical, or with one sentence added or replaced."""
    copy = list(paragraphs)
    choice = rng.random()
    if choice < 0.4:
        return copy
    if choice < 0.7:
        copy[0] = copy[0] + sentence(rng, place, ledger)
        return copy
    index = max(range(len(copy)), key=lambda i: len(copy[i]))
    first, _, rest = copy[index].partition("。")
    copy[index] = sentence(rng, place, ledger) + rest if rest else first + "。" + sentence(rng, place, ledger)
    return copy


def edited(
    rng: random.Random, title: str, paragraphs: list[str], place: str, ledger: Ledger | None = None
) -> tuple[str, list[str]]:
    """An editor's revision: the title gains a phrase, the lead paragraph a sentence."""
    new_title = f"{title.rstrip()} {rng.choice(_EDIT_TAILS)}"
    return new_title, [paragraphs[0] + sentence(rng, place, ledger), *paragraphs[1:]]


def char_shingles(text: str, size: int = 5) -> set[str]:
    return {text[i : i + size] for i in range(max(1, len(text) - size + 1))}


def jaccard(a: str, b: str, size: int = 5) -> float:
    sa, sb = char_shingles(a, size), char_shingles(b, size)
    return len(sa & sb) / len(sa | sb)


def source_name(rng: random.Random) -> str:
    return rng.choice(_SOURCES)


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


_NOTICE = (
    "{site}面向各地招商部门、园区运营机构和研究人员征集招商动态、政策解读与产业分析类稿件，商业推广类内容暂不受理。",
    "来稿篇幅建议控制在{low}至{high}字，请以纯文本方式提交，图片另附。",
    "编辑部会在收到稿件后的{hours}小时内按收稿先后完成初审。",
    "我们可能根据栏目定位对稿件进行删节和修改，必要时向作者核实信息来源。",
    "稿件刊发时将署明来稿单位及作者，并通过邮件告知刊发链接。",
)
_RULE_INTRO = (
    "{site}持续完善信息发布管理制度，坚持依法依规运营，倡导文明理性表达，维护健康有序的网络环境。",
    "投稿人发布、转载或传播的内容须符合现行法律法规和有关规定，尊重社会公德和他人合法权益，"
    "保证信息真实准确。投稿人承诺不提交含有下列情形的内容：",
)
_RULE_ITEMS = (
    "违背宪法确立的基本原则", "危害国家安全或者泄露国家秘密", "损害国家荣誉和利益",
    "宣扬恐怖主义或者极端主义", "煽动民族仇恨、破坏民族团结", "煽动地域歧视",
    "宣扬邪教或者封建迷信", "编造传播虚假信息、扰乱经济和社会秩序", "含有暴力、赌博或者教唆犯罪内容",
    "侵害未成年人合法权益", "未经许可偷拍偷录他人", "危害网络安全或者利用网络实施违法活动",
    "侮辱诽谤他人", "对他人进行恐吓或者组织人肉搜索", "泄露他人隐私或者个人信息",
    "使用低俗粗鄙语言", "侵犯他人名誉权、肖像权或者知识产权", "夹带商业广告或者营销引流信息",
    "冒用他人名义或者提交虚假身份材料", "其他违反法律法规或者干扰{site}正常运营",
)
_LIABILITY = (
    "对违反本须知或者平台其他规则的行为，{site}有权视情节采取提醒、退稿、暂停发布、删除内容等处理措施，"
    "并可将处理结果予以公示；对涉嫌违法的行为，{site}将留存相关记录，依法向主管部门报告并配合调查。",
    "因投稿内容引发第三方投诉、索赔或者诉讼的，由投稿人自行处理并承担相应法律责任；"
    "{site}因此对外承担赔偿责任或者受到行政处罚的，投稿人应当全额赔偿{site}由此遭受的全部损失，"
    "包括但不限于赔偿金、罚款、律师费和诉讼费用。",
    "{site}尊重并保护法人和自然人的知识产权、名誉权、姓名权和隐私权。投稿人保证所提交的文字、图片、"
    "音视频和链接等材料不侵犯任何第三方的合法权益；{site}在收到权利人或者相关方的有效通知后，"
    "有权移除涉嫌侵权的内容，由此产生的争议和损失由投稿人承担。",
    "投稿人同意{site}在不改变原意的前提下对稿件进行编辑加工，并在{site}及其合作渠道展示、转载和推送；"
    "如需撤稿或者更正，投稿人应当通过原投稿邮箱提出申请，{site}将在核实后{days}个工作日内处理。",
    "本须知的解释、修订和执行适用中华人民共和国法律。{site}可根据法律法规变化和运营需要适时修订本须知，"
    "修订后的内容自发布之日起生效；投稿人继续投稿的，视为接受修订后的全部内容。",
)
# Further clauses (三、四、…) are assembled from these parts until the text is long enough.
_CLAUSE_SECTIONS = ("免责说明", "隐私保护", "稿件使用", "争议处理")
_CLAUSE_SUBJECTS = ("投稿人", "合作机构", "转载方", "注册用户", "园区运营单位")
_CLAUSE_DUTIES = (
    "应当确保提交材料来源合法、内容完整，并对其真实性负责",
    "不得利用投稿渠道上传与招商引资无关的推广信息或者恶意代码",
    "在引用统计数据时应当注明出处，并与权威部门发布的口径保持一致",
    "应当妥善保管账号和联系方式，因保管不善造成的后果由其自行承担",
    "如发现已刊发内容存在错误，应当及时联系编辑部提交更正说明",
    "转载{site}原创内容时应当注明出处和原文链接，不得歪曲篡改原意",
)
_CLAUSE_CONSEQUENCES = (
    "{site}对上述情形保留追究相关责任的权利。",
    "{site}将按照国家有关规定收集、存储和使用必要的个人信息，不会向无关第三方披露。",
    "由此产生的争议，双方应当友好协商；协商不成的，可向{site}运营方所在地人民法院提起诉讼。",
    "{site}仅提供信息发布服务，不对稿件中的投资判断和商业承诺作任何保证。",
)


def boilerplate(rng: random.Random, site: str = "产业园区网") -> Boilerplate:
    """The 投稿 notice and 内容规范/违约责任 text: deliberately longer than most articles,
    as on the live site, so that an extractor cannot pick "the longest text block"."""
    slots = {"site": f"“{site}”", "low": "1000", "high": str(rng.choice((2000, 2500, 3000))),
             "hours": str(rng.choice((24, 48, 72))), "days": str(rng.randint(3, 10))}
    notice = [f"{i}.{line.format(**slots)}" for i, line in enumerate(_NOTICE, start=1)]
    rules = [f"一、{site}投稿内容规范"]
    rules += [f"1.{i}{line.format(**slots)}" for i, line in enumerate(_RULE_INTRO, start=1)]
    rules += [f"{i}）{item.format(**slots)}的；" for i, item in enumerate(_RULE_ITEMS, start=1)]
    rules.append("二、违约责任")
    rules += [f"2.{i}{line.format(**slots)}" for i, line in enumerate(_LIABILITY, start=1)]
    target = rng.randint(3300, 3800)
    for section, name in enumerate(_CLAUSE_SECTIONS, start=3):
        rules.append(f"{_CN_NUMERALS[section - 1]}、{name}")
        for clause in range(1, 9):
            duty = rng.choice(_CLAUSE_DUTIES).format(**slots)
            consequence = rng.choice(_CLAUSE_CONSEQUENCES).format(**slots)
            rules.append(f"{section}.{clause}{rng.choice(_CLAUSE_SUBJECTS)}{duty}；{consequence}")
            if sum(map(len, notice + rules)) >= target:
                return Boilerplate(notice=notice, rules=rules)
    return Boilerplate(notice=notice, rules=rules)
