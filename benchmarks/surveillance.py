"""Surveillance benchmark: the whole report over a registry in Parquet (DuckDB), the same
aggregation in pandas and in Spark local, and the report over a clinic database.

    .venv/bin/python benchmarks/surveillance.py [--treatments 10000000] [--db-treatments 1000000]
        [--data /tmp/needlesafe-bench] [--repeats 3] [--no-spark] [--no-db] [--db-url URL]

One run, side by side on the same Parquet files (drawn once by the demo generator, seeded,
kept in --data for the next run). Every stage runs in a fresh process, timed from outside:
wall time, CPU time (user + system, every thread) and peak memory of that process alone
(os.wait4). The machine these figures come from is shared: other work steals CPU, so the
wall times vary from run to run (medians are reported, with the load average around them);
the CPU time varies much less and says what the work itself costs.

- report:   `needlesafe report PARQUET --out DIR --json`, the command a registry runs
            (interpreter start, the queries, statistics and monitoring, report.json, the
            CSVs and every plot as PNG and SVG), median of the repeats
- duckdb:   the report's queries alone, and the statistics alone, in one process; the
            headline aggregation (treatments per stratum, and treatments with each
            complication per stratum, for the seven treatment strata) alone
- pandas:   the same headline aggregation in pandas, read from the same Parquet
- spark:    the same headline aggregation on Spark local[2] (session start, first and warm
            runs), and every query of the report, warm
- database: --db-treatments drawn and loaded as clinic records into a SQLite file (or the
            database at --db-url; loaded once, timed), then the report over every clinic's
            records: read through SQLAlchemy into Arrow, the queries, the statistics, and the
            report written with its plots, median of the repeats

Targets (issue 14): the report over 10 million treatments in Parquet under 10 s and 4 GB with
DuckDB; over 1 million in the database under 30 s. Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
CLI = Path(sys.executable).parent / "needlesafe"


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


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- stages (each in a child)


def stage_duckdb(folder: Path, repeats: int) -> dict[str, Any]:
    """The report's queries, the statistics, and the headline aggregation, each timed alone."""
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.surveillance.queries import DuckDBEngine, run_all
    from needlesafe.surveillance.report import build_report

    knowledge = default_knowledge()
    assert knowledge.surveillance is not None
    engine = DuckDBEngine(folder=folder)
    queries, queries_cpu, headline, stats, stats_cpu = [], [], [], [], []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), _cpu()
        results = run_all(engine)
        queries.append(time.perf_counter() - started)
        queries_cpu.append(_cpu() - cpu)
        started, cpu = time.perf_counter(), _cpu()
        build_report(
            results,
            thresholds=knowledge.surveillance.signals,
            complications=list(knowledge.complications),
            knowledge_version=knowledge.version,
        )
        stats.append(time.perf_counter() - started)
        stats_cpu.append(_cpu() - cpu)
        started = time.perf_counter()
        for sql in headline_sql().values():
            engine.run(sql)
        headline.append(time.perf_counter() - started)
    return {
        "queries_s": statistics.median(queries),
        "queries_cpu_s": statistics.median(queries_cpu),
        "statistics_first_s": stats[0],  # critical values computed (then cached in-process)
        "statistics_first_cpu_s": stats_cpu[0],
        "headline_s": statistics.median(headline),
    }


def stage_pandas(folder: Path, repeats: int) -> dict[str, Any]:
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
    return {"headline_s": statistics.median(times)}


def stage_spark(folder: Path, repeats: int) -> dict[str, Any]:
    from needlesafe.surveillance.queries import SparkEngine, run_all, spark_session

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
    started = time.perf_counter()
    run_all(engine)
    queries_s = time.perf_counter() - started
    session.stop()
    return {
        "start_s": start_s,
        "cold_s": runs[0],
        "warm_s": statistics.median(runs[1:]),
        "queries_warm_s": queries_s,
    }


def stage_database(url: str, out: Path) -> dict[str, Any]:
    """What `needlesafe report database` does, over every clinic of the database: read the
    records into Arrow, the queries, the statistics, the report written with its plots."""
    from sqlalchemy import select

    from needlesafe.cli.surveillance import write_report
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services.context import Actor
    from needlesafe.services.surveillance import clinic_tables
    from needlesafe.store import models as m
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork
    from needlesafe.surveillance.queries import duckdb_engine, run_all
    from needlesafe.surveillance.report import build_report

    knowledge = default_knowledge()
    assert knowledge.surveillance is not None
    uow = UnitOfWork(make_session_factory(make_engine(url)))
    with uow:
        clinics = list(uow.session.scalars(select(m.Clinic.id)).all())
    actor = Actor(user_id=None, clinic_id=clinics[0], role="cli", kind="cli")
    timings = {}
    started = time.perf_counter()
    tables = clinic_tables(uow, actor=actor, knowledge=knowledge, clinic_ids=clinics)
    timings["read_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with duckdb_engine(tables=tables) as duck:
        results = run_all(duck)
    timings["queries_s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )
    timings["statistics_s"] = time.perf_counter() - started
    started = time.perf_counter()
    write_report(report, out)
    timings["write_s"] = time.perf_counter() - started
    return {"treatments": tables["treatments"].num_rows, **timings, "signals": _who(report.signals)}


def stage_load(url: str, treatments: int, seed: int) -> dict[str, Any]:
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services.surveillance import load_demo
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork
    from needlesafe.surveillance.synthetic import generate

    engine = make_engine(url)
    migrate.upgrade(engine)
    knowledge = default_knowledge()
    data = generate(knowledge, treatments=treatments, seed=seed)
    load_demo(UnitOfWork(make_session_factory(engine)), knowledge=knowledge, data=data)
    return {"treatments": treatments}


def stage_migrate(url: str) -> dict[str, Any]:
    """A database loaded by an older version gets the current schema before it is read."""
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine

    migrate.upgrade(make_engine(url))
    return {}


def _who(signals: list[dict[str, Any]]) -> list[str]:
    return [
        f"{s['dimension']} {s.get('lot') or s.get('practitioner_id') or s.get('device_id')}: "
        f"{s['complication']} from {s['alarm_month']}"
        for s in signals
    ]


# ---------------------------------------------------------------- the parent


def _child(command: list[str]) -> dict[str, Any]:
    """Run a command in a child process: its wall time, CPU time and peak memory (its own,
    from wait4), the load average before it, and its last line of output as JSON."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors[-3000:]}")
    lines = text.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return {
        **result,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "load": load_before,
    }


def _stage(stage: str, *args: str) -> dict[str, Any]:
    result = _child([sys.executable, str(HERE), "--stage", stage, *args])
    print(f"{stage}: {json.dumps(result)}", file=sys.stderr, flush=True)  # as each stage ends
    return result


def _repeat(repeats: int, run: Any) -> dict[str, Any]:
    """The median wall and CPU time of `repeats` runs, the range of wall times, the highest
    peak memory and the load averages seen."""
    runs = [run() for _ in range(repeats)]
    walls = [r["wall_s"] for r in runs]
    return {
        **runs[-1],
        "wall_s": statistics.median(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "loads": [round(r["load"], 1) for r in runs],
    }


def _report_once(folder: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        result = _child([str(CLI), "report", str(folder), "--out", out, "--json"])
    print(f"report: {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU", file=sys.stderr)
    return {
        "wall_s": result["wall_s"],
        "cpu_s": result["cpu_s"],
        "peak_mb": result["peak_mb"],
        "load": result["load"],
        "signals": _who(result["signals"]),
    }


def _database_once(url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        return _stage("database", "--url", url, "--folder", out)


def _has_demo(url: str) -> bool:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if "treatments" not in inspect(connection).get_table_names():
                return False
            return bool(connection.execute(text("SELECT COUNT(*) FROM treatments")).scalar())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--treatments", type=int, default=10_000_000)
    parser.add_argument("--db-treatments", type=int, default=1_000_000)
    parser.add_argument("--db-url", default=None, help="a database to load and read instead")
    parser.add_argument("--data", type=Path, default=Path("/tmp/needlesafe-bench"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-db", action="store_true")
    parser.add_argument("--no-parquet", action="store_true", help="the database stages only")
    parser.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        stages = {
            "duckdb": lambda: stage_duckdb(args.folder, args.repeats),
            "pandas": lambda: stage_pandas(args.folder, args.repeats),
            "spark": lambda: stage_spark(args.folder, args.repeats),
            "database": lambda: stage_database(args.url, args.folder),
            "load": lambda: stage_load(args.url, args.treatments, args.seed),
            "migrate": lambda: stage_migrate(args.url),
        }
        print(json.dumps(stages[args.stage]()))
        return

    rows: list[str] = []
    n = f"{args.treatments:,}"
    made = 0.0
    spark = None
    if not args.no_parquet:
        folder = args.data / f"parquet-{args.treatments}"
        folder.mkdir(parents=True, exist_ok=True)
        made = make_parquet(folder, args.treatments, args.seed)
        common = ["--folder", str(folder), "--repeats", str(args.repeats)]
        report = _repeat(args.repeats, lambda: _report_once(folder))
        duck = _stage("duckdb", *common)
        pandas = _stage("pandas", *common)
        spark = None if args.no_spark else _stage("spark", *common)
        rows.append(
            f"| `needlesafe report` over Parquet, the whole command (DuckDB; plots included) "
            f"| {n} | {report['wall_s']:.1f} s ({report['wall_min_s']:.1f} to "
            f"{report['wall_max_s']:.1f}) | {report['cpu_s']:.1f} s | "
            f"{report['peak_mb']:,.0f} MB |"
        )
        rows.append(
            f"| of which the report's queries (DuckDB) | {n} | {duck['queries_s']:.1f} s | "
            f"{duck['queries_cpu_s']:.1f} s | |"
        )
        rows.append(
            f"| of which statistics and monitoring (critical values computed) | {n} | "
            f"{duck['statistics_first_s']:.1f} s | {duck['statistics_first_cpu_s']:.1f} s | |"
        )
        rows.append(f"| headline aggregation: DuckDB | {n} | {duck['headline_s']:.2f} s | | |")
        ratio = pandas["headline_s"] / duck["headline_s"]
        rows.append(
            f"| headline aggregation: pandas | {n} | {pandas['headline_s']:.2f} s "
            f"({ratio:.1f}x DuckDB) | | {pandas['peak_mb']:,.0f} MB |"
        )
        if spark:
            ratio = spark["warm_s"] / duck["headline_s"]
            rows.append(
                f"| headline aggregation: Spark local[2], warm | {n} | {spark['warm_s']:.2f} s "
                f"({ratio:.1f}x DuckDB; first run {spark['cold_s']:.1f} s, session start "
                f"{spark['start_s']:.1f} s) | | |"
            )
            ratio = spark["queries_warm_s"] / duck["queries_s"]
            rows.append(
                f"| every query of the report: Spark local[2], warm | {n} | "
                f"{spark['queries_warm_s']:.1f} s ({ratio:.1f}x DuckDB) | | |"
            )
        print(f"signals (report over Parquet): {report['signals']}", file=sys.stderr)

    loaded = None
    if not args.no_db:
        url = args.db_url or f"sqlite:///{args.data / f'clinic-{args.db_treatments}.db'}"
        if not _has_demo(url):
            loaded = _stage("load", "--url", url, "--treatments", str(args.db_treatments))
        _stage("migrate", "--url", url)
        database = _repeat(args.repeats, lambda: _database_once(url))
        kind = url.split(":", 1)[0].split("+", 1)[0]
        rows.append(
            f"| report over a clinic database ({kind}: read into Arrow "
            f"{database['read_s']:.1f} s, queries {database['queries_s']:.1f} s, statistics "
            f"{database['statistics_s']:.1f} s, report and plots written "
            f"{database['write_s']:.1f} s) | {database['treatments']:,} | "
            f"{database['wall_s']:.1f} s ({database['wall_min_s']:.1f} to "
            f"{database['wall_max_s']:.1f}) | {database['cpu_s']:.1f} s | "
            f"{database['peak_mb']:,.0f} MB |"
        )
        print(f"signals (database): {database['signals']}", file=sys.stderr)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average now {os.getloadavg()[0]:.1f}"
    )
    if made:
        print(f"drawn and written {n} treatments to Parquet in {made:.1f} s")
    if loaded:
        print(
            f"loaded {args.db_treatments:,} treatments as clinic records in "
            f"{loaded['wall_s']:.0f} s ({loaded['cpu_s']:.0f} s CPU)"
        )
    print()
    print("| what | treatments | wall (median; range) | CPU | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
