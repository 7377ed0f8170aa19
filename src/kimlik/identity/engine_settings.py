"""The matcher's knobs from an installation's settings: one conversion for CLI and server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import make_url

from kimlik.config import Settings

if TYPE_CHECKING:
    from kimlik.resolve.engine import EngineSettings


def engine_settings(settings: Settings) -> EngineSettings:
    """The matcher's knobs from the installation's settings."""
    from kimlik.resolve.engine import EngineSettings  # DuckDB and pyarrow: resolving only

    return EngineSettings(
        link_weight=settings.resolve_link_weight,
        review_weight=settings.resolve_review_weight,
        max_block=settings.resolve_max_block,
        identifiers=tuple(settings.resolve_identifiers),
        index_path=match_index_path(settings),
    )


def match_index_path(settings: Settings) -> str | None:
    """Where the match index lives between runs: ``KIMLIK_RESOLVE_INDEX``, else beside a
    SQLite database file; ``memory`` (or a server database with no path set) keeps none."""
    if settings.resolve_index:
        return None if settings.resolve_index == "memory" else settings.resolve_index
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return f"{url.database}.match.duckdb"
    return None
