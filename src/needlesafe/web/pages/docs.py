"""`/docs`: the API's interactive reference (Swagger UI) from files served here, so it works
without internet. FastAPI's own page loads Swagger UI from a CDN; these files come from the
npm package swagger-ui-dist (static/vendor/swagger-ui/, with its licence and VERSION)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})
