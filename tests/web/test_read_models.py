"""Read models (services/views.py): a page's data in one unit of work with one audit row that
says which record was viewed; the inbox badge is a count, not a read; a list names what it
returned. The audit log then answers "who looked at patient X?"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from needlesafe.store import models as m
from tests.web.pagekit import screened_patient
from tests.web.webkit import Browser


def _new_patient(staff: Browser, name: str, born: str = "1980-05-04") -> int:
    made = staff.post("/patients", {"name": name, "date_of_birth": born})
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])


def _audit_since(staff: Browser, after: int) -> list[tuple[str, str, str | None, str | None]]:
    factory = staff.client.app.state.needlesafe.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        rows = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.id > after).order_by(m.AuditEvent.id)
        ).all()
        return [(r.action, r.record_type, r.record_id, r.record_ids) for r in rows]


def _last_audit_id(staff: Browser) -> int:
    factory = staff.client.app.state.needlesafe.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        return max(session.scalars(select(m.AuditEvent.id)).all() or [0])


def test_a_patients_page_is_one_audited_read_of_their_timeline(staff: Browser) -> None:
    patient = _new_patient(staff, "Ada Timeline")
    twin = _new_patient(staff, "Ada Timeline")  # same name and birth date: a likely duplicate
    before = _last_audit_id(staff)
    page = staff.client.get(f"/patients/{patient}")
    assert page.status_code == 200 and "Ada Timeline" in page.text
    assert _audit_since(staff, before) == [("read", "patient_timeline", str(patient), str(twin))]


def test_the_page_is_read_in_one_transaction(staff: Browser) -> None:
    patient = _new_patient(staff, "Bo Transaction")
    engine = staff.client.app.state.needlesafe.engine  # type: ignore[attr-defined]
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
