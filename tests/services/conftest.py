import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))

from dbkit import *  # noqa: F403 - the shared database fixtures, tests/store/dbkit.py
