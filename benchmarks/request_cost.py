"""What each kind of request in the load mix costs, in-process: CPU time and SQL statements.

    .venv/bin/python benchmarks/request_cost.py [--database sqlite|postgresql]
        [--checkins 100000] [--requests 200] [--runs 5] [--profile screen|triage|checkin|inbox]

The same database, seed and requests as `benchmarks/load.py` (the demo clinic with
`--checkins` stored check-ins; screening, free-text triage, a patient's check-in through the
link, the inbox's first page), sent to the app itself as ASGI calls, one at a time, no server
and no sockets: so the figures are the app's own work per request, and say little about the
machine's load (a shared machine makes them a little higher, not seconds higher).

For each kind, `--runs` rounds of `--requests` requests (the kinds interleaved round by round);
per request: the process's CPU time (every thread: the routes' worker threads too), on
PostgreSQL also the CPU its server processes spent for this app's connections (read from
/proc: same machine only), wall time, and the SQL statements sent (counted with SQLAlchemy's
`before_cursor_execute`). Medians over the rounds. `/healthz` is timed the same way as the
floor: what any request costs before its route does anything.

`--profile KIND` runs cProfile over that kind instead, timing CPU (the routes' worker-thread
calls run inline, so the profiler sees them), and prints the costliest functions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # benchmarks/load.py: the same database, seed and mix

APPLICATION_NAME = "needlesafe_request_cost"
KINDS = ("healthz", "screen", "triage", "checkin", "inbox")


# ---------------------------------------------------------------- calling the app


async def call(
    app: Any,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, bytes]:
    """One request through the whole app (its middleware too), as a server would send it."""
    raw = b"" if body is None else json.dumps(body).encode()
    path, _, query = path.partition("?")
    sent_headers = [(b"host", b"127.0.0.1")]
    sent_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if body is not None:
        sent_headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": sent_headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


@contextlib.contextmanager
def inline_threadpool() -> Iterator[None]:
    """Run what FastAPI would hand to a worker thread in the calling thread (for cProfile,
    which sees one thread)."""
    import fastapi.dependencies.utils
    import fastapi.routing
    import starlette.concurrency

    from needlesafe.api import idempotency, limits

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    modules = [fastapi.dependencies.utils, fastapi.routing, starlette.concurrency]
    modules += [idempotency, limits]
    saved = [(module, module.run_in_threadpool) for module in modules]
    for module, _ in saved:
        module.run_in_threadpool = inline  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in saved:
            module.run_in_threadpool = original  # type: ignore[attr-defined]


# ---------------------------------------------------------------- what it costs


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


class ServerCpu:
    """CPU seconds the PostgreSQL server processes of this app's connections have used (by
    application_name; /proc of the same machine). Zero on SQLite (it runs in-process)."""

    def __init__(self, url: str | None) -> None:
        self.engine = None
        if url is not None:
            from needlesafe.store.db import make_engine

            self.engine = make_engine(url)
        self.ticks = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        if self.engine is None:
            return 0.0
        from sqlalchemy import text

        with self.engine.connect() as connection:
            pids = connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": APPLICATION_NAME},
            ).all()
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / self.ticks


def requests_of(token: str, staff: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {"healthz": []}
    for spec in load.load_mix(token, staff):
        by_kind.setdefault(spec["kind"], []).append(spec)
    by_kind["healthz"] = [{"kind": "healthz", "method": "GET", "path": "/healthz"}]
    return by_kind


async def _send_all(app: Any, specs: list[dict[str, Any]], n: int) -> None:
    for i in range(n):
        spec = specs[i % len(specs)]
        status, answer = await call(
            app, spec["method"], spec["path"], headers=spec.get("headers"), body=spec.get("json")
        )
        if status >= 400:
            raise SystemExit(f"{spec['kind']}: {status} {answer[:300]!r}")


def measure(
    app: Any,
    by_kind: dict[str, list[dict[str, Any]]],
    counter: StatementCounter,
    server: ServerCpu,
    *,
    n: int,
    runs: int,
) -> dict[str, dict[str, float]]:
    loop = asyncio.new_event_loop()
    for specs in by_kind.values():  # warm: plans, caches, the pool's connections
        loop.run_until_complete(_send_all(app, specs, 20))
    rounds: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in by_kind}
    for _ in range(runs):
        for kind, specs in by_kind.items():
            statements = counter.count
            server_before = server.seconds()
            cpu, wall = time.process_time(), time.perf_counter()
            loop.run_until_complete(_send_all(app, specs, n))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            server_cpu = server.seconds() - server_before
            rounds[kind].append(
                (cpu / n, server_cpu / n, wall / n, (counter.count - statements) / n)
            )
    loop.close()
    return {
        kind: {
            "cpu_ms": statistics.median(r[0] for r in values) * 1000,
            "server_cpu_ms": statistics.median(r[1] for r in values) * 1000,
            "wall_ms": statistics.median(r[2] for r in values) * 1000,
            "statements": statistics.median(r[3] for r in values),
            "cpu_ms_spread": (
                min(r[0] for r in values) * 1000,
                max(r[0] for r in values) * 1000,
            ),
        }
        for kind, values in rounds.items()
    }


def profile(app: Any, specs: list[dict[str, Any]], n: int, top: int) -> None:
    loop = asyncio.new_event_loop()
    with inline_threadpool():
        loop.run_until_complete(_send_all(app, specs, 20))
        profiler = cProfile.Profile(time.thread_time)  # CPU time, not time waiting
        profiler.enable()
        loop.run_until_complete(_send_all(app, specs, n))
        profiler.disable()
    loop.close()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per kind and round")
    parser.add_argument("--runs", type=int, default=5, help="rounds; medians are reported")
    parser.add_argument("--profile", choices=KINDS, help="cProfile one kind instead")
    parser.add_argument("--top", type=int, default=45, help="functions shown by --profile")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    from needlesafe.app import create_app
    from needlesafe.settings import Settings

    directory = Path(tempfile.mkdtemp(prefix="needlesafe-cost-"))
    url, schema = load._database(args.database, directory)
    try:
        token, _ = load._seed(url, args.checkins)
        app_url = url if schema is None else f"{url}&application_name={APPLICATION_NAME}"
        settings = Settings(
            environment="test",
            database_url=app_url,
            secret_key=load.SECRET,
            token_rate_limit=10_000_000,
            anonymous_rate_limit=10_000_000,
        )
        app = create_app(settings)
        engine = app.state.needlesafe.engine
        status, answer = asyncio.run(
            call(
                app,
                "POST",
                "/api/v1/auth/token",
                body={"email": "demo@needlesafe.example", "password": "needlesafe-demo"},
            )
        )
        if status != 200:
            raise SystemExit(f"sign-in: {status} {answer!r}")
        staff = {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}
        by_kind = requests_of(token, staff)
        if args.profile:
            profile(app, by_kind[args.profile], args.requests, args.top)
            return
        counter = StatementCounter(engine)
        server = ServerCpu(url if schema is not None else None)
        figures = measure(app, by_kind, counter, server, n=args.requests, runs=args.runs)
        engine.dispose()
        if server.engine is not None:
            server.engine.dispose()
    finally:
        if schema:
            load._drop_schema(schema)
        shutil.rmtree(directory, ignore_errors=True)
    _report(args, figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


def _report(args: argparse.Namespace, figures: dict[str, dict[str, float]]) -> None:
    loadavg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n{args.database}, {args.checkins:,} stored check-ins, {args.requests} requests a "
        f"kind in each of {args.runs} rounds, medians; load average {loadavg}\n"
    )
    print("| request | CPU ms (app) | CPU ms (database server) | wall ms | SQL statements |")
    print("|---|---:|---:|---:|---:|")
    for kind, f in figures.items():
        low, high = f["cpu_ms_spread"]
        print(
            f"| {kind} | {f['cpu_ms']:.2f} ({low:.2f}-{high:.2f}) | {f['server_cpu_ms']:.2f} | "
            f"{f['wall_ms']:.2f} | {f['statements']:.1f} |"
        )


if __name__ == "__main__":
    main()
