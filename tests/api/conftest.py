"""The API fixtures (apikit.py) over the shared database fixtures (tests/store/dbkit.py)."""

# fixtures shared from the kits (`name as name`: re-exported for pytest)
from tests.api.apikit import app as app
from tests.api.apikit import client as client
from tests.api.apikit import clinic_a as clinic_a
from tests.api.apikit import clinic_b as clinic_b
from tests.api.clikit import env as env
from tests.store.dbkit import cheap_password_hashing as cheap_password_hashing
from tests.store.dbkit import database as database
from tests.store.dbkit import db_url as db_url
from tests.store.dbkit import engine as engine
from tests.store.dbkit import settings as settings
from tests.store.dbkit import uow as uow
