"""The EHR side of a CDS Hooks call: its issuer, its signing keys as a JWK Set, and a helper
that calls a service with a freshly signed JWT."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TypedDict

import jwt

from tests.store.dbkit import Staff

BASE = "https://clinic.example"
EHR_ISS = "https://ehr.example.org/"
OTHER_ISS = "https://other-ehr.example.org/"


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


@dataclass
class Ehr:
    """Signs JWTs as one issuer and calls the service with them."""

    client: Any
    key: Any
    iss: str = EHR_ISS
    kid: str = "ehr-key-1"
    alg: str = "ES384"
    used: list[str] = field(default_factory=list)

    def token(self, audience: str, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.iss,
            "aud": audience,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
            **changes,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        headers = {"kid": self.kid, "typ": "JWT"}
        return jwt.encode(claims, self.key, algorithm=self.alg, headers=headers)

    def call(self, service: str, body: Any, *, token: str | None = None, **claims: Any) -> Any:
        path = f"/cds-services/{service}"
        token = token or self.token(BASE + path, **claims)
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

    def feedback(self, service: str, body: Any) -> Any:
        path = f"/cds-services/{service}/feedback"
        token = self.token(BASE + path)
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


class EhrClinic(TypedDict):
    """The clinic whose EHR the clients file trusts (`ehr_clinic`): its id, a practitioner,
    and another clinic's id."""

    id: int
    staff: Staff
    other: int
