from fastapi import APIRouter

from service.api.deps import ComponentsDep
from service.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health")
def health(components: ComponentsDep) -> HealthOut:
    """Index counts, embedding model and store in use."""
    articles, passages = components.store.counts()
    return HealthOut(
        status="ok",
        articles=articles,
        passages=passages,
        embedding_model=components.embedder.name,
        store=components.store.kind,
    )
