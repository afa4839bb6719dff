"""Consent PDF latency as a server process sees it (issue 12, item 9).

Each scenario runs in a fresh Python process (WeasyPrint, Pango and the fonts are loaded once
per process, so only a new process shows the first-PDF cost). Each step prints the wall time
and the process's CPU time (steadier on a shared machine):

- cold:   the first PDF of a process, nothing done before it;
- warmed: `documents.render.warm_up()` first (what `needlesafe serve` does at start), then
          the first PDF of a sheet, the same sheet again (cached by its version), and a
          different sheet (rendered);
- ahead:  warmed, then the clinic opens a sheet (its PDF is rendered ahead, in the background)
          and clicks on its PDF link at once, the worst case (`click`; wall time only, the CPU
          figure is the whole process's); a click a second later finds it ready.

`--before DIR` runs the same scenarios on another tree's `src` (e.g. a `git worktree` of the
code before), interleaved with this one, and prints both side by side.

Run: .venv/bin/python benchmarks/consent_pdf.py [--runs 5] [--before /tmp/wt/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import datetime as dt, inspect, json, sys, time
from pathlib import Path

from needlesafe.documents import render
from needlesafe.documents.consent import ClinicDetails, build_consent_sheet
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.loader import default_knowledge

knowledge = default_knowledge()
examples = Path(sys.argv[2])


def sheet(name, patient):
    intake = parse_intake(json.loads((examples / name).read_text()), knowledge)
    return build_consent_sheet(
        intake, screen(intake, knowledge), clinic=ClinicDetails(name="Clinic", phone="555 0100"),
        knowledge=knowledge, issued=dt.date(2026, 12, 3), age_of_consent=18, patient_name=patient,
    )


def warm_up():
    takes_knowledge = inspect.signature(render.warm_up).parameters  # the code before: none
    return render.warm_up(knowledge) if takes_knowledge else render.warm_up()


def click(one):
    render.start_rendering_ahead()
    render.render_ahead(one)  # the page is sent, its PDF rendered behind it
    return render.render_consent_pdf(one)  # ... and the PDF link clicked at once


first, other = sheet("intake-cold-sore.json", "Ana"), sheet("intake-cold-sore.json", "Ben")
mode = sys.argv[1]
steps = [("first", first), ("repeat", first), ("other", other)]
if mode == "warmed":
    steps.insert(0, ("warm_up", None))
if mode == "ahead":
    steps = [("warm_up", None), ("click", first), ("repeat", first)]
times = {}
for label, one in steps:
    start, cpu = time.perf_counter(), time.process_time()
    if one is None:
        warm_up()
    else:
        pdf = click(one) if label == "click" else render.render_consent_pdf(one)
        assert pdf.startswith(b"%PDF")
    times[label] = (time.perf_counter() - start, time.process_time() - cpu)
print(json.dumps(times))
"""


def run(mode: str, src: Path | None) -> dict[str, list[float]]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(ROOT / "examples")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def has_render_ahead(src: Path | None) -> bool:
    render = (src or ROOT / "src") / "needlesafe" / "documents" / "render.py"
    return "def render_ahead" in render.read_text(encoding="utf-8")


def shown(results: list[dict[str, list[float]]]) -> str:
    return ", ".join(
        f"{k} {statistics.median(r[k][0] for r in results) * 1000:.0f}"
        f" ({statistics.median(r[k][1] for r in results) * 1000:.0f})"
        for k in results[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another tree's src, measured alongside")
    args = parser.parse_args()
    trees: dict[str, Path | None] = {"this": None}
    if args.before is not None:
        trees = {"before": args.before.resolve(), "after": None}
    for mode in ("cold", "warmed", "ahead"):
        results: dict[str, list[dict[str, list[float]]]] = {name: [] for name in trees}
        for _ in range(args.runs):  # interleaved, so both see the same machine
            for name, src in trees.items():
                if mode != "ahead" or has_render_ahead(src):
                    results[name].append(run(mode, src))
        for name, got in results.items():
            if got:
                print(f"{mode:6} {name:6} (median of {args.runs}; wall (cpu) ms): {shown(got)}")


if __name__ == "__main__":
    main()
