"""Patients' links: expiring, each reaching one record for one purpose.

A treatment's check-in link is an opaque random token (it says nothing about the clinic or the
treatment to whoever reads it). The database keeps a row per link (`checkin_links`) with a
random nonce and the token's SHA-256, never the token: the token is the HMAC of the nonce under
the server's secret, so the staff page can show the same link again, and a copy of the
database alone cannot open a patient's pages. A link works from the moment it is made until
`checkin_link_days` after the treatment day, unless staff renew it (a new link; the old one
stops) or revoke it. Links signed by earlier versions (itsdangerous, "eyJ..." with dots) still
open until they expire, unless the treatment's link has been renewed or revoked since.

A screening's consent link opens the patient's signing page for that one screening. It is
signed with a salt of its own (a check-in link cannot open a consent, nor the other way round)
and with its own payload shape, is issued when staff ask for it and expires
`consent_link_hours` later. It says how it is used: on the patient's own phone ("link") or on
the clinic's tablet ("tablet"), which the signed consent records.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from needlesafe.services.context import ConsentLinkAccess, LinkAccess
from needlesafe.services.errors import LinkExpired, LinkInvalid
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

CHECKIN_SALT = "needlesafe.patient-checkin-link.v1"  # one salt per purpose
CONSENT_SALT = "needlesafe.patient-consent-link.v1"
PATIENT_CHECKIN_PATH = "/checkin/{token}"  # the patient's page (web/); the API is /api/v1/checkin
PATIENT_CONSENT_PATH = "/consent/{token}"  # the patient's signing page (web/)
CONSENT_VIA = ("link", "tablet")


class _IssuedAt(TimestampSigner):
    """A timestamp signer with a given issue time instead of the clock."""

    def __init__(self, *args: Any, issued_at: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return self.issued_at


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=CHECKIN_SALT)


def issued_at(treatment_date: dt.date) -> dt.datetime:
    """When a treatment's link counts as issued: the start of the treatment day (UTC)."""
    return dt.datetime.combine(treatment_date, dt.time(0), tzinfo=dt.UTC)


def issue_checkin_token(
    secret_key: str, *, clinic_id: int, treatment_id: int, treatment_date: dt.date | None = None
) -> str:
    """The treatment's link token. With `treatment_date`, the same token every time (issued on
    that day); without, issued now."""
    if treatment_date is None:
        return _serializer(secret_key).dumps({"c": clinic_id, "t": treatment_id})
    serializer = URLSafeTimedSerializer(
        secret_key,
        salt=CHECKIN_SALT,
        signer=_IssuedAt,
        signer_kwargs={"issued_at": int(issued_at(treatment_date).timestamp())},
    )
    return serializer.dumps({"c": clinic_id, "t": treatment_id})


def read_checkin_token(secret_key: str, token: str, *, max_age: dt.timedelta) -> LinkAccess:
    """The treatment a link reaches; LinkExpired or LinkInvalid otherwise."""
    if not token or len(token) > 500:
        raise LinkInvalid("this check-in link is not valid")
    try:
        data: Any = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise LinkExpired("this check-in link has expired; ask your clinic for a new one") from None
    except BadSignature:
        raise LinkInvalid("this check-in link is not valid") from None
    if not (
        isinstance(data, dict) and isinstance(data.get("c"), int) and isinstance(data.get("t"), int)
    ):
        raise LinkInvalid("this check-in link is not valid")
    return LinkAccess(clinic_id=data["c"], treatment_id=data["t"])


def checkin_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + PATIENT_CHECKIN_PATH.format(token=token)


# ---------------------------------------------------------------- opaque check-in links

EXPIRED = "this check-in link has expired; ask your clinic for a new one"
STOPPED = "this check-in link was stopped by your clinic; ask them for a new one"
INVALID = "this check-in link is not valid"


def checkin_token(secret_key: str, nonce: str) -> str:
    """The link's token: the HMAC-SHA256 of its nonce under the server's secret (43 chars)."""
    digest = hmac.new(secret_key.encode(), f"{CHECKIN_SALT}:{nonce}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expires_at(treatment_date: dt.date, max_age: dt.timedelta) -> dt.datetime:
    """When a treatment's first link stops: `max_age` after the treatment day."""
    return issued_at(treatment_date) + max_age


def current_checkin_link(uow: UnitOfWork, treatment_id: int) -> m.CheckinLink | None:
    """The treatment's newest link row (revoked or not); None before one is made."""
    return (
        uow.session.query(m.CheckinLink)
        .filter_by(treatment_id=treatment_id)
        .order_by(m.CheckinLink.id.desc())
        .first()
    )


def new_checkin_link(
    uow: UnitOfWork,
    secret_key: str,
    treatment: m.Treatment,
    *,
    max_age: dt.timedelta,
    replacing: bool = False,
    now: dt.datetime | None = None,
) -> m.CheckinLink:
    """Add a link row for the treatment (inside the caller's unit of work). The first works
    until `max_age` after the treatment day; one `replacing` another at least `max_age` from
    now (staff renew a link because the patient still needs it)."""
    now = now or dt.datetime.now(dt.UTC)
    ends = expires_at(treatment.performed_on, max_age)
    nonce = secrets.token_hex(16)
    row = m.CheckinLink(
        clinic_id=treatment.clinic_id,
        treatment_id=treatment.id,
        nonce=nonce,
        token_hash=token_hash(checkin_token(secret_key, nonce)),
        created_at=now,
        expires_at=max(ends, now + max_age) if replacing else ends,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


# built once: every request through a patient's link runs it (the columns it needs, no entity)
_LINK = select(
    m.CheckinLink.clinic_id,
    m.CheckinLink.treatment_id,
    m.CheckinLink.revoked_at,
    m.CheckinLink.expires_at,
).where(m.CheckinLink.token_hash == bindparam("token_hash"))


def resolve_checkin_token(
    uow: UnitOfWork,
    secret_key: str,
    token: str,
    *,
    max_age: dt.timedelta,
    now: dt.datetime | None = None,
) -> LinkAccess:
    """The treatment a patient's link reaches (inside an open unit of work); LinkExpired
    (with the clinic, so the page can give its phone number) or LinkInvalid otherwise."""
    if not token or len(token) > 500:
        raise LinkInvalid(INVALID)
    now = now or dt.datetime.now(dt.UTC)
    row = uow.session.execute(_LINK, {"token_hash": token_hash(token)}).one_or_none()
    if row is not None:
        if row.revoked_at is not None:
            raise LinkExpired(STOPPED, row.clinic_id)
        if now >= row.expires_at:
            raise LinkExpired(EXPIRED, row.clinic_id)
        return LinkAccess(clinic_id=row.clinic_id, treatment_id=row.treatment_id)
    if "." not in token:
        raise LinkInvalid(INVALID)
    # a link signed by an earlier version: it keeps the expiry it was signed with
    access = read_checkin_token(secret_key, token, max_age=max_age)
    treatment = uow.session.get(m.Treatment, access.treatment_id)
    if treatment is None or treatment.clinic_id != access.clinic_id:
        raise LinkInvalid(INVALID)
    if _ever_revoked(uow, access.treatment_id):  # renewed or stopped since
        raise LinkExpired(STOPPED, access.clinic_id)
    return access


def open_checkin_link(
    uow: UnitOfWork,
    secret_key: str,
    token: str,
    *,
    max_age: dt.timedelta,
    now: dt.datetime | None = None,
) -> LinkAccess:
    """`resolve_checkin_token` in a unit of work of its own."""
    with uow:
        return resolve_checkin_token(uow, secret_key, token, max_age=max_age, now=now)


def _ever_revoked(uow: UnitOfWork, treatment_id: int) -> bool:
    return (
        uow.session.query(m.CheckinLink)
        .filter(m.CheckinLink.treatment_id == treatment_id, m.CheckinLink.revoked_at.isnot(None))
        .first()
        is not None
    )


# ---------------------------------------------------------------- consent links


def issue_consent_token(secret_key: str, *, clinic_id: int, intake_id: int, via: str) -> str:
    """A link to sign the consent of one screening, issued now."""
    if via not in CONSENT_VIA:
        raise ValueError(f"via must be one of {CONSENT_VIA}")
    serializer = URLSafeTimedSerializer(secret_key, salt=CONSENT_SALT)
    return serializer.dumps({"c": clinic_id, "i": intake_id, "v": via})


def read_consent_token(secret_key: str, token: str, *, max_age: dt.timedelta) -> ConsentLinkAccess:
    """The screening a consent link reaches; LinkExpired or LinkInvalid otherwise."""
    invalid = "this signing link is not valid"
    if not token or len(token) > 500:
        raise LinkInvalid(invalid)
    serializer = URLSafeTimedSerializer(secret_key, salt=CONSENT_SALT)
    try:
        data: Any = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise LinkExpired("this signing link has expired; ask your clinic for a new one") from None
    except BadSignature:
        raise LinkInvalid(invalid) from None
    if not (
        isinstance(data, dict)
        and set(data) == {"c", "i", "v"}
        and isinstance(data["c"], int)
        and isinstance(data["i"], int)
        and data["v"] in CONSENT_VIA
    ):
        raise LinkInvalid(invalid)
    return ConsentLinkAccess(clinic_id=data["c"], intake_id=data["i"], via=data["v"])


def consent_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + PATIENT_CONSENT_PATH.format(token=token)
