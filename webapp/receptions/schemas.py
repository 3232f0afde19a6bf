from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

_TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error=_l("Enter a time such as 08:30."))


class RuleSchema(Schema):
    rule = fields.String(required=True, validate=validate.OneOf(
        ["day_of_month", "nth_weekday"], error=_l("Choose how the day is set.")))
    day = fields.Integer(load_default=5, validate=validate.Range(1, 31, error=_l("Choose a day from 1 to 31.")))
    nth = fields.Integer(load_default=1, validate=validate.Range(1, 5, error=_l("Choose which week.")))
    weekday = fields.Integer(load_default=4, validate=validate.Range(0, 6, error=_l("Choose a weekday.")))
    holiday_policy = fields.String(load_default="next_working_day", validate=validate.OneOf(
        ["next_working_day", "previous_working_day", "none"], error=_l("Choose what happens on holidays.")))
    start = fields.String(load_default=None, allow_none=True, validate=_TIME)
    end = fields.String(load_default=None, allow_none=True, validate=_TIME)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError(_l("The reception must end after it starts."), "end")


class RotaRequestSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100, error=_l("Choose a year.")),
                          error_messages={"required": _l("Choose a year."), "invalid": _l("Choose a year.")})
    extra_deputy_ids = fields.List(fields.Integer(), load_default=list)


class ReceptionDaySchema(Schema):
    id = fields.Integer(dump_only=True)
    day = fields.Date(dump_only=True)
    starts = fields.String(dump_only=True, allow_none=True)
    ends = fields.String(dump_only=True, allow_none=True)
    place = fields.String(dump_only=True, allow_none=True)
    locked = fields.Boolean(dump_only=True)
    deputies = fields.Function(lambda d: [{"id": x.id, "name": x.name, "level": x.level.value} for x in d.deputies],
                               dump_only=True)
