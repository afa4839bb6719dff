"""`needlesafe serve`: migrate, seed a demo clinic on a new database, run the server."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from needlesafe.cli.admin import settings_or_exit

if TYPE_CHECKING:
    from needlesafe.knowledge.base import Knowledge

APP_FACTORY = "needlesafe.cli.server:worker_app"  # what each of several workers calls


def warm_up_pdfs(knowledge: Knowledge) -> threading.Thread:
    """Load the PDF renderer (WeasyPrint, Pango, fonts, the template) beside the server, by
    laying out a whole sheet, so the first consent PDF asked for does not wait for it, and
    render an unsigned sheet's PDF in the background when the clinic opens the sheet. Started
    after the heap is frozen, so the warm-up's short-lived objects are not frozen with it."""
    from needlesafe.documents.render import start_rendering_ahead, warm_up

    start_rendering_ahead()
    thread = threading.Thread(target=warm_up, args=(knowledge,), name="pdf-warm-up", daemon=True)
    thread.start()
    return thread


def freeze_heap() -> None:
    """Move everything alive now (the knowledge base's word indexes, the app) out of the
    collector's sight. A full collection otherwise walks about 270,000 long-lived objects, a
    pause of about 125 ms here that lands on whichever request is running: the tail of the
    latency (benchmarks/load.py, README). They live as long as the process anyway."""
    import gc

    gc.collect()
    gc.freeze()


def worker_app() -> Any:
    """One of several server processes: its app, from the environment, PDFs warming up."""
    from needlesafe.app import create_app
    from needlesafe.knowledge.loader import default_knowledge

    knowledge = default_knowledge()
    app = create_app(knowledge=knowledge)
    freeze_heap()
    warm_up_pdfs(knowledge)
    return app


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
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="server processes (state is in the database)")
    ] = 1,
    job_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="run the job worker (reminders, alerts) in this process; default: "
            "NEEDLESAFE_WORKER_IN_PROCESS (true)",
        ),
    ] = True,
) -> None:
    """Serve the API and pages (http://HOST:PORT); a new database is migrated first."""
    import logging.config

    import uvicorn

    from needlesafe.api.logs import log_config
    from needlesafe.app import create_app
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services import demo as demo_data
    from needlesafe.store import migrate
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork

    logging.config.dictConfig(log_config())
    settings = settings_or_exit(database_url)
    if settings.public_base_url == "http://127.0.0.1:8000" and (host, port) != ("127.0.0.1", 8000):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_base_url": f"http://{shown}:{port}"})
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    knowledge = default_knowledge()
    uow = UnitOfWork(make_session_factory(engine))
    # no clinic yet, whether or not `db upgrade` ran first: seed the demo, or say what to do
    empty = not demo_data.has_clinic(uow)
    if empty and not (settings.environment == "development" and demo):
        typer.echo(
            "No clinic in this database yet. Create one and its first account:\n"
            '  needlesafe admin create-clinic "Your Clinic" --phone "..."\n'
            '  needlesafe admin create-user --clinic "Your Clinic" --email you@example.org '
            "--role admin"
        )
    if settings.environment == "development" and demo:
        if empty:
            demo_data.seed_demo(
                uow,
                knowledge=knowledge,
                secret_key=settings.secret,
                base_url=settings.public_base_url,
                link_max_age=settings.checkin_link_max_age,
                emergency_number=settings.emergency_number,
            )
            typer.echo("No clinic in this database yet: seeded a demo clinic.")
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
    if host not in ("127.0.0.1", "localhost", "::1") and settings.public_url_warning():
        typer.echo(
            "Warning: patients' links and QR codes point at "
            f"{settings.public_base_url}, which their phones cannot open. Set "
            "NEEDLESAFE_PUBLIC_URL to the address patients reach this server at.",
            err=True,
        )
    # migrated above, once; each worker process builds its app from the environment
    os.environ.update(
        NEEDLESAFE_DATABASE_URL=settings.database_url,
        NEEDLESAFE_PUBLIC_BASE_URL=settings.public_base_url,
    )
    if job_worker and settings.worker_in_process:  # one machine: nothing else to start
        from needlesafe.cli.followup import start_in_process

        start_in_process(settings, knowledge)
        typer.echo("job worker: running in this process (reminders, alerts, messages)")
    app = None
    if workers == 1:
        app = create_app(settings, knowledge=knowledge)
        freeze_heap()
        warm_up_pdfs(knowledge)
    uvicorn.run(
        app if app is not None else APP_FACTORY,
        factory=workers > 1,
        workers=workers,
        timeout_worker_healthcheck=120,  # a worker loads the knowledge base before it answers
        host=host,
        port=port,
        access_log=False,  # ours logs route templates, never ids, tokens or bodies
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        log_config=log_config(),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
