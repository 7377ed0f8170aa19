"""Users and API keys: ``/admin/users``.

Every change calls the management API's endpoint function (``kimlik.api.users``), so the
rules (password strength, the last admin) and the audit entries are exactly the API's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from kimlik.access import admin
from kimlik.access.passwords import MIN_LENGTH, check_strength
from kimlik.access.permissions import ROLES, Permission
from kimlik.api import users as users_api
from kimlik.errors import AccountError
from kimlik.web.admin_forms import (
    done_message,
    field_problems,
    forget_token,
    remember_token,
    take_token,
)
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Page, Depends(page(Permission.USERS_MANAGE))]
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
#: the "access" choice of a new API key that means "the scopes ticked"
CHOSEN = "chosen"
USER_HINTS = {
    "email": "Email: enter the person's email address.",
    "name": "Name: at most 255 characters.",
    "role": f"Role: choose one of {', '.join(ROLES)}.",
    "password": f"Password: at least {MIN_LENGTH} characters, no spaces at either end.",
}
KEY_HINTS = {
    "name": "Key name: enter a name of 1 to 128 characters, e.g. nightly export.",
    "scopes": "Scopes: tick at least one scope, or give the key a role's permissions.",
}
DONE = {
    "created": "User {email} created. They can sign in now.",
    "role": "{email} is now {role}.",
    "disabled": "{email} is disabled and signed out everywhere.",
    "enabled": "{email} can sign in again.",
    "key-revoked": "API key revoked: it stops working at once.",
}
BLANK_USER = {"email": "", "name": "", "role": "agent"}
BLANK_KEY: dict[str, Any] = {"name": "", "access": CHOSEN, "scopes": []}


@router.get("/admin/users")
def users_page(current: Manager, done: str = "", user: int = 0) -> Response:
    users = _users(current)
    shown = next((item for item in users if item["id"] == user), None)
    values = {"email": shown["email"], "role": shown["role"]} if shown else {}
    notice = done_message(DONE, done, **values) if shown or done == "key-revoked" else None
    return _view(current, notice=notice)


def _users(current: Page) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = users_api.list_users(current.principal, current.state)["items"]
    return items


def _view(
    current: Page,
    *,
    user_form: dict[str, str] | None = None,
    user_problems: dict[str, str] | None = None,
    key_form: dict[str, Any] | None = None,
    key_problems: dict[str, str] | None = None,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    keys = users_api.list_api_keys(current.principal, current.state)["items"]
    context = current.context(
        "Users and API keys",
        users=_users(current),
        keys=sorted(keys, key=lambda key: (key["revoked_at"] is not None, -key["id"])),
        roles=list(ROLES),
        scopes=[permission.value for permission in Permission],
        role_scopes={role: admin.role_scopes(role) for role in ROLES},
        user_form=user_form or BLANK_USER,
        user_problems=user_problems or {},
        key_form=key_form or BLANK_KEY,
        key_problems=key_problems or {},
        notice=notice,
        error=error,
        min_length=MIN_LENGTH,
        chosen=CHOSEN,
    )
    return render("admin_users.html", context, status)


@router.post("/admin/users")
def create_user(
    current: Manager,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    form = {"email": email, "name": name, "role": role}
    hints = dict(USER_HINTS)
    if problem := check_strength(password):  # the service's rule, in its own words
        hints["password"] = f"Password: {problem}."
    try:
        body = users_api.NewUser(
            email=email.strip(), name=name.strip(), role=role, password=password
        )
    except ValidationError as exc:
        return _view(current, user_form=form, user_problems=field_problems(exc, hints), status=422)
    try:
        made = users_api.create_user(body, current.request, current.principal, current.state)
    except AccountError as exc:
        field = "password" if "password" in str(exc) else "email"
        label = field.title()
        return _view(current, user_form=form, user_problems={field: f"{label}: {exc}."}, status=400)
    return RedirectResponse(f"/admin/users?done=created&user={made['id']}", status_code=303)


def _change(current: Page, user_id: int, done: str, **change: Any) -> Response:
    try:
        body = users_api.UserChange(**change)
    except ValidationError:
        roles = ", ".join(ROLES)
        return _view(current, error=f"Role: choose one of {roles}.", status=422)
    try:
        users_api.change_user(body, current.request, current.principal, current.state, user_id)
    except AccountError as exc:
        return _view(current, error=f"Not changed: {exc}.", status=400)
    return RedirectResponse(f"/admin/users?done={done}&user={user_id}", status_code=303)


@router.post("/admin/users/{user_id}/role")
def change_role(current: Manager, user_id: Id, role: Annotated[str, Form()] = "") -> Response:
    return _change(current, user_id, "role", role=role)


@router.post("/admin/users/{user_id}/disable")
def disable_user(current: Manager, user_id: Id) -> Response:
    return _change(current, user_id, "disabled", disabled=True)


@router.post("/admin/users/{user_id}/enable")
def enable_user(current: Manager, user_id: Id) -> Response:
    return _change(current, user_id, "enabled", disabled=False)


@router.post("/admin/users/api-keys")
def create_api_key(
    current: Manager,
    name: Annotated[str, Form()] = "",
    access: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = scopes or []
    form = {"name": name, "access": access, "scopes": chosen}
    if access in ROLES:
        chosen = admin.role_scopes(access)
    elif access != CHOSEN:
        problems = {"access": f"Access: choose a role or '{CHOSEN} scopes'."}
        return _view(current, key_form=form, key_problems=problems, status=422)
    try:
        body = users_api.NewApiKey(name=name.strip(), scopes=chosen)
    except ValidationError as exc:
        problems = field_problems(exc, KEY_HINTS)
        return _view(current, key_form=form, key_problems=problems, status=422)
    made = users_api.create_api_key(body, current.request, current.principal, current.state)
    path = f"/admin/users/api-keys/{made['id']}"
    response = RedirectResponse(path, status_code=303)
    remember_token(response, current, "api", int(made["id"]), str(made["token"]), path)
    return response


def _api_key(current: Page, key_id: int) -> dict[str, Any]:
    keys = users_api.list_api_keys(current.principal, current.state)["items"]
    key = next((item for item in keys if item["id"] == key_id), None)
    if key is None:
        raise HTTPException(404, f"no API key {key_id}")
    found: dict[str, Any] = key
    return found


@router.get("/admin/users/api-keys/{key_id}")
def new_api_key(current: Manager, key_id: Id) -> Response:
    """The new key's token, this once."""
    key = _api_key(current, key_id)
    context = current.context(
        "New API key",
        kind="api",
        key=key,
        token=take_token(current, "api", key_id),
        snippets=[],
        back="/admin/users#api-keys",
        back_label="Back to users and API keys",
        base=str(current.request.base_url).rstrip("/"),
    )
    response = render("admin_new_key.html", context)
    forget_token(response, str(current.request.url.path))
    return response


@router.post("/admin/users/api-keys/{key_id}/revoke")
def revoke_api_key(current: Manager, key_id: Id) -> Response:
    try:
        users_api.revoke_api_key(current.request, current.principal, current.state, key_id)
    except AccountError as exc:
        return _view(current, error=f"Not revoked: {exc}.", status=400)
    return RedirectResponse("/admin/users?done=key-revoked#api-keys", status_code=303)
