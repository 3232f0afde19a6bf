"""The evaluation area in the JSON API: templates, years, scores, objections and results."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}
_NUMBER = {**_REQUIRED, "invalid": _l("Enter a number.")}
_WHOLE = {**_REQUIRED, "invalid": _l("Enter a whole number.")}


class IndicatorSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    category = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    source = fields.Function(lambda i: i.source.value)
    base = fields.Decimal(attribute="base_points", as_string=True)
    extra = fields.Decimal(attribute="points_per_extra", as_string=True)
    cap = fields.Decimal(as_string=True)
    weight = fields.Decimal(as_string=True)
    position = fields.Integer()


class GradeSchema(Schema):
    grade = fields.String(required=True, error_messages=_REQUIRED,
                          validate=validate.Length(min=1, max=24, error=_l("Name the grade.")))
    min = fields.Decimal(required=True, as_string=True, error_messages=_NUMBER)


class TemplateSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    version = fields.Integer()
    grades = fields.List(fields.Dict())
    outstanding_count = fields.Integer()
    max_total = fields.Decimal(as_string=True)
    indicators = fields.List(fields.Nested(IndicatorSchema))


class IndicatorInputSchema(Schema):
    code = fields.String(required=True, error_messages=_REQUIRED)
    base = fields.Decimal(error_messages=_NUMBER)
    extra = fields.Decimal(error_messages=_NUMBER)
    cap = fields.Decimal(error_messages=_NUMBER)
    weight = fields.Decimal(error_messages=_NUMBER)


class TemplateInputSchema(Schema):
    """Change the current template: any of its indicators' points, caps and weights (by code), the
    grades, the number of outstanding deputies, the maximum total. Checked as a whole."""

    indicators = fields.List(fields.Nested(IndicatorInputSchema), load_default=list)
    grades = fields.List(fields.Nested(GradeSchema))
    outstanding_count = fields.Integer(error_messages=_WHOLE)
    max_total = fields.Decimal(error_messages=_NUMBER)


class YearSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    state = fields.Function(lambda y: y.state.value)
    template_id = fields.Integer(allow_none=True)
    objections_until = fields.Date(allow_none=True)
    computed_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)


class YearInputSchema(Schema):
    year = fields.Integer(required=True, error_messages=_WHOLE,
                          validate=validate.Range(min=2000, max=2100, error=_l("Enter a year such as 2026.")))
    objections_until = fields.Date(load_default=None, allow_none=True,
                                   error_messages={"invalid": _l("Enter a date such as 2026-11-30.")})


class LineSchema(Schema):
    code = fields.String()
    name = fields.String()
    source = fields.String()
    count = fields.Integer()
    points = fields.Decimal(places=2, as_string=True)
    weight = fields.Decimal(places=2, as_string=True)
    weighted = fields.Decimal(places=2, as_string=True)
    cap = fields.Decimal(places=2, as_string=True)
    overridden = fields.Boolean()
    explanation = fields.Dict()


class SheetSchema(Schema):
    """One deputy's sheet: rank, total, grade, outstanding, re-nomination (and the lines, explained)."""

    deputy_id = fields.Integer()
    name = fields.String()
    total = fields.Decimal(places=2, as_string=True)
    grade = fields.String()
    rank = fields.Integer()
    outstanding = fields.Boolean()
    renominate = fields.Boolean()
    records = fields.Integer()
    lines = fields.List(fields.Nested(LineSchema))


class ResultSchema(SheetSchema):
    class Meta:
        exclude = ("lines",)


class ObjectionSchema(Schema):
    id = fields.Integer()
    year_id = fields.Integer()
    deputy_id = fields.Integer()
    indicator = fields.String()
    reason = fields.String()
    state = fields.Function(lambda o: o.state.value)
    points_after = fields.Decimal(as_string=True, allow_none=True)
    resolution = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class YearDetailSchema(YearSchema):
    snapshot = fields.Dict()
    tie_rule = fields.String()
    results = fields.List(fields.Nested(ResultSchema))
    objections = fields.List(fields.Nested(ObjectionSchema))


class ScoreRowSchema(Schema):
    deputy_id = fields.Integer(required=True, strict=True, error_messages=_WHOLE)
    indicator = fields.String(required=True, error_messages=_REQUIRED)
    points = fields.Raw(required=True, error_messages=_REQUIRED)


class ScoresInputSchema(Schema):
    scores = fields.List(fields.Nested(ScoreRowSchema), required=True, error_messages=_REQUIRED)


class ObjectionInputSchema(Schema):
    indicator = fields.String(required=True, error_messages=_REQUIRED)
    reason = fields.String(required=True, error_messages=_REQUIRED)


class ResolveInputSchema(Schema):
    accept = fields.Boolean(required=True, error_messages=_REQUIRED)
    note = fields.String(required=True, error_messages=_REQUIRED)
    points_after = fields.Raw(load_default=None, allow_none=True)


class JobSchema(Schema):
    job_id = fields.String()
    year_id = fields.Integer()
