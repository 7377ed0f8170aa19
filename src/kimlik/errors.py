"""Kimlik's exception tree: domain errors carry no HTTP codes or exit codes.

Delivery layers (``cli/``, later ``api/``) map them to what their users see::

    KimlikError                      base of everything Kimlik raises on purpose
    ├── ConfigurationError           settings that cannot work (bad database URL)
    ├── StoreError                   the database could not be opened, migrated or written
    └── IngestError                  a file import that cannot start or must stop as a whole
        ├── UnreadableFileError      missing, undecodable or malformed file
        ├── UnknownKindError         ``--kind`` names no record kind
        └── MappingError             a mapping file that is unreadable or names unknown attributes

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
