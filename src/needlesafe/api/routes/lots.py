"""Lot traceability: the treatments of the caller's clinic that used a lot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from needlesafe.api.deps import CurrentActor, UowDep
from needlesafe.api.routes.common import JSON_ERRORS
from needlesafe.services import lots
from needlesafe.services.lots import LotTrace

router = APIRouter(tags=["lots"], responses=JSON_ERRORS)
Lot = Annotated[str, Path(min_length=1, max_length=64, description="the lot number, exactly")]


@router.get("/lots/{lot}/treatments", response_model=LotTrace)
def lot_treatments(lot: Lot, actor: CurrentActor, uow: UowDep) -> LotTrace:
    """Every treatment of your clinic that used this lot (needle cartridge, numbing cream or
    product), with the patient, the date and the practitioner: the first step of a recall."""
    return lots.trace_lot(uow, actor=actor, lot=lot)


@router.get("/lots/{lot}/treatments.csv", response_class=Response)
def lot_treatments_csv(lot: Lot, actor: CurrentActor, uow: UowDep) -> Response:
    """The same list as CSV."""
    trace = lots.trace_lot(uow, actor=actor, lot=lot)
    return Response(
        lots.trace_csv(trace),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lot-trace.csv"'},
    )
