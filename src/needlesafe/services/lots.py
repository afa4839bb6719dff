"""Lot traceability: which of the clinic's treatments used a lot (a needle cartridge, a numbing
cream or a product applied), with the patient, the date and the practitioner. The first
question of a recall; it answers for the caller's clinic only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from needlesafe.errors import InputError, InputProblem
from needlesafe.services.common import audit
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork

MAX_LOT = 64
MAX_ROWS = 5000


class LotUse(BaseModel):
    """One treatment that used the lot, and how."""

    model_config = ConfigDict(frozen=True)

    treatment_id: int
    performed_on: dt.date
    patient_id: int
    patient_name: str
    patient_chart_number: str | None
    practitioner_id: int | None
    practitioner_name: str | None
    used_as: list[str]  # "needle_cartridge", "numbing_agent", "topical:<code>"
    product: list[str]  # the device, cream or product codes the lot was


class LotTrace(BaseModel):
    lot: str
    treatments: list[LotUse]
    patients: int  # how many different patients


def _lot(lot: str) -> str:
    value = lot.strip()
    if not value:
        raise InputError([InputProblem("lot", "give the lot number to look for")])
    if len(value) > MAX_LOT:
        raise InputError([InputProblem("lot", f"at most {MAX_LOT} characters")])
    return value


def trace_lot(uow: UnitOfWork, *, actor: Actor, lot: str) -> LotTrace:
    """Every treatment of this clinic that used `lot` (exact match), newest first."""
    value = _lot(lot)
    with uow:
        found = uow.lots.treatments(actor.clinic_id, value, limit=MAX_ROWS)
        patients = {
            p.id: p
            for p in (uow.patients.get(actor.clinic_id, r.patient_id) for r, _ in found)
            if p is not None
        }
        users = {}
        for row, _ in found:
            if row.practitioner_id is not None and row.practitioner_id not in users:
                users[row.practitioner_id] = uow.users.get(actor.clinic_id, row.practitioner_id)
        uses = []
        for row, used in found:
            patient = patients.get(row.patient_id)
            user = users.get(row.practitioner_id) if row.practitioner_id else None
            kinds = used.split(",")
            products = []
            for kind in kinds:
                if kind == "needle_cartridge":
                    products.append(row.device)
                elif kind == "numbing_agent":
                    products.append(row.numbing_agent)
                else:
                    products.append(kind.removeprefix("topical:"))
            uses.append(
                LotUse(
                    treatment_id=row.id,
                    performed_on=row.performed_on,
                    patient_id=row.patient_id,
                    patient_name=patient.name if patient else "",
                    patient_chart_number=patient.chart_number if patient else None,
                    practitioner_id=row.practitioner_id,
                    practitioner_name=(user.name or user.email) if user else None,
                    used_as=[k.split(":")[0] for k in kinds],
                    product=products,
                )
            )
        audit(uow, actor, "list", "lot_trace")
        for use in uses:
            audit(uow, actor, "read", "treatment", use.treatment_id)
        uow.commit()
        return LotTrace(lot=value, treatments=uses, patients=len({u.patient_id for u in uses}))


CSV_COLUMNS = (
    "lot",
    "treatment_id",
    "performed_on",
    "patient_id",
    "patient_name",
    "chart_number",
    "practitioner",
    "used_as",
    "product",
)


def _cell(value: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def trace_csv(trace: LotTrace) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for use in trace.treatments:
        row: Sequence[str] = (
            trace.lot,
            str(use.treatment_id),
            use.performed_on.isoformat(),
            str(use.patient_id),
            use.patient_name,
            use.patient_chart_number or "",
            use.practitioner_name or "",
            ";".join(use.used_as),
            ";".join(use.product),
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
