"""Dependencies both transports use (the API's routes in `api/` and the pages in `web/`), as
named aliases: the app's state, settings, knowledge and a unit of work; signing in; browser
sessions and CSRF; patients' links; photo uploads.

Staff in the browser: `SessionActor` (the session cookie; a page that is not signed in is
redirected to the sign-in page), and `CsrfChecked` on every form that changes something (the
form field `csrf_token` or the header `X-CSRF-Token`; put `csrf_token(request)` in the form).
Patients: `PatientLink` (the signed link's token in the path). Staff over the API authenticate
with a bearer token (`api/deps.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request, Response, UploadFile

from needlesafe.knowledge.base import Knowledge
from needlesafe.photostore import PhotoStore, open_store
from needlesafe.services import accounts, links, photos
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import Forbidden, NotAuthenticated, RateLimited
from needlesafe.settings import Settings
from needlesafe.state import AppState
from needlesafe.store.uow import UnitOfWork

CSRF_COOKIE = "needlesafe_csrf"  # set by the middleware on a page request without one
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.needlesafe
    return state


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in a
# worker thread, a hop that costs more than the work itself.
async def _state_dep(request: Request) -> AppState:
    return get_state(request)


StateDep = Annotated[AppState, Depends(_state_dep)]


async def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


async def get_knowledge(state: StateDep) -> Knowledge:
    return state.knowledge


async def get_uow(request: Request, state: StateDep) -> UnitOfWork:
    # a POST with an Idempotency-Key (api/idempotency.py) claims it with the record it creates
    return UnitOfWork(state.session_factory, claim=request.scope.get("idempotency_claim"))


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]

# ---------------------------------------------------------------- browser sessions


def session_token(request: Request, settings: SettingsDep) -> str | None:
    return request.cookies.get(settings.session_cookie)


def session_actor(request: Request, uow: UowDep, settings: SettingsDep) -> Actor:
    token = session_token(request, settings)
    if not token:
        raise NotAuthenticated("sign in first")
    actor = accounts.resolve_token(uow, token=token, kind="session")
    request.state.time_zone = actor.time_zone  # the pages show times in the clinic's zone
    return actor


SessionActor = Annotated[Actor, Depends(session_actor)]


def _cookie_secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, settings: Settings, token: str) -> None:
    """Set the session cookie: http-only, SameSite=Lax, Secure when served over https."""
    response.set_cookie(
        settings.session_cookie,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request, settings),
        path="/",
    )


def end_session(request: Request, response: Response, state: AppState) -> None:
    token = request.cookies.get(state.settings.session_cookie)
    if token:
        accounts.revoke_token(state.uow(), token=token)
    response.delete_cookie(state.settings.session_cookie, path="/")


def client_address(request: Request) -> str:
    """The caller's address (uvicorn has already applied X-Forwarded-For when it came from a
    trusted proxy: NEEDLESAFE_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "unknown"


def sign_in(
    state: AppState, request: Request, *, email: str, password: str, kind: str
) -> tuple[str, Actor]:
    """Email and password, limited per account and per address (services/ratelimit.py, in
    the database); every failed or refused sign-in is audited with the address."""
    client = client_address(request)
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    keys = [f"account:{account}", f"address:{client}"]
    try:
        state.login_limiter.attempt(keys)
    except RateLimited:
        accounts.record_refused_sign_in(
            state.uow(), email=email, kind=kind, client_address=client, action="login_locked"
        )
        raise
    lifetime = dt.timedelta(
        hours=state.settings.session_hours
        if kind == "session"
        else state.settings.login_token_hours
    )
    try:
        result = accounts.login(
            state.uow(),
            email=email,
            password=password,
            kind=kind,
            lifetime=lifetime,
            client_address=client,
        )
    except NotAuthenticated:
        accounts.record_refused_sign_in(
            state.uow(), email=email, kind=kind, client_address=client, action="login_failed"
        )
        raise
    state.login_limiter.succeeded(keys)
    return result


# ---------------------------------------------------------------- CSRF


def _csrf_seed(request: Request) -> str:
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        raise Forbidden("no CSRF cookie; reload the page")
    return str(seed)


def csrf_token(request: Request) -> str:
    """The token to put in a form (`<input type="hidden" name="csrf_token" value="...">`) or in
    htmx's `hx-headers='{"X-CSRF-Token": "..."}'`. Bound to the browser's CSRF cookie."""
    secret = get_state(request).settings.secret
    return hmac.new(
        secret.encode(), b"csrf:" + _csrf_seed(request).encode(), hashlib.sha256
    ).hexdigest()


async def verify_csrf(request: Request) -> None:
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not request.cookies.get(CSRF_COOKIE):
        raise Forbidden("the form has expired; reload the page and try again")
    if not hmac.compare_digest(sent, csrf_token(request)):
        raise Forbidden("the form has expired; reload the page and try again")


CsrfChecked = Annotated[None, Depends(verify_csrf)]


# ---------------------------------------------------------------- patients' links


def patient_link(token: str, settings: SettingsDep, uow: UowDep) -> LinkAccess:
    return links.open_checkin_link(
        uow, settings.secret, token, max_age=settings.checkin_link_max_age
    )


PatientLink = Annotated[LinkAccess, Depends(patient_link)]


# ---------------------------------------------------------------- photos


def photo_store(settings: Settings) -> PhotoStore:
    """The folder, or the bucket when `photo_s3_bucket` is set (made once per configuration)."""
    return open_store(
        settings.photo_dir,
        s3_bucket=settings.photo_s3_bucket,
        s3_prefix=settings.photo_s3_prefix,
        s3_endpoint=settings.photo_s3_endpoint,
        s3_region=settings.photo_s3_region,
        s3_sse=settings.photo_s3_sse,
    )


def photo_limits(settings: Settings) -> photos.Limits:
    return photos.Limits(max_bytes=settings.photo_max_bytes, max_pixels=settings.photo_max_pixels)


async def read_uploads(uploads: list[UploadFile], max_bytes: int) -> list[bytes]:
    """Each upload's bytes, reading at most one byte past the limit (the service says 413)."""
    return [await upload.read(max_bytes + 1) for upload in uploads]
