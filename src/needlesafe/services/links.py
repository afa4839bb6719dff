"""Patients' links: signed (itsdangerous), expiring, each reaching one record for one purpose.

A treatment's check-in link is signed as issued on the treatment day (midnight UTC), so it is
the same link every time it is shown, and it expires `checkin_link_days` after the treatment.

A screening's consent link opens the patient's signing page for that one screening. It is
signed with a salt of its own (a check-in link cannot open a consent, nor the other way round)
and with its own payload shape, is issued when staff ask for it and expires
`consent_link_hours` later. It says how it is used: on the patient's own phone ("link") or on
the clinic's tablet ("tablet"), which the signed consent records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from needlesafe.services.context import ConsentLinkAccess, LinkAccess
from needlesafe.services.errors import LinkExpired, LinkInvalid

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
