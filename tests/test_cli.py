"""The `newsdesk` command as a user runs it: a real process, real model, real index."""

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from service.api.schemas import ArticlePageOut, AskOut, BriefingOut, SearchOut, VerifyOut
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE
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
    assert answered.stdout.startswith("Answer: 10 million [1]\n\nWe joined COVAX"), "said once"
    assert "Sources:\n[1] Senior Chinese and US officials" in answered.stdout

    unanswered = newsdesk("ask", "Who won the football World Cup final?", index=index)
    assert unanswered.stdout.startswith("The articles don't say who won the football World Cup")
    assert "What the articles do say:" in unanswered.stdout, "the closest sentences, apart"
    assert "not answered by the articles" in unanswered.stderr
    assert unanswered.returncode == 4, "a script can tell an abstention from an answer"

    assert newsdesk("ask", "x", "-k", "0", index=index).returncode == 2

    briefing = newsdesk(
        "brief", "--from", "2021-01-01", "--to", "2023-12-31", "--length", "short", index=index
    )
    assert briefing.returncode == 0, briefing.stderr
    assert briefing.stdout.startswith("Briefing (2021-01-01 to 2023-12-31), 3 articles")
    assert briefing.stdout.count("\n- ") == 3
    reversed_range = newsdesk("brief", "--from", "2023-01-01", "--to", "2021-01-01", index=index)
    assert reversed_range.returncode == 2
    since = newsdesk("brief", "--from", "2021-01-01", "--to", "2023-12-31", "--since", "2022-06-30",
                     "--json", index=index)  # fmt: skip
    assert since.returncode == 0, since.stderr
    assert json.loads(since.stdout)["period"]["date_from"] == "2022-07-01"
    late = newsdesk("brief", "--to", "2023-12-31", "--since", "2024-01-01", index=index)
    assert late.returncode == 2 and "since must be before date_to" in late.stderr


def test_verify_a_file_or_standard_input(tmp_path: Path, seeds_dir: Path):
    index = tmp_path / "index"
    assert newsdesk("ingest", "--quiet", str(seeds_dir), index=index).returncode == 0
    draft = tmp_path / "draft.txt"
    draft.write_text(
        "Biden and Xi Jinping spoke for two hours on February 11. "
        "China has donated COVID-19 vaccines to 43 developing countries."
    )
    checked = newsdesk("verify", str(draft), index=index)
    assert checked.returncode == 5, "a script can tell a text the articles do not support"
    lines = checked.stdout.splitlines()
    assert lines[0] == "SUPPORTED: Biden and Xi Jinping spoke for two hours on February 11. [1]"
    assert lines[1].startswith("CONTRADICTED: China has donated COVID-19 vaccines to 43")
    assert lines[2] == "    the articles say '69' [2], not '43'"
    assert "Sources:\n[1] Senior Chinese and US officials" in checked.stdout
    assert "1 supported, 1 contradicted" in checked.stderr

    supported = subprocess.run(
        [sys.executable, "-m", "service.cli", "verify", "-", "--json"],
        input="Biden and Xi Jinping spoke for two hours on February 11.",
        capture_output=True,
        text=True,
        env=newsdesk_environment(NEWSDESK_INDEX_PATH=str(index)),
        timeout=300,
    )
    assert supported.returncode == 0, supported.stderr
    assert VerifyOut.model_validate_json(supported.stdout).supported is True

    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    refused = newsdesk("verify", str(empty), index=index)
    assert refused.returncode == 2 and "the text is empty" in refused.stderr
    missing = newsdesk("verify", str(tmp_path / "none.txt"), index=index)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_json_output_is_the_http_apis_reply(tmp_path: Path, seeds_dir: Path):
    """--json prints what the HTTP API answers: a script reads the same fields either way."""
    index = tmp_path / "index"
    assert newsdesk("ingest", "--quiet", str(seeds_dir), index=index).returncode == 0
    question = "How many vaccine doses did China pledge to COVAX?"

    answered = newsdesk("ask", question, "--json", index=index)
    assert answered.returncode == 0, answered.stderr
    answer = AskOut.model_validate_json(answered.stdout)
    assert answer.grounded and "10 million" in answer.answer
    assert answer.citations[0].article_id == ALASKA_ARTICLE
    cited = answer.citations[0]
    assert cited.quote_end - cited.quote_start == len(cited.quote) > 0

    unanswered = newsdesk("ask", "Who won the football World Cup final?", "--json", index=index)
    assert unanswered.returncode == 4
    assert AskOut.model_validate_json(unanswered.stdout).grounded is False

    found = SearchOut.model_validate_json(
        newsdesk("search", "COVAX vaccine doses", "-k", "2", "--json", index=index).stdout
    )
    assert found.query == "COVAX vaccine doses" and len(found.passages) == 2
    assert found.passages[0].article_id == ALASKA_ARTICLE

    page = ArticlePageOut.model_validate_json(
        newsdesk("articles", "--limit", "2", "--json", index=index).stdout
    )
    assert (page.total, page.limit, page.offset, len(page.articles)) == (3, 2, 0, 2)

    briefing = newsdesk("brief", "--length", "short", "--json", index=index)
    assert briefing.returncode == 0, briefing.stderr
    bullets = BriefingOut.model_validate_json(briefing.stdout).bullets
    assert len(bullets) == 3 and all(bullet.citations for bullet in bullets)


def test_version():
    shown = subprocess.run(
        [sys.executable, "-m", "service.cli", "--version"], capture_output=True, text=True
    )
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"newsdesk {version('newsdesk')}"
