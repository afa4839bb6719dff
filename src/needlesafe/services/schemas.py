"""Values in and out of the services: `XCreate` from callers, `XPublic` back to them.

Out-models are built from the store's rows (`from_attributes`), so internal columns (password
hashes, token hashes) never leave the service layer.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from needlesafe.knowledge.schema import MAX_NEEDLE_DEPTH_MM

Item = TypeVar("Item")

Role = Literal["practitioner", "admin"]
Outcome = Literal[
    "recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal", "unknown"
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
# Text the server takes: no control characters (api/hostile.py refuses them); "filled"
# has one that is not a space (what stripping leaves must not be empty)
_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_FILLED_CHAR = r"[^\s\x00-\x1f\x7f-\x9f]"
FILLED = f"^{_TEXT_CHAR}*{_FILLED_CHAR}{_TEXT_CHAR}*$"
Lot = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=FILLED)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=FILLED)
]
# ICD-10-CM: a letter, two characters, then optionally a dot and up to four more.
ICD10_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def _icd10(value: str) -> str:
    code = value.strip().upper()
    if not ICD10_PATTERN.match(code):
        raise ValueError("not an ICD-10-CM code (like L03.211)")
    return code


# the spec's pattern is what `_icd10` takes (any case, spaces around)
ICD10_INPUT = r"^[ \t\n\r]*[A-Za-z][0-9][0-9A-Za-z](\.[0-9A-Za-z]{1,4})?[ \t\n\r]*$"
Icd10 = Annotated[
    str, Field(max_length=10, json_schema_extra={"pattern": ICD10_INPUT}), AfterValidator(_icd10)
]


def _not_null(*names: str) -> Any:
    """A JSON schema edit: these optional fields may be left out, never sent as null."""

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            prop = schema["properties"][name]
            kept = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
            if len(kept) == 1:
                prop.update(kept[0])
            elif kept:
                prop["anyOf"] = kept
            if prop.get("default", "") is None:
                del prop["default"]

    return edit


# record ids are 32-bit on every database
RecordId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    offset: int
    limit: int
    # the next page: pass as `cursor` (keyset paging; null when this page is the last)
    next_cursor: str | None = None


# ---------------------------------------------------------------- accounts


# Who patients call: digits with the usual separators; an emergency number is digits only.
Phone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=40, pattern=r"^\+?[0-9][0-9 ().-]*$"
    ),
]
EmergencyNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=20, pattern=r"^[0-9]+$")
]


class ClinicPublic(Out):
    id: int
    name: str
    phone: str | None = None
    emergency_number: str | None = None
    # urgent and emergency check-ins are emailed at once to `alert_email`; unacknowledged
    # after `realert_minutes`, again to `alert_email_second` (issue 15)
    alert_email: str | None = None
    alert_email_second: str | None = None
    realert_minutes: int = 15
    time_zone: str = "UTC"  # an IANA name: every date and time is shown in it
    temperature_unit: Literal["C", "F"] = "C"  # what a check-in asks for first
    created_at: dt.datetime


# an address to alert: one plain mailbox, no display name, no list
_ALERT_PART = r"[^@\s,;<>\"\x00-\x1f\x7f-\x9f]+"
AlertEmail = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=320,
        pattern=rf"^{_ALERT_PART}@{_ALERT_PART}\.{_ALERT_PART}$",
    ),
]


def _known_time_zone(name: str) -> str:
    if name not in time_zone_names():
        raise ValueError("should be a time zone name such as Europe/London or America/New_York")
    return name


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


TimeZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_known_time_zone)
]


class ClinicUpdate(In):
    """An admin's change to their clinic's details; fields left out stay as they are."""

    phone: Phone | None = None
    emergency_number: EmergencyNumber | None = None
    alert_email: AlertEmail | None = None  # null: no alert emails
    alert_email_second: AlertEmail | None = None
    realert_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    time_zone: TimeZoneName | None = None
    temperature_unit: Literal["C", "F"] | None = None


# what accounts.EMAIL takes (one @, a dot after it, no spaces), without control characters
_MAILBOX = r"[^@\s\x00-\x1f\x7f-\x9f]+"
USER_EMAIL = rf"^[ \t\n\r]*{_MAILBOX}@{_MAILBOX}\.{_MAILBOX}[ \t\n\r]*$"


class UserCreate(In):
    email: Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_lower=True, max_length=320),
        Field(json_schema_extra={"pattern": USER_EMAIL}),
    ]
    role: Role
    password: Annotated[str, Field(min_length=10, max_length=200)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class UserPublic(Out):
    id: int
    clinic_id: int
    email: str
    name: str
    role: str
    active: bool
    created_at: dt.datetime


class AuditEventPublic(Out):
    id: int
    at: dt.datetime
    user_id: int | None
    actor: str
    action: str
    record_type: str
    record_id: str | None
    record_ids: str | None = None  # the ids a list read returned, comma-separated


# ---------------------------------------------------------------- patients and intakes


def _born_by_now(value: dt.date) -> dt.date:
    # "today" where it is latest (UTC+14): a baby born today anywhere is accepted
    if value > (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date():
        raise ValueError("a date of birth cannot be in the future")
    return value


class PatientCreate(In):
    name: Name
    date_of_birth: Annotated[dt.date, AfterValidator(_born_by_now)] | None = None
    chart_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = (
        None
    )
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None


class PatientPublic(Out):
    id: int
    name: str
    date_of_birth: dt.date | None
    chart_number: str | None
    phone: str | None
    email: str | None
    created_at: dt.datetime


class PatientWarning(Out):
    """Something to check about a record that was saved anyway (a likely duplicate)."""

    code: Literal["likely_duplicate"]
    message: str
    patient_id: int  # the other record
    href: str  # its address in the API


class PatientCreated(PatientPublic):
    warnings: list[PatientWarning] = []


class IntakePublic(Out):
    id: int
    patient_id: int
    created_by: int | None
    created_at: dt.datetime
    decision: str
    knowledge_version: str
    input: dict[str, Any]
    assessment: dict[str, Any]


# ---------------------------------------------------------------- treatments


class AreaTreated(In):
    area: str  # an area code of the knowledge base
    depth_mm: Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM, allow_inf_nan=False)]
    passes: Annotated[int, Field(ge=1, le=50)] = 1


class TopicalUsed(In):
    code: str  # a topical code of the knowledge base
    lot: Lot | None = None


class TreatmentCreate(In):
    performed_on: dt.date
    device: str  # a device code: pen, roller, stamp, radiofrequency
    device_make: Short | None = None
    device_model: Short | None = None
    needle_cartridge_lot: Lot | None = None
    areas: Annotated[list[AreaTreated], Field(min_length=1, max_length=30)]
    numbing_agent: str = "none"
    numbing_agent_lot: Lot | None = None
    topicals: Annotated[list[TopicalUsed], Field(max_length=30)] = []
    notes: Text = ""
    intake_id: RecordId | None = None
    practitioner_id: RecordId | None = None  # default: the caller
    # Record it although the treatment gate found conflicts: why (a practitioner's words).
    override_reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
        | None
    ) = None


class TreatmentConflict(BaseModel):
    """One reason the treatment gate refuses a treatment: a stable code, the field of the
    treatment it is about, a plain message, and whether an override may record it anyway."""

    model_config = ConfigDict(frozen=True)

    code: str
    field: str
    message: str
    overridable: bool = True


class TreatmentCheck(BaseModel):
    """What the gate says of a treatment before it is recorded."""

    conflicts: list[TreatmentConflict]
    can_override: bool  # every conflict may be overridden with a reason
    intake_id: int | None = None
    decision: str | None = None  # the screening's decision
    screened_at: dt.datetime | None = None
    consent_signed_at: dt.datetime | None = None


class OverridePublic(Out):
    reason: str
    conflicts: list[TreatmentConflict]
    user_id: int | None
    at: dt.datetime


class AreaPublic(Out):
    area: str
    depth_mm: float
    passes: int


class TopicalPublic(Out):
    code: str
    lot: str | None


class TreatmentPublic(Out):
    id: int
    patient_id: int
    intake_id: int | None
    practitioner_id: int | None
    performed_on: dt.date
    device: str
    device_make: str | None
    device_model: str | None
    needle_cartridge_lot: str | None
    areas: list[AreaPublic]
    numbing_agent: str
    numbing_agent_lot: str | None
    topicals: list[TopicalPublic]
    notes: str
    created_at: dt.datetime
    override: OverridePublic | None = None


class TreatmentSafety(BaseModel):
    """What the treatment page shows of the gate: the screening, the consent, any override."""

    intake_id: int | None
    decision: str | None
    screened_at: dt.datetime | None
    consent_signed_at: dt.datetime | None
    consent_signer: str | None
    override: OverridePublic | None
    override_by: str | None  # the practitioner's name (or email)


class CheckinLink(BaseModel):
    treatment_id: int
    url: str
    token: str
    expires_at: dt.datetime
    status: Literal["active", "expired"] = "active"
    created_at: dt.datetime | None = None


# ---------------------------------------------------------------- check-ins


class CheckInPublic(Out):
    id: int
    patient_id: int
    treatment_id: int
    source: str
    created_at: dt.datetime
    disposition: str
    needs_attention: bool
    knowledge_version: str
    input: dict[str, Any]
    triage: dict[str, Any]
    handled: bool
    handled_at: dt.datetime | None
    handled_by: int | None
    handled_note: str


class HandledUpdate(In):
    note: Text = ""


class PatientCheckinView(BaseModel):
    """What a patient's link shows: nothing but the treatment's date and the clinic's name."""

    clinic_name: str
    clinic_phone: str | None = None
    emergency_number: str
    performed_on: dt.date
    days_since_treatment: float
    time_zone: str = "UTC"  # the clinic's
    temperature_unit: str = "C"  # the clinic's default for the check-in


# ---------------------------------------------------------------- adverse events


class AdverseEventCreate(In):
    patient_id: RecordId
    treatment_id: RecordId | None = None
    complication: str  # a complication code of the knowledge base
    onset_date: dt.date
    ctcae_grade: Annotated[int, Field(ge=1, le=5, strict=True)]
    icd10_code: Icd10 | None = None
    serious: bool = False
    actions: Text = ""
    outcome: Outcome = "unknown"
    product_lot: Lot | None = None
    notes: Text = ""
    follow_up_on: dt.date | None = None  # when to see or call the patient next


class AdverseEventUpdate(In):
    """A change to an open adverse event; fields left out stay as they are."""

    model_config = ConfigDict(json_schema_extra=_not_null("ctcae_grade", "serious", "outcome"))

    ctcae_grade: Annotated[int, Field(ge=1, le=5, strict=True)] | None = None
    icd10_code: Icd10 | None = None
    serious: bool | None = None
    actions: Text | None = None
    outcome: Outcome | None = None
    follow_up_on: dt.date | None = None
    notes: Text | None = None


class AdverseEventClose(In):
    """Closing an adverse event: when it resolved and how it ended."""

    resolved_on: dt.date
    outcome: Literal["recovered", "recovered_with_sequelae", "not_recovered", "fatal", "unknown"]
    notes: Text | None = None


class AdverseEventChangePublic(Out):
    id: int
    event_id: int
    at: dt.datetime
    user_id: int | None
    action: str
    changes: dict[str, Any]


class AdverseEventPublic(Out):
    id: int
    patient_id: int
    treatment_id: int | None
    complication: str
    onset_date: dt.date
    ctcae_grade: int
    icd10_code: str | None
    serious: bool
    actions: str
    outcome: str
    product_lot: str | None
    notes: str
    recorded_by: int | None
    created_at: dt.datetime
    status: str = "open"
    follow_up_on: dt.date | None = None
    resolved_on: dt.date | None = None
    updated_at: dt.datetime | None = None


# ---------------------------------------------------------------- consents


SignerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ConsentSign(BaseModel):
    """What the practitioner records when the patient (and guardian) have signed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sheet_version: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    patient_signer: SignerName
    guardian_signer: SignerName | None = None


class SignedConsentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    patient_id: int
    intake_id: int
    signed_at: dt.datetime
    recorded_by: int | None
    patient_signer: str
    guardian_signer: str | None
    practitioner_signer: str
    sheet_version: str
    knowledge_version: str
    wording_version: str
    pdf_sha256: str
    # signed by the patient themselves ("link": their phone, "tablet": the clinic's); "staff"
    # (or empty, before migration 0005): names typed by staff from a paper sheet
    signed_via: str | None = None
    signature_method: str | None = None
    patient_signed_at: dt.datetime | None = None
    guardian_relationship: str | None = None
    acknowledgements: list[str] | None = None


class PatientSignaturePublic(BaseModel):
    """The patient's part, waiting for the practitioner's countersignature."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    intake_id: int
    signed_at: dt.datetime
    signed_via: str
    signature_method: str
    patient_signer: str
    guardian_signer: str | None
    guardian_relationship: str | None
    acknowledgements: list[str]
    sheet_version: str
    signature_png: bytes | None = Field(default=None, exclude=True)  # for the staff page only


class ConsentLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    via: Literal["link", "tablet"] = "link"


class ConsentLink(BaseModel):
    intake_id: int
    url: str
    token: str
    via: str
    expires_at: dt.datetime
