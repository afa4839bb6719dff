"""CDS Hooks 2.0 (`/cds-services`) and FHIR R4 export and import (`/api/v1/...`).

The hook endpoints authenticate the EHR by its JWT (not a staff token): `aud` must be the exact
URL called, under NEEDLESAFE_PUBLIC_BASE_URL.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import JSONResponse

from needlesafe.api.deps import CurrentActor, JsonBody, KnowledgeDep, SettingsDep, UowDep
from needlesafe.api.errors import problems_response
from needlesafe.api.routes.common import JSON_ERRORS, RecordId
from needlesafe.errors import InputProblem
from needlesafe.interop import cds
from needlesafe.services import interop
from needlesafe.services.interop import PrefetchUnavailable
from needlesafe.settings import Settings

# FHIR and the CDS feedback report, under /api/v1 with the rest of the API
router = APIRouter(tags=["interop"], responses=JSON_ERRORS)
# CDS Hooks at the paths its specification gives (/cds-services), outside /api/v1
cds_router = APIRouter(tags=["interop"], responses=JSON_ERRORS)
ServiceId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
Authorization = Annotated[str | None, Header()]
FHIR_JSON = "application/fhir+json"


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its JSON itself (`JsonBody`)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# what a route reading a Bundle checks before it reads the resources (FHIR R4 Bundle)
BUNDLE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["resource"],
                "properties": {
                    "resource": {
                        "type": "object",
                        "required": ["resourceType"],
                        "properties": {"resourceType": {"type": "string"}},
                    }
                },
            },
        },
    },
}
# a CDS Hooks request or feedback object (CDS Hooks 2.0); the service checks the rest
CDS_OBJECT = {"type": "object"}


def _endpoint(settings: Settings, path: str) -> str:
    return settings.public_base_url.rstrip("/") + path


def _cors(request: Request, response: Response, settings: Settings) -> dict[str, str]:
    """A browser-based EHR (CDS Hooks "Cross-Origin Resource Sharing"): its origin, if a
    configured client lists it, may read the answer. The headers set (none if not allowed)."""
    origin = request.headers.get("origin")
    if not origin:
        return {}
    allowed = {o for c in interop.load_clients(settings.cds_clients) for o in c.origins}
    if origin not in allowed:
        return {}
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    response.headers.update(headers)
    return headers


@cds_router.options("/cds-services", include_in_schema=False)
@cds_router.options("/cds-services/{rest:path}", include_in_schema=False)
def preflight(request: Request, settings: SettingsDep) -> Response:
    response = Response(status_code=204)
    if not _cors(request, response, settings):
        return Response(status_code=403)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@cds_router.get("/cds-services", summary="CDS Hooks discovery")
def discovery(
    request: Request, response: Response, knowledge: KnowledgeDep, settings: SettingsDep
) -> dict[str, Any]:
    _cors(request, response, settings)
    return cds.discovery(cds.code_map_of(knowledge))


@cds_router.post(
    "/cds-services/{service_id}",
    summary="Call a CDS Hooks service",
    openapi_extra=_json_body(CDS_OBJECT),
)
def call_service(
    service_id: ServiceId,
    body: JsonBody,
    uow: UowDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    authorization: Authorization = None,
) -> Any:
    response.headers["Cache-Control"] = "no-store"  # cards carry patient data
    cors = _cors(request, response, settings)
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
            412, [InputProblem("prefetch", error.message)], {"Cache-Control": "no-store", **cors}
        )


@cds_router.post(
    "/cds-services/{service_id}/feedback",
    summary="Feedback on a CDS Hooks card",
    openapi_extra=_json_body(CDS_OBJECT),
)
def feedback(
    service_id: ServiceId,
    body: JsonBody,
    uow: UowDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    authorization: Authorization = None,
) -> dict[str, int]:
    _cors(request, response, settings)
    actor = interop.authenticate(
        uow,
        authorization=authorization,
        clients=interop.load_clients(settings.cds_clients),
        audience=_endpoint(settings, f"/cds-services/{service_id}/feedback"),
    )
    return interop.record_feedback(uow, actor=actor, service_id=service_id, request=body)


@router.get("/cds/feedback", summary="How often each CDS card was accepted or overridden")
def feedback_report(actor: CurrentActor, uow: UowDep) -> list[dict[str, Any]]:
    return interop.feedback_report(uow, actor=actor)


@router.get(
    "/patients/{patient_id}/fhir",
    summary="The patient's records as a FHIR R4 Bundle",
    response_class=JSONResponse,
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}},
)
def export_fhir(
    patient_id: RecordId, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> JSONResponse:
    bundle = interop.export_patient(uow, actor=actor, knowledge=knowledge, patient_id=patient_id)
    return JSONResponse(bundle, media_type=FHIR_JSON)


@router.post(
    "/patients/{patient_id}/intakes/from-fhir",
    summary="Pre-fill an intake from a FHIR Bundle (Condition, MedicationStatement, ...)",
    openapi_extra=_json_body(BUNDLE),
)
def intake_from_fhir(
    patient_id: RecordId, actor: CurrentActor, body: JsonBody, uow: UowDep, knowledge: KnowledgeDep
) -> dict[str, Any]:
    return interop.intake_from_fhir(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, bundle=body
    )
