"""The OpenAPI 3 document, generated from the endpoint registry and the marshmallow schemas."""

from __future__ import annotations

import re

from marshmallow import Schema, fields

_TYPES = [
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Decimal, {"type": "string", "format": "decimal"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.String, {"type": "string"}),
    (fields.Dict, {"type": "object"}),
]

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}},
}


def _field(f: fields.Field, components: dict) -> dict:
    if isinstance(f, fields.Nested):
        return {"$ref": _component(f.nested if isinstance(f.nested, type) else type(f.nested), components)}
    if isinstance(f, fields.List):
        return {"type": "array", "items": _field(f.inner, components)}
    if isinstance(f, fields.Enum):
        return {"type": "string", "enum": [m.value for m in f.enum]}
    for cls, spec in _TYPES:
        if isinstance(f, cls):
            out = dict(spec)
            break
    else:
        out = {}
    if f.allow_none:
        out["nullable"] = True
    if f.dump_only:
        out["readOnly"] = True
    return out


def _component(schema: type[Schema], components: dict) -> str:
    name = schema.__name__.removesuffix("Schema") or schema.__name__
    if name not in components:
        components[name] = {}
        instance = schema()
        props = {f.data_key or n: _field(f, components) for n, f in instance.fields.items()}
        required = [f.data_key or n for n, f in instance.fields.items() if f.required]
        components[name] = {"type": "object", "properties": props, **({"required": required} if required else {})}
    return f"#/components/schemas/{name}"


def document() -> dict:
    from .core import ENDPOINTS

    components: dict = {"Error": ERROR}
    paths: dict = {}
    for e in ENDPOINTS:
        path = "/api/v1" + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", e.rule)
        params = [{"name": p, "in": "path", "required": True,
                   "schema": {"type": "integer" if p.endswith("_id") else "string"}}
                  for p in re.findall(r"{([a-z_]+)}", path)]
        op: dict = {"summary": e.summary, "tags": [e.tag], "operationId": e.endpoint.split(".", 1)[1],
                    "parameters": params, "responses": {}}
        if e.response_schema is not None:
            ref = {"$ref": _component(e.response_schema, components)}
            body = {"type": "array", "items": ref} if e.many else ref
            if e.paginated:
                body = {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
                    "items": {"type": "array", "items": ref}, "page": {"type": "integer"},
                    "per_page": {"type": "integer"}, "total": {"type": "integer"}}}
                params = params + [
                    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]
                op["parameters"] = params
            op["responses"][str(e.status)] = {"description": "OK", "content": {"application/json": {"schema": body}}}
        else:
            op["responses"][str(e.status)] = {"description": "OK"}
        if e.request_schema is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": _component(e.request_schema, components)}}}}
            op["responses"]["422"] = {"description": "Invalid fields", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
        if e.auth:
            op["security"] = [{"token": []}, {"session": []}]
            for status in ("401", "404"):
                op["responses"][status] = {"description": "Error", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}}
        else:
            op["security"] = []
        paths.setdefault(path, {})[e.method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Liaison (联络站云) API", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "A personal token from /account/tokens"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
