"""Keyset pagination (issue 16): the audit log's list, newest first, from an index.

Every other list already has an index in its own order (0009); the audit log was listed by
`id` through the index on `clinic_id` alone, which PostgreSQL must sort.

Revision ID: 0011_list_keyset
Revises: 0010_clinic_experience
"""

from __future__ import annotations

from alembic import op

revision = "0011_list_keyset"
down_revision = "0010_clinic_experience"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_clinic_id_id", "audit_events", ["clinic_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_clinic_id_id", table_name="audit_events")
