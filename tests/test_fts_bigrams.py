"""The indexed text: bigram_text (built with numpy for speed) gives the tokens, in order, that
joining each Han run's bigrams does (the rule the index has always had, and the rule
query_phrase follows), on every kind of text; and an index built with it finds, and forgets,
what one built by the plain rule does."""

from __future__ import annotations

import random
import sqlite3

import pytest

from archive import fts


def reference_tokens(text: str) -> list[str]:
    """The rule written plainly: each Han run as its bigrams then its last character alone."""
    parts = fts.HAN_RUN.split(fts._fold_width(text or ""))
    tokens = []
    for index, part in enumerate(parts):
        if index % 2:  # a Han run
            tokens += [a + b for a, b in zip(part, part[1:])] + [part[-1]]
        else:
            tokens += part.split()
    return tokens


ALPHABET = (
    list("融资环境光谷汉阳招商引资项目") + ["\U00020000", "\U00031340", "\u3400", "\u4dbf", "\uf900", "\u9fff"]
    + list("ab Z9 \n\t，。、【】()") + ["\u3000", "\u00a0", "\u200b", "\ufeff", "５", "Ｇ", "\u4e00"]
)  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_same_tokens_as_the_plain_rule(seed):
    rng = random.Random(seed)
    for _ in range(50):
        text = "".join(rng.choices(ALPHABET, k=rng.randint(0, 60)))
        assert fts.bigram_text(text).split() == reference_tokens(text), repr(text)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("", []),
        ("融", ["融"]),
        ("融资环境", ["融资", "资环", "环境", "境"]),
        ("3000亿元 5G", ["3000", "亿元", "元", "5G"]),
        ("【武汉招商】光谷", ["【", "武汉", "汉招", "招商", "商", "】", "光谷", "谷"]),
        ("x融y", ["x", "融", "y"]),
        ("\U00020000\U00020001", ["\U00020000\U00020001", "\U00020001"]),
    ],
)
def test_examples(text, tokens):
    assert fts.bigram_text(text).split() == tokens


def test_index_finds_and_forgets_as_the_plain_rule(tmp_path):
    """Rows indexed by bigram_text, deleted by the plain rule's text (an archive indexed
    before), leave nothing behind; phrase queries find what the plain rule's index finds."""
    rng = random.Random(7)
    texts = ["".join(rng.choices(ALPHABET, k=80)) for _ in range(200)]
    conn = sqlite3.connect(tmp_path / "fts.db")
    for name in ("fast", "plain"):
        conn.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(body, tokenize='unicode61', content='')")
    conn.executemany("INSERT INTO fast(rowid, body) VALUES (?, ?)", [(i, fts.bigram_text(t)) for i, t in enumerate(texts)])
    conn.executemany("INSERT INTO plain(rowid, body) VALUES (?, ?)",
                     [(i, " ".join(reference_tokens(t))) for i, t in enumerate(texts)])  # fmt: skip
    for word in ["融资", "资环境", "光谷", "招", "Z9", "汉阳招商"]:
        phrase = fts.query_phrase(word)
        found = [conn.execute(f"SELECT rowid FROM {name} WHERE {name} MATCH ? ORDER BY rowid", [phrase]).fetchall()
                 for name in ("fast", "plain")]  # fmt: skip
        assert found[0] == found[1]
    conn.executemany("INSERT INTO fast(fast, rowid, body) VALUES ('delete', ?, ?)",
                     [(i, " ".join(reference_tokens(t))) for i, t in enumerate(texts)])  # fmt: skip
    conn.execute("INSERT INTO fast(fast) VALUES ('integrity-check')")
    assert conn.execute("SELECT count(*) FROM fast WHERE fast MATCH ?", [fts.query_phrase("融")]).fetchone()[0] == 0
