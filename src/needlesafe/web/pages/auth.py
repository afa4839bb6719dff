"""Signing in and out (the session cookie), and the site's front door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from needlesafe.deps import (
    CsrfChecked,
    StateDep,
    end_session,
    sign_in,
    start_session,
)
from needlesafe.services.errors import NotAuthenticated, RateLimited
from needlesafe.web.common import (
    form_values,
    safe_next,
    see_other,
)
from needlesafe.web.render import FormValues, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return see_other("/patients")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=500)] = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: StateDep, _csrf: CsrfChecked) -> Response:
    values = await form_values(request)
    email, password = values.get("email").strip(), values.get("password")
    target = safe_next(values.get("next"))
    try:
        # in a worker thread: hashing must not hold up every other request on the event loop
        token, _ = await run_in_threadpool(
            sign_in, state, request, email=email, password=password, kind="session"
        )
    except (NotAuthenticated, RateLimited) as error:
        message = error.message if isinstance(error, RateLimited) else "wrong email or password"
        return render(
            request,
            "login.html",
            {"next": target, "values": FormValues({"email": [email]}), "error": message},
            status_code=429 if isinstance(error, RateLimited) else 401,
        )
    response = see_other(target)
    start_session(request, response, state.settings, token)
    return response


@router.post("/logout")
def logout(request: Request, state: StateDep, _csrf: CsrfChecked) -> Response:
    response = see_other("/login")
    end_session(request, response, state)
    return response
