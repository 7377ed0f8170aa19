"""Queries on the ``sources`` table."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Connection, select

from kimlik.errors import IngestError
from kimlik.store.tables import sources

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def check_source_name(name: str) -> str:
    """Source names are short slugs (``crm``, ``web-shop``): they appear in ids and URLs."""
    slug = name.strip().lower()
    if not _NAME.match(slug):
        raise IngestError(
            f"invalid source name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return slug


def get_or_create_source(connection: Connection, name: str, now: dt.datetime) -> int:
    """The id of source ``name``, creating it on first use."""
    found = connection.execute(select(sources.c.id).where(sources.c.name == name)).scalar()
    if found is not None:
        return int(found)
    statement = sources.insert().values(name=name, created_at=now).returning(sources.c.id)
    return int(connection.execute(statement).scalar_one())


def source_names(connection: Connection, limit: int = 500) -> list[str]:
    """Source names in order, for choosing one (a handful in practice; capped anyway)."""
    query = select(sources.c.name).order_by(sources.c.name).limit(limit)
    return [str(row[0]) for row in connection.execute(query)]
