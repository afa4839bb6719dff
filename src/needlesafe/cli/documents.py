"""`needlesafe consent INTAKE --out sheet.pdf`: the personalised consent and education sheet."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from needlesafe.cli.common import fail, knowledge_or_exit, parse_document, read_text
from needlesafe.documents.consent import ClinicDetails, build_consent_sheet
from needlesafe.documents.render import render_consent_html, render_consent_pdf
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError
from needlesafe.knowledge.words import clinic_defaults


def consent_command(
    file: Annotated[str, typer.Argument(help="An intake (.json/.yaml), or - for stdin.")],
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Output file (default: sheet.pdf; stdout for --html)."),
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Write HTML instead of PDF.")] = False,
    clinic: Annotated[str, typer.Option(help="The clinic's name, printed on the sheet.")] = (
        "Your clinic"
    ),
    phone: Annotated[
        str, typer.Option(help="The clinic's phone number, for the warning signs.")
    ] = "ask at the front desk",
    emergency: Annotated[
        str | None, typer.Option(help="The emergency services number (default: words.yaml's, 911).")
    ] = None,
    patient_name: Annotated[
        str | None, typer.Option("--patient-name", help="Print the patient's name on the sheet.")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="The date on the sheet, YYYY-MM-DD (default: today).")
    ] = None,
    age_of_consent: Annotated[
        int | None,
        typer.Option(
            "--age-of-consent",
            min=1,
            max=30,
            help="Below this age a parent or guardian signs too (the law where you treat; "
            "default: words.yaml's, 18).",
        ),
    ] = None,
) -> None:
    """Write the consent and education sheet for an intake (PDF, or HTML with --html)."""
    knowledge = knowledge_or_exit()
    text = read_text(file)
    try:
        intake = parse_intake(parse_document(text, file), knowledge)
    except InputError as error:
        fail(error.first_line)
    try:
        defaults = clinic_defaults(knowledge)
        details = ClinicDetails(
            name=clinic, phone=phone, emergency_number=emergency or defaults.emergency_number
        )
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        option = {"name": "--clinic", "phone": "--phone", "emergency_number": "--emergency"}
        fail(f"{option.get(str(first['loc'][0]), first['loc'][0])}: {first['msg']}")
    try:
        issued = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        fail(f"--date: {date!r} is not a date (YYYY-MM-DD)")

    sheet = build_consent_sheet(
        intake,
        screen(intake, knowledge),
        clinic=details,
        knowledge=knowledge,
        issued=issued,
        age_of_consent=age_of_consent or clinic_defaults(knowledge).age_of_consent,
        patient_name=patient_name,
    )
    if html:
        document = render_consent_html(sheet)
        if out is None or out == "-":
            sys.stdout.write(document)
            return
        _write(Path(out), document.encode())
    else:
        if out == "-":
            sys.stdout.buffer.write(render_consent_pdf(sheet))
            return
        _write(Path(out or "sheet.pdf"), render_consent_pdf(sheet))
    typer.echo(f"wrote {out or 'sheet.pdf'} (sheet {sheet.version})", err=True)


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        fail(f"{path}: cannot write it ({error.strerror})")


def register(app: typer.Typer) -> None:
    app.command("consent")(consent_command)
