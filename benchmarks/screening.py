"""Screening benchmark: latency of one assessment and bulk JSON Lines throughput.

    .venv/bin/python benchmarks/screening.py [--intakes 100000] [--repeats 5] [--seed 7] [--cpu N]

One run generates one file of intakes (seeded random, one JSON object per line), pins itself to
one core, and measures on that same text:

- parse:  the CLI's bulk loop (`needlesafe.cli.common.run_bulk`) with `parse_intake` as the
          computation, so each line is json.loads + parse_intake + the intake re-serialised
- engine: screen() alone, on the already parsed intakes
- bulk:   the same loop as `needlesafe screen FILE.jsonl` runs it: each line validated into an
          intake (`assess_line`: pydantic's JSON parser; a checkout without it, json.loads +
          parse_intake), screened, and the assessment serialised

Output goes to /dev/null in both loops; the set-up's objects are frozen out of the garbage
collector's way, as a CLI process has none of them. The three are interleaved, and the medians
over the repetitions are
reported with the ratio engine/parse (target <= 1), the engine's whole share of the bulk path,
(bulk - parse)/parse, and the bulk throughput (target >= 20,000 assessments/s on one core), as
a markdown table for the README. The intake mix is a busy clinic's: most patients have no or
one risk factor, some have several.

    .venv/bin/python benchmarks/screening.py --before DIR [--intakes N] [--repeats R]

measures two engines side by side in one run: DIR holds another checkout's `src` (e.g. from
`git archive REV src | tar -x -C DIR`). Each repetition runs one fresh process per engine, the
two alternating on the same core, and the table shows both medians.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from needlesafe.cli import screening as screening_cli
from needlesafe.cli.common import run_bulk
from needlesafe.cli.screening import compute_assessment
from needlesafe.engine import screening
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import default_knowledge

DEPTHS = [0.25, 0.3, 0.5, 0.75, 1.0, 1.0, 1.5, 1.5, 2.0, 2.5, 3.0]


def generate(count: int, seed: int, knowledge: Knowledge) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    codes = {name: sorted(knowledge.codes[name]) for name in knowledge.codes}

    def some(name: str, weights: list[float]) -> list[str]:
        k = rng.choices(range(len(weights)), weights)[0]
        return rng.sample(codes[name], k)

    intakes = []
    for _ in range(count):
        medications: list[Any] = []
        for code in some("medications", [70, 22, 8]):
            if code == "isotretinoin" and rng.random() < 0.5:
                medications.append({"code": code, "stopped_days_ago": rng.randint(0, 400)})
            else:
                medications.append(code)
        patient: dict[str, Any] = {
            "age": rng.randint(16, 75),
            "fitzpatrick": rng.choice(codes["fitzpatrick"]),
            "conditions": some("conditions", [55, 30, 10, 5]),
            "medications": medications,
            "allergies": some("allergies", [80, 17, 3]),
        }
        if rng.random() < 0.03:
            patient["pregnant"] = True
        if rng.random() < 0.03:
            patient["breastfeeding"] = True
        plan: dict[str, Any] = {
            "areas": rng.sample(codes["areas"], rng.choice([1, 1, 2, 2, 3])),
            "needle_depth_mm": rng.choice(DEPTHS),
            "device": rng.choice(codes["devices"]),
            "setting": "home" if rng.random() < 0.05 else "clinic",
            # most clinics numb with lidocaine and apply hyaluronic acid, some use others
            "numbing_agent": rng.choices(
                ["lidocaine", "none", rng.choice(codes["numbing_agents"])], [60, 20, 20]
            )[0],
            "topicals": rng.choices(
                [[], ["hyaluronic_acid"], some("topicals", [0, 70, 30])], [45, 40, 15]
            )[0],
            "patch_test_done": rng.random() < 0.7,
            "sterile_single_use_needles": rng.random() > 0.01,
        }
        intakes.append({"patient": patient, "plan": plan})
    return intakes


def pin_to_one_core(cpu: int | None) -> int | None:
    """Run on one core (the last one allowed, unless told); None where that is not possible."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    chosen = cpu if cpu is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {chosen})
    return chosen


CLOCK = time.perf_counter  # --cpu-time: the process's CPU time (on a busy shared machine)


def timed(run: Callable[[], object]) -> float:
    """Seconds `run` takes."""
    forget = getattr(screening, "forget", None)  # an older engine's remembered results
    if forget is not None:
        forget()
    start = CLOCK()
    run()
    return CLOCK() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--intakes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=None, help="the core to run on")
    parser.add_argument("--before", type=str, default=None, help="another checkout to compare")
    parser.add_argument("--raw", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--cpu-time", action="store_true", help="time by CPU seconds, not the wall clock"
    )
    args = parser.parse_args(argv)
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    if args.before:
        return side_by_side(args)
    cpu = pin_to_one_core(args.cpu)

    knowledge = default_knowledge()
    text = "".join(json.dumps(i) + "\n" for i in generate(args.intakes, args.seed, knowledge))
    parsed = [parse_intake(json.loads(line), knowledge) for line in text.splitlines()]
    n = len(parsed)
    gc.freeze()  # the set-up's objects are no garbage: the CLI's process holds none of them

    # latency of one assessment (the first 2,000 intakes, one at a time, after a warm-up)
    sample = parsed[:2000]
    for intake in sample:
        screen(intake, knowledge)
    latencies = []
    for _ in range(max(1, args.repeats)):
        for intake in sample:
            start = time.perf_counter_ns()
            screen(intake, knowledge)
            latencies.append(time.perf_counter_ns() - start)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1000
    p95 = latencies[int(len(latencies) * 0.95)] / 1000

    def parse_only() -> None:
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            run_bulk(text, knowledge, parse_intake)

    def engine_only() -> None:
        for intake in parsed:
            screen(intake, knowledge)

    # the CLI's computation from a line's text, where this checkout has one
    compute_line = getattr(screening_cli, "assess_line", None)
    per_line = {"compute_line": compute_line} if compute_line is not None else {}

    def bulk() -> None:
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            run_bulk(text, knowledge, compute_assessment, **per_line)

    # interleave the three so that machine noise hits them alike
    t_parse, t_engine, t_bulk = [], [], []
    for _ in range(args.repeats):
        t_parse.append(timed(parse_only))
        t_engine.append(timed(engine_only))
        t_bulk.append(timed(bulk))
    parse_s, engine_s, bulk_s = map(statistics.median, (t_parse, t_engine, t_bulk))

    if args.raw:
        figures = {"p50": p50, "p95": p95, "parse": parse_s / n, "engine": engine_s / n}
        print(json.dumps({**figures, "bulk": bulk_s / n}))
        return 0
    decisions: dict[str, int] = {}
    for intake in parsed[:10000]:
        decision = screen(intake, knowledge).decision.value
        decisions[decision] = decisions.get(decision, 0) + 1

    core = f"pinned to core {cpu}" if cpu is not None else "not pinned"
    print(
        f"screening benchmark: {n:,} generated intakes (seed {args.seed}), "
        f"median of {args.repeats} runs; Python {platform.python_version()}, one core "
        f"({core}); knowledge {knowledge.version}"
    )
    print(f"decision mix (first 10,000): {decisions}\n")
    print("| measure | per intake | per second |")
    print("|---|---:|---:|")
    print(f"| one assessment, latency p50 / p95 | {p50:.1f} / {p95:.1f} µs | |")
    print(
        f"| parse + re-serialise intake (json.loads, parse_intake, model_dump_json) "
        f"| {parse_s / n * 1e6:.1f} µs | {n / parse_s:,.0f} |"
    )
    print(f"| engine alone (screen) | {engine_s / n * 1e6:.1f} µs | {n / engine_s:,.0f} |")
    print(
        f"| bulk JSON Lines (parse + screen + serialise assessment) "
        f"| {bulk_s / n * 1e6:.1f} µs | {n / bulk_s:,.0f} |"
    )
    print(f"| **ratio engine / parse** (target <= 1) | **{engine_s / parse_s:.2f}** | |")
    print(f"| ratio (bulk - parse) / parse | {(bulk_s - parse_s) / parse_s:.2f} | |")
    ok = engine_s <= parse_s and n / bulk_s >= 20_000
    print(f"\ntargets {'met' if ok else 'NOT met'}: ratio <= 1 and bulk >= 20,000/s")
    return 0


def side_by_side(args: argparse.Namespace) -> int:
    """Both engines, one fresh process each per repetition, alternating; medians shown."""
    here = os.path.abspath(__file__)
    src = os.path.join(os.path.dirname(os.path.dirname(here)), "src")
    trees = {"before": os.path.join(os.path.abspath(args.before), "src"), "after": src}
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    common = ["--intakes", str(args.intakes), "--seed", str(args.seed), "--repeats", "1"]
    if args.cpu_time:
        common.append("--cpu-time")
    if args.cpu is not None:
        common += ["--cpu", str(args.cpu)]
    for _ in range(args.repeats):
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": tree}
            done = subprocess.run(
                [sys.executable, here, "--raw", *common],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))

    def median(name: str, figure: str) -> float:
        return statistics.median(r[figure] for r in runs[name])

    print(
        f"screening benchmark, before ({args.before}) and after side by side: {args.intakes:,} "
        f"generated intakes (seed {args.seed}), median of {args.repeats} runs of each, "
        f"alternating; Python {platform.python_version()}, one core"
        f"{', CPU time' if args.cpu_time else ''}\n"
    )
    print("| measure | before | after | before / after |")
    print("|---|---:|---:|---:|")
    print(
        f"| one assessment, latency p50 / p95 | {median('before', 'p50'):.1f} / "
        f"{median('before', 'p95'):.1f} µs | {median('after', 'p50'):.1f} / "
        f"{median('after', 'p95'):.1f} µs | "
        f"{median('before', 'p50') / median('after', 'p50'):.2f} (p50) |"
    )
    for label, figure in (
        ("parse + re-serialise intake", "parse"),
        ("engine alone (screen)", "engine"),
        ("bulk JSON Lines (parse + screen + serialise)", "bulk"),
    ):
        cells = [
            f"{median(n, figure) * 1e6:.1f} µs ({1 / median(n, figure):,.0f}/s)"
            for n in ("before", "after")
        ]
        ratio = median("before", figure) / median("after", figure)
        print(f"| {label} | {cells[0]} | {cells[1]} | {ratio:.2f} |")
    bulk = 1 / median("after", "bulk")
    print(f"\nbulk after: {bulk:,.0f}/s, target 20,000/s {'met' if bulk >= 20_000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
