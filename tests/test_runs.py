"""parknews runs: the crawl history and one run's errors."""

from __future__ import annotations

import json


def test_runs_newest_first_with_durations(run_cli, archive_path):
    code, out, _ = run_cli("runs", "--db", archive_path, "--json")
    runs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in runs] == [2, 1]
    assert runs[0]["seconds"] == 125 and runs[1]["seconds"] == 750
    assert (runs[0]["new"], runs[0]["changed"], runs[0]["unchanged"], runs[0]["errors"]) == (2, 1, 27, 2)
    code, out, _ = run_cli("runs", "--db", archive_path)
    assert code == 0 and "2m05s" in out and "incremental" in out


def test_errors_of_a_run(run_cli, archive_path):
    code, out, _ = run_cli("runs", "--errors", "2", "--db", archive_path, "--json")
    errors = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [e["reason"] for e in errors] == ["HTTP 503", "timeout"]
    assert run_cli("runs", "--errors", "1", "--db", archive_path, "--json")[1] == ""
    code, _, err = run_cli("runs", "--errors", "7", "--db", archive_path)
    assert code == 2 and "no crawl run 7" in err
