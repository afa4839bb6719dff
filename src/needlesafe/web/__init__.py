"""The clinic's and the patient's web pages (Jinja2 + htmx), mounted on the API's app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_pages(app: FastAPI) -> None:
    """Add the pages' routes and their static files (/static) to `app`."""
    from needlesafe.web import (
        consent_pages,
        consent_sign_pages,
        docs_pages,
        pages,
        patient_pages,
        records_pages,
        staff_pages,
    )
    from needlesafe.web.render import STATIC

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(consent_pages.router)
    app.include_router(records_pages.router)
    app.include_router(patient_pages.router)
    app.include_router(consent_sign_pages.router)
    from needlesafe.web import surveillance_pages

    app.include_router(surveillance_pages.router)
    app.include_router(staff_pages.router)  # staff accounts and password reset links
    app.include_router(docs_pages.router)  # /docs from vendored Swagger UI (works offline)
    from needlesafe.web import followup_pages  # photos, live inbox, reminders (issue 15)

    app.include_router(followup_pages.router)
