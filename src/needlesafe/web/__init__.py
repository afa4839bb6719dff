"""The clinic's and the patient's web pages (Jinja2 + htmx): `router` holds every page, mounted
beside the API by the app (`needlesafe.app`), with the static files (`static_files()` at
`STATIC_PATH`), the pages' error page (`render_error_page`, handed to the error handlers) and
the handlers of the pages' own errors (`EXCEPTION_HANDLERS`). Nothing here imports `api/`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from needlesafe.web import followup_pages, surveillance_pages
from needlesafe.web.errors import render_error_page
from needlesafe.web.pages import ROUTERS
from needlesafe.web.patient_link import BadLink, bad_link_handler
from needlesafe.web.render import STATIC

STATIC_PATH = "/static"

router = APIRouter(include_in_schema=False)
for _page in ROUTERS:
    router.include_router(_page)
router.include_router(surveillance_pages.router)  # the safety dashboard (issue 14)
router.include_router(followup_pages.router)  # photos, live inbox, reminders (issue 15)

EXCEPTION_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    BadLink: bad_link_handler,
}


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


__all__ = ["EXCEPTION_HANDLERS", "STATIC_PATH", "render_error_page", "router", "static_files"]
