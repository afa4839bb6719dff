"""Surveillance use cases on the clinic's database: load demo data as real clinic records,
read one clinic's records as the registry's tables (for the report), and the de-identified
registry export.

Demo data goes in as the records a clinic would have: clinics, practitioner accounts,
patients, a screening per course (the engine's assessment), treatments with areas and product
lots, adverse events coded from the knowledge base, and day-1 check-ins triaged by the engine.
It is written with bulk inserts in one transaction per chunk of courses (a few thousand rows
per statement), not one service call per record.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import insert, select

from needlesafe.engine.inputs import parse_checkin, parse_intake
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.accounts import hash_password
from needlesafe.services.common import audit
from needlesafe.services.context import Actor
from needlesafe.services.lots import _cell
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from needlesafe.surveillance.queries import duckdb_engine, run_all
from needlesafe.surveillance.report import Report, build_report
from needlesafe.surveillance.synthetic import DemoData
from needlesafe.surveillance.tables import depth_bands, month_of

CHUNK_TREATMENTS = 20_000
DEVICE_MAKE = "Demo Devices"
DEMO_EMAIL_DOMAIN = "demo.needlesafe.example"
REDNESS_CHECKIN = {"days_since_treatment": 1, "symptoms": [{"code": "redness", "severity": "mild"}]}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _insert_ids(uow: UnitOfWork, model: type[m.Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows and return their new ids in the order given."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    return list(uow.session.scalars(statement, rows).all())


def _insert(uow: UnitOfWork, model: type[m.Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        uow.session.execute(insert(model), rows)


def _courses(patient: np.ndarray, size: int) -> Iterator[slice]:
    """Slices of about `size` treatments that never split a patient's course."""
    start, n = 0, len(patient)
    while start < n:
        end = min(n, start + size)
        while end < n and patient[end] == patient[end - 1]:
            end += 1
        yield slice(start, end)
        start = end


def load_demo(
    uow: UnitOfWork, *, knowledge: Knowledge, data: DemoData, clinic_prefix: str = "Demo Registry"
) -> list[dict[str, Any]]:
    """Write the demo data as clinic records; return what was planted, with the database's ids
    (the practitioner's user id)."""
    tables = data.tables
    clinic_numbers = sorted({p["clinic"] for p in data.practitioners})
    names = {c: f"{clinic_prefix} {c} (seed {data.seed})" for c in clinic_numbers}
    with uow:
        taken = uow.session.scalars(
            select(m.Clinic.name).where(m.Clinic.name.in_(list(names.values())))
        ).first()
        if taken is not None:
            raise InputError(
                [InputProblem("seed", f"demo data with seed {data.seed} is already loaded")]
            )
        clinic_ids = dict(
            zip(
                clinic_numbers,
                _insert_ids(
                    uow,
                    m.Clinic,
                    [{"name": names[c], "emergency_number": "911"} for c in clinic_numbers],
                ),
                strict=True,
            )
        )
        # demo accounts cannot sign in: one unknown random password, hashed once
        unusable = hash_password(secrets.token_urlsafe(32))
        user_ids = dict(
            zip(
                [p["number"] for p in data.practitioners],
                _insert_ids(
                    uow,
                    m.User,
                    [
                        {
                            "clinic_id": clinic_ids[p["clinic"]],
                            "email": (
                                f"practitioner{p['number']}.seed{data.seed}@{DEMO_EMAIL_DOMAIN}"
                            ),
                            "name": f"Demo Practitioner {p['number']}",
                            "role": "practitioner",
                            "password_hash": unusable,
                            "active": False,
                        }
                        for p in data.practitioners
                    ],
                ),
                strict=True,
            )
        )
        for number, clinic_id in clinic_ids.items():
            audit(
                uow,
                Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli"),
                "create",
                "demo_data",
                f"seed {data.seed} clinic {number}",
            )
        uow.commit()

    t = tables["treatments"]
    patient = t.column("patient_id").to_numpy()
    for part in _courses(patient, CHUNK_TREATMENTS):
        with uow:
            _load_chunk(uow, knowledge, tables, part, clinic_ids, user_ids)
            uow.commit()

    planted = []
    for signal in data.planted:
        signal = dict(signal)
        if signal["kind"] == "practitioner":
            signal["practitioner_id"] = str(user_ids[int(signal["practitioner_id"])])
        if signal["kind"] == "device":  # the report names a device by make and model
            signal["device_id"] = f"{DEVICE_MAKE} {signal['device_id']}"
        planted.append(signal)
    return planted


def _load_chunk(
    uow: UnitOfWork,
    knowledge: Knowledge,
    tables: dict[str, pa.Table],
    part: slice,
    clinic_ids: dict[int, int],
    user_ids: dict[int, int],
) -> None:
    t = tables["treatments"].slice(part.start, part.stop - part.start).to_pydict()
    first_id, last_id = t["treatment_id"][0], t["treatment_id"][-1]

    def rows_of(name: str) -> dict[str, list[Any]]:
        table = tables[name]
        ids = table.column("treatment_id").to_numpy()
        lo, hi = np.searchsorted(ids, first_id), np.searchsorted(ids, last_id, side="right")
        found: dict[str, list[Any]] = table.slice(int(lo), int(hi - lo)).to_pydict()
        return found

    areas, products, events = (
        rows_of("treatment_areas"),
        rows_of("treatment_products"),
        rows_of("adverse_events"),
    )
    checkins = rows_of("checkins")
    by_treatment_areas: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for tid, area, depth in zip(
        areas["treatment_id"], areas["area"], areas["depth_mm"], strict=True
    ):
        by_treatment_areas[tid].append((area, depth))
    by_treatment_products: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for tid, code, lot in zip(
        products["treatment_id"], products["product"], products["lot"], strict=True
    ):
        by_treatment_products[tid].append((code, lot))

    # patients, and one screening per course (its plan covers every session of the course)
    patients: dict[int, dict[str, Any]] = {}
    for i, number in enumerate(t["patient_id"]):
        course = patients.setdefault(
            number,
            {
                "clinic": t["clinic_id"][i],
                "fitzpatrick": t["fitzpatrick"][i],
                "birth_year": t["birth_year"][i],
                "first": t["performed_on"][i],
                "device": t["device"][i],
                "areas": {},
                "topicals": set(),
            },
        )
        for area, depth in by_treatment_areas[t["treatment_id"][i]]:
            course["areas"][area] = max(depth, course["areas"].get(area, 0))
        course["topicals"].update(code for code, _ in by_treatment_products[t["treatment_id"][i]])
    numbers = list(patients)
    patient_ids = dict(
        zip(
            numbers,
            _insert_ids(
                uow,
                m.Patient,
                [
                    {
                        "clinic_id": clinic_ids[patients[p]["clinic"]],
                        "name": f"Demo Patient {p}",
                        "date_of_birth": dt.date(patients[p]["birth_year"], 7, 1),
                        "chart_number": f"DEMO-{p}",
                    }
                    for p in numbers
                ],
            ),
            strict=True,
        )
    )
    assessments: dict[str, tuple[dict[str, Any], str, str]] = {}
    intake_rows = []
    for p in numbers:
        course = patients[p]
        age = course["first"].year - course["birth_year"]
        intake = {
            "patient": {"age": age, "fitzpatrick": course["fitzpatrick"]},
            "plan": {
                "areas": sorted(course["areas"]),
                "needle_depth_mm": max(course["areas"].values()),
                "device": course["device"],
                "numbing_agent": "lidocaine",
                "topicals": sorted(course["topicals"]),
            },
        }
        parsed = parse_intake(intake, knowledge)
        key = json.dumps(parsed.model_dump(mode="json"), sort_keys=True)
        if key not in assessments:
            assessment = screen(parsed, knowledge)
            assessments[key] = (
                assessment.model_dump(mode="json"),
                assessment.decision.value,
                assessment.knowledge_version,
            )
        result, decision, version = assessments[key]
        intake_rows.append(
            {
                "clinic_id": clinic_ids[course["clinic"]],
                "patient_id": patient_ids[p],
                "created_at": _at(course["first"] - dt.timedelta(days=1), 10),
                "input": parsed.model_dump(mode="json"),
                "assessment": result,
                "decision": decision,
                "knowledge_version": version,
            }
        )
    intake_ids = dict(zip(numbers, _insert_ids(uow, m.Intake, intake_rows), strict=True))

    treatment_rows = []
    for i, p in enumerate(t["patient_id"]):
        treatment_rows.append(
            {
                "clinic_id": clinic_ids[t["clinic_id"][i]],
                "patient_id": patient_ids[p],
                "intake_id": intake_ids[p],
                "practitioner_id": user_ids[int(t["practitioner_id"][i])],
                "performed_on": t["performed_on"][i],
                "device": t["device"][i],
                "device_make": DEVICE_MAKE,
                "device_model": t["device_id"][i],
                "needle_cartridge_lot": t["needle_lot"][i],
                "numbing_agent": "lidocaine",
                "notes": "",
                "created_at": _at(t["performed_on"][i], 12),
            }
        )
    ids = _insert_ids(uow, m.Treatment, treatment_rows)
    treatment_ids = dict(zip(t["treatment_id"], ids, strict=True))
    row_of = {tid: i for i, tid in enumerate(t["treatment_id"])}

    def owner(tid: int) -> dict[str, Any]:
        row = treatment_rows[row_of[tid]]
        return {"clinic_id": row["clinic_id"], "treatment_id": treatment_ids[tid]}

    _insert(
        uow,
        m.TreatmentArea,
        [
            {**owner(tid), "area": area, "depth_mm": depth, "passes": 2}
            for tid, pairs in by_treatment_areas.items()
            for area, depth in pairs
        ],
    )
    _insert(
        uow,
        m.TreatmentTopical,
        [
            {**owner(tid), "code": code, "lot": lot}
            for tid, pairs in by_treatment_products.items()
            for code, lot in pairs
        ],
    )
    event_rows = []
    for tid, code, onset, grade, serious in zip(
        events["treatment_id"],
        events["complication"],
        events["onset_days"],
        events["ctcae_grade"],
        events["serious"],
        strict=True,
    ):
        row = treatment_rows[row_of[tid]]
        onset_date = row["performed_on"] + dt.timedelta(days=onset)
        event_rows.append(
            {
                **owner(tid),
                "patient_id": row["patient_id"],
                "complication": code,
                "onset_date": onset_date,
                "ctcae_grade": grade,
                "icd10_code": knowledge.complications[code].icd10cm.code,
                "serious": serious,
                "outcome": "recovered",
                "status": "closed",
                "resolved_on": onset_date + dt.timedelta(days=14),
                "created_at": _at(onset_date, 15),
            }
        )
    _insert(uow, m.AdverseEvent, event_rows)

    checkin = parse_checkin(REDNESS_CHECKIN, knowledge)
    from needlesafe.engine.triage import triage

    triaged = triage(checkin, knowledge)
    checkin_input = checkin.model_dump(mode="json", exclude_none=True)
    triage_json = triaged.model_dump(mode="json")
    _insert(
        uow,
        m.CheckIn,
        [
            {
                **owner(tid),
                "patient_id": treatment_rows[row_of[tid]]["patient_id"],
                "source": "patient_link",
                "created_at": _at(
                    treatment_rows[row_of[tid]]["performed_on"] + dt.timedelta(days=1), 9
                ),
                "input": checkin_input,
                "triage": triage_json,
                "disposition": triaged.disposition,
                "urgency": m.DISPOSITION_RANK[triaged.disposition],
                "knowledge_version": triaged.knowledge_version,
                "handled": True,
            }
            for tid in checkins["treatment_id"]
        ],
    )


# ---------------------------------------------------------------- reading a clinic's records


def clinic_tables(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, clinic_ids: list[int] | None = None
) -> dict[str, pa.Table]:
    """The caller's clinic's records as the registry's tables (see surveillance.tables)."""
    scope = [actor.clinic_id] if clinic_ids is None else clinic_ids
    with uow:
        s = uow.session
        fitz = m.Intake.input["patient"]["fitzpatrick"].as_string()
        rows = s.execute(
            select(
                m.Treatment.id,
                m.Treatment.clinic_id,
                m.Treatment.patient_id,
                m.Treatment.practitioner_id,
                m.Treatment.performed_on,
                fitz,
                m.Treatment.device,
                m.Treatment.device_make,
                m.Treatment.device_model,
                m.Treatment.needle_cartridge_lot,
                m.Patient.date_of_birth,
            )
            .join(m.Patient, m.Patient.id == m.Treatment.patient_id)
            .outerjoin(m.Intake, m.Intake.id == m.Treatment.intake_id)
            .where(m.Treatment.clinic_id.in_(scope))
            .order_by(m.Treatment.id)
        ).all()
        areas = s.execute(
            select(m.TreatmentArea.treatment_id, m.TreatmentArea.area, m.TreatmentArea.depth_mm)
            .where(m.TreatmentArea.clinic_id.in_(scope))
            .order_by(m.TreatmentArea.treatment_id)
        ).all()
        products = s.execute(
            select(m.TreatmentTopical.treatment_id, m.TreatmentTopical.code, m.TreatmentTopical.lot)
            .where(m.TreatmentTopical.clinic_id.in_(scope))
            .order_by(m.TreatmentTopical.treatment_id)
        ).all()
        events = s.execute(
            select(
                m.AdverseEvent.id,
                m.AdverseEvent.treatment_id,
                m.AdverseEvent.complication,
                m.AdverseEvent.onset_date,
                m.AdverseEvent.ctcae_grade,
                m.AdverseEvent.serious,
            )
            .where(m.AdverseEvent.clinic_id.in_(scope), m.AdverseEvent.treatment_id.is_not(None))
            .order_by(m.AdverseEvent.treatment_id)
        ).all()
        for clinic_id in scope:
            audit(uow, actor, "read", "surveillance", clinic_id=clinic_id)
        uow.commit()
    return _as_tables(knowledge, rows, areas, products, events)


def _as_tables(
    knowledge: Knowledge,
    rows: Sequence[Any],
    areas: Sequence[Any],
    products: Sequence[Any],
    events: Sequence[Any],
) -> dict[str, pa.Table]:
    deepest: dict[int, float] = defaultdict(float)
    for tid, _, depth in areas:
        deepest[tid] = max(deepest[tid], depth)
    ids = [r[0] for r in rows]
    performed = np.array([r[4] for r in rows], dtype="datetime64[D]")
    depth = np.array([deepest.get(tid, 0.0) for tid in ids])
    performed_on = {r[0]: r[4] for r in rows}
    seen_products: set[tuple[int, str | None]] = set()
    product_rows = []
    for tid, code, lot in products:
        if (tid, lot) not in seen_products:  # a lot counts once per treatment
            seen_products.add((tid, lot))
            product_rows.append((tid, code, lot))
    treatments = pa.table(
        {
            "treatment_id": pa.array(ids, pa.int64()),
            "clinic_id": pa.array([r[1] for r in rows], pa.int64()),
            "patient_id": pa.array([r[2] for r in rows], pa.int64()),
            "practitioner_id": pa.array(
                [None if r[3] is None else str(r[3]) for r in rows], pa.string()
            ),
            "performed_on": pa.array(performed, pa.date32()),
            "month": pa.array(month_of(performed), pa.string()),
            "fitzpatrick": pa.array([r[5] for r in rows], pa.string()),
            "device": pa.array([r[6] for r in rows], pa.string()),
            "device_id": pa.array(
                [" ".join(x for x in (r[7], r[8]) if x) if (r[7] or r[8]) else None for r in rows],
                pa.string(),
            ),
            "depth_mm": pa.array(depth, pa.float64()),
            "depth_band": pa.array(depth_bands(knowledge, depth), pa.string()),
            "needle_lot": pa.array([r[9] for r in rows], pa.string()),
            "birth_year": pa.array([r[10].year if r[10] else None for r in rows], pa.int32()),
        }
    )
    return {
        "treatments": treatments,
        "treatment_areas": pa.table(
            {
                "treatment_id": pa.array([a[0] for a in areas], pa.int64()),
                "area": pa.array([a[1] for a in areas], pa.string()),
                "depth_mm": pa.array([a[2] for a in areas], pa.float64()),
            }
        ),
        "treatment_products": pa.table(
            {
                "treatment_id": pa.array([p[0] for p in product_rows], pa.int64()),
                "product": pa.array([p[1] for p in product_rows], pa.string()),
                "lot": pa.array([p[2] for p in product_rows], pa.string()),
            }
        ),
        "adverse_events": pa.table(
            {
                "event_id": pa.array([e[0] for e in events], pa.int64()),
                "treatment_id": pa.array([e[1] for e in events], pa.int64()),
                "complication": pa.array([e[2] for e in events], pa.string()),
                "onset_days": pa.array(
                    [
                        (e[3] - performed_on[e[1]]).days if e[1] in performed_on else None
                        for e in events
                    ],
                    pa.int32(),
                ),
                "ctcae_grade": pa.array([e[4] for e in events], pa.int32()),
                "serious": pa.array([bool(e[5]) for e in events], pa.bool_()),
            }
        ),
    }


# ---------------------------------------------------------------- the registry export


def pseudonym(secret: str, kind: str, value: int | str) -> str:
    """A keyed pseudonym (HMAC-SHA256): the same person always gets the same one, so a
    registry can count repeat patients, and nobody without the clinic's secret can reverse it
    or check a guess."""
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[0]}_{digest[:20]}"


def registry_tables(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, secret: str
) -> dict[str, pa.Table]:
    """The clinic's records de-identified for a registry: no names, contact details or free
    text; clinic, patients, practitioners and treatments as keyed pseudonyms (in the same
    columns, so `needlesafe report` runs on the export as it is); the treatment date
    coarsened to its month and the birth date to its year; onsets kept as days after the
    treatment."""
    actor.require_admin()
    tables = clinic_tables(uow, actor=actor, knowledge=knowledge)

    def keyed(kind: str, values: pa.ChunkedArray) -> pa.Array:
        return pa.array(
            [None if v is None else pseudonym(secret, kind, v) for v in values.to_pylist()],
            pa.string(),
        )

    def with_treatment_key(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("treatment_id")
        return table.set_column(index, "treatment_id", keyed("treatment", table.column(index)))

    t = tables["treatments"]
    treatments = pa.table(
        {
            "treatment_id": keyed("treatment", t.column("treatment_id")),
            "clinic_id": keyed("clinic", t.column("clinic_id")),
            "patient_id": keyed("patient", t.column("patient_id")),
            "practitioner_id": keyed("practitioner", t.column("practitioner_id")),
            **{
                name: t.column(name)
                for name in (
                    "month",
                    "fitzpatrick",
                    "device",
                    "device_id",
                    "depth_mm",
                    "depth_band",
                    "needle_lot",
                    "birth_year",
                )
            },
        }
    )
    return {
        "treatments": treatments,
        "treatment_areas": with_treatment_key(tables["treatment_areas"]),
        "treatment_products": with_treatment_key(tables["treatment_products"]),
        "adverse_events": with_treatment_key(tables["adverse_events"].drop_columns(["event_id"])),
    }


# ---------------------------------------------------------------- the clinic's dashboard


def clinic_report(uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge) -> Report | None:
    """The surveillance report over the caller's clinic's records (admins only); None when
    the clinic has no treatment yet."""
    actor.require_admin()
    tables = clinic_tables(uow, actor=actor, knowledge=knowledge)
    if tables["treatments"].num_rows == 0 or knowledge.surveillance is None:
        return None
    with duckdb_engine(tables=tables) as duck:
        results = run_all(duck)
    return build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )


RATE_COLUMNS = (
    "dimension", "value", "complication", "treatments", "cases", "per_1000", "low_per_1000",
    "high_per_1000", "rate_ratio", "rate_ratio_low", "rate_ratio_high",
)  # fmt: skip


def rates_csv(report: Report) -> str:
    """The report's rates as CSV (cells that a spreadsheet would run as formulas quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RATE_COLUMNS)
    for row in report.data["rates"]:
        writer.writerow([_cell("" if row[c] is None else str(row[c])) for c in RATE_COLUMNS])
    return out.getvalue()
