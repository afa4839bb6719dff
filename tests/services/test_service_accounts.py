"""Accounts: argon2id passwords, tokens kept only as hashes, expiry and revocation, roles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from needlesafe.errors import InputError
from needlesafe.services import accounts
from needlesafe.services.errors import Conflict, Forbidden, NotAuthenticated, NotFound
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_clinic, add_staff


def test_passwords_are_stored_as_argon2id_hashes(uow: UnitOfWork) -> None:
    clinic = add_clinic(uow)
    staff = add_staff(uow, clinic)
    with uow:
        user = uow.users.by_email(staff.email)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert staff.password not in user.password_hash


def test_the_default_hasher_is_argon2id() -> None:
    # the class accounts builds its hasher from (imported there, not re-exported)
    assert accounts.PasswordHasher().hash("x").startswith("$argon2id$")  # type: ignore[attr-defined]  # not re-exported


def test_sign_in_with_the_right_password_gives_a_token_for_that_user(uow: UnitOfWork) -> None:
    clinic = add_clinic(uow)
    staff = add_staff(uow, clinic, "admin")
    token, actor = accounts.login(
        uow,
        email=staff.email.upper(),
        password=staff.password,
        kind="api",
        lifetime=dt.timedelta(hours=1),
    )
    assert actor == staff.actor
    assert accounts.resolve_token(uow, token=token, kind="api") == staff.actor


@pytest.mark.parametrize("email_ok", [True, False])
def test_sign_in_with_a_wrong_email_or_password_is_refused(uow: UnitOfWork, email_ok: bool) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with pytest.raises(NotAuthenticated, match="wrong email or password"):
        accounts.login(
            uow,
            email=staff.email if email_ok else "nobody@clinic.example",
            password="wrong password!",
            kind="api",
            lifetime=dt.timedelta(hours=1),
        )


def test_only_a_hash_of_a_token_is_stored(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with uow:
        hashes = uow.session.scalars(select(m.AuthToken.token_hash)).all()
    assert staff.token not in hashes
    assert accounts.token_digest(staff.token) in hashes


def test_an_expired_token_is_refused(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with uow:
        row = uow.tokens.by_hash(accounts.token_digest(staff.token))
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        uow.commit()
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=staff.token, kind="api")


def test_a_revoked_token_is_refused(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    accounts.revoke_token(uow, token=staff.token)
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=staff.token, kind="api")


def test_a_token_of_one_kind_is_not_a_session(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=staff.token, kind="session")


def test_a_deactivated_user_cannot_use_their_token(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with uow:
        user = uow.users.by_email(staff.email)
        assert user is not None
        user.active = False
        uow.commit()
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=staff.token, kind="api")


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-token"])
def test_a_made_up_token_is_refused(uow: UnitOfWork, token: str) -> None:
    with pytest.raises(NotAuthenticated):
        accounts.resolve_token(uow, token=token, kind="api")


def test_clinic_names_and_emails_are_unique(uow: UnitOfWork) -> None:
    accounts.create_clinic(uow, name="Same")
    with pytest.raises(Conflict):
        accounts.create_clinic(uow, name="Same")
    staff = add_staff(uow, add_clinic(uow))
    with pytest.raises(Conflict):
        accounts.create_user(
            uow,
            actor=add_staff(uow, add_clinic(uow), "admin").actor,
            user={"email": staff.email, "role": "admin", "password": "long enough pw"},
        )


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("email", "not-an-email", "email"),
        ("role", "owner", "role"),
        ("password", "short", "password"),
    ],
)
def test_a_bad_new_user_names_the_field(uow: UnitOfWork, field: str, value: str, path: str) -> None:
    admin = add_staff(uow, add_clinic(uow), "admin")
    user: dict[str, object] = {
        "email": "new@clinic.example",
        "role": "practitioner",
        "password": "long enough pw",
    }
    user[field] = value
    with pytest.raises(InputError) as caught:
        accounts.create_user(uow, actor=admin.actor, user=user)
    assert caught.value.problems[0].path == path


def test_a_practitioner_cannot_add_users_or_read_the_audit_log(uow: UnitOfWork) -> None:
    staff = add_staff(uow, add_clinic(uow))
    with pytest.raises(Forbidden):
        accounts.create_user(
            uow,
            actor=staff.actor,
            user={"email": "x@clinic.example", "role": "admin", "password": "long enough pw"},
        )
    with pytest.raises(Forbidden):
        accounts.list_audit(uow, actor=staff.actor)
    with pytest.raises(Forbidden):
        accounts.list_users(uow, actor=staff.actor)


def test_an_admin_adds_users_only_to_their_own_clinic(uow: UnitOfWork) -> None:
    a, b = add_clinic(uow), add_clinic(uow)
    admin = add_staff(uow, a, "admin")
    add_staff(uow, b)
    user = accounts.create_user(
        uow,
        actor=admin.actor,
        user={"email": "new@clinic.example", "role": "practitioner", "password": "long enough pw"},
    )
    assert user.clinic_id == a
    listed = accounts.list_users(uow, actor=admin.actor)
    assert {u.clinic_id for u in listed.items} == {a}
    assert listed.total == 2


def test_the_command_line_needs_an_existing_clinic(uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        accounts.create_user_for_clinic(
            uow, clinic_name="Nowhere", email="a@b.example", role="admin", password="long enough pw"
        )
