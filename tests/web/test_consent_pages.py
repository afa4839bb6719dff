"""The consent sheet for a signed-in browser: linked from the assessment, printable, as PDF,
and signed through a CSRF-checked form by the signed-in practitioner."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from PIL import Image, ImageDraw

from needlesafe.documents import render
from needlesafe.services import links
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine
from tests.web.pagekit import COLD_SORE_SCREENING as SCREENING
from tests.web.webkit import CLINICS, Browser, email_of


@pytest.fixture
def anonymous_phone(staff: Browser) -> Iterator[Browser]:
    """The patient's own phone: another browser (no session) on the same server."""
    with TestClient(
        staff.client.app,
        base_url="http://testserver",
        follow_redirects=False,
        headers={"accept": "text/html"},
    ) as client:
        yield Browser(client)


def pdf_text(pdf: bytes, tmp: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp / "signed.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def pdf_images(pdf: bytes, tmp: Path) -> int:
    tool = shutil.which("pdfimages")
    if tool is None:
        pytest.skip("pdfimages (poppler-utils) is not installed")
    path = tmp / "images.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, "-list", str(path)], capture_output=True, check=True)
    return len(done.stdout.decode().splitlines()) - 2  # two header lines


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


def signing_link(browser: Browser, consent: str) -> str:
    """The patient's signing link (its path) from the clinic's consent page."""
    found = re.search(
        r'id="consent-link" class="link-field" readonly value="([^"]+)"',
        browser.client.get(consent).text,
    )
    assert found, "no signing link on the consent page"
    return found.group(1).removeprefix("http://testserver")


def boxes_on(page: str) -> list[str]:
    return re.findall(r'name="ack" value="([a-z0-9]+)"', page)


def drawn_signature() -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.line(
        [(40, 140), (140, 50), (250, 150), (380, 60), (540, 130)], fill=(20, 32, 60, 255), width=5
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def patient_signs(patient: Browser, link: str, **changes: object) -> Any:
    """The patient fills in the signing form (every box ticked, a drawn signature)."""
    page = patient.client.get(link).text
    form: dict[str, object] = {
        "sheet_version": version_on(page),
        "ack": boxes_on(page),
        "patient_name": "Jamie Rivera",
        "method": "drawn",
        "signature": drawn_signature(),
    }
    form.update(changes)
    return patient.post(link, form, csrf_from=link)


def test_the_assessment_links_to_its_consent_sheet(staff: Browser) -> None:
    consent = screened(staff)
    assessment = staff.client.get(consent.removesuffix("/consent")).text
    assert f'href="{consent}">Consent sheet</a>' in assessment


def test_the_sheet_opens_with_the_patients_signing_link_and_qr_code(staff: Browser) -> None:
    consent = screened(staff)
    page = staff.client.get(consent)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Cold sore flare-up" in page.text and "window.print()" in page.text
    assert "Sign on the patient's phone" in page.text
    assert 'class="qr"' in page.text and "/consent/" in signing_link(staff, consent)
    assert f'action="{consent}/tablet"' in page.text
    assert 'name="patient_signer"' not in page.text  # staff no longer type the patient's name
    assert f'href="{consent}.pdf"' in page.text


def test_the_pdf_opens_in_the_browser(staff: Browser) -> None:
    pdf = staff.client.get(screened(staff) + ".pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_opening_an_unsigned_sheet_renders_its_pdf_ahead_for_the_pdf_link(
    staff: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "_ahead_on", True)  # as `needlesafe serve` starts it
    consent = screened(staff)
    page = staff.client.get(consent)
    assert page.status_code == 200
    render.wait_for_renders_ahead()

    def not_again(html: str, *, identifier: str) -> bytes:
        raise AssertionError(f"sheet {identifier} rendered when asked for, not ahead")

    monkeypatch.setattr(render, "html_to_pdf", not_again)
    pdf = staff.client.get(consent + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["X-Consent-Sheet-Version"] == page.headers["X-Consent-Sheet-Version"]


def test_the_patient_signs_on_their_phone_and_the_practitioner_countersigns(
    staff: Browser, anonymous_phone: Browser, tmp_path: Path
) -> None:
    consent = screened(staff)
    link = signing_link(staff, consent)
    form = anonymous_phone.client.get(link)
    assert form.status_code == 200 and "Sign this sheet" in form.text
    assert "I agree to have this treatment." in form.text
    assert 'src="/static/sign.js"' in form.text and "<canvas" in form.text
    assert "Parent or guardian" not in form.text  # an adult
    signed = patient_signs(anonymous_phone, link)
    assert signed.status_code == 303
    thanks = anonymous_phone.client.get(signed.headers["location"])
    assert "Thank you. You have signed." in thanks.text
    assert "For staff" not in thanks.text  # on the patient's own phone

    page = staff.client.get(consent).text
    assert "The patient has signed: countersign" in page
    assert 'src="data:image/png;base64,' in page  # the drawn signature, to check
    countersigned = staff.post(consent + "/countersign", {}, csrf_from=consent)
    assert countersigned.status_code == 303, countersigned.text
    page = staff.client.get(countersigned.headers["location"])
    assert "Countersigned." in page.text and "on their own phone" in page.text
    assert f"practitioner {email_of(CLINICS[0])}" in page.text
    pdf = staff.client.get(consent + ".pdf")
    assert hashlib.sha256(pdf.content).hexdigest() == pdf.headers["X-Consent-Pdf-Sha256"]
    text = pdf_text(pdf.content, tmp_path)
    assert text.count("\u2611") >= 6  # every statement ticked
    assert "Jamie Rivera" in text and email_of(CLINICS[0]) in text
    assert "countersigned, signed in" in text and "on their own phone, signature drawn" in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", text)
    assert pdf_images(pdf.content, tmp_path) >= 1  # the signature image
    again = staff.post(consent + "/countersign", {})
    assert again.status_code == 409 and "already signed" in again.text
    # the link now only says thank you
    assert "Thank you" in anonymous_phone.client.get(link).text


def test_the_tablet_opens_the_signing_page_on_the_clinics_device(staff: Browser) -> None:
    consent = screened(staff)
    opened = staff.post(consent + "/tablet", {}, csrf_from=consent)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/consent/")
    signed = patient_signs(
        staff, opened.headers["location"], method="typed", agree="on", signature=""
    )
    assert signed.status_code == 303
    thanks = staff.client.get(signed.headers["location"]).text
    assert "give the tablet back" in thanks and f'href="{consent}"' in thanks
    page = staff.client.get(consent).text
    assert "on the clinic's tablet" in page and "typed name" in page


def test_every_box_must_be_ticked_and_the_form_says_what_to_fix(
    staff: Browser, anonymous_phone: Browser
) -> None:
    link = signing_link(staff, screened(staff))
    page = anonymous_phone.client.get(link).text
    response = patient_signs(anonymous_phone, link, ack=boxes_on(page)[1:], patient_name="")
    assert response.status_code == 422
    assert "Please fix the parts marked below" in response.text
    assert 'id="err-ack-s0"' in response.text and "Please tick this box" in response.text
    assert 'id="err-patient_name"' in response.text
    assert "Please type your full name." in response.text
    assert 'id="err-ack-s1"' not in response.text
    assert 'value="s1" checked' in response.text  # what was ticked stays ticked
    for raw in ("Field required", "String should", "validation error", "Traceback"):
        assert raw not in response.text
    assert "Thank you" not in anonymous_phone.client.get(link).text  # nothing signed


def test_a_typed_name_needs_i_agree_and_a_bad_drawing_is_refused(
    staff: Browser, anonymous_phone: Browser
) -> None:
    link = signing_link(staff, screened(staff))
    typed = patient_signs(anonymous_phone, link, method="typed", signature="")
    assert typed.status_code == 422 and 'id="err-agree"' in typed.text
    bad = patient_signs(anonymous_phone, link, signature="data:image/png;base64,iVBORw0K")
    assert bad.status_code == 422 and "We could not read your signature" in bad.text
    none = patient_signs(anonymous_phone, link, method="")
    assert none.status_code == 422 and "Please choose how to sign" in none.text


def test_under_the_age_of_consent_a_guardian_must_sign_too(
    staff: Browser, anonymous_phone: Browser
) -> None:
    link = signing_link(staff, screened(staff, "Sam Young", age="16"))
    page = anonymous_phone.client.get(link).text
    assert "You are under 18. A parent or guardian must sign with you." in page
    assert "guardian" in boxes_on(page)
    response = patient_signs(
        anonymous_phone, link, ack=[b for b in boxes_on(page) if b != "guardian"]
    )
    assert response.status_code == 422
    assert 'id="err-guardian_name"' in response.text
    assert 'id="err-guardian_relationship"' in response.text
    assert 'id="err-ack-guardian"' in response.text
    signed = patient_signs(
        anonymous_phone, link, guardian_name="Pat Young", guardian_relationship="mother"
    )
    assert signed.status_code == 303
    assert "with Pat Young" in anonymous_phone.client.get(link).text


def test_the_age_of_consent_is_the_clinics_setting(
    staff: Browser, anonymous_phone: Browser, app_settings: Settings
) -> None:
    engine = make_engine(app_settings.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE clinics SET age_of_consent = 16"))
    engine.dispose()
    page = anonymous_phone.client.get(
        signing_link(staff, screened(staff, "Sam Young", age="17"))
    ).text
    assert 'id="f-guardian_name"' not in page and "guardian" not in boxes_on(page)


def test_an_expired_or_wrong_purpose_or_altered_link_is_refused(
    staff: Browser, anonymous_phone: Browser, app_settings: Settings
) -> None:
    consent = screened(staff)
    link = signing_link(staff, consent)
    token = link.removeprefix("/consent/")
    access = links.read_consent_token(app_settings.secret, token, max_age=dt.timedelta(1))
    old = int(time.time()) - (app_settings.consent_link_hours + 1) * 3600
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: old)
        expired = links.issue_consent_token(
            app_settings.secret,
            clinic_id=access.clinic_id,
            intake_id=access.intake_id,
            via="link",
        )
    gone = anonymous_phone.client.get(f"/consent/{expired}")
    assert gone.status_code == 410 and "has expired" in gone.text
    checkin = links.issue_checkin_token(
        app_settings.secret, clinic_id=access.clinic_id, treatment_id=access.intake_id
    )
    wrong = anonymous_phone.client.get(f"/consent/{checkin}")
    assert wrong.status_code == 404 and "not valid" in wrong.text
    assert anonymous_phone.client.get(f"/checkin/{token}").status_code == 404
    altered = anonymous_phone.client.get(f"/consent/{token[:-3]}abc")
    assert altered.status_code == 404
    # an expired link cannot sign either
    posted = anonymous_phone.post(f"/consent/{expired}", {"ack": ["s0"]}, csrf_from=link)
    assert posted.status_code == 410


def test_signing_without_the_csrf_token_is_refused(
    staff: Browser, anonymous_phone: Browser
) -> None:
    consent = screened(staff)
    link = signing_link(staff, consent)
    anonymous_phone.client.get(link)
    response = anonymous_phone.client.post(link, data={"patient_name": "Jamie Rivera"})
    assert response.status_code == 403
    assert staff.client.post(consent + "/countersign").status_code == 403
    assert staff.client.post(consent + "/tablet").status_code == 403


def test_a_sheet_that_changed_since_it_was_opened_is_shown_again(
    staff: Browser, anonymous_phone: Browser
) -> None:
    link = signing_link(staff, screened(staff))
    response = patient_signs(anonymous_phone, link, sheet_version="0" * 16)
    assert response.status_code == 409
    assert "The sheet changed after you opened it" in response.text
    assert version_on(response.text)  # the form again, with the current version


def test_countersigning_before_the_patient_signs_says_so(staff: Browser) -> None:
    consent = screened(staff)
    response = staff.post(consent + "/countersign", {}, csrf_from=consent)
    assert response.status_code == 409 and "The patient has not signed yet" in response.text


def test_a_deferred_screening_shows_no_sign_form(staff: Browser) -> None:
    consent = screened(staff, conditions=["active_cold_sore"])
    page = staff.client.get(consent).text
    assert "Not for signing" in page and "/consent/" not in page.split("Not for signing")[1]
    opened = staff.post(consent + "/tablet", {})
    assert opened.status_code == 409 and "not for signing" in opened.text


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
