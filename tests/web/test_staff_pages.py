"""The admin's staff page: add a colleague (who sets their own password through a one-time
link), deactivate and reactivate, a new password link; the reset page; only admins; the API
and the command line do the same."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from needlesafe.cli import app as cli
from needlesafe.services import accounts
from needlesafe.settings import Settings, get_settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.web.pagekit import ADMIN, sign_in_admin
from tests.web.webkit import CLINICS, PASSWORD, Browser, email_of

NEW = "a quiet orchard 7"


def _another(browser: Browser) -> Browser:
    """A second browser on the same server (its own cookies)."""
    client = TestClient(
        browser.client.app,
        base_url="http://testserver",
        follow_redirects=False,
        headers={"accept": "text/html"},
    )
    return Browser(client)


def _link(page: str) -> str:
    found = re.search(r'id="reset-url" type="text" readonly value="http://testserver([^"]+)"', page)
    assert found, "no reset link on the page"
    return found.group(1)


def test_an_admin_adds_a_colleague_who_sets_their_own_password(
    anonymous: Browser, app_settings: Settings, knowledge: object
) -> None:
    sign_in_admin(anonymous, app_settings)
    added = anonymous.post(
        "/settings/staff",
        {"email": "Sam@Riverside.example", "name": "Sam", "role": "admin"},
        csrf_from="/settings/staff",
    )
    assert added.status_code == 200 and "Added sam@riverside.example." in added.text
    link = _link(added.text)
    listing = anonymous.client.get("/settings/staff").text
    assert "sam@riverside.example" in listing and 'id="reset-url"' not in listing  # shown once
    # Sam, on another browser, sets a password: an easy one is refused beside the field
    sam = _another(anonymous)
    page = sam.client.get(link)
    assert page.status_code == 200 and "For sam@riverside.example" in page.text
    weak = sam.post(link, {"password": "Password2026!", "again": "Password2026!"}, csrf_from=link)
    assert weak.status_code == 422 and 'id="err-password"' in weak.text
    differ = sam.post(link, {"password": NEW, "again": NEW + "x"}, csrf_from=link)
    assert differ.status_code == 422 and 'id="err-again"' in differ.text
    done = sam.post(link, {"password": NEW, "again": NEW}, csrf_from=link)
    assert done.status_code == 200 and "Your new password is set" in done.text
    again = sam.client.get(link)
    assert again.status_code == 410 and "Ask your clinic admin for a new link" in again.text
    sam.sign_in("sam@riverside.example", NEW)


def test_a_deactivated_colleague_is_signed_out_and_can_be_brought_back(
    anonymous: Browser, staff: Browser, app_settings: Settings
) -> None:
    assert staff.client.get("/patients").status_code == 200
    admin = _another(staff)
    sign_in_admin(admin, app_settings)
    listing = admin.client.get("/settings/staff").text
    row = re.search(
        rf"<td>{re.escape(email_of(CLINICS[0]))}</td>.*?/settings/staff/(\d+)/deactivate",
        listing,
        re.S,
    )
    assert row, "no deactivate button for the practitioner"
    person = row.group(1)
    gone = admin.post(f"/settings/staff/{person}/deactivate", {}, csrf_from="/settings/staff")
    assert gone.status_code == 303
    assert staff.client.get("/patients").status_code == 303  # signed out at once
    assert "Deactivated" in admin.client.get("/settings/staff").text
    back = admin.post(f"/settings/staff/{person}/activate", {}, csrf_from="/settings/staff")
    assert back.status_code == 303
    staff.sign_in(email_of(CLINICS[0]), PASSWORD)
    reset = admin.post(f"/settings/staff/{person}/reset", {}, csrf_from="/settings/staff")
    assert reset.status_code == 200 and "/reset-password/" in _link(reset.text)


def test_only_an_admin_reaches_the_staff_page_and_never_another_clinics_people(
    anonymous: Browser, staff: Browser, app_settings: Settings
) -> None:
    assert staff.client.get("/settings/staff").status_code == 403
    admin = _another(staff)
    sign_in_admin(admin, app_settings)
    page = admin.client.get("/settings/staff").text
    assert email_of(CLINICS[1]) not in page
    # the other clinic's practitioner has id 2 (created second in the fixture)
    crossed = admin.post("/settings/staff/2/deactivate", {}, csrf_from="/settings/staff")
    assert crossed.status_code == 404


def test_the_api_and_the_command_line_manage_staff_too(
    anonymous: Browser, app_settings: Settings, monkeypatch: object
) -> None:
    sign_in_admin(anonymous, app_settings)
    engine = make_engine(app_settings.database_url)
    token = accounts.create_token(
        UnitOfWork(make_session_factory(engine)), email=ADMIN, lifetime=dt.timedelta(hours=1)
    )
    engine.dispose()
    api = {"authorization": f"Bearer {token}", "accept": "application/json"}
    users = anonymous.client.get("/api/v1/users", headers=api).json()["items"]
    person = next(u for u in users if u["email"] == email_of(CLINICS[0]))
    assert email_of(CLINICS[1]) not in {u["email"] for u in users}
    off = anonymous.client.patch(
        f"/api/v1/users/{person['id']}", json={"active": False}, headers=api
    )
    assert off.status_code == 200 and off.json()["active"] is False
    link = anonymous.client.post(f"/api/v1/users/{person['id']}/password-reset", headers=api)
    assert link.status_code == 409  # deactivated: reactivate first
    bad = anonymous.client.patch(
        f"/api/v1/users/{person['id']}", json={"active": "maybe"}, headers=api
    )
    assert bad.status_code == 422 and "active" in bad.text
    import pytest

    patch = pytest.MonkeyPatch()
    patch.setenv("NEEDLESAFE_DATABASE_URL", app_settings.database_url)
    patch.setenv("NEEDLESAFE_ENVIRONMENT", "test")
    patch.setenv("NEEDLESAFE_SECRET_KEY", "c" * 40)
    patch.setenv("NEEDLESAFE_PUBLIC_BASE_URL", "https://clinic.example")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        back = runner.invoke(cli, ["admin", "deactivate-user", email_of(CLINICS[0]), "--undo"])
        assert back.exit_code == 0 and "active" in back.output
        listed = runner.invoke(cli, ["admin", "list-users", "--clinic", CLINICS[0]])
        assert email_of(CLINICS[0]) in listed.output and ADMIN in listed.output
        assert email_of(CLINICS[1]) not in listed.output
        reset = runner.invoke(cli, ["admin", "reset-password", email_of(CLINICS[0])])
        assert reset.exit_code == 0
        assert reset.stdout.strip().startswith("https://clinic.example/reset-password/")
        nobody = runner.invoke(cli, ["admin", "reset-password", "nobody@x.example"])
        assert nobody.exit_code == 2 and "no such user" in nobody.output
    finally:
        patch.undo()
        get_settings.cache_clear()
