"""The audit log: append-only, and tamper-evident.

Each row carries its place in its clinic's chain (`seq`), the hash of the row before it and
its own hash over both and its content (SHA-256 of a canonical JSON). The chain's head (last
seq and hash) sits in `audit_chain_heads` and is updated in the same transaction, which also
serialises appends to one chain. Editing a row, deleting one, or cutting the tail breaks the
chain at that point, and `verify` says where, even when the triggers that refuse UPDATE and
DELETE were dropped first.

A "create" row is also where a POST's `Idempotency-Key` is claimed (`claim`): in the same
transaction as the record it names, so a retry can never store the record twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from needlesafe.store import models as m
from needlesafe.store.reliability import AuditChainHead, IdempotencyKey

if TYPE_CHECKING:
    from needlesafe.store.repositories import Page

GENESIS = "0" * 64


@dataclass
class IdempotencyClaim:
    """A POST's key, claimed by the first "create" audited in its request."""

    scope: str
    key: str
    request_hash: str
    used: bool = False


def chain_of(clinic_id: int | None) -> int:
    return clinic_id or 0


def row_hash(prev_hash: str, row: m.AuditEvent) -> str:
    at = row.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = [
        prev_hash,
        row.seq,
        row.clinic_id,
        at,
        row.user_id,
        row.actor,
        row.action,
        row.record_type,
        row.record_id,
        row.client_address,
    ]
    if row.record_ids is not None:  # rows before migration 0012 keep their hashes
        content.append(row.record_ids)
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(session: Session, row: m.AuditEvent) -> m.AuditEvent:
    """Link `row` to the end of its clinic's chain and add it (inside the caller's
    transaction; the head row stays locked until it ends)."""
    chain = chain_of(row.clinic_id)
    # the UPDATE first: it takes the write lock (SQLite) or the head row's lock (PostgreSQL)
    # before the head is read, so two transactions never link to the same row
    advance = (
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    )
    moved = session.execute(advance).first()
    if moved is None:  # the chain's first row: make its head (once, whoever is first)
        sqlite = session.get_bind().dialect.name == "sqlite"
        start = (sqlite_insert if sqlite else pg_insert)(AuditChainHead)
        session.execute(
            start.values(chain=chain, seq=0, last_hash=GENESIS).on_conflict_do_nothing()
        )
        moved = session.execute(advance).one()
    seq, prev = moved
    row.seq = seq
    row.prev_hash = prev
    row.hash = row_hash(prev, row)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.chain == chain)
        .values(last_hash=row.hash)
        .execution_options(synchronize_session=False)
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class BrokenLink:
    chain: int
    seq: int
    audit_id: int | None
    problem: str

    def __str__(self) -> str:
        where = "no clinic" if self.chain == 0 else f"clinic {self.chain}"
        row = f" (audit row {self.audit_id})" if self.audit_id is not None else ""
        return f"{where}: link {self.seq}{row}: {self.problem}"


def _rows(session: Session, chain: int) -> Iterator[m.AuditEvent]:
    scope = m.AuditEvent.clinic_id.is_(None) if chain == 0 else m.AuditEvent.clinic_id == chain
    query = select(m.AuditEvent).where(scope).order_by(m.AuditEvent.seq, m.AuditEvent.id)
    yield from session.scalars(query.execution_options(yield_per=1000))


def verify(session: Session) -> tuple[int, list[BrokenLink]]:
    """Walk every chain; (rows checked, the first broken link of each broken chain)."""
    heads = {h.chain: h for h in session.scalars(select(AuditChainHead)).all()}
    chains = {chain_of(c) for c in session.scalars(select(m.AuditEvent.clinic_id).distinct())}
    checked = 0
    broken: list[BrokenLink] = []
    for chain in sorted(chains | set(heads)):
        prev, expected, problem = GENESIS, 1, None
        for row in _rows(session, chain):
            checked += 1
            if row.seq is None or row.hash is None:
                problem = BrokenLink(chain, expected, row.id, "a row without a hash")
            elif row.seq > expected:
                problem = BrokenLink(chain, expected, None, "missing (deleted?)")
            elif row.seq < expected:
                problem = BrokenLink(chain, row.seq, row.id, "a second row in this place")
            elif row.prev_hash != prev:
                problem = BrokenLink(chain, row.seq, row.id, "does not follow the row before")
            elif row_hash(prev, row) != row.hash:
                problem = BrokenLink(chain, row.seq, row.id, "changed after it was written")
            if problem is not None:
                break
            prev, expected = row.hash or GENESIS, expected + 1
        head = heads.get(chain)
        if (
            problem is None
            and head is not None
            and (head.seq, head.last_hash)
            != (
                expected - 1,
                prev,
            )
        ):
            problem = BrokenLink(chain, expected, None, "missing at the end (cut off?)")
        if problem is None and head is None and expected > 1:
            problem = BrokenLink(chain, 1, None, "the chain's head is missing")
        if problem is not None:
            broken.append(problem)
    return checked, broken


class AuditLog:
    """Append only: there is no update and no delete here (and triggers refuse them)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.claim: IdempotencyClaim | None = None  # set by the caller of a POST with a key

    def record(
        self,
        *,
        clinic_id: int | None,
        user_id: int | None,
        actor: str,
        action: str,
        record_type: str,
        record_id: int | str | None = None,
        client_address: str | None = None,
        record_ids: Sequence[int] | None = None,
    ) -> None:
        row = m.AuditEvent(
            at=m.utcnow(),
            clinic_id=clinic_id,
            user_id=user_id,
            actor=actor,
            action=action,
            record_type=record_type,
            record_id=None if record_id is None else str(record_id),
            client_address=client_address,
            record_ids=None if record_ids is None else ",".join(str(i) for i in record_ids),
        )
        append(self.session, row)
        claim = self.claim
        if action == "create" and claim is not None and not claim.used:
            claim.used = True  # the first record created is the answer
            self.session.add(
                IdempotencyKey(
                    scope=claim.scope,
                    key=claim.key,
                    request_hash=claim.request_hash,
                    clinic_id=clinic_id,
                    record_type=record_type,
                    record_id=row.record_id,
                )
            )

    def list(
        self, clinic_id: int, *, offset: int, limit: int, cursor: str | None = None
    ) -> Page[m.AuditEvent]:
        """Newest first, through the index on (clinic_id, id) (migration 0011)."""
        # (repositories imports this module)
        from needlesafe.store.repositories import AUDIT_ORDER, keyset_page

        query = select(m.AuditEvent).where(m.AuditEvent.clinic_id == clinic_id)
        return keyset_page(
            self.session, query, AUDIT_ORDER, offset=offset, limit=limit, cursor=cursor
        )
