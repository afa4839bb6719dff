"""Rate limits on the anonymous engine endpoints (`/api/v1/screen`, `/api/v1/triage`): per
client address (NEEDLESAFE_ANONYMOUS_RATE_LIMIT a minute), or per bearer token for signed-in
callers (their own, higher NEEDLESAFE_TOKEN_RATE_LIMIT)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from needlesafe.api.deps import client_address, get_state
from needlesafe.services import accounts
from needlesafe.services.errors import NotAuthenticated
from needlesafe.services.ratelimit import RequestRateLimiter


async def engine_rate_limit(request: Request) -> None:
    """Anonymous callers are counted in the event loop; only a bearer token, looked up in the
    database, goes to a worker thread."""
    state = get_state(request)
    limits: dict[str, RequestRateLimiter] | None = getattr(request.app.state, "limits", None)
    if limits is None:  # one set per app, made on first use
        limits = {
            "address": RequestRateLimiter(per_minute=state.settings.anonymous_rate_limit),
            "token": RequestRateLimiter(per_minute=state.settings.token_rate_limit),
        }
        request.app.state.limits = limits
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        try:
            actor = await run_in_threadpool(
                accounts.resolve_token, state.uow(), token=token, kind="api"
            )
        except NotAuthenticated:
            pass  # an unknown token counts as anonymous
        else:
            limits["token"].hit(f"user:{actor.user_id}")
            return
    limits["address"].hit(client_address(request))
