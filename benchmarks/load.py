"""Load benchmark: the running service under a fixed arrival rate, from a separate process.

    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql] [--workers 2]
        [--rate 200] [--seconds 20] [--checkins 100000]

One run:
1. makes a new database (a SQLite file, or a PostgreSQL schema of its own that is dropped
   afterwards), migrates it, seeds the demo clinic and `--checkins` stored check-ins for it;
2. times the inbox in-process at that size (medians of 30: the first page as served, with its
   audit row; the next page by cursor; the rows and total alone; the total alone);
   `--inbox-only` stops here;
3. starts `needlesafe serve --workers N` in its own process group;
4. runs the load generator in a *separate process* (this file with --generate): open loop,
   requests started at a fixed rate whatever the answers do, latency measured from each
   request's scheduled start (no coordinated omission). The mix: screening, free-text triage,
   patients' check-ins, the inbox list; then `/healthz` alone at the same rate (the ceiling in
   the same run); then each of `/healthz` and `/api/v1/screen` flat out with 32 connections
   for their throughput;
5. prints a markdown table for the README.

What each kind of request costs in-process (CPU, SQL statements): benchmarks/request_cost.py.

Engine endpoints are called with a bearer token and the per-token limit raised for the run
(NEEDLESAFE_TOKEN_RATE_LIMIT): the anonymous limit per address would otherwise stop a load
generator that comes from one address, which is what it is for.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MESSAGES = [
    "my cheeks are a bit red and warm",
    "it stings a little and my skin is tight and dry",
    "there are small yellow crusts on my chin and it hurts more today",
    "no fever, just some redness, getting better",
    "my lips are swelling and my throat feels tight",
]
INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {
        "areas": ["cheeks"],
        "needle_depth_mm": 1.0,
        "device": "pen",
        "numbing_agent": "lidocaine",
        "topicals": ["hyaluronic_acid"],
    },
}
SECRET = "load-benchmark-" + "x" * 32


def load_mix(token: str, staff: dict[str, str]) -> list[dict[str, Any]]:
    """The mix's requests in the order they are sent (benchmarks/request_cost.py times each
    kind of them in-process)."""
    mix: list[dict[str, Any]] = []
    for i in range(20):
        message = MESSAGES[i % len(MESSAGES)]
        mix += [
            {"kind": "screen", "method": "POST", "path": "/api/v1/screen",
             "json": INTAKE, "headers": staff},
            {"kind": "triage", "method": "POST", "path": "/api/v1/triage",
             "json": {"message": message, "days_since_treatment": 2}, "headers": staff},
            {"kind": "checkin", "method": "POST", "path": f"/api/v1/checkin/{token}",
             "json": {"message": message}},
            {"kind": "inbox", "method": "GET", "path": "/api/v1/checkins?limit=50",
             "headers": staff},
        ]  # fmt: skip
    return mix


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ---------------------------------------------------------------- the load generator


def _encoded(base: str, spec: dict[str, Any]) -> bytes:
    """One request as the bytes sent on a kept-alive HTTP/1.1 connection (built once)."""
    host = base.split("//", 1)[1]
    body = b"" if spec.get("json") is None else json.dumps(spec["json"]).encode()
    lines = [f"{spec['method']} {spec['path']} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (spec.get("headers") or {}).items()]
    if spec.get("json") is not None:
        lines.append("Content-Type: application/json")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request and read its whole answer; the status code. A plain HTTP/1.1 client
    (Content-Length or chunked bodies) that costs the generator far less CPU than httpx, so
    the server, not its load generator, is what the 2 shared cores are spent on."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked = 0, False
    for line in head.lower().split(b"\r\n")[1:]:
        if line.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
        elif line.startswith(b"transfer-encoding:") and b"chunked" in line:
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _open_loop(
    base: str, rate: float, seconds: float, requests: list[dict[str, Any]], connections: int = 64
) -> dict[str, Any]:
    """Request i is due at i/rate whatever the answers do; `connections` senders, each on a
    kept-alive connection of its own, take the due requests in turn, and each latency counts
    from when its request was due, so a slow server is not hidden by the sender waiting for it
    (no coordinated omission)."""
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    failures: dict[str, dict[str, int]] = {}  # kind -> status code or exception name -> count
    total = int(rate * seconds)
    next_index = 0
    encoded = [_encoded(base, spec) for spec in requests]
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    start = time.perf_counter()

    async def sender() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while next_index < total:
                i, next_index = next_index, next_index + 1
                spec = requests[i % len(requests)]
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                try:
                    status = await asyncio.wait_for(
                        _exchange(reader, writer, encoded[i % len(requests)]), 60
                    )
                    ok, outcome = status < 400, str(status)
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
                    ok, outcome = False, type(error).__name__
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.setdefault(spec["kind"], []).append((time.perf_counter() - due) * 1000)
                if not ok:
                    errors[spec["kind"]] = errors.get(spec["kind"], 0) + 1
                    seen = failures.setdefault(spec["kind"], {})
                    seen[outcome] = seen.get(outcome, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return {
        "achieved_rate": total / elapsed,
        "kinds": {
            kind: {
                "n": len(values),
                "p50_ms": statistics.median(values),
                "p99_ms": _percentile(values, 0.99),
                "errors": errors.get(kind, 0),
                "failures": failures.get(kind, {}),
            }
            for kind, values in latencies.items()
        },
    }


async def _flat_out(base: str, spec: dict[str, Any], seconds: float, connections: int) -> float:
    import httpx

    done = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                response = await client.request(
                    spec["method"], spec["path"], json=spec.get("json"), headers=spec.get("headers")
                )
                if response.status_code < 400:
                    done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - started)


def generate(plan_file: str) -> None:
    plan = json.loads(Path(plan_file).read_text())
    base, rate, seconds = plan["base"], plan["rate"], plan["seconds"]
    asyncio.run(_open_loop(base, 20, 3, plan["mix"]))  # warm up: every worker's first calls
    mix = asyncio.run(_open_loop(base, rate, seconds, plan["mix"]))
    health = asyncio.run(_open_loop(base, rate, seconds, [plan["health"]]))
    ceiling = {
        "healthz_rps": asyncio.run(_flat_out(base, plan["health"], plan["flat_seconds"], 32)),
        "screen_rps": asyncio.run(_flat_out(base, plan["screen"], plan["flat_seconds"], 32)),
    }
    print(json.dumps({"mix": mix, "healthz": health, "flat_out": ceiling}))


# ---------------------------------------------------------------- the run


def _database(kind: str, directory: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{directory / 'load.db'}", None
    from sqlalchemy import text

    from needlesafe.store.db import make_engine

    base = os.environ.get(
        "NEEDLESAFE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"needlesafe_load_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{base}?options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    from sqlalchemy import text

    from needlesafe.store.db import make_engine

    base = os.environ.get(
        "NEEDLESAFE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _seed(url: str, checkins: int) -> tuple[str, dict[str, float]]:
    """The demo clinic and `checkins` stored check-ins; (the check-in link token, the inbox's
    timings in ms)."""
    from sqlalchemy import insert, select

    from needlesafe.knowledge.loader import default_knowledge
    from needlesafe.services import demo
    from needlesafe.services.context import Actor
    from needlesafe.store import migrate
    from needlesafe.store import models as m
    from needlesafe.store.db import make_engine, make_session_factory
    from needlesafe.store.uow import UnitOfWork

    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    seeded = demo.seed_demo(
        uow,
        knowledge=default_knowledge(),
        secret_key=SECRET,
        base_url="http://127.0.0.1",
        link_max_age=dt.timedelta(days=30),
        emergency_number="911",
    )
    assert seeded.link is not None
    token = seeded.link.url.rsplit("/", 1)[1]
    with engine.connect() as connection:
        treatment = connection.execute(select(m.Treatment).limit(1)).one()
        user = connection.execute(select(m.User.id).limit(1)).scalar_one()
        now = dt.datetime.now(dt.UTC)
        rng = random.Random(7)
        dispositions = list(m.DISPOSITION_RANK)
        for start in range(0, checkins, 5000):
            rows = []
            for i in range(start, min(checkins, start + 5000)):
                disposition = rng.choices(dispositions, weights=[80, 12, 6, 2])[0]
                rows.append(
                    {
                        "clinic_id": treatment.clinic_id,
                        "patient_id": treatment.patient_id,
                        "treatment_id": treatment.id,
                        "source": "patient_link",
                        "created_at": now - dt.timedelta(minutes=i),
                        "input": {"days_since_treatment": 1, "symptoms": []},
                        "triage": {"disposition": disposition},
                        "disposition": disposition,
                        "urgency": m.DISPOSITION_RANK[disposition],
                        "knowledge_version": "load",
                        "handled": rng.random() < 0.95,
                        "handled_note": "",
                    }
                )
            connection.execute(insert(m.CheckIn), rows)
            # a transaction per 5,000: the clinic's check-in counter (migration 0013) is moved
            # once per row at commit, and many moves of one row in one transaction cost more
            # than linearly (100,000 in one took about two minutes; 5,000 take 0.2 s)
            connection.commit()
    # what the database's own maintenance does after a bulk load (autovacuum; SQLite's
    # optimize): statistics for the planner, PostgreSQL's visibility map for index-only counts
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        from sqlalchemy import text

        postgres = engine.dialect.name == "postgresql"
        connection.execute(text("VACUUM ANALYZE checkins" if postgres else "ANALYZE"))
    actor = Actor(user_id=user, clinic_id=treatment.clinic_id, role="admin")
    timings = _time_inbox(uow, actor)
    engine.dispose()
    return token, timings


def _time_inbox(uow: Any, actor: Any, repeat: int = 30) -> dict[str, float]:
    """Median ms of: the inbox's first page as the API serves it (the query, its total and the
    audit row, committed); the next page by its cursor; the page's rows alone; the total alone."""
    from sqlalchemy import func, select

    from needlesafe.services import checkins as checkin_service
    from needlesafe.store import models as m

    def median_ms(call: Any) -> float:
        call()  # warm: the first call plans and caches
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    first = checkin_service.list_checkins(uow, actor=actor, limit=50)

    def rows_only() -> None:
        with uow:
            uow.checkins.list(actor.clinic_id, offset=0, limit=50)

    def total_only() -> None:
        with uow:
            query = select(func.count()).where(m.CheckIn.clinic_id == actor.clinic_id)
            uow.session.scalar(query)

    return {
        "first_page": median_ms(lambda: checkin_service.list_checkins(uow, actor=actor, limit=50)),
        "next_page": median_ms(
            lambda: checkin_service.list_checkins(
                uow, actor=actor, limit=50, cursor=first.next_cursor
            )
        ),
        "rows_and_total": median_ms(rows_only),
        "total_only": median_ms(total_only),
    }


def _serve(url: str, workers: int, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLESAFE_")}
    env.update(
        NEEDLESAFE_ENVIRONMENT="test",
        NEEDLESAFE_SECRET_KEY=SECRET,
        NEEDLESAFE_TOKEN_RATE_LIMIT="10000000",
        NEEDLESAFE_ANONYMOUS_RATE_LIMIT="10000000",
    )
    needlesafe = Path(sys.executable).parent / "needlesafe"
    command = [str(needlesafe), "serve", "--port", str(port), "--database-url", url]
    command += ["--workers", str(workers), "--no-demo", "--no-worker"]
    log = (directory / "server.log").open("wb")
    server = subprocess.Popen(
        command,
        env=env,
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import httpx

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("the server did not start; see " + str(directory / "server.log"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--flat-seconds", type=float, default=8.0)
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument(
        "--inbox-only", action="store_true", help="seed, time the inbox in-process, stop"
    )
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate)
        return

    import httpx

    directory = Path(tempfile.mkdtemp(prefix="needlesafe-load-"))
    url, schema = _database(args.database, directory)
    try:
        token, inbox_ms = _seed(url, args.checkins)
        if args.inbox_only:
            _report_inbox(args, inbox_ms)
            return
        server, base = _serve(url, args.workers, directory)
        try:
            login = httpx.post(
                base + "/api/v1/auth/token",
                json={"email": "demo@needlesafe.example", "password": "needlesafe-demo"},
            )
            login.raise_for_status()
            staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
            mix = load_mix(token, staff)
            plan = {
                "base": base,
                "rate": args.rate,
                "seconds": args.seconds,
                "flat_seconds": args.flat_seconds,
                "mix": mix,
                "health": {"kind": "healthz", "method": "GET", "path": "/healthz"},
                "screen": mix[0],
            }
            plan_file = directory / "plan.json"
            plan_file.write_text(json.dumps(plan))
            generated = subprocess.run(
                [sys.executable, __file__, "--generate", str(plan_file)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(generated.stdout)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        if schema:
            _drop_schema(schema)
    _report(args, inbox_ms, result)


def _report_inbox(args: argparse.Namespace, inbox_ms: dict[str, float]) -> None:
    print(f"inbox, {args.database}, {args.checkins:,} stored check-ins, median ms of 30:")
    for name, ms in inbox_ms.items():
        print(f"  {name.replace('_', ' ')}: {ms:.1f}")


def _report(args: argparse.Namespace, inbox_ms: dict[str, float], result: dict[str, Any]) -> None:
    print(
        f"\n{args.database}, {args.workers} workers, {args.rate:.0f} requests/s offered for "
        f"{args.seconds:.0f} s, {args.checkins:,} stored check-ins, {os.cpu_count()} cores\n"
    )
    print("| run | requests | achieved/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, run in (("mix", result["mix"]), ("/healthz alone", result["healthz"])):
        for kind, s in sorted(run["kinds"].items()):
            print(
                f"| {name}: {kind} | {s['n']} | {run['achieved_rate']:.0f} | "
                f"{s['p50_ms']:.1f} | {s['p99_ms']:.1f} | {s['errors']} |"
            )
    for name, run in (("mix", result["mix"]), ("/healthz alone", result["healthz"])):
        for kind, s in sorted(run["kinds"].items()):
            if s.get("failures"):
                print(f"  {name}: {kind} failed with: {s['failures']}")
    flat = result["flat_out"]
    ratio = flat["screen_rps"] / flat["healthz_rps"]
    print(
        f"\nflat out (32 connections): /healthz {flat['healthz_rps']:.0f}/s, "
        f"/api/v1/screen {flat['screen_rps']:.0f}/s (ratio {ratio:.2f})"
    )
    _report_inbox(args, inbox_ms)


if __name__ == "__main__":
    main()
