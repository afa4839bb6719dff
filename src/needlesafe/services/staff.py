"""An admin manages the clinic's staff: deactivate and reactivate accounts, and give a colleague
a one-time link to set a new password (nobody, not even an admin, ever sees it).

Deactivating ends the person's sessions and bearer tokens at once. A clinic always keeps one
active admin. A reset link works once, for `RESET_HOURS`; only its hash is stored; using it ends
the person's other sessions. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update

from needlesafe.errors import InputError, InputProblem
from needlesafe.services import passwords
from needlesafe.services.accounts import hash_password
from needlesafe.services.common import audit
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, LinkExpired, LinkInvalid, NotFound
from needlesafe.services.schemas import UserPublic
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

RESET_HOURS = 24
RESET_PATH = "/reset-password/{token}"
MAX_PASSWORD = 200


@dataclass(frozen=True)
class ResetLink:
    user_id: int
    email: str
    url: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(
    uow: UnitOfWork, actor: Actor | None, *, user_id: int | None, email: str | None
) -> m.User:
    """The account, within the actor's clinic (any clinic for the operator, `actor=None`)."""
    row = uow.users.by_id(user_id) if user_id is not None else uow.users.by_email(email or "")
    if row is None or (actor is not None and row.clinic_id != actor.clinic_id):
        raise NotFound("no such user")
    return row


def _audit(uow: UnitOfWork, actor: Actor | None, action: str, user: m.User) -> None:
    if actor is None:
        uow.audit.record(
            clinic_id=user.clinic_id,
            user_id=None,
            actor="cli",
            action=action,
            record_type="user",
            record_id=user.id,
        )
    else:
        audit(uow, actor, action, "user", user.id)


def _end_sessions(uow: UnitOfWork, user: m.User) -> None:
    uow.session.execute(
        update(m.AuthToken)
        .where(m.AuthToken.user_id == user.id, m.AuthToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


def set_active(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    active: bool,
    user_id: int | None = None,
    email: str | None = None,
) -> UserPublic:
    """Deactivate (sessions and tokens end at once) or reactivate a staff account."""
    if actor is not None:
        actor.require_admin()
    with uow:
        user = _user(uow, actor, user_id=user_id, email=email)
        if not active and user.active and user.role == "admin":
            admins = uow.session.scalar(
                select(func.count())
                .select_from(m.User)
                .where(m.User.clinic_id == user.clinic_id, m.User.role == "admin", m.User.active)
            )
            if (admins or 0) <= 1:
                raise Conflict("a clinic keeps at least one active admin: add another first")
        if user.active != active:
            user.active = active
            if not active:
                _end_sessions(uow, user)
            _audit(uow, actor, "activate" if active else "deactivate", user)
        uow.commit()
        return UserPublic.model_validate(user)


def make_reset_link(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    base_url: str,
    user_id: int | None = None,
    email: str | None = None,
) -> ResetLink:
    """A one-time link for a colleague to set a new password (earlier unused ones stop)."""
    if actor is not None:
        actor.require_admin()
    token = secrets.token_urlsafe(32)
    now = _now()
    with uow:
        user = _user(uow, actor, user_id=user_id, email=email)
        if not user.active:
            raise Conflict("this account is deactivated: reactivate it first")
        uow.session.execute(
            update(m.PasswordReset)
            .where(m.PasswordReset.user_id == user.id, m.PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        expires = now + dt.timedelta(hours=RESET_HOURS)
        uow.session.add(
            m.PasswordReset(
                clinic_id=user.clinic_id,
                user_id=user.id,
                token_hash=_digest(token),
                created_by=actor.user_id if actor else None,
                created_at=now,
                expires_at=expires,
            )
        )
        _audit(uow, actor, "password_reset_link", user)
        uow.commit()
        url = base_url.rstrip("/") + RESET_PATH.format(token=token)
        return ResetLink(user_id=user.id, email=user.email, url=url, expires_at=expires)


def _open_reset(uow: UnitOfWork, token: str) -> tuple[m.PasswordReset, m.User]:
    if not token or len(token) > 200:
        raise LinkInvalid("this reset link is not valid")
    row = uow.session.scalars(
        select(m.PasswordReset).where(m.PasswordReset.token_hash == _digest(token))
    ).first()
    if row is None:
        raise LinkInvalid("this reset link is not valid")
    if row.used_at is not None or row.expires_at <= _now():
        raise LinkExpired("this reset link was used or has expired; ask your clinic admin")
    user = uow.users.by_id(row.user_id)
    if user is None or not user.active:
        raise LinkInvalid("this reset link is not valid")
    return row, user


def reset_for(uow: UnitOfWork, *, token: str) -> str:
    """The email a reset link is for (the page shows it); LinkInvalid or LinkExpired."""
    with uow:
        return _open_reset(uow, token)[1].email


def reset_password(uow: UnitOfWork, *, token: str, password: str) -> UserPublic:
    """Set the new password through a reset link; the link is used up and every other
    session of that person ends."""
    if len(password) < 10 or len(password) > MAX_PASSWORD:
        raise InputError([InputProblem("password", "use 10 to 200 characters")])
    with uow:
        row, user = _open_reset(uow, token)
        passwords.check(password, email=user.email)
        user.password_hash = hash_password(password)
        row.used_at = _now()
        _end_sessions(uow, user)
        uow.audit.record(
            clinic_id=user.clinic_id,
            user_id=user.id,
            actor="user",
            action="password_reset",
            record_type="user",
            record_id=user.id,
        )
        uow.commit()
        return UserPublic.model_validate(user)
