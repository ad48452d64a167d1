"""The extractive answerer: the reading step's answer, in the articles' own words, cited.

When the reading finds the passages answer the question, the answer leads with the short
answer, if there is one ("Herve Gaymard. [1]"), then the sentence that holds it and up to
`MAX_SENTENCES` - 1 more within `MARGIN` of the best sentence's score, skipping near-repeats.
When they don't, it says so, naming what was asked: "The articles don't say what price
Hitachi put on its Emiew robots." (the pipeline adds the closest sentences as `related`).
"""

from collections.abc import Iterator, Sequence

from service.answering.asked import what_was_asked
from service.answering.models import ABSTENTION
from service.answering.reading import Reading, ReadSentence
from service.domain import RetrievedPassage

MAX_SENTENCES = 3
MARGIN = 0.1
MAX_REPEAT_SIMILARITY = 0.9
RELATED_SENTENCES = 2


class ExtractiveAnswerer:
    mode = "extractive"

    def draft(
        self, question: str, passages: Sequence[RetrievedPassage], reading: Reading
    ) -> Iterator[str]:
        if not reading.answered:
            yield not_said(question)
            return
        if reading.short_answer:
            # As the citation check writes a sentence back: "Sharp. [1]".
            yield f"{reading.short_answer.text}. [{reading.short_answer.n}] "
        for index, sentence in enumerate(answer_sentences(reading)):
            yield ("" if index == 0 else " ") + f"{sentence.text} [{sentence.passage_number}]"


def not_said(question: str) -> str:
    asked = what_was_asked(question)
    return f"The articles don't say {asked}." if asked else ABSTENTION


def answer_sentences(reading: Reading) -> list[ReadSentence]:
    """The sentence that answers, then the best others close to the best score, no repeats."""
    if not reading.sentences:
        return []
    first, *others = reading.sentences
    floor = max(s.score for s in reading.sentences) - MARGIN
    chosen = [first]
    for sentence in others:
        if sentence.score < floor or len(chosen) == MAX_SENTENCES:
            break
        if all(float(sentence.vector @ kept.vector) < MAX_REPEAT_SIMILARITY for kept in chosen):
            chosen.append(sentence)
    return chosen


def related_sentences(reading: Reading) -> list[ReadSentence]:
    """When the passages don't answer: the sentences most like the question, no repeats."""
    chosen: list[ReadSentence] = []
    for sentence in sorted(reading.sentences, key=lambda s: -s.score):
        if len(chosen) == RELATED_SENTENCES:
            break
        if all(float(sentence.vector @ kept.vector) < MAX_REPEAT_SIMILARITY for kept in chosen):
            chosen.append(sentence)
    return chosen
