"""`needlesafe demo-data` and `needlesafe report` from the command line: files, JSON, plots and
bad input (exit 2 with the option named)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from needlesafe.cli import app as cli_app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = runner.invoke(
        cli_app, ["demo-data", "--treatments", "30000", "--seed", "3", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_demo_data_writes_parquet_and_what_it_planted(demo_folder: Path) -> None:
    for name in (
        "treatments",
        "treatment_areas",
        "treatment_products",
        "adverse_events",
        "checkins",
    ):
        assert (demo_folder / f"{name}.parquet").is_file(), name
    assert pq.read_table(demo_folder / "treatments.parquet").num_rows == 30000
    planted = json.loads((demo_folder / "planted.json").read_text())
    assert {p["kind"] for p in planted} == {"lot", "practitioner", "device"}


def test_report_json_names_each_signal_with_its_id_method_and_figures(
    demo_folder: Path, tmp_path: Path
) -> None:
    result = runner.invoke(cli_app, ["report", str(demo_folder), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rates"] and report["engine"] == "duckdb"
    planted = json.loads((demo_folder / "planted.json").read_text())
    wanted = {
        (p["kind"], p.get("lot") or p.get("practitioner_id") or p.get("device_id")) for p in planted
    }
    found = set()
    for signal in report["signals"]:
        ident = {"lot": "lot", "practitioner": "practitioner_id", "device": "device_id"}[
            signal["dimension"]
        ]
        found.add((signal["dimension"], signal[ident]))
        assert signal["method"] == "maxsprt_poisson"
        assert signal["observed"] > signal["expected"] and signal["llr"] >= signal["critical_value"]
    assert found == wanted
    for name in ("report.json", "rates.csv", "signals.csv"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / "signals.csv").read_text().count("\n") == 1 + len(report["signals"])
    plots = {p.name for p in (tmp_path / "plots").iterdir()}
    for chart in ("rates_fitzpatrick", "trend", "funnel_practitioner_scarring"):
        assert f"{chart}.png" in plots and f"{chart}.svg" in plots
        assert (tmp_path / "plots" / f"{chart}.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "plots" / "trend.svg").read_text()


def test_data_without_signals_reports_none_for_people(tmp_path: Path) -> None:
    made = runner.invoke(
        cli_app,
        [
            "demo-data",
            "--treatments",
            "2000",
            "--seed",
            "1",
            "--out",
            str(tmp_path),
            "--plant",
            "none",
        ],
    )
    assert made.exit_code == 0, made.output
    assert json.loads((tmp_path / "planted.json").read_text()) == []
    result = runner.invoke(cli_app, ["report", str(tmp_path), "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert "complications per 1,000 treatments (95% interval):" in result.stdout
    assert "Scarring" in result.stdout
    assert "signals: none" in result.stdout


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["demo-data", "--treatments", "0", "--out", "x"], "--treatments"),
        (["demo-data", "--treatments", "10", "--plant", "batch", "--out", "x"], "--plant"),
        (["demo-data", "--treatments", "10"], "--out"),
        (["report", "no-such-folder", "--out", "x"], "SOURCE"),
        (["report", ".", "--out", "x", "--engine", "presto"], "--engine"),
    ],
)
def test_bad_input_exits_2_naming_the_option(args: list[str], names: str, tmp_path: Path) -> None:
    result = runner.invoke(
        cli_app, [a.replace("x", str(tmp_path / "out")) if a == "x" else a for a in args]
    )
    assert result.exit_code == 2, result.output
    assert names in result.output
    assert "Traceback" not in result.output


def test_a_folder_without_the_tables_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(cli_app, ["report", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "treatments.parquet" in result.output


def test_a_table_may_be_a_folder_of_parquet_files(demo_folder: Path, tmp_path: Path) -> None:
    """A registry pools clinics' exports as one folder of files per table."""
    for name in ("treatments", "treatment_areas", "treatment_products", "adverse_events"):
        (tmp_path / f"{name}.parquet").mkdir()
        (tmp_path / f"{name}.parquet" / "clinic-1.parquet").write_bytes(
            (demo_folder / f"{name}.parquet").read_bytes()
        )
    result = runner.invoke(
        cli_app, ["report", str(tmp_path), "--out", str(tmp_path / "out"), "--json", "--no-plots"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["treatments"] == 30000
