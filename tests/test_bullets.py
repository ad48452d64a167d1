"""What may stand as a briefing bullet (`bullet_problem`), on sentences of the kinds found in
news text: the good ones are from the Wikipedia fixtures, the bad ones written for the test
after the kinds seen in real briefings."""

import json
from pathlib import Path

import pytest

from service.briefing.bullets import bullet_problem, trimmed

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures/wikipedia_articles.jsonl").read_text().splitlines()[0]
)


@pytest.mark.parametrize(
    "sentence",
    [
        "The 1973 oil crisis began in October 1973 when the members of the Organization of Arab "
        "Petroleum Exporting Countries proclaimed an oil embargo.",
        "The Federal Reserve raised its benchmark rate by 0.75 percentage points on Wednesday.",
        '"We will not stop until prices come down," Federal Reserve chair Jerome Powell said.',
        "Prices of crude oil quadrupled, to nearly $12 a barrel by March 1974.",
    ],
)
def test_declarative_informative_sentences_stand(sentence):
    assert bullet_problem(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "problem"),
    [
        ("So, how do we know when we are in a recession?", "a question"),
        ("Will the central bank raise rates again in September?", "a question"),
        ("Yeah, we have got chronic inflation and less appetite for shopping.", "talk, not news"),
        ("And that was before the second quarter figures came out.", "talk, not news"),
        ("which meant the embargo lasted until March 1974 for most importers.", "a fragment"),
        ("He said the decision would be reviewed at the next meeting in July.", "leans on"),
        ("This was the largest increase since 1994, the figures showed.", "leans on"),
        ("Its effects were felt for years, according to the agency's report.", "leans on"),
        ("The decision would be reviewed at the next meeting, he said.", "leans on"),
        ("Fed raises rates by 0.75 points as inflation bites", "not a whole sentence"),
        ("Prices rose again.", "too short"),
    ],
)
def test_questions_fragments_talk_and_leaning_sentences_do_not(sentence, problem):
    assert (bullet_problem(sentence) or "").startswith(problem), sentence


def test_the_headline_is_not_a_bullet_when_the_text_says_more():
    headline = "Oil embargo sends prices to record highs across the West"
    assert bullet_problem(headline + ".", headline=headline) == "the headline again"
    assert bullet_problem(FIXTURE["text"].split(". ")[0] + ".", headline=headline) is None


def test_a_bullet_that_repeats_an_earlier_one_is_not_said_twice():
    said = ["The Federal Reserve raised its benchmark rate by 0.75 points on Wednesday."]
    repeat = "On Wednesday the Federal Reserve raised its benchmark rate by 0.75 points."
    assert bullet_problem(repeat, said=said) == "repeats an earlier bullet"
    news = "US gross domestic product shrank for a second quarter in a row, official data showed."
    assert bullet_problem(news, said=said) is None


def test_a_dateline_dash_is_trimmed_not_held_against_the_sentence():
    sentence = "\u2014 Two brothers who ran a melon farm linked to the outbreak were charged."
    assert bullet_problem(sentence) is None
    assert trimmed(sentence).startswith("Two brothers")
