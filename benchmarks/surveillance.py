"""Surveillance benchmark: the report's SQL over a registry in Parquet (DuckDB), the same
aggregation in pandas and in Spark local, and the report over a clinic database.

    .venv/bin/python benchmarks/surveillance.py [--treatments 10000000] [--db-treatments 1000000]
        [--data /tmp/needlesafe-bench] [--repeats 3] [--no-spark] [--no-db]

One run, side by side on the same Parquet files (drawn once by the demo generator, seeded,
kept in --data for the next run):

- duckdb:  every query of the report (`surveillance.queries`) over the Parquet files, in a
           fresh process (its peak memory is that process's), median of the repeats; then the
           whole report (statistics and monitoring included) once
- pandas:  the headline aggregation (treatments per stratum, and treatments with each
           complication per stratum, for the seven treatment strata), read from the same
           Parquet; DuckDB's time for the same two queries alongside
- spark:   the same two queries on Spark local[2]: session start, first (cold) and warm runs
- database: --db-treatments loaded as clinic records into a SQLite file (not timed: a one-off
           load), then the report over it: read through SQLAlchemy into Arrow + the queries
           + the statistics

Targets (issue 14): DuckDB under 10 s and 4 GB for 10 million treatments; the database report
under 30 s for 1 million. Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_parquet(folder: Path, treatments: int, seed: int) -> float:
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.surveillance.synthetic import generate
    from needlesafe.surveillance.tables import write_planted, write_tables

    marker = folder / "made.json"
    if marker.is_file() and json.loads(marker.read_text()) == {"n": treatments, "seed": seed}:
        return 0.0
    started = time.perf_counter()
    data = generate(default_knowledge(), treatments=treatments, seed=seed)
    write_tables(data.tables, folder)
    write_planted(data.planted, folder)
    marker.write_text(json.dumps({"n": treatments, "seed": seed}))
    return time.perf_counter() - started


def headline_sql() -> dict[str, str]:
    from needlesafe.surveillance.queries import strata_cases_sql, strata_counts_sql

    return {"strata_counts": strata_counts_sql(), "strata_cases": strata_cases_sql()}


def measure_duckdb(folder: Path, repeats: int) -> dict[str, Any]:
    """In a process of its own: the queries' time and that process's peak memory."""
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.surveillance.queries import DuckDBEngine, run_all
    from needlesafe.surveillance.report import build_report

    knowledge = default_knowledge()
    engine = DuckDBEngine(folder=folder)
    times, headline = [], []
    results = None
    for _ in range(repeats):
        started = time.perf_counter()
        results = run_all(engine)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        for sql in headline_sql().values():
            engine.run(sql)
        headline.append(time.perf_counter() - started)
    assert results is not None and knowledge.surveillance is not None
    started = time.perf_counter()
    report = build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )
    statistics_s = time.perf_counter() - started
    return {
        "queries_s": statistics.median(times),
        "headline_s": statistics.median(headline),
        "statistics_s": statistics_s,
        "peak_mb": _peak_mb(),
        "signals": [
            (s["dimension"], s.get("lot") or s.get("practitioner_id") or s.get("device_id"))
            for s in report.signals
        ],
    }


def measure_pandas(folder: Path, repeats: int) -> dict[str, Any]:
    import pandas as pd

    from needlesafe.surveillance.queries import TREATMENT_DIMENSIONS

    columns = ["treatment_id"] + [c for _, c in TREATMENT_DIMENSIONS]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        t = pd.read_parquet(folder / "treatments.parquet", columns=columns)
        e = pd.read_parquet(
            folder / "adverse_events.parquet", columns=["treatment_id", "complication"]
        )
        ev = e.drop_duplicates()
        et = ev.merge(t, on="treatment_id")
        for _, column in TREATMENT_DIMENSIONS:
            t.groupby(column, observed=True).size()
            et.groupby([column, "complication"], observed=True).size()
        times.append(time.perf_counter() - started)
    return {"headline_s": statistics.median(times), "peak_mb": _peak_mb()}


def measure_spark(folder: Path, repeats: int) -> dict[str, Any]:
    from needlesafe.surveillance.queries import SparkEngine, spark_session

    started = time.perf_counter()
    session = spark_session("local[2]")
    start_s = time.perf_counter() - started
    engine = SparkEngine(folder=str(folder), session=session)
    runs = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        for sql in headline_sql().values():
            engine.run(sql)
        runs.append(time.perf_counter() - started)
    session.stop()
    return {"start_s": start_s, "cold_s": runs[0], "warm_s": statistics.median(runs[1:])}


def load_database(path: Path, treatments: int, seed: int) -> float:
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services.surveillance import load_demo
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork
    from needlesafe.surveillance.synthetic import generate

    if path.is_file():
        return 0.0
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    knowledge = default_knowledge()
    data = generate(knowledge, treatments=treatments, seed=seed)
    load_demo(UnitOfWork(make_session_factory(engine)), knowledge=knowledge, data=data)
    return time.perf_counter() - started


def measure_database(path: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services.context import Actor
    from needlesafe.services.surveillance import clinic_tables
    from needlesafe.store import models as m
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork
    from needlesafe.surveillance.queries import duckdb_engine, run_all
    from needlesafe.surveillance.report import build_report

    knowledge = default_knowledge()
    uow = UnitOfWork(make_session_factory(make_engine(f"sqlite:///{path}")))
    with uow:
        clinics = list(uow.session.scalars(select(m.Clinic.id)).all())
    actor = Actor(user_id=None, clinic_id=clinics[0], role="cli", kind="cli")
    started = time.perf_counter()
    tables = clinic_tables(uow, actor=actor, knowledge=knowledge, clinic_ids=clinics)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    with duckdb_engine(tables=tables) as duck:
        results = run_all(duck)
    queries_s = time.perf_counter() - started
    assert knowledge.surveillance is not None
    started = time.perf_counter()
    build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )
    statistics_s = time.perf_counter() - started
    return {
        "treatments": tables["treatments"].num_rows,
        "read_s": read_s,
        "queries_s": queries_s,
        "statistics_s": statistics_s,
        "peak_mb": _peak_mb(),
    }


def _in_process(stage: str, *args: str) -> dict[str, Any]:
    """Run one stage in a fresh interpreter so its memory is its own."""
    out = subprocess.run(
        [sys.executable, str(HERE), "--stage", stage, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{stage}: {json.dumps(result)}", file=sys.stderr, flush=True)  # as each stage ends
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--treatments", type=int, default=10_000_000)
    parser.add_argument("--db-treatments", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/needlesafe-bench"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-db", action="store_true")
    parser.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        stages = {
            "duckdb": lambda: measure_duckdb(args.folder, args.repeats),
            "pandas": lambda: measure_pandas(args.folder, args.repeats),
            "spark": lambda: measure_spark(args.folder, args.repeats),
            "database": lambda: measure_database(args.folder),
        }
        print(json.dumps(stages[args.stage]()))
        return

    folder = args.data / f"parquet-{args.treatments}"
    folder.mkdir(parents=True, exist_ok=True)
    made = make_parquet(folder, args.treatments, args.seed)
    common = ["--folder", str(folder), "--repeats", str(args.repeats)]
    duck = _in_process("duckdb", *common)
    pandas = _in_process("pandas", *common)
    spark = None if args.no_spark else _in_process("spark", *common)
    database = None
    loaded = 0.0
    if not args.no_db:
        db_path = args.data / f"clinic-{args.db_treatments}.db"
        loaded = load_database(db_path, args.db_treatments, args.seed)
        database = _in_process("database", "--folder", str(db_path))

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if made:
        print(f"drawn and written {args.treatments:,} treatments to Parquet in {made:.1f} s")
    if loaded:
        print(f"loaded {args.db_treatments:,} treatments as clinic records in {loaded:.0f} s")
    print()
    print("| what | treatments | time | peak memory |")
    print("| --- | ---: | ---: | ---: |")
    n = f"{args.treatments:,}"
    print(f"| DuckDB, every query of the report (Parquet) | {n} | {duck['queries_s']:.2f} s "
          f"| {duck['peak_mb']:,.0f} MB |")  # fmt: skip
    print(f"| statistics and monitoring on those counts | {n} | {duck['statistics_s']:.2f} s | |")
    print(f"| headline aggregation: DuckDB | {n} | {duck['headline_s']:.2f} s | |")
    ratio = pandas["headline_s"] / duck["headline_s"]
    print(f"| headline aggregation: pandas | {n} | {pandas['headline_s']:.2f} s ({ratio:.1f}x) "
          f"| {pandas['peak_mb']:,.0f} MB |")  # fmt: skip
    if spark:
        ratio = spark["warm_s"] / duck["headline_s"]
        cold = f"cold {spark['cold_s']:.1f} s, start {spark['start_s']:.1f} s"
        print(f"| headline aggregation: Spark local[2], warm | {n} | {spark['warm_s']:.2f} s "
              f"({ratio:.1f}x; {cold}) | |")  # fmt: skip
    if database:
        total = database["read_s"] + database["queries_s"] + database["statistics_s"]
        print(f"| database report (SQLite -> Arrow -> DuckDB + statistics) "
              f"| {database['treatments']:,} | {total:.1f} s (read {database['read_s']:.1f}, "
              f"queries {database['queries_s']:.1f}, statistics {database['statistics_s']:.1f}) "
              f"| {database['peak_mb']:,.0f} MB |")  # fmt: skip
    print()
    print(f"signals found (DuckDB): {duck['signals']}")


if __name__ == "__main__":
    main()
