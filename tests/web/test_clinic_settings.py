"""The clinic's settings page: an admin sets the numbers patients call; others only see them."""

from __future__ import annotations

from webkit import CLINICS, PASSWORD, Browser

from needlesafe.api.settings import Settings
from needlesafe.services import accounts
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork

ADMIN = "admin@riverside.example"


def sign_in_admin(browser: Browser, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    accounts.create_user_for_clinic(
        UnitOfWork(make_session_factory(engine)),
        clinic_name=CLINICS[0], email=ADMIN, role="admin", password=PASSWORD,
    )
    engine.dispose()
    browser.sign_in(ADMIN)


def test_an_admin_changes_the_numbers_and_patients_see_them(
    anonymous: Browser, app_settings: Settings
) -> None:
    sign_in_admin(anonymous, app_settings)
    page = anonymous.client.get("/settings/clinic").text
    assert 'value="020 7946 0100"' in page and 'value="999"' in page
    saved = anonymous.post(
        "/settings/clinic", {"phone": "555 0123", "emergency_number": "112"},
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
        "/settings/clinic", {"phone": "call us", "emergency_number": "999"},
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
