"""`needlesafe export ...`: a clinic's records in the formats other systems read.

Each export is a command of this group (`needlesafe export fhir`, `needlesafe export registry`,
...); the work itself is done by a service, as for every other command.
"""

from __future__ import annotations

import typer

export_app = typer.Typer(
    help="Export records in the formats other systems read.", no_args_is_help=True
)


@export_app.callback()
def export() -> None:
    """Export records in the formats other systems read."""


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
