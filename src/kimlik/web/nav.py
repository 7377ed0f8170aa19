"""The navigation: each role sees only the pages it may open."""

from __future__ import annotations

from dataclasses import dataclass

from kimlik.access.permissions import Permission
from kimlik.access.principal import Principal


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    href: str
    permission: Permission
    current: bool = False


#: Label, address and the permission that opens it, in menu order.
PAGES: tuple[tuple[str, str, Permission], ...] = (
    ("Customers", "/", Permission.PROFILES_READ),
    ("Duplicates", "/review", Permission.IDENTITY_DECIDE),
    ("Imports", "/imports", Permission.IMPORTS_READ),
    ("Data quality", "/quality", Permission.QUALITY_READ),
    ("Sources", "/admin/sources", Permission.SOURCES_MANAGE),
    ("Users", "/admin/users", Permission.USERS_MANAGE),
    ("Audit log", "/admin/audit", Permission.AUDIT_READ),
)


def menu(principal: Principal, path: str) -> list[Item]:
    """The pages ``principal`` may open; the one at ``path`` marked current."""
    return [
        Item(label, href, permission, _under(path, href))
        for label, href, permission in PAGES
        if principal.can(permission)
    ]


def _under(path: str, href: str) -> bool:
    if href == "/":
        return path == "/" or path.startswith(("/search", "/profiles"))
    return path == href or path.startswith(href + "/")
