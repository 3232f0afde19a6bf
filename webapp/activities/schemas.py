from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from .models import Cadence

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class ActivityInputSchema(Schema):
    type_id = fields.Integer(required=True, error_messages={**_REQUIRED, "invalid": _l("Choose the kind of activity.")})
    theme = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=200, error=_l("Enter the theme (at most 200 characters).")))
    day = fields.Date(required=True, error_messages={**_REQUIRED, "invalid": _l("Enter a date such as 2026-11-30.")})
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    organiser = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    invitee_ids = fields.List(fields.Integer(), load_default=list)


class MinutesSchema(Schema):
    minutes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))
    outcomes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    opinions_raised = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10000),
                                     error_messages={"invalid": _l("Enter a whole number.")})
    problems_solved = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10000),
                                     error_messages={"invalid": _l("Enter a whole number.")})
    trainees = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100000),
                              error_messages={"invalid": _l("Enter a whole number.")})
    lecturer_ids = fields.List(fields.Integer(), load_default=list)


class ActivitySchema(Schema):
    id = fields.Integer(dump_only=True)
    type = fields.Function(lambda a: a.type.code, dump_only=True)
    theme = fields.String(dump_only=True)
    day = fields.Date(dump_only=True)
    place = fields.String(dump_only=True, allow_none=True)
    organiser = fields.String(dump_only=True, allow_none=True)
    minutes = fields.String(dump_only=True, allow_none=True)
    outcomes = fields.String(dump_only=True, allow_none=True)
    trainees = fields.Integer(dump_only=True, allow_none=True)
    attendance = fields.Function(lambda a: [{"deputy_id": i.deputy_id, "invited": i.invited, "lecturer": i.lecturer,
                                             "checked_in_at": i.checked_in_at.isoformat() if i.checked_in_at else None,
                                             "checked_in_by": i.checked_in_by} for i in a.invitees], dump_only=True)


class ActivityTypeSchema(Schema):
    code = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$", error=_l("Use 2 to 40 lower-case letters, digits or underscores, starting with a letter.")))
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter a name of at most 64 characters.")))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=96))
    cadence = fields.Enum(Cadence, by_value=True, required=True,
                          error_messages={**_REQUIRED, "unknown": _l("Choose how often.")})
    expected = fields.Integer(load_default=1, validate=validate.Range(0, 10, error=_l("Between 0 and 10.")),
                              error_messages={"invalid": _l("Enter a whole number.")})
