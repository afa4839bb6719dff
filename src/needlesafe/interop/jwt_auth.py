"""Who is calling a CDS service: the EHR's signed JWT (CDS Hooks 2.0, "Trusting CDS Clients").

Only asymmetric ES384 and RS384 are accepted; `iss`, `aud` (the exact endpoint URL called),
`exp`, `iat` and `jti` are required; the key is the one named by the header's `kid` in the
issuer's JWK Set, given inline in the configuration or fetched from the issuer's allow-listed
`jku`. Which clinic a call belongs to comes from the issuer, never from the request. A reused
`jti` is refused by the caller's replay store (PyJWT does not keep one). Pure: the JWK Set
fetch is a function the caller passes in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import jwt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

ALGORITHMS = ("ES384", "RS384")
MAX_LIFETIME_SECONDS = 3600  # exp - iat: a longer-lived token is refused
LEEWAY_SECONDS = 30  # clock skew between the EHR and us


class CdsAuthError(Exception):
    """The call is not from a trusted, configured client; `message` says why (no secrets)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class CdsClient(BaseModel):
    """One EHR allowed to call: its issuer, the clinic it acts for, and its keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    iss: str = Field(min_length=1)
    clinic: str = Field(min_length=1)
    jwks: dict[str, Any] | None = None
    jku: str | None = Field(default=None, pattern=r"^https://\S+$")
    # browser-based EHRs (e.g. the CDS Hooks sandbox): the web origins allowed to call (CORS)
    origins: list[Annotated[str, StringConstraints(pattern=r"^https?://[^/\s]+$")]] = []

    @model_validator(mode="after")
    def _one_key_source(self) -> CdsClient:
        if (self.jwks is None) == (self.jku is None):
            raise ValueError("give exactly one of `jwks` (inline keys) or `jku` (a JWK Set URL)")
        return self


def parse_clients(text: str, where: str) -> list[CdsClient]:
    """The NEEDLESAFE_CDS_CLIENTS file: a JSON list of clients; errors name the entry."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a JSON list of clients")
    clients = []
    for number, item in enumerate(data):
        try:
            clients.append(CdsClient.model_validate(item))
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"]) or "(entry)"
            raise ValueError(f"{where}: [{number}].{field}: {first['msg']}") from None
    issuers = [c.iss for c in clients]
    if len(set(issuers)) != len(issuers):
        raise ValueError(f"{where}: an issuer is listed twice")
    return clients


def verify(
    token: str,
    *,
    clients: list[CdsClient],
    audience: str,
    fetch_jwks: Callable[[str], dict[str, Any]],
) -> tuple[CdsClient, dict[str, Any]]:
    """The client and the token's claims; `CdsAuthError` for anything not right."""
    if not clients:
        raise CdsAuthError("no CDS client is configured (NEEDLESAFE_CDS_CLIENTS)")
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise CdsAuthError("the bearer token is not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise CdsAuthError(f"the JWT must be signed with {' or '.join(ALGORITHMS)}")
    if header.get("typ", "JWT") != "JWT" or not isinstance(header.get("kid"), str):
        raise CdsAuthError("the JWT header needs typ JWT and a kid")
    client = next((c for c in clients if c.iss == unverified.get("iss")), None)
    if client is None:
        raise CdsAuthError("the JWT's issuer is not an allowed CDS client")
    jku = header.get("jku")
    if jku is not None and jku != client.jku:
        raise CdsAuthError("the JWT's jku is not the issuer's allow-listed JWK Set URL")
    keyset = client.jwks if client.jwks is not None else fetch_jwks(str(client.jku))
    try:
        keys = jwt.PyJWKSet.from_dict(keyset)
        key = next(k for k in keys.keys if k.key_id == header["kid"])
    except (jwt.PyJWTError, StopIteration, KeyError, TypeError):
        raise CdsAuthError("no key of the issuer matches the JWT's kid") from None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=audience,
            issuer=client.iss,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "strict_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise CdsAuthError("the JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise CdsAuthError("the JWT's aud is not this endpoint's URL") from None
    except jwt.PyJWTError as error:
        raise CdsAuthError(f"the JWT is not valid ({type(error).__name__})") from None
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 200:
        raise CdsAuthError("the JWT's jti must be a string of 1 to 200 characters")
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
        raise CdsAuthError(f"the JWT lives longer than {MAX_LIFETIME_SECONDS} seconds")
    return client, claims
