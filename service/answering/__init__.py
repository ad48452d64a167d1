"""Answering questions from retrieved passages, with checked citations."""

from service.answering.citations import CitationChecker
from service.answering.extractive import ExtractiveAnswerer
from service.answering.fallback import Drafters
from service.answering.generative import GenerativeAnswerer
from service.answering.models import ABSTENTION, Answer, Answerer, AnswerError, Citation
from service.answering.pipeline import AskEvent, AskPipeline, Delta, Final, Sources

__all__ = [
    "ABSTENTION",
    "Answer",
    "AnswerError",
    "Answerer",
    "AskEvent",
    "AskPipeline",
    "Citation",
    "CitationChecker",
    "Delta",
    "Drafters",
    "ExtractiveAnswerer",
    "Final",
    "GenerativeAnswerer",
    "Sources",
]
