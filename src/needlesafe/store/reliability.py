"""Tables of migration 0009 (issue 16): sign-in attempts, idempotency keys, the heads of the
audit hash chains, and the heartbeat row `/readyz` writes to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from needlesafe.store.models import Base, utcnow


class SignInAttempt(Base):
    """Failed sign-ins counted per key ("account:<email>" or "address:<ip>"), shared by every
    worker; times are seconds since the epoch so one SQL statement can do the arithmetic."""

    __tablename__ = "sign_in_attempts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)
    locked_until: Mapped[float | None] = mapped_column(Float)


class IdempotencyKey(Base):
    """A POST that created a record, by its caller's `Idempotency-Key`: written in the same
    transaction as the record; the answer is kept (after it was sent) to be given again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # sha256 of the caller's credential + route
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    clinic_id: Mapped[int | None] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditChainHead(Base):
    """The last link of one clinic's audit chain (chain 0: rows of no clinic). Updated in the
    transaction that appends, which serialises appends to one chain."""

    __tablename__ = "audit_chain_heads"
    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class Heartbeat(Base):
    """One row; `/readyz` updates it (and rolls back) to learn whether a write would work."""

    __tablename__ = "heartbeat"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
