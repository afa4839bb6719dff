"""The patient marks treated and untreated skin on their own photo: two taps (boxes) or, with
no script or pointer, two of nine places; needlesafe measures the a* and ITA° differences
(the clinic sees them, marked by the patient). A patient link reaches only its own
treatment's photos. The inbox fills every card's photo strip with one request."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, event

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import treatments
from needlesafe.settings import Settings
from needlesafe.store.uow import UnitOfWork
from tests.followup.colourkit import srgb8
from tests.followup.followkit import Treated, csrf, sign_in, treat_today

T = TypeVar("T")

TREATED_LAB, REFERENCE_LAB = (62.0, 18.0, 16.0), (66.0, 9.0, 17.0)


def _token(uow: UnitOfWork, settings: Settings, treatment_id: int) -> str:
    link = treatments.issue_checkin_link(
        uow,
        actor=None,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
    )
    assert link is not None  # not only_if_active: a link is always made
    return link.token


def skin_photo() -> bytes:
    """300 x 300: treated skin in the middle ninth, untreated skin in the top-left ninth."""
    image = Image.new("RGB", (300, 300), (128, 128, 128))
    image.paste(srgb8(TREATED_LAB), (100, 100, 200, 200))
    image.paste(srgb8(REFERENCE_LAB), (0, 0, 100, 100))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _send_photo(client: TestClient, token: str, checkin_id: int | None = None) -> int:
    answer = client.post(
        f"/api/v1/checkin/{token}/photos",
        data={"checkin_id": str(checkin_id)} if checkin_id else {},
        files=[("photos", ("skin.png", skin_photo(), "image/png"))],
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["items"][0]["id"])


@pytest.fixture
def sent(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> tuple[Treated, str, int, int]:
    treated = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    checkin = client.post(f"/api/v1/checkin/{token}", json={"message": "cheeks red"}).json()
    return treated, token, checkin["checkin_id"], _send_photo(client, token, checkin["checkin_id"])


def _expected_delta_a() -> float:
    return TREATED_LAB[1] - REFERENCE_LAB[1]


def test_two_taps_measure_the_redness_between_them(
    client: TestClient, sent: tuple[Treated, str, int, int]
) -> None:
    treated, token, _, photo_id = sent
    answer = client.post(
        f"/api/v1/checkin/{token}/photos/{photo_id}/marks",
        json={"treated": [130, 130, 40, 40], "reference": [30, 30, 40, 40]},
    )
    assert answer.status_code == 200, answer.text
    measured = answer.json()["measurement"]
    assert measured["marked_by"] == "patient"
    assert measured["delta_a_star"] == pytest.approx(_expected_delta_a(), abs=1.0)
    assert measured["delta_ita"] < 0  # the treated skin reads darker (lower L*)
    staff = client.get(
        f"/api/v1/treatments/{treated.treatment_id}/photos", headers=treated.staff.headers
    ).json()["items"]
    assert staff[0]["measurement"]["treated_box"] == [130, 130, 40, 40]


def test_two_of_nine_places_measure_the_same_without_a_pointer(
    client: TestClient, sent: tuple[Treated, str, int, int]
) -> None:
    _, token, _, photo_id = sent
    answer = client.post(
        f"/api/v1/checkin/{token}/photos/{photo_id}/marks",
        json={"treated_cell": 5, "reference_cell": 1},
    )
    assert answer.status_code == 200, answer.text
    measured = answer.json()["measurement"]
    assert measured["treated_box"] == [125, 125, 50, 50]  # the middle half of the middle ninth
    assert measured["delta_a_star"] == pytest.approx(_expected_delta_a(), abs=1.0)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"treated_cell": 5}, "reference"),
        ({"reference_cell": 1}, "treated"),
        ({"treated_cell": 5, "reference_cell": 5}, "reference"),
        ({"treated_cell": 10, "reference_cell": 1}, "treated_cell"),
        ({"treated": [290, 290, 40, 40], "reference": [30, 30, 40, 40]}, "treated"),
    ],
)
def test_a_missing_or_impossible_place_is_422_naming_it(
    client: TestClient, sent: tuple[Treated, str, int, int], body: dict[str, object], path: str
) -> None:
    _, token, _, photo_id = sent
    answer = client.post(f"/api/v1/checkin/{token}/photos/{photo_id}/marks", json=body)
    assert answer.status_code == 422, answer.text
    assert any(path in p["path"] for p in answer.json()["detail"]), answer.text


def test_a_patient_link_marks_only_its_own_treatments_photos(
    client: TestClient,
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
    sent: tuple[Treated, str, int, int],
) -> None:
    treated, token, _, photo_id = sent
    # the same patient's other treatment, and another clinic's patient
    other = treat_today(uow, knowledge, clinic_id=treated.clinic_id, name="Sam Other")
    other_token = _token(uow, settings, other.treatment_id)
    stranger = treat_today(uow, knowledge, name="Kim Elsewhere")
    stranger_token = _token(uow, settings, stranger.treatment_id)
    marks = {"treated_cell": 5, "reference_cell": 1}
    for link in (other_token, stranger_token):
        answer = client.post(f"/api/v1/checkin/{link}/photos/{photo_id}/marks", json=marks)
        assert answer.status_code == 404, answer.text
        assert client.get(f"/checkin/{link}/photos/{photo_id}/image").status_code == 404
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    answer = client.post(f"/api/v1/checkin/{tampered}/photos/{photo_id}/marks", json=marks)
    assert answer.status_code == 404, answer.text  # a link that is not valid
    assert client.get(f"/checkin/{token}/photos/{photo_id}/image").status_code == 200
    with_staff_token = client.post(
        f"/api/v1/checkin/{other_token}/photos/{photo_id}/marks",
        json=marks,
        headers=treated.staff.headers,
    )
    assert with_staff_token.status_code == 404  # a staff token does not widen a link


def test_the_page_offers_nine_places_and_takes_them_without_a_script(
    client: TestClient, sent: tuple[Treated, str, int, int]
) -> None:
    _, token, checkin_id, _ = sent
    # a second photo sent from the answer page's form (no htmx: the full page comes back)
    token_field = csrf(client, f"/checkin/{token}")
    page = client.post(
        f"/checkin/{token}/photos",
        data={"csrf_token": token_field, "checkin_id": str(checkin_id)},
        files=[("photos", ("skin.png", skin_photo(), "image/png"))],
    )
    assert page.status_code == 201, page.text
    found = re.search(r'action="/checkin/[^"]+/photos/(\d+)/marks"', page.text)
    assert found is not None
    photo_id = found.group(1)
    assert page.text.count('name="treated_cell"') == 9
    assert page.text.count('name="reference_cell"') == 9
    assert 'name="treated_cell" value="5" checked' in page.text  # the middle, to start
    assert f'src="/checkin/{token}/photos/{photo_id}/image"' in page.text
    missing = client.post(
        f"/checkin/{token}/photos/{photo_id}/marks",
        data={"csrf_token": token_field, "treated_cell": "5"},
    )
    assert missing.status_code == 422
    assert "Show where skin that was not treated is." in missing.text
    assert 'name="treated_cell" value="5" checked' in missing.text  # kept
    done = client.post(
        f"/checkin/{token}/photos/{photo_id}/marks",
        data={"csrf_token": token_field, "treated_cell": "5", "reference_cell": "1"},
    )
    assert done.status_code == 200, done.text
    assert "Thank you. Your clinic will compare the colour" in done.text
    tapped = client.post(
        f"/checkin/{token}/photos/{photo_id}/marks",
        data={
            "csrf_token": token_field,
            "treated_box": "130,130,40,40",
            "reference_box": "30,30,40,40",
            "treated_cell": "5",
            "reference_cell": "1",
        },
    )
    assert tapped.status_code == 200
    no_csrf = client.post(
        f"/checkin/{token}/photos/{photo_id}/marks",
        data={"treated_cell": "5", "reference_cell": "1"},
    )
    assert no_csrf.status_code == 403


def _count_queries(engine: Engine, call: Callable[[], T]) -> tuple[T, int]:
    seen: list[str] = []

    def before(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return result, len(seen)


def test_the_inbox_fills_every_cards_photo_strip_with_one_request(
    client: TestClient,
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    sent: tuple[Treated, str, int, int],
) -> None:
    treated, token, first_checkin, first_photo = sent
    checkins = [first_checkin]
    for _ in range(4):
        checkin = client.post(f"/api/v1/checkin/{token}", json={"message": "still red"}).json()
        _send_photo(client, token, checkin["checkin_id"])
        checkins.append(checkin["checkin_id"])
    stranger = treat_today(uow, knowledge, name="Kim Elsewhere")
    stranger_token = _token(uow, settings, stranger.treatment_id)
    theirs = client.post(f"/api/v1/checkin/{stranger_token}", json={"message": "red"}).json()
    _send_photo(client, stranger_token, theirs["checkin_id"])
    sign_in(client, treated.staff)
    inbox = client.get("/inbox?show=all").text
    assert inbox.count("data-checkin-photos=") >= 5 and "photos-strip" not in inbox
    ids = ",".join(str(i) for i in [*checkins, theirs["checkin_id"]])
    answer, many = _count_queries(engine, lambda: client.get(f"/inbox/photo-strips?ids={ids}"))
    assert answer.status_code == 200
    assert sorted(int(i) for i in re.findall(r'data-for="(\d+)"', answer.text)) == checkins
    assert f'src="/photos/{first_photo}/image"' in answer.text
    _, one = _count_queries(engine, lambda: client.get(f"/inbox/photo-strips?ids={first_checkin}"))
    assert many == one  # the same queries for five cards as for one
    assert client.get("/inbox/photo-strips?ids=1;drop").status_code == 422
