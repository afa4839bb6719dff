"""Check-in links as the clinic keeps them: opaque random tokens stored only as hashes, the
same link each time it is shown, valid from the treatment day for the set days, renewed (a new
link; the old one stops) and stopped by staff, each change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import links, patients, treatments
from needlesafe.services.context import Actor
from needlesafe.services.errors import LinkExpired, LinkInvalid, NotFound
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_clinic, add_staff, record_cleared_treatment

SECRET = "k" * 40
DAYS = dt.timedelta(days=30)
BASE = "https://clinic.example"


@pytest.fixture
def staff(uow: UnitOfWork) -> tuple[Actor, Actor]:
    return add_staff(uow, add_clinic(uow)).actor, add_staff(uow, add_clinic(uow)).actor


def _treated(uow: UnitOfWork, actor: Actor, knowledge: Knowledge, **changes: Any) -> Any:
    patient = patients.create_patient(uow, actor=actor, patient={"name": "Pat"})
    return record_cleared_treatment(uow, actor, knowledge, patient.id, **changes)


def _link(uow: UnitOfWork, actor: Actor, treatment_id: int, **options: Any) -> Any:
    return treatments.issue_checkin_link(
        uow,
        actor=actor,
        treatment_id=treatment_id,
        secret_key=SECRET,
        base_url=BASE,
        max_age=DAYS,
        **options,
    )


def _open(uow: UnitOfWork, token: str, **options: Any) -> Any:
    return links.open_checkin_link(uow, SECRET, token, max_age=DAYS, **options)


def test_a_link_is_opaque_the_same_each_time_and_only_its_hash_is_stored(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = staff
    done = _treated(uow, a, knowledge)
    link = _link(uow, a, done.id)
    assert link.url == f"{BASE}/checkin/{link.token}"
    assert len(link.token) == 43 and "." not in link.token  # no readable payload
    assert _link(uow, a, done.id).token == link.token  # shown again: the same link
    access = _open(uow, link.token)
    assert (access.clinic_id, access.treatment_id) == (a.clinic_id, done.id)
    with uow:
        rows = uow.session.scalars(select(m.CheckinLink)).all()
        assert len(rows) == 1
        stored = " ".join(str(v) for r in rows for v in vars(r).values())
        assert link.token not in stored and rows[0].token_hash == links.token_hash(link.token)
    # it lasts the set days from the treatment day
    assert link.expires_at == links.issued_at(done.performed_on) + DAYS


def test_a_link_works_until_its_day_and_then_says_it_expired_with_the_clinic(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = staff
    link = _link(uow, a, _treated(uow, a, knowledge).id)
    _open(uow, link.token, now=link.expires_at - dt.timedelta(seconds=1))
    with pytest.raises(LinkExpired) as expired:
        _open(uow, link.token, now=link.expires_at)
    assert expired.value.clinic_id == a.clinic_id  # so the page can give the clinic's phone


def test_a_treatment_booked_ahead_has_a_working_link_before_its_day(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = staff
    done = _treated(uow, a, knowledge)
    with uow:  # the treatment moved to next week
        row = uow.session.get(m.Treatment, done.id)
        assert row is not None
        row.performed_on = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
        uow.commit()
    link = _link(uow, a, done.id)
    assert link.status == "active"
    assert _open(uow, link.token).treatment_id == done.id


def test_renewing_makes_a_new_link_that_lasts_and_stops_the_old_one(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = staff
    done = _treated(uow, a, knowledge)
    old = _link(uow, a, done.id)
    later = old.expires_at + dt.timedelta(days=3)  # the old link has expired by then
    with pytest.raises(LinkExpired):
        _open(uow, old.token, now=later)
    new = _link(uow, a, done.id, renew=True)
    assert new.token != old.token and new.status == "active"
    assert new.expires_at >= dt.datetime.now(dt.UTC) + DAYS - dt.timedelta(minutes=1)
    with pytest.raises(LinkExpired, match="stopped"):
        _open(uow, old.token)
    assert _open(uow, new.token).treatment_id == done.id
    assert _link(uow, a, done.id).token == new.token  # the new one is now the link shown


def test_stopping_a_link_closes_it_and_the_staff_page_does_not_quietly_make_another(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = staff
    done = _treated(uow, a, knowledge)
    link = _link(uow, a, done.id)
    assert treatments.revoke_checkin_link(uow, actor=a, treatment_id=done.id) is True
    assert treatments.revoke_checkin_link(uow, actor=a, treatment_id=done.id) is False
    with pytest.raises(LinkExpired, match="stopped"):
        _open(uow, link.token)
    assert _link(uow, a, done.id, only_if_active=True) is None
    again = _link(uow, a, done.id, renew=True)
    assert _open(uow, again.token).treatment_id == done.id
    with uow:
        actions = [
            (e.action, e.record_type)
            for e in uow.session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id))
            if e.record_type == "checkin_link"
        ]
    assert actions == [
        ("create", "checkin_link"),
        ("delete", "checkin_link"),
        ("read", "checkin_link"),
        ("create", "checkin_link"),
    ]


def test_another_clinic_cannot_show_renew_or_stop_a_link(
    uow: UnitOfWork, staff: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, b = staff
    done = _treated(uow, a, knowledge)
    link = _link(uow, a, done.id)
    for call in (
        lambda: _link(uow, b, done.id),
        lambda: _link(uow, b, done.id, renew=True),
        lambda: treatments.revoke_checkin_link(uow, actor=b, treatment_id=done.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert _open(uow, link.token).clinic_id == a.clinic_id


@pytest.mark.parametrize(
    "token",
    ["", "x" * 600, "A" * 43, "not-a-link", "a.b.c"],
    ids=["empty", "long", "unknown", "word", "dots"],
)
def test_a_token_that_was_never_issued_is_invalid(uow: UnitOfWork, token: str) -> None:
    with pytest.raises(LinkInvalid):
        _open(uow, token)


def test_a_link_signed_by_an_earlier_version_opens_until_the_link_is_renewed(
    uow: UnitOfWork,
    staff: tuple[Actor, Actor],
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _ = staff
    done = _treated(uow, a, knowledge)
    signed = links.issue_checkin_token(SECRET, clinic_id=a.clinic_id, treatment_id=done.id)
    assert _open(uow, signed).treatment_id == done.id
    _link(uow, a, done.id)  # the staff page shows the new link: the old one still opens
    assert _open(uow, signed).treatment_id == done.id
    _link(uow, a, done.id, renew=True)
    with pytest.raises(LinkExpired, match="stopped"):
        _open(uow, signed)
    # and an old signed link past its days has expired, as it always did
    past = int(dt.datetime.now(dt.UTC).timestamp()) - 31 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: past)
    other = _treated(uow, a, knowledge)
    stale = links.issue_checkin_token(SECRET, clinic_id=a.clinic_id, treatment_id=other.id)
    monkeypatch.undo()
    with pytest.raises(LinkExpired):
        _open(uow, stale)
