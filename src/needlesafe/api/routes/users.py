"""A clinic's staff accounts and audit log: admins only."""

from __future__ import annotations

from fastapi import APIRouter

from needlesafe.api.deps import AdminActor, UowDep
from needlesafe.api.routes.common import Limit, Offset
from needlesafe.services import accounts
from needlesafe.services.schemas import AuditEventPublic, Page, UserCreate, UserPublic

router = APIRouter(prefix="/api/v1", tags=["admin"])


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, actor: AdminActor, uow: UowDep) -> UserPublic:
    return accounts.create_user(uow, actor=actor, user=body)


@router.get("/users", response_model=Page[UserPublic])
def list_users(
    actor: AdminActor, uow: UowDep, offset: Offset = 0, limit: Limit = 50
) -> Page[UserPublic]:
    return accounts.list_users(uow, actor=actor, offset=offset, limit=limit)


@router.get("/audit", response_model=Page[AuditEventPublic])
def list_audit(
    actor: AdminActor, uow: UowDep, offset: Offset = 0, limit: Limit = 50
) -> Page[AuditEventPublic]:
    """Who read or wrote which record, newest first (no clinical content)."""
    return accounts.list_audit(uow, actor=actor, offset=offset, limit=limit)
