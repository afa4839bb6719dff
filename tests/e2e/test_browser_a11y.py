"""The patient's phone and the clinic's pages in a real browser, over the demo clinic.

1. On a 375-px phone, each bad check-in is answered in the page (htmx swaps the 422 in): the
   message beside its field, what was typed kept; a temperature with a decimal comma or in °F
   is read. A staff form's 422 (the inbox's "mark handled") is swapped in the same way.
2. axe-core (vendored from npm, tests/e2e/vendor/) is injected into every page, clinic and
   patient, at 375 px and on a desktop: no critical, serious or moderate violation.

Screenshots under tests/e2e/screenshots/ (git-ignored)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import checkins, demo, patients
from needlesafe.services.context import Actor
from needlesafe.store import models as m
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.e2e.e2ekit import LiveServer

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
COUNTED = ("critical", "serious", "moderate")


@dataclass(frozen=True)
class DemoWorld:
    checkin_url: str
    patient: int  # treated, with a check-in link
    intake: int
    treatment: int
    unsigned: tuple[int, int]  # a patient and a screening with no consent signed yet


@pytest.fixture(scope="module")
def world(live_server: LiveServer, knowledge: Knowledge) -> Iterator[DemoWorld]:
    engine = make_engine(live_server.database_url)
    uow = UnitOfWork(make_session_factory(engine))
    seeded = demo.seed_demo(
        uow,
        knowledge=knowledge,
        secret_key=live_server.secret,
        base_url=live_server.url,
        link_max_age=dt.timedelta(days=30),
    )
    assert seeded.link is not None
    with uow:
        clinic = uow.clinics.by_name(demo.DEMO_CLINIC)
        assert clinic is not None
        treatment = uow.session.query(m.Treatment).filter_by(id=seeded.link.treatment_id).one()
        user = uow.session.query(m.User).filter_by(email=demo.DEMO_EMAIL).one()
        actor = Actor(user_id=user.id, clinic_id=clinic.id, role=user.role)
        patient_id, intake_id, treatment_id = (
            treatment.patient_id,
            treatment.intake_id,
            treatment.id,
        )
        assert intake_id is not None  # the demo's treatments follow a screening
    # a second screening of the same patient, whose consent is not signed yet
    unsigned = patients.screen_patient(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake=demo.PATIENTS[1][1]
    )
    # check-ins for the inbox: an urgent one still open, one handled (a faded card)
    for symptoms, handled in ((["pus"], False), (["redness"], True)):
        taken = checkins.record_checkin(
            uow,
            actor=actor,
            knowledge=knowledge,
            treatment_id=treatment_id,
            data={"symptoms": symptoms},
        )
        if handled:
            checkins.mark_handled(uow, actor=actor, checkin_id=taken.id, note="Called back.")
    engine.dispose()
    yield DemoWorld(
        checkin_url=seeded.link.url,
        patient=patient_id,
        intake=intake_id,
        treatment=treatment_id,
        unsigned=(patient_id, unsigned.id),
    )


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"a11y-{name}.png"), full_page=True)


def _sign_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(demo.DEMO_EMAIL)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/patients$"))


def test_each_bad_check_in_on_a_phone_is_answered_beside_its_field(
    live_server: LiveServer, browser: Any, world: DemoWorld, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(world.checkin_url)
    send = page.get_by_role("button", name="Send")
    box = send.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], "Send is off-screen"
    expect(page.locator(".group-warning legend")).to_contain_text("Warning signs")

    # nothing at all: named at the words box, which gets the focus via the summary
    send.click()
    expect(page.locator("#err-message")).to_contain_text("tell us in your own words")
    expect(page.locator("#error-summary")).to_be_focused()
    _shot(page, screenshots, "phone-empty-check-in")
    # temperatures no thermometer shows: named beside the field; the words and ticks kept
    page.get_by_label("Tell us in your own words").fill("cheeks still pink")
    page.locator(".symptom-group.group-usual > summary").click()
    page.get_by_role("checkbox", name="Redness").check()
    for typed in ("389", "12", "hot"):
        # the last answer's message goes first, so the wait below is for this answer's own
        # (else it passes at once on the old one, and the next value is typed into a form
        # that htmx is about to replace: once seen as "hot12")
        page.locator("#err-temperature").evaluate_all("nodes => nodes.forEach(n => n.remove())")
        page.get_by_label("Your temperature, if you took it").fill(typed)
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="Send").click()
        expect(page.locator("#err-temperature")).to_contain_text("between 34 and 43.5 °C")
        expect(page.get_by_label("Your temperature, if you took it")).to_have_value(typed)
        expect(page.get_by_label("Tell us in your own words")).to_have_value("cheeks still pink")
        expect(page.get_by_role("checkbox", name="Redness")).to_be_checked()
    _shot(page, screenshots, "phone-bad-temperature")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the check-in form scrolls sideways ({width}px)"
    # a decimal comma, °F chosen: 101,5 °F is 38.6 °C, a fever: care today
    page.get_by_label("Your temperature, if you took it").fill("101,5")
    page.get_by_label("°F").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#answer-title")).to_have_text("Get medical care today")
    expect(page.locator("#answer-title")).to_be_focused()
    _shot(page, screenshots, "phone-answer-fever")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the check-in scrolls sideways ({width}px)"
    phone.close()

    # a staff form answered 422 by htmx: the card comes back with its message
    clinic = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    staff = clinic.new_page()
    _sign_in(staff)
    staff.goto("/inbox")
    card = staff.locator("article.checkin").first
    card.get_by_label("Note (what was done)").fill("x" * 5001)
    card.get_by_role("button", name="Mark handled").click()
    expect(staff.locator("article.checkin").first.locator(".field-error")).to_contain_text(
        "at most 5000 characters"
    )
    clinic.close()


def _pages(live_server: LiveServer, world: DemoWorld, page: Any) -> list[tuple[str, str]]:
    """(name, path) of every page to audit; the consent-signing link is read off its page."""
    p, i, t = world.patient, world.intake, world.treatment
    unsigned_patient, unsigned_intake = world.unsigned
    consent = f"/patients/{unsigned_patient}/screenings/{unsigned_intake}/consent"
    page.goto(consent)
    signing = page.locator("#consent-link").input_value()
    checkin = world.checkin_url
    return [
        ("patients", "/patients"),
        ("patient", f"/patients/{p}"),
        ("screening-form", f"/patients/{p}/screenings/new"),
        ("assessment", f"/patients/{p}/screenings/{i}"),
        ("consent-signed", f"/patients/{p}/screenings/{i}/consent"),
        ("consent-unsigned", consent),
        ("treatment-form", f"/patients/{p}/treatments/new?intake_id={i}"),
        ("treatment", f"/patients/{p}/treatments/{t}"),
        ("inbox", "/inbox"),
        ("inbox-all", "/inbox?show=all"),
        ("adverse-event-form", f"/patients/{p}/adverse-events/new"),
        ("adverse-events", "/adverse-events"),
        ("lots", "/lots"),
        ("clinic-settings", "/settings/clinic"),
        ("patient-check-in", checkin),
        ("patient-aftercare", checkin + "/aftercare"),
        ("patient-warning-signs", checkin + "/warning-signs"),
        ("patient-bad-link", "/checkin/not-a-real-link"),
        ("patient-consent-sign", signing),
    ]


def _audit(page: Any) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:  # WCAG 1.4.10 reflow: no sideways scrolling
        found.append(f"scrolls sideways: {width}px in {page.viewport_size['width']}px")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    for violation in json.loads(result):
        if violation["impact"] in COUNTED:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(
                f"{violation['impact']} {violation['id']}: {violation['help']} "
                f"({len(violation['nodes'])}x: {'; '.join(targets)})"
            )
    return found


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_passes_axe(
    live_server: LiveServer, browser: Any, world: DemoWorld, screenshots: Path, viewport: str
) -> None:
    size = PHONE if viewport == "phone" else DESKTOP
    # axe is injected as a script: the pages' CSP (script-src 'self') would refuse it
    context = browser.new_context(
        viewport=size, base_url=live_server.url, bypass_csp=True, reduced_motion="reduce"
    )
    page = context.new_page()
    _sign_in(page)
    problems: dict[str, list[str]] = {}
    for name, path in _pages(live_server, world, page):
        page.goto(path)
        problems[name] = _audit(page)
        if name == "patient-check-in":  # and the check-in's states: an error, an answer
            page.get_by_role("button", name="Send").click()
            page.locator("#error-summary").wait_for()
            problems[name + " (error)"] = _audit(page)
            page.get_by_label("Tell us in your own words").fill("my lips are swelling")
            page.get_by_role("button", name="Send").click()
            page.locator("#answer-title").wait_for()
            problems[name + " (answer)"] = _audit(page)
        if viewport == "phone":
            _shot(page, screenshots, f"{viewport}-{name}")
    context.close()
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, json.dumps(failing, indent=1)
