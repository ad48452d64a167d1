"""Questions the archive answers, to show a new reader what to ask.

From the opening sentences of the newest articles, a sentence whose subject is a person or
an organisation becomes a question about it ("Yang Jiechi led a Chinese delegation to
Alaska." -> "Who led a Chinese delegation to Alaska?"). A question is offered only when the
service, asked it, answers with that subject: what is offered is what works. They are made
again when the archive changes.
"""

import threading

from service.answering.pipeline import AskPipeline
from service.domain import ArticleFilter, Store
from service.domain.parse import Entity, ParsedSentence
from service.parsing import SentenceParses
from service.retrieval import ArticleCatalogue
from service.text import sentences
from service.verifying.facts import words

ASKED_AS = {"PERSON": "Who", "ORG": "Which organisation"}
LEAD_SENTENCES = 3
MAX_WORDS = 20
ARTICLES_READ = 12


class QuestionSuggester:
    def __init__(
        self,
        store: Store,
        catalogue: ArticleCatalogue,
        parses: SentenceParses,
        pipeline: AskPipeline,
    ):
        self._store = store
        self._catalogue = catalogue
        self._parses = parses
        self._pipeline = pipeline
        self._lock = threading.Lock()
        self._made: tuple[str, list[str]] | None = None

    def suggestions(self, *, wanted: int) -> list[str]:
        """Up to `wanted` questions, one per article, from the newest articles first."""
        with self._lock:
            revision = self._store.revision()
            if self._made is None or self._made[0] != revision:
                self._made = (revision, self._suggested(wanted))
            return self._made[1][:wanted]

    def _suggested(self, wanted: int) -> list[str]:
        _, newest = self._catalogue.page(ArticleFilter(), limit=ARTICLES_READ, offset=0)
        found = []
        for listed in newest:
            article = self._store.get(listed.id)
            if article is None or article.text is None:
                continue
            lead = sentences(article.text[: article.body_end])[:LEAD_SENTENCES]
            for parse in self._parses.of(lead):
                question = _question(parse)
                if question and self._answered_with(*question):
                    found.append(question[0])
                    break
            if len(found) == wanted:
                break
        return found

    def _answered_with(self, question: str, subject: str) -> bool:
        answer = self._pipeline.ask(question, k=6, selection=ArticleFilter())
        short = answer.short_answer
        return (
            answer.grounded
            and short is not None
            and bool(set(words(short.text)) & set(words(subject)))
        )


def _question(parse: ParsedSentence) -> tuple[str, str] | None:
    """(the question, the subject it asks for) when the sentence opens with a person's or an
    organisation's name as the subject of its main verb."""
    subject = next(
        (
            e
            for e in parse.entities
            if e.label in ASKED_AS and e.start == 0 and _is_subject(parse, e)
        ),
        None,
    )
    if subject is None:
        return None
    rest = parse.text[subject.end :].strip().rstrip(".!\"'\u201d ")
    if not rest or rest[0] in ",(" or len(rest.split()) > MAX_WORDS:
        return None
    return f"{ASKED_AS[subject.label]} {rest}?", parse.span_text(subject)


def _is_subject(parse: ParsedSentence, entity: Entity) -> bool:
    head = parse.root_of(parse.tokens_in(entity.start, entity.end))
    token = parse.tokens[head]
    return token.dep == "nsubj" and parse.tokens[token.head].head == token.head
