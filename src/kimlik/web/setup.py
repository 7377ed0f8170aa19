"""Put the web UI on an app: its pages, its assets and its error pages."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from kimlik.web import (
    admin_pages,
    auth_pages,
    errors,
    import_pages,
    profile_pages,
    quality_pages,
    review_pages,
    search_pages,
)


def install(app: FastAPI) -> None:
    """Add the pages at ``/`` and the assets at ``/static`` (after the API's routers and
    error handlers, which the pages reuse)."""
    static = str(resources.files("kimlik.web") / "static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.include_router(auth_pages.router)
    app.include_router(search_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(review_pages.router)
    app.include_router(import_pages.router)
    app.include_router(quality_pages.router)
    app.include_router(admin_pages.router)
    errors.install(app)
