"""Demo data as real clinic records, read back per clinic for the report, and the
de-identified registry export; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from needlesafe.cli import app as cli_app
from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import surveillance as service
from needlesafe.services.context import Actor
from needlesafe.services.errors import Forbidden
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from needlesafe.surveillance.queries import duckdb_engine, run_all
from needlesafe.surveillance.synthetic import DemoData, generate

TREATMENTS = 1200
SEED = 5


@pytest.fixture
def loaded(uow: UnitOfWork, knowledge: Knowledge) -> tuple[DemoData, list[dict[str, Any]]]:
    data = generate(knowledge, treatments=TREATMENTS, seed=SEED)
    planted = service.load_demo(uow, knowledge=knowledge, data=data)
    return data, planted


def _count(uow: UnitOfWork, model: type[m.Base]) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _first_clinic(uow: UnitOfWork) -> tuple[int, str]:
    with uow:
        clinic = uow.session.scalars(select(m.Clinic).order_by(m.Clinic.id)).first()
        assert clinic is not None
        return clinic.id, clinic.name


def test_demo_data_becomes_clinic_records(
    uow: UnitOfWork, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    data, planted = loaded
    assert _count(uow, m.Treatment) == TREATMENTS
    assert _count(uow, m.AdverseEvent) == data.tables["adverse_events"].num_rows
    assert _count(uow, m.TreatmentArea) == data.tables["treatment_areas"].num_rows
    assert _count(uow, m.TreatmentTopical) == data.tables["treatment_products"].num_rows
    assert _count(uow, m.CheckIn) == data.tables["checkins"].num_rows
    assert _count(uow, m.Patient) == _count(uow, m.Intake)  # one screening per course
    clinics = _count(uow, m.Clinic)
    with uow:
        s = uow.session
        # every treatment follows a screening of its own patient in its own clinic
        mismatched = s.scalar(
            select(func.count())
            .select_from(m.Treatment)
            .join(m.Intake, m.Intake.id == m.Treatment.intake_id)
            .where(
                (m.Intake.patient_id != m.Treatment.patient_id)
                | (m.Intake.clinic_id != m.Treatment.clinic_id)
            )
        )
        assert mismatched == 0
        # the practitioner named in planted.json is a user of the database
        practitioner = next(p for p in planted if p["kind"] == "practitioner")
        user = s.get(m.User, int(practitioner["practitioner_id"]))
        assert user is not None and user.role == "practitioner" and not user.active
        checkin = s.scalars(select(m.CheckIn)).first()
        assert checkin is not None and checkin.disposition == checkin.triage["disposition"]
        audits = s.scalar(
            select(func.count())
            .select_from(m.AuditEvent)
            .where(m.AuditEvent.record_type == "demo_data")
        )
        assert audits == clinics


def test_the_same_seed_cannot_be_loaded_twice(
    uow: UnitOfWork, knowledge: Knowledge, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    clinics = _count(uow, m.Clinic)
    with pytest.raises(InputError) as error:
        service.load_demo(uow, knowledge=knowledge, data=loaded[0])
    assert error.value.problems[0].path == "seed"
    assert _count(uow, m.Clinic) == clinics and _count(uow, m.Treatment) == TREATMENTS


def test_a_clinic_reads_its_own_records_with_the_same_numbers_as_the_parquet(
    uow: UnitOfWork, knowledge: Knowledge, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    data = loaded[0]
    clinic_id, _ = _first_clinic(uow)
    actor = Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli")
    tables = service.clinic_tables(uow, actor=actor, knowledge=knowledge)
    assert set(tables["treatments"].column("clinic_id").to_pylist()) == {clinic_id}
    # the demo's first clinic is clinic number 1 of the drawn data
    with duckdb_engine(tables=data.tables) as duck:
        expected = duck.run(
            "SELECT fitzpatrick, depth_band, month, COUNT(*) AS n FROM treatments "
            "WHERE clinic_id = 1 GROUP BY ALL ORDER BY ALL"
        ).to_pylist()
        expected_events = duck.run(
            "SELECT e.complication, e.onset_days, COUNT(*) AS n FROM adverse_events e "
            "JOIN treatments t USING (treatment_id) WHERE t.clinic_id = 1 GROUP BY ALL ORDER BY ALL"
        ).to_pylist()
    with duckdb_engine(tables=tables) as duck:
        found = duck.run(
            "SELECT fitzpatrick, depth_band, month, COUNT(*) AS n FROM treatments "
            "GROUP BY ALL ORDER BY ALL"
        ).to_pylist()
        found_events = duck.run(
            "SELECT complication, onset_days, COUNT(*) AS n FROM adverse_events "
            "GROUP BY ALL ORDER BY ALL"
        ).to_pylist()
        results = run_all(duck)
    assert found == expected and found_events == expected_events
    assert results.tables["strata_counts"].num_rows > 0
    with uow:
        read = uow.session.scalar(
            select(func.count())
            .select_from(m.AuditEvent)
            .where(m.AuditEvent.record_type == "surveillance", m.AuditEvent.clinic_id == clinic_id)
        )
    assert read == 1


def test_the_registry_export_is_de_identified(
    uow: UnitOfWork, knowledge: Knowledge, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    clinic_id, _ = _first_clinic(uow)
    actor = Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli")
    exported = service.registry_tables(uow, actor=actor, knowledge=knowledge, secret="k" * 32)
    again = service.registry_tables(uow, actor=actor, knowledge=knowledge, secret="k" * 32)
    other_key = service.registry_tables(uow, actor=actor, knowledge=knowledge, secret="j" * 32)
    t = exported["treatments"]
    assert "performed_on" not in t.column_names and "month" in t.column_names
    for table in exported.values():
        assert not {"name", "email", "phone", "notes", "date_of_birth"} & set(table.column_names)
    with uow:
        raw_patients = uow.session.scalars(
            select(m.Treatment.patient_id).where(m.Treatment.clinic_id == clinic_id)
        ).all()
        names = set(uow.session.scalars(select(m.Patient.name)).all())
    keys = t.column("patient_id").to_pylist()
    # one pseudonym per patient (repeat patients can be counted), none of them the id itself
    assert len(set(keys)) == len(set(raw_patients))
    assert not {str(p) for p in raw_patients} & set(keys)
    assert not names & {
        str(v) for table in exported.values() for c in table.columns for v in c.to_pylist()
    }
    assert keys == again["treatments"].column("patient_id").to_pylist()  # stable
    assert not set(keys) & set(other_key["treatments"].column("patient_id").to_pylist())
    # the pseudonymous treatment keys still join the tables
    assert set(exported["adverse_events"].column("treatment_id").to_pylist()) <= set(
        t.column("treatment_id").to_pylist()
    )


def test_only_an_admin_exports_for_the_registry(
    uow: UnitOfWork, knowledge: Knowledge, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    clinic_id, _ = _first_clinic(uow)
    practitioner = Actor(user_id=None, clinic_id=clinic_id, role="practitioner")
    with pytest.raises(Forbidden):
        service.registry_tables(uow, actor=practitioner, knowledge=knowledge, secret="k" * 32)


def test_the_cli_reports_on_the_database_and_on_its_registry_export(
    uow: UnitOfWork, db_url: str, tmp_path: Path, loaded: tuple[DemoData, list[dict[str, Any]]]
) -> None:
    _, clinic = _first_clinic(uow)
    runner = CliRunner()
    direct = runner.invoke(
        cli_app,
        ["report", "database", "--clinic", clinic, "--out", str(tmp_path / "direct"),
         "--json", "--no-plots", "--database-url", db_url],
    )  # fmt: skip
    assert direct.exit_code == 0, direct.output
    exported = runner.invoke(
        cli_app,
        ["export", "registry", "--clinic", clinic, "--out", str(tmp_path / "registry"),
         "--database-url", db_url],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert pq.read_table(tmp_path / "registry" / "treatments.parquet").num_rows > 0
    pooled = runner.invoke(
        cli_app,
        [
            "report",
            str(tmp_path / "registry"),
            "--out",
            str(tmp_path / "pooled"),
            "--json",
            "--no-plots",
        ],
    )
    assert pooled.exit_code == 0, pooled.output
    import json

    first, second = json.loads(direct.stdout), json.loads(pooled.stdout)
    # the same clinic, the same rates, whether read from the database or from its export
    keep = ("fitzpatrick", "area", "depth_band", "month", "lot", "device")

    def pick(report: dict[str, Any]) -> list[tuple[Any, ...]]:
        return sorted(
            (r["dimension"], r["value"], r["complication"], r["cases"], r["treatments"])
            for r in report["rates"]
            if r["dimension"] in keep
        )

    assert pick(first) == pick(second)
    missing = runner.invoke(
        cli_app, ["report", "database", "--clinic", "No Such Clinic", "--out", str(tmp_path / "x"),
                  "--database-url", db_url],
    )  # fmt: skip
    assert missing.exit_code == 2 and "no clinic named" in missing.output
