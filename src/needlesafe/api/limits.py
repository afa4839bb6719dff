"""Rate limits on the anonymous engine endpoints (`/api/v1/screen`, `/api/v1/triage`): per
client address (NEEDLESAFE_ANONYMOUS_RATE_LIMIT a minute), or per bearer token for signed-in
callers (their own, higher NEEDLESAFE_TOKEN_RATE_LIMIT).

These endpoints need no sign-in: a bearer token only chooses whose limit a request counts
against. So a token found valid is remembered for `TOKEN_MEMORY_SECONDS` (its user, never the
token: its SHA-256) and the next requests with it are counted without a database round trip;
a token revoked meanwhile keeps its caller's own limit for at most that long, and reaches
nothing else (every route that needs a sign-in checks the token in the database each time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from needlesafe.api.deps import client_address, get_state
from needlesafe.services import accounts
from needlesafe.services.errors import NotAuthenticated
from needlesafe.services.ratelimit import RequestRateLimiter

TOKEN_MEMORY_SECONDS = 30.0
TOKEN_MEMORY_SIZE = 10_000


class TokenMemory:
    """Token digest -> (whose limit it counts against, until when), bounded; thread-safe."""

    def __init__(
        self,
        *,
        seconds: float = TOKEN_MEMORY_SECONDS,
        size: int = TOKEN_MEMORY_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._known: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def key(self, digest: str) -> str | None:
        """The limit's key remembered for this digest; None when not (or no longer)."""
        with self._lock:
            found = self._known.get(digest)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def remember(self, digest: str, key: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._known) >= self.size:  # forget the stale; if none, start afresh
                self._known = {k: v for k, v in self._known.items() if v[1] > now}
                if len(self._known) >= self.size:
                    self._known = {}
            self._known[digest] = (key, now + self.seconds)


def _limits(request: Request) -> dict[str, RequestRateLimiter]:
    limits: dict[str, RequestRateLimiter] | None = getattr(request.app.state, "limits", None)
    if limits is None:  # one set per app, made on first use
        settings = get_state(request).settings
        limits = {
            "address": RequestRateLimiter(per_minute=settings.anonymous_rate_limit),
            "token": RequestRateLimiter(per_minute=settings.token_rate_limit),
        }
        request.app.state.limits = limits
    return limits


def _memory(request: Request) -> TokenMemory:
    memory: TokenMemory | None = getattr(request.app.state, "token_memory", None)
    if memory is None:
        memory = request.app.state.token_memory = TokenMemory()
    return memory


async def engine_rate_limit(request: Request) -> None:
    """Anonymous callers are counted in the event loop; a bearer token not seen lately is
    looked up in the database, in a worker thread."""
    limits = _limits(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        memory = _memory(request)
        digest = accounts.token_digest(token)
        key = memory.key(digest)
        if key is None:
            state = get_state(request)
            try:
                actor = await run_in_threadpool(
                    accounts.resolve_token, state.uow(), token=token, kind="api"
                )
            except NotAuthenticated:
                pass  # an unknown token counts as anonymous
            else:
                key = f"user:{actor.user_id}"
                memory.remember(digest, key)
        if key is not None:
            limits["token"].hit(key)
            return
    limits["address"].hit(client_address(request))
