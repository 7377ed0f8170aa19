"""Who is asking: a signed-in user, an API key, or the command line."""

from __future__ import annotations

from dataclasses import dataclass

from kimlik.access.permissions import ROLES, Permission
from kimlik.errors import PermissionDeniedError


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, with what it may do."""

    kind: str  # user | key | cli
    id: int | None
    name: str
    permissions: frozenset[Permission]
    role: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log and identity decisions name the caller."""
        if self.kind == "cli":
            return f"cli:{self.name}"
        return f"{self.kind}:{self.id} {self.name}"

    @property
    def sees_personal(self) -> bool:
        return Permission.PROFILES_PERSONAL in self.permissions

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise PermissionDeniedError(f"{self.actor} lacks {permission.value}", permission.value)


def command_line(user: str) -> Principal:
    """Whoever runs the CLI holds the database, so holds every permission."""
    return Principal("cli", None, user, ROLES["admin"], "admin")
