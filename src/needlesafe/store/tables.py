"""Every table of the store in one metadata: the records (`models`), the follow-up loop
(`followup`, migration 0008), interop (`interop`, 0007) and reliability (`reliability`, 0009).
Alembic's environment and the migration drift test import this, so each sees every table; the
modules themselves import only `models` (their base), never each other."""

from __future__ import annotations

from needlesafe.store import followup, interop, reliability
from needlesafe.store.models import Base

MODULES = (followup, interop, reliability)  # imported for their tables
metadata = Base.metadata
