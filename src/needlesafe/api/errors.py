"""One place maps domain errors to HTTP: bad input 422 with field paths, never a 500 body
that leaks anything. The API answers in JSON; a page request (a browser asking for HTML,
outside /api/) gets a plain HTML page with the same status and message, drawn by the renderer
the app hands to `install_error_handlers` (the pages' own, from `web/`: this module never
imports the pages)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Scope

from needlesafe.engine.inputs import format_path
from needlesafe.errors import InputConflict, InputError, InputProblem
from needlesafe.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    LinkExpired,
    LinkInvalid,
    NotAuthenticated,
    NotFound,
    RateLimited,
    TreatmentBlocked,
)

log = logging.getLogger("needlesafe.api")

API_PREFIX = "/api/v1"  # where the app mounts the API's router (`api.router`)

# draws an error page: (status, title, messages) -> HTML
ErrorPage = Callable[[int, str, list[str]], str]

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    NotAuthenticated: 401,
    Conflict: 409,
    RateLimited: 429,
    LinkInvalid: 404,
    LinkExpired: 410,
}


TITLES = {
    400: "This request cannot be done",
    401: "Please sign in",
    403: "You cannot do this",
    404: "Not found",
    405: "This page cannot do that",
    409: "This cannot be done now",
    410: "This has expired",
    413: "Too much data was sent",
    422: "Some of what was sent is not valid",
    429: "Too many tries",
    500: "Something went wrong on our side",
}


def problems_response(
    status: int, problems: list[InputProblem], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"detail": [{"path": p.path, "message": p.message} for p in problems]},
        headers=headers,
    )


def _validation_problems(error: RequestValidationError) -> list[InputProblem]:
    problems = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        where = loc[0] if loc else ""
        rest = loc[1:] if where in ("body", "query", "path", "header", "cookie") else loc
        kind = item.get("type", "")
        if kind == "json_invalid":
            problems.append(InputProblem("", "not valid JSON"))
            continue
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            message = "unknown field"
        else:
            message = str(item.get("msg", "not valid")).removeprefix("Value error, ")
            message = message.replace("Input should be", "should be")
        problems.append(InputProblem(format_path(rest), message))
    return problems or [InputProblem("", "not valid")]


def blocked_response(error: TreatmentBlocked) -> JSONResponse:
    """409 from the treatment gate: every conflict with its stable code, field and message."""
    return JSONResponse(
        status_code=409,
        content={
            "detail": [
                {
                    "path": c.field,
                    "message": c.message,
                    "code": c.code,
                    "overridable": c.overridable,
                }
                for c in error.conflicts
            ],
            "message": error.message,
            "can_override": error.can_override,
        },
    )


def _wants_page(request: Request) -> bool:
    # htmx asks with the browser's default Accept; its answer is swapped into the page
    return not request.url.path.startswith("/api/") and (
        "text/html" in request.headers.get("accept", "")
        or request.headers.get("hx-request") == "true"
    )


def error_page(
    render: ErrorPage,
    status: int,
    problems: list[InputProblem],
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A plain page for a browser: the status, a title and the messages (no field paths, no
    stack, nothing but what the JSON would say)."""
    messages = [f"{p.path}: {p.message}" if p.path else p.message for p in problems]
    html = render(status, TITLES.get(status, "This request cannot be done"), messages)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_renderer(request: Request) -> ErrorPage | None:
    app = request.scope.get("app")  # set by the app before its middleware runs
    return getattr(getattr(app, "state", None), "error_page", None)


def respond(
    request: Request,
    status: int,
    problems: list[InputProblem],
    headers: dict[str, str] | None = None,
) -> Response:
    """JSON for the API, an HTML page for a page request."""
    render = _page_renderer(request)
    if render is not None and _wants_page(request):
        try:
            return error_page(render, status, problems, headers)
        except Exception:  # an error page must never fail: fall back to the JSON answer
            log.exception("error page failed")
    return problems_response(status, problems, headers)


def install_error_handlers(
    app: FastAPI, *, login_path: str, error_page: ErrorPage | None = None
) -> None:
    """Map errors to answers on `app`; with `error_page`, a page request gets an HTML page."""
    app.state.error_page = error_page

    @app.exception_handler(InputError)
    async def _input(request: Request, error: InputError) -> Response:
        return respond(request, 409 if isinstance(error, InputConflict) else 422, error.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        return respond(request, 422, _validation_problems(error))

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        if isinstance(error, TreatmentBlocked) and not _wants_page(request):
            return blocked_response(error)
        status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), 400)
        headers: dict[str, str] = {}
        if isinstance(error, NotAuthenticated):
            if _wants_page(request):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{login_path}?next={quote(target)}", status_code=303)
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        return respond(request, status, [InputProblem("", error.message)], headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if isinstance(error.__context__, MultiPartException):
            # Starlette answers a form it cannot split into parts with a bare 400; it is bad
            # input like any other, so a 422 naming the body, as the spec says
            message = f"not a readable form (multipart/form-data): {error.detail}"
            return respond(request, 422, [InputProblem("body", message)])
        return respond(
            request,
            error.status_code,
            [InputProblem("", str(error.detail))],
            dict(error.headers or {}),
        )

    # Unhandled errors are answered by the middleware (`internal_error`), inside the security
    # headers and the access log; not here, where Starlette would answer outside both.


def log_unhandled(error: BaseException, method: str, route: str) -> str:
    """The one place an unexpected error is logged: an id to quote, the route template and
    the exception's type. Never its message or traceback: a database error's message can hold
    a statement's values (a patient's words, name, phone)."""
    error_id = secrets.token_hex(6)
    log.error("error %s: %s on %s %s", error_id, type(error).__name__, method, route)
    return error_id


def route_template(scope: Scope) -> str:
    """The route's template with the prefix its router is mounted at (`/api/v1/checkin/
    {token}`): never the path, which holds tokens."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return str(template or "-")


def internal_error(request: Request, error: BaseException) -> Response:
    """The 500 answer (JSON or a page), with the id that is in the log."""
    route = route_template(request.scope)
    error_id = log_unhandled(error, request.method, route)
    message = f"internal error; quote reference {error_id} if you report it"
    return respond(request, 500, [InputProblem("", message)])
