"""Tables of the server: collected events, the devices that link them, accounts and audit.

Kept apart from ``tables`` (the records and their resolution) because they change for
other reasons; both share one ``metadata``, so migrations and tests see every table.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint

from kimlik.store.tables import Id, Json, Moment, metadata, pk

# --- collection: the Segment-compatible endpoint ------------------------------------------

#: Keys an SDK sends with every batch; they can only collect, into their one source.
write_keys = Table(
    "write_keys",
    metadata,
    pk(),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    # keys are shown once, at creation; only their SHA-256 is kept
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),
    Column("created_at", Moment, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at", Moment, nullable=True),
)

#: Every message an SDK sent, exactly once: (source, messageId) is unique, with no window.
events = Table(
    "events",
    metadata,
    pk(),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False),
    Column("message_id", String(255), nullable=False),
    Column("type", String(16), nullable=False),  # identify | track | page | screen | group | alias
    Column("event", String(255), nullable=True),  # track's event name, page's / screen's name
    Column("user_id", String(255), nullable=True),
    Column("anonymous_id", String(255), nullable=True),
    Column("occurred_at", Moment, nullable=False),  # the client's timestamp, clock skew removed
    Column("received_at", Moment, nullable=False),
    Column("payload", Json, nullable=False),  # the message as sent
    # the person record the stitcher attached the event to; the profile follows from it,
    # so an event moves with its record through every merge and split
    Column("person_record_id", Id, ForeignKey("source_records.id"), nullable=True),
    Column("stitched_at", Moment, nullable=True),
    UniqueConstraint("source_id", "message_id", name="uq_events_message"),
)
Index(
    "ix_events_pending",
    events.c.id,
    postgresql_where=events.c.stitched_at.is_(None),
    sqlite_where=events.c.stitched_at.is_(None),
)
Index("ix_events_user", events.c.source_id, events.c.user_id)
Index("ix_events_anonymous", events.c.source_id, events.c.anonymous_id)
Index("ix_events_person", events.c.person_record_id)

#: Messages an SDK sent that could not be taken, with the reason: kept for review.
rejected_events = Table(
    "rejected_events",
    metadata,
    pk(),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False),
    Column("message_id", String(255), nullable=True),
    Column("code", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Json, nullable=True),
    Column("received_at", Moment, nullable=False),
    UniqueConstraint("source_id", "message_id", name="uq_rejected_events_message"),
)

#: Which signed-in users each browser or device (anonymousId) has carried.
device_users = Table(
    "device_users",
    metadata,
    pk(),
    Column("source_id", Id, ForeignKey("sources.id"), nullable=False),
    Column("anonymous_id", String(255), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("first_seen_at", Moment, nullable=False),
    UniqueConstraint("source_id", "anonymous_id", "user_id", name="uq_device_users_link"),
)

# --- accounts, keys, sessions, audit --------------------------------------------------------

users = Table(
    "users",
    metadata,
    pk(),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # admin | analyst | agent | marketer
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("created_at", Moment, nullable=False),
    Column("disabled_at", Moment, nullable=True),
    Column("last_login_at", Moment, nullable=True),
)

#: Bearer tokens for the management API, each with its own scopes.
api_keys = Table(
    "api_keys",
    metadata,
    pk(),
    Column("name", String(128), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),
    Column("scopes", Json, nullable=False),  # permission names
    Column("created_at", Moment, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at", Moment, nullable=True),
    Column("last_used_at", Moment, nullable=True),
)

#: Signed-in browsers: the cookie holds the token, the store only its SHA-256.
sessions = Table(
    "sessions",
    metadata,
    pk(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", Moment, nullable=False),
    Column("expires_at", Moment, nullable=False),
)

#: Who read a full profile, exported, merged, created a key ... and when.
audit_log = Table(
    "audit_log",
    metadata,
    pk(),
    Column("at", Moment, nullable=False, index=True),
    Column("actor", String(160), nullable=False),  # user:ID email | key:ID name | cli
    Column("action", String(64), nullable=False),  # profile.read, export, merge ...
    Column("target", String(255), nullable=True),  # profile:12, user:3 ...
    Column("detail", Json, nullable=False),
    Column("client", String(64), nullable=True),  # the caller's address
)
Index("ix_audit_log_target", audit_log.c.target)
# the log pages newest first by id; filtered by action or actor, each is one index range
Index("ix_audit_log_action", audit_log.c.action, audit_log.c.id)
Index("ix_audit_log_actor", audit_log.c.actor, audit_log.c.id)
