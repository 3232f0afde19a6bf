"""What the committees area takes in and gives out in the JSON API: the jurisdiction's towns,
rollups, scorecards and one-to-one supervision notices. Input schemas are allow-lists;
output schemas are dump-only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from .notices import TOPICS

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class JurisdictionTownSchema(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    county = fields.String()
    status = fields.String()


class RollupSchema(Schema):
    town = fields.String()
    year = fields.Integer()
    quarter = fields.Integer()
    provisional = fields.Boolean()
    frozen = fields.Boolean()
    computed_at = fields.DateTime()
    figures = fields.Dict()


class ScorecardItemSchema(Schema):
    key = fields.String()
    level = fields.String()
    value = fields.Raw(allow_none=True)


class ScorecardLineSchema(Schema):
    town = fields.String()
    name = fields.String()
    county = fields.String()
    score = fields.Integer(allow_none=True)
    rag = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ScorecardItemSchema))
    provisional = fields.Boolean(allow_none=True)
    computed_at = fields.DateTime(allow_none=True)
    compare_score = fields.Integer(allow_none=True)


class ScorecardSchema(Schema):
    quarter = fields.String()
    compare = fields.String()
    towns = fields.List(fields.Nested(ScorecardLineSchema))


class NoticeEventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    actor_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    created_at = fields.DateTime()


class NoticeSchema(Schema):
    id = fields.Integer()
    committee = fields.String()
    town = fields.String()
    topic = fields.String()
    subject = fields.String()
    body = fields.String()
    due_on = fields.Date()
    state = fields.String()
    overdue = fields.Boolean()
    issued_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class NoticeDetailSchema(NoticeSchema):
    events = fields.List(fields.Nested(NoticeEventSchema))


class NoticeInputSchema(Schema):
    town = fields.String(required=True, error_messages=_REQUIRED)
    topic = fields.String(required=True, error_messages=_REQUIRED,
                          validate=validate.OneOf(TOPICS, error=_l("Choose what the notice is about.")))
    subject = fields.String(required=True, error_messages=_REQUIRED)
    body = fields.String(required=True, error_messages=_REQUIRED)
    due_on = fields.Date(required=True, error_messages={**_REQUIRED, "invalid": _l("Enter a date such as 2026-11-30.")})


class DecisionInputSchema(Schema):
    decision = fields.String(required=True, error_messages=_REQUIRED,
                             validate=validate.OneOf(("accept", "return"), error=_l("Say accept or return.")))
    note = fields.String(load_default="", allow_none=True)


class EvidenceSchema(Schema):
    filename = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True, error_messages=_REQUIRED)


class ResponseInputSchema(Schema):
    actions = fields.String(required=True, error_messages=_REQUIRED)
    evidence = fields.Nested(EvidenceSchema, load_default=None, allow_none=True)
