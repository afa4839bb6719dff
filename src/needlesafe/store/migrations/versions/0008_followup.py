"""The follow-up loop (issue 15): scheduled jobs and messages, alert settings, check-in photos.

`jobs` is the transactional outbox and job queue (store/followup.py); `messages` records every
message sent (when, channel, to whom, outcome); `clinic_alerts` the urgent and emergency
check-ins the clinic was alerted to; `missed_checkins` reminders that went unanswered;
`checkin_photos` the photos sent with check-ins (the images live in the photo store). The
clinic gets its alert addresses and re-alert delay, the patient a reminders opt-out.

Revision ID: 0008_followup
Revises: 0007_interop
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_followup"
down_revision = "0007_interop"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.add_column("clinics", sa.Column("alert_email", sa.String(320), nullable=True))
    op.add_column("clinics", sa.Column("alert_email_second", sa.String(320), nullable=True))
    op.add_column(
        "clinics",
        sa.Column("realert_minutes", sa.Integer(), nullable=False, server_default="15"),
    )
    op.add_column("patients", sa.Column("reminders_stopped_at", TS, nullable=True))

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("run_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("outcome", sa.String(200), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name=op.f("ck_jobs_status")
        ),
        _fk("jobs", "clinic_id", "clinics"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    _index("jobs", "clinic_id")
    op.create_index("ix_jobs_due", "jobs", ["status", "run_at"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("treatment_id", sa.Integer(), nullable=True),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("provider_ref", sa.String(200), nullable=False),
        sa.Column("error", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_messages_channel")),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'outbox', 'failed')", name=op.f("ck_messages_status")
        ),
        _fk("messages", "clinic_id", "clinics"),
        _fk("messages", "patient_id", "patients"),
        _fk("messages", "treatment_id", "treatments"),
        _fk("messages", "checkin_id", "checkins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    _index("messages", "clinic_id", "patient_id", "treatment_id")

    op.create_table(
        "clinic_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("emailed_to", sa.String(320), nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("realerted_at", TS, nullable=True),
        _fk("clinic_alerts", "clinic_id", "clinics"),
        _fk("clinic_alerts", "checkin_id", "checkins"),
        _fk("clinic_alerts", "acknowledged_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_alerts")),
        sa.UniqueConstraint("checkin_id", name=op.f("uq_clinic_alerts_checkin_id")),
    )
    _index("clinic_alerts", "clinic_id")

    op.create_table(
        "missed_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("flagged_at", TS, nullable=False),
        sa.Column("handled_at", TS, nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        _fk("missed_checkins", "clinic_id", "clinics"),
        _fk("missed_checkins", "patient_id", "patients"),
        _fk("missed_checkins", "treatment_id", "treatments"),
        _fk("missed_checkins", "handled_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_checkins")),
    )
    _index("missed_checkins", "clinic_id", "treatment_id")

    op.create_table(
        "checkin_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("days_since_treatment", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("measurement", sa.JSON(), nullable=True),
        sa.Column("measured_at", TS, nullable=True),
        _fk("checkin_photos", "clinic_id", "clinics"),
        _fk("checkin_photos", "patient_id", "patients"),
        _fk("checkin_photos", "treatment_id", "treatments"),
        _fk("checkin_photos", "checkin_id", "checkins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_photos")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_checkin_photos_storage_key")),
    )
    _index("checkin_photos", "clinic_id", "treatment_id", "checkin_id")


def downgrade() -> None:
    for table in ("checkin_photos", "missed_checkins", "clinic_alerts", "messages", "jobs"):
        op.drop_table(table)  # their indexes go with them
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy
    op.drop_column("patients", "reminders_stopped_at")
    op.drop_column("clinics", "realert_minutes")
    op.drop_column("clinics", "alert_email_second")
    op.drop_column("clinics", "alert_email")
