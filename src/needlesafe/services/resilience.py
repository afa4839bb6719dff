"""When the database cannot be written: what a patient needs never waits on a write.

A page view's audit row, or a patient's check-in, may fail to be stored (a read-only or full
disk, a database that went away). The patient still gets what they came for: the warning
signs, the numbers to call, the triage answer; they are told plainly when their check-in was
not saved. The failure is logged with the exception's type only, never the content.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy.exc import SQLAlchemyError

from needlesafe.store.uow import UnitOfWork

log = logging.getLogger("needlesafe.store")


def commit_or_log(uow: UnitOfWork, what: str) -> bool:
    """Commit; on a database error roll back, log `what` (never content) and return False."""
    try:
        uow.commit()
        return True
    except SQLAlchemyError as error:
        with contextlib.suppress(SQLAlchemyError):  # the connection is gone: the pool drops it
            uow.rollback()
        log.error("not stored: %s (%s)", what, type(error).__name__)
        return False
