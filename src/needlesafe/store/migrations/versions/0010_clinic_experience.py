"""The clinic experience (issue 11): opaque check-in links, the clinic's time zone and
temperature unit, and one-time password-reset links.

`checkin_links`: one row per link a treatment has had. The token itself is never stored: it is
derived from the row's random `nonce` and the server's secret (so the staff page can show the
same link again), and looked up by its SHA-256 (`token_hash`). A link works until
`expires_at` (the treatment day plus the link days; a renewed link at least that long from its
renewal) unless it is revoked (`revoked_at`); renewing revokes the current row and adds a new
one.

`password_resets`: a one-time link an admin makes for a colleague; only its hash is kept.

Revision ID: 0010_clinic_experience
Revises: 0009_reliability
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_clinic_experience"
down_revision = "0009_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "clinics",
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
    )
    op.add_column(
        "clinics",
        sa.Column("temperature_unit", sa.String(1), nullable=False, server_default="C"),
    )
    op.create_table(
        "checkin_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name="fk_checkin_links_clinic_id_clinics"
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name="fk_checkin_links_treatment_id_treatments"
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["users.id"], name="fk_checkin_links_revoked_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkin_links"),
        sa.UniqueConstraint("token_hash", name="uq_checkin_links_token_hash"),
    )
    op.create_index("ix_checkin_links_treatment_id", "checkin_links", ["treatment_id"])
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name="fk_password_resets_clinic_id_clinics"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_password_resets_user_id_users"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_password_resets_created_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_password_resets"),
        sa.UniqueConstraint("token_hash", name="uq_password_resets_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("password_resets")
    op.drop_index("ix_checkin_links_treatment_id", table_name="checkin_links")
    op.drop_table("checkin_links")
    op.drop_column("clinics", "temperature_unit")
    op.drop_column("clinics", "time_zone")
