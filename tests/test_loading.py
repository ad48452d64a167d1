"""Loaders and cleaning: every format, the seed conventions, and each kind of bad input."""

import datetime as dt
import json
from pathlib import Path

import pytest

from service.domain import Article, LoadError
from service.loading import RecordError, article_from_record, load_paths
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE, SEEDS

DATE_FORMS = "expected YYYY-MM-DD or a day, month and year such as 26 Jul 2022"

LIMIT = 100_000


def load(*paths: Path, max_bytes: int = LIMIT) -> tuple[dict[str, Article], list[LoadError]]:
    articles, errors = {}, []
    for item in load_paths(paths, max_bytes=max_bytes):
        if isinstance(item, LoadError):
            errors.append(item)
        else:
            articles[item.id] = item
    return articles, errors


def test_seed_first_line_gives_date_and_source_and_is_not_part_of_the_text():
    articles, errors = load(SEEDS)
    assert not errors
    exports = articles[EXPORT_ARTICLE]
    assert exports.date == dt.date(2023, 10, 12)
    assert exports.source == "MENAFN"
    assert exports.text.startswith("China remains committed")
    alaska = articles[ALASKA_ARTICLE]
    assert alaska.date == dt.date(2021, 3, 10)
    assert alaska.source is None
    assert alaska.title.startswith("Senior Chinese and US officials may meet next week in Alaska")


def test_seed_without_date_line_takes_year_and_source_from_copyright_and_keeps_boilerplate_out():
    articles, _ = load(SEEDS)
    blinken = articles[BLINKEN_ARTICLE]
    assert blinken.date == dt.date(2023, 1, 1)
    assert blinken.source == "The Financial Times"
    assert (
        blinken.title
        == "Xi Jinping sees 'progress' in China-US ties at meeting with Antony Blinken"
    )
    body, tail = blinken.text[: blinken.body_end], blinken.text[blinken.body_end :]
    assert "Additional reporting by" in tail and "Copyright The Financial Times" in tail
    assert "Additional reporting" not in body
    assert body.rstrip().endswith("in November.")


def test_html_remnants_removed_and_blank_lines_collapsed(tmp_path: Path):
    (tmp_path / "u.txt").write_text(
        " date 2022-05-01 (Wire) Officials <u>met</u> on Monday &amp; talked."
        "\n\n\n\n\nSecond paragraph.",
        encoding="utf-8",
    )
    articles, _ = load(tmp_path / "u.txt")
    text = articles["u"].text
    assert text == "Officials met on Monday & talked.\n\nSecond paragraph."


def test_text_without_date_or_copyright_has_null_date(tmp_path: Path):
    (tmp_path / "plain.txt").write_text("Just a short note about the harbour. Nothing else.")
    articles, _ = load(tmp_path / "plain.txt")
    assert articles["plain"].date is None
    assert articles["plain"].source is None


def test_markdown_heading_is_the_title(tmp_path: Path):
    (tmp_path / "note.md").write_text("# Port strike ends\n\nDock workers returned on Tuesday.")
    articles, _ = load(tmp_path / "note.md")
    assert articles["note"].title == "Port strike ends"


def test_html_main_text_and_metadata_extracted(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        """<html><head><title>Talks in Alaska | Example News</title>
        <meta property="og:url" content="https://example.com/alaska">
        <meta name="date" content="2021-03-18"></head>
        <body><nav>Home | World | Sport | Weather</nav>
        <article><h1>Talks in Alaska</h1>
        <p>Senior officials from both countries met in Anchorage on Thursday.</p>
        <p>The talks were the first since the new administration took office.</p></article>
        </body></html>""",
        encoding="utf-8",
    )
    articles, errors = load(tmp_path / "page.html")
    assert not errors
    page = articles["page"]
    assert page.title == "Talks in Alaska"
    assert page.date == dt.date(2021, 3, 18)
    assert page.url == "https://example.com/alaska"
    assert "met in Anchorage on Thursday." in page.text
    assert "Weather" not in page.text


def test_jsonl_fields_and_id_fallbacks(tmp_path: Path):
    lines = [
        {
            "id": "a1",
            "title": "T",
            "date": "2022-06-03",
            "source": "cnn.com",
            "url": "https://x/1",
            "text": "Alpha text.",
        },
        {"id": None, "url": "https://example.com/story", "text": "Beta text."},
        {"text": "Gamma text without id or url."},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    articles, errors = load(path)
    assert not errors
    assert articles["a1"].source == "cnn.com" and articles["a1"].date == dt.date(2022, 6, 3)
    assert "https://example.com/story" in articles
    hashed = [article_id for article_id in articles if article_id.startswith("sha256-")]
    assert len(hashed) == 1
    again, _ = load(path)
    assert hashed[0] in again, "a content-hash id must be stable across loads"


def test_directory_walked_recursively_skipping_hidden_and_unknown_files(tmp_path: Path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("Deep article text.")
    (tmp_path / "top.md").write_text("Top article text.")
    (tmp_path / ".hidden.txt").write_text("Hidden.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    articles, errors = load(tmp_path)
    assert set(articles) == {"deep", "top"}
    assert not errors


def test_named_unknown_or_missing_paths_are_errors(tmp_path: Path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    _, errors = load(tmp_path / "image.png", tmp_path / "missing.txt")
    assert next(e.message for e in errors).startswith("unsupported file type")
    assert errors[1].message == "no such file or directory"


def test_bad_records_are_reported_by_file_and_line_and_the_rest_load(tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "ok1", "text": "Fine."}\n'
        b'{"id": "empty", "text": "   "}\n'
        b"{not json\n"
        b'{"id": "baddate", "text": "x", "date": "2022-13-45"}\n'
        b'{"id": "latin1", "text": "caf\xe9"}\n'
        b'{"id": "big", "text": "' + b"y" * 200 + b'"}\n'
        b'["a list"]\n'
        b'{"id": "ok2", "text": "Also fine."}\n'
    )
    articles, errors = load(path, max_bytes=100)
    assert set(articles) == {"ok1", "ok2"}
    by_line = {e.where: e.message for e in errors}
    assert by_line == {
        f"{path}:2": "empty text",
        f"{path}:3": "malformed JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{path}:4": "unparsable date '2022-13-45': " + DATE_FORMS,
        f"{path}:5": "not valid UTF-8 (byte 0xe9 at offset 29)",
        f"{path}:6": "article is 200 bytes, over the 100 limit",
        f"{path}:7": "expected a JSON object, got list",
    }


def test_bad_single_files(tmp_path: Path):
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "big.txt").write_text("z" * 500)
    (tmp_path / "empty.txt").write_text("\n\n  \n")
    (tmp_path / "baddate.txt").write_text(" date 2023-02-30 (X) Text.")
    articles, errors = load(tmp_path, max_bytes=100)
    assert not articles
    messages = {Path(e.where).name: e.message for e in errors}
    assert messages == {
        "binary.txt": "not valid UTF-8 (byte 0xff at offset 0)",
        "big.txt": "file is 500 bytes, over the 100 limit",
        "empty.txt": "empty text",
        "baddate.txt": "unparsable date '2023-02-30': " + DATE_FORMS,
    }


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"text": 5}, "missing or non-text field 'text'"),
        ({"text": "x", "title": 3}, "field 'title' must be text or null"),
        ({"text": "x", "id": ["a"]}, "field 'id' must be text, a number or null"),
        ({"text": "x", "id": "bad\nid"}, "id must be printable and at most 512 characters"),
    ],
)
def test_record_field_types_checked(record: dict, message: str):
    with pytest.raises(RecordError, match=message):
        article_from_record(record, max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2022-07-26", dt.date(2022, 7, 26)),
        ("2022-07-26T23:30:00-05:00", dt.date(2022, 7, 26)),
        # RSS's RFC 2822; the publisher's own day, not moved to UTC.
        ("Tue, 26 Jul 2022 14:03:00 GMT", dt.date(2022, 7, 26)),
        ("Tue, 26 Jul 2022 23:30:00 -0500", dt.date(2022, 7, 26)),
        ("26 July 2022", dt.date(2022, 7, 26)),
        ("July 26, 2022", dt.date(2022, 7, 26)),
    ],
)
def test_dates_in_the_forms_feeds_and_pages_write_them(written, day):
    record = {"text": "Text.", "date": written}
    assert article_from_record(record, max_bytes=LIMIT).date == day


@pytest.mark.parametrize("written", ["2022", "July 26", "soon", "2023-02-30"])
def test_a_date_without_day_month_and_year_is_refused(written):
    with pytest.raises(RecordError, match="unparsable date"):
        article_from_record({"text": "Text.", "date": written}, max_bytes=LIMIT)
