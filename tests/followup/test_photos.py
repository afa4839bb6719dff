"""Photos with a check-in: limits (413, 422), every photo re-encoded with EXIF and GPS gone,
HEIC, WebP and PNG taken, kept outside the web root, and only the clinic's staff see them; a
patient link reaches only its own treatment's check-ins."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import treatments
from needlesafe.settings import Settings
from needlesafe.store.followup import CheckinPhoto
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import Treated, treat_today


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 110))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


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


@pytest.fixture
def patient(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> tuple[Treated, str, int]:
    treated = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    answer = client.post(f"/api/v1/checkin/{token}", json={"message": "still red on my cheeks"})
    return treated, token, answer.json()["checkin_id"]


def _send(
    client: TestClient, token: str, files: Sequence[bytes], checkin_id: int | None = None
) -> httpx.Response:
    data = {"checkin_id": str(checkin_id)} if checkin_id else {}
    # TestClient's methods are typed against httpx2, not installed here: Any to mypy
    response: httpx.Response = client.post(
        f"/api/v1/checkin/{token}/photos",
        files=[("photos", (f"p{i}", content, "image/jpeg")) for i, content in enumerate(files)],
        data=data,
    )
    return response


def _count(uow: UnitOfWork) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count(CheckinPhoto.id))) or 0)


def test_a_photo_is_kept_re_encoded_without_exif_or_gps_and_only_staff_see_it(
    client: TestClient, uow: UnitOfWork, settings: Settings, patient: tuple[Treated, str, int]
) -> None:
    treated, token, checkin_id = patient
    sent = photo(gps=True)
    assert b"PhoneMaker" in sent and Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)
    response = _send(client, token, [sent], checkin_id)
    assert response.status_code == 201, response.text
    [item] = response.json()["items"]
    assert item["checkin_id"] == checkin_id and item["url"] == f"/api/v1/photos/{item['id']}/image"
    listed = client.get(
        f"/api/v1/treatments/{treated.treatment_id}/photos", headers=treated.staff.headers
    )
    assert [p["id"] for p in listed.json()["items"]] == [item["id"]]
    image = client.get(item["url"], headers=treated.staff.headers)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["cache-control"] == "no-store"
    kept = Image.open(io.BytesIO(image.content))
    assert kept.format == "JPEG" and dict(kept.getexif()) == {}
    assert b"PhoneMaker" not in image.content and b"Exif" not in image.content
    # stored in the photo folder (outside the web root), scoped to the clinic
    files = list(Path(settings.photo_dir).rglob("*.jpg"))
    assert [f.parent.name for f in files] == [f"clinic-{treated.clinic_id}"]
    assert client.get(item["url"]).status_code == 401  # a patient has no way in


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_png_webp_and_heic_photos_are_taken(
    client: TestClient, uow: UnitOfWork, patient: tuple[Treated, str, int], fmt: str
) -> None:
    _, token, checkin_id = patient
    response = _send(client, token, [photo(fmt)], checkin_id)
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["width"] == 64


def test_photo_limits_say_what_is_wrong_and_keep_nothing(
    client: TestClient, uow: UnitOfWork, settings: Settings, patient: tuple[Treated, str, int]
) -> None:
    _, token, checkin_id = patient
    big = photo("PNG", (900, 900))
    noise = Image.frombytes("RGB", (400, 400), random.Random(1).randbytes(400 * 400 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > settings.photo_max_bytes
    too_large = _send(client, token, [photo(), out.getvalue()], checkin_id)
    assert too_large.status_code == 413
    assert too_large.json()["detail"][0]["path"] == "photos[1]"
    assert "too large" in too_large.json()["detail"][0]["message"]
    many_pixels = _send(client, token, [photo("PNG", (2000, 1600))], checkin_id)
    assert many_pixels.status_code == 422 and "too many pixels" in many_pixels.text
    not_a_photo = _send(client, token, [b"%PDF-1.4 not a photo"], checkin_id)
    assert not_a_photo.status_code == 422
    assert not_a_photo.json()["detail"][0]["path"] == "photos[0]"
    four = _send(client, token, [big, photo(), photo(), photo()], checkin_id)
    assert four.status_code == 422 and "at most 3" in four.text
    assert _count(uow) == 0 and not list(Path(settings.photo_dir).rglob("*.jpg"))
    assert _send(client, token, [photo(), photo()], checkin_id).status_code == 201
    # two kept: a third is still fine, a fourth is not
    assert _send(client, token, [photo(), photo()], checkin_id).status_code == 422
    assert _count(uow) == 2
    huge_request = client.post(
        f"/api/v1/checkin/{token}/photos",
        content=b"x" * (3 * settings.photo_max_bytes + 70 * 1024),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert huge_request.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b""),  # no boundary to split the parts on
        ("multipart/form-data; boundary=x", b"--x\r\nX-Part: 1\r\n\r\nabc\r\n--x--\r\n"),
    ],
    ids=["no boundary", "a part with no name"],
)
def test_a_body_that_is_not_a_readable_form_is_bad_input_naming_the_body(
    client: TestClient,
    uow: UnitOfWork,
    patient: tuple[Treated, str, int],
    content_type: str,
    body: bytes,
) -> None:
    # the form parser's own error was an undocumented 400
    _, token, _ = patient
    response = client.post(
        f"/api/v1/checkin/{token}/photos", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["path"] == "body" and "form" in problem["message"]
    assert _count(uow) == 0


def test_a_patient_link_reaches_only_its_own_check_ins_and_another_clinic_gets_404(
    client: TestClient,
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
    patient: tuple[Treated, str, int],
) -> None:
    treated, token, checkin_id = patient
    other = treat_today(uow, knowledge)  # another clinic
    other_token = _token(uow, settings, other.treatment_id)
    other_checkin = client.post(
        f"/api/v1/checkin/{other_token}", json={"message": "a bit red"}
    ).json()["checkin_id"]
    assert _send(client, token, [photo()], other_checkin).status_code == 404
    assert _count(uow) == 0
    item = _send(client, token, [photo()], checkin_id).json()["items"][0]
    assert client.get(item["url"], headers=other.staff.headers).status_code == 404
    assert (
        client.get(
            f"/api/v1/treatments/{treated.treatment_id}/photos", headers=other.staff.headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/photos/{item['id']}/measure",
            json={"treated": [0, 0, 8, 8], "reference": [8, 8, 8, 8]},
            headers=other.staff.headers,
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/checkin/not-a-link/photos", files=[("photos", ("a", photo()))]
        ).status_code
        == 404  # not a link at all (410 is for a link that has expired or was stopped)
    )


def _two_tone(treated: tuple[int, int, int], reference: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (120, 60), reference)
    image.paste(treated, (0, 0, 60, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_staff_measure_redness_and_see_a_finding_when_it_is_not_settling(
    client: TestClient, uow: UnitOfWork, patient: tuple[Treated, str, int]
) -> None:
    treated, token, checkin_id = patient
    boxes = {"treated": [10, 10, 40, 40], "reference": [70, 10, 40, 40]}
    days = []
    for day, red in ((1, (215, 120, 110)), (5, (212, 122, 112))):
        item = _send(client, token, [_two_tone(red, (205, 150, 135))], checkin_id).json()["items"][
            0
        ]
        with uow:
            row = uow.session.get(CheckinPhoto, item["id"])
            assert row is not None
            row.days_since_treatment = day
            uow.commit()
        measured = client.post(
            f"/api/v1/photos/{item['id']}/measure", json=boxes, headers=treated.staff.headers
        )
        assert measured.status_code == 200, measured.text
        days.append(measured.json()["measurement"])
    assert days[0]["delta_a_star"] > 5 and days[0]["treated_box"] == boxes["treated"]
    trend = client.get(
        f"/api/v1/treatments/{treated.treatment_id}/redness", headers=treated.staff.headers
    ).json()
    assert [p["day"] for p in trend["points"]] == [1, 5]
    assert trend["normal_until_day"] == 2  # normal redness ends on day 2 for a light treatment
    assert trend["finding"].startswith("Redness not settling: on day 5")
    assert "only roughly" in trend["note"] and "r = 0.55" in trend["note"]
    bad = client.post(
        f"/api/v1/photos/{item['id']}/measure",
        json={"treated": [100, 10, 40, 40], "reference": [70, 10, 40, 40]},
        headers=treated.staff.headers,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["path"] == "treated"
