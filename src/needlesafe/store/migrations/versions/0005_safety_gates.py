"""Safety gates: treatment overrides (append-only), adverse events followed to the end (with an
append-only history), lot look-ups, the clinic's age of consent, consents signed by the patient.

Every new column is nullable or has a server default, so every existing row stays valid:
existing adverse events are open, existing clinics have an age of consent of 18.

Revision ID: 0005_safety_gates
Revises: 0004_clinic_contact
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_safety_gates"
down_revision = "0004_clinic_contact"
branch_labels = None
depends_on = None

HISTORY_MESSAGE = "the history of an adverse event cannot be changed or deleted"
OVERRIDE_MESSAGE = "a treatment override cannot be changed or deleted"


def _append_only(table: str, message: str) -> None:
    """Refuse UPDATE and DELETE on `table` in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        op.execute(f"DROP FUNCTION {table}_immutable()")
    else:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"DROP TRIGGER {table}_no_delete")


def upgrade() -> None:
    op.add_column(
        "clinics",
        sa.Column("age_of_consent", sa.Integer(), server_default="18", nullable=False),
    )

    op.create_table(
        "treatment_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_overrides_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_treatment_overrides_treatment_id_treatments"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_treatment_overrides_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_overrides")),
        sa.UniqueConstraint("treatment_id", name=op.f("uq_treatment_overrides_treatment_id")),
    )
    op.create_index(op.f("ix_treatment_overrides_clinic_id"), "treatment_overrides", ["clinic_id"])
    _append_only("treatment_overrides", OVERRIDE_MESSAGE)
    op.create_index(op.f("ix_treatments_numbing_agent_lot"), "treatments", ["numbing_agent_lot"])

    # open until closed; a plain ADD COLUMN on both databases (no table copy)
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "adverse_events",
            sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        )
        op.create_check_constraint("status", "adverse_events", "status IN ('open', 'closed')")
    else:
        op.execute(
            "ALTER TABLE adverse_events ADD COLUMN status VARCHAR(10) DEFAULT 'open' NOT NULL "
            "CONSTRAINT ck_adverse_events_status CHECK (status IN ('open', 'closed'))"
        )
    op.add_column("adverse_events", sa.Column("follow_up_on", sa.Date(), nullable=True))
    op.add_column("adverse_events", sa.Column("resolved_on", sa.Date(), nullable=True))
    op.add_column(
        "adverse_events", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True)
    )

    op.create_table(
        "adverse_event_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_adverse_event_changes_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["adverse_events.id"],
            name=op.f("fk_adverse_event_changes_event_id_adverse_events"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_adverse_event_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event_changes")),
    )
    op.create_index(
        op.f("ix_adverse_event_changes_clinic_id"), "adverse_event_changes", ["clinic_id"]
    )
    op.create_index(
        op.f("ix_adverse_event_changes_event_id"), "adverse_event_changes", ["event_id"]
    )
    _append_only("adverse_event_changes", HISTORY_MESSAGE)

    # consents signed by the patient (columns only: a signed consent is never updated)
    op.add_column("signed_consents", sa.Column("signed_via", sa.String(10), nullable=True))
    op.add_column("signed_consents", sa.Column("signature_method", sa.String(10), nullable=True))
    op.add_column("signed_consents", sa.Column("signature_png", sa.LargeBinary(), nullable=True))
    op.add_column("signed_consents", sa.Column("acknowledgements", sa.JSON(), nullable=True))
    op.add_column(
        "signed_consents",
        sa.Column("patient_signed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for column in (
        "patient_signed_at",
        "acknowledgements",
        "signature_png",
        "signature_method",
        "signed_via",
    ):
        op.drop_column("signed_consents", column)

    _drop_append_only("adverse_event_changes")
    op.drop_index(op.f("ix_adverse_event_changes_event_id"), table_name="adverse_event_changes")
    op.drop_index(op.f("ix_adverse_event_changes_clinic_id"), table_name="adverse_event_changes")
    op.drop_table("adverse_event_changes")

    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_adverse_events_status"), "adverse_events", type_="check")
    for column in ("updated_at", "resolved_on", "follow_up_on", "status"):
        op.drop_column("adverse_events", column)

    op.drop_index(op.f("ix_treatments_numbing_agent_lot"), table_name="treatments")
    _drop_append_only("treatment_overrides")
    op.drop_index(op.f("ix_treatment_overrides_clinic_id"), table_name="treatment_overrides")
    op.drop_table("treatment_overrides")

    op.drop_column("clinics", "age_of_consent")
