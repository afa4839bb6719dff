from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from needlesafe.api.deps import UowDep
from needlesafe.services.resilience import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={503: {"description": "the database cannot be read or written"}},
)
def readyz(uow: UowDep) -> JSONResponse:
    """Whether this server can do its work: the database read and written (the write is
    rolled back). `/healthz` only says the process answers."""
    found = readiness(uow)
    ready = all(found.values())
    body = {
        "status": "ready" if ready else "not ready",
        **{k: "ok" if v else "failed" for k, v in found.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)
