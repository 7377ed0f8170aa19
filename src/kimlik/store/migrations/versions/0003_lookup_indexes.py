"""indexes for the lookups of profiles and people's decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00.000000

Following a merged profile to the one that absorbed it, listing a profile's ledger
(``other_profile_id``) and finding the decisions about a record (``record_b``; ``record_a``
is served by ``ix_identity_decisions_pair``) scanned whole tables without these.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: (index, table, column), named as ``tables.py``'s naming convention names them.
INDEXES = (
    ("ix_profiles_merged_into", "profiles", "merged_into"),
    ("ix_merge_ledger_other_profile_id", "merge_ledger", "other_profile_id"),
    ("ix_identity_decisions_record_b", "identity_decisions", "record_b"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
