"""ASGI middleware: body size cap, security headers, CSRF seed cookie, a log without patient
data (client address, method, route template, status, time: never the path's ids or tokens,
never bodies), and the answer to an unhandled error (a 500 with the same headers, logged with
its real status)."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from needlesafe.api.errors import internal_error, log_unhandled, respond, route_template
from needlesafe.api.hostile import body_problems, query_problems
from needlesafe.api.spec import endpoint_of
from needlesafe.deps import CSRF_COOKIE
from needlesafe.errors import REFUSED_INPUT

log = logging.getLogger("needlesafe.access")


def _has_cookie(header: bytes, name: str) -> bool:
    wanted = name.encode()
    return any(
        part.strip().split(b"=", 1)[0] == wanted and part.strip().split(b"=", 1)[1:] != [b""]
        for part in header.split(b";")
    )


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # patient links carry a token: never leak it
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
UPLOAD_SUFFIX = "/photos"  # the routes that take photos (api/routes/followup.py, web/)
DOCS_PATHS = ("/docs", "/redoc")  # FastAPI's docs pages load their scripts from a CDN


BODY_METHODS = ("POST", "PUT", "PATCH")
CHECKED_BODIES = ("application/json", "application/x-www-form-urlencoded")


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay_body(body: bytes, then: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then the server's own."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive


def _answers_refused_input(scope: Scope) -> bool:
    """Whether the route this request goes to answers refused characters in its own form
    (`needlesafe.errors.answers_refused_input`)."""
    routes = getattr(getattr(scope.get("app"), "router", None), "routes", ())
    return bool(getattr(endpoint_of(routes, scope), "answers_refused_input", False))


def _template(scope: Scope) -> str:
    """The route's template (`/api/v1/checkin/{token}`): never the path, which holds tokens."""
    return route_template(scope)


class ServiceMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        # photo uploads (POST .../photos) may be larger; their route checks each photo
        self.max_upload = max(max_upload_bytes or 0, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        state: dict[str, Any] = scope.setdefault("state", {})
        new_csrf_seed: str | None = None
        if not path.startswith("/api/") and not _has_cookie(
            headers.get(b"cookie", b""), CSRF_COOKIE
        ):
            new_csrf_seed = secrets.token_urlsafe(32)
            state["csrf_seed"] = new_csrf_seed
        status = {"code": 0}
        upload = scope.get("method") == "POST" and path.endswith(UPLOAD_SUFFIX)
        max_body = self.max_upload if upload else self.max_body

        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > max_body
            except ValueError:
                too_big = True
            if too_big:
                await self._send_413(scope, send, max_body)
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    raise BodyTooLarge(max_body)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                extra = list(SECURITY_HEADERS)
                own_csp = any(
                    key.lower() == b"content-security-policy"
                    for key, _ in message.get("headers", [])
                )
                # a route may set a stricter-or-equal policy of its own (e.g. the consent
                # sheet's, with the hashes of its inline stylesheet); otherwise the site's
                if not path.startswith(DOCS_PATHS) and not own_csp:
                    extra.append((b"content-security-policy", CSP))
                if path.startswith("/api/"):
                    extra.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if new_csrf_seed is not None:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    cookie = (
                        f"{CSRF_COOKIE}={new_csrf_seed}; Path=/; HttpOnly; SameSite=Lax{secure}"
                    )
                    extra.append((b"set-cookie", cookie.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        app_receive: Receive = limited_receive
        problems = query_problems(scope.get("query_string", b""))
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if (
            not problems
            and scope.get("method") in BODY_METHODS
            and content_type.startswith(CHECKED_BODIES)
        ):
            try:
                body = await read_body(limited_receive)
            except BodyTooLarge:
                await self._send_413(scope, send)
                return
            problems = body_problems(content_type, body)
            app_receive = replay_body(body, receive)
        if problems and _answers_refused_input(scope):
            scope.setdefault("state", {})[REFUSED_INPUT] = problems  # its own form says so
            problems = []
        if problems:
            from starlette.requests import Request

            await respond(Request(scope), 422, problems)(scope, receive, send_with_headers)
            return

        try:
            await self.app(scope, app_receive, send_with_headers)
        except BodyTooLarge:  # read by a middleware inside, outside the routes' handlers
            if not status["code"]:
                await self._send_413(scope, send)
        except Exception as error:  # answered here: inside the headers and the access log
            if status["code"]:
                # the answer had begun: it cannot become a 500 any more; log it all the same
                log_unhandled(error, str(scope.get("method")), _template(scope))
            else:
                from starlette.requests import Request

                response = internal_error(Request(scope), error)
                await response(scope, receive, send_with_headers)
        finally:
            client = scope.get("client") or ("-", 0)
            log.info(
                "%s %s %s %s %.1fms",
                client[0],
                scope.get("method"),
                _template(scope),
                status["code"],
                (time.perf_counter() - started) * 1000,
            )

    async def _send_413(self, scope: Scope, send: Send, limit: int | None = None) -> None:
        body = (
            b'{"detail":[{"path":"","message":"request body larger than '
            + str(limit or self.max_body).encode()
            + b' bytes"}]}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
