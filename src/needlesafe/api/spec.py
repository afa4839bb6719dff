"""The OpenAPI document says what the server does when a request goes wrong (issue 16, item 9).

FastAPI documents the answers a route returns itself; the rest come from the layers around
every route and are added here, derived from each operation (never a list of paths):

- every error body has one shape, `Problems` (`{"detail": [{"path", "message"}]}`; the
  treatment gate's 409 adds `code`, `overridable`, `message` and `can_override`), in place of
  FastAPI's own validation error, which this server never sends;
- 422 and 500 on every operation (any query parameter is checked for control characters and
  32-bit range before a route runs; an unexpected error is a 500 quoting a log reference);
- 401 and 403 where the operation needs a bearer token; 404 where it names a record (a path
  parameter, or a `..._id` filter); 410 where a patient's link is in the path (an expired
  link); 413 and 409 where it takes a body (well-formed values that conflict with each other,
  with stored records or with today: `InputConflict`); 409 and the `Idempotency-Key` header on
  the POSTs that create a record (a key reused with another body);
- free text sent has no control characters (`TEXT_PATTERN`: refused before a route runs);
- the codes a field takes, from the knowledge base: a property named after a vocabulary
  (`areas`, `device`, `complication`, ...) lists its codes as an enum.

It also answers a 405 with every method the path has in `Allow` (Starlette names only the
methods of the first route whose path matched).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "type": "object",
        "required": ["path", "message"],
        "properties": {
            "path": {
                "type": "string",
                "description": "the field, as a path (`plan.needle_depth_mm`); empty: the "
                "request as a whole",
            },
            "message": {"type": "string", "description": "what is wrong, in plain words"},
            "code": {"type": "string", "description": "the treatment gate's conflict code"},
            "overridable": {"type": "boolean"},
        },
    },
    "Problems": {
        "title": "Problems",
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
            "message": {"type": "string"},
            "can_override": {"type": "boolean"},
        },
    },
}

DESCRIPTIONS = {
    "401": "not signed in (no token, or one that has expired or was revoked)",
    "403": "signed in, but this account's role cannot do this",
    "404": "no such record in your clinic (or no such link)",
    "409": "well-formed, but its values conflict with each other, with what is stored or with "
    "today (the fields named), or an Idempotency-Key reused with another body",
    "410": "the link has expired",
    "413": "the body is larger than the server takes",
    "422": 'bad input: `{"detail": [{"path": ..., "message": ...}]}`, each problem naming '
    "its field",
    "500": "internal error: the body quotes a reference to the server's log line",
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "a retry with the same key and body gets the first answer again and "
    "stores nothing new; the same key with another body is a 409",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$"},
}

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
PROBLEMS_REF = {"$ref": "#/components/schemas/Problems"}
FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = ["422", "500"]
    if operation.get("security"):
        statuses += ["401", "403"]
    names = [p["name"] for p in parameters if p.get("in") in ("path", "query")]
    if any(p.get("in") == "path" for p in parameters) or any(n.endswith("_id") for n in names):
        statuses.append("404")
    if "{token}" in path:
        statuses.append("410")
    if "requestBody" in operation:
        statuses.append("413")
    if "requestBody" in operation or (method == "post" and "201" in operation.get("responses", {})):
        statuses.append("409")
    return statuses


def vocabularies(knowledge: Any) -> dict[str, list[str]]:
    """Every list of codes in the knowledge base, by name (`conditions`, `areas`, ...)."""
    found: dict[str, list[str]] = {}
    vocab = knowledge.vocab
    for name in type(vocab).model_fields:
        terms = getattr(vocab, name)
        if isinstance(terms, list) and terms and all(hasattr(t, "code") for t in terms):
            found[name] = [t.code for t in terms]
    found["complications"] = list(knowledge.complications)
    return found


def _vocabulary_of(name: str, codes: dict[str, list[str]]) -> list[str] | None:
    """The codes a property takes by its name: `areas`, `area` and `device` take the areas'
    and devices' codes, `severity` the severities', `medical_clearances` the clearances'."""
    candidates = [name, name + "s", name[:-1] + "ies", name.rsplit("_", 1)[-1]]
    return next((codes[c] for c in candidates if c in codes), None)


def _string_branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The plain-string schemas `schema` allows (itself, or among its `anyOf`)."""
    options = schema.get("anyOf", [schema])
    return [o for o in options if o.get("type") == "string" and not o.keys() & {"enum", "const"}]


def _add_codes(components: dict[str, Any], codes: dict[str, list[str]]) -> None:
    """A property named after a vocabulary (or an object's `code` under such a property) takes
    its codes as an enum: the server refuses any other (422, with the closest codes)."""

    def annotate(schema: dict[str, Any], values: list[str]) -> None:
        for branch in _string_branches(schema):
            branch["enum"] = list(values)
        for option in schema.get("anyOf", [schema]):
            ref = option.get("$ref", "").rsplit("/", 1)[-1]
            inner = components.get(ref, {}).get("properties", {}).get("code")
            if inner is not None:
                for branch in _string_branches(inner):
                    branch["enum"] = list(values)

    for component in list(components.values()):
        for name, prop in component.get("properties", {}).items():
            values = _vocabulary_of(name, codes)
            if values is None:
                continue
            annotate(prop, values)
            for option in prop.get("anyOf", [prop]):
                if option.get("type") == "array" and isinstance(option.get("items"), dict):
                    annotate(option["items"], values)


# the text the server takes anywhere: no control characters but tab, newline and carriage
# return (api/hostile.py refuses the rest, in any JSON string, form value or query parameter)
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


# any JSON value whose strings and keys are such text: what an open object may hold
JSON_VALUE = {
    "anyOf": [
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
        {
            "type": "object",
            "propertyNames": {"pattern": TEXT_PATTERN},
            "additionalProperties": {"$ref": "#/components/schemas/JsonValue"},
        },
    ]
}
SAYS_WHAT_IT_TAKES = {"pattern", "format", "enum", "const"}


def _refuse_control_characters(node: Any) -> None:
    """Every free-text string schema in a request says so (one with its own pattern, format
    or codes says already what it takes), and so do the keys and values an open object may
    have."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not node.keys() & SAYS_WHAT_IT_TAKES:
            node["pattern"] = TEXT_PATTERN
        if node.get("type") == "object" and node.get("additionalProperties") is not False:
            node.setdefault("propertyNames", {"pattern": TEXT_PATTERN})
            if node.get("additionalProperties", True) is True:
                node["additionalProperties"] = {"$ref": "#/components/schemas/JsonValue"}
        for value in node.values():
            _refuse_control_characters(value)
    elif isinstance(node, list):
        for value in node:
            _refuse_control_characters(value)


def complete(schema: dict[str, Any], codes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Add the error answers and their shape to `schema` (FastAPI's document), in place; with
    `codes` (`vocabularies(knowledge)`), the codes a field takes."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if codes:
        _add_codes(components, codes)
    for name in FASTAPI_ERRORS:
        components.pop(name, None)
    components.update(PROBLEM_SCHEMAS)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if not status.startswith(("4", "5")):
                    continue
                content = response.setdefault("content", {})
                json_body = content.get("application/json")
                ref = (json_body or {}).get("schema", {}).get("$ref", "")
                if json_body is None or ref.rsplit("/", 1)[-1] in FASTAPI_ERRORS:
                    content["application/json"] = {"schema": PROBLEMS_REF}
            if method == "post" and "201" in responses:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY))
    components["JsonValue"] = JSON_VALUE
    requests = _request_schemas(schema)
    for node in requests:
        _refuse_control_characters(node)
    for name in _referenced(requests, components):
        _refuse_control_characters(components[name])
    return schema


def _request_schemas(schema: dict[str, Any]) -> list[Any]:
    """The schemas of what callers send: parameters and request bodies."""
    found: list[Any] = []
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            found += [p.get("schema") for p in operation.get("parameters", [])]
            content = operation.get("requestBody", {}).get("content", {})
            found += [media.get("schema") for media in content.values()]
    return [node for node in found if node]


def _referenced(nodes: list[Any], components: dict[str, Any]) -> set[str]:
    """The components these schemas use, directly or through each other."""
    seen: set[str] = set()
    todo = list(nodes)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen and name in components:
                    seen.add(name)
                    todo.append(components[name])
            todo += list(node.values())
        elif isinstance(node, list):
            todo += node
    return seen


def leaf_routes(routes: Iterable[BaseRoute]) -> Iterator[Any]:
    """Every route that answers requests, through included routers (FastAPI keeps an included
    router as one entry; its `effective_route_contexts` are the routes, with their prefix)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            yield from contexts()
        else:
            yield route


def endpoint_of(routes: Iterable[BaseRoute], scope: Scope) -> Any:
    """The function that will answer this request, if a route takes it."""
    for route in leaf_routes(routes):
        match, child = route.matches(scope)
        if match == Match.FULL:
            return child.get("endpoint")
    return None


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at this request's path."""
    methods: set[str] = set()
    for route in leaf_routes(routes):
        match, _ = route.matches(scope)
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return sorted(methods)


def install(app: FastAPI) -> None:
    """The completed document at /openapi.json, and 405s that name every allowed method."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build(), vocabularies(app.state.needlesafe.knowledge))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    answer = app.exception_handlers.get(StarletteHTTPException)

    async def method_not_allowed(request: Request, error: Exception) -> Response:
        methods = allowed_methods(app.router.routes, request.scope)
        headers = {**(getattr(error, "headers", None) or {}), "Allow": ", ".join(methods)}
        detail = getattr(error, "detail", "Method Not Allowed")
        if answer is None:
            return Response(status_code=405, headers=headers)
        answered = answer(request, StarletteHTTPException(405, detail, headers))
        return await answered if inspect.isawaitable(answered) else answered

    app.add_exception_handler(405, method_not_allowed)
