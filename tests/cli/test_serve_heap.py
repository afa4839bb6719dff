"""A server process freezes its long-lived heap once the app is built: a full garbage
collection would otherwise walk the knowledge base's word indexes and the app (about 270,000
objects, some 125 ms here) in the middle of a request, the tail of the latency that
benchmarks/load.py measured (README, issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc
from needlesafe.cli.server import worker_app
worker_app()
frozen = gc.get_freeze_count()
import time
start = time.perf_counter()
gc.collect()
print(frozen, round((time.perf_counter() - start) * 1000, 1))
"""


def test_a_worker_process_freezes_its_heap_after_building_the_app(tmp_path: Path) -> None:
    env = {**os.environ, "NEEDLESAFE_DATABASE_URL": f"sqlite:///{tmp_path / 'heap.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, collect_ms = done.stdout.split()
    # the knowledge base and the app are out of the collector's sight
    assert int(frozen) > 100_000
    assert float(collect_ms) < 50  # a full collection no longer walks them
