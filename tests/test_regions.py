from __future__ import annotations

import csv
from pathlib import Path

import pytest

from normalize.regions import DATA_DIR, Region, resolve_region

GOLDEN = Path(__file__).parent / "golden" / "regions.tsv"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


CASES = read_tsv(GOLDEN)


def test_golden_table_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[f"{c['tag']}|{c['region_raw']}" for c in CASES])
def test_golden(case: dict[str, str]) -> None:
    places = (case[k] or None for k in ("province", "city", "district", "zone", "adcode"))
    expected = Region(*places, known_tag=case["known_tag"] == "1")
    assert resolve_region(case["tag"] or None, case["region_raw"] or None) == expected


@pytest.mark.parametrize(
    "tag, adcode",
    [
        ("湖北省", "420000"),
        ("武汉市", "420100"),
        ("汉阳区", "420105"),
        ("宜昌市", "420500"),
        ("襄阳市", "420600"),
        ("黄陂区", "420116"),
        ("江夏区", "420115"),
        ("东西湖区", "420112"),
    ],
)
def test_official_codes(tag: str, adcode: str) -> None:
    assert resolve_region(tag, None).adcode == adcode


def test_chaoyang_in_beijing() -> None:
    assert resolve_region("朝阳区", "北京") == Region("北京市", "北京市", "朝阳区", None, "110105", known_tag=True)


def test_unknown_tag_keeps_region_raw_and_is_reported() -> None:
    unknown = resolve_region("某某", "湖北-武汉")
    assert unknown == resolve_region(None, "湖北-武汉")
    assert unknown.adcode == "420100" and not unknown.known_tag
    assert resolve_region("某某", None) == Region()


def test_inputs_are_trimmed_and_separators_tolerated() -> None:
    expected = resolve_region("汉阳", "湖北-武汉")
    assert resolve_region(" 汉阳 ", "湖北 － 武汉") == expected
    assert resolve_region("汉阳", "湖北/武汉") == expected


def test_adcodes_table_is_nationwide_and_consistent() -> None:
    rows = read_tsv(DATA_DIR / "adcodes.tsv")
    by_code = {r["adcode"]: r for r in rows}
    levels = [r["level"] for r in rows]
    assert levels.count("province") == 34
    assert levels.count("district") > 2800
    assert len(by_code) == len(rows)
    for r in rows:
        assert len(r["adcode"]) == 6 and r["adcode"].isdigit()
        assert (r["parent"] == "") == (r["level"] == "province")
        if r["parent"]:
            assert by_code[r["parent"]]["level"] in ("province", "city")
            assert r["adcode"][:2] == r["parent"][:2]


def test_every_zone_points_at_a_known_code() -> None:
    codes = {r["adcode"] for r in read_tsv(DATA_DIR / "adcodes.tsv")}
    zones = read_tsv(DATA_DIR / "zones.tsv")
    assert {z["adcode"] for z in zones} <= codes
    assert len({z["alias"] for z in zones}) == len(zones)
    for zone in {z["zone"] for z in zones}:
        assert resolve_region(zone, None).zone == zone
