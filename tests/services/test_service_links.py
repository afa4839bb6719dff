"""Patient links: signed with a salt of their own, expiring, reaching one treatment only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from needlesafe.services import links
from needlesafe.services.errors import LinkExpired, LinkInvalid
from needlesafe.settings import PLACEHOLDER_SECRET, Settings, with_dev_secret

SECRET = "s" * 40
DAY = dt.timedelta(days=1)


def test_a_link_reads_back_as_its_clinic_and_treatment() -> None:
    token = links.issue_checkin_token(SECRET, clinic_id=3, treatment_id=7)
    access = links.read_checkin_token(SECRET, token, max_age=DAY)
    assert (access.clinic_id, access.treatment_id) == (3, 7)


def test_a_tampered_link_is_invalid() -> None:
    token = links.issue_checkin_token(SECRET, clinic_id=3, treatment_id=7)
    other = links.issue_checkin_token(SECRET, clinic_id=3, treatment_id=8)
    forged = other.split(".")[0] + "." + ".".join(token.split(".")[1:])
    for bad in (token[:-2] + "xx", forged, "", "a.b.c", "x" * 600):
        with pytest.raises(LinkInvalid):
            links.read_checkin_token(SECRET, bad, max_age=DAY)


def test_a_link_signed_with_another_key_or_salt_is_invalid() -> None:
    token = links.issue_checkin_token("another" * 8, clinic_id=3, treatment_id=7)
    with pytest.raises(LinkInvalid):
        links.read_checkin_token(SECRET, token, max_age=DAY)
    other_purpose = URLSafeTimedSerializer(SECRET, salt="something-else").dumps({"c": 3, "t": 7})
    with pytest.raises(LinkInvalid):
        links.read_checkin_token(SECRET, other_purpose, max_age=DAY)


def test_a_genuine_link_of_the_wrong_shape_is_invalid() -> None:
    token = URLSafeTimedSerializer(SECRET, salt=links.CHECKIN_SALT).dumps({"c": "3", "t": None})
    with pytest.raises(LinkInvalid):
        links.read_checkin_token(SECRET, token, max_age=DAY)


def test_an_old_link_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    token = links.issue_checkin_token(SECRET, clinic_id=3, treatment_id=7)
    with pytest.raises(LinkExpired):
        links.read_checkin_token(SECRET, token, max_age=dt.timedelta(seconds=-1))


def test_a_treatments_link_is_the_same_every_time_and_expires_after_the_treatment() -> None:
    today = dt.datetime.now(dt.UTC).date()
    issue: dict[str, Any] = {
        "clinic_id": 3,
        "treatment_id": 7,
        "treatment_date": today - dt.timedelta(days=5),
    }
    token = links.issue_checkin_token(SECRET, **issue)
    assert links.issue_checkin_token(SECRET, **issue) == token
    assert links.read_checkin_token(SECRET, token, max_age=7 * DAY).treatment_id == 7
    with pytest.raises(LinkExpired):  # 5 days after the treatment, a 4-day link is over
        links.read_checkin_token(SECRET, token, max_age=4 * DAY)
    other_day = {**issue, "treatment_date": today - dt.timedelta(days=4)}
    assert links.issue_checkin_token(SECRET, **other_day) != token


def test_the_link_points_at_the_patients_page() -> None:
    assert links.checkin_url("https://c.example/", "T") == "https://c.example/checkin/T"


def test_a_placeholder_secret_is_refused_outside_development() -> None:
    for environment in ("production", "test"):
        with pytest.raises(ValueError, match="NEEDLESAFE_SECRET_KEY"):
            Settings(environment=environment)
    assert Settings(environment="development").secret == PLACEHOLDER_SECRET


def test_development_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = with_dev_secret(Settings(environment="development"), tmp_path)
    second = with_dev_secret(Settings(environment="development"), tmp_path)
    assert first.secret == second.secret != PLACEHOLDER_SECRET
    assert len(first.secret) >= 32
    assert (tmp_path / ".needlesafe-secret").stat().st_mode & 0o777 == 0o600


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDLESAFE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("NEEDLESAFE_CHECKIN_LINK_DAYS", "7")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.checkin_link_max_age == dt.timedelta(days=7)
