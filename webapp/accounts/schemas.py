"""Input allow-lists for accounts. Messages are in the user's language."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .models import TownRole

PHONE_RE = re.compile(r"^1\d{10}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")


def _required(**kw):
    return {"required": True, "error_messages": {"required": _l("This field is required."),
                                                  "null": _l("This field is required.")}, **kw}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginSchema(Schema):
    identifier = fields.String(**_required(validate=validate.Length(min=1, max=64, error=_l("Enter your username or phone number."))))
    password = fields.String(**_required(validate=validate.Length(min=1, max=200, error=_l("Enter your password."))))
    remember = fields.Boolean(load_default=False)


class PasswordChangeSchema(Schema):
    current_password = fields.String(**_required())
    new_password = fields.String(**_required(validate=validate.Length(
        min=8, max=200, error=_l("The new password must be at least 8 characters long."))))
    confirm_password = fields.String(**_required())

    @validates_schema
    def _matches(self, data, **kwargs):
        if data.get("new_password") != data.get("confirm_password"):
            raise ValidationError(_l("The two new passwords do not match."), "confirm_password")


class MemberCreateSchema(Schema):
    display_name = fields.String(**_required(validate=validate.Length(min=1, max=64, error=_l("Enter the person's name."))))
    username = fields.String(**_required(validate=validate.Regexp(USERNAME_RE, error=_l(
        "A username is 3 to 64 lower-case letters, digits, dots, dashes or underscores, starting with a letter."))))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE_RE, error=_l("Enter an 11-digit mobile number, or leave it empty.")))
    role = fields.Enum(TownRole, by_value=True, **_required(error_messages={
        "unknown": _l("Choose a role."), "required": _l("Choose a role.")}))
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        min=8, max=200, error=_l("The password must be at least 8 characters long.")))


class TokenCreateSchema(Schema):
    name = fields.String(**_required(validate=validate.Length(min=1, max=64, error=_l("Give the token a name (1 to 64 characters)."))))


def clean_form(form) -> dict:
    """Form fields with blank strings as missing, trimmed; never copied onto a model as-is."""
    return {k: _strip(v) for k, v in form.items() if k != "csrf_token" and _strip(v) not in ("", None)}


def first_errors(err: ValidationError) -> dict[str, str]:
    out = {}
    for field, messages in err.normalized_messages().items():
        if isinstance(messages, dict):
            messages = [m for ms in messages.values() for m in (ms if isinstance(ms, list) else [ms])]
        out[field] = str(messages[0]) if isinstance(messages, list) else str(messages)
    return out
