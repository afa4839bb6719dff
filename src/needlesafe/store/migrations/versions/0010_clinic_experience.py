"""The clinic experience (issue 11): opaque check-in links, clinic time zone and temperature unit.

Revision ID: 0010_clinic_experience
Revises: 0009_reliability
"""

from __future__ import annotations

revision = "0010_clinic_experience"
down_revision = "0009_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
