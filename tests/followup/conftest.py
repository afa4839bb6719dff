"""The API fixtures (tests/api/apikit.py) over the shared database fixtures
(tests/store/dbkit.py), an SMTP server (followkit.py), and settings with a photo folder."""

from pathlib import Path

import pytest

from needlesafe.settings import Settings

# fixtures shared from the kits (`name as name`: re-exported for pytest)
from tests.api.apikit import app as app
from tests.api.apikit import client as client
from tests.api.apikit import clinic_a as clinic_a
from tests.api.apikit import clinic_b as clinic_b
from tests.followup.followkit import smtp as smtp
from tests.store.dbkit import SECRET
from tests.store.dbkit import cheap_password_hashing as cheap_password_hashing
from tests.store.dbkit import database as database
from tests.store.dbkit import db_url as db_url
from tests.store.dbkit import engine as engine
from tests.store.dbkit import uow as uow


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The shared test settings, with a photo folder of this test's own and small photo
    limits (so the limits can be tested with small files)."""
    return Settings(
        environment="test",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url="https://clinic.example",
        photo_dir=str(tmp_path / "photos"),
        photo_max_bytes=400_000,
        photo_max_pixels=3_000_000,
    )
