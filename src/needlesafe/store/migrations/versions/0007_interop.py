"""CDS Hooks and FHIR interop tables (issue 13): hook feedback and the JWT replay store.

Revision ID: 0007_interop
Revises: 0006_patient_signed_consent
"""

from __future__ import annotations

revision = "0007_interop"
down_revision = "0006_patient_signed_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
