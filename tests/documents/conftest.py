"""Intakes, sheets and rendered PDFs shared by the consent tests (rendering takes a second)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from needlesafe.documents.consent import ClinicDetails, ConsentSheet, build_consent_sheet
from needlesafe.documents.render import render_consent_pdf
from needlesafe.engine.aftercare import AftercarePlan, plan_aftercare
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge

ISSUED = dt.date(2026, 11, 30)
CLINIC = ClinicDetails(name="Riverside Skin Clinic", phone="020 7946 0100", emergency_number="999")

INTAKES: dict[str, dict[str, Any]] = {
    "healthy": {
        "patient": {"age": 42, "fitzpatrick": "II"},
        "plan": {
            "areas": ["cheeks", "forehead"],
            "needle_depth_mm": 0.5,
            "device": "pen",
            "numbing_agent": "lidocaine",
            "patch_test_done": True,
        },
    },
    "cold_sore": {
        "patient": {
            "age": 35,
            "fitzpatrick": "IV",
            "conditions": ["cold_sore_history"],
            "medications": ["anticoagulant", {"code": "isotretinoin", "stopped_days_ago": 60}],
            "allergies": ["lidocaine"],
        },
        "plan": {
            "areas": ["cheeks", "perioral"],
            "needle_depth_mm": 1.0,
            "device": "pen",
            "numbing_agent": "lidocaine",
            "topicals": ["hyaluronic_acid"],
        },
    },
    "teen_with_keloids": {
        "patient": {
            "age": 16,
            "fitzpatrick": "VI",
            "conditions": ["keloid_history", "melasma"],
            "medications": ["topical_retinoid"],
            "allergies": ["nickel"],
        },
        "plan": {
            "areas": ["cheeks", "periorbital"],
            "needle_depth_mm": 1.5,
            "device": "radiofrequency",
            "numbing_agent": "lidocaine_tetracaine",
            "topicals": ["vitamin_c", "growth_factors"],
        },
    },
    "deferred": {
        "patient": {"age": 29, "fitzpatrick": "III", "conditions": ["active_cold_sore"]},
        "plan": {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"},
    },
}


def make_sheet(knowledge: Knowledge, name: str, **overrides: Any) -> ConsentSheet:
    intake = parse_intake(INTAKES[name], knowledge)
    arguments: dict[str, Any] = {
        "clinic": CLINIC,
        "knowledge": knowledge,
        "issued": ISSUED,
        "age_of_consent": 18,
    }
    arguments.update(overrides)
    return build_consent_sheet(intake, screen(intake, knowledge), **arguments)


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text in reading order (poppler's pdftotext), whitespace collapsed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils")
    path = tmp / "sheet.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return re.sub(r"\s+", " ", result.stdout.decode().replace("\u00a0", " "))


@pytest.fixture(scope="session", name="make_sheet")
def make_sheet_fixture() -> Callable[..., ConsentSheet]:
    """`make_sheet(knowledge, intake_name, **build_overrides)`."""
    return make_sheet


@pytest.fixture(scope="session", name="plan_of")
def plan_of_fixture(knowledge: Knowledge) -> Callable[[str], AftercarePlan]:
    """`plan_of(intake_name)`: the aftercare plan of an intake, as the sheets are made."""

    def plan_of(name: str) -> AftercarePlan:
        intake = parse_intake(INTAKES[name], knowledge)
        return plan_aftercare(
            intake.plan,
            screen(intake, knowledge),
            knowledge,
            treatment_date=ISSUED,
            clinic_phone=CLINIC.phone,
            emergency_number=CLINIC.emergency_number,
        )

    return plan_of


@pytest.fixture(scope="session", name="pdf_text")
def pdf_text_fixture(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], str]:
    tmp = tmp_path_factory.mktemp("pdf-text")
    return lambda pdf: pdf_text(pdf, tmp)


@pytest.fixture(scope="session")
def sheets(knowledge: Knowledge) -> dict[str, ConsentSheet]:
    return {name: make_sheet(knowledge, name) for name in INTAKES}


@pytest.fixture(scope="session")
def pdfs(sheets: dict[str, ConsentSheet]) -> dict[str, bytes]:
    return {name: render_consent_pdf(sheet) for name, sheet in sheets.items()}


@pytest.fixture(scope="session")
def texts(pdfs: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("pdf")
    return {name: pdf_text(pdf, tmp) for name, pdf in pdfs.items()}
