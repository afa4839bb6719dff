"""The spec matches the server: schemathesis, every check, every operation the app documents.

The schema is read from the app itself (`/openapi.json`), so a route added, moved or removed is
tested without naming it here. Requests go to the ASGI app in-process (no network), signed in
as a clinic's admin, on SQLite and (with NEEDLESAFE_TEST_POSTGRES_URL) PostgreSQL. Every phase
runs (examples, coverage, fuzzing, stateful) with every check schemathesis has (its default
configuration enables all of them); the default pass is bounded in examples and time (about
35 s a database), `pytest -m slow` runs more examples (25 an operation, at most 90 s a database).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.config import HealthCheck, SchemathesisConfig
from schemathesis.engine import Status, events

from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from tests.api.apikit import ClinicWorld

# a phase that dies in its thread must fail the test, not pass it with fewer cases
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

# The anonymous engine endpoints are rate-limited per address; every generated request comes
# from the same test address, so the limits are raised out of the way (test_hostile_input.py
# tests the limits themselves).
UNLIMITED = 10_000_000


@pytest.fixture
def conformance_app(
    settings: Settings, knowledge: Knowledge, clinic_a: ClinicWorld
) -> Iterator[FastAPI]:
    from needlesafe.app import create_app

    tuned = settings.model_copy(
        update={"anonymous_rate_limit": UNLIMITED, "token_rate_limit": UNLIMITED}
    )
    app = create_app(tuned, knowledge=knowledge)
    app.state.conformance_headers = clinic_a.admin.headers
    yield app
    app.state.needlesafe.engine.dispose()


def run_schemathesis(
    app: FastAPI, *, max_examples: int, max_time: int
) -> tuple[list[str], Counter[str]]:
    """(every failure, one example of each kind; how many test cases each phase ran)."""
    config = SchemathesisConfig(seed=16, max_time=max_time, suppress_health_check=[HealthCheck.all])
    project = config.projects.override
    project.update(headers=dict(app.state.conformance_headers), workers=1, continue_on_failure=True)
    # JSON travels as UTF-8 text (RFC 8259 8.1): no lone surrogates in generated strings
    project.generation.update(
        max_examples=max_examples, deterministic=True, database="none", codec="utf-8"
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    failures: dict[str, str] = {}  # one example of each (check, operation, title)
    cases: Counter[str] = Counter()
    errors: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        what = f"{check.name}: {failure.operation}: {failure.title}"
                        failures.setdefault(
                            what,
                            f"{what} ({event.phase.value}): {failure.message[:300]}\n    "
                            + check.failure_info.code_sample[:600].replace("\n", "\n    "),
                        )
        elif isinstance(event, events.NonFatalError):
            errors.append(f"error: {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception!r}")
    return [failures[k] for k in sorted(failures)] + errors, cases


PHASES = ("coverage", "fuzzing", "stateful")


def test_every_operation_conforms_to_its_spec(conformance_app: FastAPI) -> None:
    """The default pass: a few examples an operation, at most 35 s a database."""
    failures, cases = run_schemathesis(conformance_app, max_examples=3, max_time=35)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert all(cases[phase] > 20 for phase in PHASES), cases


@pytest.mark.slow
def test_every_operation_conforms_to_its_spec_at_length(conformance_app: FastAPI) -> None:
    failures, cases = run_schemathesis(conformance_app, max_examples=25, max_time=90)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert all(cases[phase] > 50 for phase in PHASES), cases


def test_a_405_names_every_method_the_path_has(client: TestClient, clinic_a: ClinicWorld) -> None:
    """Starlette names only the methods of the first route whose path matched."""
    response = client.options("/api/v1/patients", headers=clinic_a.admin.headers)
    assert response.status_code == 405
    assert {"GET", "POST"} <= set(response.headers["allow"].replace(" ", "").split(","))
    response = client.delete(f"/api/v1/adverse-events/{clinic_a.adverse_event}")
    assert {"GET", "PATCH"} <= set(response.headers["allow"].replace(" ", "").split(","))


def test_an_error_answer_has_the_documented_shape(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    spec = client.get("/openapi.json").json()
    problems = spec["components"]["schemas"]["Problems"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    listed = spec["paths"]["/api/v1/patients"]["get"]["responses"]
    assert listed["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Problems")
    assert {"401", "403", "422", "500"} <= set(listed)
    answer = client.get("/api/v1/patients?limit=0", headers=clinic_a.admin.headers)
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) <= set(problems["properties"]) and body["detail"][0]["path"] == "limit"
    assert all(set(p) <= {"path", "message", "code", "overridable"} for p in body["detail"])
