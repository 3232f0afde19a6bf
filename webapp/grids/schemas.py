from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..deputies.schemas import PHONE_RE
from .models import GridKind

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class GridInputSchema(Schema):
    kind = fields.Enum(GridKind, by_value=True, required=True,
                       error_messages={"unknown": _l("Choose residential or street-shop."), **_REQUIRED})
    community = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter the village or community (at most 64 characters).")))
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter the grid's name (at most 64 characters).")))


class GridHeadInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=32, error=_l("Enter the grid head's name (at most 32 characters).")))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE_RE, error=_l("Enter an 11-digit mobile number or a landline such as 0398-1234567.")))


class GridHeadSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)


class GridSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(GridKind, by_value=True, dump_only=True)
    community = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    heads = fields.List(fields.Nested(GridHeadSchema), dump_only=True)
    deputy_ids = fields.Function(lambda g: [d.id for d in g.deputies], dump_only=True)


class AssignSchema(Schema):
    deputy_id = fields.Integer(required=True, error_messages={**_REQUIRED, "invalid": _l("Choose a deputy.")})
