"""Browser sessions and CSRF, as the pages use them: `sign_in`, `start_session`,
`SessionActor`, `CsrfChecked`, `csrf_token`, `end_session` from `needlesafe.deps`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from needlesafe.deps import (
    CsrfChecked,
    SessionActor,
    StateDep,
    csrf_token,
    end_session,
    sign_in,
    start_session,
)
from tests.api.apikit import ClinicWorld


def pages() -> APIRouter:
    """A tiny stand-in for the pages of `web/`."""
    router = APIRouter()

    @router.get("/t/login")
    def login_form(request: Request) -> dict[str, str]:
        return {"csrf": csrf_token(request)}

    @router.post("/t/login")
    async def login(request: Request, state: StateDep, _: CsrfChecked) -> JSONResponse:
        form = await request.form()
        token, actor = sign_in(
            state,
            request,
            email=str(form["email"]),
            password=str(form["password"]),
            kind="session",
        )
        response = JSONResponse({"clinic": actor.clinic_id})
        start_session(request, response, state.settings, token)
        return response

    @router.get("/t/page")
    def page(actor: SessionActor, request: Request) -> dict[str, object]:
        return {"clinic": actor.clinic_id, "csrf": csrf_token(request)}

    @router.post("/t/form")
    def form(actor: SessionActor, _: CsrfChecked) -> dict[str, object]:
        return {"done": True}

    @router.post("/t/logout")
    def logout(request: Request, state: StateDep, _: CsrfChecked) -> JSONResponse:
        response = JSONResponse({"bye": True})
        end_session(request, response, state)
        return response

    return router


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    app.include_router(pages())
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _signed_in(browser: TestClient, world: ClinicWorld) -> str:
    csrf = browser.get("/t/login").json()["csrf"]
    response = browser.post(
        "/t/login",
        data={
            "email": world.practitioner.email,
            "password": world.practitioner.password,
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 200, response.text
    return str(browser.get("/t/page").json()["csrf"])


def test_a_page_sends_a_visitor_who_is_not_signed_in_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/t/page?x=1", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/t/page%3Fx%3D1"
    assert browser.get("/t/page", headers={"accept": "application/json"}).status_code == 401


def test_signing_in_sets_a_secure_http_only_lax_session_cookie(
    browser: TestClient, clinic_a: ClinicWorld
) -> None:
    csrf = browser.get("/t/login").json()["csrf"]
    response = browser.post(
        "/t/login",
        data={
            "email": clinic_a.admin.email,
            "password": clinic_a.admin.password,
            "csrf_token": csrf,
        },
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("needlesafe_session=")
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert flag.lower() in cookie.lower(), flag
    assert browser.get("/t/page").json()["clinic"] == clinic_a.clinic_id


def test_the_csrf_cookie_is_http_only(browser: TestClient) -> None:
    cookie = browser.get("/t/login").headers["set-cookie"]
    assert cookie.startswith("needlesafe_csrf=") and "HttpOnly" in cookie


def test_signing_in_without_the_csrf_token_is_refused(
    browser: TestClient, clinic_a: ClinicWorld
) -> None:
    browser.get("/t/login")
    response = browser.post(
        "/t/login", data={"email": clinic_a.admin.email, "password": clinic_a.admin.password}
    )
    assert response.status_code == 403


def test_a_form_needs_the_csrf_token_in_the_form_or_the_header(
    browser: TestClient, clinic_a: ClinicWorld
) -> None:
    csrf = _signed_in(browser, clinic_a)
    assert browser.post("/t/form", data={"csrf_token": csrf}).status_code == 200
    assert browser.post("/t/form", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert browser.post("/t/form", data={"csrf_token": "0" * 64}).status_code == 403
    assert browser.post("/t/form").status_code == 403


def test_a_csrf_token_from_another_browser_does_not_fit(
    app: FastAPI, browser: TestClient, clinic_a: ClinicWorld
) -> None:
    _signed_in(browser, clinic_a)
    with TestClient(app, base_url="https://testserver") as other:
        foreign = other.get("/t/login").json()["csrf"]
    assert browser.post("/t/form", data={"csrf_token": foreign}).status_code == 403


def test_a_session_is_not_an_api_token_and_a_token_is_not_a_session(
    browser: TestClient, clinic_a: ClinicWorld
) -> None:
    _signed_in(browser, clinic_a)
    assert browser.get("/api/v1/patients").status_code == 401
    browser.cookies.clear()
    headers = clinic_a.practitioner.headers
    assert browser.get("/t/page", headers=headers).status_code == 401


def test_signing_out_ends_the_session(browser: TestClient, clinic_a: ClinicWorld) -> None:
    csrf = _signed_in(browser, clinic_a)
    session = browser.cookies.get("needlesafe_session")
    assert browser.post("/t/logout", data={"csrf_token": csrf}).status_code == 200
    browser.cookies.clear()
    replayed = browser.get(
        "/t/page", headers={"accept": "application/json", "cookie": f"needlesafe_session={session}"}
    )
    assert replayed.status_code == 401  # the old cookie was revoked, not just forgotten


def test_signing_in_to_pages_is_rate_limited_too(
    browser: TestClient, clinic_a: ClinicWorld
) -> None:
    csrf = browser.get("/t/login").json()["csrf"]
    wrong = {"email": clinic_a.admin.email, "password": "not it", "csrf_token": csrf}
    codes = [browser.post("/t/login", data=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_a_lookalike_cookie_does_not_stand_in_for_the_csrf_cookie(browser: TestClient) -> None:
    response = browser.get("/t/login", headers={"cookie": "xneedlesafe_csrf=abc; needlesafe_csrf="})
    assert response.headers["set-cookie"].startswith("needlesafe_csrf=")
