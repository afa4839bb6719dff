"""The pages over a test database, through the HTTP client: two clinics, a signed-in browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr

from needlesafe.api.app import create_app
from needlesafe.api.settings import Settings
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork

PASSWORD = "correct horse battery staple 42"
CLINICS = ("Riverside Skin Clinic", "Other Clinic")


def email_of(clinic: str) -> str:
    return f"doc@{clinic.split()[0].lower()}.example"


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
        accounts.create_clinic(uow, name=clinic)
        accounts.create_user_for_clinic(
            uow, clinic_name=clinic, email=email_of(clinic), role="practitioner", password=PASSWORD
        )
    engine.dispose()
    return Settings(
        environment="test",
        database_url=url,
        secret_key=SecretStr("w" * 40),
        public_base_url="http://testserver",
        emergency_number="999",
    )


@dataclass
class Browser:
    """A test client that keeps cookies and knows the page's CSRF token."""

    client: TestClient

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        token = self.csrf("/login")
        response = self.client.post(
            "/login", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code == 303, response.text

    def post(
        self, path: str, data: dict[str, object], *, csrf_from: str = "/patients", **kw: object
    ):  # type: ignore[no-untyped-def]
        return self.client.post(path, data={"csrf_token": self.csrf(csrf_from), **data}, **kw)  # type: ignore[arg-type]


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
