"""The CDS Hooks 2.0 specification's own JWT example ("Trusting CDS Clients"): its ES384
signature checks out against its JWK Set, fetched from its allow-listed `jku`, and the token is
then refused for what it is: expired (its `exp` is in 2015)."""

from __future__ import annotations

from typing import Any

import pytest

from needlesafe.interop.jwt_auth import CdsAuthError, CdsClient, verify

JKU = "https://fhir-ehr.example.com/jwk_uri"
SPEC_JWKS = {
    "keys": [
        {
            "kty": "EC",
            "use": "sig",
            "crv": "P-384",
            "kid": "example-kid",
            "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
            "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI",
            "alg": "ES384",
        }
    ]
}
SPEC_TOKEN = (
    "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUta2lkIiwiamt1IjoiaHR0cHM6Ly9maGlyLWVo"
    "ci5leGFtcGxlLmNvbS9qd2tfdXJpIn0.eyJpc3MiOiJodHRwczovL2ZoaXItZWhyLmV4YW1wbGUuY29tLyIsImF1ZCI6"
    "Imh0dHBzOi8vY2RzLmV4YW1wbGUub3JnL2Nkcy1zZXJ2aWNlcy9zb21lLXNlcnZpY2UiLCJleHAiOjE0MjI1Njg4NjAs"
    "ImlhdCI6MTMxMTI4MDk3MCwianRpIjoiZWUyMmIwMjEtZTFiNy00NjExLWJhNWItOGVlYzZhMzNhYzFlIiwidGVuYW50"
    "IjoiMmRkZDZjM2EtOGU5YS00NGM2LWEzMDUtNTIxMTFhZDMwMmEyIn0.d1WfLjGRKlcWB94l9do4cM8REXeYJLL6SGUBO"
    "8VHZhfM8mwKYP70EMxJ67War4TQblEpaQrp11wx5p7oPFm2ETYgCicS84vXWEIYTdjooZdooCSDf2L8-i4awdoUwiEb"
)
AUDIENCE = "https://cds.example.org/cds-services/some-service"
CLIENT = CdsClient(iss="https://fhir-ehr.example.com/", clinic="Spec Clinic", jku=JKU)


def test_the_spec_example_token_is_refused_as_expired_after_its_signature_checks_out() -> None:
    fetched: list[str] = []

    def jwks(url: str) -> dict[str, Any]:
        fetched.append(url)
        return SPEC_JWKS

    with pytest.raises(CdsAuthError, match="expired"):
        verify(SPEC_TOKEN, clients=[CLIENT], audience=AUDIENCE, fetch_jwks=jwks)
    assert fetched == [JKU]


def test_the_spec_example_token_with_one_byte_changed_fails_its_signature() -> None:
    head, body, signature = SPEC_TOKEN.split(".")
    altered = f"{head}.{body}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    with pytest.raises(CdsAuthError) as error:
        verify(altered, clients=[CLIENT], audience=AUDIENCE, fetch_jwks=lambda url: SPEC_JWKS)
    assert "expired" not in error.value.message


def test_the_spec_example_token_for_another_endpoint_or_with_no_clients_is_refused() -> None:
    with pytest.raises(CdsAuthError, match="no CDS client"):
        verify(SPEC_TOKEN, clients=[], audience=AUDIENCE, fetch_jwks=lambda url: SPEC_JWKS)
    other = CdsClient(iss="https://another-ehr.example.com/", clinic="X", jwks=SPEC_JWKS)
    with pytest.raises(CdsAuthError, match="issuer"):
        verify(SPEC_TOKEN, clients=[other], audience=AUDIENCE, fetch_jwks=lambda url: SPEC_JWKS)
