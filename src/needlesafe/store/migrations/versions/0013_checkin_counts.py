"""The inbox's total from one row (issue 16, item 5): `checkin_counts`, each clinic's number of
check-ins, kept exact by triggers on `checkins`.

The inbox's first page showed the clinic's exact total by counting every check-in it ever had
(an index-only scan of 100,000 entries, about 40 % of the request). Unfiltered, the total is now
this row; any filter still counts.

- Backfilled here from the existing check-ins, after the triggers exist: creating a trigger
  locks `checkins` against writes until this migration commits, so no check-in is missed or
  counted twice.
- PostgreSQL: a plpgsql function run by DEFERRABLE INITIALLY DEFERRED constraint triggers (row
  inserted +1, deleted -1, moved to another clinic -1/+1), so a transaction locks its clinic's
  counter row only at commit. Every audited write locks its clinic's audit chain head
  (`audit_chain_heads`) during its transaction, before that; so the order is always head, then
  counter, and the counter lock is the last one a transaction takes and it holds it only
  while committing: two writers cannot deadlock on it. (A transaction that wrote check-ins of
  several clinics would lock their counters in the order it wrote them; the service writes one
  clinic per transaction.) A TRUNCATE of `checkins` (row triggers never see one) empties the
  counters too.
  The function is SECURITY DEFINER (the owner's rights, search_path pinned to this schema):
  the service's role (`needlesafe db grant-runtime`) needs no write right on the counter and
  is given none, so the counter moves only with the check-ins.
- SQLite: plain AFTER INSERT/DELETE/UPDATE triggers (one writer at a time).
- `pg_restore` loads data before it makes triggers, and the counter's rows are in the dump, so a
  restored database's counters are the backed-up ones: exact.

Revision ID: 0013_checkin_counts
Revises: 0012_audit_record_ids
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_checkin_counts"
down_revision = "0012_audit_record_ids"
branch_labels = None
depends_on = None

FUNCTION = "needlesafe_checkin_counts"
TRUNCATE_FUNCTION = "needlesafe_checkin_counts_truncate"
# (trigger, PostgreSQL event, SQLite event and condition, SQLite body)
SQLITE_TRIGGERS = {
    "checkins_count_insert": (
        "AFTER INSERT ON checkins",
        "INSERT INTO checkin_counts (clinic_id, n) VALUES (NEW.clinic_id, 1) "
        "ON CONFLICT (clinic_id) DO UPDATE SET n = n + 1;",
    ),
    "checkins_count_delete": (
        "AFTER DELETE ON checkins",
        "UPDATE checkin_counts SET n = n - 1 WHERE clinic_id = OLD.clinic_id;",
    ),
    "checkins_count_move": (
        "AFTER UPDATE OF clinic_id ON checkins WHEN OLD.clinic_id IS NOT NEW.clinic_id",
        "UPDATE checkin_counts SET n = n - 1 WHERE clinic_id = OLD.clinic_id; "
        "INSERT INTO checkin_counts (clinic_id, n) VALUES (NEW.clinic_id, 1) "
        "ON CONFLICT (clinic_id) DO UPDATE SET n = n + 1;",
    ),
}
POSTGRES_TRIGGERS = {
    "checkins_count_insert": "AFTER INSERT",
    "checkins_count_delete": "AFTER DELETE",
    "checkins_count_move": "AFTER UPDATE OF clinic_id",
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _postgres_triggers() -> None:
    schema = op.get_bind().scalar(sa.text("SELECT current_schema()"))
    assert schema and '"' not in schema
    op.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
        f'SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$\n'
        "BEGIN\n"
        "  IF TG_OP = 'UPDATE' AND OLD.clinic_id IS NOT DISTINCT FROM NEW.clinic_id THEN\n"
        "    RETURN NULL;\n"
        "  END IF;\n"
        "  IF TG_OP IN ('DELETE', 'UPDATE') THEN\n"
        "    UPDATE checkin_counts SET n = n - 1 WHERE clinic_id = OLD.clinic_id;\n"
        "  END IF;\n"
        "  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
        "    INSERT INTO checkin_counts (clinic_id, n) VALUES (NEW.clinic_id, 1)\n"
        "    ON CONFLICT (clinic_id) DO UPDATE SET n = checkin_counts.n + 1;\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION}() FROM PUBLIC")
    for name, event in POSTGRES_TRIGGERS.items():
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} {event} ON checkins "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
    op.execute(
        f"CREATE FUNCTION {TRUNCATE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
        f'SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$\n'
        "BEGIN DELETE FROM checkin_counts; RETURN NULL; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {TRUNCATE_FUNCTION}() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER checkins_count_truncate AFTER TRUNCATE ON checkins "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE_FUNCTION}()"
    )


def upgrade() -> None:
    op.create_table(
        "checkin_counts",
        sa.Column("clinic_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_checkin_counts_clinic_id_clinics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clinic_id", name=op.f("pk_checkin_counts")),
    )
    if _postgres():
        _postgres_triggers()
    else:
        for name, (event, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {event} BEGIN {body} END")
    # after the triggers: from here no check-in can be written until this migration commits
    op.execute(
        "INSERT INTO checkin_counts (clinic_id, n) "
        "SELECT clinic_id, count(*) FROM checkins GROUP BY clinic_id"
    )


def downgrade() -> None:
    if _postgres():
        op.execute("DROP TRIGGER checkins_count_truncate ON checkins")
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON checkins")
        op.execute(f"DROP FUNCTION {TRUNCATE_FUNCTION}()")
        op.execute(f"DROP FUNCTION {FUNCTION}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("checkin_counts")
