"""The API shell: token or session auth, one error shape, and a registry every endpoint is
declared in, from which the OpenAPI document is generated (so it cannot miss one)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from . import bp


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


@dataclass
class Endpoint:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    request_schema: type[Schema] | None = None
    response_schema: type[Schema] | None = None
    many: bool = False
    paginated: bool = False
    auth: bool = True
    status: int = 200
    params: dict = field(default_factory=dict)


ENDPOINTS: list[Endpoint] = []


def api_route(rule: str, *, method: str = "GET", summary: str, tag: str, request_schema=None, response_schema=None,
              many: bool = False, paginated: bool = False, auth: bool = True, status: int = 200) -> Callable:
    """Register an API endpoint on the blueprint and in the OpenAPI registry."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if auth and not current_user.is_authenticated:
                raise ApiError(401, "unauthorized", _("Sign in or send an API token (Authorization: Bearer ...)."))
            return view(*args, **kwargs)

        endpoint = view.__name__
        ENDPOINTS.append(Endpoint(rule, method, f"api.{endpoint}", summary, tag, request_schema, response_schema,
                                  many, paginated, auth, status))
        bp.add_url_rule(rule, endpoint, wrapped, methods=[method])
        return wrapped

    return decorator


def get_or_404(model, object_id: int | None):
    """The bound town's object, or the API's 404 (another town's id is simply not there)."""
    from ..extensions import db

    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise ApiError(404, "not_found", _("Not found."))
    return found


def field_error(err) -> ApiError:
    """A service's one-field refusal (err.field, err.message) as the API's 422."""
    return ApiError(422, "validation_failed", _("Some fields are not valid."), {err.field: [str(err.message)]})


def paginated(query, schema: Schema):
    """A list endpoint's answer: {"items", "page", "per_page", "total"} (?page=, ?per_page= up to 200)."""
    from ..extensions import db

    page = db.paginate(query, max_per_page=200, error_out=False)
    return jsonify({"items": schema.dump(page.items), "page": page.page, "per_page": page.per_page,
                    "total": page.total})


def load_body(schema: Schema, *, partial: bool = False) -> dict:
    """Parse the JSON body with `schema`, or fail with a 400 listing each field's problem."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", _("The request body must be a JSON object."))
    try:
        return schema.load(body, partial=partial)
    except ValidationError as err:
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in err.normalized_messages().items()}
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), fields) from err


@bp.before_request
def _authenticate():
    """A request with an Authorization header is that token's, and only that token's (the
    cookie is never consulted: a browser can attach Basic or NTLM credentials by itself).
    Without one, the cookie session applies, and its writes must carry the CSRF token."""
    header = request.headers.get("Authorization")
    if header is not None:
        from ..accounts.services import user_for_token
        from ..extensions import db

        scheme, _space, secret = header.partition(" ")
        user = user_for_token(secret.strip()) if scheme == "Bearer" and secret.strip() else None
        if user is None:
            raise ApiError(401, "unauthorized", _("The API token is missing, unknown or revoked."))
        g._login_user = user  # Flask-Login's request-local user: this request is the token's
        db.session.commit()  # the token's last use
    elif request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return error_response(err.status, err.code, err.message, err.fields)


def http_error(err: HTTPException):
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             413: "too_large", 422: "validation_failed", 429: "too_many_requests"}
    messages = {
        401: _("Sign in or send an API token (Authorization: Bearer ...)."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        429: _("Too many requests. Wait a minute and try again."),
    }
    code = err.code or 500
    return error_response(code, codes.get(code, "error"), messages.get(code, err.description or _("The request failed.")))
