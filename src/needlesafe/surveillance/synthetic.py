"""Synthetic registry data: clinics, practitioners, patients, treatments, adverse events and
check-ins drawn at the rates of `surveillance.yaml`, with planted signals to find.

Everything is drawn with numpy from one seed, column by column (no Python loop per treatment),
so ten million treatments take seconds. The tables are the registry's columns (see
`surveillance.tables`); the database loader turns the same draw into clinic records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.surveillance_schema import RateRule, SurveillanceFile
from needlesafe.knowledge.triage_schema import SELF_CARE
from needlesafe.surveillance.tables import depth_bands, month_of

PLANT_KINDS = ("lot", "practitioner", "device")
FIRST_DAY = dt.date(2024, 1, 1)
MONTHS = 24
DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days + 1
TREATMENTS_PER_CLINIC = 10_000
SESSION_GAP_DAYS = 28

DEVICES = {
    "pen": ["PEN-A100", "PEN-B200", "PEN-C300"],
    "roller": ["ROLLER-R15", "ROLLER-R20"],
    "radiofrequency": ["RF-M8", "RF-M9"],
    "stamp": ["STAMP-S1"],
}
PRODUCT_PREFIX = {
    "hyaluronic_acid": "HA",
    "vitamin_c": "VC",
    "growth_factors": "GF",
    "exosomes": "EX",
    "prp": "PRP",
    "unlabeled_product": "UP",
    "tranexamic_acid": "TXA",
}
LOTS_PER_PRODUCT_MONTH = 2

# How strong the planted signals are: synthetic knobs, not clinical facts.
PLANTED_LOT_GRANULOMA_PER_1000 = 40.0
PLANTED_PRACTITIONER_SCARRING_FACTOR = 12.0
PLANTED_DEVICE_INFECTION_FACTOR = 15.0
PLANTED_DEVICE_FROM_MONTH = 13  # the 13th month of 24: January 2025


@dataclass
class DemoData:
    """The drawn registry: Arrow tables keyed by name, and what was planted."""

    tables: dict[str, pa.Table]
    planted: list[dict[str, Any]]
    seed: int
    practitioners: list[dict[str, Any]] = field(default_factory=list)


def _choice(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(shares))
    weights = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _product_index(values: np.ndarray, names: list[str]) -> np.ndarray:
    """The position of each value in `names`, -1 where it is not there."""
    found, inverse = np.unique(values, return_inverse=True)
    positions = np.array([names.index(v) if v in names else -1 for v in found])
    return positions[inverse]


def _text(codes: np.ndarray, names: list[str] | np.ndarray) -> pa.Array:
    """names[codes] as an Arrow string column, built in C++ from a small dictionary (a
    Python string per row would cost seconds per million)."""
    indices = pa.array(np.asarray(codes, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names))).cast(pa.string())


def _rule_matches(
    rule: RateRule,
    *,
    fitzpatrick: np.ndarray,
    depth: np.ndarray,
    area_codes: list[str],
    has_area: np.ndarray,
    product: np.ndarray,
    device: np.ndarray,
) -> np.ndarray:
    match = np.ones(len(depth), dtype=bool)
    when = rule.when
    if when is None:
        return match
    if when.fitzpatrick:
        match &= np.isin(fitzpatrick, when.fitzpatrick)
    if when.min_depth_mm is not None:
        match &= depth >= when.min_depth_mm
    if when.areas_any:
        columns = [area_codes.index(a) for a in when.areas_any if a in area_codes]
        match &= has_area[:, columns].any(axis=1) if columns else False
    if when.topicals_any:
        match &= np.isin(product, when.topicals_any)
    if when.devices:
        match &= np.isin(device, when.devices)
    return match


def generate(
    knowledge: Knowledge, *, treatments: int, seed: int, plant: tuple[str, ...] = PLANT_KINDS
) -> DemoData:
    """`treatments` treatments over 24 months, reproducible from `seed`."""
    if treatments < 1:
        raise ValueError("treatments must be at least 1")
    unknown = [p for p in plant if p not in PLANT_KINDS]
    if unknown:
        raise ValueError(f"unknown signal kind(s) to plant: {unknown}")
    config: SurveillanceFile | None = knowledge.surveillance
    if config is None or knowledge.aftercare is None:
        raise ValueError("the knowledge base has no surveillance.yaml or aftercare.yaml")
    rng = np.random.default_rng(seed)
    mix = config.mix
    n = treatments

    # clinics, practitioners, patients in courses of one to three sessions four weeks apart
    clinics = max(1, min(200, n // TREATMENTS_PER_CLINIC))
    per_clinic = rng.integers(3, 9, size=clinics)
    practitioner_clinic = np.repeat(np.arange(1, clinics + 1), per_clinic)
    practitioner_count = len(practitioner_clinic)
    course = rng.choice([1, 2, 3], size=n, p=[0.4, 0.3, 0.3])
    starts = np.cumsum(course) - course
    session = (np.arange(int(course.sum())) - np.repeat(starts, course))[:n]
    patient = np.cumsum(session == 0)  # a new patient where a course starts, from 1
    patients = int(patient[-1])
    patient_fitz = _choice(rng, mix.fitzpatrick, patients)
    patient_practitioner = rng.integers(0, practitioner_count, size=patients)
    patient_birth_year = rng.integers(1955, 2006, size=patients)
    patient_start = rng.integers(0, DAYS - 2 * SESSION_GAP_DAYS, size=patients)
    patient_device = _choice(rng, mix.devices, patients)

    p_index = patient - 1
    fitzpatrick = patient_fitz[p_index]
    practitioner = patient_practitioner[p_index] + 1  # practitioner numbers from 1
    clinic = practitioner_clinic[practitioner - 1]
    day = patient_start[p_index] + session * SESSION_GAP_DAYS
    performed_on = np.datetime64(FIRST_DAY) + day.astype("timedelta64[D]")
    device = patient_device[p_index]
    models = [m for kind in DEVICES.values() for m in kind]
    device_code = np.zeros(n, dtype=np.int32)
    for kind, kind_models in DEVICES.items():
        rows = device == kind
        # the clinic's models of a kind are used at random, so a practitioner's own excess
        # does not echo as one device's
        first = models.index(kind_models[0])
        device_code[rows] = first + rng.integers(0, len(kind_models), size=int(rows.sum()))
    depth = _choice(rng, mix.depth_mm, n).astype(float)

    # one to three areas, weighted without replacement (Efraimidis-Spirakis keys)
    area_codes = list(mix.areas)
    weights = np.array([mix.areas[a] for a in area_codes])
    keys = rng.random((n, len(area_codes))) ** (1 / weights)
    order = np.argsort(-keys, axis=1)
    count = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    chosen = np.arange(len(area_codes))[None, :] < count[:, None]
    has_area = np.zeros((n, len(area_codes)), dtype=bool)
    np.put_along_axis(has_area, order, chosen, axis=1)
    caps = np.array([knowledge.areas[a].max_depth_mm for a in area_codes])

    product = _choice(rng, mix.topicals, n)
    month_index = (performed_on.astype("datetime64[M]") - np.datetime64(FIRST_DAY, "M")).astype(int)
    month_names = month_of(np.datetime64(FIRST_DAY, "M") + np.arange(MONTHS + 1))
    # a product's lots: two a month, named PREFIX-YYYYMM-k
    products = list(PRODUCT_PREFIX)
    lot_names = [
        f"{PRODUCT_PREFIX[code]}-{month.replace('-', '')}-{k}"
        for code in products
        for month in month_names
        for k in range(1, LOTS_PER_PRODUCT_MONTH + 1)
    ]
    product_index = _product_index(product, products)  # -1: no product
    lot_code = (
        product_index * (len(month_names) * LOTS_PER_PRODUCT_MONTH)
        + month_index * LOTS_PER_PRODUCT_MONTH
        + rng.integers(0, LOTS_PER_PRODUCT_MONTH, size=n)
    )
    device_kinds = list(DEVICES)
    needle_names = [
        f"CART-{m.replace('-', '')}-{kind}" for m in month_names for kind in device_kinds
    ]
    needle_code = month_index * len(device_kinds) + _product_index(device, device_kinds)

    # each area's depth is the plan's depth, within the area's cap
    area_depth = np.minimum(depth[:, None], caps[None, :])
    max_depth = np.where(has_area, area_depth, 0).max(axis=1)

    # complication probabilities: the highest matching rule per complication
    complications = list(knowledge.complications)
    probability = {}
    for code in complications:
        p = np.zeros(n)
        for rule in config.rates:
            if rule.complication != code:
                continue
            match = _rule_matches(
                rule,
                fitzpatrick=fitzpatrick,
                depth=max_depth,
                area_codes=area_codes,
                has_area=has_area,
                product=product,
                device=device,
            )
            p = np.where(match, np.maximum(p, rule.rate_per_1000 / 1000), p)
        probability[code] = p

    planted: list[dict[str, Any]] = []
    if "lot" in plant:
        target_code = (
            products.index("hyaluronic_acid") * len(month_names) + MONTHS // 2
        ) * LOTS_PER_PRODUCT_MONTH
        rows = (lot_code == target_code) & (product_index >= 0)
        if rows.any():
            target = lot_names[target_code]
            rate = PLANTED_LOT_GRANULOMA_PER_1000 / 1000
            probability["granuloma"] = np.where(
                rows, np.maximum(probability["granuloma"], rate), probability["granuloma"]
            )
            planted.append(
                {
                    "kind": "lot",
                    "lot": target,
                    "product": "hyaluronic_acid",
                    "complication": "granuloma",
                    "rate_per_1000": PLANTED_LOT_GRANULOMA_PER_1000,
                    "treatments": int(rows.sum()),
                }
            )
    if "practitioner" in plant:
        target_practitioner = int(rng.integers(1, practitioner_count + 1))
        rows = practitioner == target_practitioner
        probability["scarring"] = np.where(
            rows,
            np.minimum(1, probability["scarring"] * PLANTED_PRACTITIONER_SCARRING_FACTOR),
            probability["scarring"],
        )
        planted.append(
            {
                "kind": "practitioner",
                "practitioner_id": str(target_practitioner),
                "complication": "scarring",
                "rate_factor": PLANTED_PRACTITIONER_SCARRING_FACTOR,
                "treatments": int(rows.sum()),
            }
        )
    if "device" in plant:
        target_device = DEVICES["pen"][0]
        rows = (device_code == models.index(target_device)) & (
            month_index >= PLANTED_DEVICE_FROM_MONTH - 1
        )
        probability["infection"] = np.where(
            rows,
            np.minimum(1, probability["infection"] * PLANTED_DEVICE_INFECTION_FACTOR),
            probability["infection"],
        )
        planted.append(
            {
                "kind": "device",
                "device_id": target_device,
                "complication": "infection",
                "rate_factor": PLANTED_DEVICE_INFECTION_FACTOR,
                "from_month": month_of(
                    np.array([np.datetime64(FIRST_DAY, "M") + PLANTED_DEVICE_FROM_MONTH - 1])
                )[0],
                "treatments": int(rows.sum()),
            }
        )

    # adverse events: one draw per treatment and complication
    onset = {o.complication: o for o in config.onset_days}
    grades = np.array([int(g) for g in config.grade_shares.shares])
    grade_p = np.array(list(config.grade_shares.shares.values()))
    event_parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("treatment", "complication", "onset", "grade")
    }
    for code in complications:
        rows = np.flatnonzero(rng.random(n) < probability[code])
        event_parts["treatment"].append(rows)
        event_parts["complication"].append(np.full(len(rows), complications.index(code)))
        event_parts["onset"].append(
            rng.integers(onset[code].first, onset[code].last + 1, size=len(rows))
        )
        event_parts["grade"].append(grades[rng.choice(len(grades), size=len(rows), p=grade_p)])
    event_rows = np.concatenate(event_parts["treatment"])
    order_events = np.argsort(event_rows, kind="stable")
    event_rows = event_rows[order_events]
    event_grade = np.concatenate(event_parts["grade"])[order_events]

    treatment_id = np.arange(1, n + 1, dtype=np.int64)
    area_rows, area_cols = np.nonzero(has_area)
    product_rows = np.flatnonzero(product != "none")
    redness = rng.random(n) < mix.redness_checkin_share
    checkin_rows = np.flatnonzero(redness)

    tables = {
        "treatments": pa.table(
            {
                "treatment_id": treatment_id,
                "clinic_id": pa.array(clinic.astype(np.int64)),
                "patient_id": pa.array(patient.astype(np.int64)),
                "practitioner_id": _text(
                    practitioner - 1, [str(i) for i in range(1, practitioner_count + 1)]
                ),
                "performed_on": pa.array(performed_on.astype("datetime64[D]")),
                "month": _text(month_index, month_names),
                "fitzpatrick": pa.array(fitzpatrick),
                "device": pa.array(device),
                "device_id": _text(device_code, models),
                "depth_mm": pa.array(max_depth),
                "depth_band": pa.array(depth_bands(knowledge, max_depth)),
                "needle_lot": _text(needle_code, needle_names),
                "birth_year": pa.array(patient_birth_year[p_index].astype(np.int32)),
            }
        ),
        "treatment_areas": pa.table(
            {
                "treatment_id": treatment_id[area_rows],
                "area": _text(area_cols, area_codes),
                "depth_mm": pa.array(area_depth[area_rows, area_cols]),
            }
        ),
        "treatment_products": pa.table(
            {
                "treatment_id": treatment_id[product_rows],
                "product": pa.array(product[product_rows]),
                "lot": _text(lot_code[product_rows], lot_names),
            }
        ),
        "adverse_events": pa.table(
            {
                "event_id": np.arange(1, len(event_rows) + 1, dtype=np.int64),
                "treatment_id": treatment_id[event_rows],
                "complication": _text(
                    np.concatenate(event_parts["complication"])[order_events], complications
                ),
                "onset_days": pa.array(
                    np.concatenate(event_parts["onset"])[order_events].astype(np.int32)
                ),
                "ctcae_grade": pa.array(event_grade.astype(np.int32)),
                "serious": pa.array(event_grade >= 3),
            }
        ),
        "checkins": pa.table(
            {
                "treatment_id": treatment_id[checkin_rows],
                "day": pa.array(np.ones(len(checkin_rows), dtype=np.int32)),
                "symptom": pa.array(np.full(len(checkin_rows), "redness")),
                "disposition": pa.array(np.full(len(checkin_rows), SELF_CARE)),
            }
        ),
    }
    practitioners = [
        {"number": i + 1, "clinic": int(practitioner_clinic[i])} for i in range(practitioner_count)
    ]
    return DemoData(tables=tables, planted=planted, seed=seed, practitioners=practitioners)
