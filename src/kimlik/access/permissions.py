"""The permission matrix: what each role may do, as data the API and the docs both read.

A user has one role; an API key has scopes, which are permission names. Personal fields
are masked in every answer to a caller without ``profiles.personal``.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """One thing a caller may do; API key scopes use these names."""

    PROFILES_READ = "profiles.read"  # search, profile detail and timeline, masked
    PROFILES_PERSONAL = "profiles.personal"  # see personal fields unmasked
    IDENTITY_DECIDE = "identity.decide"  # merge, unmerge, never-merge, review
    RECORDS_WRITE = "records.write"  # batch upsert of a source's records
    IMPORTS_READ = "imports.read"
    IMPORTS_RUN = "imports.run"  # upload a file and import it (web UI, like `kimlik import`)
    QUALITY_READ = "quality.read"
    SOURCES_MANAGE = "sources.manage"  # sources and their write keys
    USERS_MANAGE = "users.manage"  # users and API keys
    AUDIT_READ = "audit.read"


ROLES: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    # reads everything, but aggregates need no names, emails or phone numbers
    "analyst": frozenset(
        {
            Permission.PROFILES_READ,
            Permission.IMPORTS_READ,
            Permission.QUALITY_READ,
        }
    ),
    # support looks callers up by phone and fixes the duplicates they find
    "agent": frozenset(
        {
            Permission.PROFILES_READ,
            Permission.PROFILES_PERSONAL,
            Permission.IDENTITY_DECIDE,
        }
    ),
    # marketing reaches people, so sees their contact details, and watches data quality
    "marketer": frozenset(
        {
            Permission.PROFILES_READ,
            Permission.PROFILES_PERSONAL,
            Permission.QUALITY_READ,
        }
    ),
}

#: Attributes that identify a person; masked for callers without ``profiles.personal``.
PERSONAL_FIELDS = frozenset(
    {"first_name", "last_name", "email", "phone", "birth_date", "street", "postal_code"}
)
#: Identity kinds whose values are personal (a user id or card number is as good as a name).
PERSONAL_IDENTITIES = frozenset({"email", "phone", "user_id", "anonymous_id", "customer_id"})
MASK = "•••"


def role_permissions(role: str) -> frozenset[Permission]:
    """The permissions of ``role``; unknown roles have none."""
    return ROLES.get(role, frozenset())


def parse_scopes(names: list[str]) -> frozenset[Permission]:
    """Scope names to permissions; an unknown name raises ValueError naming it."""
    known = {permission.value: permission for permission in Permission}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return frozenset(known[name] for name in names)


def mask(value: object) -> object:
    """What a caller without ``profiles.personal`` sees instead of a personal value."""
    return None if value is None else MASK
