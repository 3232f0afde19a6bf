from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class StudioInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter the studio's name (at most 64 characters).")))
    area = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter the area (at most 64 characters).")))
    villages = fields.String(load_default="", validate=validate.Length(max=1000))


class StudioSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    area = fields.String(dump_only=True)
    villages = fields.Function(lambda s: s.village_list, dump_only=True)
    member_ids = fields.Function(lambda s: [d.id for d in s.members], dump_only=True)
