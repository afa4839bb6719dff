"""In Chromium: a patient on a 375-px phone checks in with a photo taken on the spot, is told
what the clinic was told, and the clinic's open inbox shows the alert by itself with a flash,
a sound and the count in the tab's title."""

from __future__ import annotations

import io
import sys
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

# the follow-up tests' kit (tests/followup/followkit.py) and the shared records (tests/store)
sys.path[:0] = [str(Path(__file__).parents[1] / d) for d in ("store", "followup")]
from followkit import free_port, treat_today  # noqa: E402

from needlesafe.app import create_app  # noqa: E402
from needlesafe.services import treatments  # noqa: E402
from needlesafe.settings import Settings  # noqa: E402
from needlesafe.store.db import make_engine, make_session_factory  # noqa: E402
from needlesafe.store.followup import CheckinPhoto  # noqa: E402
from needlesafe.store.migrate import upgrade  # noqa: E402
from needlesafe.store.uow import UnitOfWork  # noqa: E402

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

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
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

    # on the treatment page the clinic taps the treated skin, then untreated skin, and measures
    desk.goto(f"/patients/{treated.patient_id}/treatments/{treated.treatment_id}")
    photo = desk.locator("#treatment-photos .photo-frame img")
    photo.wait_for()
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
