"""``create_app(settings)``: the whole HTTP server (API, collection, web UI), built from
explicit settings.

Nothing is built at import time: tests build their own app, and ``kimlik serve`` builds
one from the environment. The stitcher runs beside the server while it is up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kimlik import __version__
from kimlik.api import (
    audit,
    auth,
    collect,
    errors,
    exports,
    identity,
    imports,
    profiles,
    quality,
    records,
    sources,
    users,
)
from kimlik.api.responses import JsonResponse
from kimlik.api.state import ServerState
from kimlik.api.timing import ServerTiming
from kimlik.collect.stitcher import Stitcher
from kimlik.config import Settings
from kimlik.store.engine import open_engine
from kimlik.store.migrate import require_current
from kimlik.web import setup as web

log = logging.getLogger("kimlik.server")


def create_app(settings: Settings) -> FastAPI:
    """The server for ``settings``; refuses default secrets outside development."""
    settings.check_secrets()
    engine = open_engine(settings.database_url)
    state = ServerState.build(settings, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        require_current(engine)
        stitcher = Stitcher(engine, settings) if settings.stitch else None
        if stitcher is not None:
            stitcher.start()
        try:
            yield
        finally:
            if stitcher is not None:
                stitcher.stop()
            engine.dispose()

    app = FastAPI(
        title="Kimlik",
        version=__version__,
        description=(
            "Self-hosted customer data platform. `/v1/*` speaks the Segment HTTP tracking "
            "protocol for SDKs (write keys); `/api/v1/*` is the management API (bearer API "
            "keys or a signed-in session)."
        ),
        lifespan=lifespan,
        default_response_class=JsonResponse,
        # FastAPI's /docs and /redoc pull their scripts from a CDN: nothing leaves the
        # machine unless configured, so only the document itself is served
        docs_url=None,
        redoc_url=None,
    )
    app.state.kimlik = state
    errors.install(app)
    app.include_router(collect.router)
    app.include_router(auth.router)
    app.include_router(profiles.router)
    app.include_router(identity.router)
    app.include_router(records.router)
    app.include_router(imports.router)
    app.include_router(quality.router)
    app.include_router(sources.router)
    app.include_router(users.router)
    app.include_router(audit.router)
    app.include_router(exports.router)
    web.install(app)
    app.add_middleware(ServerTiming)
    return app
