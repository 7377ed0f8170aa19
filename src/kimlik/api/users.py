"""``/api/v1/users`` and ``/api/v1/api-keys``: who may sign in, and the keys programs use.

Answers never hold a password hash or a key hash; a new API key's token is in the answer
to its creation, once. Every change is in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field, model_validator
from starlette.responses import Response

from kimlik.access import admin
from kimlik.access.passwords import MIN_LENGTH
from kimlik.access.permissions import ROLES, Permission
from kimlik.access.principal import Principal
from kimlik.api.deps import State, client_address, require

router = APIRouter(prefix="/api/v1", tags=["users"])
Manager = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Role = Literal["admin", "analyst", "agent", "marketer"]
assert set(get_args(Role)) == set(ROLES), "Role must list kimlik.access.permissions.ROLES"
SHOWN_ONCE = "store this key now: it is not shown again"


class NewUser(BaseModel):
    email: str = Field(min_length=3, max_length=320, examples=["ada@example.com"])
    name: str = Field(default="", max_length=255, description="Default: the email.")
    role: Role
    password: str = Field(
        min_length=MIN_LENGTH,
        max_length=1024,
        description=f"At least {MIN_LENGTH} characters, no spaces at either end.",
    )


class UserChange(BaseModel):
    role: Role | None = None
    disabled: bool | None = Field(
        default=None, description="true: cannot sign in, sessions end now; false: re-enable."
    )

    @model_validator(mode="after")
    def _something(self) -> UserChange:
        if self.role is None and self.disabled is None:
            raise ValueError("give role and/or disabled")
        return self


class NewApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=128, examples=["nightly export"])
    scopes: list[Permission] = Field(
        min_length=1, max_length=len(Permission), description="Permission names."
    )


@router.get("/users", summary="Every user (never a password hash)")
def list_users(principal: Manager, state: State) -> dict[str, Any]:
    return {"items": admin.list_users(state.engine)}


@router.post("/users", status_code=201, summary="Create a user")
def create_user(
    body: NewUser, request: Request, principal: Manager, state: State
) -> dict[str, Any]:
    return admin.add_user(
        state.engine,
        principal,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        client=client_address(request),
    )


@router.patch("/users/{user_id}", summary="Change a user's role, disable or re-enable them")
def change_user(
    body: UserChange, request: Request, principal: Manager, state: State, user_id: Id
) -> dict[str, Any]:
    user = admin.change_user(
        state.engine,
        principal,
        user_id,
        role=body.role,
        disabled=body.disabled,
        client=client_address(request),
    )
    if user is None:
        raise HTTPException(404, f"no user {user_id}")
    return user


@router.get("/api-keys", summary="Every API key (never the key or its hash)")
def list_api_keys(principal: Manager, state: State) -> dict[str, Any]:
    return {"items": admin.list_api_keys(state.engine)}


@router.post("/api-keys", status_code=201, summary="Create an API key; the token is shown once")
def create_api_key(
    body: NewApiKey, request: Request, principal: Manager, state: State
) -> dict[str, Any]:
    scopes = sorted({scope.value for scope in body.scopes})
    key = admin.add_api_key(state.engine, principal, body.name, scopes, client_address(request))
    return {
        "id": key.id,
        "name": key.name,
        "scopes": scopes,
        "token": key.token,
        "warning": SHOWN_ONCE,
    }


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke an API key")
def revoke_api_key(request: Request, principal: Manager, state: State, key_id: Id) -> Response:
    if not admin.revoke_api_key(state.engine, principal, key_id, client_address(request)):
        raise HTTPException(404, f"no API key {key_id}")
    return Response(status_code=204)
