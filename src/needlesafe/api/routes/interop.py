"""CDS Hooks 2.0 (`/cds-services`) and FHIR R4 export and import (`/api/v1/...`).

The hook endpoints authenticate the EHR by its JWT (not a staff token): `aud` must be the exact
URL called, under NEEDLESAFE_PUBLIC_BASE_URL.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import JSONResponse

from needlesafe.api.deps import CurrentActor, JsonBody, KnowledgeDep, SettingsDep, UowDep
from needlesafe.api.errors import problems_response
from needlesafe.api.routes.common import JSON_ERRORS, RecordId
from needlesafe.api.settings import Settings
from needlesafe.errors import InputProblem
from needlesafe.interop import cds
from needlesafe.services import interop
from needlesafe.services.interop import PrefetchUnavailable

router = APIRouter(tags=["interop"], responses=JSON_ERRORS)
ServiceId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
Authorization = Annotated[str | None, Header()]
FHIR_JSON = "application/fhir+json"


def _endpoint(settings: Settings, path: str) -> str:
    return settings.public_base_url.rstrip("/") + path


@router.get("/cds-services", summary="CDS Hooks discovery")
def discovery(knowledge: KnowledgeDep) -> dict[str, Any]:
    return cds.discovery(cds.code_map_of(knowledge))


@router.post("/cds-services/{service_id}", summary="Call a CDS Hooks service")
def call_service(
    service_id: ServiceId,
    body: JsonBody,
    uow: UowDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    response: Response,
    authorization: Authorization = None,
) -> Any:
    response.headers["Cache-Control"] = "no-store"  # cards carry patient data
    actor = interop.authenticate(
        uow,
        authorization=authorization,
        clients=interop.load_clients(settings.cds_clients),
        audience=_endpoint(settings, f"/cds-services/{service_id}"),
    )
    try:
        return interop.call_hook(
            uow, actor=actor, knowledge=knowledge, service_id=service_id, request=body
        )
    except PrefetchUnavailable as error:
        return problems_response(
            412, [InputProblem("prefetch", error.message)], {"Cache-Control": "no-store"}
        )


@router.post("/cds-services/{service_id}/feedback", summary="Feedback on a CDS Hooks card")
def feedback(
    service_id: ServiceId,
    body: JsonBody,
    uow: UowDep,
    settings: SettingsDep,
    authorization: Authorization = None,
) -> dict[str, int]:
    actor = interop.authenticate(
        uow,
        authorization=authorization,
        clients=interop.load_clients(settings.cds_clients),
        audience=_endpoint(settings, f"/cds-services/{service_id}/feedback"),
    )
    return interop.record_feedback(uow, actor=actor, service_id=service_id, request=body)


@router.get("/api/v1/cds/feedback", summary="How often each CDS card was accepted or overridden")
def feedback_report(actor: CurrentActor, uow: UowDep) -> list[dict[str, Any]]:
    return interop.feedback_report(uow, actor=actor)


@router.get(
    "/api/v1/patients/{patient_id}/fhir",
    summary="The patient's records as a FHIR R4 Bundle",
    response_class=JSONResponse,
)
def export_fhir(
    patient_id: RecordId, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> JSONResponse:
    bundle = interop.export_patient(uow, actor=actor, knowledge=knowledge, patient_id=patient_id)
    return JSONResponse(bundle, media_type=FHIR_JSON)


@router.post(
    "/api/v1/patients/{patient_id}/intakes/from-fhir",
    summary="Pre-fill an intake from a FHIR Bundle (Condition, MedicationStatement, ...)",
)
def intake_from_fhir(
    patient_id: RecordId, body: JsonBody, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> dict[str, Any]:
    return interop.intake_from_fhir(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, bundle=body
    )
