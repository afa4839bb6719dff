"""The clinic's and the patient's pages through the HTTP client: signing in, CSRF, forms that
keep what was typed and name the field, the quiz, the assessment, treatments and their links,
the patient's check-in, the inbox, adverse events, escaping and clinic scoping."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import text

from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine
from tests.web.pagekit import (
    COLD_SORE_SCREENING,
    add_patient,
    screen,
    screened_patient,
    today,
    treated_patient,
)
from tests.web.webkit import CLINICS, Browser, email_of


class _Inputs(HTMLParser):
    """Every form control and whether a label names it (wrapping label, for=, aria-label)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside how many <label>
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # (name, id, labelled)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            labelled = self.depth > 0 or bool(a.get("aria-label"))
            self.controls.append((a.get("name") or "", a.get("id"), labelled))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth -= 1


def unlabelled_inputs(page: str) -> list[str]:
    parser = _Inputs()
    parser.feed(page)
    return [
        name
        for name, ident, labelled in parser.controls
        if not labelled and (ident is None or ident not in parser.label_for)
    ]


def recent() -> str:
    """Two days ago, asked when a test runs: its link is still valid."""
    return (dt.date.today() - dt.timedelta(days=2)).isoformat()


# ---------------------------------------------------------------- signing in


def test_a_clinic_page_sends_a_visitor_who_is_not_signed_in_to_sign_in(anonymous: Browser) -> None:
    response = anonymous.client.get("/patients?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/patients%3Fq%3Dx"


def test_a_wrong_password_keeps_the_email_and_says_so(anonymous: Browser) -> None:
    token = anonymous.csrf()
    response = anonymous.client.post(
        "/login", data={"csrf_token": token, "email": email_of(CLINICS[0]), "password": "nope"}
    )
    assert response.status_code == 401
    assert "wrong email or password" in response.text
    assert f'value="{email_of(CLINICS[0])}"' in response.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil"])
def test_signing_in_never_redirects_off_the_site(anonymous: Browser, target: str) -> None:
    token = anonymous.csrf()
    response = anonymous.client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": email_of(CLINICS[0]),
            "password": "correct horse battery staple 42",
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/patients"


def test_signing_out_ends_the_session(staff: Browser) -> None:
    assert staff.client.get("/patients").status_code == 200
    assert staff.post("/logout", {}).status_code == 303
    assert staff.client.get("/patients").status_code == 303


def test_a_form_without_its_csrf_token_is_refused(staff: Browser) -> None:
    response = staff.client.post("/patients", data={"name": "No Token"})
    assert response.status_code == 403
    response = staff.client.post("/patients", data={"name": "Bad", "csrf_token": "0" * 64})
    assert response.status_code == 403


# ---------------------------------------------------------------- patients


def test_the_patient_search_filters_and_answers_htmx_with_the_rows_only(staff: Browser) -> None:
    add_patient(staff, "Alex Moreno")
    add_patient(staff, "Sam Lee")
    page = staff.client.get("/patients", params={"q": "alex"})
    assert "Alex Moreno" in page.text and "Sam Lee" not in page.text
    partial = staff.client.get("/patients", params={"q": "sam"}, headers={"hx-request": "true"})
    assert "Sam Lee" in partial.text and "<html" not in partial.text


def test_untrusted_text_is_escaped(staff: Browser) -> None:
    patient = add_patient(staff, "<script>alert(1)</script>")
    page = staff.client.get(f"/patients/{patient}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_another_clinic_cannot_open_a_patient(staff: Browser, anonymous: Browser) -> None:
    patient = add_patient(staff)
    staff.post("/logout", {})
    staff.sign_in(email_of(CLINICS[1]))
    assert staff.client.get(f"/patients/{patient}").status_code == 404
    assert "Jamie Rivera" not in staff.client.get("/patients").text


# ---------------------------------------------------------------- screening


def test_every_intake_field_is_on_the_screening_form_with_its_plain_label(
    staff: Browser, knowledge: Knowledge
) -> None:
    patient = add_patient(staff)
    page = staff.client.get(f"/patients/{patient}/screenings/new").text
    for name in ("age", "pregnant", "breastfeeding", "needle_depth_mm", "device", "setting"):
        assert f'name="{name}"' in page
    for name in ("patch_test_done", "sterile_single_use_needles", "numbing_agent"):
        assert f'name="{name}"' in page
    for vocabulary, field in [
        ("fitzpatrick", "fitzpatrick"),
        ("conditions", "conditions"),
        ("medications", "medications"),
        ("allergies", "allergies"),
        ("areas", "areas"),
        ("topicals", "topicals"),
    ]:
        for term in getattr(knowledge.vocab, vocabulary):
            assert f'name="{field}" value="{term.code}"' in page
    for term in knowledge.vocab.conditions:
        assert term.label.replace("'", "&#39;") in page
    for question in knowledge.clinic_forms().quiz.questions:
        assert f'name="quiz.{question.id}"' in page
    assert unlabelled_inputs(page) == []


def test_a_bad_screening_names_the_field_and_keeps_what_was_typed(staff: Browser) -> None:
    patient = add_patient(staff)
    form = {**COLD_SORE_SCREENING, "age": "", "needle_depth_mm": "9"}
    response = screen(staff, patient, form)
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="err-age"[^>]*>.*required', page)
    assert re.search(r'id="err-needle_depth_mm"', page)
    assert 'name="conditions" value="cold_sore_history" checked' in page
    assert 'name="fitzpatrick" value="IV" checked' in page
    assert 'value="9"' in page
    assert 'aria-invalid="true" aria-describedby="err-age"' in page


def test_the_assessment_shows_the_decision_first_and_the_antiviral_precaution(
    staff: Browser,
) -> None:
    patient, intake = screened_patient(staff)
    page = staff.client.get(f"/patients/{patient}/screenings/{intake}").text
    assert page.index("Proceed with precautions") < page.index("Raised risks")
    assert page.index("Raised risks") < page.index("Precautions")
    assert 'data-code="antiviral_prophylaxis"' in page
    assert "Cold sore flare-up" in page and "gowda_2021" in page
    # findings are named by their plain labels from the knowledge base, not their codes
    assert "<strong>Cold sore medicine before treatment</strong>" in page
    assert "Antiviral prophylaxis" not in page


def test_a_deferred_screening_names_its_contraindication_in_plain_words(staff: Browser) -> None:
    patient = add_patient(staff)
    done = screen(staff, patient, {**COLD_SORE_SCREENING, "conditions": ["active_cold_sore"]})
    page = staff.client.get(done.headers["location"]).text
    assert "<strong>Cold sore now</strong>" in page and "Active cold sore" not in page


@pytest.mark.parametrize(
    ("answers", "expected"),
    [([0] * 8, "I"), ([1] * 6 + [0, 0], "I"), ([1] * 7 + [0], "II"), ([4] * 8, "VI")],
)
def test_the_quiz_scores_into_its_band(
    staff: Browser, answers: list[int], expected: str, knowledge: Knowledge
) -> None:
    quiz = knowledge.clinic_forms().quiz
    data = {f"quiz.{q.id}": str(a) for q, a in zip(quiz.questions, answers, strict=True)}
    response = staff.post("/screenings/quiz", data)
    assert f"Score {sum(answers)}</strong>" in response.text
    assert f"type {expected}</strong>" in response.text


def test_the_quiz_gives_the_skin_type_when_none_is_picked(
    staff: Browser, knowledge: Knowledge
) -> None:
    quiz = knowledge.clinic_forms().quiz
    patient = add_patient(staff)
    form: dict[str, Any] = {k: v for k, v in COLD_SORE_SCREENING.items() if k != "fitzpatrick"}
    partial = {**form, f"quiz.{quiz.questions[0].id}": "2"}
    response = screen(staff, patient, partial)
    assert response.status_code == 422
    assert "answer all 8 quiz questions" in response.text
    full = {**form, **{f"quiz.{q.id}": "2" for q in quiz.questions}}  # 16: type III
    response = screen(staff, patient, full)
    assert response.status_code == 303
    assert "skin type III" in staff.client.get(response.headers["location"]).text


def test_quiz_bands_cover_every_score_without_gaps(knowledge: Knowledge) -> None:
    forms = knowledge.clinic_forms()
    bands = {score: forms.quiz.band_for(score).fitzpatrick for score in range(33)}
    assert bands[0] == bands[6] == "I" and bands[7] == bands[12] == "II"
    assert bands[13] == bands[18] == "III" and bands[19] == bands[24] == "IV"
    assert bands[25] == bands[30] == "V" and bands[31] == bands[32] == "VI"


# ---------------------------------------------------------------- treatments and the link


def test_a_recorded_treatment_shows_the_link_its_qr_code_and_the_aftercare_plan(
    staff: Browser,
) -> None:
    patient, treatment, link = treated_patient(staff)
    page = staff.client.get(f"/patients/{patient}/treatments/{treatment}").text
    assert '<svg role="img" aria-label="QR code' in page
    assert 'data-copy="#checkin-link"' in page
    assert "Day by day" in page and "Follow-up" in page
    assert link.startswith("/checkin/")


def test_viewing_a_treatment_again_shows_the_same_link_and_logs_a_read(
    staff: Browser, app_settings: Settings
) -> None:
    patient, treatment, link = treated_patient(staff)
    again = staff.client.get(f"/patients/{patient}/treatments/{treatment}").text
    assert f'value="http://testserver{link}"' in again
    engine = make_engine(app_settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, record_type FROM audit_events "
                "WHERE record_type IN ('checkin_link', 'treatment_page') ORDER BY id"
            )
        ).all()
    engine.dispose()
    # made on the first view; the second is one read of the page, which shows the link
    assert [tuple(r) for r in rows] == [
        ("create", "checkin_link"),
        ("read", "treatment_page"),
        ("read", "treatment_page"),
    ]


def test_staff_replace_or_stop_the_link_and_the_patient_is_told_whom_to_phone(
    staff: Browser, anonymous: Browser
) -> None:
    patient, treatment, link = treated_patient(staff)
    page = f"/patients/{patient}/treatments/{treatment}"
    renewed = staff.post(page + "/link/renew", {}, csrf_from=page)
    assert renewed.status_code == 303
    new = re.search(
        r'id="checkin-link" type="text" readonly value="http://testserver([^"]+)"',
        staff.client.get(page).text,
    )
    assert new and new.group(1) != link
    old = anonymous.client.get(link)
    assert old.status_code == 410
    assert "stopped by your clinic" in old.text
    assert "Please phone Riverside Skin Clinic for a new link" in old.text
    assert 'href="tel:02079460100"' in old.text and 'href="tel:999"' in old.text
    assert anonymous.client.get(new.group(1)).status_code == 200
    stopped = staff.post(page + "/link/revoke", {}, csrf_from=page)
    assert stopped.status_code == 303
    shown = staff.client.get(page).text
    assert "This link was stopped." in shown and 'id="checkin-link"' not in shown
    assert "QR code" not in shown and "Make a new link" in shown
    assert anonymous.client.get(new.group(1)).status_code == 410
    assert staff.post(page + "/link/erase", {}, csrf_from=page).status_code == 422


def test_a_treatment_form_with_a_depth_missing_keeps_the_ticks(staff: Browser) -> None:
    patient, intake = screened_patient(staff)
    response = staff.post(
        f"/patients/{patient}/treatments",
        {"performed_on": "2026-01-10", "device": "pen", "areas": ["cheeks"], "intake_id": intake},
    )
    assert response.status_code == 422
    assert 'id="err-depth-cheeks"' in response.text
    assert 'name="areas" value="cheeks" checked' in response.text


# ---------------------------------------------------------------- the patient's pages


def test_the_patient_reports_an_emergency_and_sees_the_number_to_call(
    staff: Browser, anonymous: Browser
) -> None:
    _, _, link = treated_patient(staff)
    patient_browser = Browser(anonymous.client)
    form = {"message": "my lips are swelling and I can't breathe"}
    response = patient_browser.post(link, form, csrf_from=link, headers={"hx-request": "true"})
    assert response.status_code == 200
    assert "Call 999 now" in response.text
    assert 'href="tel:999"' in response.text
    assert "<html" not in response.text  # htmx gets the answer alone


def test_the_check_in_pages_have_plain_symptoms_and_the_warning_signs_one_tap_away(
    staff: Browser, knowledge: Knowledge
) -> None:
    _, _, link = treated_patient(staff)
    for page in ("", "/aftercare", "/warning-signs"):
        text = staff.client.get(link + page).text
        assert f'href="{link}/warning-signs"' in text
    form = staff.client.get(link).text
    for symptom in knowledge.vocab.symptoms:
        assert f'name="symptoms" value="{symptom.code}"' in form
    assert "Add reminders to my calendar" in staff.client.get(link + "/aftercare").text
    ics = staff.client.get(link + "/aftercare.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.content


def test_the_warning_signs_give_this_clinics_phone_and_emergency_number(
    staff: Browser, anonymous: Browser
) -> None:
    _, _, link = treated_patient(staff)
    page = anonymous.client.get(link + "/warning-signs").text
    assert 'href="tel:02079460100"' in page and "Call your clinic: 020 7946 0100" in page
    assert "Call us within a day at 020 7946 0100." in page  # the plan's red flags
    assert 'href="tel:999"' in page and "112" not in page  # the clinic's, not the server's
    assert "the clinic phone number" not in page  # no fallback words
    answer = Browser(anonymous.client).post(
        link, {"symptoms": ["pus"]}, csrf_from=link, headers={"hx-request": "true"}
    )
    assert "Call your clinic: 020 7946 0100" in answer.text


def test_an_empty_check_in_asks_for_something_and_keeps_the_temperature(staff: Browser) -> None:
    _, _, link = treated_patient(staff)
    response = staff.post(link, {"temperature": "hot"}, csrf_from=link)
    assert response.status_code == 422
    assert 'id="err-temperature"' in response.text and 'value="hot"' in response.text


@pytest.mark.parametrize("token", ["not-a-token", "eyJjIjoxLCJ0IjoxfQ.abc.def"])
def test_a_bad_link_gets_a_plain_page(anonymous: Browser, token: str) -> None:
    response = anonymous.client.get(f"/checkin/{token}")
    assert response.status_code == 404
    assert "ask your clinic for a new link" in response.text


# ---------------------------------------------------------------- inbox and adverse events


def test_the_inbox_puts_the_emergency_first_and_marks_it_handled(staff: Browser) -> None:
    _, _, link = treated_patient(staff)
    staff.post(link, {"symptoms": ["redness"]}, csrf_from=link)
    staff.post(link, {"message": "<b>my lips are swelling</b> and I can't breathe"}, csrf_from=link)
    inbox = staff.client.get("/inbox").text
    first = re.search(r'<article class="checkin card disp-(\w+)[^"]*" id="checkin-(\d+)"', inbox)
    assert first and first.group(1) == "emergency"
    assert "&lt;b&gt;my lips are swelling&lt;/b&gt;" in inbox
    response = staff.post(
        f"/inbox/{first.group(2)}/handled",
        {"note": "Called them"},
        csrf_from="/inbox",
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200 and "Handled" in response.text
    assert "Called them" in response.text
    assert 'id="checkin-' + first.group(2) not in staff.client.get("/inbox").text


def test_an_adverse_event_gets_the_suggested_icd10_code_and_the_grade_definitions(
    staff: Browser, knowledge: Knowledge
) -> None:
    patient, treatment, _ = treated_patient(staff)
    page = staff.client.get(f"/patients/{patient}/adverse-events/new").text
    for grade in knowledge.clinic_forms().ctcae.grades:
        assert grade.definition in page
    code = knowledge.complications["infection"].icd10cm.code
    hint = staff.client.get("/adverse-events/icd10", params={"complication": "infection"}).text
    assert f'value="{code}"' in hint
    bad = staff.post(
        f"/patients/{patient}/adverse-events",
        {
            "complication": "infection",
            "onset_date": today(),
            "ctcae_grade": "2",
            "icd10_code": "nonsense",
            "treatment_id": str(treatment),
            "outcome": "recovering",
        },
    )
    assert bad.status_code == 422 and 'id="err-icd10_code"' in bad.text
    assert 'value="nonsense"' in bad.text
    good = staff.post(
        f"/patients/{patient}/adverse-events",
        {
            "complication": "infection",
            "onset_date": today(),
            "ctcae_grade": "2",
            "icd10_code": code,
            "treatment_id": str(treatment),
            "outcome": "recovering",
        },
    )
    assert good.status_code == 303
    assert "CTCAE grade 2" in staff.client.get(f"/patients/{patient}").text
