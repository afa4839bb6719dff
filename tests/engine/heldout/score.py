"""Score the reader and triage on the held-out lay check-in set (lay_heldout.yaml).

A measuring script, not a test: pytest does not collect it. Run from the repo root:

    .venv/bin/python tests/engine/heldout/score.py [-v] [SET.yaml ...]

(or `.venv/bin/python -m tests.engine.heldout.score`, also from the repo root: `tests/` is a
package there, found before the `tests` package textstat installs into site-packages.)

Prints n, exact agreement, under-triage (count and list), over-triage rate, emergency
sensitivity, missed red flags, and codes read that the entry says must not be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.triage import triage
from needlesafe.knowledge.loader import default_knowledge

HERE = Path(__file__).resolve().parent
DATA = HERE / "lay_heldout.yaml"
RANK = {"self_care": 0, "contact_clinic": 1, "urgent": 2, "emergency": 3}


def _line(entry: dict[str, Any], answer: str, read: list[str]) -> str:
    return f"  [{entry['expect']} -> {answer}] day {entry['day']}: {entry['text']!r}  read={read}"


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if not a.startswith("-")] or [DATA]
    entries = [e for p in paths for e in yaml.safe_load(p.read_text(encoding="utf-8"))]
    knowledge = default_knowledge()

    exact = 0
    under: list[tuple[dict[str, Any], str, list[str]]] = []
    over: list[tuple[dict[str, Any], str, list[str]]] = []
    emergencies = emergencies_caught = 0
    missed_flags: list[tuple[dict[str, Any], list[str], list[str]]] = []
    wrongly_read: list[tuple[dict[str, Any], list[str]]] = []

    for entry in entries:
        checkin = parse_checkin(
            {"days_since_treatment": entry["day"], "message": entry["text"]}, knowledge
        )
        result = triage(checkin, knowledge)
        got, want = result.disposition, entry["expect"]
        read = list(result.symptoms)
        if got == want:
            exact += 1
        elif RANK[got] < RANK[want]:
            under.append((entry, got, read))
        else:
            over.append((entry, got, read))
        if want == "emergency":
            emergencies += 1
            emergencies_caught += got == "emergency"
        missing = [c for c in entry.get("red_flags", []) if c not in read]
        if missing:
            missed_flags.append((entry, missing, read))
        forbidden = entry.get("negated", []) + entry.get("absent", [])
        bad = [c for c in forbidden if c in read]
        if bad:
            wrongly_read.append((entry, bad))

    n = len(entries)
    print(f"n: {n}")
    print(f"exact agreement: {exact}/{n} = {exact / n:.1%}")
    print(f"under-triage: {len(under)}")
    for entry, answer, read in under:
        print(_line(entry, answer, read))
    print(f"over-triage rate: {len(over)}/{n} = {len(over) / n:.1%}")
    if verbose:
        for entry, answer, read in over:
            print(_line(entry, answer, read))
    sens = emergencies_caught / emergencies if emergencies else float("nan")
    print(f"emergency sensitivity: {emergencies_caught}/{emergencies} = {sens:.3f}")
    print(f"missed red flags: {len(missed_flags)}")
    for entry, missing, read in missed_flags:
        print(f"  missing {missing} day {entry['day']}: {entry['text']!r}  read={read}")
    print(f"negated/absent codes read anyway: {len(wrongly_read)}")
    for entry, bad in wrongly_read:
        print(f"  read {bad}: {entry['text']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
