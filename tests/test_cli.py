"""The `newsdesk` command as a user runs it: a real process, real model, real index."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import BLINKEN_ARTICLE
from tests.processes import newsdesk_environment


def newsdesk(*args: str, index: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        env=newsdesk_environment(NEWSDESK_INDEX_PATH=str(index), **env),
        timeout=300,
    )


def test_ingest_list_show_delete(tmp_path: Path, seeds_dir: Path):
    index = tmp_path / "index"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "good", "text": "A good line."}\n{oops\n')

    first = newsdesk("ingest", str(seeds_dir), str(bad), index=index)
    assert first.returncode == 1, first.stderr
    assert f"error: {bad}:2: malformed JSON" in first.stderr
    assert "articles: 4 new, 0 unchanged, 0 updated, 1 failed" in first.stdout

    again = newsdesk("ingest", "--quiet", str(seeds_dir), index=index)
    assert again.returncode == 0
    assert "0 new, 3 unchanged, 0 updated, 0 failed; passages written: 0" in again.stdout

    listed = newsdesk("articles", "--from", "2023-01-01", index=index)
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == 2 and BLINKEN_ARTICLE in listed.stdout

    shown = newsdesk("show", BLINKEN_ARTICLE, index=index)
    assert '"source": "The Financial Times"' in shown.stdout

    assert newsdesk("delete", BLINKEN_ARTICLE, index=index).returncode == 0
    missing = newsdesk("delete", BLINKEN_ARTICLE, index=index)
    assert missing.returncode == 1 and "no article with id" in missing.stderr
    assert BLINKEN_ARTICLE not in newsdesk("articles", index=index).stdout


def test_misspelt_setting_and_bad_usage_exit_2(tmp_path: Path):
    misspelt = newsdesk("articles", index=tmp_path, NEWSDESK_INDEX_PAHT="x")
    assert misspelt.returncode == 2
    assert (
        "unknown setting NEWSDESK_INDEX_PAHT (did you mean NEWSDESK_INDEX_PATH?)" in misspelt.stderr
    )
    reversed_range = newsdesk(
        "articles", "--from", "2023-01-01", "--to", "2022-01-01", index=tmp_path
    )
    assert reversed_range.returncode == 2 and "--from is after --to" in reversed_range.stderr


def test_unreachable_chroma_server_exits_3(tmp_path: Path):
    result = newsdesk("articles", index=tmp_path, NEWSDESK_CHROMA_URL="http://127.0.0.1:9")
    assert result.returncode == 3
    assert "cannot use the index" in result.stderr and "Traceback" not in result.stderr


def test_search_and_ask(tmp_path: Path, seeds_dir: Path):
    index = tmp_path / "index"
    assert newsdesk("ingest", "--quiet", str(seeds_dir), index=index).returncode == 0

    found = newsdesk("search", "COVAX vaccine doses", "-k", "2", index=index)
    assert found.returncode == 0
    assert found.stdout.startswith(
        "[1] Senior Chinese and US officials may meet next week in Alaska"
    )

    answered = newsdesk("ask", "How many vaccine doses did China pledge to COVAX?", index=index)
    assert answered.returncode == 0, answered.stderr
    assert "10 million" in answered.stdout and "[1]" in answered.stdout
    assert "Sources:\n[1] Senior Chinese and US officials" in answered.stdout

    unanswered = newsdesk("ask", "Who won the football World Cup final?", index=index)
    assert unanswered.stdout.strip() == "The articles don't say."
    assert "not answered by the articles" in unanswered.stderr

    assert newsdesk("ask", "x", "-k", "0", index=index).returncode == 2

    briefing = newsdesk(
        "brief", "--from", "2021-01-01", "--to", "2023-12-31", "--length", "short", index=index
    )
    assert briefing.returncode == 0, briefing.stderr
    assert briefing.stdout.startswith("Briefing (2021-01-01 to 2023-12-31), 3 articles")
    assert briefing.stdout.count("\n- ") == 3
    reversed_range = newsdesk("brief", "--from", "2023-01-01", "--to", "2021-01-01", index=index)
    assert reversed_range.returncode == 2
