"""The whole path in a real browser, in one session: a practitioner signs in, screens a patient
with a cold-sore history and sees the antiviral precaution, records the treatment, and the
patient, on a phone with only the link, reports an emergency that the clinic then sees first.
A screenshot of each step is saved under tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.e2ekit import EMAIL, EMERGENCY_NUMBER, PASSWORD, LiveServer

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
EMERGENCY_WORDS = "my lips are swelling and I can't breathe"


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_from_screening_to_an_emergency_check_in_at_the_top_of_the_inbox(
    live_server: LiveServer, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    clinic = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = clinic.new_page()
    errors: list[str] = []
    expected = re.compile(r"status of (401|422)")  # the wrong password, the missing age
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not expected.search(m.text) else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))

    # a page that needs signing in sends the visitor to sign in, then back
    page.goto("/patients")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    shot(page, screenshots, "01-sign-in")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong email or password")
    expect(page.get_by_label("Email")).to_have_value(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/patients$"))

    # a new patient
    page.get_by_text("Add a patient").click()
    page.get_by_label("Full name").fill("Jamie Rivera")
    page.get_by_label("Chart number (optional)").fill("RS-1042")
    shot(page, screenshots, "02-patients")
    page.get_by_role("button", name="Add patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jamie Rivera")
    page.get_by_role("link", name="New screening").click()

    # the screening form: a missing age is named beside the field; the ticks stay
    page.get_by_label("cold sores in the past").check()
    page.get_by_label("Type IV").check()
    page.locator("input[name=areas][value=perioral]").check()
    page.locator("input[name=areas][value=cheeks]").check()
    page.get_by_label("Deepest needle depth (mm)").fill("1.0")
    page.get_by_role("button", name="Screen this patient").click()
    expect(page.locator("#err-age")).to_contain_text("age")
    expect(page.get_by_label("cold sores in the past")).to_be_checked()
    expect(page.get_by_label("Deepest needle depth (mm)")).to_have_value("1.0")
    shot(page, screenshots, "03-screening-form-error")
    page.get_by_label("Age (years)").fill("34")
    page.get_by_role("button", name="Screen this patient").click()

    # the assessment: the decision first, the antiviral precaution among the precautions
    expect(page.locator(".decision h1")).to_have_text("Proceed with precautions")
    precaution = page.locator(".finding.precaution[data-code=antiviral_prophylaxis]")
    expect(precaution).to_be_visible()
    expect(precaution).to_contain_text("Cold sore medicine before treatment")
    expect(page.locator(".finding.level-elevated, .finding.level-high").first).to_be_visible()
    shot(page, screenshots, "04-assessment")

    # the consent sheet from the assessment: the patient signs it on their phone (the link's
    # QR code), drawing on the canvas; the practitioner countersigns
    page.get_by_role("link", name="Consent sheet").click()
    expect(page.get_by_role("heading", name="Sign on the patient's phone")).to_be_visible()
    expect(page.locator(".staff-sign svg.qr")).to_be_visible()
    expect(page.locator(".red-flags")).to_contain_text(f"Call {EMERGENCY_NUMBER} now.")
    shot(page, screenshots, "04b-consent-sheet")
    signing = page.locator("#consent-link").input_value()
    assert signing.startswith(live_server.url + "/consent/")

    signer = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    sheet = signer.new_page()
    sheet.on("pageerror", lambda e: errors.append(str(e)))
    sheet.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not expected.search(m.text) else None
        ),
    )
    sheet.goto(signing)
    expect(sheet.get_by_role("heading", name="Sign this sheet")).to_be_visible()
    width = sheet.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the signing page scrolls sideways ({width}px)"
    # sent with a box unticked and nothing drawn: each problem is named by its field
    boxes = sheet.locator("input[name=ack]")
    for i in range(1, boxes.count()):
        boxes.nth(i).check()
    sheet.get_by_label("Your full name").fill("Jamie Rivera")
    expect(sheet.get_by_label("Draw my signature")).to_be_checked()
    sheet.get_by_role("button", name="Sign", exact=True).click()
    expect(sheet.locator("#error-summary")).to_be_visible()
    expect(sheet.locator("#err-ack-s0")).to_contain_text("Please tick this box")
    expect(sheet.locator("#err-signature")).to_contain_text("Please sign in the box")
    expect(sheet.get_by_label("Your full name")).to_have_value("Jamie Rivera")
    shot(sheet, screenshots, "04c-phone-consent-errors")
    sheet.locator("#f-ack-s0").check()
    pad = sheet.locator("#f-signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    x0, y0 = box["x"], box["y"]
    sheet.mouse.move(x0 + 0.1 * box["width"], y0 + 0.7 * box["height"])
    sheet.mouse.down()
    for fx, fy in ((0.25, 0.2), (0.4, 0.75), (0.55, 0.25), (0.7, 0.7), (0.9, 0.35)):
        sheet.mouse.move(x0 + fx * box["width"], y0 + fy * box["height"], steps=8)
    sheet.mouse.up()
    shot(sheet, screenshots, "04d-phone-consent-drawn")
    sheet.get_by_role("button", name="Sign", exact=True).click()
    expect(sheet.get_by_role("heading", level=1)).to_contain_text("Thank you. You have signed.")
    shot(sheet, screenshots, "04e-phone-consent-signed")
    signer.close()

    page.reload()
    expect(page.get_by_role("heading", name="The patient has signed: countersign")).to_be_visible()
    expect(page.locator(".signature-preview img")).to_be_visible()
    page.get_by_role("button", name="Countersign as practitioner").click()
    expect(page.locator(".signed")).to_contain_text("Countersigned.")
    expect(page.locator(".signed")).to_contain_text("practitioner Dr Rivers")
    expect(page.locator(".signed")).to_contain_text("drawn signature")
    shot(page, screenshots, "04f-consent-countersigned")
    page.get_by_role("link", name="Back to the screening").click()
    expect(page.locator(".decision h1")).to_have_text("Proceed with precautions")

    # record the treatment: the link, its QR code and the aftercare plan
    page.get_by_role("link", name="Record the treatment").first.click()
    expect(page.locator("input[name=areas][value=perioral]")).to_be_checked()
    page.get_by_label("Needle cartridge lot").fill("CART-2291")
    page.get_by_role("button", name="Record the treatment").click()
    expect(page.get_by_role("heading", name="The patient's check-in link")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    expect(page.get_by_role("heading", name="Day by day")).to_be_visible()
    link = page.locator("#checkin-link").input_value()
    assert link.startswith(live_server.url + "/checkin/")
    page.get_by_role("button", name="Copy link").click()
    shot(page, screenshots, "05-treatment-link")

    # the patient: a phone, a fresh browser context, nothing but the link
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(link)
    expect(mobile.get_by_role("heading", name="How is your skin today?")).to_be_visible()
    expect(mobile.get_by_role("link", name="Warning signs")).to_be_visible()
    shot(mobile, screenshots, "06-phone-check-in")
    mobile.get_by_label("Tell us in your own words").fill(EMERGENCY_WORDS)
    mobile.get_by_role("button", name="Send").click()
    answer = mobile.locator(".answer-emergency")
    expect(answer).to_be_visible()
    expect(answer.get_by_role("heading", level=1)).to_have_text(f"Call {EMERGENCY_NUMBER} now")
    expect(answer.get_by_role("link", name=f"Call {EMERGENCY_NUMBER}")).to_have_attribute(
        "href", f"tel:{EMERGENCY_NUMBER}"
    )
    shot(mobile, screenshots, "07-phone-emergency-answer")
    mobile.get_by_role("link", name="Aftercare").first.click()
    expect(mobile.get_by_role("link", name="Add reminders to my calendar")).to_be_visible()
    shot(mobile, screenshots, "08-phone-aftercare")
    mobile.get_by_role("link", name="Warning signs").first.click()
    expect(mobile.locator(".flag-emergency").first).to_be_visible()
    shot(mobile, screenshots, "09-phone-warning-signs")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the patient's page scrolls sideways ({width}px)"
    phone.close()

    # the clinic's inbox: the emergency on top, with what was said and what was told
    page.get_by_role("link", name=re.compile("Check-in inbox")).click()
    first = page.locator("article.checkin").first
    expect(first).to_have_class(re.compile("disp-emergency"))
    expect(first).to_contain_text("Jamie Rivera")
    expect(first).to_contain_text(EMERGENCY_WORDS)
    expect(first).to_contain_text("Call emergency services now")
    shot(page, screenshots, "10-inbox")
    first.get_by_label("Note (what was done)").fill("Called the patient; ambulance on the way.")
    first.get_by_role("button", name="Mark handled").click()  # htmx swaps the card in place
    expect(page.locator("article.checkin").first).to_contain_text("Handled")
    shot(page, screenshots, "11-inbox-handled")

    # an adverse event, with the ICD-10 code suggested for the complication
    # the patient's link in the check-in card (the live alert above links to the card)
    page.locator("article.checkin").first.get_by_role("link", name="Jamie Rivera").first.click()
    page.get_by_role("link", name="Record an adverse event").click()
    page.get_by_label("Complication").select_option("allergic_reaction")
    expect(page.locator("#icd10-hint")).to_contain_text("Suggested")
    page.locator("input[name=ctcae_grade][value='3']").check()
    page.get_by_label("Outcome").select_option("recovering")
    shot(page, screenshots, "12-adverse-event")
    page.get_by_role("button", name="Record the adverse event").click()
    expect(page.get_by_role("status")).to_contain_text("adverse event was recorded")
    expect(page.locator(".timeline")).to_contain_text("CTCAE grade 3")
    shot(page, screenshots, "13-timeline")
    clinic.close()
    assert not errors, errors
