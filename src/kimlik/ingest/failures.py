"""Database errors met while an import writes, as Kimlik's errors, at one boundary.

They come through SQLAlchemy, or straight from the driver (``sqlite3``, ``psycopg``) where
the bulk inserter uses it directly. A value the database refuses is the data's fault (an
``IngestError``: retrying cannot help); anything else is the store's (a ``StoreError``).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from kimlik.errors import IngestError, KimlikError, StoreError


def write_failure(engine: Engine, exc: BaseException) -> KimlikError | None:
    """``exc`` as Kimlik's error; None when it is no database error (it stays as it is)."""
    dbapi = engine.dialect.dbapi
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(exc, SQLAlchemyError) and not (dbapi and isinstance(exc, dbapi.Error)):
        return None
    if (problem := _refused_value(error)) is not None:
        return IngestError(problem)
    if isinstance(exc, IntegrityError) or (dbapi and isinstance(error, dbapi.IntegrityError)):
        # two imports (two API requests, say) inserting the same new records at once
        return StoreError(
            "another import wrote some of the same records at the same moment; nothing "
            "from this one was kept: send it again (it is idempotent)"
        )
    return StoreError(f"import failed while writing: {exc.__class__.__name__}: {exc}")


def _refused_value(error: BaseException | None) -> str | None:
    """What a database refusing a *value* (SQLSTATE class 22: too long, out of range) means.

    The data's fault, not the store's: retrying cannot help, so it is an ``IngestError``
    (a 400, exit status 1), not a ``StoreError``. SQLite never refuses these; PostgreSQL
    does, through SQLAlchemy or straight from the driver's COPY. The text names the
    column but never the value, which may be personal.
    """
    state = getattr(error, "sqlstate", None)
    if not isinstance(state, str) or not state.startswith("22"):
        return None
    context = str(getattr(getattr(error, "diag", None), "context", None) or "")
    column = re.search(r"column (\w+)", context)
    where = f" of column {column[1]}" if column else ""
    what = {"22001": "too long", "22003": "out of range"}.get(state, "not storable")
    return f"a value{where} is {what} for the store ({state}); nothing from this import was kept"
