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
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, insert, select, update
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


_HEADS = cast(Table, AuditChainHead.__table__)
_EVENTS = cast(Table, m.AuditEvent.__table__)
_STORED: tuple[str, ...] = ("at", "clinic_id", "user_id", "actor", "action", "record_type")
_STORED += ("record_id", "record_ids", "seq", "prev_hash", "hash", "client_address")
# built once (every request appends: building and keying a statement costs more than running it)
_ADVANCE = (
    update(_HEADS)
    .where(_HEADS.c.chain == bindparam("head_chain"))
    .values(seq=_HEADS.c.seq + 1)
    .returning(_HEADS.c.seq, _HEADS.c.last_hash)
)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.chain == bindparam("head_chain"))
    .values(last_hash=bindparam("head_hash"))
)
_INSERT = insert(_EVENTS).values({name: bindparam(f"event_{name}") for name in _STORED})
_INSERT_MOVING_HEAD = _INSERT.add_cte(_MOVE_HEAD.cte("moved_head"))  # PostgreSQL


def append(session: Session, row: m.AuditEvent) -> m.AuditEvent:
    """Link `row` to the end of its clinic's chain and insert it (inside the caller's
    transaction; the head row stays locked until it ends). Two statements on PostgreSQL (the
    row and the head's new hash go together), three on SQLite; `row` is not added to the
    session (nothing reads an audit row back in the transaction that wrote it)."""
    chain = chain_of(row.clinic_id)
    postgres = session.get_bind().dialect.name == "postgresql"
    # the UPDATE first: it takes the write lock (SQLite) or the head row's lock (PostgreSQL)
    # before the head is read, so two transactions never link to the same row
    moved = session.execute(_ADVANCE, {"head_chain": chain}).first()
    if moved is None:  # the chain's first row: make its head (once, whoever is first)
        start = (pg_insert if postgres else sqlite_insert)(_HEADS)
        session.execute(
            start.values(chain=chain, seq=0, last_hash=GENESIS).on_conflict_do_nothing()
        )
        moved = session.execute(_ADVANCE, {"head_chain": chain}).one()
    seq, prev = moved
    row.seq = seq
    row.prev_hash = prev
    row.hash = row_hash(prev, row)
    values = {f"event_{name}": getattr(row, name) for name in _STORED}
    head = {"head_chain": chain, "head_hash": row.hash}
    if postgres:  # one round trip: a data-modifying WITH moves the head
        session.execute(_INSERT_MOVING_HEAD, {**values, **head})
    else:
        session.execute(_MOVE_HEAD, head)
        session.execute(_INSERT, values)
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
