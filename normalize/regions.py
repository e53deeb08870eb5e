"""Resolve an article's region to official names and a 6-digit administrative code.

Two sources name the place: the title's tag (the X of 【X招商】) and the detail page's
所属地区 (``湖北-武汉``). How they combine:

- When they agree (one lies inside the other), the more specific one wins:
  tag 汉阳 + 湖北-武汉 -> 汉阳区; tag 湖北 + 湖北-武汉 -> 武汉市.
- When they disagree (tag 宜昌, 所属地区 湖北-武汉), the tag wins if it names one place:
  it is the article's subject, while 所属地区 is often just the listing's home region.
  Except a district named without its suffix in another province (东湖 is 南昌's 东湖区,
  but in a 武汉 article it is the lake or the zone): too weak to overrule 所属地区.
- A name several places share (鼓楼区, 朝阳) is narrowed to those inside the other source;
  what is still ambiguous resolves to the level all remaining places have in common
  (鼓楼 + 江苏 -> 江苏省), or to nothing that the tag would add.
- Functional zones (东湖高新区, 光谷) come from ``data/zones.tsv``: ``zone`` gets the
  canonical name; the codes are those of the district holding the zone, or of the city
  (or province) when the zone straddles districts.
- A municipality's province and city share a name: 北京 -> 北京市/北京市, adcode 110100.
- In 所属地区 each part lies strictly inside the one before: a name repeated one level down
  is the place of that name at the next level (吉林-吉林 -> 吉林市 220200; 湖北-荆州-荆州 ->
  荆州区 421003), never the same place again.

All facts live in ``data/`` (see its README.md); this module only reads them.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

# 所属地区 separates its levels with a hyphen; allow the other dashes and spaces people type.
_RAW_SEPARATORS = re.compile(r"[-－—–/>\s]+")


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    district: str | None = None
    zone: str | None = None
    adcode: str | None = None
    known_tag: bool = False  # a tag was given and names a place or zone we know (maybe ambiguously)


@dataclass(frozen=True)
class _Place:
    name: str
    level: str  # province | city | district
    lineage: tuple[str, ...]  # adcodes from the province down to this place


@dataclass(frozen=True)
class _Match:
    """What one name denotes: the places it may be, and the zone it is, if any."""

    adcodes: tuple[str, ...]
    zone: str | None = None
    weak: bool = False  # only a district's short form (东湖 for 东湖区) matched


class _Gazetteer:
    def __init__(self, data_dir: Path) -> None:
        rows = _read_tsv(data_dir / "adcodes.tsv")
        parents = {r["adcode"]: r["parent"] for r in rows}
        self.places = {
            r["adcode"]: _Place(r["name"], r["level"], _lineage(r["adcode"], parents)) for r in rows
        }
        full: dict[str, list[str]] = {}
        short: dict[str, list[str]] = {}
        for r in rows:
            full.setdefault(r["name"], []).append(r["adcode"])
            if r["short"]:
                short.setdefault(r["short"], []).append(r["adcode"])
        # A full name (汉阳区) never means the place whose short form it happens to be.
        self.names = {name: _Match(tuple(codes)) for name, codes in full.items()}
        for name, codes in short.items():
            weak = all(self.places[code].level == "district" for code in codes)
            self.names.setdefault(name, _Match(tuple(codes), weak=weak))
        self.municipal_city = {
            r["parent"]: r["adcode"]
            for r in rows
            if r["level"] == "city" and r["name"] == self.places[r["parent"]].name
        }
        self.zones = {r["alias"]: _Match((r["adcode"],), r["zone"]) for r in _read_tsv(data_dir / "zones.tsv")}

    def match(self, name: str) -> _Match:
        return self.zones.get(name) or self.names.get(name) or _Match(())

    def within(self, inner: str, outer: str) -> bool:
        return outer in self.places[inner].lineage

    def common(self, adcodes: tuple[str, ...] | list[str]) -> str | None:
        """The most specific place containing all ``adcodes``, or None."""
        shared: str | None = None
        for level in zip(*(self.places[code].lineage for code in adcodes)):
            if len(set(level)) > 1:
                break
            shared = level[0]
        return shared

    def region(self, adcode: str | None, zone: str | None, known_tag: bool) -> Region:
        if adcode is None:
            return Region(zone=zone, known_tag=known_tag)
        adcode = self.municipal_city.get(adcode, adcode)
        names = {self.places[code].level: self.places[code].name for code in self.places[adcode].lineage}
        return Region(names.get("province"), names.get("city"), names.get("district"), zone, adcode, known_tag)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _lineage(adcode: str, parents: dict[str, str]) -> tuple[str, ...]:
    chain = [adcode]
    while parents[chain[-1]]:
        chain.append(parents[chain[-1]])
    return tuple(reversed(chain))


@functools.cache
def _gazetteer() -> _Gazetteer:
    return _Gazetteer(DATA_DIR)


def resolve_region(region_tag: str | None, region_raw: str | None) -> Region:
    """Resolve the title tag and 所属地区 to a Region (see the module docstring for the rules).

    A tag that names no known place is ignored: the Region then comes from 所属地区 alone,
    with ``known_tag`` False so that the pipeline can count such tags.
    """
    return _resolve((region_tag or "").strip(), (region_raw or "").strip())


@functools.lru_cache(maxsize=8192)
def _resolve(tag: str, raw: str) -> Region:
    gaz = _gazetteer()
    base, raw_zone = _resolve_raw(gaz, raw)
    tag_match = gaz.match(tag) if tag else _Match(())
    adcode = _combine(gaz, base, tag_match)
    zone = tag_match.zone
    if zone is None and raw_zone is not None and adcode is not None:
        zone_code = gaz.zones[raw_zone].adcodes[0]
        if gaz.within(adcode, zone_code) or gaz.within(zone_code, adcode):
            zone = gaz.zones[raw_zone].zone
    return gaz.region(adcode, zone, known_tag=bool(tag_match.adcodes))


def _resolve_raw(gaz: _Gazetteer, raw: str) -> tuple[str | None, str | None]:
    """Walk 所属地区 from the widest part down, each part read inside the previous one.

    Returns the most specific place found and the alias of a zone it named, if any.
    Unknown parts are skipped rather than failing the whole value.
    """
    current: str | None = None
    zone_alias: str | None = None
    for part in filter(None, _RAW_SEPARATORS.split(raw)):
        match = gaz.match(part)
        # Each part names a place strictly inside the previous one: 吉林-吉林 is 吉林市 in
        # 吉林省, 湖北-荆州-荆州 is 荆州区 in 荆州市 (a repeated name is the next level down).
        # (A zone may share its city's code: it is no repeated name.)
        codes = [
            c
            for c in match.adcodes
            if current is None or ((c != current or match.zone is not None) and gaz.within(c, current))
        ]
        found = gaz.common(codes) if codes else None
        if found is not None:
            current = found
            zone_alias = part if match.zone else zone_alias
    return current, zone_alias


def _combine(gaz: _Gazetteer, base: str | None, tag: _Match) -> str | None:
    tag_codes = tag.adcodes
    if not tag_codes:
        return base
    if base is None:
        return gaz.common(tag_codes)
    inside = [code for code in tag_codes if gaz.within(code, base)]
    if inside:
        return gaz.common(inside)
    if any(gaz.within(base, code) for code in tag_codes):
        return base
    # The sources disagree: the tag wins when it pins one place (or one common area).
    province = gaz.places[base].lineage[0]
    if tag.weak and not any(gaz.within(code, province) for code in tag_codes):
        return base
    return gaz.common(tag_codes) or base
