"""The follow-up loop (issue 15): scheduled jobs and messages, alert settings, check-in photos.

Revision ID: 0008_followup
Revises: 0007_interop
"""

from __future__ import annotations

revision = "0008_followup"
down_revision = "0007_interop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
