"""`needlesafe serve` from either start: on a database without a clinic it seeds the demo
(development) or prints how to create a clinic, whether or not `db upgrade` ran first; and
`/docs` is served from vendored Swagger UI files, with nothing from a CDN."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from needlesafe.settings import get_settings
from tests.api.clikit import run  # the CLI in this process (the `env` fixture: conftest)


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    return started


def test_serve_seeds_the_demo_after_db_upgrade_ran_first(
    env: str,
    monkeypatch: pytest.MonkeyPatch,
    no_server: list[dict[str, Any]],
) -> None:
    # (serve on a database never migrated: test_api_cli.py)
    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "development")
    get_settings.cache_clear()
    assert run("db", "upgrade").exit_code == 0
    result = run("serve", "--port", "8124")
    assert result.exit_code == 0, result.output
    assert "seeded a demo clinic" in result.output
    assert "demo@needlesafe.example / needlesafe-demo" in result.output
    assert no_server, "the server was started"


@pytest.mark.parametrize("how", ["production-like", "--no-demo"])
def test_serve_without_a_demo_says_how_to_create_a_clinic(
    env: str,
    monkeypatch: pytest.MonkeyPatch,
    no_server: list[dict[str, Any]],
    how: str,
) -> None:
    if how == "--no-demo":
        monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "development")
        get_settings.cache_clear()
    assert run("db", "upgrade").exit_code == 0
    result = run("serve", *(["--no-demo"] if how == "--no-demo" else []))
    assert result.exit_code == 0, result.output
    assert "No clinic in this database yet" in result.output
    assert "needlesafe admin create-clinic" in result.output
    assert "needlesafe admin create-user" in result.output
    assert "seeded" not in result.output
    # once there is a clinic, nothing more is said about it
    assert run("admin", "create-clinic", "Riverside").exit_code == 0
    assert "No clinic" not in run("serve").output


def test_docs_are_served_from_vendored_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "<script>" not in page.text  # no inline script
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/", "data:")) for s in sources), sources
    for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"):
        assert asset in sources and client.get(asset).status_code == 200
    assert client.get("/static/vendor/swagger-ui/LICENSE").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "needlesafe"
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN pages are off
