"""Dependencies of the API's routes, as named aliases: staff authenticate with a bearer token
(`CurrentActor`, `AdminActor`); routes that check codes against the knowledge base read their
body as JSON (`JsonBody`). What the pages share with the API (state, settings, knowledge, a unit
of work, patients' links) is in `needlesafe.deps`, re-exported here for the routes."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from needlesafe.deps import (
    KnowledgeDep,
    PatientLink,
    SettingsDep,
    StateDep,
    UowDep,
    client_address,
    get_state,
    sign_in,
)
from needlesafe.errors import InputError, InputProblem
from needlesafe.services import accounts
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotAuthenticated

__all__ = [
    "AdminActor",
    "CurrentActor",
    "JsonBody",
    "KnowledgeDep",
    "PatientLink",
    "SettingsDep",
    "StateDep",
    "UowDep",
    "client_address",
    "get_state",
    "sign_in",
]

_bearer = HTTPBearer(auto_error=False, description="a token from /api/v1/auth/token")


def bearer_actor(
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("sign in first: send `Authorization: Bearer <token>`")
    return accounts.resolve_token(uow, token=credentials.credentials, kind="api")


CurrentActor = Annotated[Actor, Depends(bearer_actor)]


def admin_actor(actor: CurrentActor) -> Actor:
    actor.require_admin()
    return actor


AdminActor = Annotated[Actor, Depends(admin_actor)]


# ---------------------------------------------------------------- bodies


async def json_body(request: Request) -> Any:
    """The request body as JSON (for routes that check codes against the knowledge base)."""
    raw = await request.body()
    if not raw.strip():
        raise InputError([InputProblem("", "expected a JSON object in the request body")])
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        raise InputError([InputProblem("", f"not valid JSON{where}")]) from None


JsonBody = Annotated[Any, Depends(json_body)]
