from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

_required = {"required": True, "error_messages": {"required": _l("This field is required."),
                                                   "null": _l("This field is required.")}}


class TownCreateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=64, error=_l("Enter the town's name (at most 64 characters).")), **_required)
    name_en = fields.String(load_default=None, validate=validate.Length(max=96))
    slug = fields.String(load_default=None)
    region_id = fields.Integer(**{**_required, "error_messages": {**_required["error_messages"],
                                                                   "invalid": _l("Choose the county or county-level city the town belongs to.")}})
    template = fields.String(load_default="yinzhuang")
