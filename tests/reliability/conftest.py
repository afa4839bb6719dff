import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "store"), str(HERE.parent / "api"), str(HERE)]

from apikit import *  # noqa: E402, F403  (the API fixtures, tests/api/apikit.py)
from dbkit import *  # noqa: E402, F403  (the shared database fixtures, tests/store/dbkit.py)
from faultkit import *  # noqa: E402, F403  (a database that refuses writes, on demand)
