"""Deputy input and output: one allow-list for the web form, the API and (later) the import."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .models import DeputyLevel, DeputyStatus, Gender

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


def _enum(enum, message):
    return {"by_value": True, "error_messages": {"unknown": message, **_REQUIRED}}


class DeputyInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=32, error=_l("Enter the deputy's name (at most 32 characters).")))
    gender = fields.Enum(Gender, load_default=None, allow_none=True, **_enum(Gender, _l("Choose male or female.")))
    ethnicity = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    birth_year = fields.Integer(load_default=None, allow_none=True, strict=False,
                                validate=validate.Range(1900, date.today().year,
                                                        error=_l("Enter a four-digit year of birth.")),
                                error_messages={"invalid": _l("Enter a four-digit year of birth.")})
    party = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    occupation = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    sector = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE_RE, error=_l("Enter an 11-digit mobile number or a landline such as 0398-1234567.")))
    phone_public = fields.Boolean(load_default=False)
    constituency = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    level = fields.Enum(DeputyLevel, required=True, **_enum(DeputyLevel, _l("Choose the congress level.")))
    term_start = fields.Date(load_default=None, allow_none=True,
                             error_messages={"invalid": _l("Enter a date such as 2021-12-01.")})
    term_end = fields.Date(load_default=None, allow_none=True,
                           error_messages={"invalid": _l("Enter a date such as 2026-11-30.")})

    @validates_schema
    def _term_order(self, data, **kwargs):
        if data.get("term_start") and data.get("term_end") and data["term_end"] < data["term_start"]:
            raise ValidationError(_l("The term cannot end before it starts."), "term_end")


class DeputySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    gender = fields.Enum(Gender, by_value=True, dump_only=True, allow_none=True)
    ethnicity = fields.String(dump_only=True, allow_none=True)
    birth_year = fields.Integer(dump_only=True, allow_none=True)
    party = fields.String(dump_only=True, allow_none=True)
    occupation = fields.String(dump_only=True, allow_none=True)
    sector = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    phone_public = fields.Boolean(dump_only=True)
    constituency = fields.String(dump_only=True, allow_none=True)
    level = fields.Enum(DeputyLevel, by_value=True, dump_only=True)
    term_start = fields.Date(dump_only=True, allow_none=True)
    term_end = fields.Date(dump_only=True, allow_none=True)
    status = fields.Enum(DeputyStatus, by_value=True, dump_only=True)
    left_on = fields.Date(dump_only=True, allow_none=True)


class RetireSchema(Schema):
    left_on = fields.Date(load_default=None, allow_none=True,
                          error_messages={"invalid": _l("Enter a date such as 2026-11-30.")})
