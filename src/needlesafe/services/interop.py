"""CDS Hooks calls, their feedback, and FHIR R4 export and import: the use cases, with the
database, the network (an EHR's FHIR server, a JWK Set) and the audit log.

A hook call is authenticated by the EHR's JWT (`interop.jwt_auth`), whose issuer names the
clinic; the JWT id is spent in the replay store in the same transaction as the call's cards.
The FHIR data comes from the call's prefetch, or, for a key the EHR left out, from its FHIR
server with the access token it gave (else 412). A prefetch key that is null or an empty Bundle
means "no data"; an OperationOutcome means the EHR could not get it: the screening is then not
done and a card says why, rather than cards built on missing data.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.interop import cds, fhir_in, fhir_out
from needlesafe.interop.cds import code_map_of
from needlesafe.interop.jwt_auth import CdsAuthError, CdsClient, parse_clients, verify
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.code_map_schema import CodeMap
from needlesafe.services.common import audit, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import DomainError, NotAuthenticated, NotFound
from needlesafe.store.interop import CdsCard, CdsFeedback, InteropRepository
from needlesafe.store.uow import UnitOfWork

FETCH_TIMEOUT_SECONDS = 2.0  # a hook answers within ~500 ms; a slow FHIR server is an error
JWKS_CACHE_SECONDS = 300

# (url, access token) -> the JSON the FHIR server answered; raises httpx.HTTPError on failure
Fetcher = Callable[[str, str], Any]


class PrefetchUnavailable(DomainError):
    """A prefetch key is missing and there is no FHIR server to fetch it from (HTTP 412)."""


# ---------------------------------------------------------------- who is calling


@lru_cache(maxsize=8)
def _clients_from(path: str, mtime_ns: int) -> tuple[CdsClient, ...]:
    return tuple(parse_clients(Path(path).read_text(encoding="utf-8"), path))


def load_clients(path: str | None) -> list[CdsClient]:
    """The EHRs allowed to call (NEEDLESAFE_CDS_CLIENTS); none when no file is configured.
    Read again when the file changes."""
    if not path:
        return []
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError:
        raise NotAuthenticated("the CDS clients file cannot be read") from None
    try:
        return list(_clients_from(path, mtime))
    except (OSError, UnicodeDecodeError, ValueError):
        raise NotAuthenticated("the CDS clients file is not valid") from None


_jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def fetch_jwks(url: str) -> dict[str, Any]:
    """An allow-listed issuer's JWK Set, kept for a few minutes."""
    now = time.monotonic()
    cached = _jwks_cache.get(url)
    if cached and now - cached[0] < JWKS_CACHE_SECONDS:
        return cached[1]
    try:
        response = _http().get(url)
        response.raise_for_status()
        keys = response.json()
    except (httpx.HTTPError, ValueError):
        raise CdsAuthError("the issuer's JWK Set could not be fetched") from None
    if not isinstance(keys, dict):
        raise CdsAuthError("the issuer's JWK Set is not a JSON object")
    _jwks_cache[url] = (now, keys)
    return keys


def authenticate(
    uow: UnitOfWork,
    *,
    authorization: str | None,
    clients: list[CdsClient],
    audience: str,
    jwks: Callable[[str], dict[str, Any]] = fetch_jwks,
) -> Actor:
    """The clinic a hook call acts for, from its JWT; the JWT id is spent (a replay fails)."""
    if not clients:
        raise NotAuthenticated("CDS Hooks is not configured here (no NEEDLESAFE_CDS_CLIENTS)")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send the EHR's JWT: `Authorization: Bearer <JWT>`")
    try:
        client, claims = verify(token.strip(), clients=clients, audience=audience, fetch_jwks=jwks)
    except CdsAuthError as error:
        raise NotAuthenticated(error.message) from None
    now = dt.datetime.now(dt.UTC)
    with uow:
        clinic = uow.clinics.by_name(client.clinic)
        if clinic is None:
            raise NotAuthenticated("the issuer's clinic is not known here")
        fresh = InteropRepository(uow.session).use_jti(
            issuer=client.iss,
            jti=claims["jti"],
            expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
            now=now,
        )
        if not fresh:
            raise NotAuthenticated("this JWT was already used (jti seen before)")
        uow.commit()
        return Actor(user_id=None, clinic_id=clinic.id, role="cds", kind="cds_client")


# ---------------------------------------------------------------- prefetch


@dataclass
class Fetched:
    """One prefetch key: its resources, or why there are none."""

    state: str  # "data" | "null" | "empty" | "error"
    resources: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""


def _issues(outcome: dict[str, Any]) -> str:
    texts = []
    for issue in fhir_in.objects(outcome.get("issue")):
        if issue:
            details = issue.get("details")
            text = issue.get("diagnostics") or (
                details.get("text") if isinstance(details, dict) else None
            )
            texts.append(str(text or issue.get("code") or "error"))
    return "; ".join(texts) or "an OperationOutcome without issues"


def classify(value: Any) -> Fetched:
    """The prefetch states of CDS Hooks 2.0: null (no data), a resource, a Bundle (maybe
    empty), or an OperationOutcome (the EHR could not get it)."""
    if value is None:
        return Fetched("null")
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        return Fetched("error", message="not a FHIR resource")
    if value["resourceType"] == "OperationOutcome":
        return Fetched("error", message=_issues(value))
    if value["resourceType"] != "Bundle":
        return Fetched("data", [value])
    resources = []
    for resource in fhir_in.bundle_resources(value):
        if resource.get("resourceType") == "OperationOutcome":
            severities = {i.get("severity") for i in fhir_in.objects(resource.get("issue"))}
            if severities & {"error", "fatal"}:
                return Fetched("error", message=_issues(resource))
            continue  # information and warnings of a search
        resources.append(resource)
    return Fetched("data", resources) if resources else Fetched("empty")


def render_template(template: str, context: dict[str, Any]) -> str:
    """`Condition?patient={{context.patientId}}` with the context's values (URL-quoted)."""
    out = template
    while "{{context." in out:
        start = out.index("{{context.")
        end = out.index("}}", start)
        name = out[start + len("{{context.") : end]
        value = context.get(name)
        if not isinstance(value, str | int) or str(value) == "":
            raise InputError([InputProblem(f"context.{name}", "required field is missing")])
        out = out[:start] + quote(str(value), safe="") + out[end + 2 :]
    return out


_client_lock = threading.Lock()
_clients: list[httpx.Client] = []


def _http() -> httpx.Client:
    """One connection pool for the process (making a client costs ~30 ms: its TLS context)."""
    with _client_lock:
        if not _clients:
            _clients.append(httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False))
        return _clients[0]


def http_fetch(url: str, token: str) -> Any:
    response = _http().get(
        url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
    )
    if response.status_code in (404, 410):
        return None  # nothing there: the same as a null prefetch
    response.raise_for_status()
    return response.json()


def gather(
    request: cds.HookRequest, templates: dict[str, str], fetch: Fetcher
) -> dict[str, Fetched]:
    prefetch = request.prefetch or {}
    found = {key: classify(prefetch[key]) for key in templates if key in prefetch}
    missing = [key for key in templates if key not in prefetch]
    if not missing:
        return found
    if request.fhirServer is None or request.fhirAuthorization is None:
        raise PrefetchUnavailable(
            f"prefetch {', '.join(missing)} not given and no fhirServer with fhirAuthorization "
            "to fetch it from"
        )
    base = request.fhirServer.rstrip("/")
    token = request.fhirAuthorization.access_token
    urls = {key: f"{base}/{render_template(templates[key], request.context)}" for key in missing}

    def one(key: str) -> Fetched:
        try:
            return classify(fetch(urls[key], token))
        except (httpx.HTTPError, ValueError) as error:
            return Fetched("error", message=f"the FHIR server: {type(error).__name__}")

    with ThreadPoolExecutor(max_workers=len(missing)) as pool:  # the queries side by side
        found.update(zip(missing, pool.map(one, missing), strict=True))
    return found


# ---------------------------------------------------------------- hook calls


def _context_resources(request: cds.HookRequest, service: cds.CdsService) -> list[dict[str, Any]]:
    """The appointments being booked, or the draft orders (order-select: the selected ones)."""
    context = request.context
    key = "appointments" if service.hook == "appointment-book" else "draftOrders"
    value = context.get(key)
    if value is None:
        raise InputError([InputProblem(f"context.{key}", "required field is missing")])
    if isinstance(value, list):  # the older bare array of appointments
        resources = [r for r in value if isinstance(r, dict)]
    elif isinstance(value, dict) and value.get("resourceType") == "Bundle":
        resources = fhir_in.bundle_resources(value)
    else:
        raise InputError([InputProblem(f"context.{key}", "should be a FHIR Bundle")])
    if service.hook == "order-select":
        selections = context.get("selections")
        if not isinstance(selections, list) or not selections:
            raise InputError([InputProblem("context.selections", "required field is missing")])
        chosen = {str(s) for s in selections}
        resources = [r for r in resources if f"{r.get('resourceType')}/{r.get('id')}" in chosen]
    return resources


def _depth(resource: dict[str, Any], code_map: CodeMap) -> float | None:
    url = fhir_out.extension_url(code_map, "needle-depth")
    for extension in fhir_in.objects(resource.get("extension")):
        if extension.get("url") == url:
            value = extension.get("valueDecimal")
            if isinstance(value, int | float) and 0 < value <= 4:
                return float(value)
    return None


def _plan_of(
    orders: list[dict[str, Any]], code_map: CodeMap
) -> tuple[dict[str, Any], list[str], list[dict[str, str]]]:
    """The screening's plan from the orders, what was assumed, and unknown body sites."""
    assumed = code_map.file.assumed_plan
    areas: list[str] = []
    unknown: list[dict[str, str]] = []
    depths: list[float] = []
    for order in orders:
        found, missing = fhir_in.order_areas(order, code_map)
        areas += [a for a in found if a not in areas]
        unknown += missing
        depth = _depth(order, code_map)
        if depth is not None:
            depths.append(depth)
    notes = []
    if not areas:
        areas = list(assumed.areas)
        notes.append(f"treatment areas not given: screened for {', '.join(areas)}")
    notes.append(f"numbing: screened with {assumed.numbing_agent.replace('_', ' ')}")
    if not depths:
        notes.append(f"needle depth not given: screened at {assumed.needle_depth_mm} mm")
    plan = {
        "areas": areas,
        "needle_depth_mm": max(depths) if depths else assumed.needle_depth_mm,
        "device": assumed.device,
        "numbing_agent": assumed.numbing_agent,
    }
    return plan, notes, unknown


def _notice(text: str, detail: str, topic: str) -> list[cds.Card]:
    return [cds.notice_card(text, detail, topic=topic)]


def _screening(
    request: cds.HookRequest,
    service: cds.CdsService,
    knowledge: Knowledge,
    fetch: Fetcher,
    today: dt.date,
) -> tuple[list[cds.Card], list[dict[str, str]], list[str]]:
    """(cards, unmapped codes, assumptions) for appointment-book / order-select / order-sign."""
    code_map = code_map_of(knowledge)
    orders = [
        r for r in _context_resources(request, service) if fhir_in.mentions_procedure(r, code_map)
    ]
    if not orders:
        return [], [], []  # not a microneedling booking or order: nothing to say
    data = gather(request, service.prefetch, fetch)
    failed = {
        k: f.message for k, f in data.items() if f.state == "error" and k in cds.REQUIRED_KEYS
    }
    if failed:
        detail = "\n".join(f"- {cds.md(key)}: {cds.md(message)}" for key, message in failed.items())
        return (
            _notice(
                "Microneedling screening not done: the record could not be read",
                "The EHR could not provide:\n" + detail + "\n\nScreen the patient in needlesafe.",
                "record_unavailable",
            ),
            [],
            [],
        )
    patients = [r for r in data["patient"].resources if r.get("resourceType") == "Patient"]
    age = fhir_in.age_on(patients[0].get("birthDate"), today) if patients else None
    if age is None or not 0 <= age <= 120:
        return (
            _notice(
                "Microneedling screening not done: no birth date in the record",
                "The screening needs the patient's age. Screen the patient in needlesafe.",
                "record_incomplete",
            ),
            [],
            [],
        )
    resources = [r for key, f in data.items() if key != "patient" for r in f.resources]
    extracted = fhir_in.read_resources(resources, code_map, today=today)
    valid_types = knowledge.codes["fitzpatrick"]
    skin = data.get("skinType")
    fitzpatrick = fhir_in.skin_type(skin.resources if skin else [], code_map, valid_types)
    plan, assumptions, unknown_sites = _plan_of(orders, code_map)
    if fitzpatrick is None:
        fitzpatrick = code_map.file.assumed_fitzpatrick
        assumptions.insert(0, f"skin type not recorded: screened as Fitzpatrick {fitzpatrick}")
    unmapped = extracted.unmapped + unknown_sites
    intake = {
        "patient": {"age": age, "fitzpatrick": fitzpatrick, **extracted.patient_fields()},
        "plan": plan,
    }
    assessment = screen(parse_intake(intake, knowledge), knowledge)
    cards = cds.screening_cards(assessment, knowledge, assumptions=assumptions, unmapped=unmapped)
    return cards, unmapped, assumptions


def _patient_view(uow: UnitOfWork, actor: Actor, patient: Fetched) -> list[cds.Card]:
    """Open check-ins needing attention, open adverse events, the last screening's decision,
    for the clinic's patient whose chart number is one of the EHR patient's identifiers."""
    if patient.state == "error":
        return [
            cds.notice_card(
                "needlesafe: the patient's record could not be read",
                cds.md(patient.message),
                topic="record_unavailable",
            )
        ]
    identifiers = [
        str(i["value"])
        for r in patient.resources
        for i in fhir_in.objects(r.get("identifier"))
        if isinstance(i.get("value"), str)
    ]
    row = InteropRepository(uow.session).patient_by_chart(actor.clinic_id, identifiers)
    if row is None:
        return []
    audit(uow, actor, "read", "patient", row.id)
    cards: list[cds.Card] = []
    attention = uow.checkins.list(
        actor.clinic_id, offset=0, limit=50, needs_attention=True, patient_id=row.id
    ).items
    if attention:
        worst = max(attention, key=lambda c: c.urgency)
        indicator = "critical" if worst.disposition in ("urgent", "emergency") else "warning"
        cards.append(
            cds.notice_card(
                f"needlesafe: {len(attention)} check-in(s) after microneedling need attention "
                f"(most urgent: {worst.disposition.replace('_', ' ')})",
                "\n".join(
                    f"- {c.created_at:%Y-%m-%d %H:%M} UTC: {c.disposition.replace('_', ' ')}"
                    for c in attention
                ),
                topic="checkins_need_attention",
                indicator=indicator,
            )
        )
    events = uow.adverse_events.list(
        actor.clinic_id, offset=0, limit=50, patient_id=row.id, status="open"
    ).items
    if events:
        cards.append(
            cds.notice_card(
                f"needlesafe: {len(events)} open adverse event(s) after microneedling",
                "\n".join(
                    f"- {e.complication.replace('_', ' ')}, CTCAE grade {e.ctcae_grade}, "
                    f"since {e.onset_date:%Y-%m-%d}"
                    for e in events
                ),
                topic="open_adverse_events",
            )
        )
    last = uow.intakes.list(actor.clinic_id, offset=0, limit=1, patient_id=row.id).items
    if last:
        intake = last[0]
        cards.append(
            cds.notice_card(
                f"needlesafe: last microneedling screening {intake.created_at:%Y-%m-%d}: "
                f"{intake.decision.replace('_', ' ')}",
                f"Knowledge version {intake.knowledge_version}.",
                topic="last_screening",
                indicator="info",
            )
        )
    return cards


def call_hook(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    service_id: str,
    request: Any,
    fetch: Fetcher = http_fetch,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Answer one hook call with cards; the cards are kept (for feedback) and the call audited."""
    code_map = code_map_of(knowledge)
    service = next((s for s in cds.services(code_map) if s.id == service_id), None)
    if service is None:
        raise NotFound("no such CDS service")
    parsed = validate(cds.HookRequest, request)
    if parsed.hook != service.hook:
        raise InputError([InputProblem("hook", f"this service answers the {service.hook} hook")])
    today = today or dt.date.today()
    patient_id = parsed.context.get("patientId")
    reference = f"Patient/{patient_id}" if isinstance(patient_id, str) and patient_id else None
    unmapped: list[dict[str, str]] = []
    assumptions: list[str] = []
    # the EHR's data is read before the transaction: no database work waits on the network
    if service.hook == "patient-view":
        patient = gather(parsed, service.prefetch, fetch)["patient"]
    else:
        cards, unmapped, assumptions = _screening(parsed, service, knowledge, fetch, today)
    with uow:
        if service.hook == "patient-view":
            cards = _patient_view(uow, actor, patient)
        InteropRepository(uow.session).add_cards(
            [
                CdsCard(
                    clinic_id=actor.clinic_id,
                    uuid=card.uuid,
                    service_id=service.id,
                    hook_instance=parsed.hookInstance,
                    indicator=card.indicator,
                    topic=card.topic[:100],
                )
                for card in cards
            ]
        )
        audit(uow, actor, "cds_call", "cds_service", service.id)
        uow.commit()
    response: dict[str, Any] = {
        "cards": [cds.card_json(c, knowledge=knowledge, patient_reference=reference) for c in cards]
    }
    if unmapped or assumptions:
        response["extension"] = {
            "org.needlesafe.screening": {"unmapped": unmapped, "assumed": assumptions}
        }
    return response


def record_feedback(
    uow: UnitOfWork, *, actor: Actor, service_id: str, request: Any
) -> dict[str, int]:
    """Store accepted and overridden cards; the same feedback sent again is not stored twice.
    Every card must be one this service gave this clinic (else 404, nothing stored)."""
    parsed = validate(cds.FeedbackRequest, request)
    stored = duplicates = 0
    with uow:
        repository = InteropRepository(uow.session)
        for number, item in enumerate(parsed.feedback):
            card = repository.card(actor.clinic_id, service_id, item.card)
            if card is None:
                raise NotFound(f"feedback[{number}].card: no such card from this service")
            try:
                at = dt.datetime.fromisoformat(item.outcomeTimestamp.replace("Z", "+00:00"))
            except ValueError:
                raise InputError(
                    [InputProblem(f"feedback[{number}].outcomeTimestamp", "not a valid time")]
                ) from None
            reason = item.overrideReason or {}
            found = reason.get("reason")
            coding: dict[str, Any] = found if isinstance(found, dict) else {}
            row = CdsFeedback(
                clinic_id=actor.clinic_id,
                card_id=card.id,
                outcome=item.outcome,
                outcome_at=at.astimezone(dt.UTC),
                override_code=str(coding.get("code"))[:100] if coding.get("code") else None,
                override_system=str(coding.get("system"))[:500] if coding.get("system") else None,
                override_display=str(coding.get("display"))[:500]
                if coding.get("display")
                else None,
                user_comment=str(reason["userComment"])[:5000]
                if isinstance(reason.get("userComment"), str)
                else None,
                accepted_suggestions=[
                    {"id": str(s.get("id", ""))[:100]} for s in item.acceptedSuggestions
                ],
            )
            if repository.add_feedback(row):
                stored += 1
            else:
                duplicates += 1
        audit(uow, actor, "cds_feedback", "cds_service", service_id)
        uow.commit()
    return {"stored": stored, "duplicates": duplicates}


def feedback_report(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, Any]]:
    """How often each kind of card was accepted or overridden, and why (most frequent first)."""
    with uow:
        rows = InteropRepository(uow.session).feedback_counts(actor.clinic_id)
        audit(uow, actor, "list", "cds_feedback")
        uow.commit()
    return [
        {"service": s, "topic": t, "outcome": o, "override_reason": r, "count": n}
        for s, t, o, r, n in rows
    ]


# ---------------------------------------------------------------- FHIR export and import


def export_patient(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, patient_id: int
) -> dict[str, Any]:
    """The patient's records as a FHIR R4 Bundle (collection)."""
    from needlesafe.services.aftercare import plan_of  # the one place an aftercare plan is made

    code_map = code_map_of(knowledge)
    with uow:
        patient = uow.patients.get(actor.clinic_id, patient_id)
        if patient is None:
            raise NotFound("no such patient")
        everything = 10_000
        intakes = uow.intakes.list(
            actor.clinic_id, offset=0, limit=everything, patient_id=patient_id
        ).items
        treatments = uow.treatments.list(
            actor.clinic_id, offset=0, limit=everything, patient_id=patient_id
        ).items
        checkins = uow.checkins.list(
            actor.clinic_id, offset=0, limit=everything, patient_id=patient_id
        ).items
        events = uow.adverse_events.list(
            actor.clinic_id, offset=0, limit=everything, patient_id=patient_id
        ).items
        consents = InteropRepository(uow.session).signed_consents(actor.clinic_id, patient_id)
        plans = {}
        for treatment in treatments:
            if treatment.intake_id is not None:
                try:
                    plans[treatment.id] = plan_of(uow, treatment, knowledge)
                except InputError:
                    continue  # a treatment whose screening no longer parses has no plan
        bundle = fhir_out.patient_bundle(
            code_map,
            knowledge,
            patient=patient,
            intakes=list(intakes),
            treatments=list(treatments),
            checkins=list(checkins),
            events=list(events),
            consents=consents,
            plans=plans,
        )
        audit(uow, actor, "export", "patient", patient.id)
        uow.commit()
    return bundle


def intake_from_fhir(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, patient_id: int, bundle: Any
) -> dict[str, Any]:
    """A draft intake's patient part from the record (a Bundle of Condition, MedicationStatement,
    AllergyIntolerance, and optionally Patient and a skin-type Observation), with what could not
    be mapped: for the clinician to confirm and complete (the plan) before screening."""
    code_map = code_map_of(knowledge)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InputError([InputProblem("resourceType", "should be a FHIR Bundle")])
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InputError([InputProblem("entry", "should be a list")])
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise InputError([InputProblem(f"entry[{number}].resource", "should be a resource")])
        if not isinstance(entry["resource"].get("resourceType"), str):
            raise InputError(
                [
                    InputProblem(
                        f"entry[{number}].resource.resourceType", "required field is missing"
                    )
                ]
            )
    resources = fhir_in.bundle_resources(bundle)
    today = dt.date.today()
    with uow:
        patient = uow.patients.get(actor.clinic_id, patient_id)
        if patient is None:
            raise NotFound("no such patient")
        extracted = fhir_in.read_resources(resources, code_map, today=today)
        fhir_patients = [r for r in resources if r.get("resourceType") == "Patient"]
        age = fhir_in.age_on(fhir_patients[0].get("birthDate"), today) if fhir_patients else None
        if age is None and patient.date_of_birth is not None:
            age = fhir_in.age_on(patient.date_of_birth.isoformat(), today)
        fitzpatrick = fhir_in.skin_type(resources, code_map, knowledge.codes["fitzpatrick"])
        audit(uow, actor, "import", "intake_draft", patient.id)
        uow.commit()
    draft: dict[str, Any] = {**extracted.patient_fields()}
    to_confirm = ["plan"]
    if age is not None:
        draft = {"age": age, **draft}
    else:
        to_confirm.insert(0, "patient.age")
    if fitzpatrick is not None:
        draft = {**draft, "fitzpatrick": fitzpatrick}
    else:
        to_confirm.insert(0, "patient.fitzpatrick")
    return {
        "patient_id": patient_id,
        "intake": {"patient": draft},
        "unmapped": extracted.unmapped,
        "to_confirm": to_confirm,
        "resources_read": extracted.read,
        "knowledge_version": knowledge.version,
    }


def export_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False)
