"""Patients' check-in links: signed (itsdangerous), expiring, reaching one treatment only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from needlesafe.services.context import LinkAccess
from needlesafe.services.errors import LinkExpired, LinkInvalid

CHECKIN_SALT = "needlesafe.patient-checkin-link.v1"  # one salt per purpose
PATIENT_CHECKIN_PATH = "/checkin/{token}"  # the patient's page (web/); the API is /api/v1/checkin


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=CHECKIN_SALT)


def issue_checkin_token(secret_key: str, *, clinic_id: int, treatment_id: int) -> str:
    return _serializer(secret_key).dumps({"c": clinic_id, "t": treatment_id})


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
