"""Checking a drafted answer against the passages it cites.

For every sentence of the draft:
- markers `[n]` that point at no given passage are removed;
- the sentence is checked against each passage it cites, by the support checker
  (`service.verifying.support`: its names, numbers, dates, polarity and roles must agree with
  the passage, its terms and meaning be in it);
- a sentence with no marker gets the citation of the passage that supports it best, if one does;
- a sentence no cited passage supports is dropped.
Each citation quotes the passage sentence closest to what it supports, with its exact span.
"""

import re
from collections.abc import Sequence

from service.answering.models import ABSTENTION, Answer, Citation
from service.domain import RetrievedPassage
from service.text import sentence_spans
from service.verifying.support import SupportChecker

_MARKER = re.compile(r"\s*\[(\d+)\]")
_MARKER_LIST = re.compile(r"\[(\d+(?:\s*,\s*\d+)+)\]")
# "claim.[1]" or "claim. [1][2]": markers after the full stop belong to that sentence.
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)")
_ABSTAINING = re.compile(r"\b(don't|do not|does not|doesn't) (say|answer|mention|contain)", re.I)
# An LLM, a small one especially, writes about its sources instead of the news ("The passage is
# referring to ..."). Such a sentence states nothing a passage could support, however similar
# its words: it is dropped, never given a citation. A lead-in ("According to the passages,")
# before a real claim is only trimmed.
_SOURCES = r"(passages?|articles?|texts?|context|documents?|excerpts?|sources?)"
_LEAD_IN = re.compile(
    rf"^(according to|as (stated|mentioned|reported|described) in|based on|in) "
    rf"(the |this |these )?(given |provided )?{_SOURCES}( \[\d+\])?,\s*",
    re.I,
)
_ABOUT_THE_SOURCES = re.compile(
    rf"\b(the|this|these|those|each|both|all|above|given|provided)\s+{_SOURCES}\b", re.I
)


class CitationChecker:
    def __init__(self, support: SupportChecker):
        self.support = support

    def check(self, draft: str, passages: Sequence[RetrievedPassage], *, mode: str) -> Answer:
        """The draft with unsupported sentences and invalid markers removed, and its citations."""
        kept: list[str] = []
        citations: dict[int, Citation] = {}
        invalid_markers = dropped = added = about_sources = 0
        text = _MARKERS_AFTER_STOP.sub(r"\2\1", _expand_marker_lists(draft.strip()))
        if is_abstention(text):
            # Nothing is claimed; the question it may quote ("The articles don't say "... this
            # week. Which product is it"") is no sentence of its own to check.
            return Answer(ABSTENTION, [], list(passages), mode, grounded=False, warnings=[])
        self.support.read_passages(passages)
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            claim = without_markers(sentence)
            if mode == "llm":
                claim = _capitalised(_LEAD_IN.sub("", claim))
            if not claim or _ABSTAINING.search(claim):
                continue
            if mode == "llm" and _ABOUT_THE_SOURCES.search(claim):
                about_sources += 1
                continue
            cited = list(dict.fromkeys(int(n) for n in _MARKER.findall(sentence)))
            valid = [n for n in cited if 1 <= n <= len(passages)]
            invalid_markers += len(cited) - len(valid)
            supports = {n: self.support.support(claim, passages[n - 1]) for n in valid}
            if not valid:
                supports = {
                    n: self.support.support(claim, p) for n, p in enumerate(passages, start=1)
                }
            good = {n: s for n, s in supports.items() if s.supported}
            if not valid and good:
                good = dict([max(good.items(), key=lambda item: item[1].score)])
                added += 1
            if not good:
                dropped += 1
                continue
            for n, support in good.items():
                citations.setdefault(
                    n, Citation.quoting(n, passages[n - 1], support.start, support.end)
                )
            kept.append(claim + " " + "".join(f"[{n}]" for n in good))

        warnings = []
        if invalid_markers:
            warnings.append(f"{invalid_markers} citation marker(s) pointing at no passage removed")
        if dropped:
            warnings.append(f"{dropped} sentence(s) not supported by the cited passages removed")
        if about_sources:
            warnings.append(
                f"{about_sources} sentence(s) about the passages rather than the news removed"
            )
        if added:
            warnings.append(
                f"{added} uncited sentence(s) given the citation of a supporting passage"
            )
        if not kept:
            return Answer(ABSTENTION, [], list(passages), mode, grounded=False, warnings=warnings)
        ordered = sorted(citations.values(), key=lambda citation: citation.n)
        return Answer(
            " ".join(kept), ordered, list(passages), mode, grounded=True, warnings=warnings
        )


def without_markers(text: str) -> str:
    """The text with its `[n]` citation markers removed."""
    return _MARKER.sub("", text).strip()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_abstention(text: str) -> bool:
    """The text says the passages don't answer, and cites nothing."""
    return bool(_ABSTAINING.search(text)) and not _MARKER.search(text)


def _expand_marker_lists(text: str) -> str:
    """[1, 3] -> [1][3]"""
    return _MARKER_LIST.sub(lambda m: "".join(f"[{n.strip()}]" for n in m[1].split(",")), text)
