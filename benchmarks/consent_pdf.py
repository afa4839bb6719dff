"""Consent PDF latency as a server process sees it (issue 12, item 9).

Each scenario runs in a fresh Python process (WeasyPrint, Pango and the fonts are loaded once
per process, so only a new process shows the first-PDF cost):

Each step prints the wall time and the process's CPU time (steadier on a shared machine).

- cold:   the first PDF of a process, nothing done before it;
- warmed: `documents.render.warm_up()` first (what `needlesafe serve` does at start), then
          the first PDF of a sheet, the same sheet again (cached by its version), and a
          different sheet (rendered).

Run: .venv/bin/python benchmarks/consent_pdf.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import datetime as dt, json, sys, time
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


first, other = sheet("intake-cold-sore.json", "Ana"), sheet("intake-cold-sore.json", "Ben")
times = {}
steps = [("first", first), ("repeat", first), ("other", other)]
if sys.argv[1] == "warmed":
    steps.insert(0, ("warm_up", None))
for label, one in steps:
    start, cpu = time.perf_counter(), time.process_time()
    pdf = render.warm_up() if one is None else render.render_consent_pdf(one)
    times[label] = (time.perf_counter() - start, time.process_time() - cpu)
    assert one is None or pdf.startswith(b"%PDF")
print(json.dumps(times))
"""


def run(mode: str) -> dict[str, list[float]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(ROOT / "examples")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    from needlesafe.documents import render

    modes = ("cold", "warmed") if hasattr(render, "warm_up") else ("cold",)  # before: no warm-up
    for mode in modes:
        results = [run(mode) for _ in range(runs)]
        shown = ", ".join(
            f"{k} {statistics.median(r[k][0] for r in results) * 1000:.0f} ms"
            f" (cpu {statistics.median(r[k][1] for r in results) * 1000:.0f})"
            for k in results[0]
        )
        print(f"{mode:6} (median of {runs}; wall, cpu in ms): {shown}")


if __name__ == "__main__":
    main()
