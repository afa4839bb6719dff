"""Read models: a page's data read in one unit of work, with one audit row that names the
record viewed (`read patient_timeline 42`); counts for badges are not reads of records and are
not audited."""

from __future__ import annotations

from sqlalchemy import func, select

from needlesafe.services.context import Actor
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def _inbox_count(uow: UnitOfWork, clinic_id: int) -> int:
    query = select(func.count()).where(
        m.CheckIn.clinic_id == clinic_id, m.CheckIn.handled.is_(False), m.CheckIn.urgency > 0
    )
    return int(uow.session.scalar(query) or 0)


def inbox_badge(uow: UnitOfWork, *, actor: Actor) -> int:
    """How many check-ins need attention (the inbox badge): a count, no audit row."""
    with uow:
        return _inbox_count(uow, actor.clinic_id)
