"""One SQL text, two engines: DuckDB on one machine (over Arrow tables or Parquet files) and
Apache Spark for a registry that outgrows one machine.

The queries use only what both engines read the same way: SELECT, JOIN, GROUP BY, UNION ALL,
COUNT(*), SUM, string literals. No exact COUNT(DISTINCT) (slow on Spark) and no date
functions (the month is a stored column). Each query returns counts the report turns into
rates and signals in Python, so the statistics are computed once, whatever the engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from needlesafe.surveillance.tables import REQUIRED, TABLES

# the strata rates are reported by: (dimension, column of `treatments`)
TREATMENT_DIMENSIONS = (
    ("fitzpatrick", "fitzpatrick"),
    ("depth_band", "depth_band"),
    ("device_kind", "device"),
    ("device", "device_id"),
    ("practitioner", "practitioner_id"),
    ("needle_lot", "needle_lot"),
    ("month", "month"),
)
# the entities monitored over time, with the table and column that name them
MONITORED = (
    ("practitioner", "practitioner_id"),
    ("device", "device_id"),
)

EVENTS = """ev AS (
  SELECT treatment_id, complication FROM adverse_events GROUP BY treatment_id, complication
)"""


def _union(parts: list[str]) -> str:
    return "\nUNION ALL\n".join(parts)


def strata_counts_sql() -> str:
    """Treatments per stratum value (the denominators)."""
    parts = ["SELECT 'all' AS dimension, 'all' AS value, COUNT(*) AS treatments FROM treatments"]
    parts += [
        f"SELECT '{name}' AS dimension, {column} AS value, COUNT(*) AS treatments "
        f"FROM treatments GROUP BY {column}"
        for name, column in TREATMENT_DIMENSIONS
    ]
    parts.append(
        "SELECT 'area' AS dimension, area AS value, COUNT(*) AS treatments "
        "FROM treatment_areas GROUP BY area"
    )
    parts.append(
        "SELECT 'product' AS dimension, product AS value, COUNT(*) AS treatments "
        "FROM treatment_products GROUP BY product"
    )
    parts.append(
        "SELECT 'lot' AS dimension, lot AS value, COUNT(*) AS treatments "
        "FROM treatment_products GROUP BY lot"
    )
    return _union(parts)


def strata_cases_sql() -> str:
    """Treatments with at least one event of a complication, per stratum value."""
    columns = ", ".join(f"t.{column}" for _, column in TREATMENT_DIMENSIONS)
    parts = [
        "SELECT 'all' AS dimension, 'all' AS value, complication, COUNT(*) AS cases "
        "FROM et GROUP BY complication"
    ]
    parts += [
        f"SELECT '{name}' AS dimension, {column} AS value, complication, COUNT(*) AS cases "
        f"FROM et GROUP BY {column}, complication"
        for name, column in TREATMENT_DIMENSIONS
    ]
    parts.append(
        "SELECT 'area' AS dimension, a.area AS value, ev.complication, COUNT(*) AS cases "
        "FROM ev JOIN treatment_areas a ON a.treatment_id = ev.treatment_id "
        "GROUP BY a.area, ev.complication"
    )
    for name in ("product", "lot"):
        parts.append(
            f"SELECT '{name}' AS dimension, {name} AS value, complication, "
            f"CAST(SUM(cases) AS BIGINT) AS cases "
            f"FROM ep GROUP BY {name}, complication"
        )
    return (
        f"WITH {EVENTS},\net AS (\n  SELECT ev.complication, {columns} FROM ev "
        f"JOIN treatments t ON t.treatment_id = ev.treatment_id\n),\n"
        # the events joined with the products once, for both the product and the lot
        f"ep AS (\n  SELECT p.product, p.lot, ev.complication, COUNT(*) AS cases FROM ev "
        f"JOIN treatment_products p ON p.treatment_id = ev.treatment_id "
        f"GROUP BY p.product, p.lot, ev.complication\n)\n" + _union(parts)
    )


# the strata the monitoring adjusts for: a practitioner who treats darker skin deeper is
# compared with what others have in the same skin type and depth band
RISK_COLUMNS = ("fitzpatrick", "depth_band")


def monitoring_exposure_sql() -> str:
    """Treatments per monitored entity, month and risk stratum. A lot is compared with the
    other lots of its product (`product` names it; 'all' for the rest, whose totals are the
    sums over every practitioner, a missing one included: one scan fewer)."""
    risk = ", ".join(RISK_COLUMNS)
    parts = [
        f"SELECT '{name}' AS dimension, {column} AS value, 'all' AS product, month, {risk}, "
        f"COUNT(*) AS treatments FROM treatments GROUP BY {column}, month, {risk}"
        for name, column in MONITORED
    ]
    risk_t = ", ".join(f"t.{c}" for c in RISK_COLUMNS)
    # a product's totals are the sums of its lots' rows (one join, not two)
    parts.append(
        f"SELECT 'lot' AS dimension, p.lot AS value, p.product AS product, t.month, "
        f"{risk_t}, COUNT(*) AS treatments FROM treatment_products p "
        f"JOIN treatments t ON t.treatment_id = p.treatment_id "
        f"GROUP BY p.lot, p.product, t.month, {risk_t}"
    )
    return _union(parts)


def monitoring_cases_sql() -> str:
    """Cases per monitored entity, month (of the treatment), risk stratum and complication."""
    risk = ", ".join(RISK_COLUMNS)
    risk_t = ", ".join(f"t.{c}" for c in RISK_COLUMNS)
    parts = [
        f"SELECT '{name}' AS dimension, {column} AS value, 'all' AS product, month, {risk}, "
        f"complication, COUNT(*) AS cases FROM et GROUP BY {column}, month, {risk}, complication"
        for name, column in MONITORED
    ]
    risk_et = ", ".join(f"et.{c}" for c in RISK_COLUMNS)
    parts.append(
        f"SELECT 'lot' AS dimension, p.lot AS value, p.product AS product, et.month, "
        f"{risk_et}, et.complication, COUNT(*) AS cases FROM et "
        f"JOIN treatment_products p ON p.treatment_id = et.treatment_id "
        f"GROUP BY p.lot, p.product, et.month, {risk_et}, et.complication"
    )
    columns = ", ".join(f"t.{column}" for _, column in MONITORED)
    return (
        f"WITH {EVENTS},\net AS (\n  SELECT ev.treatment_id, ev.complication, t.month, {risk_t}, "
        f"{columns} FROM ev JOIN treatments t ON t.treatment_id = ev.treatment_id\n)\n"
        + _union(parts)
    )


def onset_sql() -> str:
    """Events per complication and day of onset (the report takes quantiles from these)."""
    return (
        "SELECT complication, onset_days, COUNT(*) AS events FROM adverse_events "
        "GROUP BY complication, onset_days"
    )


def queries() -> dict[str, str]:
    return {
        "strata_counts": strata_counts_sql(),
        "strata_cases": strata_cases_sql(),
        "monitoring_exposure": monitoring_exposure_sql(),
        "monitoring_cases": monitoring_cases_sql(),
        "onset": onset_sql(),
    }


# ---------------------------------------------------------------- engines


class Engine(Protocol):
    name: str

    def run(self, sql: str) -> pa.Table: ...


@dataclass
class Results:
    """Each query's result, and how long each engine step took (seconds)."""

    tables: dict[str, pa.Table]
    engine: str
    timings: dict[str, float] = field(default_factory=dict)


def run_all(engine: Engine) -> Results:
    results = Results(tables={}, engine=engine.name)
    for name, sql in queries().items():
        started = time.perf_counter()
        results.tables[name] = engine.run(sql)
        results.timings[name] = time.perf_counter() - started
    return results


class DuckDBEngine:
    """DuckDB over Arrow tables in memory or Parquet files; never loads an extension (they
    would be downloaded at run time)."""

    name = "duckdb"

    def __init__(self, *, tables: dict[str, pa.Table] | None = None, folder: Path | None = None):
        import duckdb

        self._con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        )
        if tables is not None:
            for name in TABLES:
                if name in tables:
                    self._con.register(name, tables[name])
        elif folder is not None:
            for name in TABLES:
                path = folder / f"{name}.parquet"
                if path.exists():
                    # a folder of Parquet files (one per clinic) is read as one table
                    source = path / "*.parquet" if path.is_dir() else path
                    quoted = str(source).replace("'", "''")
                    self._con.execute(
                        f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{quoted}')"
                    )
        else:
            raise ValueError("give the tables or the folder of Parquet files")

    def run(self, sql: str) -> pa.Table:
        result: pa.Table = self._con.sql(sql).to_arrow_table()
        return result

    def close(self) -> None:
        self._con.close()


class SparkEngine:
    """Apache Spark over the Parquet files (`master`: local[2] on one machine, or a cluster's
    spark:// URL with the files on storage every worker reads)."""

    name = "spark"

    def __init__(self, *, folder: str, master: str = "local[2]", session: Any = None):
        if session is None:
            session = spark_session(master)
        self._spark = session
        for name in REQUIRED:
            session.read.parquet(f"{folder.rstrip('/')}/{name}.parquet").createOrReplaceTempView(
                name
            )

    def run(self, sql: str) -> pa.Table:
        result: pa.Table = self._spark.sql(sql).toArrow()
        return result


def spark_session(master: str = "local[2]") -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("needlesafe-surveillance")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


@contextmanager
def duckdb_engine(
    *, tables: dict[str, pa.Table] | None = None, folder: Path | None = None
) -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(tables=tables, folder=folder)
    try:
        yield engine
    finally:
        engine.close()
