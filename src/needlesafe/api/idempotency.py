"""`Idempotency-Key` on the POSTs that create a record (issue 16, item 6).

A POST may carry a key (the `Idempotency-Key` header, or an `idempotency_key` form field, which
the patient's check-in form sends). The key is claimed in the same transaction as the record
the request creates (the first "create" in the audit log, store/audit.py), so a retry can never
store it twice, even when the server died between storing and answering. The answer is kept
with the key before it is sent; a retry with the same key and the same body gets that answer
again (with `Idempotent-Replayed: true`), a different body with the same key is a 409.

Keys are per caller: the credential (bearer token, session cookie or the patient's link in the
path) and the path together make the scope, so one caller's key never reaches another's answer.
Requests that create nothing (a refused one, a sign-in) claim nothing and can be sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from needlesafe.api.middleware import read_body, replay_body
from needlesafe.store.audit import IdempotencyClaim
from needlesafe.store.reliability import IdempotencyKey

HEADER = b"idempotency-key"
FORM_FIELD = "idempotency_key"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces
KEPT_HEADERS = ("content-type", "location", "retry-after", "hx-retarget", "hx-reswap")
_MULTIPART_FIELD = re.compile(rb'name="idempotency_key"\r\n\r\n([^\r\n]{1,200})\r\n')


def _key(headers: dict[bytes, bytes], content_type: str, body: bytes) -> str | None:
    if HEADER in headers:
        return headers[HEADER].decode("latin-1").strip()
    if content_type.startswith("application/x-www-form-urlencoded"):
        for name, value in parse_qsl(body.decode("utf-8", "replace")):
            if name == FORM_FIELD:
                return value
    elif content_type.startswith("multipart/form-data"):
        found = _MULTIPART_FIELD.search(body)
        if found:
            return found.group(1).decode("latin-1")
    return None


def _scope(headers: dict[bytes, bytes], path: str) -> str:
    cookies = [c.strip() for c in headers.get(b"cookie", b"").split(b";")]
    session = [c for c in cookies if c.startswith(b"needlesafe_session=")]
    credential = headers.get(b"authorization", b"") + b"|" + b"".join(session)
    return hashlib.sha256(credential + b"|" + path.encode()).hexdigest()


def _json(status: int, content: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return status, [(b"content-type", b"application/json")], json.dumps(content).encode()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if HEADER not in headers and not content_type.startswith(FORMS):
            await self.app(scope, receive, send)  # no key can be in it: nothing to read
            return
        body = await read_body(receive)
        key = _key(headers, content_type, body)
        if key is None:
            await self.app(scope, replay_body(body, receive), send)
            return
        if not KEY.match(key):
            await _send(send, *_json(422, _problem("Idempotency-Key", BAD_KEY)))
            return
        factory: sessionmaker[Session] = scope["app"].state.needlesafe.session_factory
        # the key itself is not part of what must match: a form carries it in its body
        request_hash = hashlib.sha256(body.replace(key.encode(), b"")).hexdigest()
        claim = IdempotencyClaim(_scope(headers, scope.get("path", "")), key, request_hash)
        earlier = await _settled(factory, claim)
        if earlier is not None:
            await _send(send, *_again(earlier, claim))
            return

        scope["idempotency_claim"] = claim
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            if message["type"] == "http.response.body" and not message.get("more_body"):
                if start is None:
                    return
                answer = b"".join(chunks)
                if claim.used and 200 <= start["status"] < 300:
                    # kept before it is sent: a retry after a crash gets this same answer
                    await run_in_threadpool(_keep, factory, claim, start, answer)
                elif claim.used and start["status"] >= 500:
                    # not stored; if because the same request was stored meanwhile, say so
                    earlier = await _settled(factory, claim)
                    if earlier is not None:
                        await _send(send, *_again(earlier, claim))
                        return
                await send(start)
                await send({"type": "http.response.body", "body": answer})

        try:
            await self.app(scope, replay_body(body, receive), keep)
        except Exception:
            # two sends of one key at once: the second's claim lost the race at commit
            earlier = await _settled(factory, claim)
            if earlier is None or start is not None:
                raise
            await _send(send, *_again(earlier, claim))


BAD_KEY = "should be 1 to 200 printable characters without spaces"


def _problem(path: str, message: str) -> dict[str, Any]:
    return {"detail": [{"path": path, "message": message}]}


def _find(factory: sessionmaker[Session], claim: IdempotencyClaim) -> IdempotencyKey | None:
    with factory() as session:
        query = select(IdempotencyKey).where(
            IdempotencyKey.scope == claim.scope, IdempotencyKey.key == claim.key
        )
        return session.scalars(query).first()


async def _settled(
    factory: sessionmaker[Session], claim: IdempotencyClaim, wait: float = 2.0
) -> IdempotencyKey | None:
    """The key's row; while its answer is not kept yet (the first request is finishing),
    wait for it a little before calling the answer lost."""
    waited = 0.0
    while True:
        earlier = await run_in_threadpool(_find, factory, claim)
        if earlier is None or earlier.status is not None or waited >= wait:
            return earlier
        await asyncio.sleep(0.05)
        waited += 0.05


def _keep(
    factory: sessionmaker[Session], claim: IdempotencyClaim, start: Message, answer: bytes
) -> None:
    kept = {
        k.decode("latin-1").lower(): v.decode("latin-1")
        for k, v in start.get("headers", [])
        if k.decode("latin-1").lower() in KEPT_HEADERS
    }
    with factory() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.scope == claim.scope, IdempotencyKey.key == claim.key)
            .values(
                status=start["status"],
                content_type=kept.get("content-type"),
                body=json.dumps(kept).encode() + b"\n" + answer,
            )
        )
        session.commit()


def _again(
    earlier: IdempotencyKey, claim: IdempotencyClaim
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    if earlier.request_hash != claim.request_hash:
        return _json(
            409,
            _problem("Idempotency-Key", "this key was used for a different request"),
        )
    if earlier.status is None or earlier.body is None:
        # stored, but the server stopped before it kept its answer: say what was stored
        return _json(
            409,
            {
                **_problem("Idempotency-Key", "this request was done; its answer was lost"),
                "record_type": earlier.record_type,
                "record_id": earlier.record_id,
            },
        )
    kept, _, answer = earlier.body.partition(b"\n")
    headers = [(k.encode(), v.encode()) for k, v in json.loads(kept).items()]
    return earlier.status, [*headers, (b"idempotent-replayed", b"true")], answer


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
