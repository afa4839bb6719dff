"""SMS replies: STOP (and the usual variants) stops a patient's reminders, START turns them on
again, and the provider's inbound webhook is believed only with its signature or the shared
secret; every change is in the clinic's audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from needlesafe.knowledge.base import Knowledge
from needlesafe.messaging import sms
from needlesafe.services import reminders
from needlesafe.settings import Settings
from needlesafe.store import models as m
from needlesafe.store.followup import Message
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import at, make_worker, treat_today

# Twilio's published request-validation example (twilio-php, RequestValidatorTest): an
# independent reference, so a self-consistent but wrong signature cannot pass.
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        (" Stop. ", "stop"),
        ("STOPALL", "stop"),
        ("Unsubscribe", "stop"),
        ("cancel", "stop"),
        ("END", "stop"),
        ("quit!", "stop"),
        ("opt out", "stop"),
        ("START", "start"),
        ("Unstop", "start"),
        ("help", "help"),
        ("don't stop", None),
        ("please stop the itching", None),
        ("yes", None),  # a "yes" to a reminder must not undo a stop
        ("my face is swollen", None),
        ("", None),
    ],
)
def test_only_a_whole_reply_of_a_keyword_counts(body: str, keyword: str | None) -> None:
    assert sms.reply_keyword(body) == keyword


def test_the_signature_matches_the_providers_published_example() -> None:
    assert sms.request_signature("12345", VECTOR_URL, VECTOR_PARAMS) == VECTOR_SIGNATURE
    assert sms.signature_valid("12345", VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE)
    assert not sms.signature_valid("54321", VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE)
    assert not sms.signature_valid(
        "12345", VECTOR_URL, {**VECTOR_PARAMS, "Digits": "9999"}, VECTOR_SIGNATURE
    )
    assert not sms.signature_valid("12345", VECTOR_URL + "&x=1", VECTOR_PARAMS, VECTOR_SIGNATURE)


@pytest.mark.parametrize(
    ("stored", "sender", "same"),
    [
        ("+1 555 0100", "+15550100", True),
        ("+44 7700 900123", "+447700900123", True),
        ("07700 900123", "+447700900123", True),  # stored without the country code
        ("07700 900124", "+447700900123", False),
        ("900123", "+447700900123", False),  # too few digits to tell
        ("+1 555 0100", "+4415550100", False),
    ],
)
def test_phone_numbers_match_by_their_digits(stored: str, sender: str, same: bool) -> None:
    assert sms.same_phone(stored, sender) is same


def _stopped(uow: UnitOfWork, patient_id: int) -> bool:
    with uow:
        patient = uow.session.get(m.Patient, patient_id)
        assert patient is not None
        return patient.reminders_stopped_at is not None


def test_stop_stops_every_patient_with_that_number_and_start_turns_them_on(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    first = treat_today(uow, knowledge, phone="+1 555 0100")
    second = treat_today(uow, knowledge, phone="+1-555-0100", name="Sam Other")  # another clinic
    other = treat_today(uow, knowledge, phone="+1 555 0199", clinic_id=first.clinic_id)
    answer = reminders.sms_reply(
        uow,
        from_number="+15550100",
        body="Stop",
        knowledge=knowledge,
        provider="sms_provider",
        emergency_number="911",
    )
    assert (answer.keyword, answer.patients) == ("stop", 2)
    assert "START" in answer.reply and "{" not in answer.reply
    assert _stopped(uow, first.patient_id) and _stopped(uow, second.patient_id)
    assert not _stopped(uow, other.patient_id)
    with uow:
        rows = uow.session.scalars(
            select(m.AuditEvent).where(
                m.AuditEvent.record_type == "reminders", m.AuditEvent.actor == "sms_provider"
            )
        ).all()
        assert sorted((r.clinic_id, r.record_id, r.action) for r in rows) == sorted(
            [
                (first.clinic_id, str(first.patient_id), "update"),
                (second.clinic_id, str(second.patient_id), "update"),
            ]
        )
    again = reminders.sms_reply(
        uow,
        from_number="+15550100",
        body="START",
        knowledge=knowledge,
        provider="sms_provider",
        emergency_number="911",
    )
    assert again.keyword == "start" and "STOP" in again.reply
    assert not _stopped(uow, first.patient_id) and not _stopped(uow, second.patient_id)


def test_any_other_reply_changes_nothing_and_says_where_to_go(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    treated = treat_today(uow, knowledge, phone="+1 555 0100")
    answer = reminders.sms_reply(
        uow,
        from_number="+15550100",
        body="my lips are swelling",
        knowledge=knowledge,
        provider="sms_provider",
        emergency_number="112",
    )
    assert answer.keyword is None and answer.patients == 0
    assert "112" in answer.reply and "No one reads" in answer.reply
    assert not _stopped(uow, treated.patient_id)


def test_a_text_queued_before_the_stop_is_not_sent(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge, phone="+1 555 0100")
    worker = make_worker(engine, knowledge, settings, None)
    due = at(treated.performed_on + dt.timedelta(days=1), 10)
    worker.run_due(now=due, limit=1)  # the reminder decides: its email and SMS are queued
    reminders.sms_reply(
        uow,
        from_number="+15550100",
        body="STOP",
        knowledge=knowledge,
        provider="sms_provider",
        emergency_number="911",
    )
    worker.run_due(now=due)
    with uow:
        messages = uow.session.scalars(select(Message)).all()
        assert messages and {x.status for x in messages} == {"failed"}
        assert {x.error for x in messages} == {"not sent: the patient stopped reminders"}


# ---------------------------------------------------------------- the provider's webhook

TOKEN = "provider-auth-token-123"
SHARED = "a-long-shared-webhook-secret"
INBOUND = "/api/v1/sms/inbound"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The follow-up test settings with an SMS provider and a shared webhook secret."""
    from pydantic import SecretStr

    return settings.model_copy(
        update={
            "sms_api_url": "https://sms.example",
            "sms_account": "AC1",
            "sms_token": SecretStr(TOKEN),
            "sms_from": "+15550000",
            "sms_webhook_secret": SecretStr(SHARED),
        }
    )


def _signed(settings: Settings, form: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    url = settings.public_base_url.rstrip("/") + INBOUND
    return {"X-Twilio-Signature": sms.request_signature(token, url, form)}


def test_a_signed_stop_from_the_provider_stops_the_reminders_and_is_answered(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge, phone="+1 555 0100")
    form = {"From": "+15550100", "To": "+15550000", "Body": "STOP", "MessageSid": "SM1"}
    answer = client.post(INBOUND, data=form, headers=_signed(settings, form))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert "<Response><Message>Done. We will not text you" in answer.text
    assert _stopped(uow, treated.patient_id)
    form = {**form, "Body": "start", "MessageSid": "SM2"}
    answer = client.post(INBOUND, data=form, headers={"Authorization": f"Bearer {SHARED}"})
    assert answer.status_code == 200 and "reply STOP" in answer.text
    assert not _stopped(uow, treated.patient_id)
    with uow:
        kinds = uow.session.scalars(
            select(m.AuditEvent.record_id).where(m.AuditEvent.record_type == "sms_reply")
        ).all()
        assert sorted(kinds, key=str) == ["start", "stop"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "forged="},
        {"Authorization": "Bearer wrong-secret"},
        {"Authorization": SHARED},
    ],
    ids=["none", "forged-signature", "wrong-secret", "secret-without-bearer"],
)
def test_an_unsigned_or_forged_reply_is_refused_and_changes_nothing(
    client: TestClient,
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
    headers: dict[str, str],
) -> None:
    treated = treat_today(uow, knowledge, phone="+1 555 0100")
    answer = client.post(INBOUND, data={"From": "+15550100", "Body": "STOP"}, headers=headers)
    assert answer.status_code == 401
    assert not _stopped(uow, treated.patient_id)


def test_a_signature_over_other_words_is_refused(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge, phone="+1 555 0100")
    signed_for = {"From": "+15550100", "Body": "HELP"}
    answer = client.post(
        INBOUND, data={"From": "+15550100", "Body": "STOP"}, headers=_signed(settings, signed_for)
    )
    assert answer.status_code == 401
    assert not _stopped(uow, treated.patient_id)


def test_a_reply_with_no_sender_or_too_long_is_422_naming_the_field(
    client: TestClient, settings: Settings
) -> None:
    for form, field in (
        ({"Body": "STOP"}, "From"),
        ({"From": "+1555", "Body": "x" * 2000}, "Body"),
    ):
        answer = client.post(INBOUND, data=form, headers=_signed(settings, form))
        assert answer.status_code == 422, answer.text
        assert field in answer.text
