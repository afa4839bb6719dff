"""The `needlesafe` command line. Each module registers its commands on `app`."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="needlesafe",
    help="Microneedling safety: screening, triage, aftercare and the clinic service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Registration order is the order of `needlesafe --help`.
from needlesafe.cli import screening as _screening  # noqa: E402

_screening.register(app)
from needlesafe.cli import triage as _triage  # noqa: E402

_triage.register(app)
from needlesafe.cli import documents as _documents  # noqa: E402

_documents.register(app)
from needlesafe.cli import admin as _admin  # noqa: E402
from needlesafe.cli import server as _server  # noqa: E402

_admin.register(app)
_server.register(app)
from needlesafe.cli import lots as _lots  # noqa: E402

_lots.register(app)
from needlesafe.cli import aftercare as _aftercare  # noqa: E402

_aftercare.register(app)
from needlesafe.cli import surveillance as _surveillance  # noqa: E402

_surveillance.register(app)
from needlesafe.cli import export as _export  # noqa: E402

_export.register(app)
from needlesafe.cli import followup as _followup  # noqa: E402

_followup.register(app)
from needlesafe.cli import reliability as _reliability  # noqa: E402

_reliability.register(app)
