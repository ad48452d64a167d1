"""Figures of a story across its reports: what each report gives, and where reports differ or
a figure changed."""

from service.figures.compared import FigureReader, ReportedFigure, contested, relation
from service.figures.notes import note
from service.figures.reported import Figure, figures_in

__all__ = [
    "Figure",
    "FigureReader",
    "ReportedFigure",
    "contested",
    "figures_in",
    "note",
    "relation",
]
