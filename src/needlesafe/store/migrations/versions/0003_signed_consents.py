"""Signed consents: one per intake, immutable (triggers refuse UPDATE and DELETE).

Revision ID: 0003_consent
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_consent"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "a signed consent cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "signed_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("patient_signer", sa.String(length=200), nullable=False),
        sa.Column("guardian_signer", sa.String(length=200), nullable=True),
        sa.Column("practitioner_signer", sa.String(length=200), nullable=False),
        sa.Column("sheet_version", sa.String(length=64), nullable=False),
        sa.Column("knowledge_version", sa.String(length=100), nullable=False),
        sa.Column("wording_version", sa.String(length=100), nullable=False),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_signed_consents_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_signed_consents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_signed_consents_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_signed_consents_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_consents")),
        sa.UniqueConstraint("intake_id", name=op.f("uq_signed_consents_intake_id")),
    )
    op.create_index(op.f("ix_signed_consents_clinic_id"), "signed_consents", ["clinic_id"])
    op.create_index(op.f("ix_signed_consents_patient_id"), "signed_consents", ["patient_id"])

    # Immutable once signed: refuse UPDATE and DELETE in the database itself.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION signed_consents_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER signed_consents_immutable BEFORE UPDATE OR DELETE ON signed_consents "
            "FOR EACH ROW EXECUTE FUNCTION signed_consents_immutable()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER signed_consents_no_{event.lower()} BEFORE {event} "
                f"ON signed_consents BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER signed_consents_immutable ON signed_consents")
        op.execute("DROP FUNCTION signed_consents_immutable()")
    else:
        op.execute("DROP TRIGGER signed_consents_no_update")
        op.execute("DROP TRIGGER signed_consents_no_delete")
    op.drop_index(op.f("ix_signed_consents_patient_id"), table_name="signed_consents")
    op.drop_index(op.f("ix_signed_consents_clinic_id"), table_name="signed_consents")
    op.drop_table("signed_consents")
