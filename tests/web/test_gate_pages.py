"""The safety-gate pages through the HTTP client: the treatment form refuses a treatment with
its conflicts and asks for the reason, the live check (htmx), the override on the treatment
page; an adverse event's page (update, close, its course); the open list; the lot search."""

from __future__ import annotations

import datetime as dt
import re

from tests.web.pagekit import add_patient, screen, sign_consent, today
from tests.web.webkit import CLINICS, Browser, email_of

DEFERRED = {
    "age": "31",
    "fitzpatrick": "III",
    "pregnant": "on",
    "allergies": ["lidocaine"],
    "areas": ["cheeks"],
    "needle_depth_mm": "1.0",
    "device": "pen",
    "setting": "clinic",
    "numbing_agent": "none",
    "sterile_single_use_needles": "on",
}


def treatment() -> dict[str, object]:
    """The treatment form, dated when a test runs (a date taken at import was yesterday's
    when a run crossed midnight: a treatment before its screening)."""
    return {
        "performed_on": today(),
        "device": "pen",
        "needle_cartridge_lot": "CART-9",
        "areas": ["cheeks"],
        "depth.cheeks": "1.0",
        "passes.cheeks": "1",
        "numbing_agent": "lidocaine",
    }


def _deferred(staff: Browser) -> tuple[int, int]:
    patient = add_patient(staff, "Morgan Lee")
    done = screen(staff, patient, DEFERRED)
    assert done.status_code == 303
    return patient, int(done.headers["location"].rsplit("/", 1)[1])


def test_a_refused_treatment_lists_its_conflicts_and_asks_for_the_reason(staff: Browser) -> None:
    patient, intake = _deferred(staff)
    form = staff.client.get(f"/patients/{patient}/treatments/new").text
    assert 'data-code="screening_deferred"' in form and 'hx-post="/patients/' in form
    refused = staff.post(f"/patients/{patient}/treatments", {**treatment(), "intake_id": intake})
    assert refused.status_code == 409
    for code in (
        "screening_deferred",
        "numbing_agent_not_screened",
        "allergy_numbing_agent",
        "consent_not_signed",
    ):
        assert f'data-code="{code}"' in refused.text
    assert 'name="override_reason"' in refused.text and "Not recorded: 4 conflicts" in refused.text
    assert 'value="CART-9"' in refused.text  # what was typed is kept
    assert staff.client.get(f"/patients/{patient}").text.count("tl-treatment") == 0
    saved = staff.post(
        f"/patients/{patient}/treatments",
        {**treatment(), "intake_id": intake, "override_reason": "Allergist says lidocaine is fine"},
    )
    assert saved.status_code == 303, saved.text
    page = staff.client.get(saved.headers["location"]).text
    assert "Recorded against the safety check" in page and "Allergist says" in page
    assert 'data-code="allergy_numbing_agent"' in page and "Not signed" in page
    timeline = staff.client.get(f"/patients/{patient}").text
    assert "recorded against the safety check" in timeline and "Override" in timeline


def test_the_live_check_answers_the_form_as_it_is(staff: Browser) -> None:
    patient, intake = _deferred(staff)
    data = {**treatment(), "intake_id": str(intake)}
    answer = staff.post(f"/patients/{patient}/treatments/check", data)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert 'data-code="allergy_numbing_agent"' in answer.text
    waiting = staff.post(f"/patients/{patient}/treatments/check", {**data, "depth.cheeks": ""})
    assert "runs when" in waiting.text


def test_a_cleared_treatment_shows_the_decision_and_the_signed_consent(staff: Browser) -> None:
    patient = add_patient(staff)
    done = screen(staff, patient)
    intake = int(done.headers["location"].rsplit("/", 1)[1])
    sign_consent(staff, patient, intake)
    form = staff.client.get(f"/patients/{patient}/treatments/new").text
    assert "No conflict with the screening" in form
    saved = staff.post(
        f"/patients/{patient}/treatments",
        {
            **treatment(),
            "areas": ["perioral"],
            "depth.perioral": "0.5",
            "numbing_agent": "none",
            "intake_id": intake,
        },
    )
    assert saved.status_code == 303, saved.text
    page = staff.client.get(saved.headers["location"]).text
    assert "Proceed with precautions" in page and "Signed by Jamie Rivera" in page
    assert "Recorded against" not in page


def _event(staff: Browser) -> tuple[int, str]:
    patient = add_patient(staff, "Casey Event")
    made = staff.post(
        f"/patients/{patient}/adverse-events",
        {
            "complication": "infection",
            "onset_date": today(),
            "ctcae_grade": "2",
            "outcome": "unknown",
        },
    )
    assert made.status_code == 303, made.text
    timeline = staff.client.get(f"/patients/{patient}").text
    found = re.search(rf'href="(/patients/{patient}/adverse-events/\d+)"', timeline)
    assert found
    return patient, found.group(1)


def test_an_adverse_event_is_followed_and_closed_from_its_page(staff: Browser) -> None:
    patient, event = _event(staff)
    follow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    updated = staff.post(
        event + "/update",
        {
            "ctcae_grade": "3",
            "outcome": "recovering",
            "follow_up_on": follow,
            "actions": "antibiotics",
        },
        csrf_from=event,
    )
    assert updated.status_code == 303, updated.text
    listed = staff.client.get("/adverse-events").text
    assert "Casey Event" in listed
    bad = staff.post(event + "/close", {"resolved_on": "", "outcome": "recovered"}, csrf_from=event)
    assert bad.status_code == 422 and "the day it resolved" in bad.text
    closed = staff.post(
        event + "/close", {"resolved_on": today(), "outcome": "recovered"}, csrf_from=event
    )
    assert closed.status_code == 303
    page = staff.client.get(event).text
    assert "Closed" in page and "grade: 2 → 3" in page and "Save the change" not in page
    assert "Casey Event" not in staff.client.get("/adverse-events").text
    timeline = staff.client.get(f"/patients/{patient}").text
    assert "Adverse event closed" in timeline and "Adverse event updated" in timeline


def test_another_clinic_cannot_open_an_adverse_event_page(
    staff: Browser, anonymous: Browser
) -> None:
    _, event = _event(staff)
    staff.client.post("/logout", data={"csrf_token": staff.csrf("/patients")})
    anonymous.sign_in(email_of(CLINICS[1]))
    assert anonymous.client.get(event).status_code == 404


def test_a_lot_is_searched_and_exported(staff: Browser) -> None:
    patient, intake = _deferred(staff)
    staff.post(
        f"/patients/{patient}/treatments",
        {**treatment(), "intake_id": intake, "override_reason": "test of a recall"},
    )
    page = staff.client.get("/lots", params={"lot": "CART-9"}).text
    assert "Morgan Lee" in page and "1 treatment, 1 patient" in page
    csv = staff.client.get("/lots/export.csv", params={"lot": "CART-9"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Morgan Lee" in csv.text
    assert "No treatment of this clinic" in staff.client.get("/lots?lot=NONE").text
