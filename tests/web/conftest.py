"""The pages over a test database, through the HTTP client: two clinics, a signed-in browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork
from tests.web.webkit import CLINICS, PASSWORD, PHONE, Browser, email_of


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        yield


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    for clinic in CLINICS:
        accounts.create_clinic(uow, name=clinic, phone=PHONE, emergency_number="999")
        accounts.create_user_for_clinic(
            uow, clinic_name=clinic, email=email_of(clinic), role="practitioner", password=PASSWORD
        )
    engine.dispose()
    return Settings(
        environment="test",
        database_url=url,
        secret_key=SecretStr("w" * 40),
        public_base_url="http://testserver",
        emergency_number="112",  # the server's default: the clinics' own 999 must win
    )


@pytest.fixture
def anonymous(app_settings: Settings, knowledge: Knowledge) -> Iterator[Browser]:
    app = create_app(app_settings, knowledge=knowledge)
    with TestClient(
        app, base_url="http://testserver", follow_redirects=False, headers={"accept": "text/html"}
    ) as client:
        yield Browser(client)
    app.state.needlesafe.engine.dispose()


@pytest.fixture
def staff(anonymous: Browser) -> Browser:
    anonymous.sign_in(email_of(CLINICS[0]))
    return anonymous
