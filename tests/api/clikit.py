"""The operator's command line in the test process: a fixture that points it at a fresh
SQLite database (and the test's own folder), and a runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.settings import get_settings
from tests.store.dbkit import SECRET

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "test")
    monkeypatch.setenv("NEEDLESAFE_SECRET_KEY", SECRET)
    monkeypatch.setenv("NEEDLESAFE_DATABASE_URL", url)
    monkeypatch.setenv("NEEDLESAFE_PUBLIC_BASE_URL", "https://clinic.example")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))
