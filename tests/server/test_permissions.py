"""The permission walk: every ``/api/v1`` route, called by every role and by nobody.

Routes are read from the app itself, so a router added tomorrow is walked too. Each route's
permission comes from its ``require(...)`` dependency; a route with none fails the walk
unless it is one of the few that need only a signed-in caller, or the public sign-in.
Anonymous callers must get 401, roles without the permission 403, roles with it anything
but 401, 403 or a 500. Bodies are deliberately invalid (``{}``): a 401 or 403 for them
proves authorization runs before the body is validated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant

from kimlik.access.permissions import ROLES, Permission
from kimlik.api.deps import current_principal
from kimlik.app import create_app
from kimlik.config import Settings
from tests.server.conftest import LiveServer

PUBLIC = {("POST", "/api/v1/auth/login")}
#: routes any signed-in caller may use, whatever its permissions
AUTHENTICATED_ONLY = {("POST", "/api/v1/auth/logout"), ("GET", "/api/v1/auth/me")}

#: The matrix as agreed (docs/server.md). Changing ``ROLES`` is deliberate: change this too.
MATRIX = {
    "admin": set(Permission),
    "analyst": {Permission.PROFILES_READ, Permission.IMPORTS_READ, Permission.QUALITY_READ},
    "agent": {Permission.PROFILES_READ, Permission.PROFILES_PERSONAL, Permission.IDENTITY_DECIDE},
    "marketer": {Permission.PROFILES_READ, Permission.PROFILES_PERSONAL, Permission.QUALITY_READ},
}

#: Routes whose permission this walk pins down (others are walked with whatever they declare).
PINNED = {
    ("POST", "/api/v1/sources/{source}/records"): {Permission.RECORDS_WRITE},
    ("GET", "/api/v1/imports"): {Permission.IMPORTS_READ},
    ("GET", "/api/v1/imports/{run_id}"): {Permission.IMPORTS_READ},
    ("GET", "/api/v1/quality"): {Permission.QUALITY_READ},
    ("GET", "/api/v1/sources"): {Permission.SOURCES_MANAGE},
    ("POST", "/api/v1/sources"): {Permission.SOURCES_MANAGE},
    ("GET", "/api/v1/sources/{source}/write-keys"): {Permission.SOURCES_MANAGE},
    ("POST", "/api/v1/sources/{source}/write-keys"): {Permission.SOURCES_MANAGE},
    ("DELETE", "/api/v1/write-keys/{key_id}"): {Permission.SOURCES_MANAGE},
    ("GET", "/api/v1/sources/{source}/rejected-events"): {Permission.SOURCES_MANAGE},
    ("GET", "/api/v1/users"): {Permission.USERS_MANAGE},
    ("POST", "/api/v1/users"): {Permission.USERS_MANAGE},
    ("PATCH", "/api/v1/users/{user_id}"): {Permission.USERS_MANAGE},
    ("GET", "/api/v1/api-keys"): {Permission.USERS_MANAGE},
    ("POST", "/api/v1/api-keys"): {Permission.USERS_MANAGE},
    ("DELETE", "/api/v1/api-keys/{key_id}"): {Permission.USERS_MANAGE},
    ("GET", "/api/v1/audit"): {Permission.AUDIT_READ},
    ("GET", "/api/v1/exports/profiles"): {Permission.PROFILES_READ},
}

#: Every path parameter: an id or a name (a source's, a profile reference) that names
#: nothing, so an allowed caller gets a 404 and nothing changes.
MISSING = "999999999"


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every route of the app, included routers flattened (FastAPI >= 0.12x nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat already
        yield from app.routes
        return
    yield from iter_route_contexts(app.routes)


def requirements(dependant: Dependant) -> tuple[set[Permission], bool]:
    """The permissions a route's dependencies require, and whether it authenticates at all."""
    permissions: set[Permission] = set()
    authenticates = False
    for dependency in dependant.dependencies:
        call = dependency.call
        if isinstance(getattr(call, "permission", None), Permission):
            permissions.add(call.permission)  # type: ignore[union-attr]
        authenticates |= call is current_principal
        inner, inner_authenticates = requirements(dependency)
        permissions |= inner
        authenticates |= inner_authenticates
    return permissions, authenticates


def walked_routes(app: FastAPI) -> list[tuple[str, str, str, set[Permission] | None]]:
    """(method, path template, concrete path, permissions or None for authentication only)."""
    found = []
    for route in api_routes(app):
        path = getattr(route, "path", None) or ""
        dependant = getattr(route, "dependant", None)
        if not path.startswith("/api/v1/") or dependant is None:
            continue
        permissions, authenticates = requirements(dependant)
        concrete = path
        for param in dependant.path_params:
            concrete = concrete.replace(f"{{{param.name}}}", MISSING)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            key = (method, path)
            if key in PUBLIC:
                assert not permissions and not authenticates, f"{key} is public on purpose"
                continue
            if key in AUTHENTICATED_ONLY:
                assert authenticates and not permissions, f"{key}: authentication only"
                found.append((method, path, concrete, None))
                continue
            assert authenticates, f"{method} {path} lets anyone in: declare require(...)"
            assert permissions, f"{method} {path} checks no permission: declare require(...)"
            found.append((method, path, concrete, permissions))
    return found


@pytest.fixture
def app() -> FastAPI:
    return create_app(Settings(database_url="sqlite://", stitch=False))


def test_the_matrix_is_the_agreed_one() -> None:
    assert {role: set(permissions) for role, permissions in ROLES.items()} == MATRIX


def test_every_route_declares_its_permission(app: FastAPI) -> None:
    walked = {(method, path): permissions for method, path, _c, permissions in walked_routes(app)}
    assert len(walked) >= len(PINNED) + len(AUTHENTICATED_ONLY)
    assert {key: walked.get(key) for key in PINNED} == PINNED


def test_every_role_gets_exactly_its_routes(live_server: LiveServer) -> None:
    routes = walked_routes(create_app(live_server.settings))
    wrong: list[str] = []
    for role in [None, *ROLES]:
        with live_server.client(role) as client:
            for method, path, concrete, permissions in routes:
                body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
                status = client.request(method, concrete, **body).status_code
                if role is None:
                    expected = "401"
                    ok = status == 401
                elif permissions is not None and not permissions <= ROLES[role]:
                    expected = "403"
                    ok = status == 403
                else:
                    expected = "not 401/403/500"
                    ok = status not in {401, 403, 500}
                if not ok:
                    wrong.append(
                        f"{role or 'anonymous'} {method} {path}: {status}, want {expected}"
                    )
    assert wrong == []


@pytest.mark.parametrize(
    ("dependency", "problem"),
    [(None, "lets anyone in"), (current_principal, "checks no permission")],
    ids=["public", "authentication only"],
)
def test_a_route_without_a_permission_fails_the_walk(
    app: FastAPI, dependency: Any, problem: str
) -> None:
    dependencies = [Depends(dependency)] if dependency else []

    @app.get("/api/v1/forgotten", dependencies=dependencies)
    def forgotten() -> dict[str, str]:
        return {}

    with pytest.raises(AssertionError, match=problem):
        walked_routes(app)
