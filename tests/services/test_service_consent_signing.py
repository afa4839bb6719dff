"""Consent signed by the patient: a signed, expiring link for one screening; the patient ticks
every statement and draws (or types) a signature, with a guardian under the clinic's age of
consent; the practitioner countersigns and only then is the immutable signed consent written,
with its PDF and hash. Clinic-scoped and audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import secrets
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from PIL import Image, ImageDraw
from sqlalchemy import select, text

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts, consents, links, patients
from needlesafe.services.consents import acknowledgement_keys
from needlesafe.services.context import Actor, ConsentLinkAccess
from needlesafe.services.errors import Conflict, Forbidden, LinkExpired, LinkInvalid, NotFound
from needlesafe.store import models as m
from needlesafe.store.models import PatientConsentSignature, SignedConsent
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_staff

SECRET = "s" * 40
HOUR = dt.timedelta(hours=1)


def today() -> dt.date:
    """Today (UTC), asked when a test runs: a constant taken at import goes stale when a run
    crosses midnight."""
    return dt.datetime.now(dt.UTC).date()


ADULT = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {"areas": ["cheeks"], "needle_depth_mm": 0.5, "device": "pen"},
}


def teen(age: int) -> dict[str, Any]:
    return {"patient": {**ADULT["patient"], "age": age}, "plan": ADULT["plan"]}


def drawn(width: int = 600, height: int = 200) -> str:
    """A signature as the signing page's canvas sends it."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.line(
        [(30, 150), (150, 40), (260, 160), (420, 50), (560, 120)], fill=(20, 30, 60, 255), width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def clinic_actor(uow: UnitOfWork, *, age_of_consent: int = 18) -> Actor:
    clinic = accounts.create_clinic(
        uow, name=f"Clinic {secrets.token_hex(3)}", phone="020 7946 0100", emergency_number="999"
    )
    with uow:
        row = uow.clinics.by_id(clinic.id)
        assert row is not None
        row.age_of_consent = age_of_consent
        uow.commit()
    return add_staff(uow, clinic.id).actor


def screened(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, intake: dict[str, Any] | None = None
) -> tuple[int, int]:
    patient = patients.create_patient(uow, actor=actor, patient={"name": "Jamie Rivera"})
    saved = patients.screen_patient(
        uow, actor=actor, knowledge=knowledge, patient_id=patient.id, intake=intake or ADULT
    )
    return patient.id, saved.id


def access_for(actor: Actor, intake_id: int, via: str = "link") -> ConsentLinkAccess:
    token = links.issue_consent_token(
        SECRET, clinic_id=actor.clinic_id, intake_id=intake_id, via=via
    )
    return links.read_consent_token(SECRET, token, max_age=HOUR)


def full_form(
    uow: UnitOfWork, access: ConsentLinkAccess, knowledge: Knowledge, **changes: Any
) -> dict[str, Any]:
    view = consents.patient_consent_view(uow, access=access, knowledge=knowledge, today=today())
    form: dict[str, Any] = {
        "sheet_version": view.sheet.version,
        "ack": [key for key, _ in acknowledgement_keys(view.sheet)],
        "patient_name": "Jamie Rivera",
        "method": "drawn",
        "signature": drawn(),
    }
    form.update(changes)
    return form


def sign(uow: UnitOfWork, access: ConsentLinkAccess, knowledge: Knowledge, **changes: Any) -> Any:
    return consents.patient_sign(
        uow,
        access=access,
        knowledge=knowledge,
        form=full_form(uow, access, knowledge, **changes),
        today=today(),
    )


def rows(uow: UnitOfWork, model: Any) -> list[Any]:
    with uow:
        found = list(uow.session.scalars(select(model)))
        uow.session.expunge_all()  # keep what was loaded after the unit of work ends
        return found


def problems(caught: pytest.ExceptionInfo[InputError]) -> dict[str, str]:
    return {p.path: p.message for p in caught.value.problems}


# ---------------------------------------------------------------- the link


def test_a_consent_link_reads_back_as_its_clinic_screening_and_use() -> None:
    token = links.issue_consent_token(SECRET, clinic_id=3, intake_id=7, via="tablet")
    expected = ConsentLinkAccess(3, 7, "tablet")
    assert links.read_consent_token(SECRET, token, max_age=HOUR) == expected


def test_a_checkin_link_cannot_open_a_consent_nor_a_consent_link_a_checkin() -> None:
    checkin = links.issue_checkin_token(SECRET, clinic_id=3, treatment_id=7)
    consent = links.issue_consent_token(SECRET, clinic_id=3, intake_id=7, via="link")
    with pytest.raises(LinkInvalid):
        links.read_consent_token(SECRET, checkin, max_age=HOUR)
    with pytest.raises(LinkInvalid):
        links.read_checkin_token(SECRET, consent, max_age=HOUR)
    # even the right salt with the check-in's shape is refused
    shaped = URLSafeTimedSerializer(SECRET, salt=links.CONSENT_SALT).dumps({"c": 3, "t": 7})
    with pytest.raises(LinkInvalid):
        links.read_consent_token(SECRET, shaped, max_age=HOUR)


def test_a_consent_link_expires_and_a_tampered_one_is_invalid() -> None:
    token = links.issue_consent_token(SECRET, clinic_id=3, intake_id=7, via="link")
    with pytest.raises(LinkExpired):
        links.read_consent_token(SECRET, token, max_age=dt.timedelta(seconds=-1))
    for bad in (token[:-2] + "xx", "", "a.b.c", "x" * 600):
        with pytest.raises(LinkInvalid):
            links.read_consent_token(SECRET, bad, max_age=HOUR)


def test_staff_get_a_link_for_a_sheet_to_sign_and_it_is_audited(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    patient_id, intake_id = screened(uow, actor, knowledge)
    link = consents.issue_consent_link(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        secret_key=SECRET,
        base_url="https://c.example/",
        max_age=HOUR,
        today=today(),
    )
    assert link.url == f"https://c.example/consent/{link.token}"
    access = links.read_consent_token(SECRET, link.token, max_age=HOUR)
    assert (access.clinic_id, access.intake_id, access.via) == (actor.clinic_id, intake_id, "link")
    audit = rows(uow, m.AuditEvent)
    assert ("read", "consent_link", str(intake_id)) in {
        (a.action, a.record_type, a.record_id) for a in audit
    }


def test_no_link_for_a_deferred_screening_nor_for_another_clinics(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    deferred = {
        "patient": {"age": 30, "fitzpatrick": "II", "conditions": ["active_cold_sore"]},
        "plan": {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"},
    }
    patient_id, intake_id = screened(uow, actor, knowledge, deferred)
    arguments: dict[str, Any] = {
        "knowledge": knowledge,
        "secret_key": SECRET,
        "base_url": "https://c.example",
        "max_age": HOUR,
        "today": today(),
    }
    with pytest.raises(Conflict, match="not for signing"):
        consents.issue_consent_link(
            uow, actor=actor, patient_id=patient_id, intake_id=intake_id, **arguments
        )
    other = clinic_actor(uow)
    patient_id, intake_id = screened(uow, actor, knowledge)
    with pytest.raises(NotFound):
        consents.issue_consent_link(
            uow, actor=other, patient_id=patient_id, intake_id=intake_id, **arguments
        )


# ---------------------------------------------------------------- the patient signs


def test_the_patient_signs_then_the_practitioner_countersigns_into_an_immutable_record(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    patient_id, intake_id = screened(uow, actor, knowledge)
    access = access_for(actor, intake_id)
    part = sign(uow, access, knowledge)
    assert part.signed_via == "link" and part.signature_method == "drawn"
    assert part.signature_png is not None and part.signature_png.startswith(b"\x89PNG")
    assert rows(uow, SignedConsent) == []  # nothing signed until the countersignature
    view = consents.get_consent_view(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        today=today(),
    )
    assert view.record is None and view.patient_signature is not None
    assert view.sheet.version == part.sheet_version

    record = consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    assert record.patient_signer == "Jamie Rivera" and record.signed_via == "link"
    assert record.signature_method == "drawn" and record.sheet_version == part.sheet_version
    assert record.acknowledgements == view.sheet.statements
    assert record.patient_signed_at == part.signed_at <= record.signed_at
    [stored] = rows(uow, SignedConsent)
    assert stored.pdf.startswith(b"%PDF-")
    assert hashlib.sha256(stored.pdf).hexdigest() == stored.pdf_sha256 == record.pdf_sha256
    assert stored.signature_png == part.signature_png

    with pytest.raises(Conflict, match="already signed"):
        consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    with pytest.raises(Conflict, match="already signed"):
        sign(uow, access, knowledge)
    # the database itself refuses to change either part
    for table in ("signed_consents", "consent_patient_signatures"):
        with uow, pytest.raises(Exception, match="cannot be changed"):
            uow.session.execute(text(f"UPDATE {table} SET patient_signer = 'Someone Else'"))
            uow.session.flush()


def test_a_typed_name_signs_only_with_i_agree_ticked(uow: UnitOfWork, knowledge: Knowledge) -> None:
    actor = clinic_actor(uow)
    _, intake_id = screened(uow, actor, knowledge)
    access = access_for(actor, intake_id, via="tablet")
    with pytest.raises(InputError) as caught:
        sign(uow, access, knowledge, method="typed", signature="")
    assert problems(caught) == {"agree": 'Please tick "I agree" to sign with your typed name.'}
    part = sign(uow, access, knowledge, method="typed", signature="", agree="on")
    assert (part.signature_method, part.signed_via, part.signature_png) == ("typed", "tablet", None)


def test_every_box_must_be_ticked_and_each_problem_is_said_in_plain_words(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    _, intake_id = screened(uow, actor, knowledge)
    access = access_for(actor, intake_id)
    with pytest.raises(InputError) as caught:
        sign(uow, access, knowledge, ack=["s0", "s2"], patient_name="  ", method="")
    found = problems(caught)
    assert found["ack.s1"].startswith("Please tick this box")
    assert "ack.s0" not in found and "ack.s2" not in found
    assert found["patient_name"] == "Please type your full name."
    assert found["method"].startswith("Please choose how to sign")
    with pytest.raises(InputError) as caught:
        sign(uow, access, knowledge, signature="data:image/png;base64,AAAA")
    assert problems(caught) == {
        "signature": "We could not read your signature. Please press Clear and sign again."
    }
    assert rows(uow, PatientConsentSignature) == []  # nothing half-written


def test_a_blank_or_oversized_drawing_is_refused(uow: UnitOfWork, knowledge: Knowledge) -> None:
    actor = clinic_actor(uow)
    _, intake_id = screened(uow, actor, knowledge)
    access = access_for(actor, intake_id)
    blank = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    blank.save(out, format="PNG")
    empty = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    with pytest.raises(InputError, match="Please sign in the box"):
        sign(uow, access, knowledge, signature=empty)
    with pytest.raises(InputError, match="too large"):
        sign(uow, access, knowledge, signature=drawn(4000, 300))


def test_under_the_clinics_age_of_consent_a_guardian_signs_too(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)  # 18
    patient_id, intake_id = screened(uow, actor, knowledge, teen(16))
    access = access_for(actor, intake_id)
    without = full_form(uow, access, knowledge)
    assert "guardian" in without["ack"]  # the guardian's statement is a box too
    without["ack"].remove("guardian")
    with pytest.raises(InputError) as caught:
        consents.patient_sign(uow, access=access, knowledge=knowledge, form=without, today=today())
    found = problems(caught)
    assert found["guardian_name"].startswith("You are under 18. A parent or guardian")
    assert found["guardian_relationship"].startswith("Please say how they are related")
    assert found["ack.guardian"].startswith("Please tick this box")
    form = full_form(
        uow, access, knowledge, guardian_name="Pat Young", guardian_relationship="mother"
    )
    part = consents.patient_sign(uow, access=access, knowledge=knowledge, form=form, today=today())
    assert (part.guardian_signer, part.guardian_relationship) == ("Pat Young", "mother")
    record = consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    assert record.guardian_signer == "Pat Young" and record.guardian_relationship == "mother"
    assert record.acknowledgements is not None and len(record.acknowledgements) == len(form["ack"])


def test_the_age_of_consent_is_the_clinics(uow: UnitOfWork, knowledge: Knowledge) -> None:
    younger = clinic_actor(uow, age_of_consent=16)
    _, intake_id = screened(uow, younger, knowledge, teen(17))
    access = access_for(younger, intake_id)
    assert not consents.patient_consent_view(
        uow, access=access, knowledge=knowledge, today=today()
    ).sheet.guardian_required
    sign(uow, access, knowledge)  # no guardian asked
    older = clinic_actor(uow, age_of_consent=18)
    _, intake_id = screened(uow, older, knowledge, teen(17))
    view = consents.patient_consent_view(
        uow, access=access_for(older, intake_id), knowledge=knowledge, today=today()
    )
    assert view.sheet.guardian_required and view.age_of_consent == 18


def test_a_sheet_that_changed_since_it_was_opened_is_not_signed(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    _, intake_id = screened(uow, actor, knowledge)
    access = access_for(actor, intake_id)
    with pytest.raises(Conflict, match="The sheet changed"):
        sign(uow, access, knowledge, sheet_version="0" * 16)


def test_a_genuine_link_naming_another_clinics_screening_reaches_nothing(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    mine, theirs = clinic_actor(uow), clinic_actor(uow)
    patient_id, intake_id = screened(uow, theirs, knowledge)
    crossed = ConsentLinkAccess(clinic_id=mine.clinic_id, intake_id=intake_id, via="link")
    with pytest.raises(NotFound):
        consents.patient_consent_view(uow, access=crossed, knowledge=knowledge, today=today())
    with pytest.raises(NotFound):
        consents.patient_sign(uow, access=crossed, knowledge=knowledge, form={}, today=today())
    sign(uow, access_for(theirs, intake_id), knowledge)
    with pytest.raises(NotFound):
        consents.countersign(uow, actor=mine, patient_id=patient_id, intake_id=intake_id)


def test_countersigning_needs_the_patients_signature_and_a_named_person(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    patient_id, intake_id = screened(uow, actor, knowledge)
    with pytest.raises(Conflict, match="has not signed yet"):
        consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    sign(uow, access_for(actor, intake_id), knowledge)
    cli = Actor(user_id=None, clinic_id=actor.clinic_id, role="cli", kind="cli")
    with pytest.raises(Forbidden):
        consents.countersign(uow, actor=cli, patient_id=patient_id, intake_id=intake_id)


def test_the_patients_reads_and_signature_are_in_the_audit_log(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    actor = clinic_actor(uow)
    patient_id, intake_id = screened(uow, actor, knowledge)
    sign(uow, access_for(actor, intake_id), knowledge)
    consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    trail = [
        (a.actor, a.action, a.record_type)
        for a in rows(uow, m.AuditEvent)
        if a.record_id == str(intake_id)
    ]
    assert ("patient_link", "read", "consent") in trail
    assert ("patient_link", "create", "consent_patient_signature") in trail
    assert ("user", "create", "consent") in trail
