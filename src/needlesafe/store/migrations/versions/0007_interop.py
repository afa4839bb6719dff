"""CDS Hooks and FHIR interop tables (issue 13): hook feedback and the JWT replay store.

`cds_jwt_ids`: each JWT id (`jti`) an issuer used, until the token expires (a reused id is a
replay). `cds_cards`: what each card needlesafe answered a hook with was about (for feedback
and its counts). `cds_feedback`: accepted and overridden cards, once each.

Revision ID: 0007_interop
Revises: 0006_patient_signed_consent
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_interop"
down_revision = "0006_patient_signed_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_jwt_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_jwt_ids")),
        sa.UniqueConstraint("issuer", "jti", name=op.f("uq_cds_jwt_ids_issuer")),
    )
    op.create_index(op.f("ix_cds_jwt_ids_expires_at"), "cds_jwt_ids", ["expires_at"])
    op.create_table(
        "cds_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=60), nullable=False),
        sa.Column("hook_instance", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=10), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cds_cards_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_cards")),
        sa.UniqueConstraint("uuid", name=op.f("uq_cds_cards_uuid")),
    )
    op.create_index(op.f("ix_cds_cards_clinic_id"), "cds_cards", ["clinic_id"])
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("override_code", sa.String(length=100), nullable=True),
        sa.Column("override_system", sa.String(length=500), nullable=True),
        sa.Column("override_display", sa.String(length=500), nullable=True),
        sa.Column("user_comment", sa.Text(), nullable=True),
        sa.Column("accepted_suggestions", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cds_feedback_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cds_cards.id"], name=op.f("fk_cds_feedback_card_id_cds_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_feedback")),
        sa.UniqueConstraint(
            "card_id", "outcome", "outcome_at", name=op.f("uq_cds_feedback_card_id")
        ),
    )
    op.create_index(op.f("ix_cds_feedback_card_id"), "cds_feedback", ["card_id"])
    op.create_index("ix_cds_feedback_clinic_outcome", "cds_feedback", ["clinic_id", "outcome"])


def downgrade() -> None:
    op.drop_index("ix_cds_feedback_clinic_outcome", table_name="cds_feedback")
    op.drop_index(op.f("ix_cds_feedback_card_id"), table_name="cds_feedback")
    op.drop_table("cds_feedback")
    op.drop_index(op.f("ix_cds_cards_clinic_id"), table_name="cds_cards")
    op.drop_table("cds_cards")
    op.drop_index(op.f("ix_cds_jwt_ids_expires_at"), table_name="cds_jwt_ids")
    op.drop_table("cds_jwt_ids")
