"""Read models (services/views.py): a page's data in one unit of work with one audit row that
says which record was viewed; the inbox badge is a count, not a read; a list names what it
returned. The audit log then answers "who looked at patient X?"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from needlesafe.store import models as m
from tests.api.apikit import app_state
from tests.web.pagekit import recorded_treatment, screened_patient, today
from tests.web.webkit import CLINICS, Browser, email_of


def _new_patient(staff: Browser, name: str, born: str = "1980-05-04") -> int:
    made = staff.post("/patients", {"name": name, "date_of_birth": born})
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])


def _audit_since(staff: Browser, after: int) -> list[tuple[str, str, str | None, str | None]]:
    factory = app_state(staff.client).session_factory
    with factory() as session:
        rows = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.id > after).order_by(m.AuditEvent.id)
        ).all()
        return [(r.action, r.record_type, r.record_id, r.record_ids) for r in rows]


def _last_audit_id(staff: Browser) -> int:
    factory = app_state(staff.client).session_factory
    with factory() as session:
        last: int = max(session.scalars(select(m.AuditEvent.id)).all() or [0])
        return last


def test_a_patients_page_is_one_audited_read_of_their_timeline(staff: Browser) -> None:
    patient = _new_patient(staff, "Ada Timeline")
    twin = _new_patient(staff, "Ada Timeline")  # same name and birth date: a likely duplicate
    before = _last_audit_id(staff)
    page = staff.client.get(f"/patients/{patient}")
    assert page.status_code == 200 and "Ada Timeline" in page.text
    assert _audit_since(staff, before) == [("read", "patient_timeline", str(patient), str(twin))]


def test_the_page_is_read_in_one_transaction(staff: Browser) -> None:
    patient = _new_patient(staff, "Bo Transaction")
    engine = app_state(staff.client).engine
    begun: list[Any] = []
    listener = lambda *_: begun.append(1)  # noqa: E731
    event.listen(engine, "begin", listener)
    try:
        assert staff.client.get(f"/patients/{patient}").status_code == 200
    finally:
        event.remove(engine, "begin", listener)
    assert len(begun) == 2  # the session's sign-in, then the page's one unit of work


def test_the_inbox_badge_is_not_audited_as_a_read(staff: Browser) -> None:
    patient = _new_patient(staff, "Cy Badge")
    before = _last_audit_id(staff)
    staff.client.get("/settings/clinic")  # a page with the header and its badge
    staff.client.get(f"/patients/{patient}/screenings/new")
    rows = _audit_since(staff, before)
    assert not [r for r in rows if r[1] == "checkin"], rows


def test_a_list_names_the_records_it_returned(staff: Browser) -> None:
    first = _new_patient(staff, "Dee List")
    second = _new_patient(staff, "Dee Lister", born="1990-01-02")
    before = _last_audit_id(staff)
    assert staff.client.get("/patients?q=Dee").status_code == 200
    [row] = [r for r in _audit_since(staff, before) if r[:2] == ("list", "patient")]
    assert sorted(int(i) for i in (row[3] or "").split(",")) == sorted([first, second])


def test_a_screening_page_is_one_audited_read_of_the_screening(staff: Browser) -> None:
    patient, intake = screened_patient(staff)
    before = _last_audit_id(staff)
    page = staff.client.get(f"/patients/{patient}/screenings/{intake}")
    assert page.status_code == 200
    assert _audit_since(staff, before) == [("read", "intake", str(intake), None)]
    other, _ = screened_patient(staff)  # the screening, asked for under another patient
    assert staff.client.get(f"/patients/{other}/screenings/{intake}").status_code == 404


def test_a_treatment_page_is_one_audited_read_and_its_first_view_makes_the_link(
    staff: Browser,
) -> None:
    patient, treatment = recorded_treatment(staff)
    page = f"/patients/{patient}/treatments/{treatment}"
    read = ("read", "treatment_page", str(treatment), str(patient))
    before = _last_audit_id(staff)
    first = staff.client.get(page)
    assert first.status_code == 200 and 'id="checkin-link"' in first.text
    assert _audit_since(staff, before) == [("create", "checkin_link", str(treatment), None), read]
    before = _last_audit_id(staff)
    assert 'id="checkin-link"' in staff.client.get(page).text
    assert _audit_since(staff, before) == [read]  # the link shown is part of the page's read
    other, _ = screened_patient(staff)
    elsewhere = f"/patients/{other}/treatments/{treatment}/link/revoke"
    assert staff.post(elsewhere, {}, csrf_from=page).status_code == 404  # not this patient's
    before = _last_audit_id(staff)
    assert staff.post(page + "/link/revoke", {}, csrf_from=page).status_code == 303
    # (the page read for the form's token), then stopping it: one write, audited once, with
    # no separate read of the treatment first
    assert _audit_since(staff, before) == [read, ("delete", "checkin_link", str(treatment), None)]
    before = _last_audit_id(staff)
    stopped = staff.client.get(page).text
    assert "This link was stopped." in stopped and 'id="checkin-link"' not in stopped
    assert _audit_since(staff, before) == [read]  # a stopped link stays stopped
    # the treatment, asked for under another patient
    assert staff.client.get(f"/patients/{other}/treatments/{treatment}").status_code == 404
    staff.client.cookies.clear()
    staff.sign_in(email_of(CLINICS[1]))  # another clinic's staff
    assert staff.client.get(page).status_code == 404


def test_a_treatment_page_is_one_unit_of_work_of_a_few_statements(staff: Browser) -> None:
    patient, treatment = recorded_treatment(staff)
    page = f"/patients/{patient}/treatments/{treatment}"
    assert staff.client.get(page).status_code == 200  # the first view makes the link
    engine = app_state(staff.client).engine
    begun: list[Any] = []
    seen: list[str] = []
    on_begin = lambda *_: begun.append(1)  # noqa: E731
    on_statement = lambda _conn, _cursor, statement, *_: seen.append(statement)  # noqa: E731
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        assert staff.client.get(page).status_code == 200
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_statement)
    assert len(begun) == 2  # the session's sign-in, then the page's one unit of work
    # 14 on SQLite (six units of work sent 39): the session; the patient; the treatment with its
    # areas, products and override; the link; the screening (once, held with the treatment);
    # the consent; the clinic's phone numbers; the badge; the audit row with its chain
    assert len(seen) <= 14, seen


def test_a_treatment_without_a_screening_shows_why_there_is_no_plan(staff: Browser) -> None:
    patient = _new_patient(staff, "Eve Unscreened")
    made = staff.post(
        f"/patients/{patient}/treatments",
        {
            "performed_on": today(),
            "device": "pen",
            "areas": ["cheeks"],
            "depth.cheeks": "0.5",
            "passes.cheeks": "1",
            "numbing_agent": "none",
            "override_reason": "screened on paper at the outreach clinic",
        },
    )
    assert made.status_code == 303, made.text
    treatment = int(made.headers["location"].rsplit("/", 1)[1])
    before = _last_audit_id(staff)
    page = staff.client.get(made.headers["location"])
    assert page.status_code == 200 and "aftercare needs one" in page.text
    assert _audit_since(staff, before) == [
        ("create", "checkin_link", str(treatment), None),
        ("read", "treatment_page", str(treatment), str(patient)),
    ]


def test_the_new_treatment_form_is_one_audited_read_with_the_gates_answer(
    staff: Browser,
) -> None:
    patient, intake = screened_patient(staff)
    form = f"/patients/{patient}/treatments/new"
    engine = app_state(staff.client).engine
    begun: list[Any] = []
    on_begin = lambda *_: begun.append(1)  # noqa: E731
    before = _last_audit_id(staff)
    event.listen(engine, "begin", on_begin)
    try:
        page = staff.client.get(form)
    finally:
        event.remove(engine, "begin", on_begin)
    assert page.status_code == 200
    # pre-filled from the latest screening, and the gate has looked at it: no consent yet
    assert f'name="intake_id" value="{intake}"' in page.text
    assert "The patient has not signed the consent for this screening." in page.text
    assert len(begun) == 2  # the session's sign-in, then the form's one unit of work
    read = ("read", "treatment_form", str(patient), str(intake))
    assert _audit_since(staff, before) == [read]
    # a screening named in the address, and another patient's screening refused
    assert staff.client.get(f"{form}?intake_id={intake}").status_code == 200
    _, elsewhere = screened_patient(staff)
    assert staff.client.get(f"{form}?intake_id={elsewhere}").status_code == 404
    # a patient with no screening: the form says to screen first
    fresh = _new_patient(staff, "Eve Unscreened")
    before = _last_audit_id(staff)
    empty = staff.client.get(f"/patients/{fresh}/treatments/new")
    assert empty.status_code == 200
    assert _audit_since(staff, before) == [("read", "treatment_form", str(fresh), None)]
    assert "This patient has no screening yet." in empty.text


def test_a_refused_save_shows_the_form_again_from_one_audited_read(staff: Browser) -> None:
    patient, intake = screened_patient(staff)  # no consent signed: the gate refuses
    before = _last_audit_id(staff)
    refused = staff.post(
        f"/patients/{patient}/treatments",
        {
            "performed_on": today(),
            "device": "pen",
            "needle_cartridge_lot": "CART-7",
            "areas": ["perioral"],
            "depth.perioral": "0.5",
            "passes.perioral": "2",
            "numbing_agent": "none",
            "intake_id": str(intake),
        },
    )
    assert refused.status_code == 409
    assert 'value="CART-7"' in refused.text and f'name="intake_id" value="{intake}"' in refused.text
    reads = [row for row in _audit_since(staff, before) if row[0] == "read"]
    assert reads == [("read", "treatment_form", str(patient), str(intake))]
