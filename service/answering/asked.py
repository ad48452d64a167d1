"""What a question asks, as a clause a sentence can carry: "What price did Hitachi put on its
robots?" -> "what price Hitachi put on its robots", for "The articles don't say ...".

The auxiliary moves back behind the subject ("did" into the verb's tense: "How many passengers
did Eurostar carry" -> "how many passengers Eurostar carried"). Verbs are told from nouns by
lemminflect's word lists, which ship with the package: no model, no download.
"""

import itertools
import re

from lemminflect import getAllLemmas, getInflection

_WH = r"(?:who|whom|whose|what|which|when|where|why|how|whether)"
_YES_NO = re.compile(
    r"^(?:did|does|do|is|was|are|were|has|have|had|will|would|could|can|should)\s", re.I
)
# The question word and what hangs on it, up to the first auxiliary verb.
_AUXILIARY = re.compile(
    rf"^(?P<wh>(?:[\w-]+ ){{0,2}}?{_WH}\b(?:[^?]*?))\s"
    r"(?P<aux>did|does|do|is|was|are|were|has|have|had|will|would|could|can|should|may|might)"
    r"\s(?P<rest>.+)$",
    re.I,
)
_OPENING_CLAUSE = re.compile(r"^(?:according to|in|after|before|during)\b[^,]*,\s*", re.I)
# A subordinate clause ends the subject: "what the score was | when Milan played United".
_SUBORDINATE = re.compile(
    r"\b(?:when|after|before|if|because|while|since|during|that|which|who|whose|where)\b", re.I
)
_TENSE = {"did": "VBD", "does": "VBZ", "do": "VB"}
_BE_OR_HAVE = {"is", "was", "are", "were", "has", "have", "had"}
_DETERMINERS = {"a", "an", "the", "its", "his", "her", "their", "this", "that"}
# Words after which a word is a noun ("a can", "the head") or a gerund ("odds of winning").
_NOT_BEFORE_A_VERB = {
    *_DETERMINERS,
    *("each", "every"),
    *("of", "for", "to", "in", "on", "at", "by", "with", "about", "from", "without"),
}


def what_was_asked(question: str) -> str:
    """The question as an indirect clause, without its question mark ("Did X win?" ->
    "whether X won"); a request that is no question comes back quoted."""
    question = _OPENING_CLAUSE.sub("", question.strip().rstrip("?").strip())
    if _YES_NO.match(question):
        question = f"whether {question}"
    found = _AUXILIARY.match(question)
    if not found:
        if re.match(rf"(?:(?:[\w-]+ ){{0,2}}?{_WH}|whether)\b", question, re.I):
            return _lowered(question)
        return f'"{question}"' if question else ""
    wh, auxiliary, rest = found["wh"], found["aux"].lower(), found["rest"]
    words = rest.split()
    # After "is", "was" or "has" the verb is a participle ("paying", "voted", "flown"); after
    # "did" or "will" it is the bare verb ("put", "cost"), and not a noun after "a" or "the".
    participle = auxiliary in _BE_OR_HAVE
    said_already = any(
        word.islower() and _is_verb(word, participle=True) for word in wh.split()[1:]
    )
    if said_already or _is_verb(words[0], participle=participle):
        # The question word is the subject ("Which band was voted ...", "Who will present
        # ...") or the auxiliary belongs to a later clause ("Who said X might ..."): the
        # order stays.
        return _lowered(question)
    verbs = [
        index
        for index, word in enumerate(words)
        if index > 0
        and word.islower()
        and words[index - 1].lower() not in _NOT_BEFORE_A_VERB
        and not words[index - 1].endswith(("'s", "\u2019s"))
        and _is_verb(word, participle=participle)
    ]
    # In a subject that opens with a determiner, a word that could be a verb but is followed by
    # nouns that could not (and adverbs) up to the next word that could, modifies a noun: "did
    # the exchange operator informally put", not "the exchanged operator"; "was the first steam
    # powered device used", not "the first steam was powered device used".
    verb_at = next(
        (
            index
            for index, later in itertools.zip_longest(verbs, verbs[1:])
            if later is None
            or words[0].lower() not in _DETERMINERS
            or not (participle or "NOUN" in getAllLemmas(words[index].lower()))
            or not _nouns_and_adverbs(words[index + 1 : later])
        ),
        None,
    )
    subordinate = _SUBORDINATE.search(rest)
    if verb_at is not None and (
        subordinate is None or len(" ".join(words[:verb_at])) < subordinate.start()
    ):
        subject, verb, tail = words[:verb_at], words[verb_at], words[verb_at + 1 :]
        if auxiliary in _TENSE:
            inflected = getInflection(verb, _TENSE[auxiliary])
            predicate = [inflected[0] if inflected else verb]
        else:
            predicate = [auxiliary, verb]
        return _lowered(" ".join([wh, *subject, *predicate, *tail]))
    if subordinate is not None:
        before, after = rest[: subordinate.start()].rstrip(), rest[subordinate.start() :]
        return _lowered(f"{wh} {before} {auxiliary} {after}")
    return _lowered(f"{wh} {rest} {auxiliary}")


def _is_verb(word: str, *, participle: bool = False) -> bool:
    """Whether the word can be a verb; with `participle`, a past tense or participle of one
    ("said", "voted", "paying"; not "homes")."""
    word = word.lower()
    lemmas = getAllLemmas(word).get("VERB", ())
    if participle:
        return any(
            word in getInflection(lemma, tag) for lemma in lemmas for tag in ("VBD", "VBN", "VBG")
        )
    return word in lemmas


def _nouns_and_adverbs(words: list[str]) -> bool:
    """Whether the words are nouns that can be nothing else ("operator", not "physical" or
    "its"), at least one, and adverbs ("informally")."""

    def noun(word: str) -> bool:
        return word.lower() not in _DETERMINERS and set(getAllLemmas(word.lower())) == {"NOUN"}

    return any(map(noun, words)) and all(noun(w) or w.lower().endswith("ly") for w in words)


def _lowered(text: str) -> str:
    """The clause with its first word in lower case, unless that word is a name."""
    first, _, rest = text.partition(" ")
    if re.fullmatch(rf"{_WH}|in|on|at|by|for|from|to|of|under", first, re.I):
        first = first.lower()
    return f"{first} {rest}".strip()
