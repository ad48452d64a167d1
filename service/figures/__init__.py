"""Figures of a story across its reports, and who holds its offices and when its events
happened: what each report gives, and where reports differ or a figure changed."""

from service.figures.compared import FigureReader, ReportedFigure, contested, relation
from service.figures.notes import note
from service.figures.reported import Figure, figures_in
from service.figures.told import told_in

__all__ = [
    "Figure",
    "FigureReader",
    "ReportedFigure",
    "contested",
    "figures_in",
    "note",
    "relation",
    "told_in",
]
