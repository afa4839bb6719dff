"""The safety dashboard: an admin of the clinic sees its rates, signals and charts and
downloads the CSV; a practitioner is refused; another clinic's records never show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts
from needlesafe.services import surveillance as service
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork
from needlesafe.surveillance.synthetic import DemoData, generate
from tests.web.webkit import PASSWORD, Browser

SEED = 9


class Site(TypedDict):
    """The dashboard's app over a demo registry, the signals planted in it and its data."""

    app: FastAPI
    planted: list[dict[str, Any]]
    data: DemoData


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, knowledge: Knowledge) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder / 'web.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    data = generate(knowledge, treatments=3_000, seed=SEED)
    planted = service.load_demo(uow, knowledge=knowledge, data=data)
    clinic = f"Demo Registry 1 (seed {SEED})"
    for role in ("admin", "practitioner"):
        accounts.create_user_for_clinic(
            uow, clinic_name=clinic, email=f"{role}@one.example", role=role, password=PASSWORD
        )
    accounts.create_clinic(uow, name="Empty Clinic", phone="020 7946 0100", emergency_number="999")
    accounts.create_user_for_clinic(
        uow,
        clinic_name="Empty Clinic",
        email="admin@empty.example",
        role="admin",
        password=PASSWORD,
    )
    engine.dispose()
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key=SecretStr("w" * 40),
        public_base_url="http://testserver",
    )
    app = create_app(settings, knowledge=knowledge)
    yield {"app": app, "planted": planted, "data": data}
    app.state.needlesafe.engine.dispose()


def _browser(site: Site, email: str) -> Browser:
    client = TestClient(
        site["app"], base_url="http://testserver", follow_redirects=False,
        headers={"accept": "text/html"},
    )  # fmt: skip
    browser = Browser(client)
    browser.sign_in(email)
    return browser


def test_an_admin_sees_rates_signals_charts_and_downloads_the_csv(site: Site) -> None:
    browser = _browser(site, "admin@one.example")
    page = browser.client.get("/surveillance")
    assert page.status_code == 200
    html = page.text
    assert "Safety surveillance" in html and "Complications per 1,000 treatments" in html
    assert html.count('src="data:image/svg+xml;base64,') >= 5
    assert 'href="/surveillance"' in html  # the nav link, for admins
    csv = browser.client.get("/surveillance/rates.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("dimension,value,complication,treatments,cases,per_1000")
    # the clinic's own treatments, every one of them
    clinic_total = next(line for line in lines if line.startswith("all,all,scarring,")).split(",")[
        3
    ]
    first = site["data"].tables["treatments"]
    own = sum(1 for c in first.column("clinic_id").to_pylist() if c == 1)
    assert int(clinic_total) == own == 3_000


def test_a_practitioner_is_refused(site: Site) -> None:
    browser = _browser(site, "practitioner@one.example")
    assert browser.client.get("/surveillance").status_code == 403
    assert browser.client.get("/surveillance/rates.csv").status_code == 403
    assert 'href="/surveillance"' not in browser.client.get("/patients").text


def test_a_clinic_without_treatments_sees_none(site: Site) -> None:
    browser = _browser(site, "admin@empty.example")
    page = browser.client.get("/surveillance")
    assert page.status_code == 200
    assert "No treatment recorded yet" in page.text


def test_signed_out_is_sent_to_sign_in(site: Site) -> None:
    client = TestClient(site["app"], base_url="http://testserver", follow_redirects=False,
                        headers={"accept": "text/html"})  # fmt: skip
    response = client.get("/surveillance")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/surveillance"
