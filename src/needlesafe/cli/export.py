"""`needlesafe export ...`: a clinic's records in the formats other systems read.

Each export is a command of this group (`needlesafe export fhir`, `needlesafe export registry`,
...); the work itself is done by a service, as for every other command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from needlesafe.cli.admin import DatabaseUrl

export_app = typer.Typer(
    help="Export records in the formats other systems read.", no_args_is_help=True
)


@export_app.callback()
def export() -> None:
    """Export records in the formats other systems read."""


@export_app.command("fhir")
def export_fhir(
    patient_id: Annotated[int, typer.Argument(help="the patient's record id", min=1)],
    clinic: Annotated[str, typer.Option(help="the clinic's name (its records only)")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="write to FILE (default: stdout)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The patient's records as a FHIR R4 Bundle (JSON): Patient, screenings as
    RiskAssessment, treatments as Procedure with Device, aftercare as CarePlan, adverse events,
    check-ins as QuestionnaireResponse, signed consents as Consent."""
    from needlesafe.cli.admin import _run, settings_or_exit, unit_of_work
    from needlesafe.cli.common import fail, knowledge_or_exit
    from needlesafe.services import interop
    from needlesafe.services.context import Actor

    knowledge = knowledge_or_exit()
    uow = unit_of_work(settings_or_exit(database_url))
    with uow:
        found = uow.clinics.by_name(clinic)
        clinic_id = found.id if found else None
    if clinic_id is None:
        fail(f"clinic: no clinic named {clinic!r}")
    actor = Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli")
    bundle = _run(
        lambda: interop.export_patient(uow, actor=actor, knowledge=knowledge, patient_id=patient_id)
    )
    text = interop.export_json(bundle) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(bundle['entry'])} resources to {output}", err=True)
    else:
        typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
