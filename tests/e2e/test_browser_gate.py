"""The treatment gate in a real browser: a screening that says Defer, a treatment form that
shows the conflicts as they are typed (htmx), the treatment refused, then recorded with the
practitioner's reason, which the treatment page and the timeline show. Then a lot search.
Screenshots under tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.e2ekit import EMAIL, PASSWORD, LiveServer

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
REASON = "Obstetrician's written clearance is in the chart; no numbing cream used."


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_deferred_screening_blocks_the_treatment_until_a_reason_is_given(
    live_server: LiveServer, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    expected = re.compile(r"status of 409")  # the refused treatment
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not expected.search(m.text) else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/patients$"))
    page.get_by_text("Add a patient").click()
    page.get_by_label("Full name").fill("Morgan Lee")
    page.get_by_role("button", name="Add patient").click()
    page.get_by_role("link", name="New screening").click()

    # pregnant, allergic to lidocaine: the screening says Defer
    page.get_by_label("Age (years)").fill("31")
    page.get_by_label("Type III").check()
    page.get_by_label("Pregnant").check()
    page.locator("input[name=allergies][value=lidocaine]").check()
    page.locator("input[name=areas][value=cheeks]").check()
    page.get_by_label("Deepest needle depth (mm)").fill("1.0")
    page.get_by_role("button", name="Screen this patient").click()
    expect(page.locator(".decision h1")).to_have_text("Defer")
    shot(page, screenshots, "20-deferred-screening")

    # the treatment form, pre-filled from the screened plan, already shows the conflicts
    page.goto(page.url.split("/screenings/")[0] + "/treatments/new")
    expect(page.locator("input[name=areas][value=cheeks]")).to_be_checked()
    gate = page.locator("#gate")
    expect(gate.locator("[data-code=screening_deferred]")).to_be_visible()
    expect(gate.locator("[data-code=consent_not_signed]")).to_be_visible()
    # typing lidocaine cream for a lidocaine allergy adds a conflict as it is picked (htmx)
    page.get_by_label("Numbing cream", exact=True).select_option("lidocaine")
    expect(gate.locator("[data-code=allergy_numbing_agent]")).to_be_visible()
    shot(page, screenshots, "21-treatment-form-conflicts")
    page.get_by_label("Numbing cream", exact=True).select_option("none")
    expect(gate.locator("[data-code=allergy_numbing_agent]")).to_have_count(0)

    # refused: nothing recorded, the reason is asked for
    page.get_by_label("Needle cartridge lot").fill("CART-7781")
    page.get_by_role("button", name="Record the treatment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a treatment")
    reason = page.get_by_label(re.compile("Why are you recording it anyway"))
    expect(reason).to_be_visible()
    shot(page, screenshots, "22-treatment-refused")
    reason.fill(REASON)
    page.get_by_role("button", name="Record anyway, with this reason").click()

    # recorded with the override, shown on the treatment page
    expect(page.get_by_role("heading", name="Screening and consent")).to_be_visible()
    override = page.locator(".override")
    expect(override).to_contain_text("Recorded against the safety check")
    expect(override).to_contain_text("Dr Rivers")
    expect(override).to_contain_text(REASON)
    expect(override.locator("[data-code=screening_deferred]")).to_be_visible()
    shot(page, screenshots, "23-treatment-override")

    # the timeline marks it
    page.get_by_role("link", name="Morgan Lee").first.click()
    expect(page.locator(".timeline")).to_contain_text("recorded against the safety check")
    shot(page, screenshots, "24-timeline-override")

    # a recall: the cartridge lot finds the treatment
    page.get_by_role("link", name="Lots").click()
    page.get_by_label(re.compile("Lot number")).fill("CART-7781")
    page.get_by_role("button", name="Find treatments").click()
    expect(page.locator("table")).to_contain_text("Morgan Lee")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    shot(page, screenshots, "25-lot-trace")

    # an adverse event followed: recorded, then a follow-up date set on its page
    page.get_by_role("link", name="Morgan Lee").first.click()
    page.get_by_role("link", name="Record an adverse event").click()
    page.get_by_label("Complication").select_option("infection")
    page.locator("input[name=ctcae_grade][value='2']").check()
    page.get_by_role("button", name="Record the adverse event").click()
    page.locator(".timeline a", has_text="Infection").first.click()
    page.get_by_label("Next follow-up").fill("2099-01-01")
    page.get_by_label("Actions taken").fill("Oral antibiotics started")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("status")).to_contain_text("The change was saved")
    expect(page.locator(".timeline")).to_contain_text("next follow-up: 2099-01-01")
    shot(page, screenshots, "26-adverse-event-course")
    page.get_by_role("link", name="Adverse events").click()
    expect(page.locator("table")).to_contain_text("Morgan Lee")
    shot(page, screenshots, "27-open-adverse-events")
    context.close()
    assert not errors, errors
