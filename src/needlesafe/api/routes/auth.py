"""Signing in for the API: email and password for a bearer token (rate-limited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from needlesafe.api.deps import CurrentActor, StateDep, UowDep, _bearer, sign_in
from needlesafe.services import accounts
from needlesafe.services.schemas import UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=200)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"description": "wrong email or password"}, 429: {"description": "too many"}},
)
def token(login: Login, request: Request, state: StateDep) -> TokenOut:
    """Email and password in, a bearer token out (only its hash is stored)."""
    raw, _ = sign_in(state, request, email=login.email, password=login.password, kind="api")
    return TokenOut(access_token=raw, expires_in=state.settings.login_token_hours * 3600)


@router.post("/logout", status_code=204)
def logout(
    actor: CurrentActor,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Revoke the bearer token this request was made with."""
    if credentials is not None:
        accounts.revoke_token(uow, token=credentials.credentials)


@router.get("/me", response_model=UserPublic)
def me(actor: CurrentActor, uow: UowDep) -> UserPublic:
    return accounts.get_me(uow, actor=actor)
