"""Staff accounts managed by the clinic's admin: easy passwords refused, deactivation ends
sessions at once and keeps one admin, one-time reset links (hash only, used once, expiring,
other sessions end), never across clinics; every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from needlesafe.errors import InputError
from needlesafe.services import accounts, passwords, staff
from needlesafe.services.context import Actor
from needlesafe.services.errors import (
    Conflict,
    Forbidden,
    LinkExpired,
    LinkInvalid,
    NotAuthenticated,
    NotFound,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_clinic, add_staff

GOOD = "plum kettle orbit 19"
BASE = "https://clinic.example"


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "Password2024!",
        "qwertyuiop",
        "1234567890",
        "aaaaaaaaaaaa",
        "iloveyou12",
        "P@ssw0rd!!!!",
        "doctor.jones99",
        "5551234567",
    ],
)
def test_passwords_people_guess_first_are_refused(password: str) -> None:
    assert passwords.weakness(password, email="doctor.jones@clinic.example")


@pytest.mark.parametrize("password", [GOOD, "correct horse battery staple", "Tr0mbone-Lagoon"])
def test_other_passwords_pass(password: str) -> None:
    assert passwords.weakness(password, email="doctor.jones@clinic.example") is None


def _admin(uow: UnitOfWork, clinic: int) -> Actor:
    person = accounts.create_user_for_clinic(
        uow,
        clinic_name=_name(uow, clinic),
        email=f"admin{clinic}@x.example",
        role="admin",
        password=GOOD,
    )
    return Actor(user_id=person.id, clinic_id=clinic, role="admin")


def _name(uow: UnitOfWork, clinic: int) -> str:
    with uow:
        row = uow.clinics.by_id(clinic)
        assert row is not None
        return row.name


def test_a_new_account_with_an_easy_password_is_refused_naming_the_field(
    uow: UnitOfWork,
) -> None:
    admin = _admin(uow, add_clinic(uow))
    with pytest.raises(InputError) as caught:
        accounts.create_user(
            uow,
            actor=admin,
            user={"email": "sam@x.example", "role": "practitioner", "password": "Password1234"},
        )
    assert caught.value.problems[0].path == "password"


def test_deactivating_ends_sessions_at_once_and_a_clinic_keeps_an_admin(
    uow: UnitOfWork,
) -> None:
    clinic = add_clinic(uow)
    admin = _admin(uow, clinic)
    colleague = add_staff(uow, clinic)
    token, _ = accounts.login(
        uow,
        email=colleague.email,
        password=colleague.password,
        kind="session",
        lifetime=dt.timedelta(hours=1),
    )
    staff.set_active(uow, actor=admin, user_id=colleague.actor.user_id, active=False)
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=token, kind="session")
    with pytest.raises(NotAuthenticated):
        accounts.login(
            uow,
            email=colleague.email,
            password=colleague.password,
            kind="session",
            lifetime=dt.timedelta(hours=1),
        )
    back = staff.set_active(uow, actor=admin, user_id=colleague.actor.user_id, active=True)
    assert back.active
    with pytest.raises(Conflict, match="at least one active admin"):
        staff.set_active(uow, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(Forbidden):
        staff.set_active(uow, actor=colleague.actor, user_id=admin.user_id, active=False)


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(
    uow: UnitOfWork,
) -> None:
    clinic = add_clinic(uow)
    admin = _admin(uow, clinic)
    colleague = add_staff(uow, clinic)
    old_session, _ = accounts.login(
        uow,
        email=colleague.email,
        password=colleague.password,
        kind="session",
        lifetime=dt.timedelta(hours=1),
    )
    link = staff.make_reset_link(uow, actor=admin, base_url=BASE, user_id=colleague.actor.user_id)
    token = link.url.rsplit("/", 1)[1]
    assert link.url.startswith(f"{BASE}/reset-password/")
    with uow:  # only the hash is kept
        rows = uow.session.scalars(select(m.PasswordReset)).all()
        assert [r.token_hash for r in rows] != [] and token not in {r.token_hash for r in rows}
    assert staff.reset_for(uow, token=token) == colleague.email
    with pytest.raises(InputError) as weak:
        staff.reset_password(uow, token=token, password="welcome2024!")
    assert weak.value.problems[0].path == "password"
    staff.reset_password(uow, token=token, password=GOOD)
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=old_session, kind="session")
    accounts.login(
        uow, email=colleague.email, password=GOOD, kind="session", lifetime=dt.timedelta(hours=1)
    )
    with pytest.raises(LinkExpired):
        staff.reset_password(uow, token=token, password="another fine phrase")
    with pytest.raises(LinkInvalid):
        staff.reset_for(uow, token="made-up")
    with uow:
        actions = [
            e.action
            for e in uow.session.scalars(select(m.AuditEvent))
            if e.record_type == "user" and e.record_id == str(colleague.actor.user_id)
        ]
    assert "password_reset_link" in actions and "password_reset" in actions


def test_a_newer_link_stops_the_older_and_an_expired_link_is_refused(uow: UnitOfWork) -> None:
    clinic = add_clinic(uow)
    admin = _admin(uow, clinic)
    colleague = add_staff(uow, clinic)
    first = staff.make_reset_link(uow, actor=admin, base_url=BASE, user_id=colleague.actor.user_id)
    second = staff.make_reset_link(uow, actor=admin, base_url=BASE, user_id=colleague.actor.user_id)
    with pytest.raises(LinkExpired):
        staff.reset_for(uow, token=first.url.rsplit("/", 1)[1])
    with uow:
        for row in uow.session.scalars(select(m.PasswordReset)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        uow.commit()
    with pytest.raises(LinkExpired):
        staff.reset_for(uow, token=second.url.rsplit("/", 1)[1])


def test_another_clinics_admin_cannot_touch_an_account(uow: UnitOfWork) -> None:
    a, b = add_clinic(uow), add_clinic(uow)
    admin_b = _admin(uow, b)
    colleague = add_staff(uow, a)
    with pytest.raises(NotFound):
        staff.set_active(uow, actor=admin_b, user_id=colleague.actor.user_id, active=False)
    with pytest.raises(NotFound):
        staff.make_reset_link(uow, actor=admin_b, base_url=BASE, user_id=colleague.actor.user_id)
