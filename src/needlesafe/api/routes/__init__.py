"""One router per resource."""

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
    lots,
    patient_checkin,
    patients,
    treatments,
    users,
)

ROUTERS = [
    health.router,
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
]
