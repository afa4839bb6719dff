"""The consent sheet for a signed-in browser: linked from the assessment, printable, as PDF,
and signed through a CSRF-checked form by the signed-in practitioner."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from webkit import CLINICS, Browser, email_of

SCREENING = {
    "age": "34",
    "fitzpatrick": "IV",
    "conditions": ["cold_sore_history"],
    "areas": ["perioral", "cheeks"],
    "needle_depth_mm": "1.0",
    "device": "pen",
    "setting": "clinic",
    "numbing_agent": "none",
    "sterile_single_use_needles": "on",
}


def screened(browser: Browser, name: str = "Jamie Rivera", **form: object) -> str:
    """A patient's screening; returns the consent page's path."""
    made = browser.post("/patients", {"name": name})
    assert made.status_code == 303, made.text
    patient = made.headers["location"]
    done = browser.post(patient + "/screenings", {**SCREENING, **form})
    assert done.status_code == 303, done.text
    return done.headers["location"] + "/consent"


def version_on(page: str) -> str:
    found = re.search(r'name="sheet_version" value="([0-9a-f]{16})"', page)
    assert found, "no sign form"
    return found.group(1)


def test_the_assessment_links_to_its_consent_sheet(staff: Browser) -> None:
    consent = screened(staff)
    assessment = staff.client.get(consent.removesuffix("/consent")).text
    assert f'href="{consent}">Consent sheet</a>' in assessment


def test_the_sheet_opens_in_the_browser_with_a_sign_form(staff: Browser) -> None:
    consent = screened(staff)
    page = staff.client.get(consent)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Cold sore flare-up" in page.text and "window.print()" in page.text
    assert version_on(page.text) == page.headers["X-Consent-Sheet-Version"]
    assert 'name="csrf_token"' in page.text
    assert 'name="patient_signer" required maxlength="200" value="Jamie Rivera"' in page.text
    assert 'name="guardian_signer"' not in page.text  # an adult
    assert f'href="{consent}.pdf"' in page.text


def test_the_pdf_opens_in_the_browser(staff: Browser) -> None:
    pdf = staff.client.get(screened(staff) + ".pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_signing_records_the_signed_in_practitioner_and_shows_the_signed_sheet(
    staff: Browser,
) -> None:
    consent = screened(staff)
    version = version_on(staff.client.get(consent).text)
    signed = staff.post(
        consent + "/sign",
        {"sheet_version": version, "patient_signer": "Jamie Rivera"},
        csrf_from=consent,
    )
    assert signed.status_code == 303, signed.text
    page = staff.client.get(signed.headers["location"])
    assert "Signed on" in page.text and "by Jamie Rivera" in page.text
    assert f"practitioner {email_of(CLINICS[0])}" in page.text  # the signed-in user
    assert 'name="sheet_version"' not in page.text  # no second signature
    assert page.headers["X-Consent-Sheet-Version"] == version
    again = staff.post(consent + "/sign", {"sheet_version": version, "patient_signer": "X"})
    assert again.status_code == 409 and "already signed" in again.text


def test_signing_without_the_csrf_token_is_refused(staff: Browser) -> None:
    consent = screened(staff)
    version = version_on(staff.client.get(consent).text)
    response = staff.client.post(
        consent + "/sign", data={"sheet_version": version, "patient_signer": "Jamie Rivera"}
    )
    assert response.status_code == 403
    assert 'name="sheet_version"' in staff.client.get(consent).text  # still not signed


def test_a_sheet_that_changed_since_it_was_shown_is_not_signed(staff: Browser) -> None:
    consent = screened(staff)
    response = staff.post(
        consent + "/sign",
        {"sheet_version": "0" * 16, "patient_signer": "Jamie Rivera"},
        csrf_from=consent,
    )
    assert response.status_code == 409
    assert "The sheet has changed since it was shown" in response.text
    assert version_on(response.text)  # the form again, with the current version


def test_a_minor_needs_a_guardian_named_on_the_form(staff: Browser) -> None:
    consent = screened(staff, "Sam Young", age="16")
    page = staff.client.get(consent).text
    assert 'name="guardian_signer"' in page
    response = staff.post(
        consent + "/sign",
        {"sheet_version": version_on(page), "patient_signer": "Sam Young"},
        csrf_from=consent,
    )
    assert response.status_code == 422
    assert 'id="err-guardian_signer"' in response.text and "must sign too" in response.text
    assert 'value="Sam Young"' in response.text  # what was typed is kept
    signed = staff.post(
        consent + "/sign",
        {"sheet_version": version_on(page), "patient_signer": "Sam Young",
         "guardian_signer": "Pat Young"},
        csrf_from=consent,
    )
    assert signed.status_code == 303


def test_a_deferred_screening_shows_no_sign_form(staff: Browser) -> None:
    consent = screened(staff, conditions=["active_cold_sore"])
    page = staff.client.get(consent).text
    assert "Not for signing" in page and 'name="sheet_version"' not in page


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_another_clinic_gets_a_not_found_page(staff: Browser, suffix: str) -> None:
    consent = screened(staff)
    staff.post("/logout", {})
    staff.sign_in(email_of(CLINICS[1]))
    response = staff.client.get(consent + suffix)
    assert response.status_code == 404
    assert "Jamie Rivera" not in response.text


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    staff: Browser, anonymous: Browser
) -> None:
    consent = screened(staff)
    staff.post("/logout", {})
    response = anonymous.client.get(consent)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_sheet_page_allows_only_its_own_inline_style_and_script(staff: Browser) -> None:
    page = staff.client.get(screened(staff))
    policies = page.headers.get_list("content-security-policy")
    assert len(policies) == 1  # the route's policy replaces the site's, it is not added to it
    policy = policies[0]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in policy
    assert "style=" not in page.text and "onclick" not in page.text  # no inline attributes
    other = staff.client.get("/patients")
    assert "sha256-" not in other.headers["content-security-policy"]  # the site's policy
