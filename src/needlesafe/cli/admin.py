"""`needlesafe db upgrade` and `needlesafe admin ...`: the operator's commands."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from needlesafe.cli.common import fail
from needlesafe.errors import InputError
from needlesafe.services.errors import DomainError, NotFound

if TYPE_CHECKING:  # the database and service layers load only when a command runs
    from needlesafe.services.context import Actor
    from needlesafe.settings import Settings
    from needlesafe.store.uow import UnitOfWork

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
admin_app = typer.Typer(
    help="Clinics, staff accounts, tokens and patient links.", no_args_is_help=True
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="default: NEEDLESAFE_DATABASE_URL or ./needlesafe.db"),
]


def settings_or_exit(database_url: str | None = None) -> Settings:
    from needlesafe.settings import get_settings
    from needlesafe.store.db import normalise_url

    try:
        settings = get_settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        fail(f"bad settings: {error}")
    if database_url:
        settings = settings.model_copy(update={"database_url": normalise_url(database_url)})
    return settings


def unit_of_work(settings: Settings) -> UnitOfWork:
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork

    engine = make_engine(settings.database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        fail("the database is not up to date: run `needlesafe db upgrade` first")
    return UnitOfWork(make_session_factory(engine))


Result = TypeVar("Result")


def _run(action: Callable[[], Result]) -> Result:
    try:
        return action()
    except InputError as error:
        fail(error.first_line)
    except DomainError as error:
        fail(error.message)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Migrate the database to the newest schema (creating it if needed)."""
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine

    settings = settings_or_exit(database_url)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    typer.echo(f"database at revision {migrate.current_revision(engine)}")


@admin_app.command("create-clinic")
def create_clinic(
    name: str,
    phone: Annotated[
        str | None, typer.Option(help="the clinic's phone, shown to patients (who to call)")
    ] = None,
    emergency_number: Annotated[
        str | None,
        typer.Option(
            help="the emergency number patients call (default: NEEDLESAFE_EMERGENCY_NUMBER)"
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a clinic, with its phone and emergency number."""
    from needlesafe.services import accounts

    settings = settings_or_exit(database_url)
    uow = unit_of_work(settings)
    clinic = _run(
        lambda: accounts.create_clinic(
            uow,
            name=name,
            phone=phone,
            emergency_number=emergency_number or settings.emergency_number,
        )
    )
    phone_text = clinic.phone or "no phone yet"
    typer.echo(
        f"clinic {clinic.id}: {clinic.name} (phone {phone_text}, "
        f"emergency {clinic.emergency_number})"
    )


@admin_app.command("create-user")
def create_user(
    clinic: Annotated[str, typer.Option(help="the clinic's name")],
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="practitioner or admin")] = "practitioner",
    name: Annotated[str, typer.Option()] = "",
    generate_password: Annotated[
        bool, typer.Option("--generate-password", help="print a new random password")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a staff account; asks for the password (or generates one without a terminal)."""
    from needlesafe.services import accounts

    uow = unit_of_work(settings_or_exit(database_url))
    generated = generate_password or not sys.stdin.isatty()
    if generated:
        password = accounts.generate_password()
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    user = _run(
        lambda: accounts.create_user_for_clinic(
            uow, clinic_name=clinic, email=email, role=role, password=password, name=name
        )
    )
    typer.echo(f"user {user.id}: {user.email} ({user.role}) at {clinic}")
    if generated:
        typer.echo(f"password: {password}")


@admin_app.command("list-users")
def list_users(
    clinic: Annotated[str, typer.Option(help="the clinic's name")],
    database_url: DatabaseUrl = None,
) -> None:
    """List a clinic's staff accounts: id, email, role, active or not."""
    from needlesafe.services import accounts

    uow = unit_of_work(settings_or_exit(database_url))
    operator = _run(lambda: _operator_for(uow, clinic))
    page = _run(lambda: accounts.list_users(uow, actor=operator, limit=200))
    for user in page.items:
        state = "active" if user.active else "deactivated"
        typer.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}\t{user.name}")


def _operator_for(uow: UnitOfWork, clinic: str) -> Actor:
    """The command line acting for the operator inside one clinic (named)."""
    from needlesafe.services.context import Actor

    with uow:
        row = uow.clinics.by_name(clinic.strip())
        if row is None:
            raise NotFound(f"no clinic named {clinic!r}")
        return Actor(user_id=None, clinic_id=row.id, role="cli", kind="cli")


@admin_app.command("deactivate-user")
def deactivate_user(
    email: str,
    undo: Annotated[bool, typer.Option("--undo", help="reactivate the account")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Deactivate a staff account (its sessions and tokens end at once), or --undo."""
    from needlesafe.services import staff

    uow = unit_of_work(settings_or_exit(database_url))
    user = _run(lambda: staff.set_active(uow, actor=None, email=email, active=undo))
    typer.echo(f"{user.email}: {'active' if user.active else 'deactivated'}")


@admin_app.command("reset-password")
def reset_password(email: str, database_url: DatabaseUrl = None) -> None:
    """Print a one-time link for the person to set a new password (24 hours)."""
    from needlesafe.services import staff

    settings = settings_or_exit(database_url)
    uow = unit_of_work(settings)
    link = _run(
        lambda: staff.make_reset_link(
            uow, actor=None, base_url=settings.public_base_url, email=email
        )
    )
    typer.echo(link.url)
    typer.echo(f"works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC", err=True)


@admin_app.command("create-token")
def create_token(
    email: Annotated[str, typer.Option()],
    days: Annotated[int, typer.Option(min=1, max=3650, help="how long it is valid")] = 90,
    database_url: DatabaseUrl = None,
) -> None:
    """Print a new bearer token for a user (shown once; only its hash is kept)."""
    from needlesafe.services import accounts

    uow = unit_of_work(settings_or_exit(database_url))
    token = _run(lambda: accounts.create_token(uow, email=email, lifetime=dt.timedelta(days=days)))
    typer.echo(token)


@admin_app.command("checkin-link")
def checkin_link(
    treatment_id: int,
    renew: Annotated[
        bool, typer.Option("--renew", help="replace it with a new link (the old one stops)")
    ] = False,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="stop the link (the patient's pages stop opening)")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the patient's check-in link for a treatment; or renew or stop it."""
    from needlesafe.services import treatments

    if renew and revoke:
        typer.echo("error: --renew and --revoke: choose one", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit(database_url)
    uow = unit_of_work(settings)
    if revoke:
        stopped = _run(
            lambda: treatments.revoke_checkin_link(uow, actor=None, treatment_id=treatment_id)
        )
        typer.echo("stopped the link" if stopped else "this treatment has no working link")
        return
    link = _run(
        lambda: treatments.issue_checkin_link(
            uow,
            actor=None,
            treatment_id=treatment_id,
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            max_age=settings.checkin_link_max_age,
            renew=renew,
        )
    )
    assert link is not None  # only the staff page asks for `only_if_active`
    if link.status == "expired":
        typer.echo(
            f"error: this link expired on {link.expires_at:%Y-%m-%d}; --renew makes a new one",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(link.url)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(admin_app, name="admin")
