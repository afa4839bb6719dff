"""Triage benchmark: free-text check-ins per second on one core, latency per check-in.

    .venv/bin/python benchmarks/triage.py [--checkins 20000] [--repeats 5] [--seed 11]

One run measures, on the same generated file of check-ins (seeded random, one per line, every
one with a free-text message of 5 to 40 words built from the reader's own lay words, negations,
trend words and temperatures, plus 0-3 structured symptoms):

- baseline: json.loads + parse_checkin (what any consumer of a check-in must do)
- reader:   read_message() alone, on the messages
- engine:   triage() alone, on the already parsed check-ins (it reads the message)
- bulk:     the whole `needlesafe triage FILE.jsonl` path per line (json.loads + parse_checkin
            + triage + model_dump_json)

and reports medians over the repetitions, latency p50/p95 of one triage, and the bulk rate
(target >= 2,000 free-text check-ins/s on one core), as a markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from typing import Any

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.reader import read_message
from needlesafe.engine.triage import triage
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import default_knowledge

FILLER = [
    "my",
    "face",
    "the",
    "cheeks",
    "it",
    "is",
    "and",
    "since",
    "yesterday",
    "today",
    "this",
    "morning",
    "around",
    "chin",
]
OPENERS = ["", "hi,", "hello.", "day check:", "question:", "update -"]


def generate(count: int, seed: int, knowledge: Knowledge) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    tk = knowledge.triage
    if tk is None:
        raise SystemExit("the knowledge base has no triage part")
    terms = [t for entry in tk.symptoms.values() for t in entry.terms]
    negations = [t.phrase for t in tk.reader.negation if t.direction == "forward"]
    trends = [w for words in tk.reader.trend.values() for w in words]
    severities = [w for words in tk.reader.severity.values() for w in words]
    codes = sorted(knowledge.codes["symptoms"])
    checkins = []
    for _ in range(count):
        words: list[str] = [rng.choice(OPENERS)]
        for _ in range(rng.randint(1, 5)):
            part = [rng.choice(FILLER)]
            if rng.random() < 0.3:
                part.append(rng.choice(negations))
            if rng.random() < 0.3:
                part.append(rng.choice(severities))
            part.append(rng.choice(terms))
            if rng.random() < 0.3:
                part.append(rng.choice(["or", "and", ","]) + " " + rng.choice(terms))
            if rng.random() < 0.3:
                part.append(rng.choice(trends))
            words.append(" ".join(part) + rng.choice([".", ",", " but", ";", "!"]))
        if rng.random() < 0.15:
            words.append(rng.choice(["temp 38.4", "101.5F", "37.2", "temperature 39"]))
        data: dict[str, Any] = {
            "days_since_treatment": rng.choice([0, 0.5, 1, 2, 3, 4, 5, 7, 10, 14, 30, 60, 90]),
            "symptoms": rng.sample(codes, rng.choice([0, 0, 1, 2, 3])),
            "message": " ".join(w for w in words if w),
        }
        if rng.random() < 0.2:
            data["temperature_c"] = round(rng.uniform(36.0, 39.5), 1)
        checkins.append(data)
    return checkins


def timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkins", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    knowledge = default_knowledge()
    assert knowledge.triage is not None  # generate() checked it
    tk = knowledge.triage
    lines = [json.dumps(c) for c in generate(args.checkins, args.seed, knowledge)]
    parsed = [parse_checkin(json.loads(line), knowledge) for line in lines]
    messages = [c.message or "" for c in parsed]
    n = len(lines)
    words = statistics.mean(len(m.split()) for m in messages)

    for checkin in parsed[:500]:  # warm up
        triage(checkin, knowledge)
    latencies = []
    for _ in range(max(1, args.repeats)):
        for checkin in parsed[:2000]:
            start = time.perf_counter_ns()
            triage(checkin, knowledge)
            latencies.append(time.perf_counter_ns() - start)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1000
    p95 = latencies[int(len(latencies) * 0.95)] / 1000

    def baseline() -> None:
        for line in lines:
            parse_checkin(json.loads(line), knowledge)

    def reader() -> None:
        for message in messages:
            read_message(message, tk)

    def engine() -> None:
        for checkin in parsed:
            triage(checkin, knowledge)

    def bulk() -> None:
        for line in lines:
            triage(parse_checkin(json.loads(line), knowledge), knowledge).model_dump_json()

    runs: dict[str, list[float]] = {"baseline": [], "reader": [], "engine": [], "bulk": []}
    for _ in range(args.repeats):  # interleaved, so that machine noise hits them alike
        for name, fn in (
            ("baseline", baseline),
            ("reader", reader),
            ("engine", engine),
            ("bulk", bulk),
        ):
            runs[name].append(timed(fn))
    t = {name: statistics.median(values) for name, values in runs.items()}

    mix: dict[str, int] = {}
    for checkin in parsed[:5000]:
        d = triage(checkin, knowledge).disposition
        mix[d] = mix.get(d, 0) + 1

    print(
        f"triage benchmark: {n:,} generated free-text check-ins (seed {args.seed}, "
        f"{words:.0f} words per message on average), median of {args.repeats} runs; "
        f"Python {platform.python_version()}, one core; knowledge {knowledge.version}"
    )
    print(f"disposition mix (first 5,000): {mix}\n")
    print("| measure | per check-in | per second |")
    print("|---|---:|---:|")
    print(f"| one triage (reader + engine), latency p50 / p95 | {p50:.0f} / {p95:.0f} µs | |")

    def row(label: str, seconds: float) -> None:
        print(f"| {label} | {seconds / n * 1e6:.0f} µs | {n / seconds:,.0f} |")

    row("baseline: json.loads + parse_checkin", t["baseline"])
    row("reader alone (read_message)", t["reader"])
    row("engine alone (triage, reads the message)", t["engine"])
    row("**bulk JSON Lines** (parse + triage + serialise)", t["bulk"])
    print(f"| ratio engine / baseline | {t['engine'] / t['baseline']:.1f} | |")
    ok = n / t["bulk"] >= 2_000
    print(f"\ntarget {'met' if ok else 'NOT met'}: bulk >= 2,000 free-text check-ins/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
