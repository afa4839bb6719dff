"""The inbox, served page by page from two index-ordered queries (issue 16, item 5), keeps its
order: those needing attention first (most urgent, then newest), then the rest newest first;
every check-in exactly once across the pages. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from typing import cast

from needlesafe.knowledge.triage_schema import Disposition
from needlesafe.services import checkins
from needlesafe.services.schemas import CheckInPublic
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.api.apikit import ClinicWorld
from tests.store.dbkit import add_checkin_row


def test_pages_of_the_inbox_follow_its_order_with_nothing_lost_or_repeated(
    uow: UnitOfWork, clinic_a: ClinicWorld
) -> None:
    rng = random.Random(3)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for _ in range(23):
        add_checkin_row(
            uow,
            clinic_id=clinic_a.clinic_id,
            patient_id=clinic_a.patient,
            treatment_id=clinic_a.treatment,
            disposition=rng.choice(list(m.DISPOSITION_RANK)),
            created_at=start + dt.timedelta(hours=rng.randrange(500)),
            handled=rng.random() < 0.4,
        )
    actor = clinic_a.practitioner.actor
    whole = checkins.list_checkins(uow, actor=actor, limit=200)
    assert whole.total == 24

    def key(c: CheckInPublic) -> tuple[bool, int, float, int]:
        attention = not c.handled and c.disposition != "self_care"
        rank = m.DISPOSITION_RANK[cast(Disposition, c.disposition)] if attention else 0
        return (not attention, -rank, -c.created_at.timestamp(), -c.id)

    assert [c.id for c in whole.items] == [c.id for c in sorted(whole.items, key=key)]
    paged = []
    for offset in range(0, 24, 5):
        page = checkins.list_checkins(uow, actor=actor, offset=offset, limit=5)
        assert page.total == 24
        paged += [c.id for c in page.items]
    assert paged == [c.id for c in whole.items]
    attention = checkins.list_checkins(uow, actor=actor, needs_attention=True, limit=200)
    rest = checkins.list_checkins(uow, actor=actor, needs_attention=False, limit=200)
    assert [c.id for c in attention.items] + [c.id for c in rest.items] == paged
