"""Reliability (issue 16): sign-in attempts, idempotency keys, the audit hash chain, list indexes.

- `sign_in_attempts`: failed sign-ins per account and per address, shared by every worker.
- `idempotency_keys`: a POST's `Idempotency-Key`, written with the record it created.
- `audit_events` gains `seq`, `prev_hash`, `hash` (a chain per clinic, heads in
  `audit_chain_heads`) and `client_address`; existing rows are linked here, in id order.
- `heartbeat`: one row `/readyz` tries to write.
- PostgreSQL: TRUNCATE is refused on the append-only tables (a statement trigger; row
  triggers never see a TRUNCATE).
- Indexes that serve each list in its own order (clinic first, then the sort keys).

Revision ID: 0009_reliability
Revises: 0008_followup
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0009_reliability"
down_revision = "0008_followup"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "audit_events",
    "signed_consents",
    "consent_patient_signatures",
    "treatment_overrides",
    "adverse_event_changes",
)
LIST_INDEXES = {
    "ix_audit_events_clinic_seq": ("audit_events", ["clinic_id", "seq"]),
    "ix_checkins_clinic_created": ("checkins", ["clinic_id", "created_at", "id"]),
    "ix_checkins_clinic_attention": (
        "checkins",
        ["clinic_id", "handled", "urgency", "created_at", "id"],
    ),
    "ix_intakes_clinic_created": ("intakes", ["clinic_id", "created_at", "id"]),
    "ix_treatments_clinic_performed": ("treatments", ["clinic_id", "performed_on", "id"]),
    "ix_adverse_events_clinic_onset": ("adverse_events", ["clinic_id", "onset_date", "id"]),
    "ix_patients_clinic_name": ("patients", ["clinic_id", "name", "id"]),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _link_existing_audit_rows() -> None:
    """Give rows written before this migration their place in the chain (in id order)."""
    from needlesafe.store.audit import GENESIS, chain_of, row_hash
    from needlesafe.store.models import AuditEvent

    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    heads: dict[int, tuple[int, str]] = {}
    rows = bind.execute(
        sa.text(
            "SELECT id, at, clinic_id, user_id, actor, action, record_type, record_id "
            "FROM audit_events ORDER BY id"
        )
    ).all()
    for r in rows:
        at = r.at if isinstance(r.at, dt.datetime) else dt.datetime.fromisoformat(str(r.at))
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        chain = chain_of(r.clinic_id)
        seq, prev = heads.get(chain, (0, GENESIS))
        event = AuditEvent(
            at=at,
            seq=seq + 1,
            clinic_id=r.clinic_id,
            user_id=r.user_id,
            actor=r.actor,
            action=r.action,
            record_type=r.record_type,
            record_id=r.record_id,
            client_address=None,
        )
        digest = row_hash(prev, event)
        bind.execute(
            events.update()
            .where(events.c.id == r.id)
            .values(seq=seq + 1, prev_hash=prev, hash=digest)
        )
        heads[chain] = (seq + 1, digest)
    table = sa.table(
        "audit_chain_heads",
        sa.column("chain", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("last_hash", sa.String),
    )
    if heads:
        op.bulk_insert(
            table, [{"chain": c, "seq": s, "last_hash": h} for c, (s, h) in heads.items()]
        )


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_attempts")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chain_heads")),
    )
    op.create_table(
        "heartbeat",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat")),
    )
    op.bulk_insert(
        sa.table("heartbeat", sa.column("id", sa.Integer), sa.column("at", sa.DateTime)),
        [{"id": 1, "at": dt.datetime.now(dt.UTC)}],
    )

    for column in (
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
    ):
        op.add_column("audit_events", column)
    # the append-only triggers refuse the UPDATE that links existing rows: lift them for it
    if _postgres():
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        _link_existing_audit_rows()
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        _link_existing_audit_rows()
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )

    for name, (table, columns) in LIST_INDEXES.items():
        op.create_index(name, table, columns)

    if _postgres():
        op.execute(
            "CREATE FUNCTION needlesafe_no_truncate() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION needlesafe_no_truncate()"
            )


def downgrade() -> None:
    if _postgres():
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION needlesafe_no_truncate()")
    for name, (table, _columns) in LIST_INDEXES.items():
        op.drop_index(name, table_name=table)
    for column in ("client_address", "hash", "prev_hash", "seq"):
        op.drop_column("audit_events", column)
    op.drop_table("heartbeat")
    op.drop_table("audit_chain_heads")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("sign_in_attempts")
