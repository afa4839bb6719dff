"""The operator's commands: db upgrade, admin create-clinic/create-user/create-token/
checkin-link, and serve (migrates and seeds a demo clinic on a new database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from needlesafe.knowledge.loader import default_knowledge
from needlesafe.services import accounts, links, patients
from needlesafe.services.context import Actor
from needlesafe.services.errors import LinkExpired
from needlesafe.settings import get_settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.api.clikit import run  # the CLI in this process (the `env` fixture: conftest)
from tests.store.dbkit import SECRET, record_cleared_treatment


def test_db_upgrade_migrates_a_new_database(env: str) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output


def test_admin_commands_need_a_migrated_database(env: str) -> None:
    result = run("admin", "create-clinic", "Riverside")
    assert result.exit_code == 2
    assert "needlesafe db upgrade" in result.output


def test_an_operator_sets_up_a_clinic_a_user_and_a_token(env: str) -> None:
    run("db", "upgrade")
    assert run("admin", "create-clinic", "Riverside").exit_code == 0
    again = run("admin", "create-clinic", "Riverside")
    assert again.exit_code == 2 and "already exists" in again.output
    made = run(
        "admin",
        "create-user",
        "--clinic",
        "Riverside",
        "--email",
        "Doc@Riverside.example",
        "--role",
        "admin",
        "--generate-password",
    )
    assert made.exit_code == 0, made.output
    password = made.output.split("password: ")[1].strip()
    uow = UnitOfWork(make_session_factory(make_engine(env)))
    _, actor = accounts.login(
        uow,
        email="doc@riverside.example",
        password=password,
        kind="api",
        lifetime=dt.timedelta(hours=1),
    )
    assert actor.role == "admin"
    token = run("admin", "create-token", "--email", "doc@riverside.example")
    assert token.exit_code == 0
    assert accounts.resolve_token(uow, token=token.output.strip(), kind="api") == actor


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--clinic", "Riverside", "--email", "x@y.example", "--role", "owner"], "role"),
        (["--clinic", "Nowhere", "--email", "x@y.example", "--role", "admin"], "no clinic"),
        (["--clinic", "Riverside", "--email", "not-an-email", "--role", "admin"], "email"),
    ],
)
def test_a_bad_user_is_one_clear_line_and_exit_2(env: str, args: list[str], words: str) -> None:
    run("db", "upgrade")
    run("admin", "create-clinic", "Riverside")
    result = run("admin", "create-user", *args, "--generate-password")
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_a_token_for_nobody_is_refused(env: str) -> None:
    run("db", "upgrade")
    result = run("admin", "create-token", "--email", "nobody@x.example")
    assert result.exit_code == 2 and "no user" in result.output


def test_checkin_link_prints_a_signed_link_to_that_treatment(env: str) -> None:
    run("db", "upgrade")
    uow = UnitOfWork(make_session_factory(make_engine(env)))
    clinic = accounts.create_clinic(uow, name="Riverside")
    actor = Actor(user_id=None, clinic_id=clinic.id, role="cli", kind="cli")
    patient = patients.create_patient(uow, actor=actor, patient={"name": "P"})
    done = record_cleared_treatment(uow, actor, default_knowledge(), patient.id)
    result = run("admin", "checkin-link", str(done.id))
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://clinic.example/checkin/")
    token = url.rsplit("/", 1)[1]
    access = links.open_checkin_link(uow, SECRET, token, max_age=dt.timedelta(days=30))
    assert (access.clinic_id, access.treatment_id) == (clinic.id, done.id)
    assert len(token) == 43 and "." not in token  # opaque: random, says nothing about ids
    assert run("admin", "checkin-link", str(done.id)).output.strip() == url  # the same link
    missing = run("admin", "checkin-link", "999")
    assert missing.exit_code == 2 and "no such treatment" in missing.output
    # renewed: a new link, the old one stops; stopped: no link opens
    renewed = run("admin", "checkin-link", str(done.id), "--renew").output.strip()
    assert renewed != url and renewed.startswith("https://clinic.example/checkin/")
    with pytest.raises(LinkExpired, match="stopped"):
        links.open_checkin_link(uow, SECRET, token, max_age=dt.timedelta(days=30))
    stopped = run("admin", "checkin-link", str(done.id), "--revoke")
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    with pytest.raises(LinkExpired, match="stopped"):
        links.open_checkin_link(
            uow, SECRET, renewed.rsplit("/", 1)[1], max_age=dt.timedelta(days=30)
        )
    assert run("admin", "checkin-link", str(done.id), "--renew", "--revoke").exit_code == 2


def test_serve_migrates_seeds_a_demo_and_prints_the_login_and_a_link(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "development")
    monkeypatch.delenv("NEEDLESAFE_PUBLIC_BASE_URL")
    get_settings.cache_clear()
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    first = run("serve", "--port", "8123")
    assert first.exit_code == 0, first.output
    assert "seeded a demo clinic" in first.output
    assert "demo@needlesafe.example / needlesafe-demo" in first.output
    assert "http://127.0.0.1:8123/checkin/" in first.output
    assert started[0]["port"] == 8123 and started[0]["access_log"] is False
    second = run("serve", "--port", "8123")
    assert second.exit_code == 0
    assert "seeded" not in second.output  # an existing database is left as it is
    assert "patient check-in" in second.output
    uow = UnitOfWork(make_session_factory(make_engine(env)))
    with uow:
        assert uow.clinics.count() == 1


def test_serve_refuses_a_placeholder_secret_in_production(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "production")
    monkeypatch.delenv("NEEDLESAFE_SECRET_KEY")
    get_settings.cache_clear()
    result = run("serve")
    assert result.exit_code == 2
    assert "NEEDLESAFE_SECRET_KEY" in result.output


def test_create_clinic_takes_its_phone_and_emergency_number(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("db", "upgrade")
    made = run(
        "admin",
        "create-clinic",
        "Riverside",
        "--phone",
        "020 7946 0100",
        "--emergency-number",
        "999",
    )
    assert made.exit_code == 0, made.output
    assert "phone 020 7946 0100, emergency 999" in made.output
    monkeypatch.setenv("NEEDLESAFE_EMERGENCY_NUMBER", "112")
    get_settings.cache_clear()
    default = run("admin", "create-clinic", "Lakeside")
    assert default.exit_code == 0, default.output
    assert "no phone yet, emergency 112" in default.output  # the setting is the default
    bad = run("admin", "create-clinic", "Hillside", "--phone", "ring us")
    assert bad.exit_code == 2 and "phone" in bad.output


def test_lots_trace_lists_one_clinics_treatments_of_a_lot(env: str) -> None:
    run("db", "upgrade")
    uow = UnitOfWork(make_session_factory(make_engine(env)))
    for name in ("Riverside", "Elsewhere"):
        clinic = accounts.create_clinic(uow, name=name)
        actor = Actor(user_id=None, clinic_id=clinic.id, role="cli", kind="cli")
        patient = patients.create_patient(
            uow, actor=actor, patient={"name": f"Pat of {name}", "chart_number": "C-7"}
        )
        done = record_cleared_treatment(uow, actor, default_knowledge(), patient.id)
    result = run("lots", "trace", "NUM-1", "--clinic", "Elsewhere")
    assert result.exit_code == 0, result.output
    assert "lot NUM-1: 1 treatment, 1 patient" in result.output
    assert f"treatment {done.id}  Pat of Elsewhere (chart C-7)" in result.output
    assert "Riverside" not in result.output and "numbing_agent" in result.output
    csv = run("lots", "trace", "HA-1", "--clinic", "Elsewhere", "--csv")
    assert csv.output.splitlines()[1].startswith(f"HA-1,{done.id},"), csv.output
    none = run("lots", "trace", "NOPE", "--clinic", "Riverside", "--json")
    assert none.exit_code == 0 and '"treatments":[]' in none.output
    missing = run("lots", "trace", "NUM-1", "--clinic", "Nowhere")
    assert missing.exit_code == 2 and "no clinic named" in missing.output
    blank = run("lots", "trace", " ", "--clinic", "Riverside")
    assert blank.exit_code == 2 and "lot" in blank.output
