"""marshmallow schemas of the API (allow-lists both ways)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)
    is_operator = fields.Boolean(dump_only=True)
    locale = fields.String(dump_only=True, allow_none=True)


class TownSchema(Schema):
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    name_en = fields.String(dump_only=True, allow_none=True)
    status = fields.Function(lambda t: t.status.value, dump_only=True)
    locale = fields.String(dump_only=True)
    template = fields.String(dump_only=True)
    schema_revision = fields.String(dump_only=True, allow_none=True)


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    towns = fields.List(fields.Dict())
    committees = fields.List(fields.Dict())


class TownDetailSchema(TownSchema):
    settings = fields.Dict(dump_only=True)
    roles = fields.List(fields.String(), dump_only=True)
    read_only = fields.Boolean(dump_only=True)


class SupervisionGroupSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(_CODE, error=_l(
        "Use 2 to 40 lower-case letters, digits or underscores, starting with a letter.")),
        error_messages={"required": _l("This field is required.")})
    name = fields.String(required=True, validate=validate.Length(min=1, max=64, error=_l(
        "Enter a name of at most 64 characters.")), error_messages={"required": _l("This field is required.")})
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=96))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    position = fields.Integer(load_default=0)
    active = fields.Boolean(dump_only=True)
