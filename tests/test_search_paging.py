"""parknews search returns every match when asked, says how many there are and how they are
ranked, takes a leading -word and lower-case operators, and caps the query length."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archive import fts
from archive.db import open_archive
from archive.errors import UsageError
from archive.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, RANK_WINDOW, parse_query
from tests.conftest import make_articles

MANY = RANK_WINDOW + 600  # articles holding 招商引资: more than the ranking window


@pytest.fixture(scope="module")
def many_path(tmp_path_factory):
    """An archive of MANY articles (from the synthetic ones) that all hold 招商引资, plus 40 that do not."""
    template = make_articles(50)
    rows = []
    for n in range(MANY + 40):
        article = dict(template[n % 49], detail_id=100_000 + n, duplicate_of=None,
                       url=f"https://hubei.010b.com/info/detail/{100_000 + n}.html")
        if n >= MANY:
            article.update(title="园区新闻", summary="园区动态。", body=f"园区第{n}期动态，企业服务持续优化。")
        else:
            article["body"] = f"第{n}期：招商引资工作稳步推进。" + article["body"]
        rows.append(article)
    path = tmp_path_factory.mktemp("many") / "archive.db"
    db = open_archive(path)
    with db.conn:
        fts.index_articles(db, rows)
        db["articles"].insert_all(rows)
    db.conn.close()
    return str(path)


def search_json(run_cli, path, *args):
    code, out, err = run_cli("search", *args, "--db", path, "--json")
    assert code == 0, err
    meta, *hits = [json.loads(line) for line in out.splitlines()]
    return meta, hits


def test_every_match_when_asked_with_the_total(run_cli, many_path):
    meta, hits = search_json(run_cli, many_path, "招商引资", "--all")
    assert meta["total"] == MANY == len(hits) == len({h["detail_id"] for h in hits})
    assert "newest 2,000" in meta["ranking"]  # the window rule, said where it applies
    meta, limited = search_json(run_cli, many_path, "招商引资", "--limit", "100000")
    assert len(limited) == MANY and meta["shown"] == MANY


def test_pages_with_offset_join_up_to_the_whole(run_cli, many_path):
    _, everything = search_json(run_cli, many_path, "招商引资", "--all")
    pages = []
    for offset in range(0, MANY, 700):  # pages that straddle the ranking window
        meta, page = search_json(run_cli, many_path, "招商引资", "--limit", "700", "--offset", str(offset))
        assert meta["offset"] == offset and meta["total"] == MANY
        pages += page
    assert [h["detail_id"] for h in pages] == [h["detail_id"] for h in everything]
    _, past_the_end = search_json(run_cli, many_path, "招商引资", "--offset", str(MANY))
    assert past_the_end == []


def test_a_few_matches_are_ranked_whole_and_say_so(run_cli, many_path):
    meta, hits = search_json(run_cli, many_path, "动态")
    assert meta["total"] == 40 and len(hits) == 20 and meta["ranking"] == "ranked by relevance (bm25)"


def test_pipe_output_counts_on_stderr_and_carries_id_and_url(many_path):
    result = subprocess.run([sys.executable, "-m", "cli", "search", "招商引资", "--db", many_path, "--limit", "5"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{MANY:,} articles match" in result.stderr and "newest 2,000" in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    for line in lines:
        detail_id, _, _, _, url, snippet = line.split("\t")
        assert url.endswith(f"/{detail_id}.html") and "[招商引资]" in snippet


@pytest.mark.parametrize("args", [["-光谷", "招商引资"], ["--", "-光谷", "招商引资"], ["招商引资", "-光谷"],
                                  ["招商引资 not 光谷"], ["招商引资", "NOT", "光谷"]])  # fmt: skip
def test_excluding_a_word_written_first_or_with_not(run_cli, archive_path, containing, args):
    code, out, err = run_cli("search", "--db", archive_path, "--json", "--all", *args)
    assert code == 0, err
    hits = {json.loads(line)["detail_id"] for line in out.splitlines()[1:]}
    assert hits == containing("招商引资") - containing("光谷") and hits


def test_lower_case_or_is_the_operator_and_a_quoted_one_a_word(run_cli, archive_path, containing):
    code, out, _ = run_cli("search", "光谷 or 汉阳", "--db", archive_path, "--json", "--all")
    assert {json.loads(line)["detail_id"] for line in out.splitlines()[1:]} == containing("光谷") | containing("汉阳")
    assert parse_query('光谷 "or"').match == '(("光谷") AND ("or"))'
    assert parse_query("光谷 And 汉阳").terms == ("光谷", "And", "汉阳")  # mixed case: a word


@pytest.mark.parametrize("args", [["--lmit", "3", "光谷"], ["光谷", "--limt=3"], ["--regin", "武汉", "光谷"]])
def test_a_mistyped_long_option_is_an_error_not_a_word(run_cli, archive_path, args):
    code, out, err = run_cli("search", "--db", archive_path, *args)
    assert code == 2 and "no such option" in err and out == ""


@pytest.mark.parametrize("bad", ["光谷 not", "not 光谷", "光谷 or -汉阳", "光谷 or not 汉阳", "光谷 not not 汉阳", "-光谷"])
def test_misplaced_operators_are_refused(bad):
    with pytest.raises(UsageError):
        parse_query(bad)


@pytest.mark.parametrize("query", [" ".join(["光谷"] * (MAX_QUERY_WORDS + 1)), "光" * (MAX_QUERY_CHARS + 1),
                                   " ".join(["光谷"] * 10_000)])  # fmt: skip
def test_long_queries_are_refused_in_one_line(run_cli, archive_path, query):
    code, _, err = run_cli("search", query, "--db", archive_path)
    assert code == 2 and "at most" in err and "\n" not in err.strip()


def test_longest_accepted_query_still_answers(run_cli, archive_path):
    query = " ".join(["招商引资"] * MAX_QUERY_WORDS)
    assert run_cli("search", query, "--db", archive_path)[0] == 0


def test_terminal_table_shows_the_total_and_the_window_rule(many_path):
    import os
    import pty

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "LINES": "50", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "cli", "search", "招商引资", "--db", many_path, "--limit", "3"],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=env)  # fmt: skip
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    os.close(main)
    text = output.decode("utf-8", "replace")
    assert f"{MANY:,} articles match 招商引资; 1–3 shown" in text
    assert "newest 2,000 are ranked" in text and "https://hubei.010b.com/info/detail/" in text  # titles link


@pytest.mark.parametrize("args", [["search", "\udcff\udcfe光谷"], ["search", "光谷", "--region", "\udcff"],
                                  ["export", "-o", "{tmp}/a.csv", "--where", "city = '\udcff'"],
                                  ["stats", "--where", "city = '\udcff'"]])  # fmt: skip
def test_text_that_is_not_utf8_is_refused_in_one_line(archive_path, tmp_path, args):
    """Argv bytes a GBK terminal sends reach Python as lone surrogates."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run([sys.executable, "-m", "cli", *args, "--db", archive_path],
                            capture_output=True, text=True, errors="surrogateescape", timeout=60)  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "not UTF-8" in result.stderr and "\\xff" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
