"""CDS Hooks latency: one hook call over HTTP on loopback, as an EHR would make it.

    .venv/bin/python benchmarks/cds_hooks.py [--calls 300] [--warmup 20]

A real server (uvicorn, one worker) on 127.0.0.1 over a fresh migrated SQLite file; each call
carries a freshly signed ES384 JWT (signed before the clock starts) and the spec's
appointment-book example adapted to microneedling (tests/interop/fhir_examples.py), with the
cold-sore record prefetched. Measured per call, client side: JWT check, replay store, mapping,
screening, cards stored, response. Also: the same call with nothing prefetched (fetched from a
FHIR server on loopback), patient-view, and the screening engine alone for scale. Prints
p50 / p95 / max in milliseconds as a markdown table (the spec asks for ~500 ms).
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))

from fhir_examples import (  # noqa: E402
    PATIENT,
    FakeFhirServer,
    appointment_book,
    cold_sore_prefetch,
    fetching,
    patient_view,
)

from needlesafe.app import create_app  # noqa: E402
from needlesafe.engine.inputs import parse_intake  # noqa: E402
from needlesafe.engine.screening import screen  # noqa: E402
from needlesafe.knowledge.loader import default_knowledge  # noqa: E402
from needlesafe.services import accounts, patients  # noqa: E402
from needlesafe.services.context import Actor  # noqa: E402
from needlesafe.settings import Settings  # noqa: E402
from needlesafe.store import migrate  # noqa: E402
from needlesafe.store.db import make_engine, make_session_factory  # noqa: E402
from needlesafe.store.uow import UnitOfWork  # noqa: E402

ISS = "https://ehr.bench.example/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, ordered[-1]


def fhir_in_resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    knowledge = default_knowledge()
    work = Path(tempfile.mkdtemp(prefix="needlesafe-bench-"))
    url = f"sqlite:///{work / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    clinic = accounts.create_clinic(uow, name="Bench Clinic").id
    patients.create_patient(
        uow,
        actor=Actor(user_id=None, clinic_id=clinic, role="cli", kind="cli"),
        patient={"name": "Pat Example", "chart_number": "CHART-42"},
    )
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    clients = work / "clients.json"
    clients.write_text(
        json.dumps(
            [{"iss": ISS, "clinic": "Bench Clinic", "jwks": {"keys": [{**jwk, "kid": "k1"}]}}]
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="bench-secret-" + "x" * 32,  # type: ignore[arg-type]
        public_base_url=base,
        cds_clients=str(clients),
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, knowledge=knowledge),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    record = cold_sore_prefetch()
    fhir = FakeFhirServer(
        {
            kind: fhir_in_resources(record[key])
            for kind, key in (
                ("Condition", "conditions"),
                ("MedicationStatement", "medicationStatements"),
                ("AllergyIntolerance", "allergies"),
                ("Observation", "skinType"),
            )
        }
    )
    while not server.started:
        time.sleep(0.05)

    def token(path: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISS,
            "aud": base + path,
            "iat": now,
            "exp": now + 300,
            "jti": f"{time.time_ns()}",
        }
        return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "k1"})

    def timed(
        service: str, make_body: Callable[[], dict[str, Any]], client: httpx.Client
    ) -> list[float]:
        path = f"/cds-services/{service}"
        samples = []
        for number in range(args.warmup + args.calls):
            body = make_body()
            headers = {"Authorization": f"Bearer {token(path)}"}
            started = time.perf_counter()
            response = client.post(base + path, json=body, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or "cards" not in response.json():
                raise SystemExit(f"{service}: {response.status_code} {response.text[:300]}")
            if number >= args.warmup:
                samples.append(elapsed)
        return samples

    def fetched() -> dict[str, Any]:
        return fetching(appointment_book(None), fhir.url, "bench-token")

    with httpx.Client(timeout=10) as client:
        rows = [
            (
                "appointment-book, record prefetched",
                timed(
                    "needlesafe-appointment-book",
                    lambda: appointment_book(cold_sore_prefetch()),
                    client,
                ),
            ),
            (
                "appointment-book, record fetched from the FHIR server",
                timed("needlesafe-appointment-book", fetched, client),
            ),
            (
                "patient-view",
                timed(
                    "needlesafe-patient-view", lambda: patient_view({"patient": PATIENT}), client
                ),
            ),
        ]
    intake = {
        "patient": {"age": 36, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
        "plan": {
            "areas": ["forehead", "cheeks", "nose", "chin", "perioral"],
            "needle_depth_mm": 1.0,
            "device": "pen",
        },
    }
    engine_samples = []
    for _ in range(args.calls):
        started = time.perf_counter()
        screen(parse_intake(intake, knowledge), knowledge)
        engine_samples.append((time.perf_counter() - started) * 1000)
    rows.append(("screening engine alone (parse + screen)", engine_samples))
    server.should_exit = True
    fhir.close()

    print(
        f"CDS Hooks latency, {args.calls} calls each after {args.warmup} warm-up, "
        f"one uvicorn worker, SQLite, loopback, Python {platform.python_version()}"
    )
    print()
    print("| call | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, samples in rows:
        p50, p95, worst = percentiles(samples)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
