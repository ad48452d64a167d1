"""The chat page in a real browser: Debian's headless Chromium driven by Playwright, against a
real uvicorn server on loopback over the seed articles. Screenshots go to test-artifacts/."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pydantic import SecretStr

from service.api.app import create_app
from service.components import build_components
from service.loading import article_from_record, load_paths
from tests.test_briefing import STORY_AFTER, STORY_BEFORE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FIGURES_STORY = Path(__file__).parent / "fixtures/figures_story.jsonl"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def serve(app) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def seeded_site(seeded, settings) -> Iterator[str]:
    yield from serve(create_app(settings, components=seeded))


@pytest.fixture
def empty_site(settings, embedder) -> Iterator[str]:
    yield from serve(create_app(settings, components=build_components(settings, embedder=embedder)))


def open_page(browser: Browser, url: str, width: int = 1200) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_ask_see_streamed_answer_open_citation_and_follow_up(browser, seeded_site):
    page = open_page(browser, seeded_site)
    expect(page.get_by_role("heading", name="Newsdesk")).to_be_visible()
    page.get_by_label("Your question").fill("Who did Blinken meet in Beijing?")
    page.keyboard.press("Enter")

    answer = page.locator("li.message.assistant").first
    chip = answer.locator("button.chip").first
    expect(chip).to_be_visible(timeout=30_000)
    assert int(answer.get_attribute("data-deltas")) >= 1, "the answer arrived as streamed deltas"
    expect(answer).to_contain_text("Xi")
    shot(page, "1-answer")

    chip.click()
    panel = page.get_by_role("complementary", name="Xi Jinping sees 'progress'")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("The Financial Times")
    highlighted = panel.locator("mark")
    expect(highlighted).not_to_be_empty()
    assert highlighted.inner_text().strip() in panel.locator("blockquote").inner_text()
    shot(page, "2-passage")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    page.get_by_label("Your question").fill("What did he say about relations with the US?")
    page.get_by_role("button", name="Ask", exact=True).click()
    follow_up = page.locator("li.message.assistant").nth(1)
    expect(follow_up.locator("button.chip").first).to_be_visible(timeout=30_000)
    expect(follow_up).to_contain_text(
        "Answered as: What did he say about relations with the US? (Blinken, Beijing)"
    )
    shot(page, "3-follow-up")


def test_the_short_answer_leads_and_is_marked_in_its_passage(browser, seeded_site):
    page = open_page(browser, seeded_site)
    page.get_by_label("Your question").fill("How many vaccine doses did China pledge to COVAX?")
    page.keyboard.press("Enter")
    answer = page.locator("li.message.assistant").first
    short = answer.locator("p.short-answer")
    expect(short).to_contain_text("10 million", timeout=30_000)
    # Said once: the answer below goes on from the short answer, without repeating it.
    assert not answer.locator("p.answer").inner_text().startswith("10 million")
    short.locator("button.chip").click()
    marked = page.locator("#passage-text mark strong.short-answer")
    expect(marked).to_contain_text("10 million")
    shot(page, "5-short-answer")


def test_unanswerable_question_and_service_errors_are_shown(browser, seeded_site):
    page = open_page(browser, seeded_site)
    page.get_by_label("Your question").fill("Who won the football World Cup final?")
    page.keyboard.press("Enter")
    answer = page.locator("li.message.assistant").first
    expect(answer).to_contain_text(
        "The articles don't say who won the football World Cup final.", timeout=30_000
    )
    expect(answer).to_have_class("message assistant abstained")
    related = answer.locator(".related")
    expect(related).to_contain_text("What the articles do say:")
    expect(related.locator("button.chip").first).to_be_visible()

    page.get_by_label("from").first.fill("2023-01-01")
    page.get_by_label("to", exact=True).first.fill("2021-01-01")
    page.get_by_label("Your question").fill("Who did Blinken meet?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("date_from is after date_to", timeout=30_000)
    shot(page, "4-errors")


def ask_for_a_briefing(page: Page, date_from: str, date_to: str, length: str, **also: str):
    """The briefing form filled (`also`: other fields by label) and sent."""
    page.get_by_role("tab", name="Briefing").click()
    page.locator("#brief-from").fill(date_from)
    page.locator("#brief-to").fill(date_to)
    for label, value in also.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("length").select_option(length)
    page.get_by_role("button", name="Brief me").click()


def test_briefing_view_with_citation_chips(browser, seeded_site):
    page = open_page(browser, seeded_site)
    ask_for_a_briefing(page, "2021-01-01", "2023-12-31", "long")
    bullets = page.locator("#briefing ul.bullets > li")
    expect(bullets).to_have_count(9, timeout=60_000)
    storylines = page.locator("#briefing section.storyline")
    expect(storylines).to_have_count(3)
    expect(storylines.nth(2).locator("h3")).to_contain_text("Alaska")
    expect(storylines.nth(2).locator(".facts")).to_have_text(
        "2021-03-10 · 1 article · one source only"
    )
    expect(storylines.nth(2).locator("li")).to_have_count(3)
    storylines.nth(2).get_by_role("button", name="Timeline").click()
    timeline = storylines.nth(2).locator("ol.timeline > li")
    expect(timeline).to_have_count(1, timeout=30_000)
    expect(timeline.first.locator("time")).to_have_text("2021-03-10")
    expect(timeline.first.locator("button.chip")).to_have_count(1)

    page.get_by_role("button", name="Watch this topic").click()
    expect(page.locator("#watch-status")).to_have_text("Give a topic to watch.")
    page.get_by_label("topic").fill("relations between China and the United States")
    page.get_by_role("button", name="Watch this topic").click()
    feed_link = page.locator("#watch-status a")
    expect(feed_link).to_have_text("its Atom feed")
    expect(feed_link).to_have_attribute("href", re.compile(r"^/watches/\w+/feed\.atom$"))
    bullets.first.locator("button.chip").click()
    expect(page.locator("#passage-panel mark")).not_to_be_empty()
    shot(page, "5-briefing")


def test_the_first_view_says_what_the_archive_holds_and_what_to_ask(browser, seeded_site):
    page = open_page(browser, seeded_site)
    overview = page.locator("#archive-overview")
    expect(overview.locator(".holdings")).to_contain_text(
        "The archive holds 3 articles from 2 sources, dated 2021-03-10 to 2023-10-12."
    )
    latest = overview.locator("ul.latest > li")
    expect(latest).to_have_count(3)
    expect(latest.first).to_contain_text("China remains committed")
    suggestion = overview.locator("button.suggestion").first
    expect(suggestion).to_be_visible(timeout=30_000)
    shot(page, "8-first-view")
    suggestion.click()
    expect(page.locator("li.message.assistant .short-answer strong")).to_be_visible(timeout=30_000)
    expect(overview).to_be_hidden()


def test_a_pasted_text_comes_back_marked_sentence_by_sentence(browser, seeded_site):
    page = open_page(browser, seeded_site)
    page.get_by_role("tab", name="Check a text").click()
    page.get_by_label("A text to check against the articles").fill(
        "Biden and Xi Jinping spoke for two hours on February 11. "
        "China has donated COVID-19 vaccines to 43 developing countries. "
        "The footbridge over the Lisden canal opens to cyclists next spring."
    )
    page.get_by_role("button", name="Check", exact=True).click()
    checked = page.locator("ol.checked-text > li")
    expect(checked).to_have_count(3, timeout=60_000)
    expect(page.locator("#verify-result .period")).to_have_text(
        "1 supported · 1 contradicted · 1 unsupported"
    )
    expect(checked.nth(0)).to_have_attribute("data-verdict", "supported")
    expect(checked.nth(0).locator(".verdict")).to_have_text("Supported by the articles")
    expect(checked.nth(0).locator("button.chip")).to_have_count(1)
    expect(checked.nth(1)).to_have_attribute("data-verdict", "contradicted")
    expect(checked.nth(1).locator(".differs")).to_contain_text(
        "The articles say \u201c69\u201d, not \u201c43\u201d"
    )
    expect(checked.nth(2)).to_have_attribute("data-verdict", "unsupported")
    expect(checked.nth(2).locator(".verdict")).to_have_text("Not found in the articles")
    expect(checked.nth(2).locator("button.chip")).to_have_count(0)
    checked.nth(1).locator(".differs button.chip").click()
    expect(page.locator("#passage-panel mark")).to_contain_text("69 urgently needed")
    shot(page, "9-check-a-text")


def test_empty_archive_hint_and_phone_width(browser, empty_site):
    page = open_page(browser, empty_site, width=390)
    expect(page.get_by_role("status")).to_contain_text("The archive is empty")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling at phone width"
    expect(page.get_by_label("Your question")).to_be_visible()
    shot(page, "6-empty-phone")


@pytest.fixture
def keyed_site(seeded, settings) -> Iterator[str]:
    keyed = settings.replace(api_keys=[SecretStr("page-key")])
    yield from serve(create_app(keyed, components=seeded))


def test_a_keyed_service_asks_for_the_key_once(browser, keyed_site):
    page = open_page(browser, keyed_site)
    key_field = page.get_by_label("This Newsdesk needs an API key")
    expect(key_field).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("missing API key")
    key_field.fill("page-key")
    page.get_by_role("button", name="Use key").click()
    expect(key_field).to_be_hidden()

    page.get_by_label("Your question").fill("Who did Blinken meet in Beijing?")
    page.keyboard.press("Enter")
    chip = page.locator("li.message.assistant button.chip").first
    expect(chip).to_be_visible(timeout=30_000)
    chip.click()  # GET /articles/{id} with the key
    expect(page.locator("#passage-panel mark")).not_to_be_empty()
    shot(page, "7-keyed")


def test_whats_new_since_shows_where_an_older_story_stood(browser, seeded, settings):
    seeded.ingestor.ingest(
        [article_from_record(a, max_bytes=100_000) for a in (STORY_BEFORE, STORY_AFTER)]
    )
    for url in serve(create_app(settings, components=seeded)):
        page = open_page(browser, url)
        ask_for_a_briefing(page, "2024-05-01", "2024-05-31", "short", **{"new since": "2024-05-02"})
        background = page.locator("#briefing li.background")
        expect(background).to_have_count(1, timeout=60_000)
        expect(background).to_contain_text("Before 2024-05-02:")
        expect(page.locator("#briefing li:not(.background)")).to_contain_text("6 percent")


def test_figures_reports_differ_on_are_shown_with_their_chips(browser, seeded, settings):
    """The landslide of tests/fixtures/figures_story.jsonl: two outlets' tolls on one day, then
    a higher one; the chat answer and the briefing show the values side by side."""
    seeded.ingestor.ingest(load_paths([FIGURES_STORY], max_bytes=100_000))
    for url in serve(create_app(settings, components=seeded)):
        page = open_page(browser, url)
        page.get_by_label("Your question").fill(
            "How many people were killed in the Hollins Ford landslide?"
        )
        page.keyboard.press("Enter")
        answer = page.locator("li.message.assistant").first
        differ = answer.locator(".figure.differ")
        expect(differ).to_contain_text("Reports differ: deaths", timeout=30_000)
        expect(differ.locator(".figure-value")).to_have_text(["19", "23"])
        expect(answer.locator(".figure.changed")).to_contain_text("Northern Courier")
        differ.locator("button.chip").first.click()
        expect(page.locator("#passage-panel mark")).to_contain_text("killed 19 people")
        page.keyboard.press("Escape")

        ask_for_a_briefing(page, "2026-05-01", "2026-05-06", "long")
        storyline = page.locator("#briefing section.storyline").first
        expect(storyline.locator(".figure.differ")).to_contain_text("23", timeout=60_000)
        expect(storyline.locator(".figure.changed .figure-value")).to_have_text(["23", "31"])
        shot(page, "8-figures")
