"""The patient sees what was read from their words, and can tick what the reading missed; the
clinic sees the parts the reader could not read (issue 9, deliverable 3)."""

from __future__ import annotations

import re

from sqlalchemy import text

from needlesafe.settings import Settings
from needlesafe.store.db import make_engine
from tests.web.pagekit import treated_patient
from tests.web.webkit import Browser


def send(browser: Browser, link: str, form: dict[str, object]) -> str:
    response = browser.post(link, form, csrf_from=link, headers={"hx-request": "true"})
    assert response.status_code == 200, response.text
    return response.text


def checkin_id(answer: str, link: str) -> int:
    found = re.search(re.escape(link) + r"/(\d+)/correct", answer)
    assert found, answer
    return int(found.group(1))


def test_the_answer_says_what_was_read_and_offers_the_checklist_pre_ticked(
    staff: Browser, anonymous: Browser
) -> None:
    _, _, link = treated_patient(staff)
    answer = send(Browser(anonymous.client), link, {"message": "a bit red and itchy"})
    assert "What we understood" in answer
    assert "We read: redness and itching." in answer
    assert 'name="symptoms" value="redness" checked' in answer
    assert 'name="symptoms" value="itching" checked' in answer
    assert 'name="symptoms" value="hives">' in answer  # offered, not ticked
    # grouped like the check-in form, the warning signs first
    legends = re.findall(r'<fieldset class="symptoms compact group-(\w+)">', answer)
    assert legends[0] == "warning" and len(legends) > 1
    warning = answer.split('group-warning">', 1)[1].split("</fieldset>", 1)[0]
    assert 'value="difficulty_breathing"' in warning and 'value="redness"' not in warning


def test_an_unread_part_is_shown_to_the_patient_and_never_answered_with_self_care(
    staff: Browser, anonymous: Browser
) -> None:
    _, _, link = treated_patient(staff)
    answer = send(Browser(anonymous.client), link, {"message": "a bit red, my nose feels blocked"})
    assert "We could not read this part of your message" in answer
    assert "<mark>“my nose feels blocked”</mark>" in answer
    assert "Please contact your clinic" in answer  # not "normal healing"


def test_a_tick_added_after_the_reading_raises_the_answer_and_is_kept_with_the_check_in(
    staff: Browser, anonymous: Browser, app_settings: Settings
) -> None:
    _, _, link = treated_patient(staff)
    patient = Browser(anonymous.client)
    answer = send(patient, link, {"message": "face is a bit red"})
    assert "This sounds like normal healing" in answer
    number = checkin_id(answer, link)
    corrected = patient.post(
        f"{link}/{number}/correct",
        {"symptoms": ["redness", "hives"]},
        csrf_from=link,
        headers={"hx-request": "true"},
    )
    assert corrected.status_code == 200
    assert "We added what you ticked" in corrected.text
    assert "Get medical care today" in corrected.text  # hives: seen today
    engine = make_engine(app_settings.database_url)
    with engine.connect() as db:
        row = db.execute(
            text("SELECT disposition, input FROM checkins WHERE id = :id"), {"id": number}
        ).one()
        actions = db.execute(
            text("SELECT action FROM audit_events WHERE record_type = 'checkin'")
        ).scalars()
        assert "update" in list(actions)
    engine.dispose()
    assert row.disposition == "urgent"
    assert '"added": ["hives"]' in row.input and '"before": "self_care"' in row.input
    assert "face is a bit red" in row.input  # what the patient first sent is kept
    inbox = staff.client.get("/inbox").text
    assert "Added by the patient after seeing our reading: hives" in inbox


def test_a_patient_cannot_correct_a_check_in_of_another_treatment(
    staff: Browser, anonymous: Browser
) -> None:
    _, _, first = treated_patient(staff)
    _, _, second = treated_patient(staff)
    patient = Browser(anonymous.client)
    number = checkin_id(send(patient, first, {"message": "red"}), first)
    response = patient.post(f"{second}/{number}/correct", {"symptoms": ["hives"]}, csrf_from=second)
    assert response.status_code == 404


def test_the_inbox_marks_what_the_reader_could_not_read(staff: Browser, anonymous: Browser) -> None:
    _, _, link = treated_patient(staff)
    answer = send(Browser(anonymous.client), link, {"message": "red and my ear feels blocked"})
    assert "Get medical care today" in answer  # an unread part naming the ears: seen today
    inbox = staff.client.get("/inbox").text
    assert "Not understood by the reader: please read" in inbox
    assert "<mark>“my ear feels blocked”</mark>" in inbox
