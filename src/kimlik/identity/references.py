"""How a person names records and profiles in a request.

A record is ``source:record_id`` (``crm:C-001``) or its numeric store id; a profile is its
numeric id, and a profile merged into another stands for that one, so an id copied from
an older listing still leads to the person.
"""

from __future__ import annotations

from sqlalchemy import Connection

from kimlik.errors import DecisionError, UnknownReferenceError
from kimlik.identity import decision_store as store
from kimlik.profiles.repository import profile_state

Reference = str | int
MAX_HOPS = 100  # longest ``merged_into`` chain followed from a profile reference


def record_of(connection: Connection, reference: Reference) -> int:
    """Store id of a record given as ``source:record_id`` or as its store id."""
    text = str(reference).strip()
    if ":" in text:
        source, _, record_id = text.partition(":")
        found = store.find_record(connection, source.strip(), record_id.strip())
    elif text.isdigit():
        found = int(text) if store.describe_records(connection, [int(text)]) else None
    else:
        raise UnknownReferenceError(
            f"record {text!r}: give source:record_id (e.g. crm:C-001) or a store id", text
        )
    if found is None:
        raise UnknownReferenceError(f"no person record {text}", text)
    return found


def profile_of(connection: Connection, reference: Reference) -> int:
    """Id of the active profile a reference stands for (following merges)."""
    text = str(reference).strip()
    if not text.isdigit():
        raise UnknownReferenceError(f"profile {text!r}: give the profile's id (a number)", text)
    profile = int(text)
    for _ in range(MAX_HOPS):
        state = profile_state(connection, profile)
        if state is None:
            raise UnknownReferenceError(f"no profile {text}", text)
        status, merged_into = state
        if status == "active":
            return profile
        if merged_into is None:
            raise DecisionError(f"profile {text} no longer holds any records ({status})")
        profile = merged_into
    raise DecisionError(f"profile {text}: its chain of merges does not end")
