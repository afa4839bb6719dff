"""The rendered sheet: the PDF opens, holds this patient's risks and nothing it should not,
escapes untrusted text and explains medical words the first time they appear."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from needlesafe.documents.consent import ClinicDetails, ConsentSheet
from needlesafe.documents.render import render_consent_html, render_consent_pdf
from needlesafe.knowledge.base import Knowledge


def test_the_pdf_opens_and_has_pages(pdfs: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdfs["cold_sore"])
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert found, info.stdout
    pages = int(found.group(1))
    assert pdfs["cold_sore"].startswith(b"%PDF-")
    assert 2 <= pages <= 6  # readable in five minutes


def test_the_pdf_holds_the_patients_risks_and_reasons(texts: dict[str, str]) -> None:
    text = texts["cold_sore"]
    for expected in (
        "Cold sore flare-up",
        "You have had cold sores",
        "Your blood thinner makes bleeding and bruising more likely",
        "The numbing cream in the plan has something you are allergic to",
        "You will take medicine against cold sores",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("name", "absent"),
    [
        ("cold_sore", ["Hard bumps", "Light patches", "Pimple flare-up"]),
        ("healthy", ["Cold sore flare-up", "Hard bumps", "Light patches", "blood thinner"]),
    ],
)
def test_the_pdf_leaves_out_risks_that_do_not_apply(
    texts: dict[str, str], name: str, absent: list[str]
) -> None:
    for label in absent:
        assert label not in texts[name]


def test_the_pdf_has_the_clinic_phone_emergency_number_and_footer(
    texts: dict[str, str], sheets: dict[str, ConsentSheet]
) -> None:
    text = texts["healthy"]
    assert "Call 999 now." in text
    assert "020 7946 0100" in text
    assert sheets["healthy"].knowledge_version in text
    assert "2026-11-30" in text
    assert "Page 1 of" in text


def test_the_pdf_of_a_minor_has_a_guardian_signature_line(texts: dict[str, str]) -> None:
    assert "Parent or guardian" in texts["teen_with_keloids"]
    assert "legal guardian" in texts["teen_with_keloids"]
    assert "Parent or guardian" not in texts["cold_sore"]


def test_the_pdf_of_a_deferred_treatment_says_not_to_sign(texts: dict[str, str]) -> None:
    assert "Please do not sign this sheet today" in texts["deferred"]


def test_medical_words_are_explained_the_first_time_they_appear(
    texts: dict[str, str], knowledge: Knowledge
) -> None:
    assert knowledge.glossary is not None
    seen = 0
    for name, text in texts.items():
        for term in knowledge.glossary.terms:
            match = term.pattern.search(text)
            if match is None:
                continue
            seen += 1
            after = text[match.end() :].lstrip()
            before = text[: match.start()].rstrip()
            assert after.startswith("(") or before.endswith("("), (
                f"{name}: {match.group(0)!r} is not explained where it first appears: "
                f"...{text[max(0, match.start() - 60) : match.end() + 60]}..."
            )
    assert seen >= 5


def test_hyperpigmentation_is_explained_as_dark_patches(texts: dict[str, str]) -> None:
    assert "Hyperpigmentation (dark patches)" in texts["cold_sore"]


def test_untrusted_text_is_escaped_in_the_html(
    knowledge: Knowledge, make_sheet: Callable[..., ConsentSheet]
) -> None:
    evil = "<script>alert(1)</script>"
    sheet = make_sheet(
        knowledge,
        "healthy",
        clinic=ClinicDetails(name=evil, phone='555 "0100" <b>'),
        patient_name="<img src=x onerror=alert(1)>",
    )
    html = render_consent_html(sheet)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_untrusted_text_prints_as_text_in_the_pdf(
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
    pdf_text: Callable[[bytes], str],
) -> None:
    sheet = make_sheet(knowledge, "healthy", clinic=ClinicDetails(name="A <b>&</b> B", phone="1"))
    assert "A <b>&</b> B" in pdf_text(render_consent_pdf(sheet))


def test_the_same_sheet_renders_to_the_same_text(
    sheets: dict[str, ConsentSheet],
    texts: dict[str, str],
    pdf_text: Callable[[bytes], str],
) -> None:
    # The bytes differ (font subsets carry a timestamp), so a signed record keeps the PDF
    # itself and its hash; the words are the same every time.
    assert pdf_text(render_consent_pdf(sheets["healthy"])) == texts["healthy"]


def test_the_page_version_has_a_print_button_and_the_pdf_does_not(
    sheets: dict[str, ConsentSheet],
) -> None:
    assert "window.print()" in render_consent_html(sheets["healthy"], page=True)
    assert "window.print()" not in render_consent_html(sheets["healthy"])
