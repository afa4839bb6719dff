"""Errors on the clinic's pages are plain HTML pages with the right status; the API keeps JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.web.webkit import CLINICS, Browser, email_of

JSON = {"accept": "application/json"}


def another_clinics_patient(staff: Browser) -> int:
    response = staff.post("/patients", {"name": "Jamie Rivera"})
    assert response.status_code == 303, response.text
    patient = int(response.headers["location"].rsplit("/", 1)[1])
    staff.post("/logout", {})
    staff.sign_in(email_of(CLINICS[1]))
    return patient


def assert_error_page(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "<!doctype html>" in response.text.lower()
    assert f"Error {status}" in response.text and words in response.text
    assert '"detail"' not in response.text


def test_another_clinics_patient_is_a_404_page_in_the_browser(staff: Browser) -> None:
    patient = another_clinics_patient(staff)
    page = staff.client.get(f"/patients/{patient}")
    assert_error_page(page, 404, "No such patient")
    assert "Jamie Rivera" not in page.text


def test_the_same_error_is_json_when_json_is_asked_for(staff: Browser) -> None:
    patient = another_clinics_patient(staff)
    response = staff.client.get(f"/patients/{patient}", headers=JSON)
    assert response.status_code == 404
    assert response.json() == {"detail": [{"path": "", "message": "no such patient"}]}


def test_the_api_answers_json_even_to_a_browser(staff: Browser) -> None:
    response = staff.client.get("/api/v1/patients/1")  # the browser's Accept: text/html
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"][0]["message"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/no-such-page", 404, "Not found"),
        ("/patients/not-a-number", 422, "Some of what was sent is not valid"),
    ],
)
def test_unknown_pages_and_bad_paths_get_a_page(
    staff: Browser, path: str, status: int, words: str
) -> None:
    assert_error_page(staff.client.get(path), status, words)
    assert staff.client.get(path, headers=JSON).headers["content-type"] == "application/json"


def test_a_form_without_its_csrf_token_gets_a_403_page(staff: Browser) -> None:
    response = staff.client.post("/patients", data={"name": "No Token"})
    assert_error_page(response, 403, "The form has expired; reload the page")


def test_a_page_error_escapes_what_it_shows(staff: Browser) -> None:
    response = staff.client.get("/patients/<script>")
    assert response.status_code == 422  # not a number: the path names the field
    assert "<script>" not in response.text
