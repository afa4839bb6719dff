"""The unit of work: one transaction; rolled back on exit unless `commit()` was called."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from needlesafe.store.audit import AuditLog, IdempotencyClaim
from needlesafe.store.repositories import (
    AdverseEventRepository,
    CheckInRepository,
    ClinicRepository,
    ConsentRepository,
    IntakeRepository,
    LotRepository,
    PatientRepository,
    TokenRepository,
    TreatmentRepository,
    UserRepository,
)


class UnitOfWork:
    session: Session

    def __init__(
        self, session_factory: sessionmaker[Session], *, claim: IdempotencyClaim | None = None
    ) -> None:
        self._session_factory = session_factory
        self.claim = claim  # a POST's Idempotency-Key: stored with the record it creates

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.clinics = ClinicRepository(self.session)
        self.users = UserRepository(self.session)
        self.tokens = TokenRepository(self.session)
        self.audit = AuditLog(self.session)
        self.audit.claim = self.claim
        self.patients = PatientRepository(self.session)
        self.intakes = IntakeRepository(self.session)
        self.treatments = TreatmentRepository(self.session)
        self.checkins = CheckInRepository(self.session)
        self.adverse_events = AdverseEventRepository(self.session)
        self.lots = LotRepository(self.session)
        self.consents = ConsentRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()  # a no-op after commit()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
