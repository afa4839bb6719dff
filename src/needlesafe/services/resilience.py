"""When the database cannot be written: what a patient needs never waits on a write.

A page view's audit row, or a patient's check-in, may fail to be stored (a read-only or full
disk, a database that went away). The patient still gets what they came for: the warning
signs, the numbers to call, the triage answer; they are told plainly when their check-in was
not saved. The failure is logged with the exception's type only, never the content.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from needlesafe.store.reliability import Heartbeat
from needlesafe.store.uow import UnitOfWork

log = logging.getLogger("needlesafe.store")


@dataclass
class Stored:
    saved: bool = False


@contextlib.contextmanager
def stored_or_logged(uow: UnitOfWork, what: str) -> Iterator[Stored]:
    """Run the writes and the commit inside; on a database error roll back, log `what` (never
    content) and carry on: `.saved` says which happened."""
    outcome = Stored()
    try:
        yield outcome
        outcome.saved = True
    except SQLAlchemyError as error:
        with contextlib.suppress(SQLAlchemyError):  # the connection is gone: the pool drops it
            uow.rollback()
        log.error("not stored: %s (%s)", what, type(error).__name__)


def readiness(uow: UnitOfWork) -> dict[str, bool]:
    """Whether the database can be read and written now: a read, and a write to the heartbeat
    row that is rolled back (it takes the same locks and checks as a real write)."""
    found = {"read": False, "write": False}
    with uow:
        try:
            uow.session.execute(select(Heartbeat.id).limit(1)).all()
            found["read"] = True
            uow.session.execute(
                update(Heartbeat).where(Heartbeat.id == 1).values(at=dt.datetime.now(dt.UTC))
            )
            found["write"] = True
        except SQLAlchemyError as error:
            log.warning("not ready: %s", type(error).__name__)
    return found
