"""`needlesafe serve`: migrate, seed a demo clinic on a new database, run the server."""

from __future__ import annotations

from typing import Annotated

import typer

from needlesafe.cli.admin import settings_or_exit
from needlesafe.store import migrate
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="default: NEEDLESAFE_DATABASE_URL or ./needlesafe.db"),
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="seed a demo clinic when the database is new (development)")
    ] = True,
) -> None:
    """Serve the API and pages (http://HOST:PORT); a new database is migrated first."""
    import logging

    import uvicorn

    from needlesafe.api.app import create_app
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services import demo as demo_data

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings_or_exit(database_url)
    if settings.public_base_url == "http://127.0.0.1:8000" and (host, port) != ("127.0.0.1", 8000):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_base_url": f"http://{shown}:{port}"})
    engine = make_engine(settings.database_url)
    new = migrate.is_new(engine)
    migrate.upgrade(engine)
    knowledge = default_knowledge()
    uow = UnitOfWork(make_session_factory(engine))
    if settings.environment == "development" and demo:
        if new:
            demo_data.seed_demo(
                uow,
                knowledge=knowledge,
                secret_key=settings.secret,
                base_url=settings.public_base_url,
                link_max_age=settings.checkin_link_max_age,
                emergency_number=settings.emergency_number,
            )
            typer.echo("A new database: seeded a demo clinic.")
        link = demo_data.demo_link(
            uow,
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            link_max_age=settings.checkin_link_max_age,
        )
        if link is not None:
            typer.echo(f"  sign in:          {demo_data.DEMO_EMAIL} / {demo_data.DEMO_PASSWORD}")
            typer.echo(f"  patient check-in: {link.url}")
    engine.dispose()
    typer.echo(f"needlesafe on {settings.public_base_url} (API docs at /docs)")
    uvicorn.run(
        create_app(settings, knowledge=knowledge),
        host=host,
        port=port,
        access_log=False,  # ours logs route templates, never ids, tokens or bodies
        proxy_headers=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
