import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "store"), str(HERE.parent / "api"), str(HERE)]

import pytest  # noqa: E402
from apikit import *  # noqa: E402, F403  (the API fixtures, tests/api/apikit.py)
from dbkit import *  # noqa: E402, F403  (the shared database fixtures, tests/store/dbkit.py)
from followkit import *  # noqa: E402, F403  (SMTP server, worker, treatments: followkit.py)

from needlesafe.settings import Settings  # noqa: E402


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The shared test settings, with a photo folder of this test's own and small photo
    limits (so the limits can be tested with small files)."""
    return Settings(
        environment="test",
        database_url=db_url,
        secret_key=SECRET,  # type: ignore[arg-type]  # noqa: F405
        public_base_url="https://clinic.example",
        photo_dir=str(tmp_path / "photos"),
        photo_max_bytes=400_000,
        photo_max_pixels=3_000_000,
    )
