"""The clinic's phone and emergency number, shown to patients (aftercare, check-in, consent).

Both columns are nullable so that every existing row stays valid. Existing clinics get the
emergency number the server was using until now: the `emergency_number` setting
(NEEDLESAFE_EMERGENCY_NUMBER, default "911"); their phone stays empty until an admin sets it.

Revision ID: 0004_clinic_contact
Revises: 0003_consent
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0004_clinic_contact"
down_revision = "0003_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clinics", sa.Column("phone", sa.String(length=40), nullable=True))
    op.add_column("clinics", sa.Column("emergency_number", sa.String(length=20), nullable=True))
    # the setting, read as the settings read it (the store does not import the API's settings)
    number = (os.environ.get("NEEDLESAFE_EMERGENCY_NUMBER") or "911").strip()[:20] or "911"
    clinics = sa.table("clinics", sa.column("emergency_number", sa.String(20)))
    op.execute(
        clinics.update().where(clinics.c.emergency_number.is_(None)).values(emergency_number=number)
    )


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy, so the clinics that
    # other tables point at are never dropped and re-created
    op.drop_column("clinics", "emergency_number")
    op.drop_column("clinics", "phone")
