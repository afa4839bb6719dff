"""The REST API: `router` holds every resource's routes (`api/routes/`), mounted once under
`/api/v1` by the app (`needlesafe.app`); `service_router` the paths a protocol fixes outside it
(`/healthz`, `/readyz`, CDS Hooks' `/cds-services`). Nothing here imports the pages (`web/`)."""

from __future__ import annotations

from fastapi import APIRouter

from needlesafe.api.errors import API_PREFIX as PREFIX
from needlesafe.api.routes import ROUTERS, SERVICE_ROUTERS

router = APIRouter()
for _resource in ROUTERS:
    router.include_router(_resource)

service_router = APIRouter()
for _service in SERVICE_ROUTERS:
    service_router.include_router(_service)

__all__ = ["PREFIX", "router", "service_router"]
