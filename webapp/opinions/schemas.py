from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from .models import Channel, CongressLevel, Satisfaction, UnitKind

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}
_WHOLE = {"invalid": _l("Enter a whole number.")}
_DATE = {**_REQUIRED, "invalid": _l("Enter a date such as 2026-11-30.")}
PHONE = validate.Regexp(r"^[0-9+\-() ]{5,20}$", error=_l("Enter a phone number (digits, 5 to 20)."))
_OPTIONAL_ID = {"load_default": None, "allow_none": True, "error_messages": _WHOLE}


class OpinionInputSchema(Schema):
    """What staff (or a deputy on a visit) record about an opinion."""

    channel = fields.Enum(Channel, by_value=True, required=True,
                          error_messages={**_REQUIRED, "unknown": _l("Choose where the opinion came from.")})
    received_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    title = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=120, error=_l("Enter a short title (at most 120 characters).")))
    text = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=5000, error=_l("Enter what was said (at most 5,000 characters).")))
    category_id = fields.Integer(**_OPTIONAL_ID)
    constituent_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    constituent_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    village = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    grid_id = fields.Integer(**_OPTIONAL_ID)
    deputy_id = fields.Integer(**_OPTIONAL_ID)
    reception_day_id = fields.Integer(**_OPTIONAL_ID)
    activity_id = fields.Integer(**_OPTIONAL_ID)


class SuggestionInputSchema(Schema):
    """A deputy's suggestion or motion (议案建议)."""

    title = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=120, error=_l("Enter a short title (at most 120 characters).")))
    text = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=5000, error=_l("Enter what was said (at most 5,000 characters).")))
    deputy_id = fields.Integer(**_OPTIONAL_ID)
    congress_level = fields.Enum(CongressLevel, by_value=True, load_default=CongressLevel.town,
                                 error_messages={"unknown": _l("Choose the congress it is filed to.")})
    category_id = fields.Integer(**_OPTIONAL_ID)
    received_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    seconder_ids = fields.List(fields.Integer(), load_default=list)


class TransitionSchema(Schema):
    """One step of the state machine; which fields matter depends on the action."""

    action = fields.String(required=True, error_messages=_REQUIRED)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    category_id = fields.Integer(**_OPTIONAL_ID)
    merged_into_id = fields.Integer(**_OPTIONAL_ID)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    due_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    days = fields.Integer(load_default=None, allow_none=True, error_messages=_WHOLE)
    approve = fields.Boolean(load_default=None, allow_none=True)
    answer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    by = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    how = fields.String(load_default=None, allow_none=True)
    satisfaction = fields.Enum(Satisfaction, by_value=True, load_default=None, allow_none=True,
                               error_messages={"unknown": _l("Choose how satisfied the constituent is.")})


class UnitInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=100, error=_l("Enter the unit's name (at most 100 characters).")))
    kind = fields.Enum(UnitKind, by_value=True, load_default=UnitKind.department,
                       error_messages={"unknown": _l("Choose the kind of unit.")})
    contact_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    contact_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    active = fields.Boolean(load_default=True)


class CategoryInputSchema(Schema):
    code = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$", error=_l("Use 2 to 40 lower-case letters, digits or underscores, starting with a letter.")))
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Enter a name of at most 64 characters.")))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=96))
    deadline_days = fields.Integer(load_default=15, error_messages=_WHOLE, validate=validate.Range(
        1, 90, error=_l("Between 1 and 90 working days.")))
    warning_days = fields.Integer(load_default=3, error_messages=_WHOLE, validate=validate.Range(
        0, 30, error=_l("Between 0 and 30 working days.")))


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.Function(lambda u: u.kind.value, dump_only=True)
    contact_name = fields.String(dump_only=True, allow_none=True)
    contact_phone = fields.String(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)


class EventSchema(Schema):
    action = fields.String(dump_only=True)
    from_state = fields.String(dump_only=True, allow_none=True)
    to_state = fields.String(dump_only=True)
    actor_name = fields.String(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    data = fields.Dict(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class OpinionSchema(Schema):
    """An opinion as the API gives it. The constituent's phone only to the town's staff
    (`OpinionSchema(show_phone=True)`)."""

    def __init__(self, *args, show_phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_phone = show_phone

    id = fields.Integer(dump_only=True)
    kind = fields.Function(lambda o: o.kind.value, dump_only=True)
    channel = fields.Function(lambda o: o.channel.value, dump_only=True)
    received_on = fields.Date(dump_only=True)
    title = fields.String(dump_only=True)
    text = fields.String(dump_only=True)
    category = fields.Function(lambda o: o.category.code if o.category else None, dump_only=True)
    constituent_name = fields.String(dump_only=True, allow_none=True)
    constituent_phone = fields.Method("_phone", dump_only=True)
    village = fields.String(dump_only=True, allow_none=True)
    grid_id = fields.Integer(dump_only=True, allow_none=True)
    deputy_id = fields.Integer(dump_only=True, allow_none=True)
    reception_day_id = fields.Integer(dump_only=True, allow_none=True)
    hotline_case_no = fields.String(dump_only=True, allow_none=True)
    receipt_code = fields.String(dump_only=True, allow_none=True)
    congress_level = fields.Function(lambda o: o.congress_level.value if o.congress_level else None,
                                     dump_only=True)
    state = fields.Function(lambda o: o.state.value, dump_only=True)
    reason = fields.String(dump_only=True, allow_none=True)
    merged_into_id = fields.Integer(dump_only=True, allow_none=True)
    unit_id = fields.Integer(dump_only=True, allow_none=True)
    assigned_on = fields.Date(dump_only=True, allow_none=True)
    due_on = fields.Date(dump_only=True, allow_none=True)
    extension_days_requested = fields.Integer(dump_only=True, allow_none=True)
    answered_on = fields.Date(dump_only=True, allow_none=True)
    answer = fields.String(dump_only=True, allow_none=True)
    feedback_on = fields.Date(dump_only=True, allow_none=True)
    feedback_by = fields.String(dump_only=True, allow_none=True)
    feedback_how = fields.String(dump_only=True, allow_none=True)
    closed_on = fields.Date(dump_only=True, allow_none=True)
    satisfaction = fields.Function(lambda o: o.satisfaction.value if o.satisfaction else None, dump_only=True)
    rated_by = fields.String(dump_only=True, allow_none=True)
    seconder_ids = fields.Function(lambda o: [d.id for d in o.seconders], dump_only=True)

    def _phone(self, opinion):
        return opinion.constituent_phone if self.show_phone else None


class OpinionDetailSchema(OpinionSchema):
    events = fields.Function(lambda o: EventSchema(many=True).dump(o.events), dump_only=True)
    files = fields.Function(lambda o: [{"id": f.id, "filename": f.filename, "size": f.size} for f in o.files],
                            dump_only=True)
