"""Every page asks for a permission, and the menu and the pages agree with the roles.

Walks the app's own routes, like ``tests/server/test_permissions.py`` does for the API:
a page added without a ``page(permission)`` dependency, or one a role can open although
its menu hides it, fails here. Plain HTTP against a live server: no browser needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from kimlik.access.permissions import ROLES, Permission
from kimlik.access.secrets import csrf_token
from kimlik.app import create_app
from kimlik.config import Settings
from kimlik.web.errors import NOT_PAGES
from kimlik.web.nav import PAGES
from tests.server.conftest import PASSWORD, LiveServer
from tests.server.test_permissions import MISSING, api_routes

#: Pages anyone may open: the sign-in form itself.
OPEN_PAGES = {("GET", "/login"), ("POST", "/login")}
SIGN_OUT = ("POST", "/logout")


def page_routes() -> list[tuple[str, str, Permission | None]]:
    """(method, path, permission) of every page route; permission None: signed in only."""
    app = create_app(Settings(database_url="sqlite://"))
    found = []
    for route in api_routes(app):
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path.startswith(NOT_PAGES):
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if (method, route.path) in OPEN_PAGES:
                continue
            checks = [
                dependency.call
                for dependency in dependant.dependencies
                if hasattr(dependency.call, "permission")
            ]
            assert len(checks) == 1, f"{method} {route.path} has no page(permission) dependency"
            found.append((method, route.path, checks[0].permission))  # type: ignore[attr-defined]
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", MISSING, path)


@pytest.fixture
def sessions(live_server: LiveServer, users: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    """role -> a client signed in through the sign-in form, sending its CSRF token."""
    clients = {}
    secret = live_server.settings.secret_key.get_secret_value()
    for role, email in users.items():
        client = httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30)
        answer = client.post("/login", data={"email": email, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        client.headers["X-CSRF-Token"] = csrf_token(secret, client.cookies["kimlik_session"])
        clients[role] = client
    yield clients
    for client in clients.values():
        client.close()


def test_every_page_route_declares_a_permission() -> None:
    routes = page_routes()
    assert ("GET", "/", Permission.PROFILES_READ) in routes
    assert len(routes) >= 4


def test_signed_out_visitors_are_sent_to_sign_in(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30) as client:
        for method, path, _permission in page_routes():
            answer = client.request(method, concrete(path))
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/login"), (method, path)


def test_roles_reach_exactly_the_pages_they_may(sessions: dict[str, httpx.Client]) -> None:
    for role, client in sessions.items():
        for method, path, permission in page_routes():
            if (method, path) == SIGN_OUT:  # would end the session the walk goes on with
                continue
            answer = client.request(method, concrete(path))
            allowed = permission is None or permission in ROLES[role]
            if allowed:
                assert answer.status_code not in (401, 403), (role, method, path, answer.text)
                assert answer.status_code < 500, (role, method, path, answer.text)
            else:
                assert answer.status_code == 403, (role, method, path, answer.status_code)
                assert "text/html" in answer.headers["content-type"]
                assert "Not allowed" in answer.text


def test_menu_shows_each_role_only_its_pages(sessions: dict[str, httpx.Client]) -> None:
    for role, client in sessions.items():
        html = client.get("/").text if Permission.PROFILES_READ in ROLES[role] else ""
        for label, href, permission in PAGES:
            shown = f'href="{href}"' in html and f">{label}</a>" in html
            assert shown == (permission in ROLES[role]), (role, label)


def test_a_change_without_the_csrf_token_is_refused(
    sessions: dict[str, httpx.Client], live_server: LiveServer
) -> None:
    client = sessions["admin"]
    answer = client.post("/logout", headers={"X-CSRF-Token": "forged"})
    assert answer.status_code == 403 and "another site" in answer.text
    assert client.get("/").status_code == 200  # still signed in
    answer = client.post("/logout")
    assert answer.status_code == 303
    assert client.get("/").status_code == 303


def test_sign_in_form_rejects_bad_input_and_foreign_redirects(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30) as client:
        assert client.post("/login", data={"email": "", "password": ""}).status_code == 422
        wrong = client.post("/login", data={"email": "nobody@example.com", "password": "x"})
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        assert client.get("/login?next=//evil.example/").status_code == 200
        assert 'value="/"' in client.get("/login?next=https://evil.example/").text
