"""The audit log names every record a list read returned (issue 12, item 5): `record_ids`,
comma-separated, beside the one `record_id` a read or a write names.

Revision ID: 0012_audit_record_ids
Revises: 0011_list_keyset
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_record_ids"
down_revision = "0011_list_keyset"
branch_labels = None
depends_on = None


# plain ALTER TABLE (no batch copy on SQLite, which would drop the append-only triggers)
def upgrade() -> None:
    op.add_column("audit_events", sa.Column("record_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "record_ids")
