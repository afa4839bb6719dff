"""`needlesafe worker` (the job worker on its own, or `--once` for tests and cron) and
`needlesafe photo measure` (redness and pigment of a photo's treated area against its
reference area)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from needlesafe.settings import Settings

if TYPE_CHECKING:
    from needlesafe.knowledge.base import Knowledge
    from needlesafe.services.worker import Delivery, Worker

photo_app = typer.Typer(help="Check-in photos.", no_args_is_help=True)


def delivery_from_settings(settings: Settings) -> Delivery:
    """The senders the settings name: SMTP when NEEDLESAFE_SMTP_URL is set, the SMS provider
    when its API URL is set; otherwise the outbox for that channel."""
    from needlesafe.messaging import OutboxSender
    from needlesafe.messaging.mail import SmtpSender
    from needlesafe.messaging.sms import HttpSmsSender
    from needlesafe.services.worker import Delivery

    email = (
        SmtpSender(settings.smtp_url.get_secret_value(), mail_from=settings.mail_from)
        if settings.smtp_url
        else OutboxSender("email")
    )
    sms = (
        HttpSmsSender(
            api_url=settings.sms_api_url,
            account=settings.sms_account or "",
            token=settings.sms_token.get_secret_value() if settings.sms_token else "",
            from_number=settings.sms_from or "",
        )
        if settings.sms_api_url
        else OutboxSender("sms")
    )
    return Delivery(
        email=email,
        sms=sms,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        link_max_age=settings.checkin_link_max_age,
    )


def make_worker(settings: Settings, knowledge: Knowledge | None = None) -> Worker:
    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services.worker import Worker
    from needlesafe.store.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    return Worker(
        make_session_factory(engine),
        knowledge=knowledge or default_knowledge(),
        delivery=delivery_from_settings(settings),
    )


def start_in_process(settings: Settings, knowledge: Knowledge) -> threading.Event:
    """The worker in a background thread of `needlesafe serve`; set the event to stop it."""
    worker = make_worker(settings, knowledge)
    stop = threading.Event()
    threading.Thread(
        target=worker.run_forever,
        args=(stop,),
        kwargs={"poll_seconds": settings.worker_poll_seconds},
        name="needlesafe-worker",
        daemon=True,
    ).start()
    return stop


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "--now: not an ISO date and time (like 2026-12-03T10:00Z)"
        ) from None
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def worker(
    once: Annotated[bool, typer.Option("--once", help="run what is due, then exit")] = False,
    now: Annotated[
        str | None, typer.Option("--now", help="with --once: the time to run at (ISO)")
    ] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Run the job worker: check-in reminders, missed check-ins, clinic alerts, messages."""
    from needlesafe.cli.admin import settings_or_exit
    from needlesafe.cli.common import knowledge_or_exit

    at = _parse_now(now)
    if at is not None and not once:
        raise typer.BadParameter("--now: only with --once")
    settings = settings_or_exit(database_url)
    runner = make_worker(settings, knowledge_or_exit())
    if once:
        report = runner.run_due(now=at)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "nothing due"
        typer.echo(f"ran {report.total} jobs: {summary}")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo("needlesafe worker: running (Ctrl-C to stop)")
    runner.run_forever(stop, poll_seconds=settings.worker_poll_seconds)


def _box(value: str, name: str) -> tuple[int, int, int, int]:
    try:
        x, y, w, h = (int(p) for p in value.split(","))
    except ValueError:
        x = y = w = h = -1
    if w <= 0 or h <= 0 or min(x, y) < 0:
        raise typer.BadParameter(f"{name}: expected X,Y,W,H (whole pixels, W and H above 0)")
    return x, y, w, h


@photo_app.command("measure")
def measure(
    image: Annotated[Path, typer.Argument(help="a JPEG, PNG, HEIC or WebP photo")],
    treated: Annotated[str, typer.Option("--treated", help="X,Y,W,H of the treated skin")],
    reference: Annotated[
        str, typer.Option("--reference", help="X,Y,W,H of untreated skin in the same photo")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    card: Annotated[
        bool, typer.Option("--card", help="correct the colours by the colour card in the photo")
    ] = False,
) -> None:
    """Redness (CIELAB a*) and pigment (ITA°) of the treated area against the reference."""
    from needlesafe.services.photos import PhotoError, measure_image

    boxes = _box(treated, "--treated"), _box(reference, "--reference")
    try:
        data = image.read_bytes()
    except OSError as error:
        typer.echo(f"error: {image}: {error.strerror or 'cannot read it'}", err=True)
        raise typer.Exit(2) from None
    try:
        result = measure_image(data, treated=boxes[0], reference=boxes[1], use_card=card)
    except PhotoError as error:
        typer.echo(f"error: {error.path}: {error.message}", err=True)
        raise typer.Exit(2) from None
    out = result.as_dict()
    if as_json:
        typer.echo(json.dumps(out))
        return
    t, r = out["treated"], out["reference"]
    assert isinstance(t, dict) and isinstance(r, dict)
    typer.echo(
        f"treated:   L* {t['l_star']:6.2f}  a* {t['a_star']:6.2f}  b* {t['b_star']:6.2f}"
        f"  ITA {t['ita']:6.2f}°"
    )
    typer.echo(
        f"reference: L* {r['l_star']:6.2f}  a* {r['a_star']:6.2f}  b* {r['b_star']:6.2f}"
        f"  ITA {r['ita']:6.2f}°"
    )
    typer.echo(
        f"difference (treated - reference): a* {out['delta_a_star']:+.2f} (redness), "
        f"ITA {out['delta_ita']:+.2f}° (pigment), ΔE {out['delta_e']:.2f}"
    )


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(photo_app, name="photo")
