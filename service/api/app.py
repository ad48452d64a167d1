"""The FastAPI application: built by `create_app(settings)`, components made once at start-up."""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from starlette.exceptions import HTTPException
from starlette.routing import Route

from service.api.access import Access, Keyed, authenticated
from service.api.body_limit import BodySizeLimit
from service.api.errors import OPENAI_PATHS, error_body
from service.api.routes import (
    archive,
    articles,
    ask,
    brief,
    health,
    openai_compatible,
    verify,
    watches,
)
from service.components import Components, build_components
from service.domain import StoreUnavailable
from service.mcp_server import newsdesk_mcp
from service.retrieval.following import Following
from service.settings import Settings
from service.watching import FeedPoller, feed_watcher

WEB = Path(__file__).resolve().parents[1] / "web"
# How long a client should wait before retrying while the Chroma server is away.
STORE_RETRY_AFTER_S = 5

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, components: Components | None = None) -> FastAPI:
    """The app; pass `components` to share ones already built (tests, the CLI's serve)."""

    # The MCP server's tools reach the components once the lifespan has built them.
    mcp = newsdesk_mcp(lambda: app.state.components)
    # Stateless, JSON replies: no session outlives a request, so any replica can answer any
    # call. The SDK checks the Host header against DNS rebinding when bound to loopback.
    mcp.streamable_http_app(stateless_http=True, json_response=True, host=settings.http.host)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.components = components or build_components(settings)
        # Build the keyword index and the article list, and warm up, now rather than during
        # the first question.
        try:
            app.state.components.keyword.refresh()
            app.state.components.catalogue.refresh()
            app.state.components.pipeline.warm_up()
        except StoreUnavailable as error:
            # Serve anyway: requests get 503 until the store is back, then work by themselves.
            log.warning("starting without the store: %s", error)
        feeds = settings.web.feeds
        poller = FeedPoller(feed_watcher(app.state.components, feeds)) if feeds else None
        if poller:
            poller.start()
        following = _following(app.state.components, settings.store.follow_interval_s)
        if following:
            following.start()
        async with mcp.session_manager.run():
            yield
        if following:
            following.stop()
        if poller:
            poller.stop()
        # The watched topics are checked against what was stored before the process ends.
        app.state.components.watches.wait()

    app = FastAPI(
        title="Newsdesk",
        summary="Grounded answers and briefings from your own news archive.",
        version="0.1.0",
        lifespan=lifespan,
        # Served below, behind the API key like every other route but /health and the page.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.access = Access.from_settings(settings.http)
    keyed = [Depends(authenticated)]
    app.include_router(health.router)
    app.include_router(articles.router, dependencies=keyed)
    app.include_router(ask.router, dependencies=keyed)
    app.include_router(brief.router, dependencies=keyed)
    app.include_router(openai_compatible.router, dependencies=keyed)
    app.include_router(watches.router, dependencies=keyed)
    app.include_router(verify.router, dependencies=keyed)
    app.include_router(archive.router, dependencies=keyed)
    transport = Keyed(StreamableHTTPASGIApp(mcp.session_manager))
    app.router.routes.append(Route("/mcp", transport, methods=["GET", "POST", "DELETE"]))
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_middleware(BodySizeLimit, max_bytes=settings.http.max_request_bytes)
    if settings.http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.http.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    @app.get("/openapi.json", include_in_schema=False, dependencies=keyed)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=keyed)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Newsdesk API")

    return app


def _following(components: Components, interval_s: float) -> Following | None:
    if not interval_s:
        return None
    return Following(
        [components.keyword.refresh, components.catalogue.refresh], interval_s=interval_s
    )


def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    message = f"the article store is unavailable, retry shortly: {error}"
    return JSONResponse(
        error_body(request.url.path, status.HTTP_503_SERVICE_UNAVAILABLE, message),
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(STORE_RETRY_AFTER_S)},
    )


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return JSONResponse(
        error_body(request.url.path, error.status_code, str(error.detail)),
        status_code=error.status_code,
        headers=error.headers,
    )


def _invalid_request(request: Request, error: Exception) -> Response:
    """FastAPI's 422 (OpenAI's 400 under /v1/), written as ASCII JSON: the errors echo the
    input, and input that is not valid Unicode (a lone surrogate) cannot be encoded as UTF-8,
    only escaped."""
    assert isinstance(error, RequestValidationError)
    errors = jsonable_encoder(error.errors())
    message = "; ".join(
        f"{'.'.join(str(part) for part in e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors
    )
    path = request.url.path
    code = 400 if path.startswith(OPENAI_PATHS) else status.HTTP_422_UNPROCESSABLE_CONTENT
    body = json.dumps(error_body(path, code, message, detail=errors), ensure_ascii=True)
    return Response(body, status_code=code, media_type="application/json")
