"""The clinic's settings page: an admin sets the numbers patients call; others only see them."""

from __future__ import annotations

import datetime as dt
import re

from needlesafe.documents.render import signed_time
from needlesafe.settings import Settings
from needlesafe.web.render import format_date
from tests.web.pagekit import sign_in_admin, treated_patient
from tests.web.webkit import Browser


def test_an_admin_changes_the_numbers_and_patients_see_them(
    anonymous: Browser, app_settings: Settings
) -> None:
    sign_in_admin(anonymous, app_settings)
    page = anonymous.client.get("/settings/clinic").text
    assert 'value="020 7946 0100"' in page and 'value="999"' in page
    saved = anonymous.post(
        "/settings/clinic",
        {"phone": "555 0123", "emergency_number": "112"},
        csrf_from="/settings/clinic",
    )
    assert saved.status_code == 303
    page = anonymous.client.get(saved.headers["location"]).text
    assert "Saved." in page and 'value="555 0123"' in page and 'value="112"' in page


def test_a_bad_number_is_named_beside_its_field_and_kept(
    anonymous: Browser, app_settings: Settings
) -> None:
    sign_in_admin(anonymous, app_settings)
    response = anonymous.post(
        "/settings/clinic",
        {"phone": "call us", "emergency_number": "999"},
        csrf_from="/settings/clinic",
    )
    assert response.status_code == 422
    assert 'id="err-phone"' in response.text and 'value="call us"' in response.text
    empty = anonymous.post(
        "/settings/clinic", {"phone": "", "emergency_number": ""}, csrf_from="/settings/clinic"
    )
    assert empty.status_code == 422 and 'id="err-emergency_number"' in empty.text


def test_a_practitioner_sees_the_numbers_but_cannot_change_them(staff: Browser) -> None:
    page = staff.client.get("/settings/clinic").text
    assert "020 7946 0100" in page and "Only a clinic admin" in page
    assert 'action="/settings/clinic"' not in page
    response = staff.post("/settings/clinic", {"phone": "555 0000", "emergency_number": "999"})
    assert response.status_code == 403
    assert "020 7946 0100" in staff.client.get("/settings/clinic").text


def test_the_clinic_time_zone_shows_every_time_in_it_and_a_bad_zone_is_named(
    anonymous: Browser, staff: Browser, app_settings: Settings
) -> None:
    sign_in_admin(anonymous, app_settings)
    bad = anonymous.post(
        "/settings/clinic",
        {"time_zone": "Mars/Olympus", "temperature_unit": "K"},
        csrf_from="/settings/clinic",
    )
    assert bad.status_code == 422
    assert 'id="err-time_zone"' in bad.text and "Europe/London" in bad.text
    assert 'id="err-temperature_unit"' in bad.text
    saved = anonymous.post(
        "/settings/clinic",
        {"time_zone": "America/New_York", "temperature_unit": "F"},
        csrf_from="/settings/clinic",
    )
    assert saved.status_code == 303
    page = anonymous.client.get("/settings/clinic").text
    assert '<option value="America/New_York" selected>' in page
    assert 'value="F" checked' in page
    assert 'value="020 7946 0100"' in page  # a field left out of the post stays as it was
    # the treatment page shows when the consent was signed in New York time, never UTC
    patient, treatment, _ = treated_patient(staff)
    shown = staff.client.get(f"/patients/{patient}/treatments/{treatment}").text
    assert re.search(r"Signed by .* on \d\d \w{3} \d{4}, \d\d:\d\d E[SD]T", shown)
    assert " UTC" not in shown


def test_a_moment_is_shown_in_the_zone_asked_and_a_day_stays_a_day() -> None:
    winter = dt.datetime(2026, 1, 15, 14, 5, tzinfo=dt.UTC)
    assert format_date(winter, "datetime", "America/New_York") == "15 Jan 2026, 09:05 EST"
    assert format_date(winter, "datetime", "Europe/London") == "15 Jan 2026, 14:05 GMT"
    assert format_date(winter, "datetime", "UTC") == "15 Jan 2026, 14:05 UTC"
    late = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)
    assert format_date(late, "date", "Asia/Tokyo") == "16 Jan 2026"  # the clinic's day
    assert format_date(dt.date(2026, 1, 15), "date", "Asia/Tokyo") == "15 Jan 2026"
    assert format_date(winter, "datetime", "Not/AZone") == "15 Jan 2026, 14:05 UTC"


def test_the_consent_sheet_gives_signing_times_on_the_clinics_clock() -> None:
    moment = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert str(signed_time(moment, "America/New_York")) == "2026-07-01&nbsp;08:00&nbsp;EDT"
    assert str(signed_time(moment, "UTC")) == "2026-07-01&nbsp;12:00&nbsp;UTC"
