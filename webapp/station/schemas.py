from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate


class StationProfileSchema(Schema):
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    opening_hours = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    head = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    deputy_heads = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    staff = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    intro = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    latitude = fields.Decimal(load_default=None, allow_none=True, places=6, as_string=True,
                              validate=validate.Range(-90, 90, error=_l("A latitude lies between -90 and 90.")),
                              error_messages={"invalid": _l("Enter a number such as 34.52.")})
    longitude = fields.Decimal(load_default=None, allow_none=True, places=6, as_string=True,
                               validate=validate.Range(-180, 180, error=_l("A longitude lies between -180 and 180.")),
                               error_messages={"invalid": _l("Enter a number such as 110.89.")})
