"""The inbox page (services/views.py `inbox`): its check-ins and their patients' names read in
one unit of work, the names in one statement whatever the number of patients, one audit row
naming the check-ins listed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from needlesafe.store import models as m
from tests.api.apikit import app_state
from tests.web.pagekit import treated_patient
from tests.web.webkit import Browser


def test_the_inbox_names_each_patient_with_one_statement_and_one_audit_row(
    staff: Browser,
) -> None:
    for _ in range(3):  # three patients, each with a check-in that needs attention
        _, _, link = treated_patient(staff)
        staff.post(
            link, {"message": "my lips are swelling and my throat feels tight"}, csrf_from=link
        )
    state = app_state(staff.client)
    factory = state.session_factory
    with factory() as session:
        before = max(session.scalars(select(m.AuditEvent.id)).all())
        names = set(session.scalars(select(m.Patient.name)).all())
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = state.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = staff.client.get("/inbox")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    assert all(name in page.text for name in names)
    assert sum("FROM patients" in s for s in seen) == 1, seen
    with factory() as session:
        rows = session.scalars(select(m.AuditEvent).where(m.AuditEvent.id > before)).all()
    assert [(r.action, r.record_type) for r in rows] == [("list", "checkin")]
    assert len((rows[0].record_ids or "").split(",")) == 3
