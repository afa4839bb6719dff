"""Clinics, staff accounts, passwords (argon2id), bearer tokens and browser sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.words import clinic_defaults
from needlesafe.services import passwords
from needlesafe.services.common import audit, page_bounds, paging, public_page, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotAuthenticated, NotFound
from needlesafe.services.schemas import (
    AuditEventPublic,
    ClinicPublic,
    ClinicUpdate,
    Page,
    UserCreate,
    UserPublic,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, the library's RFC 9106 defaults


# Each argon2id hash takes 64 MiB for a moment: a burst of sign-ins must not take them all
# at once (32 at once took the server from 105 MB to 1 GB). Set from the settings at start.
_HASHING = threading.BoundedSemaphore(2)


def limit_password_hashing(at_once: int) -> None:
    global _HASHING
    _HASHING = threading.BoundedSemaphore(at_once)


def hash_password(password: str) -> str:
    with _HASHING:
        return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _HASHING:
            return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- clinics and users


def create_clinic(
    uow: UnitOfWork,
    *,
    name: str,
    phone: str | None = None,
    emergency_number: str | None = None,
) -> ClinicPublic:
    """A new clinic. Callers pass the `emergency_number` setting unless told another number
    (none: the default of words.yaml)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError([InputProblem("name", "a clinic needs a name of 1 to 200 characters")])
    emergency_number = emergency_number or clinic_defaults().emergency_number
    contact = validate(ClinicUpdate, {"phone": phone, "emergency_number": emergency_number})
    with uow:
        if uow.clinics.by_name(name) is not None:
            raise Conflict(f"a clinic named {name!r} already exists")
        clinic = uow.clinics.add(
            m.Clinic(name=name, phone=contact.phone, emergency_number=contact.emergency_number)
        )
        uow.audit.record(
            clinic_id=clinic.id,
            user_id=None,
            actor="cli",
            action="create",
            record_type="clinic",
            record_id=clinic.id,
        )
        uow.commit()
        return ClinicPublic.model_validate(clinic)


def _add_user(uow: UnitOfWork, clinic_id: int, data: UserCreate) -> m.User:
    if not EMAIL.match(data.email):
        raise InputError([InputProblem("email", "not an email address")])
    if uow.users.by_email(data.email) is not None:
        raise Conflict("a user with this email already exists")
    passwords.check(data.password, email=data.email)
    return uow.users.add(
        m.User(
            clinic_id=clinic_id,
            email=data.email,
            name=data.name,
            role=data.role,
            password_hash=hash_password(data.password),
        )
    )


def create_user_for_clinic(
    uow: UnitOfWork, *, clinic_name: str, email: str, role: str, password: str, name: str = ""
) -> UserPublic:
    """The operator's way in (the command line): no caller, any clinic by name."""
    data = validate(UserCreate, {"email": email, "role": role, "password": password, "name": name})
    with uow:
        clinic = uow.clinics.by_name(clinic_name.strip())
        if clinic is None:
            raise NotFound(f"no clinic named {clinic_name!r}")
        user = _add_user(uow, clinic.id, data)
        uow.audit.record(
            clinic_id=clinic.id,
            user_id=None,
            actor="cli",
            action="create",
            record_type="user",
            record_id=user.id,
        )
        uow.commit()
        return UserPublic.model_validate(user)


def create_user(
    uow: UnitOfWork, *, actor: Actor, user: UserCreate | dict[str, object]
) -> UserPublic:
    """An admin adds a colleague to their own clinic."""
    actor.require_admin()
    data = validate(UserCreate, user)
    with uow:
        row = _add_user(uow, actor.clinic_id, data)
        audit(uow, actor, "create", "user", row.id)
        uow.commit()
        return UserPublic.model_validate(row)


def list_users(
    uow: UnitOfWork, *, actor: Actor, offset: int = 0, limit: int = 50, cursor: str | None = None
) -> Page[UserPublic]:
    actor.require_admin()
    offset, limit = page_bounds(offset, limit)
    with uow, paging():
        page = uow.users.list(actor.clinic_id, offset=offset, limit=limit, cursor=cursor)
        return public_page(page, UserPublic, offset=offset, limit=limit)


def get_me(uow: UnitOfWork, *, actor: Actor) -> UserPublic:
    with uow:
        user = uow.users.get(actor.clinic_id, actor.user_id or 0)
        if user is None:
            raise NotFound("no such user")
        return UserPublic.model_validate(user)


def list_audit(
    uow: UnitOfWork, *, actor: Actor, offset: int = 0, limit: int = 50, cursor: str | None = None
) -> Page[AuditEventPublic]:
    actor.require_admin()
    offset, limit = page_bounds(offset, limit)
    with uow, paging():
        page = uow.audit.list(actor.clinic_id, offset=offset, limit=limit, cursor=cursor)
        return public_page(page, AuditEventPublic, offset=offset, limit=limit)


# ---------------------------------------------------------------- signing in


def authenticate(uow: UnitOfWork, *, email: str, password: str) -> m.User:
    """The active user with this email and password, or NotAuthenticated (inside `uow`)."""
    user = uow.users.by_email(email)
    if user is None:
        hash_password(password)  # the same work either way: no timing hint that emails exist
        raise NotAuthenticated("wrong email or password")
    if not verify_password(user.password_hash, password) or not user.active:
        raise NotAuthenticated("wrong email or password")
    return user


def _issue(uow: UnitOfWork, user: m.User, kind: str, lifetime: dt.timedelta | None) -> str:
    token = secrets.token_urlsafe(32)
    uow.tokens.add(
        m.AuthToken(
            clinic_id=user.clinic_id,
            user_id=user.id,
            kind=kind,
            token_hash=token_digest(token),
            expires_at=None if lifetime is None else _now() + lifetime,
        )
    )
    return token


def login(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    kind: str,
    lifetime: dt.timedelta,
    client_address: str | None = None,
) -> tuple[str, Actor]:
    """Sign in; returns the new token (shown once, only its hash is kept) and who it is."""
    with uow:
        user = authenticate(uow, email=email, password=password)
        token = _issue(uow, user, kind, lifetime)
        actor = Actor(user_id=user.id, clinic_id=user.clinic_id, role=user.role)
        uow.audit.record(
            clinic_id=user.clinic_id,
            user_id=user.id,
            actor=actor.kind,
            action="login",
            record_type="session" if kind == "session" else "token",
            client_address=client_address,
        )
        uow.commit()
        return token, actor


def record_refused_sign_in(
    uow: UnitOfWork, *, email: str, kind: str, client_address: str, action: str
) -> None:
    """A sign-in that failed ("login_failed") or was refused for too many ("login_locked"),
    in the audit log of the account's clinic when the email is one, with the address."""
    with uow:
        user = uow.users.by_email(email) if len(email) <= 320 else None
        uow.audit.record(
            clinic_id=user.clinic_id if user else None,
            user_id=user.id if user else None,
            actor="anonymous",
            action=action,
            record_type="session" if kind == "session" else "token",
            client_address=client_address[:64],
        )
        uow.commit()


def create_token(uow: UnitOfWork, *, email: str, lifetime: dt.timedelta | None) -> str:
    """A bearer token for a user, from the command line."""
    with uow:
        user = uow.users.by_email(email)
        if user is None:
            raise NotFound(f"no user with email {email!r}")
        token = _issue(uow, user, "api", lifetime)
        uow.audit.record(
            clinic_id=user.clinic_id,
            user_id=user.id,
            actor="cli",
            action="create",
            record_type="token",
        )
        uow.commit()
        return token


def resolve_token(uow: UnitOfWork, *, token: str, kind: str) -> Actor:
    """Who holds this bearer token or session; NotAuthenticated if none is valid."""
    if not token or len(token) > 200:
        raise NotAuthenticated("not signed in")
    with uow:
        row = uow.tokens.holder(token_digest(token))  # the token, its user and clinic at once
        if (
            row is None
            or row.kind != kind
            or row.revoked_at is not None
            or (row.expires_at is not None and row.expires_at <= _now())
        ):
            raise NotAuthenticated("not signed in, or the session has expired")
        if not row.active:
            raise NotAuthenticated("not signed in")
        return Actor(
            user_id=row.user_id,
            clinic_id=row.clinic_id,
            role=row.role,
            time_zone=row.time_zone if row.time_zone is not None else "UTC",
        )


def revoke_token(uow: UnitOfWork, *, token: str) -> None:
    with uow:
        row = uow.tokens.by_hash(token_digest(token))
        if row is not None and row.revoked_at is None:
            row.revoked_at = _now()
            uow.audit.record(
                clinic_id=row.clinic_id,
                user_id=row.user_id,
                actor="user",
                action="logout",
                record_type="session" if row.kind == "session" else "token",
            )
            uow.commit()
