"""The FastAPI application: built by `create_app(settings)`, components made once at start-up."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from service.api.routes import articles, ask, brief, health
from service.components import Components, build_components
from service.settings import Settings

WEB = Path(__file__).resolve().parents[1] / "web"


def create_app(settings: Settings, *, components: Components | None = None) -> FastAPI:
    """The app; pass `components` to share ones already built (tests, the CLI's serve)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.components = components or build_components(settings)
        # Build the keyword index now rather than during the first question.
        app.state.components.keyword.refresh()
        yield

    app = FastAPI(
        title="Newsdesk",
        summary="Grounded answers and briefings from your own news archive.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    app.include_router(articles.router)
    app.include_router(ask.router)
    app.include_router(brief.router)
    app.mount("/static", StaticFiles(directory=WEB), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    return app
