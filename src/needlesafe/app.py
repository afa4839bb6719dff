"""The composition root: `create_app(settings)` builds the app from the settings, the state, the
API (`api.router`, mounted once under /api/v1, and its protocol paths) and the pages
(`web.router` beside it, with the pages' error page handed to the error handlers). Nothing is
built at import; `api/` and `web/` never import each other."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from needlesafe import api, web
from needlesafe.api import spec
from needlesafe.api.errors import install_error_handlers
from needlesafe.api.idempotency import IdempotencyMiddleware
from needlesafe.api.middleware import ServiceMiddleware
from needlesafe.engine.models import CheckIn, Intake
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import default_knowledge
from needlesafe.services import accounts
from needlesafe.services.ratelimit import SignInLimiter
from needlesafe.settings import Settings, get_settings
from needlesafe.state import AppState
from needlesafe.store.db import make_engine, make_session_factory

# Request bodies that routes parse themselves (to check codes against the knowledge base);
# their schemas are added to the OpenAPI document by name.
EXTRA_SCHEMAS = (Intake, CheckIn)


def create_app(settings: Settings | None = None, *, knowledge: Knowledge | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    accounts.limit_password_hashing(settings.password_hash_concurrency)
    state = AppState(
        settings=settings,
        knowledge=knowledge or default_knowledge(),
        engine=engine,
        session_factory=session_factory,
        login_limiter=SignInLimiter(
            session_factory=session_factory,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
        ),
    )
    app = FastAPI(
        # /docs is served from vendored files (web/docs_pages.py), not FastAPI's CDN page
        docs_url=None,
        redoc_url=None,
        title="needlesafe",
        version="1",
        summary="Safety for microneedling clinics: screening, check-ins, records.",
        description=(
            "Staff authenticate with `Authorization: Bearer <token>` "
            "(POST /api/v1/auth/token). Patients reach only their own check-in through the "
            "signed link of their treatment. Bad input gives 422 with "
            '`{"detail": [{"path": ..., "message": ...}]}`.'
        ),
    )
    app.state.needlesafe = state
    app.add_middleware(IdempotencyMiddleware)  # inside the one below (added later = outer)
    app.add_middleware(
        ServiceMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=3 * settings.photo_max_bytes + 64 * 1024,  # 3 photos and the form
    )
    install_error_handlers(app, login_path=settings.login_path, error_page=web.render_error_page)
    for kind, handler in web.EXCEPTION_HANDLERS.items():
        app.add_exception_handler(kind, handler)
    app.include_router(api.router, prefix=api.PREFIX)
    app.include_router(api.service_router)  # /healthz, /readyz, /cds-services
    app.include_router(web.router)  # the clinic's and the patient's pages
    app.mount(web.STATIC_PATH, web.static_files(), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in EXTRA_SCHEMAS:
                extra = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in extra.pop("$defs", {}).items():
                    components.setdefault(name, definition)
                components.setdefault(model.__name__, extra)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    spec.install(app)  # error answers in the document; 405s that name every allowed method
    return app
