"""The clinic's and the patient's pages, one module per resource (like `api/routes/`)."""

from __future__ import annotations

from needlesafe.web.pages import (
    adverse_events,
    auth,
    clinic,
    consent_signing,
    consents,
    docs,
    inbox,
    patient_checkin,
    patients,
    records,
    screenings,
    staff,
    treatments,
)

ROUTERS = [
    auth.router,
    patients.router,
    screenings.router,
    treatments.router,
    clinic.router,
    inbox.router,
    adverse_events.router,
    consents.router,
    records.router,
    patient_checkin.router,
    consent_signing.router,
    staff.router,  # staff accounts and password reset links
    docs.router,  # /docs from vendored Swagger UI (works offline)
]
