"""What the page tests share beyond the browser: a screening form, a patient added, screened,
consented and treated through the pages, and an admin signed in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from needlesafe.services import accounts
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.web.webkit import CLINICS, PASSWORD, Browser

COLD_SORE_SCREENING = {
    "age": "34",
    "fitzpatrick": "IV",
    "conditions": ["cold_sore_history"],
    "areas": ["perioral", "cheeks"],
    "needle_depth_mm": "1.0",
    "device": "pen",
    "setting": "clinic",
    "numbing_agent": "none",
    "sterile_single_use_needles": "on",
}


def today() -> str:
    """Today (UTC) as the forms write it, asked when a test runs (a treatment after today's
    screening): a constant taken at import goes stale when a run crosses midnight."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def add_patient(browser: Browser, name: str = "Jamie Rivera") -> int:
    response = browser.post("/patients", {"name": name})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def screen(browser: Browser, patient: int, form: dict[str, Any] | None = None) -> Any:
    return browser.post(f"/patients/{patient}/screenings", form or COLD_SORE_SCREENING)


def screened_patient(browser: Browser) -> tuple[int, int]:
    patient = add_patient(browser)
    response = screen(browser, patient)
    assert response.status_code == 303, response.text
    return patient, int(response.headers["location"].rsplit("/", 1)[1])


def sign_consent(browser: Browser, patient: int, intake: int) -> None:
    """The patient's consent to the screening: signed on the clinic's tablet (a typed name and
    "I agree", every box ticked), then countersigned from the consent page."""
    consent = f"/patients/{patient}/screenings/{intake}/consent"
    opened = browser.post(consent + "/tablet", {}, csrf_from=consent)
    assert opened.status_code == 303, opened.text
    link = opened.headers["location"]
    page = browser.client.get(link).text
    version = re.search(r'name="sheet_version" value="([0-9a-f]{16})"', page)
    assert version, "no sign form"
    signed = browser.post(
        link,
        {
            "sheet_version": version.group(1),
            "ack": re.findall(r'name="ack" value="([a-z0-9]+)"', page),
            "patient_name": "Jamie Rivera",
            "method": "typed",
            "agree": "on",
        },
        csrf_from=link,
    )
    assert signed.status_code == 303, signed.text
    countersigned = browser.post(consent + "/countersign", {}, csrf_from=consent)
    assert countersigned.status_code == 303, countersigned.text


def recorded_treatment(browser: Browser) -> tuple[int, int]:
    """A treatment recorded through the form, its page not yet viewed (no link made yet)."""
    patient, intake = screened_patient(browser)
    sign_consent(browser, patient, intake)
    response = browser.post(
        f"/patients/{patient}/treatments",
        {
            "performed_on": today(),
            "device": "pen",
            "needle_cartridge_lot": "CART-1",
            "areas": ["perioral"],
            "depth.perioral": "0.5",
            "passes.perioral": "2",
            "numbing_agent": "none",
            "intake_id": str(intake),
        },
    )
    assert response.status_code == 303, response.text
    return patient, int(response.headers["location"].rsplit("/", 1)[1])


def treated_patient(browser: Browser) -> tuple[int, int, str]:
    """A recorded treatment whose page was viewed, and the patient's check-in link on it."""
    patient, treatment = recorded_treatment(browser)
    page = browser.client.get(f"/patients/{patient}/treatments/{treatment}")
    link = re.search(r'id="checkin-link" type="text" readonly value="([^"]+)"', page.text)
    assert link
    return patient, treatment, link.group(1).removeprefix("http://testserver")


ADMIN = "admin@riverside.example"


def sign_in_admin(browser: Browser, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    accounts.create_user_for_clinic(
        UnitOfWork(make_session_factory(engine)),
        clinic_name=CLINICS[0],
        email=ADMIN,
        role="admin",
        password=PASSWORD,
    )
    engine.dispose()
    browser.sign_in(ADMIN)
