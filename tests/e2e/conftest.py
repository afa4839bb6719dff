"""A real server for the browser: uvicorn on 127.0.0.1 (a free port, its own thread) over a
temporary, migrated SQLite database with one clinic and one practitioner; Debian's Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork
from tests.e2e.e2ekit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EMAIL,
    EMERGENCY_NUMBER,
    PASSWORD,
    SCREENSHOTS,
    LiveServer,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, knowledge: Knowledge
) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("e2e") / "needlesafe.db"
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    accounts.create_clinic(
        uow, name="Riverside Skin Clinic", phone="020 7946 0100", emergency_number=EMERGENCY_NUMBER
    )
    accounts.create_user_for_clinic(
        uow,
        clinic_name="Riverside Skin Clinic",
        email=EMAIL,
        role="practitioner",
        password=PASSWORD,
        name="Dr Rivers",
    )
    engine.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key=SecretStr("e2e-secret-" + "x" * 32),
        public_base_url=base,
        emergency_number=EMERGENCY_NUMBER,
    )
    app = create_app(settings, knowledge=knowledge)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=base, database_url=url, secret=settings.secret)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.needlesafe.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
