"""The registry's tables: one Parquet file each, the same columns from the demo generator,
from a clinic's database and in the registry export.

treatments          treatment_id, clinic_id, patient_id, practitioner_id (text), performed_on,
                    month (YYYY-MM), fitzpatrick, device (kind), device_id (make and model),
                    depth_mm (deepest area), depth_band (aftercare.yaml's bands), needle_lot,
                    birth_year
treatment_areas     treatment_id, area, depth_mm
treatment_products  treatment_id, product, lot
adverse_events      event_id, treatment_id, complication, onset_days, ctcae_grade, serious
checkins            treatment_id, day, symptom, disposition

Month and depth band are stored, not computed in SQL, so the one SQL text runs unchanged on
DuckDB and on Spark (their date functions differ).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from needlesafe.knowledge.base import Knowledge

TABLES = ("treatments", "treatment_areas", "treatment_products", "adverse_events", "checkins")
REQUIRED = ("treatments", "treatment_areas", "treatment_products", "adverse_events")
PLANTED_FILE = "planted.json"


def month_of(days: np.ndarray) -> list[str]:
    """YYYY-MM of each date (numpy datetime64)."""
    return [str(m) for m in np.asarray(days).astype("datetime64[M]")]


def depth_bands(knowledge: Knowledge, depth_mm: np.ndarray) -> np.ndarray:
    """The aftercare plan's depth band of each depth: superficial, medium or deep."""
    if knowledge.aftercare is None:
        raise ValueError("the knowledge base has no aftercare.yaml (its depth bands)")
    bands = knowledge.aftercare.depth_bands
    depth = np.asarray(depth_mm, dtype=float)
    return np.where(
        depth <= bands.superficial.up_to_mm,
        "superficial",
        np.where(depth <= bands.medium.up_to_mm, "medium", "deep"),
    )


def write_tables(tables: dict[str, pa.Table], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = directory / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        written.append(path)
    return written


def write_planted(planted: list[dict[str, Any]], directory: Path) -> Path:
    path = directory / PLANTED_FILE
    path.write_text(json.dumps(planted, indent=2) + "\n", encoding="utf-8")
    return path


def missing_tables(directory: Path) -> list[str]:
    """The required tables a folder lacks (empty when it can be reported on). A table is a
    Parquet file or a folder of them (a registry pools clinics' exports that way)."""
    return [n for n in REQUIRED if not (directory / f"{n}.parquet").exists()]
