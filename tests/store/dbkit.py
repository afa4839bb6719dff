"""Database fixtures shared by tests/store, tests/services and tests/api.

Every test gets an empty, migrated database: on SQLite a fresh copy of a migrated file; on
PostgreSQL (when NEEDLESAFE_TEST_POSTGRES_URL is set) a schema of its own, created for this test
session and dropped at its end, with every table truncated before each test. Nothing outside
that schema is ever touched.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.triage_schema import Disposition
from needlesafe.services import accounts
from needlesafe.services import patients as _patients
from needlesafe.services import treatments as _treatments
from needlesafe.services.context import Actor
from needlesafe.services.schemas import TreatmentPublic
from needlesafe.settings import Settings
from needlesafe.store import migrate
from needlesafe.store import models as m
from needlesafe.store.db import make_engine, make_session_factory, normalise_url
from needlesafe.store.models import SignedConsent
from needlesafe.store.uow import UnitOfWork

POSTGRES_URL = os.environ.get("NEEDLESAFE_TEST_POSTGRES_URL")
SECRET = "test-secret-" + "x" * 32


@dataclass
class DatabaseUnderTest:
    kind: str  # "sqlite" | "postgresql"
    template: Path | None = None  # sqlite: a migrated file to copy
    url: str = ""  # postgresql: the URL with our schema on the search path
    schema: str = ""


def _with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Still argon2id, with tiny costs, so hundreds of accounts take no time in tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts,
            "_hasher",
            lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
        )
        yield


@pytest.fixture(
    scope="session",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not POSTGRES_URL, reason="NEEDLESAFE_TEST_POSTGRES_URL is not set"
                ),
            ],
        ),
    ],
)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseUnderTest]:
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield DatabaseUnderTest(kind="sqlite", template=template)
        return
    assert POSTGRES_URL is not None
    base = normalise_url(POSTGRES_URL)
    schema = f"needlesafe_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(base, schema)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield DatabaseUnderTest(kind="postgresql", url=url, schema=schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))  # ours alone
        admin.dispose()


def _truncate(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            names = [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename <> 'alembic_version'"
                    )
                )
            ]
            if names:
                tables = ", ".join(f'"{n}"' for n in names)
                # the append-only tables refuse TRUNCATE (a trigger, migration 0009)
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def db_url(database: DatabaseUnderTest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database for this test."""
    if database.kind == "sqlite":
        assert database.template is not None
        target = tmp_path / "needlesafe.db"
        shutil.copyfile(database.template, target)
        return f"sqlite:///{target}"
    _truncate(database.url)
    return database.url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(engine))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url="https://clinic.example",
    )


# ---------------------------------------------------------------- making records


@dataclass
class Staff:
    actor: Actor
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_clinic(uow: UnitOfWork, name: str | None = None) -> int:
    return accounts.create_clinic(uow, name=name or f"Clinic {secrets.token_hex(3)}").id


def add_staff(uow: UnitOfWork, clinic_id: int, role: str = "practitioner") -> Staff:
    with uow:
        clinic = uow.clinics.by_id(clinic_id)
        assert clinic is not None
        name = clinic.name
    email = f"{role}-{secrets.token_hex(4)}@clinic.example"
    password = "correct horse battery"
    user = accounts.create_user_for_clinic(
        uow, clinic_name=name, email=email, role=role, password=password
    )
    token = accounts.create_token(uow, email=email, lifetime=dt.timedelta(hours=1))
    return Staff(
        actor=Actor(user_id=user.id, clinic_id=clinic_id, role=role),
        email=email,
        password=password,
        token=token,
    )


def fake_triage(disposition: Disposition = "contact_clinic") -> dict[str, object]:
    """A stored triage result, for tests that need check-ins without running the engine."""
    return {
        "disposition": disposition,
        "findings": [],
        "symptoms": [],
        "patient_text": "Test text.",
        "knowledge_version": "test",
    }


def add_checkin_row(
    uow: UnitOfWork,
    *,
    clinic_id: int,
    patient_id: int,
    treatment_id: int,
    disposition: Disposition,
    created_at: dt.datetime | None = None,
    handled: bool = False,
) -> int:
    with uow:
        row = uow.checkins.add(
            m.CheckIn(
                clinic_id=clinic_id,
                patient_id=patient_id,
                treatment_id=treatment_id,
                source="patient_link",
                input={"days_since_treatment": 1, "symptoms": []},
                triage=fake_triage(disposition),
                disposition=disposition,
                urgency=m.DISPOSITION_RANK[disposition],
                knowledge_version="test",
                handled=handled,
                created_at=created_at or dt.datetime.now(dt.UTC),
            )
        )
        uow.commit()
        return row.id


INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {
        "areas": ["cheeks"],
        "needle_depth_mm": 1.0,
        "device": "pen",
        "numbing_agent": "lidocaine",
        "topicals": ["hyaluronic_acid"],
    },
}

TREATMENT = {
    # recent, so that its check-in link (valid N days after the treatment) is still valid
    "performed_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
    "device": "pen",
    "device_make": "Acme",
    "device_model": "P1",
    "needle_cartridge_lot": "CART-1",
    "areas": [{"area": "cheeks", "depth_mm": 1.0, "passes": 2}],
    "numbing_agent": "lidocaine",
    "numbing_agent_lot": "NUM-1",
    "topicals": [{"code": "hyaluronic_acid", "lot": "HA-1"}],
    "notes": "",
}


def add_signed_consent_row(
    uow: UnitOfWork, *, clinic_id: int, patient_id: int, intake_id: int
) -> int:
    """A signed consent for an intake, without rendering its PDF (for tests of other things)."""
    with uow:
        row = SignedConsent(
            clinic_id=clinic_id,
            patient_id=patient_id,
            intake_id=intake_id,
            patient_signer="Pat Example",
            practitioner_signer="Test Practitioner",
            sheet_version="0" * 16,
            knowledge_version="test",
            wording_version="test",
            sheet={},
            pdf_sha256="0" * 64,
            pdf=b"%PDF-test",
        )
        uow.consents.add(row)
        uow.commit()
        return row.id


def screen_for_treatment(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake: Mapping[str, object] | None = None,
    *,
    days_ago: int = 5,
    consent: bool = True,
) -> int:
    """A screening made `days_ago` days ago (before TREATMENT's day), with the patient's signed
    consent: what the treatment gate needs. Returns the intake id."""
    saved = _patients.screen_patient(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake=intake or INTAKE
    )
    with uow:
        row = uow.intakes.get(actor.clinic_id, saved.id)
        assert row is not None
        row.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        uow.commit()
    if consent:
        add_signed_consent_row(
            uow, clinic_id=actor.clinic_id, patient_id=patient_id, intake_id=saved.id
        )
    return saved.id


def record_cleared_treatment(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    **changes: object,
) -> TreatmentPublic:
    """TREATMENT (with `changes`) after a screening that clears it and a signed consent."""
    intake_id = screen_for_treatment(uow, actor, knowledge, patient_id)
    return _treatments.record_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment={**TREATMENT, "intake_id": intake_id, **changes},
    )
