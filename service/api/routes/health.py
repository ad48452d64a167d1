from dataclasses import asdict

from fastapi import APIRouter

from service.api.deps import ComponentsDep
from service.api.schemas import FollowerOut, HealthOut, WatchChecksOut

router = APIRouter(tags=["health"])


@router.get("/health")
def health(components: ComponentsDep) -> HealthOut:
    """Index counts, embedding model and store in use, and how far the indexes kept beside the
    store (keyword index, article catalogue) and the watches' checks have followed it."""
    articles, passages = components.store.counts()
    revision = components.store.revision()
    followers = [
        FollowerOut(**asdict(status), behind=status.revision != revision)
        for status in (components.keyword.status(), components.catalogue.status())
    ]
    checks = WatchChecksOut(**asdict(components.watches.status()))
    failing = checks.error or any(follower.error for follower in followers)
    return HealthOut(
        status="degraded" if failing else "ok",
        articles=articles,
        passages=passages,
        embedding_model=components.embedder.name,
        store=components.store.kind,
        store_revision=revision,
        followers=followers,
        watch_checks=checks,
    )
