"""The authorisation matrix: each role x each route x own clinic / other clinic / no auth /
a bad token, and the patient link (good, tampered, expired, another purpose). No caller ever
reads or writes another clinic's record.

The routes come from the app itself (its OpenAPI document): every staff route must answer 401
without a valid token, and every route must have its place below (a table of this file, the
public routes, or a named test elsewhere), so a new route that is not listed fails here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from needlesafe.services import consents, links
from needlesafe.services.consents import acknowledgement_keys
from needlesafe.settings import Settings
from tests.api.apikit import ClinicWorld, app_routes, fill_path, route_shape
from tests.store.dbkit import INTAKE, TREATMENT, screen_for_treatment


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {patient}, {intake}, {treatment}, {checkin}, {event}, {user}
    ok: int
    admin_only: bool = False
    body: Any = None  # a function of the target clinic's ids, or a constant
    missing: str | None = None  # what another clinic's caller is told, when not the path's


def _body(route: Route, ids: dict[str, int]) -> Any:
    return route.body(ids) if callable(route.body) else route.body


RECORD_ROUTES = [
    Route("GET", "/api/v1/patients/{patient}", 200),
    Route("GET", "/api/v1/patients/{patient}/intakes", 200),
    Route("POST", "/api/v1/patients/{patient}/intakes", 201, body=INTAKE),
    Route(
        "POST",
        "/api/v1/patients/{patient}/treatments",
        201,
        body=lambda ids: {**TREATMENT, "intake_id": ids["intake"]},
    ),
    Route(
        "POST",
        "/api/v1/patients/{patient}/treatments/check",
        200,
        body=lambda ids: {**TREATMENT, "intake_id": ids["intake"]},
    ),
    Route("GET", "/api/v1/intakes/{intake}", 200),
    Route("GET", "/api/v1/intakes?patient_id={patient}", 200),
    Route("GET", "/api/v1/treatments/{treatment}", 200),
    Route("GET", "/api/v1/treatments?patient_id={patient}", 200),
    Route("POST", "/api/v1/treatments/{treatment}/checkin-link", 201),
    Route("POST", "/api/v1/treatments/{treatment}/checkin-link/renew", 201),
    Route("DELETE", "/api/v1/treatments/{treatment}/checkin-link", 204),
    Route(
        "POST",
        "/api/v1/treatments/{treatment}/checkins",
        201,
        body={"symptoms": ["redness"]},
    ),
    Route("GET", "/api/v1/treatments/{treatment}/aftercare", 200),
    Route("GET", "/api/v1/treatments/{treatment}/aftercare.ics", 200),
    Route("GET", "/api/v1/treatments/{treatment}/photos", 200),
    Route("GET", "/api/v1/treatments/{treatment}/redness", 200),
    Route("GET", "/api/v1/patients/{patient}/fhir", 200),
    Route("GET", "/api/v1/checkins/{checkin}", 200),
    Route("POST", "/api/v1/checkins/{checkin}/handled", 200, body={"note": "called"}),
    Route("GET", "/api/v1/adverse-events/{event}", 200),
    Route("GET", "/api/v1/adverse-events/{event}/history", 200),
    Route(
        "PATCH",
        "/api/v1/adverse-events/{event}",
        200,
        body={"ctcae_grade": 3, "outcome": "recovering"},
    ),
    Route(
        "POST",
        "/api/v1/adverse-events/{event}/close",
        200,
        body=lambda ids: {"resolved_on": dt.date.today().isoformat(), "outcome": "recovered"},
    ),
    Route(
        "POST",
        "/api/v1/adverse-events",
        201,
        missing="no such patient",  # the body's patient
        body=lambda ids: {
            "patient_id": ids["patient"],
            "treatment_id": ids["treatment"],
            "complication": "scarring",
            "onset_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "ctcae_grade": 1,
        },
    ),
]
LOT_ROUTES = ["/api/v1/lots/{lot}/treatments", "/api/v1/lots/{lot}/treatments.csv"]
# the caller's own: their account, their clinic, what their clinic was told
OWN_ROUTES = [
    Route("GET", "/api/v1/auth/me", 200),
    Route("GET", "/api/v1/clinic", 200),
    Route("GET", "/api/v1/alerts", 200),
    Route("GET", "/api/v1/cds/feedback", 200),
    Route("POST", "/api/v1/patients", 201, body={"name": "Sam Example"}),
    Route("POST", "/api/v1/auth/logout", 204),
]
LIST_ROUTES = [
    "/api/v1/adverse-events?status=open",
    "/api/v1/patients",
    "/api/v1/intakes",
    "/api/v1/treatments",
    "/api/v1/checkins",
    "/api/v1/adverse-events",
]
ADMIN_ROUTES = [
    Route("GET", "/api/v1/users", 200, admin_only=True),
    Route(
        "POST",
        "/api/v1/users",
        201,
        admin_only=True,
        body={"email": "new@clinic.example", "role": "practitioner", "password": "long password"},
    ),
    Route("GET", "/api/v1/audit", 200, admin_only=True),
    Route("GET", "/api/v1/jobs", 200, admin_only=True),
    Route("GET", "/api/v1/messages", 200, admin_only=True),
    Route("PATCH", "/api/v1/clinic", 200, admin_only=True, body={"phone": "020 7946 0199"}),
    Route("PATCH", "/api/v1/users/{user}", 200, admin_only=True, body={"active": True}),
    Route("POST", "/api/v1/users/{user}/password-reset", 201, admin_only=True),
]
ALL = (
    RECORD_ROUTES
    + [Route("GET", p, 200) for p in LIST_ROUTES + LOT_ROUTES]
    + OWN_ROUTES
    + ADMIN_ROUTES
)


# ---------------------------------------------------------------- the routes, from the app


APP_ROUTES = app_routes()
# no staff token: the engines, signing in, the probes, and CDS Hooks (the EHR's own JWT,
# tests/interop/test_cds_hooks.py)
PUBLIC = {
    ("POST", "/api/v1/screen"),
    ("POST", "/api/v1/triage"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/cds-services"),
    ("POST", "/cds-services/{}"),
    ("POST", "/cds-services/{}/feedback"),
}
PATIENT_LINK = "/api/v1/checkin/{}"  # the patient's signed link, in the path: no staff token
STAFF_ROUTES = [
    (method, path)
    for method, path in APP_ROUTES
    if (method, route_shape(path)) not in PUBLIC and not route_shape(path).startswith(PATIENT_LINK)
]
STAFF_IDS = [f"{m} {p}" for m, p in STAFF_ROUTES]
# routes whose clinic checks need records this file does not make, tested where they are
ELSEWHERE = {
    ("GET", "/api/v1/patients/{}/intakes/{}/consent"): (
        "tests/api/test_consent_api.py::test_another_clinic_cannot_read_or_sign"
    ),
    ("GET", "/api/v1/patients/{}/intakes/{}/consent.pdf"): (
        "tests/api/test_consent_api.py::test_another_clinic_cannot_read_or_sign"
    ),
    ("POST", "/api/v1/patients/{}/intakes/{}/consent/sign"): (
        "tests/api/test_consent_api.py::test_another_clinic_cannot_read_or_sign"
    ),
    ("POST", "/api/v1/patients/{}/intakes/from-fhir"): (
        "tests/interop/test_fhir_import.py::"
        "test_bad_bundles_are_422_naming_the_field_and_other_clinics_are_404"
    ),
    ("GET", "/api/v1/photos/{}/image"): (
        "tests/followup/test_photos.py::"
        "test_a_patient_link_reaches_only_its_own_check_ins_and_another_clinic_gets_404"
    ),
    ("POST", "/api/v1/photos/{}/measure"): (
        "tests/followup/test_photos.py::"
        "test_a_patient_link_reaches_only_its_own_check_ins_and_another_clinic_gets_404"
    ),
    ("POST", "/api/v1/checkin/{}/photos"): (
        "tests/followup/test_photos.py::"
        "test_a_patient_link_reaches_only_its_own_check_ins_and_another_clinic_gets_404"
    ),
    ("POST", "/api/v1/alerts/{}/acknowledge"): (
        "tests/followup/test_alerts.py::"
        "test_an_acknowledged_alert_is_not_sent_again_and_another_clinic_cannot_touch_it"
    ),
    ("GET", "/api/v1/checkin/{}/checkins/{}/clinic-told"): (
        "tests/followup/test_alerts.py::test_a_patient_link_reaches_only_its_own_check_ins_alert_status"
    ),
    ("POST", "/api/v1/checkin/{}/photos/{}/marks"): (
        "tests/followup/test_photo_marks.py::"
        "test_a_patient_link_marks_only_its_own_treatments_photos"
    ),
    # the SMS provider's webhook: its request signature or a shared secret, no staff token
    ("POST", "/api/v1/sms/inbound"): (
        "tests/followup/test_sms_replies.py::"
        "test_an_unsigned_or_forged_reply_is_refused_and_changes_nothing"
    ),
}


def _ids(world: ClinicWorld) -> dict[str, Any]:
    return {**world.ids, "user": world.practitioner.actor.user_id or 0, "lot": "CART-1"}


def _call(client: TestClient, route: Route, ids: dict[str, Any], headers: dict[str, str]) -> Any:
    url = route.path.format(**ids)
    body = _body(route, ids)
    return client.request(route.method, url, json=body, headers=headers)


@pytest.mark.parametrize("role", ["admin", "practitioner"])
@pytest.mark.parametrize("route", ALL, ids=lambda r: f"{r.method} {r.path}")
def test_staff_reach_their_own_clinics_records(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld, role: str, route: Route
) -> None:
    staff = clinic_a.admin if role == "admin" else clinic_a.practitioner
    response = _call(client, route, _ids(clinic_a), staff.headers)
    expected = 403 if (route.admin_only and role != "admin") else route.ok
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("role", ["admin", "practitioner"])
@pytest.mark.parametrize("route", RECORD_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_staff_get_404_for_another_clinics_records(
    client: TestClient,
    clinic_a: ClinicWorld,
    clinic_b: ClinicWorld,
    role: str,
    route: Route,
) -> None:
    staff = clinic_a.admin if role == "admin" else clinic_a.practitioner
    before = _snapshot(client, clinic_b)
    response = _call(client, route, _ids(clinic_b), staff.headers)
    # a list filtered by another clinic's patient is 404 like the patient itself
    assert response.status_code == 404, response.text
    assert response.json() == {"detail": [{"path": "", "message": _not_found(route)}]}
    assert _snapshot(client, clinic_b) == before  # nothing of clinic B changed


@pytest.mark.parametrize(
    "route", [r for r in ADMIN_ROUTES if "{" in r.path], ids=lambda r: f"{r.method} {r.path}"
)
def test_an_admin_gets_404_for_another_clinics_staff(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld, route: Route
) -> None:
    response = _call(client, route, _ids(clinic_b), clinic_a.admin.headers)
    assert response.status_code == 404, response.text
    listed = client.get("/api/v1/users", headers=clinic_b.admin.headers).json()["items"]
    assert all(u["active"] for u in listed)  # nothing of clinic B changed


NOT_FOUND = {  # the record a path names first after its resource, and what is said of it
    "patients": "no such patient",
    "intakes": "no such intake",
    "treatments": "no such treatment",
    "checkins": "no such check-in",
    "adverse-events": "no such adverse event",
}


def _not_found(route: Route) -> str:
    if route.missing is not None:
        return route.missing
    path = route.path.split("?")
    if len(path) == 2:  # a list filtered by a patient
        return NOT_FOUND["patients"]
    return NOT_FOUND[path[0].split("/")[3]]


@pytest.mark.parametrize("path", LIST_ROUTES)
def test_lists_never_hold_another_clinics_records(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld, path: str
) -> None:
    for world, other in ((clinic_a, clinic_b), (clinic_b, clinic_a)):
        items = client.get(path, headers=world.practitioner.headers).json()["items"]
        assert items, path
        theirs = {other.patient}
        for item in items:
            assert item.get("patient_id", item.get("id")) not in theirs


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "unknown-token", "basic", "empty"],
)
@pytest.mark.parametrize(("method", "template"), STAFF_ROUTES, ids=STAFF_IDS)
def test_without_a_valid_token_every_staff_route_is_401(
    client: TestClient, clinic_a: ClinicWorld, method: str, template: str, headers: dict[str, str]
) -> None:
    response = client.request(method, fill_path(template, clinic_a), json={}, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "template"), STAFF_ROUTES, ids=STAFF_IDS)
def test_a_patient_link_is_not_a_staff_token(
    client: TestClient, clinic_a: ClinicWorld, method: str, template: str
) -> None:
    headers = {"Authorization": f"Bearer {clinic_a.link}"}
    response = client.request(method, fill_path(template, clinic_a), json={}, headers=headers)
    assert response.status_code == 401, response.text


def test_a_lot_traces_to_the_callers_clinic_only(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld
) -> None:
    # both clinics used lot CART-1; each sees its own treatment, never the other's
    for world, other in ((clinic_a, clinic_b), (clinic_b, clinic_a)):
        headers = world.practitioner.headers
        trace = client.get(LOT_ROUTES[0].format(lot="CART-1"), headers=headers).json()
        assert [t["treatment_id"] for t in trace["treatments"]] == [world.treatment]
        assert {t["patient_id"] for t in trace["treatments"]} == {world.patient}
        csv = client.get(LOT_ROUTES[1].format(lot="CART-1"), headers=headers).text
        assert f"CART-1,{world.treatment}," in csv
        assert f"CART-1,{other.treatment}," not in csv


def _snapshot(client: TestClient, world: ClinicWorld) -> dict[str, Any]:
    """What clinic B's own staff see of their records (to prove nothing changed)."""
    headers = world.admin.headers
    paths = [
        f"/api/v1/patients/{world.patient}",
        f"/api/v1/patients/{world.patient}/intakes",
        f"/api/v1/treatments?patient_id={world.patient}",
        f"/api/v1/checkins/{world.checkin}",
        f"/api/v1/adverse-events?patient_id={world.patient}",
        f"/api/v1/adverse-events/{world.adverse_event}/history",
    ]
    return {p: client.get(p, headers=headers).json() for p in paths}


# ---------------------------------------------------------------- the patient's link

LINK_ROUTES = [
    ("GET", "/api/v1/checkin/{token}", 200, None),
    ("POST", "/api/v1/checkin/{token}", 201, {"symptoms": ["redness"]}),
    ("GET", "/api/v1/checkin/{token}/aftercare", 200, None),
    ("GET", "/api/v1/checkin/{token}/aftercare.ics", 200, None),
]
LINK_IDS = [f"{m} {p}" for m, p, _, _ in LINK_ROUTES]


@pytest.mark.parametrize(("method", "path", "ok", "body"), LINK_ROUTES, ids=LINK_IDS)
def test_a_patient_link_reaches_its_treatments_checkin(
    client: TestClient, clinic_a: ClinicWorld, method: str, path: str, ok: int, body: Any
) -> None:
    response = client.request(method, path.format(token=clinic_a.link), json=body)
    assert response.status_code == ok, response.text


def _tampered(token: str) -> list[str]:
    payload, stamp, signature = token.split(".")
    # change a leading character: the last one of base64 carries padding bits that are ignored
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [f"{payload}.{stamp}.{flipped}", f"x{token}", token[:-3], "garbage", "a.b.c"]


@pytest.mark.parametrize(("method", "path", "ok", "body"), LINK_ROUTES, ids=LINK_IDS)
def test_a_tampered_patient_link_reaches_nothing(
    client: TestClient, clinic_a: ClinicWorld, method: str, path: str, ok: int, body: Any
) -> None:
    for token in _tampered(clinic_a.link):
        response = client.request(method, path.format(token=token), json=body)
        assert response.status_code == 404, (token, response.text)
    assert client.get("/api/v1/checkins", headers=clinic_a.admin.headers).json()["total"] == 1


@pytest.mark.parametrize(("method", "path", "ok", "body"), LINK_ROUTES, ids=LINK_IDS)
def test_an_expired_patient_link_is_gone(
    client: TestClient,
    clinic_a: ClinicWorld,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    ok: int,
    body: Any,
) -> None:
    past = int(time.time()) - (settings.checkin_link_days + 1) * 86400
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: past)
        old = links.issue_checkin_token(
            settings.secret, clinic_id=clinic_a.clinic_id, treatment_id=clinic_a.treatment
        )
    response = client.request(method, path.format(token=old), json=body)
    assert response.status_code == 410, response.text
    assert "expired" in response.json()["detail"][0]["message"]


def test_a_link_signed_for_another_purpose_is_refused(
    client: TestClient, clinic_a: ClinicWorld, settings: Settings
) -> None:
    token = URLSafeTimedSerializer(settings.secret, salt="needlesafe.other").dumps(
        {"c": clinic_a.clinic_id, "t": clinic_a.treatment}
    )
    assert client.get(f"/api/v1/checkin/{token}").status_code == 404


def test_a_genuine_link_naming_another_clinics_treatment_reaches_nothing(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld, settings: Settings
) -> None:
    # even a correctly signed link (it cannot be forged without the key) is checked
    # against the clinic it was issued for
    crossed = links.issue_checkin_token(
        settings.secret, clinic_id=clinic_a.clinic_id, treatment_id=clinic_b.treatment
    )
    assert client.get(f"/api/v1/checkin/{crossed}").status_code == 404
    response = client.post(f"/api/v1/checkin/{crossed}", json={"symptoms": ["redness"]})
    assert response.status_code == 404


def test_a_patients_checkin_lands_in_their_clinics_inbox_only(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld
) -> None:
    response = client.post(
        f"/api/v1/checkin/{clinic_a.link}",
        json={"message": "my lips are swelling and I can't breathe"},
    )
    assert response.status_code == 201
    assert response.json()["triage"]["disposition"] == "emergency"
    inbox_a = client.get("/api/v1/checkins", headers=clinic_a.practitioner.headers).json()
    inbox_b = client.get("/api/v1/checkins", headers=clinic_b.practitioner.headers).json()
    assert inbox_a["items"][0]["id"] == response.json()["checkin_id"]
    assert inbox_a["items"][0]["disposition"] == "emergency"
    assert response.json()["checkin_id"] not in {c["id"] for c in inbox_b["items"]}


def test_the_link_shows_only_the_treatment_date_and_the_clinic(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    shown = client.get(f"/api/v1/checkin/{clinic_a.link}").json()
    assert set(shown) == {
        "clinic_name",
        "clinic_phone",
        "emergency_number",
        "performed_on",
        "days_since_treatment",
        "time_zone",  # the clinic's: the patient's pages show times on its clock
        "temperature_unit",  # the clinic's default for the check-in's temperature
    }


# ---------------------------------------------------------------- the consent signed by the patient

CONSENT_ROUTES = [
    Route("POST", "/api/v1/patients/{patient}/intakes/{intake}/consent/link", 201),
    Route(
        "POST",
        "/api/v1/patients/{patient}/intakes/{intake}/consent/link",
        201,
        body={"via": "tablet"},
    ),
    Route("POST", "/api/v1/patients/{patient}/intakes/{intake}/consent/countersign", 201),
]
CONSENT_IDS = [f"{r.method} {r.path.rsplit('/', 1)[1]} {r.body or ''}" for r in CONSENT_ROUTES]


def _consent_target(
    uow: Any, knowledge: Any, world: ClinicWorld, settings: Settings
) -> dict[str, int]:
    """A screening of the world's patient that the patient has signed (waiting for the
    countersignature); the clinic gets a phone, which a sheet needs."""
    with uow:
        clinic = uow.clinics.by_id(world.clinic_id)
        clinic.phone = "020 7946 0100"
        uow.commit()
    intake = screen_for_treatment(
        uow, world.practitioner.actor, knowledge, world.patient, consent=False
    )
    token = links.issue_consent_token(
        settings.secret, clinic_id=world.clinic_id, intake_id=intake, via="link"
    )
    access = links.read_consent_token(settings.secret, token, max_age=dt.timedelta(hours=1))
    today = dt.datetime.now(dt.UTC).date()
    sheet = consents.patient_consent_view(uow, access=access, knowledge=knowledge, today=today)
    consents.patient_sign(
        uow,
        access=access,
        knowledge=knowledge,
        form={
            "sheet_version": sheet.sheet.version,
            "ack": [key for key, _ in acknowledgement_keys(sheet.sheet)],
            "patient_name": "Pat Example",
            "method": "typed",
            "agree": "on",
        },
        today=today,
    )
    return {**world.ids, "intake": intake}


@pytest.mark.parametrize("role", ["admin", "practitioner"])
@pytest.mark.parametrize("route", CONSENT_ROUTES, ids=CONSENT_IDS)
def test_staff_reach_their_own_clinics_consent_signing(
    client: TestClient,
    uow: Any,
    knowledge: Any,
    settings: Settings,
    clinic_a: ClinicWorld,
    role: str,
    route: Route,
) -> None:
    ids = _consent_target(uow, knowledge, clinic_a, settings)
    if route.path.endswith("/link"):  # a link is for a sheet the patient has not signed yet
        ids["intake"] = screen_for_treatment(
            uow, clinic_a.practitioner.actor, knowledge, clinic_a.patient, consent=False
        )
    staff = clinic_a.admin if role == "admin" else clinic_a.practitioner
    response = _call(client, route, ids, staff.headers)
    assert response.status_code == route.ok, response.text


@pytest.mark.parametrize("role", ["admin", "practitioner"])
@pytest.mark.parametrize("route", CONSENT_ROUTES, ids=CONSENT_IDS)
def test_staff_get_404_for_another_clinics_consent_signing(
    client: TestClient,
    uow: Any,
    knowledge: Any,
    settings: Settings,
    clinic_a: ClinicWorld,
    clinic_b: ClinicWorld,
    role: str,
    route: Route,
) -> None:
    ids = _consent_target(uow, knowledge, clinic_b, settings)
    staff = clinic_a.admin if role == "admin" else clinic_a.practitioner
    response = _call(client, route, ids, staff.headers)
    assert response.status_code == 404, response.text
    consent = f"/api/v1/patients/{ids['patient']}/intakes/{ids['intake']}/consent"
    theirs = client.get(consent, headers=clinic_b.practitioner.headers)
    assert "X-Consent-Pdf-Sha256" not in theirs.headers  # still not countersigned


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}],
    ids=["none", "unknown-token"],
)
@pytest.mark.parametrize("route", CONSENT_ROUTES, ids=CONSENT_IDS)
def test_without_a_valid_token_consent_signing_is_401(
    client: TestClient, clinic_a: ClinicWorld, route: Route, headers: dict[str, str]
) -> None:
    assert _call(client, route, clinic_a.ids, headers).status_code == 401
    link = {"Authorization": f"Bearer {clinic_a.link}"}  # a patient's link is not a token
    assert _call(client, route, clinic_a.ids, link).status_code == 401


def test_a_consent_link_body_names_the_bad_field(client: TestClient, clinic_a: ClinicWorld) -> None:
    path = CONSENT_ROUTES[0].path.format(**clinic_a.ids)
    response = client.post(path, json={"via": "fax"}, headers=clinic_a.practitioner.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "via"


# ---------------------------------------------------------------- every route has its place


def _listed() -> set[tuple[str, str]]:
    tables = ALL + CONSENT_ROUTES + [Route(m, p, ok) for m, p, ok, _ in LINK_ROUTES]
    return {(r.method, route_shape(r.path)) for r in tables}


def test_every_route_of_the_app_has_its_place_in_the_matrix() -> None:
    routes = {(method, route_shape(path)) for method, path in APP_ROUTES}
    placed = _listed() | PUBLIC | set(ELSEWHERE)
    assert sorted(routes - placed) == [], "add these routes to a table of this file"
    assert sorted(placed - routes) == [], "these listed routes are not in the app any more"
    assert _listed().isdisjoint(ELSEWHERE) and _listed().isdisjoint(PUBLIC)


def test_the_tests_named_for_the_other_routes_exist() -> None:
    root = Path(__file__).parents[2]
    for where in set(ELSEWHERE.values()):
        path, name = where.split("::")
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), where
