"""`needlesafe lots trace LOT`: which of a clinic's treatments used a lot (for a recall)."""

from __future__ import annotations

from typing import Annotated

import typer

from needlesafe.cli.admin import DatabaseUrl, _run, settings_or_exit, unit_of_work
from needlesafe.cli.common import fail

lots_app = typer.Typer(help="Lot traceability: treatments by lot number.", no_args_is_help=True)


@lots_app.command("trace")
def trace(
    lot: str,
    clinic: Annotated[str, typer.Option(help="the clinic's name (its records only)")],
    csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout")] = False,
    json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List the clinic's treatments that used LOT (needle cartridge, numbing cream or product):
    date, patient, practitioner and how the lot was used. Exit 0 even when none did."""
    from needlesafe.services import lots
    from needlesafe.services.context import Actor

    uow = unit_of_work(settings_or_exit(database_url))
    with uow:
        found = uow.clinics.by_name(clinic)
        clinic_id = found.id if found else None
    if clinic_id is None:
        fail(f"clinic: no clinic named {clinic!r}")
    actor = Actor(user_id=None, clinic_id=clinic_id, role="cli", kind="cli")
    result = _run(lambda: lots.trace_lot(uow, actor=actor, lot=lot))
    if csv:
        typer.echo(lots.trace_csv(result), nl=False)
        return
    if json:
        typer.echo(result.model_dump_json())
        return
    count = len(result.treatments)
    typer.echo(
        f"lot {result.lot}: {count} treatment{'' if count == 1 else 's'}, "
        f"{result.patients} patient{'' if result.patients == 1 else 's'}"
    )
    for use in result.treatments:
        chart = f" (chart {use.patient_chart_number})" if use.patient_chart_number else ""
        typer.echo(
            f"  {use.performed_on}  treatment {use.treatment_id}  {use.patient_name}{chart}  "
            f"by {use.practitioner_name or '-'}  as {', '.join(use.used_as)}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(lots_app, name="lots")
