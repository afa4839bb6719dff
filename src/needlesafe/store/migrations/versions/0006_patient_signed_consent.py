"""Consent signed by the patient: the patient's signature waits for the practitioner's
countersignature in `consent_patient_signatures` (one per intake, immutable: the database
refuses UPDATE and DELETE); signed consents keep the guardian's relationship to the patient.

Revision ID: 0006_patient_signed_consent
Revises: 0005_safety_gates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_patient_signed_consent"
down_revision = "0005_safety_gates"
branch_labels = None
depends_on = None

TABLE = "consent_patient_signatures"
MESSAGE = "the patient signature of a consent cannot be changed or deleted"


def upgrade() -> None:
    op.add_column(
        "signed_consents", sa.Column("guardian_relationship", sa.String(100), nullable=True)
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_via", sa.String(length=10), nullable=False),
        sa.Column("signature_method", sa.String(length=10), nullable=False),
        sa.Column("signature_png", sa.LargeBinary(), nullable=True),
        sa.Column("patient_signer", sa.String(length=200), nullable=False),
        sa.Column("guardian_signer", sa.String(length=200), nullable=True),
        sa.Column("guardian_relationship", sa.String(length=100), nullable=True),
        sa.Column("acknowledgements", sa.JSON(), nullable=False),
        sa.Column("sheet_version", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f(f"fk_{TABLE}_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f(f"fk_{TABLE}_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f(f"fk_{TABLE}_intake_id_intakes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("intake_id", name=op.f(f"uq_{TABLE}_intake_id")),
    )
    op.create_index(op.f(f"ix_{TABLE}_clinic_id"), TABLE, ["clinic_id"])
    op.create_index(op.f(f"ix_{TABLE}_patient_id"), TABLE, ["patient_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {TABLE}_immutable() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_immutable()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_immutable ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_immutable()")
    else:
        op.execute(f"DROP TRIGGER {TABLE}_no_update")
        op.execute(f"DROP TRIGGER {TABLE}_no_delete")
    op.drop_index(op.f(f"ix_{TABLE}_patient_id"), table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_clinic_id"), table_name=TABLE)
    op.drop_table(TABLE)
    op.drop_column("signed_consents", "guardian_relationship")
