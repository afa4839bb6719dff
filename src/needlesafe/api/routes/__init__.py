"""One router per resource, each without a prefix: `needlesafe.api.router` gathers them and
the app mounts it under `/api/v1`."""

from __future__ import annotations

from needlesafe.api.routes import (
    adverse_events,
    aftercare,
    auth,
    checkins,
    clinic,
    consent,
    engine,
    followup,
    health,
    interop,
    lots,
    patient_checkin,
    patients,
    treatments,
    users,
)

ROUTERS = [
    engine.router,
    auth.router,
    users.router,
    clinic.router,
    patients.router,
    consent.router,
    treatments.router,
    checkins.router,
    adverse_events.router,
    lots.router,
    patient_checkin.router,
    aftercare.router,
    followup.router,
    interop.router,  # FHIR export and import, the CDS feedback report (issue 13)
]

# outside /api/v1: paths a protocol or an operator's probe fixes
SERVICE_ROUTERS = [health.router, interop.cds_router]
