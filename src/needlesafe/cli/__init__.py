"""The `needlesafe` command line.

Each module under `needlesafe.cli` registers its commands with `register(app)`; a command's
module is imported only when that command runs (or `--help` lists them all), so
`needlesafe screen` never pays for the database, the server or the statistics.
"""

from __future__ import annotations

import importlib

import typer
import typer.main
from typer.core import TyperGroup

try:  # typer 0.2x carries its own copy of click; its groups take its contexts
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer on the real click
    import click  # type: ignore[no-redef]  # the fallback

# Command name -> the modules that register it, in the order of `needlesafe --help`.
# A group another module adds to (`db grant-runtime`, `export registry`) names both.
COMMANDS: dict[str, tuple[str, ...]] = {
    "screen": ("screening",),
    "triage": ("triage",),
    "consent": ("documents",),
    "serve": ("server",),
    "aftercare": ("aftercare",),
    "demo-data": ("surveillance",),
    "report": ("surveillance",),
    "worker": ("followup",),
    "backup": ("reliability",),
    "restore": ("reliability",),
    "knowledge": ("screening",),
    "db": ("admin", "reliability"),
    "admin": ("admin",),
    "lots": ("lots",),
    "export": ("export", "surveillance"),
    "photo": ("followup",),
    "audit": ("reliability",),
}

_registry = typer.Typer()
_registered: set[str] = set()


def load_command(name: str) -> click.Command | None:
    """The click command `name`, its modules imported and registered (once) on first use."""
    modules = COMMANDS.get(name)
    if modules is None:
        return None
    for module in modules:
        if module not in _registered:
            importlib.import_module(f"needlesafe.cli.{module}").register(_registry)
            _registered.add(module)
    return typer.main.get_group(_registry).commands.get(name)


class LazyGroup(TyperGroup):
    """The top-level group: commands are looked up by name and built on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            command = load_command(cmd_name)
            if command is not None:
                self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in COMMANDS:
            for name in COMMANDS:  # a typo: load them all so "did you mean" can name any
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="needlesafe",
    cls=LazyGroup,
    help="Microneedling safety: screening, triage, aftercare and the clinic service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    """Microneedling safety: screening, triage, aftercare and the clinic service."""
