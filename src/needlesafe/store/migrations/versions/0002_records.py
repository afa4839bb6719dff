"""Patient records: patients, intakes, treatments, check-ins, adverse events.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("chart_number", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_patients_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_index(op.f("ix_patients_clinic_id"), "patients", ["clinic_id"])
    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("knowledge_version", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_intakes_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_intakes_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_intakes_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    op.create_index(op.f("ix_intakes_clinic_id"), "intakes", ["clinic_id"])
    op.create_index(op.f("ix_intakes_patient_id"), "intakes", ["patient_id"])
    op.create_table(
        "treatments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("device", sa.String(length=40), nullable=False),
        sa.Column("device_make", sa.String(length=120), nullable=True),
        sa.Column("device_model", sa.String(length=120), nullable=True),
        sa.Column("needle_cartridge_lot", sa.String(length=64), nullable=True),
        sa.Column("numbing_agent", sa.String(length=60), nullable=False),
        sa.Column("numbing_agent_lot", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatments_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_treatments_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_treatments_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatments")),
    )
    op.create_index(op.f("ix_treatments_clinic_id"), "treatments", ["clinic_id"])
    op.create_index(
        op.f("ix_treatments_needle_cartridge_lot"), "treatments", ["needle_cartridge_lot"]
    )
    op.create_index(op.f("ix_treatments_patient_id"), "treatments", ["patient_id"])
    op.create_table(
        "treatment_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("depth_mm", sa.Float(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.CheckConstraint("depth_mm > 0 AND depth_mm <= 4", name=op.f("ck_treatment_areas_depth")),
        sa.CheckConstraint("passes >= 1", name=op.f("ck_treatment_areas_passes")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_areas_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_treatment_areas_treatment_id_treatments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_areas")),
    )
    op.create_index(op.f("ix_treatment_areas_clinic_id"), "treatment_areas", ["clinic_id"])
    op.create_index(op.f("ix_treatment_areas_treatment_id"), "treatment_areas", ["treatment_id"])
    op.create_table(
        "treatment_topicals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_topicals_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_treatment_topicals_treatment_id_treatments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_topicals")),
    )
    op.create_index(op.f("ix_treatment_topicals_clinic_id"), "treatment_topicals", ["clinic_id"])
    op.create_index(op.f("ix_treatment_topicals_lot"), "treatment_topicals", ["lot"])
    op.create_index(
        op.f("ix_treatment_topicals_treatment_id"), "treatment_topicals", ["treatment_id"]
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("triage", sa.JSON(), nullable=False),
        sa.Column("disposition", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.Integer(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=100), nullable=False),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_checkins_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by"], ["users.id"], name=op.f("fk_checkins_handled_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_checkins_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name=op.f("fk_checkins_treatment_id_treatments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    op.create_index(op.f("ix_checkins_clinic_id"), "checkins", ["clinic_id"])
    op.create_index(
        "ix_checkins_inbox", "checkins", ["clinic_id", "handled", "urgency", "created_at"]
    )
    op.create_index(op.f("ix_checkins_patient_id"), "checkins", ["patient_id"])
    op.create_index(op.f("ix_checkins_treatment_id"), "checkins", ["treatment_id"])
    op.create_table(
        "adverse_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("treatment_id", sa.Integer(), nullable=True),
        sa.Column("complication", sa.String(length=60), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=False),
        sa.Column("ctcae_grade", sa.Integer(), nullable=False),
        sa.Column("icd10_code", sa.String(length=10), nullable=True),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("product_lot", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('recovered', 'recovering', 'not_recovered', "
            "'recovered_with_sequelae', 'fatal', 'unknown')",
            name=op.f("ck_adverse_events_outcome"),
        ),
        sa.CheckConstraint(
            "ctcae_grade BETWEEN 1 AND 5", name=op.f("ck_adverse_events_ctcae_grade")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_adverse_events_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_adverse_events_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_adverse_events_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_adverse_events_treatment_id_treatments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
    )
    op.create_index(op.f("ix_adverse_events_clinic_id"), "adverse_events", ["clinic_id"])
    op.create_index(op.f("ix_adverse_events_complication"), "adverse_events", ["complication"])
    op.create_index(op.f("ix_adverse_events_patient_id"), "adverse_events", ["patient_id"])
    op.create_index(op.f("ix_adverse_events_product_lot"), "adverse_events", ["product_lot"])
    op.create_index(op.f("ix_adverse_events_treatment_id"), "adverse_events", ["treatment_id"])


def downgrade() -> None:
    op.drop_table("adverse_events")
    op.drop_table("checkins")
    op.drop_table("treatment_topicals")
    op.drop_table("treatment_areas")
    op.drop_table("treatments")
    op.drop_table("intakes")
    op.drop_table("patients")
