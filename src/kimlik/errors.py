"""Kimlik's exception tree: domain errors carry no HTTP codes or exit codes.

Delivery layers (``cli/``, later ``api/``) map them to what their users see::

    KimlikError                      base of everything Kimlik raises on purpose
    ├── ConfigurationError           settings that cannot work (bad database URL)
    ├── StoreError                   the database could not be opened, migrated or written
    ├── IngestError                  a file import that cannot start or must stop as a whole
    │   ├── UnreadableFileError      missing, undecodable or malformed file
    │   ├── UnknownKindError         ``--kind`` names no record kind
    │   └── MappingError             a mapping file that is unreadable or names unknown attributes
    ├── ProfileLookupError           a reference (id, email, phone, source:record_id) names no
    │   │                            single active profile
    │   ├── ProfileNotFoundError     nothing matches
    │   └── AmbiguousProfileError    several profiles match; ``candidates`` lists their ids
    ├── DecisionError                a person's identity decision that cannot be carried out
    │   │                            (record not in that profile, review item not open ...)
    │   ├── UnknownReferenceError    a record, profile, review item or decision reference
    │   │                            names nothing in the store
    │   └── DecisionConflictError    contradicts an active decision: revoke that one first
    ├── ExportError                  an export file that cannot be written (unknown extension,
    │                                unwritable path)
    ├── AccessError                  who may do what
    │   ├── AuthenticationError      no credentials, or wrong, expired or revoked ones
    │   ├── PermissionDeniedError    known caller, not allowed to do this
    │   └── RateLimitedError         too many attempts; ``retry_after`` seconds to wait
    ├── AccountError                 a user, key or source request that cannot be carried out
    │                                (duplicate email, weak password, unknown role or scope)
    └── CollectError                 an SDK batch that cannot be taken as a whole
        ├── MalformedBatchError      not JSON, not a batch, a message without a type ...
        └── PayloadTooLargeError     over the batch or message size limit

A bad *row* is never an exception: it is a rejection stored with its reasons, and the
rest of the file still lands.
"""

from __future__ import annotations


class KimlikError(Exception):
    """Base class: catching this catches every error Kimlik raises deliberately."""


class ConfigurationError(KimlikError):
    """Settings that cannot work."""


class StoreError(KimlikError):
    """The database could not be opened, migrated or written."""


class IngestError(KimlikError):
    """An import that cannot start, or must be abandoned as a whole."""


class UnreadableFileError(IngestError):
    """The file is missing, cannot be decoded, or is not CSV / JSON Lines."""


class UnknownKindError(IngestError):
    """``--kind`` names no record kind."""


class MappingError(IngestError):
    """The mapping file cannot be read or names unknown attributes or settings."""


class ProfileLookupError(KimlikError):
    """A profile reference that does not lead to exactly one active profile."""


class ProfileNotFoundError(ProfileLookupError):
    """No active profile matches the reference."""


class AmbiguousProfileError(ProfileLookupError):
    """Several active profiles match the reference; the message lists them."""

    def __init__(self, message: str, candidates: list[int]) -> None:
        super().__init__(message)
        self.candidates = candidates


class ExportError(KimlikError):
    """An export that cannot be written: unknown file extension or unwritable path."""


class AccessError(KimlikError):
    """Who may do what."""


class AuthenticationError(AccessError):
    """No credentials, or wrong, expired or revoked ones."""


class PermissionDeniedError(AccessError):
    """The caller is known but may not do this; ``permission`` names what is missing."""

    def __init__(self, message: str, permission: str) -> None:
        super().__init__(message)
        self.permission = permission


class RateLimitedError(AccessError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountError(KimlikError):
    """A user, key or source request that cannot be carried out."""


class CollectError(KimlikError):
    """An SDK request that cannot be taken as a whole; nothing of it was stored."""


class MalformedBatchError(CollectError):
    """Not JSON, not a batch, or a message that breaks the protocol; the message says where."""


class PayloadTooLargeError(CollectError):
    """A batch or a single message over its size limit."""


class DecisionError(KimlikError):
    """A merge, unmerge, never-merge, review or revoke request that cannot be carried out."""


class UnknownReferenceError(DecisionError):
    """A record (``source:record_id`` or store id), profile, review item or decision
    reference that names nothing in the store; ``reference`` is the text as given."""

    def __init__(self, message: str, reference: str) -> None:
        super().__init__(message)
        self.reference = reference


class DecisionConflictError(DecisionError):
    """The request contradicts an active decision (e.g. merging across a never-merge pair);
    ``decisions`` lists the ids a person would have to revoke first."""

    def __init__(self, message: str, decisions: list[int]) -> None:
        super().__init__(message)
        self.decisions = decisions
