"""`needlesafe demo-data`, `needlesafe report` and `needlesafe export registry`: safety
surveillance from one clinic to a national registry."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from needlesafe.cli.admin import DatabaseUrl, _run, settings_or_exit, unit_of_work
from needlesafe.cli.common import fail, knowledge_or_exit
from needlesafe.cli.export import export_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import surveillance as service
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork
from needlesafe.surveillance import plots
from needlesafe.surveillance.queries import (
    DuckDBEngine,
    Results,
    SparkEngine,
    duckdb_engine,
    run_all,
)
from needlesafe.surveillance.report import Report, build_report
from needlesafe.surveillance.synthetic import PLANT_KINDS, generate
from needlesafe.surveillance.tables import missing_tables, write_planted, write_tables

MAX_TREATMENTS = 50_000_000
REGISTRY_KEY_PURPOSE = b"needlesafe registry pseudonyms v1"


def _plant(value: str) -> tuple[str, ...]:
    if value.strip().lower() == "none":
        return ()
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in PLANT_KINDS]
    if unknown or not kinds:
        fail(
            f"--plant: unknown signal kind {', '.join(unknown) or value!r}; use "
            f"{', '.join(PLANT_KINDS)} (comma-separated) or none"
        )
    return kinds


def demo_data(
    treatments: Annotated[int, typer.Option(help="how many treatments to make")] = 10_000,
    seed: Annotated[int, typer.Option(help="the same seed makes the same data")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="write Parquet files and planted.json to this folder")
    ] = None,
    database: Annotated[
        bool, typer.Option("--database", help="write clinic records into the database")
    ] = False,
    plant: Annotated[
        str, typer.Option(help="signals to plant: lot,practitioner,device or none")
    ] = ",".join(PLANT_KINDS),
    database_url: DatabaseUrl = None,
) -> None:
    """Make realistic synthetic registry data at the knowledge base's rates, with planted
    signals (a product lot with more granulomas, a practitioner with more scarring, a device
    with more infections from a month on); what was planted goes to planted.json."""
    if not 1 <= treatments <= MAX_TREATMENTS:
        fail(f"--treatments: give 1 to {MAX_TREATMENTS:,}")
    if not database and out is None:
        fail("--out: give a folder for the Parquet files, or --database")
    kinds = _plant(plant)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(f"--out: cannot make the folder {out} ({error.strerror})")
    knowledge = knowledge_or_exit()
    data = generate(knowledge, treatments=treatments, seed=seed, plant=kinds)
    planted = data.planted
    if database:
        uow = unit_of_work(settings_or_exit(database_url))
        planted = _run(lambda: service.load_demo(uow, knowledge=knowledge, data=data))
        typer.echo(
            f"database: {treatments:,} treatments in {len(data.practitioners)} practitioners' "
            f"records, {data.tables['adverse_events'].num_rows:,} adverse events"
        )
    if out is not None:
        if not database:
            write_tables(data.tables, out)
            typer.echo(
                f"{out}: {treatments:,} treatments, "
                f"{data.tables['adverse_events'].num_rows:,} adverse events (Parquet)"
            )
        write_planted(planted, out)
    if database and out is None:
        typer.echo(json.dumps(planted, indent=2))


def _results_from_source(
    source: str, engine: str, master: str, clinic: str | None, database_url: str | None
) -> tuple[Results, Knowledge]:
    knowledge = knowledge_or_exit()
    folder = Path(source)
    if source == "database":
        if engine != "duckdb":
            fail(
                "--engine: the database is read with duckdb; for Spark, export the records "
                "to Parquet first (needlesafe export registry)"
            )
        uow = unit_of_work(settings_or_exit(database_url))
        actor = _clinic_actor(uow, clinic)
        tables = _run(lambda: service.clinic_tables(uow, actor=actor, knowledge=knowledge))
        with duckdb_engine(tables=tables) as duck:
            return run_all(duck), knowledge
    if engine == "spark" and "://" in source:
        # shared storage a cluster reads (hdfs://, s3a://, file://): Spark checks it itself
        return run_all(SparkEngine(folder=source, master=master)), knowledge
    if not folder.is_dir():
        fail(f"SOURCE: {source} is not a folder of Parquet files (or `database`)")
    missing = missing_tables(folder)
    if missing:
        fail(f"SOURCE: {source} has no {', '.join(m + '.parquet' for m in missing)}")
    if engine == "spark":
        try:
            spark = SparkEngine(folder=str(folder.resolve()), master=master)
        except ImportError:
            fail("--engine: Spark needs pyspark (pip install 'needlesafe[spark]') and Java 17")
        return run_all(spark), knowledge
    duck = DuckDBEngine(folder=folder)
    try:
        return run_all(duck), knowledge
    finally:
        duck.close()


def _clinic_actor(uow: UnitOfWork, clinic: str | None) -> Actor:
    if not clinic:
        fail("--clinic: name the clinic whose records to read")
    with uow:
        found = uow.clinics.by_name(clinic)
        clinic_id = found.id if found else None
    if clinic_id is None:
        fail(f"--clinic: no clinic named {clinic!r}")
    return Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli")


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_report(report: Report, out: Path, *, with_plots: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = report.data
    paths = [out / "report.json", out / "rates.csv", out / "signals.csv"]
    paths[0].write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    _write_csv(paths[1], data["rates"], list(data["rates"][0]) if data["rates"] else ["dimension"])
    signal_columns = [
        "dimension", "lot", "practitioner_id", "device_id", "complication", "method",
        "alarm_month", "observed", "expected", "llr", "critical_value", "per_1000",
        "rate_ratio", "rate_ratio_low", "rate_ratio_high",
    ]  # fmt: skip
    _write_csv(paths[2], data["signals"], signal_columns)
    if with_plots:
        paths += plots.write_all(report, out)
    return paths


def report(
    source: Annotated[str, typer.Argument(help="a folder of Parquet files, or `database`")],
    out: Annotated[Path, typer.Option(help="folder for report.json, CSVs and plots")],
    engine: Annotated[str, typer.Option(help="duckdb (one machine) or spark")] = "duckdb",
    master: Annotated[
        str, typer.Option(help="Spark master: local[2], or a cluster's spark://host:7077")
    ] = "local[2]",
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
    with_plots: Annotated[
        bool, typer.Option("--plots/--no-plots", help="draw the charts (PNG and SVG)")
    ] = True,
    clinic: Annotated[
        str | None, typer.Option(help="with SOURCE `database`: the clinic's name")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Complication rates per 1,000 treatments with 95% intervals by stratum, rate ratios,
    time to onset, disproportionality screening and monitoring signals (maxSPRT)."""
    if engine not in ("duckdb", "spark"):
        fail(f"--engine: {engine!r} is not duckdb or spark")
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file, not a folder")
    results, knowledge = _results_from_source(source, engine, master, clinic, database_url)
    if results.tables["strata_counts"].num_rows == 0 or not any(
        r["treatments"] for r in results.tables["strata_counts"].to_pylist()
    ):
        fail(f"SOURCE: {source} has no treatments")
    assert knowledge.surveillance is not None  # knowledge_or_exit loaded every file
    built = build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )
    write_report(built, out, with_plots=with_plots)
    if as_json:
        summary = {k: v for k, v in built.data.items() if k != "monitoring_series"}
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    _print_summary(built, knowledge, out)


def _print_summary(built: Report, knowledge: Knowledge, out: Path) -> None:
    data = built.data
    period = data["period"] or {}
    typer.echo(
        f"{data['treatments']:,} treatments, {period.get('first_month')} to "
        f"{period.get('last_month')} ({data['engine']})"
    )
    typer.echo("complications per 1,000 treatments (95% interval):")
    for row in data["rates"]:
        if row["dimension"] == "all":
            label = knowledge.complications[row["complication"]].label
            typer.echo(
                f"  {label:<28} {row['per_1000']:>8.2f}  ({row['low_per_1000']:.2f} to "
                f"{row['high_per_1000']:.2f})  {row['cases']:,} cases"
            )
    if not data["signals"]:
        typer.echo("signals: none")
    else:
        typer.echo(f"signals ({len(data['signals'])}):")
    for signal in data["signals"]:
        who = signal.get("lot") or signal.get("practitioner_id") or signal.get("device_id")
        ratio = (
            f"rate ratio {signal['rate_ratio']:.1f} ({signal['rate_ratio_low']:.1f} to "
            f"{signal['rate_ratio_high']:.1f})"
            if signal["rate_ratio"] is not None
            else "rate ratio -"
        )
        typer.echo(
            f"  {signal['dimension']} {who}: {signal['complication']}, "
            f"alarm {signal['alarm_month']}"
            f" ({signal['observed']} seen, {signal['expected']:.1f} expected, LLR "
            f"{signal['llr']:.1f} >= {signal['critical_value']:.1f}); {ratio}"
        )
    typer.echo(f"screening hits (PRR/Evans and IC025, to review): {len(data['screening'])}")
    typer.echo(f"written to {out}/ (report.json, rates.csv, signals.csv, plots)")


@export_app.command("registry")
def export_registry(
    out: Annotated[Path, typer.Option(help="folder for the de-identified Parquet files")],
    clinic: Annotated[str, typer.Option(help="the clinic's name (its records only)")],
    database_url: DatabaseUrl = None,
) -> None:
    """A clinic's records, de-identified for a registry: no names, contact details or free
    text; people and treatments as keyed pseudonyms; dates coarsened to the month."""
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file, not a folder")
    settings = settings_or_exit(database_url)
    uow = unit_of_work(settings)
    actor = _clinic_actor(uow, clinic)
    knowledge = knowledge_or_exit()
    # a key of its own for pseudonyms, derived from the secret key: stable across exports
    key = hmac.new(settings.secret.encode(), REGISTRY_KEY_PURPOSE, hashlib.sha256).hexdigest()
    tables = _run(
        lambda: service.registry_tables(uow, actor=actor, knowledge=knowledge, secret=key)
    )
    write_tables(tables, out)
    typer.echo(
        f"{out}: {tables['treatments'].num_rows:,} treatments, "
        f"{tables['adverse_events'].num_rows:,} adverse events, de-identified"
    )


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
    app.command("report")(report)
