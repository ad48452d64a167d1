"""Briefings: storylines across many articles, every bullet cited."""

from service.briefing.pipeline import (
    LENGTHS,
    BriefEvent,
    Briefing,
    BriefingDone,
    BriefingPipeline,
    BriefRequest,
    Bullet,
    BulletWritten,
    StorylinesFound,
)
from service.briefing.ranking import StorylineRanker
from service.briefing.storylines import Storyline, group_storylines
from service.briefing.summaries import ExtractiveSummarizer, GenerativeSummarizer
from service.briefing.timeline import (
    LINE_LEAD_BONUS,
    Timeline,
    TimelineEntry,
    TimelinePipeline,
    TimelineRequest,
    UnknownArticle,
)

__all__ = [
    "LENGTHS",
    "LINE_LEAD_BONUS",
    "BriefEvent",
    "BriefRequest",
    "Briefing",
    "BriefingDone",
    "BriefingPipeline",
    "Bullet",
    "BulletWritten",
    "ExtractiveSummarizer",
    "GenerativeSummarizer",
    "Storyline",
    "StorylineRanker",
    "StorylinesFound",
    "Timeline",
    "TimelineEntry",
    "TimelinePipeline",
    "TimelineRequest",
    "UnknownArticle",
    "group_storylines",
]
