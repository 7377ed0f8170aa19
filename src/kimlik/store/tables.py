"""The store's tables, as SQLAlchemy Core metadata shared by every dialect.

Every record kind keeps the same bookkeeping columns (see ``record_columns``): the raw
payload exactly as received, the content hash that makes re-imports idempotent, the
version counter, and the field issues found while standardizing. Earlier versions live
in ``record_versions``. Typed canonical attributes are real columns so that quality
reports, linking and (later) segments are plain SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit keys on PostgreSQL; SQLite only autoincrements a plain INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")
#: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")
Money = Numeric(18, 4)
Moment = DateTime(timezone=True)


def pk() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


sources = Table(
    "sources",
    metadata,
    pk(),
    Column("name", String(64), nullable=False, unique=True),
    Column("trust_rank", Integer, nullable=False, server_default="100"),
    Column("created_at", Moment, nullable=False),
)

import_runs = Table(
    "import_runs",
    metadata,
    pk(),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_bytes", BigInteger, nullable=True),
    Column("mapping", Json, nullable=False),
    Column("status", String(16), nullable=False),  # running | completed | failed
    Column("error", Text, nullable=True),
    Column("started_at", Moment, nullable=False),
    Column("finished_at", Moment, nullable=True),
    Column("rows_read", BigInteger, nullable=False, server_default="0"),
    Column("rows_new", BigInteger, nullable=False, server_default="0"),
    Column("rows_updated", BigInteger, nullable=False, server_default="0"),
    Column("rows_unchanged", BigInteger, nullable=False, server_default="0"),
    Column("rows_rejected", BigInteger, nullable=False, server_default="0"),
    Column("rows_unlinked", BigInteger, nullable=False, server_default="0"),
    Column("field_issues", Json, nullable=False),  # {"email.invalid": 12, ...}
)


def record_columns() -> list[Column[Any]]:
    """Bookkeeping columns every record kind shares, in one place so kinds cannot drift."""
    return [
        pk(),
        Column("source_id", Id, ForeignKey("sources.id"), nullable=False),
        Column("record_id", String(255), nullable=False),
        Column("version", Integer, nullable=False),
        Column("content_hash", String(32), nullable=False),
        Column("raw", Json, nullable=False),
        Column("custom", Json, nullable=True),
        Column("issues", Json, nullable=True),
        # "|email|phone|": attributes whose value failed validation / was changed by
        # standardization. Delimited text keeps per-attribute counts plain, portable SQL.
        Column("invalid_fields", String(512), nullable=False, server_default=""),
        Column("changed_fields", String(512), nullable=False, server_default=""),
        Column("import_run_id", Id, ForeignKey("import_runs.id"), nullable=False),
        Column("row_number", BigInteger, nullable=False),
        Column("first_seen_at", Moment, nullable=False),
        Column("updated_at", Moment, nullable=False),
    ]


def customer_reference_columns() -> list[Column[Any]]:
    """How related kinds point at a person: the source's customer id, email or phone."""
    return [
        Column("customer_id", String(255), nullable=True),
        Column("customer_email_key", String(320), nullable=True),
        Column("customer_phone", String(32), nullable=True),
        Column("person_record_id", Id, ForeignKey("source_records.id"), nullable=True),
    ]


def _record_table(name: str, *columns: Column[Any], linked: bool = False) -> Table:
    extra = customer_reference_columns() if linked else []
    table = Table(
        name,
        metadata,
        *record_columns(),
        *extra,
        *columns,
        UniqueConstraint("source_id", "record_id", name=f"uq_{name}_source_record"),
    )
    if linked:
        Index(f"ix_{name}_person", table.c.person_record_id)
    return table


source_records = _record_table(
    "source_records",
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("email", String(320)),
    Column("email_key", String(320)),
    Column("phone", String(32)),
    Column("birth_date", Date),
    Column("street", Text),
    Column("city", String(255)),
    Column("region", String(255)),
    Column("postal_code", String(32)),
    Column("country", String(2)),
    Column("company", String(255)),
    Column("job_title", String(255)),
    Column("industry", String(255)),
    Column("gender", String(32)),
    Column("marital_status", String(32)),
    Column("education", String(64)),
    Column("annual_income", Money),
    Column("signed_up_at", Moment),
)
Index("ix_source_records_email_key", source_records.c.email_key)
Index("ix_source_records_phone", source_records.c.phone)
#: id and version of every person record, read without the rows: what resolve looks at
Index("ix_source_records_id_version", source_records.c.id, source_records.c.version)

companies = _record_table(
    "companies",
    Column("name", String(255)),
    Column("domain", String(255)),
    Column("industry", String(255)),
    Column("size", String(64)),
    Column("country", String(2)),
)

orders = _record_table(
    "orders",
    Column("ordered_at", Moment),
    Column("total", Money),
    Column("currency", String(3)),
    Column("status", String(64)),
    Column("channel", String(64)),
    linked=True,
)

order_items = _record_table(
    "order_items",
    Column("order_id", String(255), nullable=False),
    Column("order_row_id", Id, ForeignKey("orders.id"), nullable=True),
    Column("sku", String(255)),
    Column("product_name", Text),
    Column("quantity", Integer),
    Column("unit_price", Money),
)
Index("ix_order_items_order", order_items.c.source_id, order_items.c.order_id)

interactions = _record_table(
    "interactions",
    Column("channel", String(64)),
    Column("occurred_at", Moment),
    Column("department", String(255)),
    Column("agent", String(255)),
    Column("reason", Text),
    Column("outcome", Text),
    linked=True,
)

feedback = _record_table(
    "feedback",
    Column("survey", String(255)),
    Column("question", Text),
    Column("score", Integer),
    Column("comment", Text),
    Column("answered_at", Moment),
    linked=True,
)

consents = _record_table(
    "consents",
    Column("purpose", String(64)),
    Column("channel", String(64)),
    Column("status", String(16)),
    Column("recorded_at", Moment),
    linked=True,
)

record_versions = Table(
    "record_versions",
    metadata,
    pk(),
    Column("record_table", String(32), nullable=False),
    Column("row_id", Id, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("raw", Json, nullable=False),
    Column("attributes", Json, nullable=False),
    Column("import_run_id", Id, ForeignKey("import_runs.id"), nullable=False),
    Column("valid_from", Moment, nullable=False),
    Column("valid_to", Moment, nullable=False),
    Index("ix_record_versions_row", "record_table", "row_id"),
)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    pk(),
    Column("import_run_id", Id, ForeignKey("import_runs.id"), nullable=False, index=True),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("row_number", BigInteger, nullable=False),
    Column("record_id", String(255), nullable=True),
    Column("raw", Json, nullable=False),
    Column("reasons", Json, nullable=False),  # [{"column","value","code","message"}]
    Column("first_code", String(64), nullable=False),
)

#: Record tables by the record kind they store.
RECORD_TABLES: dict[str, Table] = {
    "people": source_records,
    "companies": companies,
    "orders": orders,
    "order_items": order_items,
    "interactions": interactions,
    "feedback": feedback,
    "consents": consents,
}


# --- identity resolution: profiles, members, identities, decisions, review, ledger ----------

resolve_runs = Table(
    "resolve_runs",
    metadata,
    pk(),
    Column("mode", String(16), nullable=False),  # full | incremental
    Column("status", String(16), nullable=False),  # running | completed | failed
    Column("started_at", Moment, nullable=False),
    Column("finished_at", Moment, nullable=True),
    Column("model", Json, nullable=True),  # the Splink model JSON used for scoring
    Column("rules", Json, nullable=True),  # survivorship rules used for golden records
    Column("settings", Json, nullable=False),  # thresholds and limits
    Column("stats", Json, nullable=False),  # counts: records, pairs, links, profiles ...
    Column("error", Text, nullable=True),
)

#: Match features per person record, kept so incremental runs need not recompute them.
match_features = Table(
    "match_features",
    metadata,
    Column("rid", Id, ForeignKey("source_records.id"), primary_key=True, autoincrement=False),
    Column("record_version", Integer, nullable=False),
    Column("features", Json, nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    pk(),
    Column("status", String(16), nullable=False),  # active | merged
    Column("merged_into", Id, ForeignKey("profiles.id"), nullable=True, index=True),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("city", String(255)),
    Column("country", String(2)),
    # the golden first and last name folded (profiles.name_keys.fold), for prefix search,
    # and their sound keys, for similar names
    Column("first_name_fold", String(255)),
    Column("last_name_fold", String(255)),
    Column("first_name_key", String(32)),
    Column("last_name_key", String(32)),
    Column("attributes", Json, nullable=False),  # the golden record
    Column("lineage", Json, nullable=False),  # attribute -> record, source, rule
    Column("record_count", Integer, nullable=False),
    Column("created_at", Moment, nullable=False),
    Column("updated_at", Moment, nullable=False),
    Column("resolve_run_id", Id, ForeignKey("resolve_runs.id"), nullable=True),
)
Index("ix_profiles_email", profiles.c.email)
Index("ix_profiles_phone", profiles.c.phone)
Index("ix_profiles_last_name", profiles.c.last_name)
Index("ix_profiles_name_folds", profiles.c.last_name_fold, profiles.c.first_name_fold)
Index("ix_profiles_name_keys", profiles.c.last_name_key, profiles.c.first_name_key)

profile_members = Table(
    "profile_members",
    metadata,
    Column("rid", Id, ForeignKey("source_records.id"), primary_key=True, autoincrement=False),
    Column("profile_id", Id, ForeignKey("profiles.id"), nullable=False, index=True),
    Column("record_version", Integer, nullable=False),
    Column("linked_by", String(16), nullable=False),  # alone | model | person
    Column("weight", Float, nullable=True),  # match weight of the link that attached it
    Column("linked_at", Moment, nullable=False),
)

profile_identities = Table(
    "profile_identities",
    metadata,
    pk(),
    Column("profile_id", Id, ForeignKey("profiles.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # email | phone | customer_id | user_id ...
    Column("value", String(320), nullable=False),
    Column("record_count", Integer, nullable=False),
    UniqueConstraint("profile_id", "kind", "value", name="uq_profile_identities_value"),
)
Index("ix_profile_identities_lookup", profile_identities.c.kind, profile_identities.c.value)

#: People's decisions: "these two are one person" (merge) or "never" (never_merge).
identity_decisions = Table(
    "identity_decisions",
    metadata,
    pk(),
    Column("kind", String(16), nullable=False),  # merge | never_merge
    Column("record_a", Id, ForeignKey("source_records.id"), nullable=False),
    # record_a is looked up through the pair index; record_b needs its own
    Column("record_b", Id, ForeignKey("source_records.id"), nullable=False, index=True),
    Column("actor", String(128), nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_at", Moment, nullable=False),
    Column("revoked_at", Moment, nullable=True),
    Column("revoked_by", String(128), nullable=True),
    Index("ix_identity_decisions_pair", "record_a", "record_b"),
)

#: Pairs the model was unsure about, waiting for a person.
review_items = Table(
    "review_items",
    metadata,
    pk(),
    Column("record_a", Id, ForeignKey("source_records.id"), nullable=False),
    Column("record_b", Id, ForeignKey("source_records.id"), nullable=False),
    Column("weight", Float, nullable=False),
    Column("evidence", Json, nullable=False),  # comparison -> level label
    Column("status", String(16), nullable=False),  # open | accepted | rejected | resolved
    Column("created_at", Moment, nullable=False),
    Column("decided_at", Moment, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("resolve_run_id", Id, ForeignKey("resolve_runs.id"), nullable=True),
    UniqueConstraint("record_a", "record_b", name="uq_review_items_pair"),
)
# the queue's order (strongest first), so a page or a neighbour is one index range
Index("ix_review_items_queue", review_items.c.status, review_items.c.weight, review_items.c.id)

#: Every profile creation, merge and split, with the evidence and who or what did it.
merge_ledger = Table(
    "merge_ledger",
    metadata,
    pk(),
    Column("at", Moment, nullable=False),
    Column("action", String(32), nullable=False),  # create | join | merge | split | unmerge ...
    Column("profile_id", Id, ForeignKey("profiles.id"), nullable=True, index=True),
    Column("other_profile_id", Id, ForeignKey("profiles.id"), nullable=True, index=True),
    Column("record_ids", Json, nullable=False),
    Column("evidence", Json, nullable=False),
    Column("actor", String(128), nullable=False),  # "resolve" or the person
    Column("resolve_run_id", Id, ForeignKey("resolve_runs.id"), nullable=True),
)
