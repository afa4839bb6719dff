"""In Chromium: a patient on a 375-px phone checks in with a photo taken on the spot, is told
what the clinic was told, and the clinic's open inbox shows the alert by itself with a flash,
a sound and the count in the tab's title."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import expect
from pydantic import SecretStr
from sqlalchemy import select

from needlesafe.app import create_app
from needlesafe.services import treatments
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.followup import CheckinPhoto
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import free_port, treat_today  # the follow-up tests' kit

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(__file__).parent / "screenshots"
URGENT = "The redness is spreading and it's hot to the touch. Some yellow crust near my chin."


@pytest.fixture
def site(tmp_path: Path, knowledge: Any) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    treated = treat_today(uow, knowledge)
    port = free_port()
    settings = Settings(
        environment="test",
        database_url=url,
        secret_key=SecretStr("browser-" + "x" * 40),
        public_base_url=f"http://127.0.0.1:{port}",
        photo_dir=str(tmp_path / "photos"),
    )
    link = treatments.issue_checkin_link(
        uow,
        actor=None,
        treatment_id=treated.treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
    )
    assert link is not None  # not only_if_active: a link is always made
    app = create_app(settings, knowledge=knowledge)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield {"base": settings.public_base_url, "link": link.url, "treated": treated, "uow": uow}
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.needlesafe.engine.dispose()
        engine.dispose()


def _photo_file(tmp_path: Path) -> Path:
    image = Image.new("RGB", (800, 600), (205, 150, 135))
    image.paste((215, 120, 110), (100, 100, 400, 400))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_a_patient_adds_a_photo_from_a_phone_and_the_open_inbox_alerts_the_clinic(
    browser: Any, site: dict[str, Any], tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    treated = site["treated"]
    clinic = browser.new_context(viewport={"width": 1200, "height": 900}, base_url=site["base"])
    desk = clinic.new_page()
    desk.goto("/login")
    desk.fill("input[name=email]", treated.staff.email)
    desk.fill("input[name=password]", treated.staff.password)
    desk.click("button[type=submit]")
    desk.goto("/inbox")
    desk.wait_for_selector("#live-inbox[data-cued='1'] [data-sound-toggle]")  # first answer in
    desk.click("[data-sound-toggle]")  # the click browsers ask for before a page makes sound
    expect(desk.locator("[data-sound-toggle]")).to_have_attribute("aria-pressed", "true")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = phone.new_page()
    page.goto(site["link"])
    field = page.locator("#f-photos")
    assert field.is_visible()
    assert field.get_attribute("accept") == "image/*" and field.get_attribute("capture") is not None
    page.fill("#f-message", URGENT)
    field.set_input_files(str(_photo_file(tmp_path)))
    page.wait_for_selector("text=1 photo ready to send")
    page.locator(".send-bar button[type=submit]").click()
    page.wait_for_selector("#answer-title")
    page.wait_for_selector(
        "text=Your clinic can now see 1 photo with this check-in", timeout=10_000
    )
    # this clinic has no alert address: said plainly, once the page has asked
    expect(page.locator("#clinic-told")).to_contain_text("no alert was sent")
    page.screenshot(path=str(SCREENSHOTS / "followup-phone-photo.png"), full_page=True)

    # the patient taps the treated skin, then untreated skin, on the photo they sent
    mine = page.locator(".mark-photo .mark-frame img")
    mine.scroll_into_view_if_needed()
    expect(mine).to_be_visible()
    spot = mine.bounding_box()
    assert spot is not None and spot["x"] + spot["width"] <= PHONE["width"]
    page.touchscreen.tap(spot["x"] + spot["width"] * 0.3, spot["y"] + spot["height"] * 0.4)
    expect(page.locator("[data-mark-status]")).to_contain_text("Now tap skin that was not")
    page.touchscreen.tap(spot["x"] + spot["width"] * 0.85, spot["y"] + spot["height"] * 0.85)
    expect(page.locator("[data-mark-status]")).to_contain_text("Both places marked")
    # the taps tick the matching places of the nine too (middle left, bottom right)
    expect(page.locator("input[name=treated_cell][value='4']")).to_be_checked()
    expect(page.locator("input[name=reference_cell][value='9']")).to_be_checked()
    page.locator(".mark-photo").screenshot(path=str(SCREENSHOTS / "followup-phone-mark.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the marking scrolls sideways ({width}px)"
    # axe-core (vendored, tests/e2e/vendor) finds nothing moderate or worse in the marking
    page.add_script_tag(path=str(Path(__file__).parent / "vendor" / "axe.min.js"))
    found = page.evaluate(
        "async () => (await axe.run('.mark-photo')).violations"
        ".filter(v => ['critical', 'serious', 'moderate'].includes(v.impact)).map(v => v.id)"
    )
    assert found == [], found
    page.get_by_role("button", name="Send these places").click()
    expect(page.locator("[data-mark-done]")).to_be_focused()
    with site["uow"] as uow:
        [marked] = uow.session.scalars(select(CheckinPhoto)).all()
        assert marked.measurement["marked_by"] == "patient"
        assert marked.measurement["delta_a_star"] > 5  # the square is redder than around it

    with site["uow"] as uow:
        [photo] = uow.session.scalars(select(CheckinPhoto)).all()
        assert photo.checkin_id is not None and photo.width == 800

    # the clinic's inbox, open all along, shows the urgent check-in by itself
    desk.wait_for_selector(".live-alert", timeout=12_000)
    assert "Pat Example" in desk.locator(".live-alert").inner_text()
    assert desk.title().startswith("(1 alert)")
    cues = desk.evaluate("window.needlesafeFollowup")
    assert cues["cues"] >= 1 and cues["beeps"] >= 1
    desk.screenshot(path=str(SCREENSHOTS / "followup-live-inbox.png"))

    # the inbox again: every card's photos come in one request
    strips: list[str] = []
    desk.on("request", lambda r: strips.append(r.url) if "photo-strip" in r.url else None)
    desk.reload()
    expect(desk.locator(".checkin-photos img").first).to_be_visible()
    assert len(strips) == 1 and "/inbox/photo-strips?ids=" in strips[0]

    # on the treatment page the patient's marks and numbers are there; the clinic can tap the
    # treated skin, then untreated skin, and measure again
    desk.goto(f"/patients/{treated.patient_id}/treatments/{treated.treatment_id}")
    photo = desk.locator("#treatment-photos .photo-frame img")
    photo.wait_for()
    expect(desk.locator("#treatment-photos .photo figcaption").first).to_contain_text(
        "Areas marked by the patient"
    )
    expect(desk.locator("#treatment-photos .mark-treated")).to_have_count(1)
    small = browser.new_context(viewport=PHONE, base_url=site["base"], is_mobile=True)
    small.add_cookies(clinic.cookies())
    staff_phone = small.new_page()
    staff_phone.goto(f"/patients/{treated.patient_id}/treatments/{treated.treatment_id}")
    staff_phone.locator("#treatment-photos .redness-plot").wait_for()
    staff_phone.locator("#treatment-photos .photo-frame img").scroll_into_view_if_needed()
    expect(staff_phone.locator("#treatment-photos .photo-frame img")).to_have_js_property(
        "complete", True
    )
    staff_phone.locator("#treatment-photos .mark-treated").wait_for()
    staff_phone.locator("#treatment-photos").screenshot(
        path=str(SCREENSHOTS / "followup-phone-treatment-photos.png")
    )
    staff_phone.goto("/inbox")
    staff_phone.locator(".checkin-photos img").first.wait_for()
    staff_phone.screenshot(path=str(SCREENSHOTS / "followup-phone-inbox.png"), full_page=True)
    small.close()
    photo.scroll_into_view_if_needed()
    box = photo.bounding_box()
    assert box is not None
    desk.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4)
    desk.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.85)
    assert desk.input_value("[data-box=treated]").count(",") == 3
    desk.click("#treatment-photos .measure-form button[type=submit]")
    desk.wait_for_selector("text=Redness Δa*")
    redness = desk.locator("#treatment-photos figcaption .small").first.inner_text()
    assert "Redness Δa* +" in redness  # the treated square is redder than the background
    desk.locator("#treatment-photos").screenshot(path=str(SCREENSHOTS / "followup-photos.png"))
    phone.close()
    clinic.close()


def test_without_a_script_a_patient_marks_the_photo_with_two_of_nine_places(
    browser: Any, site: dict[str, Any], tmp_path: Path
) -> None:
    """No JavaScript (or a keyboard and a screen reader): the answer page's photo form, then
    the nine places for each kind of skin, chosen from the keyboard."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = phone.new_page()
    page.goto(site["link"])
    page.fill("#f-message", "My cheeks are still a bit pink.")
    page.locator(".send-bar button[type=submit]").click()
    page.wait_for_selector("#answer-title")
    page.set_input_files("#f-more-photos", str(_photo_file(tmp_path)))
    page.get_by_role("button", name="Send photos").click()
    page.wait_for_selector(".mark-photo")
    treated = page.get_by_role("group", name="Where is the treated skin?")
    expect(treated.get_by_role("radio", name="Middle", exact=True)).to_be_checked()
    # from the keyboard: into the second group of places, then an arrow to the next place
    untreated = page.get_by_role("group", name="Where is skin that was not treated?")
    untreated.get_by_role("radio", name="Bottom middle").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(untreated.get_by_role("radio", name="Bottom right")).to_be_checked()
    page.screenshot(path=str(SCREENSHOTS / "followup-phone-mark-noscript.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the places scroll sideways ({width}px)"
    page.get_by_role("button", name="Send these places").click()
    expect(page.get_by_text("Your clinic will compare the colour")).to_be_visible()
    with site["uow"] as uow:
        [marked] = uow.session.scalars(select(CheckinPhoto)).all()
        assert marked.measurement["marked_by"] == "patient"
        assert marked.measurement["treated_box"] == [333, 250, 133, 100]
    phone.close()
