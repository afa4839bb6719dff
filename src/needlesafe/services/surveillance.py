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
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Integer, String, cast, insert, select, true

from needlesafe.engine.inputs import parse_checkin, parse_intake
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.words import clinic_defaults
from needlesafe.services.accounts import hash_password
from needlesafe.services.common import audit
from needlesafe.services.context import Actor
from needlesafe.services.lots import _cell
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from needlesafe.surveillance.queries import duckdb_engine, run_all
from needlesafe.surveillance.report import Report, build_report
from needlesafe.surveillance.synthetic import DemoData
from needlesafe.surveillance.tables import depth_bands

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
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]  # every record model has id
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
    emergency = clinic_defaults().emergency_number
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
                    [{"name": names[c], "emergency_number": emergency} for c in clinic_numbers],
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


READ_BATCH = 100_000  # rows fetched from the database at a time


def _read_arrow(uow: UnitOfWork, statement: Any, schema: pa.Schema) -> pa.Table:
    """A SELECT's rows as an Arrow table of `schema`, fetched in large batches on the database
    driver's own cursor and turned into columns by Arrow (typed, in C++): no ORM objects and
    no per-value conversion in Python, so a million treatments read in seconds. The
    statement is rendered with its values inline (they are clinic ids: integers); dates are
    selected as ISO text and booleans as integers, which both databases give alike."""
    connection = uow.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    row_type = pa.struct(list(schema))
    driver = connection.connection.driver_connection
    # PostgreSQL: a server-side cursor, so the rows stream in batches instead of arriving
    # all at once (SQLite steps through its file as rows are fetched anyway)
    named = (
        {"name": "needlesafe_surveillance_read"} if connection.dialect.name == "postgresql" else {}
    )
    cursor = driver.cursor(**named)  # type: ignore[union-attr]  # a DBAPI connection
    try:
        cursor.execute(sql)
        batches = []
        while rows := cursor.fetchmany(READ_BATCH):
            batches.append(pa.array(rows, type=row_type))
    finally:
        cursor.close()
    rows_read = pa.chunked_array(batches, type=row_type)
    return pa.Table.from_struct_array(rows_read) if batches else schema.empty_table()


def _as_type(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """A column cast to `kind` in C++ (dates are read as ISO text, booleans as integers)."""
    return column if column.type == kind else column.cast(kind)


def clinic_tables(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, clinic_ids: list[int] | None = None
) -> dict[str, pa.Table]:
    """The caller's clinic's records as the registry's tables (see surveillance.tables): one
    query per table, only the columns the report needs, read into Arrow in large batches."""
    scope = [actor.clinic_id] if clinic_ids is None else clinic_ids
    with uow:
        everyone = set(scope) >= set(uow.session.scalars(select(m.Clinic.id)).all())

        def in_scope(column: Any) -> Any:
            # every clinic (a registry's database): a plain scan, not one index look-up a row
            return true() if everyone else column.in_(scope)

        fitz = m.Intake.input[("patient", "fitzpatrick")].as_string()  # one JSON path
        treatments = _read_arrow(
            uow,
            select(
                m.Treatment.id,
                m.Treatment.clinic_id,
                m.Treatment.patient_id,
                m.Treatment.practitioner_id,
                cast(m.Treatment.performed_on, String),
                fitz,
                m.Treatment.device,
                m.Treatment.device_make,
                m.Treatment.device_model,
                m.Treatment.needle_cartridge_lot,
                cast(m.Patient.date_of_birth, String),
            )
            .join(m.Patient, m.Patient.id == m.Treatment.patient_id)
            .outerjoin(m.Intake, m.Intake.id == m.Treatment.intake_id)
            .where(in_scope(m.Treatment.clinic_id)),
            TREATMENT_READ,
        )
        areas = _read_arrow(
            uow,
            select(
                m.TreatmentArea.treatment_id, m.TreatmentArea.area, m.TreatmentArea.depth_mm
            ).where(in_scope(m.TreatmentArea.clinic_id)),
            AREA_READ,
        )
        products = _read_arrow(
            uow,
            select(
                m.TreatmentTopical.treatment_id, m.TreatmentTopical.code, m.TreatmentTopical.lot
            ).where(in_scope(m.TreatmentTopical.clinic_id)),
            PRODUCT_READ,
        )
        events = _read_arrow(
            uow,
            select(
                m.AdverseEvent.id,
                m.AdverseEvent.treatment_id,
                m.AdverseEvent.complication,
                cast(m.AdverseEvent.onset_date, String),
                m.AdverseEvent.ctcae_grade,
                cast(m.AdverseEvent.serious, Integer),
            ).where(in_scope(m.AdverseEvent.clinic_id), m.AdverseEvent.treatment_id.is_not(None)),
            EVENT_READ,
        )
        for clinic_id in scope:
            audit(uow, actor, "read", "surveillance", clinic_id=clinic_id)
        uow.commit()
    return _as_tables(knowledge, treatments, areas, products, events)


TREATMENT_READ = pa.schema(
    [
        ("treatment_id", pa.int64()),
        ("clinic_id", pa.int64()),
        ("patient_id", pa.int64()),
        ("practitioner", pa.int64()),
        ("performed_on", pa.string()),
        ("fitzpatrick", pa.string()),
        ("device", pa.string()),
        ("device_make", pa.string()),
        ("device_model", pa.string()),
        ("needle_lot", pa.string()),
        ("date_of_birth", pa.string()),
    ]
)
AREA_READ = pa.schema(
    [("treatment_id", pa.int64()), ("area", pa.string()), ("depth_mm", pa.float64())]
)
PRODUCT_READ = pa.schema(
    [("treatment_id", pa.int64()), ("product", pa.string()), ("lot", pa.string())]
)
EVENT_READ = pa.schema(
    [
        ("event_id", pa.int64()),
        ("treatment_id", pa.int64()),
        ("complication", pa.string()),
        ("onset_date", pa.string()),
        ("ctcae_grade", pa.int32()),
        ("serious", pa.int8()),
    ]
)


def _blank_as_missing(column: pa.ChunkedArray) -> pa.ChunkedArray:
    column = _as_type(column, pa.string())
    result: pa.ChunkedArray = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    return result


def _as_tables(
    knowledge: Knowledge,
    raw: pa.Table,
    areas: pa.Table,
    products: pa.Table,
    events: pa.Table,
) -> dict[str, pa.Table]:
    """The rows read from the database as the registry's tables, with Arrow and numpy."""
    raw = raw.sort_by("treatment_id")
    ids = _as_type(raw.column("treatment_id"), pa.int64())
    id_array = ids.to_numpy()
    performed = _as_type(raw.column("performed_on"), pa.date32())
    # each treatment's deepest area
    deepest = areas.group_by("treatment_id").aggregate([("depth_mm", "max")])
    depth = np.zeros(len(id_array))
    if deepest.num_rows and len(id_array):
        at = np.searchsorted(id_array, deepest.column("treatment_id").to_numpy())
        inside = at < len(id_array)
        at, values = at[inside], deepest.column("depth_mm_max").to_numpy()[inside]
        match = id_array[at] == deepest.column("treatment_id").to_numpy()[inside]
        depth[at[match]] = values[match]
    # a lot counts once per treatment
    products = (
        products.group_by(["treatment_id", "lot"], use_threads=False)
        .aggregate([("product", "first")])
        .rename_columns({"product_first": "product"})
        .select(["treatment_id", "product", "lot"])
        .sort_by("treatment_id")
    )
    treatments = pa.table(
        {
            "treatment_id": ids,
            "clinic_id": _as_type(raw.column("clinic_id"), pa.int64()),
            "patient_id": _as_type(raw.column("patient_id"), pa.int64()),
            "practitioner_id": _as_type(raw.column("practitioner"), pa.string()),
            "performed_on": performed,
            # YYYY-MM from the ISO text read (cheaper than formatting a million dates)
            "month": pc.utf8_slice_codeunits(raw.column("performed_on"), 0, 7),
            "fitzpatrick": _as_type(raw.column("fitzpatrick"), pa.string()),
            "device": _as_type(raw.column("device"), pa.string()),
            "device_id": pc.binary_join_element_wise(
                _blank_as_missing(raw.column("device_make")),
                _blank_as_missing(raw.column("device_model")),
                " ",
                null_handling="skip",
            ),
            "depth_mm": pa.array(depth, pa.float64()),
            "depth_band": pa.array(depth_bands(knowledge, depth), pa.string()),
            "needle_lot": _as_type(raw.column("needle_lot"), pa.string()),
            "birth_year": pc.utf8_slice_codeunits(raw.column("date_of_birth"), 0, 4).cast(
                pa.int32()
            ),
        }
    )
    # days from the treatment to the event's onset
    event_tid = _as_type(events.column("treatment_id"), pa.int64()).to_numpy()
    onset = _as_type(events.column("onset_date"), pa.date32())
    onset_days = pa.nulls(len(event_tid), pa.int32())
    if len(event_tid) and len(id_array):
        at = np.minimum(np.searchsorted(id_array, event_tid), len(id_array) - 1)
        known = id_array[at] == event_tid
        performed_days = performed.cast(pa.int32()).fill_null(0).to_numpy()
        onset_day = onset.cast(pa.int32()).fill_null(0).to_numpy()
        missing = onset.is_null().to_numpy() | performed.is_null().to_numpy()[at]
        onset_days = pa.array(onset_day - performed_days[at], pa.int32(), mask=~known | missing)
    return {
        "treatments": treatments,
        "treatment_areas": areas,
        "treatment_products": products,
        "adverse_events": pa.table(
            {
                "event_id": _as_type(events.column("event_id"), pa.int64()),
                "treatment_id": pa.array(event_tid, pa.int64()),
                "complication": _as_type(events.column("complication"), pa.string()),
                "onset_days": onset_days,
                "ctcae_grade": _as_type(events.column("ctcae_grade"), pa.int32()),
                "serious": _as_type(events.column("serious"), pa.bool_()),
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
