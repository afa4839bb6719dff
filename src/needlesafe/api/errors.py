"""One place maps domain errors to HTTP: bad input 422 with field paths, never a 500 body
that leaks anything."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from needlesafe.engine.inputs import format_path
from needlesafe.errors import InputError, InputProblem
from needlesafe.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    LinkExpired,
    LinkInvalid,
    NotAuthenticated,
    NotFound,
    RateLimited,
)

log = logging.getLogger("needlesafe.api")

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    NotAuthenticated: 401,
    Conflict: 409,
    RateLimited: 429,
    LinkInvalid: 404,
    LinkExpired: 410,
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


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install_error_handlers(app: FastAPI, *, login_path: str) -> None:
    @app.exception_handler(InputError)
    async def _input(request: Request, error: InputError) -> Response:
        return problems_response(422, error.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        return problems_response(422, _validation_problems(error))

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), 400)
        headers: dict[str, str] = {}
        if isinstance(error, NotAuthenticated):
            if _wants_page(request):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{login_path}?next={quote(target)}", status_code=303)
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        return problems_response(status, [InputProblem("", error.message)], headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        return problems_response(
            error.status_code,
            [InputProblem("", str(error.detail))],
            dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, error: Exception) -> Response:
        # the type only: a message could hold patient data
        log.error(
            "unhandled %s on %s %s",
            type(error).__name__,
            request.method,
            getattr(request.scope.get("route"), "path", "-"),
        )
        return problems_response(500, [InputProblem("", "internal error")])
