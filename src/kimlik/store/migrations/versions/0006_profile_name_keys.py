"""profiles' names folded and keyed, for prefix and misspelled-name search

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15 10:00:00.000000

A search for "Yilmas" or "Jon Smit" finds Yılmaz and John Smith by the sound keys of the
golden first and last name (``kimlik.profiles.name_keys``), sought through
``ix_profiles_name_keys``. A prefix search ("yilmaz" for Yılmaz) seeks the names folded,
``ix_profiles_name_folds``: before, the store could not fold, so a misspelled common name
("Yilmas") read every Yılmaz to find none (10 s at a million profiles). Profiles written
before this revision get both here, in batches of ``BATCH`` by id, so a million profiles
never sit in memory at once; later profiles get theirs from the resolve run that writes
them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kimlik.profiles.name_keys import name_columns

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Profiles keyed per round of the backfill.
BATCH = 5000
#: The columns added, as ``name_keys.name_columns`` names them.
COLUMNS = ("first_name_fold", "last_name_fold", "first_name_key", "last_name_key")
#: (index, its columns)
INDEXES = (
    ("ix_profiles_name_folds", ["last_name_fold", "first_name_fold"]),
    ("ix_profiles_name_keys", ["last_name_key", "first_name_key"]),
)

_profiles = sa.table(
    "profiles",
    sa.column("id", sa.BigInteger()),
    sa.column("first_name", sa.String()),
    sa.column("last_name", sa.String()),
    *(sa.column(name, sa.String()) for name in COLUMNS),
)


def upgrade() -> None:
    for name in COLUMNS:
        length = 32 if name.endswith("_key") else 255
        op.add_column("profiles", sa.Column(name, sa.String(length=length), nullable=True))
    backfill(op.get_bind())
    for index, columns in INDEXES:
        op.create_index(index, "profiles", columns, unique=False)


def backfill(connection: sa.Connection) -> None:
    """Key every profile that has a name, ``BATCH`` at a time in id order (the index is
    built after, once, rather than kept up to date row by row)."""
    p = _profiles.c
    write = (
        sa.update(_profiles)
        .where(p.id == sa.bindparam("profile_key"))
        .values({name: sa.bindparam(f"new_{name}") for name in COLUMNS})
    )
    after = 0
    while True:
        statement = (
            sa.select(p.id, p.first_name, p.last_name)
            .where(p.id > after, sa.or_(p.first_name.is_not(None), p.last_name.is_not(None)))
            .order_by(p.id)
            .limit(BATCH)
        )
        rows = [(int(row[0]), row[1], row[2]) for row in connection.execute(statement)]
        if not rows:
            return
        connection.execute(
            write,
            [
                {
                    "profile_key": pid,
                    **{f"new_{k}": v for k, v in name_columns(first, last).items()},
                }
                for pid, first, last in rows
            ],
        )
        after = rows[-1][0]


def downgrade() -> None:
    for index, _ in reversed(INDEXES):
        op.drop_index(index, table_name="profiles")
    with op.batch_alter_table("profiles") as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
