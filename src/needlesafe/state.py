"""What an app instance holds: built by `create_app`, never at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from needlesafe.knowledge.base import Knowledge
from needlesafe.services.ratelimit import SignInLimiter
from needlesafe.settings import Settings
from needlesafe.store.uow import UnitOfWork


@dataclass
class AppState:
    settings: Settings
    knowledge: Knowledge
    engine: Engine
    session_factory: sessionmaker[Session]
    login_limiter: SignInLimiter  # in the database: shared by every worker

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)
