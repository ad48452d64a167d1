"""Answering questions from retrieved passages, with checked citations."""

from service.answering.citations import CitationChecker, SupportThresholds
from service.answering.extractive import ExtractiveAnswerer, ExtractiveConfig
from service.answering.generative import GenerativeAnswerer
from service.answering.models import ABSTENTION, Answer, Answerer, AnswerError, Citation
from service.answering.pipeline import AskEvent, AskPipeline, Delta, Final, Sources
from service.answering.support import SentenceVectors

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
    "ExtractiveAnswerer",
    "ExtractiveConfig",
    "Final",
    "GenerativeAnswerer",
    "SentenceVectors",
    "Sources",
    "SupportThresholds",
]
