"""The two engines, stateless: nothing is stored, no sign-in needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from needlesafe.api.deps import JsonBody, KnowledgeDep
from needlesafe.api.limits import engine_rate_limit
from needlesafe.engine.inputs import parse_checkin, parse_intake
from needlesafe.engine.models import Assessment, Triage
from needlesafe.engine.screening import screen as run_screen

router = APIRouter(
    tags=["engines"],
    dependencies=[Depends(engine_rate_limit)],  # per address, or per signed-in caller
    responses={429: {"description": "too many requests; see Retry-After"}},
)


def _body(schema: str) -> dict[str, object]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }


@router.post(
    "/screen",
    response_model=Assessment,
    openapi_extra=_body("Intake"),
    responses={422: {"description": "bad intake, with the field path"}},
)
async def screen(body: JsonBody, knowledge: KnowledgeDep) -> Assessment:
    """An intake (CONTRACT.md) in, its assessment out (pure and well under a millisecond:
    run in the event loop, not a worker thread)."""
    return run_screen(parse_intake(body, knowledge), knowledge)


@router.post(
    "/triage",
    response_model=Triage,
    openapi_extra=_body("CheckIn"),
    responses={422: {"description": "bad check-in, with the field path"}},
)
def triage(body: JsonBody, knowledge: KnowledgeDep) -> Triage:
    """A check-in (CONTRACT.md) in, its triage out."""
    from needlesafe.engine.triage import triage as run_triage

    return run_triage(parse_checkin(body, knowledge), knowledge)
