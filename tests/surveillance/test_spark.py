"""One SQL, two engines: Spark (local[2]) gives the same numbers as DuckDB on the same
Parquet files, and so the same report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.surveillance.queries import DuckDBEngine, SparkEngine, run_all, spark_session
from needlesafe.surveillance.synthetic import generate
from needlesafe.surveillance.tables import write_tables

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    session = spark_session("local[2]")
    yield session
    session.stop()


def _sorted_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    rows = [tuple(r.values()) for r in table.to_pylist()]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def test_spark_and_duckdb_give_identical_numbers_and_reports(
    spark: Any, knowledge: Knowledge, tmp_path: Path, make_report: Any
) -> None:
    data = generate(knowledge, treatments=20_000, seed=21)
    write_tables(data.tables, tmp_path)
    duck = DuckDBEngine(folder=tmp_path)
    try:
        from_duckdb = run_all(duck)
    finally:
        duck.close()
    from_spark = run_all(SparkEngine(folder=str(tmp_path), session=spark))
    for name, table in from_duckdb.tables.items():
        other = from_spark.tables[name]
        assert table.column_names == other.column_names, name
        assert table.num_rows == other.num_rows > 0, name
        assert _sorted_rows(table) == _sorted_rows(other), name
    duck_report = make_report(from_duckdb, knowledge).data
    spark_report = make_report(from_spark, knowledge).data
    for part in ("rates", "signals", "onset", "screening", "monitoring"):
        assert duck_report[part] == spark_report[part], part
    assert {s["dimension"] for s in spark_report["signals"]} == {"lot", "practitioner", "device"}
