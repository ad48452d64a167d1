from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ComponentsDep
from service.api.schemas import ArchiveOut

router = APIRouter(tags=["articles"])


@router.get("/archive")
def archive(
    components: ComponentsDep,
    latest: Annotated[int, Query(ge=0, le=20, description="How many newest articles.")] = 5,
    questions: Annotated[int, Query(ge=0, le=10, description="How many questions.")] = 3,
) -> ArchiveOut:
    """What the archive holds (articles, sources, dates, the newest headlines) and a few
    questions it answers, checked by asking them."""
    holdings = components.catalogue.holdings(latest=latest)
    return ArchiveOut.of(holdings, components.suggester.suggestions(wanted=questions))
