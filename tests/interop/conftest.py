"""An EHR that calls needlesafe's CDS services: its signing keys, the clients file that trusts
it (for one clinic), and a helper to call a service with a freshly signed JWT."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from needlesafe.settings import Settings
from needlesafe.store.uow import UnitOfWork

# fixtures shared from the kits (`name as name`: re-exported for pytest)
from tests.api.apikit import app as app
from tests.api.apikit import client as client
from tests.api.apikit import clinic_a as clinic_a
from tests.api.apikit import clinic_b as clinic_b
from tests.interop.ehrkit import BASE, EHR_ISS, OTHER_ISS, Ehr, EhrClinic, public_jwk
from tests.store.dbkit import SECRET, add_clinic, add_staff
from tests.store.dbkit import cheap_password_hashing as cheap_password_hashing
from tests.store.dbkit import database as database
from tests.store.dbkit import db_url as db_url
from tests.store.dbkit import engine as engine
from tests.store.dbkit import uow as uow


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="session")
def other_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clients_file(tmp_path: Path, ec_key: Any, rsa_key: Any, other_key: Any) -> Path:
    """Two trusted EHRs: ours (clinic "EHR Clinic", ES384 and RS384 keys) and another clinic's."""
    path = tmp_path / "cds-clients.json"
    path.write_text(
        json.dumps(
            [
                {
                    "iss": EHR_ISS,
                    "clinic": "EHR Clinic",
                    "origins": ["https://sandbox.example.org"],
                    "jwks": {
                        "keys": [
                            public_jwk(ec_key, "ehr-key-1", "ES384"),
                            public_jwk(rsa_key, "ehr-rsa-1", "RS384"),
                        ]
                    },
                },
                {
                    "iss": OTHER_ISS,
                    "clinic": "Other Clinic",
                    "jwks": {"keys": [public_jwk(other_key, "other-1", "ES384")]},
                },
            ]
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def settings(db_url: str, clients_file: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=BASE,
        cds_clients=str(clients_file),
    )


@pytest.fixture
def ehr_clinic(uow: UnitOfWork) -> EhrClinic:
    clinic = add_clinic(uow, "EHR Clinic")
    other = add_clinic(uow, "Other Clinic")
    return {"id": clinic, "staff": add_staff(uow, clinic), "other": other}


@pytest.fixture
def ehr(
    client: TestClient, ec_key: ec.EllipticCurvePrivateKey, ehr_clinic: EhrClinic
) -> Iterator[Ehr]:
    yield Ehr(client=client, key=ec_key)


@pytest.fixture(autouse=True)
def _once_is_enough(request: pytest.FixtureRequest) -> None:
    """Tests marked `logic_only` check request handling that never reaches a table of its own
    (the JWT refused before any query, a card's wording): run on SQLite only, to keep the
    PostgreSQL pass for what the database does (replay store, feedback, records)."""
    if request.node.get_closest_marker("logic_only") is None:
        return
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("database") == "postgresql":
        pytest.skip("logic only: run on SQLite")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "logic_only: run on SQLite only (see _once_is_enough)")
