"""A clinic's staff accounts and audit log: admins only."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from needlesafe.api.deps import AdminActor, SettingsDep, UowDep
from needlesafe.api.routes.common import AuditCursor, Limit, Offset, RecordId, UserCursor
from needlesafe.services import accounts, staff
from needlesafe.services.schemas import AuditEventPublic, In, Page, UserCreate, UserPublic

router = APIRouter(tags=["admin"])


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, actor: AdminActor, uow: UowDep) -> UserPublic:
    return accounts.create_user(uow, actor=actor, user=body)


@router.get("/users", response_model=Page[UserPublic])
def list_users(
    actor: AdminActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    cursor: UserCursor = None,
) -> Page[UserPublic]:
    return accounts.list_users(uow, actor=actor, offset=offset, limit=limit, cursor=cursor)


class UserChange(In):
    """`active: false` deactivates the account (its sessions and tokens end at once)."""

    active: bool


class PasswordResetLink(BaseModel):
    user_id: int
    email: str
    url: str
    expires_at: dt.datetime


@router.patch("/users/{user_id}", response_model=UserPublic)
def change_user(user_id: RecordId, body: UserChange, actor: AdminActor, uow: UowDep) -> UserPublic:
    return staff.set_active(uow, actor=actor, user_id=user_id, active=body.active)


@router.post("/users/{user_id}/password-reset", response_model=PasswordResetLink, status_code=201)
def password_reset_link(
    user_id: RecordId, actor: AdminActor, uow: UowDep, settings: SettingsDep
) -> PasswordResetLink:
    """A one-time link for the person to set a new password (24 hours; shown once)."""
    link = staff.make_reset_link(
        uow, actor=actor, base_url=settings.public_base_url, user_id=user_id
    )
    return PasswordResetLink(
        user_id=link.user_id, email=link.email, url=link.url, expires_at=link.expires_at
    )


@router.get("/audit", response_model=Page[AuditEventPublic])
def list_audit(
    actor: AdminActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    cursor: AuditCursor = None,
) -> Page[AuditEventPublic]:
    """Who read or wrote which record, newest first (no clinical content)."""
    return accounts.list_audit(uow, actor=actor, offset=offset, limit=limit, cursor=cursor)
