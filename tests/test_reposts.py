from __future__ import annotations

import itertools
import random
import unicodedata

import numpy as np
import pytest
import sqlite_utils
from datasketch import MinHash

from archive.reposts import _NOT_LETTERS, MIN_CHARS, NUM_PERM, MinHasher, RepostIndex, jaccard, letters, shingle_hashes

# Generated text: investment-promotion vocabulary, so unrelated articles still share words.
SUBJECTS = ["武汉市", "汉阳区", "东湖高新区", "市金融局", "各商业银行", "区政府", "担保机构", "园区管委会"]
VERBS = ["推出", "设立", "扩大", "优化", "落实", "签约", "引进", "完善"]
OBJECTS = [
    "小微企业融资专项贷款", "招商引资重点项目", "产业引导基金", "普惠金融服务平台", "信用贷款风险补偿机制",
    "营商环境评价体系", "首贷续贷服务中心", "科技型企业培育计划", "融资担保费用补贴", "银企对接长效机制",
]
TAILS = ["覆盖企业{n}家", "规模达到{n}亿元", "同比增长{n}%", "累计服务{n}户", "审批时限压缩至{n}天"]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(n=rng.randint(2, 999))
    return f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{tail}。"


def article(seed: int, chars: int = 1500) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(sentence(rng))
    return "".join(parts)


def shingle_set(body: str) -> np.ndarray:
    return np.unique(shingle_hashes(body))


ARTICLES = "CREATE TABLE articles (detail_id INTEGER PRIMARY KEY, published_date TEXT, body TEXT, duplicate_of INTEGER)"


def new_index(db: sqlite_utils.Database | None = None) -> RepostIndex:
    if db is None:
        db = sqlite_utils.Database(memory=True)
        db.execute(ARTICLES)
    index = RepostIndex(db)
    index.ensure_tables()
    return index


@pytest.fixture
def db() -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    db.execute(ARTICLES)
    return db


@pytest.fixture
def index(db: sqlite_utils.Database) -> RepostIndex:
    return new_index(db)


def add(index: RepostIndex, detail_id: int, published_date: str | None, body: str) -> list[tuple[int, int | None]]:
    """Store the article, then index it, as the archive writer does."""
    index.db.execute(
        "INSERT OR REPLACE INTO articles (detail_id, published_date, body) VALUES (?, ?, ?)", [detail_id, published_date, body]
    )
    return index.add(detail_id, published_date, body)


def add_all(index: RepostIndex, rows: list[tuple[int, str | None, str]]) -> dict[int, int | None]:
    """Add rows in order, applying every returned assignment as the pipeline would."""
    marks: dict[int, int | None] = {}
    for row in rows:
        marks.update(add(index, *row))
    return marks


def test_identical_body_points_to_the_earlier_copy(index: RepostIndex) -> None:
    body = article(1)
    assert add(index, 10, "2025-07-10", body) == [(10, None)]
    assert add(index, 11, "2025-07-23", body) == [(11, 10)]


def test_one_changed_sentence_is_still_a_repost(index: RepostIndex) -> None:
    body = article(2)
    first = body.index("。") + 1
    edited = body[:first] + "相关部门表示下一步将继续加大政策支持力度。" + body[body.index("。", first) + 1 :]
    assert edited != body
    add_all(index, [(1, "2025-01-01", body)])
    assert add(index, 2, "2025-01-02", edited) == [(2, 1)]


def test_spacing_and_full_or_half_width_punctuation_do_not_matter(index: RepostIndex) -> None:
    body = article(3).replace("家", "家（ＡＢ１２）")
    respaced = body.replace("。", ". ").replace("，", ",\n").replace("（", "(").replace("）", ")")
    halfwidth = respaced.replace("ＡＢ１２", "AB12")
    add_all(index, [(1, "2025-01-01", body), (2, "2025-01-02", respaced)])
    assert add(index, 3, "2025-01-03", halfwidth) == [(3, 1)]
    assert np.array_equal(shingle_hashes(body), shingle_hashes(halfwidth))


def test_letters_equal_nfkc_without_punctuation_on_any_text() -> None:
    # The site's own mix, plus characters that only NFKC of the whole text handles right:
    # combining marks, Hangul jamo that compose, expansions (㈠, ①, ㎡), astral ideographs.
    special = (0x301, 0x323, 0x1100, 0x1161, 0x11A8, 0x3131, 0x314F, 0xAC00, 0x3220, 0x2460, 0x33A1, 0xFB01, 0xFF9E, 0x20000)
    pool = list("招商引资，。、：；“”（）《》！？·—…　 \n\t,.:;()!?-_ＡＺａｚ０９AZaz09") + [chr(c) for c in special]
    rng = random.Random(0)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        expected = _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", text))
        assert "".join(map(chr, letters(text).tolist())) == expected, repr(text)


def test_different_articles_on_the_same_topic_are_not_marked(index: RepostIndex) -> None:
    bodies = [article(seed) for seed in range(100, 120)]
    sets = [shingle_set(b) for b in bodies]
    # The shared vocabulary makes them overlap, just far below the threshold.
    assert 0.05 < max(jaccard(a, b) for a, b in itertools.combinations(sets, 2)) < 0.9
    marks = add_all(index, [(i, "2025-07-22", b) for i, b in enumerate(bodies)])
    assert set(marks.values()) == {None}


def edited(body: str, edits: int, rng: random.Random) -> str:
    chars = list(body)
    for position in rng.sample(range(len(chars)), edits):
        chars[position] = rng.choice("甲乙丙丁戊己庚辛壬癸")
    return "".join(chars)


def test_every_pair_at_or_above_the_threshold_is_marked_and_none_below() -> None:
    rng = random.Random(5)
    above, below = [], []
    while len(above) < 100 or len(below) < 100:
        original = article(rng.randrange(10**6))
        copy = edited(original, rng.randint(8, 30), rng)
        similarity = jaccard(shingle_set(original), shingle_set(copy))
        if 0.9 <= similarity < 0.93:
            above.append((original, copy))
        elif 0.85 <= similarity < 0.9:
            below.append((original, copy))
    for pairs, are_copies in ((above[:100], True), (below[:100], False)):
        rows = [(2 * i + k, "2025-01-01", body) for i, pair in enumerate(pairs) for k, body in enumerate(pair)]
        marks = add_all(new_index(), rows)
        assert [marks[2 * i + 1] for i in range(len(pairs))] == [2 * i if are_copies else None for i in range(len(pairs))]


def test_short_bodies_are_never_marked(index: RepostIndex) -> None:
    stub = "详情请见附件。" * 3
    assert len(stub) < MIN_CHARS
    marks = add_all(index, [(1, "2025-01-01", stub), (2, "2025-01-02", stub)])
    assert marks == {1: None, 2: None}


def test_earliest_date_wins_then_smallest_id_and_undated_last(index: RepostIndex) -> None:
    body = article(4)
    marks = add_all(index, [(5, None, body), (7, "2025-03-01", body), (6, "2025-03-01", body)])
    assert marks == {5: 6, 6: None, 7: 6}


def test_an_earlier_newcomer_becomes_the_root_and_repoints_the_cluster(index: RepostIndex) -> None:
    body = article(5)
    add_all(index, [(20, "2025-07-01", body), (21, "2025-07-02", body)])
    assert sorted(add(index, 30, "2024-12-31", body)) == [(20, 30), (21, 30), (30, None)]


def test_marks_do_not_depend_on_insertion_order() -> None:
    story_a, story_b = article(6), article(7)
    rows = [
        (1, "2025-02-01", story_a),
        (2, "2025-01-15", story_a + "记者报道。"),
        (3, None, story_a),
        (4, "2025-03-01", story_b),
        (5, "2025-03-01", story_b),
        (6, "2025-01-01", article(8)),
    ]
    expected = {1: 2, 2: None, 3: 2, 4: None, 5: 4, 6: None}
    for order in itertools.islice(itertools.permutations(rows), 0, 720, 37):
        assert add_all(new_index(), list(order)) == expected


def test_bridging_article_merges_two_clusters(index: RepostIndex) -> None:
    # A and C are not copies of each other; B is close to both, so all three are one story.
    body = article(9, chars=3000)
    cut = len(body) // 18
    a, b, c = body[: -2 * cut], body[cut:-cut], body[2 * cut :]
    sets = {k: shingle_set(v) for k, v in dict(a=a, b=b, c=c).items()}
    assert jaccard(sets["a"], sets["c"]) < 0.9 <= min(jaccard(sets["a"], sets["b"]), jaccard(sets["b"], sets["c"]))
    marks = add_all(index, [(3, "2025-01-03", c), (1, "2025-01-01", a)])
    assert marks == {3: None, 1: None}
    marks.update(add(index, 2, "2025-01-02", b))
    assert marks == {1: None, 2: 1, 3: 1}


def test_re_adding_a_changed_body_splits_its_cluster(index: RepostIndex) -> None:
    body = article(10)
    add_all(index, [(1, "2025-01-01", body), (2, "2025-01-02", body), (3, "2025-01-03", body)])
    assert sorted(add(index, 1, "2025-01-01", article(11))) == [(1, None), (2, None), (3, 2)]


def test_a_second_index_on_the_same_file_finds_an_old_copy(tmp_path) -> None:
    path = tmp_path / "archive.db"
    body = article(12)
    first = sqlite_utils.Database(path)
    first.execute(ARTICLES)
    index = RepostIndex(first)
    index.ensure_tables()
    with first.conn:
        add(index, 100, "2025-07-10", body)
    first.close()

    again = RepostIndex(sqlite_utils.Database(path))
    again.ensure_tables()
    assert add(again, 200, "2025-07-23", body) == [(200, 100)]


def test_signatures_of_an_earlier_scheme_are_re_indexed(db: sqlite_utils.Database) -> None:
    body = article(16)
    db["articles"].insert_all([{"detail_id": i, "published_date": "2025-01-01", "body": body} for i in (1, 2)])
    RepostIndex(db)._create_tables()
    db.execute("INSERT INTO repost_signatures VALUES (1, '2025-01-01', 1, ?)", [bytes(4 * 128)])
    RepostIndex(db).ensure_tables()
    assert [r["duplicate_of"] for r in db["articles"].rows] == [None, 1]
    assert {length for (length,) in db.execute("SELECT length(signature) FROM repost_signatures")} == {4 * NUM_PERM}


def test_rebuild_marks_articles_like_incremental_adds(db: sqlite_utils.Database, index: RepostIndex) -> None:
    story = article(13)
    rows = [(1, "2025-05-01", story), (2, "2025-04-01", story), (3, "2025-04-01", article(14)), (4, None, "短讯")]
    db["articles"].insert_all([{"detail_id": i, "published_date": d, "body": b, "duplicate_of": 999} for i, d, b in rows])
    assert index.rebuild() == 1
    marks = {r["detail_id"]: r["duplicate_of"] for r in db["articles"].rows}
    assert marks == {1: 2, 2: None, 3: None, 4: None}
    assert index.rebuild() == 1  # idempotent: it starts over


def test_signatures_equal_datasketch_minhash() -> None:
    hashes = shingle_hashes(article(15))
    reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(MinHasher().signature(hashes), reference.hashvalues)
