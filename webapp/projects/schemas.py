"""What the projects area takes in and gives out: projects, supervision groups and their
members, the five ones' records, the findings of the rectification ledger, the annual
vote (tallies, ballots, results) and next year's candidates. Input schemas are allow-lists,
shared by the pages and the JSON API; output schemas are dump-only."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from .models import Phase, ProjectKind, RecordKind, Voter

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}
_WHOLE = {"invalid": _l("Enter a whole number.")}
_DATE = {**_REQUIRED, "invalid": _l("Enter a date such as 2026-11-30.")}
_OPTIONAL_ID = {"load_default": None, "allow_none": True, "error_messages": _WHOLE}
_COUNT = validate.Range(min=0, max=100000, error=_l("Enter a number of at least 0."))
_YEAR = validate.Range(min=2000, max=2100, error=_l("Enter a year between 2000 and 2100."))
_IDS = {"load_default": list, "error_messages": {"invalid": _l("Give a list of ids.")}}


def _text(maximum: int, required: bool = False, **kwargs) -> fields.String:
    message = _l("At most %(n)d characters.", n=maximum)
    if required:
        return fields.String(required=True, error_messages=_REQUIRED,
                             validate=validate.Length(min=1, max=maximum, error=message), **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=maximum, error=message),
                         **kwargs)


# --- input ---------------------------------------------------------------------------------

class MilestoneInputSchema(Schema):
    name = _text(120, required=True)
    phase = fields.Enum(Phase, by_value=True, load_default=None, allow_none=True,
                        error_messages={"unknown": _l("Choose the phase.")})
    planned_on = fields.Date(required=True, error_messages=_DATE)
    done_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)


class ProjectInputSchema(Schema):
    """A project of the year. For an update every field is optional (`partial=True`)."""

    year = fields.Integer(required=True, validate=_YEAR, error_messages={**_REQUIRED, **_WHOLE})
    name = _text(120, required=True)
    kind = fields.Enum(ProjectKind, by_value=True, required=True,
                       error_messages={**_REQUIRED, "unknown": _l("Choose a key project or a livelihood project.")})
    category = _text(40)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    group_id = fields.Integer(**_OPTIONAL_ID)
    budget = fields.Decimal(places=2, load_default=None, allow_none=True,
                            validate=validate.Range(min=0, error=_l("Enter an amount of at least 0.")),
                            error_messages={"invalid": _l("Enter an amount in 10,000 yuan, e.g. 120.5.")})
    location = _text(200)
    description = _text(5000)
    phase = fields.Enum(Phase, by_value=True, load_default=Phase.initiation,
                        error_messages={"unknown": _l("Choose the phase.")})
    progress = fields.Integer(load_default=0, validate=validate.Range(
        min=0, max=100, error=_l("Between 0 and 100 percent.")), error_messages=_WHOLE)
    milestones = fields.List(fields.Nested(MilestoneInputSchema), load_default=None)


class CarryOverSchema(Schema):
    year = fields.Integer(load_default=None, allow_none=True, validate=_YEAR, error_messages=_WHOLE)


class GroupMembersInputSchema(Schema):
    leader_id = fields.Integer(**_OPTIONAL_ID)
    member_ids = fields.List(fields.Integer(error_messages=_WHOLE), **_IDS)


class RecordInputSchema(Schema):
    """A briefing, inspection, half-year report or annual review. For an annual review
    without `project_ids`, every project of `year` (the day's year unless given) is reviewed."""

    kind = fields.Enum(RecordKind, by_value=True, required=True,
                       error_messages={**_REQUIRED, "unknown": _l("Choose the kind of record.")})
    group_id = fields.Integer(**_OPTIONAL_ID)
    day = fields.Date(required=True, error_messages=_DATE)
    place = _text(200)
    summary = _text(5000)
    issues_reported = _text(5000)
    suggestions = _text(5000)
    sent_to_presidium_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    other_attendees = _text(500)
    attendee_ids = fields.List(fields.Integer(error_messages=_WHOLE), **_IDS)
    project_ids = fields.List(fields.Integer(error_messages=_WHOLE), **_IDS)
    year = fields.Integer(load_default=None, allow_none=True, validate=_YEAR, error_messages=_WHOLE)


class ReviewInputSchema(Schema):
    """The annual review's own form: when and where, who came, which projects of the year."""

    day = fields.Date(required=True, error_messages=_DATE)
    place = _text(200)
    year = fields.Integer(load_default=None, allow_none=True, validate=_YEAR, error_messages=_WHOLE)
    summary = _text(5000)
    other_attendees = _text(500)
    attendee_ids = fields.List(fields.Integer(error_messages=_WHOLE), **_IDS)
    project_ids = fields.List(fields.Integer(error_messages=_WHOLE), **_IDS)


class FindingInputSchema(Schema):
    description = _text(1000, required=True)
    project_id = fields.Integer(**_OPTIONAL_ID)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    due_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)


class FindingStepSchema(Schema):
    """One step of the rectification ledger; which fields matter depends on the action."""

    action = fields.String(required=True, error_messages=_REQUIRED, validate=validate.OneOf(
        ("assign", "rectify", "verify", "reject"), error=_l("Unknown action.")))
    note = _text(2000)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    due_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    evidence = _text(5000)
    by = _text(64)


def _count(**kwargs) -> fields.Integer:
    return fields.Integer(load_default=0, validate=_COUNT, error_messages=_WHOLE, **kwargs)


class VoteCountsSchema(Schema):
    satisfied = _count()
    basically = _count()
    not_satisfied = _count()


class PresentSchema(Schema):
    voters = _count()
    deputies = _count()


class TalliesSchema(Schema):
    voters = fields.Nested(VoteCountsSchema, load_default=dict)
    deputies = fields.Nested(VoteCountsSchema, load_default=dict)


class TallyInputSchema(Schema):
    """The paper tallies of one project's vote and the people present, per group of voters."""

    present = fields.Nested(PresentSchema, required=True, error_messages=_REQUIRED)
    tallies = fields.Nested(TalliesSchema, load_default=dict)


class BallotIssueSchema(Schema):
    voter = fields.Enum(Voter, by_value=True, required=True,
                        error_messages={**_REQUIRED, "unknown": _l("Choose voters or deputies.")})
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=500, error=_l(
        "Between 1 and 500 ballots at a time.")), error_messages={**_REQUIRED, **_WHOLE})


class CandidateInputSchema(Schema):
    """A candidate project for next year and what the review said about it."""

    name = _text(120, required=True)
    description = _text(1000)
    support = _count()
    object = _count()
    comments = _text(2000)


# --- output --------------------------------------------------------------------------------

class DeputyBriefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    level = fields.Function(lambda d: d.level.value, dump_only=True)


class MilestoneSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    phase = fields.Function(lambda m: m.phase.value if m.phase else None, dump_only=True)
    planned_on = fields.Date(dump_only=True)
    done_on = fields.Date(dump_only=True, allow_none=True)


class ProjectSchema(Schema):
    id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.Function(lambda p: p.kind.value, dump_only=True)
    continuing = fields.Boolean(dump_only=True)
    continues_id = fields.Integer(dump_only=True, allow_none=True)
    category = fields.String(dump_only=True, allow_none=True)
    unit_id = fields.Integer(dump_only=True, allow_none=True)
    unit_name = fields.Function(lambda p: p.unit.name if p.unit else None, dump_only=True)
    group_id = fields.Integer(dump_only=True, allow_none=True)
    group_name = fields.Function(lambda p: p.group.name if p.group else None, dump_only=True)
    budget = fields.Decimal(places=2, as_string=True, dump_only=True, allow_none=True)
    location = fields.String(dump_only=True, allow_none=True)
    phase = fields.Function(lambda p: p.phase.value, dump_only=True)
    progress = fields.Integer(dump_only=True)


class LineageSchema(Schema):
    """One year of a continuing project's history."""

    id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    phase = fields.Function(lambda p: p.phase.value, dump_only=True)
    progress = fields.Integer(dump_only=True)


class SupervisionFileSchema(Schema):
    id = fields.Integer(dump_only=True)
    filename = fields.String(dump_only=True)
    mimetype = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class FindingEventSchema(Schema):
    action = fields.String(dump_only=True)
    from_state = fields.String(dump_only=True, allow_none=True)
    to_state = fields.String(dump_only=True)
    actor_name = fields.String(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class FindingSchema(Schema):
    id = fields.Integer(dump_only=True)
    record_id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True, allow_none=True)
    project_name = fields.Function(lambda f: f.project.name if f.project else None, dump_only=True)
    description = fields.String(dump_only=True)
    state = fields.Function(lambda f: f.state.value, dump_only=True)
    unit_id = fields.Integer(dump_only=True, allow_none=True)
    unit_name = fields.Function(lambda f: f.unit.name if f.unit else None, dump_only=True)
    due_on = fields.Date(dump_only=True, allow_none=True)
    overdue = fields.Function(lambda f: f.overdue(date.today()), dump_only=True)
    rectified_on = fields.Date(dump_only=True, allow_none=True)
    evidence = fields.String(dump_only=True, allow_none=True)
    verified_on = fields.Date(dump_only=True, allow_none=True)
    verified_by = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class FindingDetailSchema(FindingSchema):
    events = fields.List(fields.Nested(FindingEventSchema), dump_only=True)
    files = fields.List(fields.Nested(SupervisionFileSchema), dump_only=True)


class ProjectDetailSchema(ProjectSchema):
    """A project with its milestones, the years it continues (newest first) and the findings
    of its inspections over all those years."""

    description = fields.String(dump_only=True, allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), dump_only=True)
    lineage = fields.Method("_lineage", dump_only=True)
    findings = fields.Method("_findings", dump_only=True)

    def _lineage(self, project):
        from .services import lineage

        return LineageSchema(many=True).dump(lineage(project))

    def _findings(self, project):
        from sqlalchemy import select

        from ..extensions import db
        from .models import Finding
        from .services import lineage

        ids = [p.id for p in lineage(project)]
        rows = db.session.scalars(select(Finding).where(Finding.project_id.in_(ids)).order_by(Finding.id)).all()
        return FindingSchema(many=True).dump(rows)


class GroupDetailSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    name_en = fields.String(dump_only=True, allow_none=True)
    description = fields.String(dump_only=True, allow_none=True)
    position = fields.Integer(dump_only=True)
    active = fields.Boolean(dump_only=True)
    leader_id = fields.Integer(attribute="leader_deputy_id", dump_only=True, allow_none=True)
    members = fields.List(fields.Nested(DeputyBriefSchema), dump_only=True)


class RecordSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.Function(lambda r: r.kind.value, dump_only=True)
    group_id = fields.Integer(dump_only=True, allow_none=True)
    group_name = fields.Function(lambda r: r.group.name if r.group else None, dump_only=True)
    day = fields.Date(dump_only=True)
    place = fields.String(dump_only=True, allow_none=True)
    summary = fields.String(dump_only=True, allow_none=True)
    issues_reported = fields.String(dump_only=True, allow_none=True)
    suggestions = fields.String(dump_only=True, allow_none=True)
    sent_to_presidium_on = fields.Date(dump_only=True, allow_none=True)
    other_attendees = fields.String(dump_only=True, allow_none=True)
    attendee_ids = fields.Function(lambda r: [d.id for d in r.attendees], dump_only=True)
    project_ids = fields.Function(lambda r: [p.id for p in r.projects], dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ProjectRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class RecordDetailSchema(RecordSchema):
    """A record with its people, projects and files; an inspection's findings."""

    attendees = fields.List(fields.Nested(DeputyBriefSchema), dump_only=True)
    projects = fields.List(fields.Nested(ProjectRefSchema), dump_only=True)
    files = fields.List(fields.Nested(SupervisionFileSchema), dump_only=True)
    findings = fields.Method("_findings", dump_only=True)

    def _findings(self, record):
        from sqlalchemy import select

        from ..extensions import db
        from .models import Finding

        rows = db.session.scalars(select(Finding).where(Finding.record_id == record.id).order_by(Finding.id)).all()
        return FindingSchema(many=True).dump(rows)


class ResultSchema(Schema):
    """A project's vote: counts per voter group (paper and ballots together), the votes in
    all, the satisfied ones (satisfied + basically), the rate in percent, the threshold, passed."""

    counts = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                         dump_only=True)
    total = fields.Integer(dump_only=True)
    satisfied = fields.Integer(dump_only=True)
    rate = fields.Float(dump_only=True, allow_none=True)
    threshold = fields.Integer(dump_only=True)
    passed = fields.Boolean(dump_only=True, allow_none=True)


class ProjectVoteSchema(Schema):
    """One project of an annual review: the people present, the paper tallies, the ballot
    codes issued and cast per voter group, whether the vote is closed, and the result."""

    project_id = fields.Integer(dump_only=True)
    project_name = fields.String(dump_only=True)
    project_year = fields.Integer(dump_only=True)
    present = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    tallies = fields.Dict(keys=fields.String(), values=fields.Dict(), dump_only=True)
    ballots_issued = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    ballots_cast = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    closed = fields.Boolean(dump_only=True)
    result = fields.Nested(ResultSchema, dump_only=True)


class CandidateSchema(Schema):
    id = fields.Integer(dump_only=True)
    record_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    support = fields.Integer(dump_only=True)
    object = fields.Integer(dump_only=True)
    comments = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class AnnualReviewSchema(Schema):
    """An annual review: its record, every project's vote, the pass count over all projects
    and the consultation on next year's candidates."""

    record = fields.Nested(RecordSchema, dump_only=True)
    threshold = fields.Integer(dump_only=True)
    projects = fields.Integer(dump_only=True)
    voted = fields.Integer(dump_only=True)
    passed = fields.Integer(dump_only=True)
    unanimous = fields.Integer(dump_only=True)
    present = fields.Integer(dump_only=True)
    votes = fields.List(fields.Nested(ProjectVoteSchema), dump_only=True)
    candidates = fields.List(fields.Nested(CandidateSchema), dump_only=True)


class BallotSchema(Schema):
    """A ballot code and the public address its QR code points to."""

    token = fields.String(dump_only=True)
    voter = fields.String(dump_only=True)
    url = fields.String(dump_only=True)


class IssuedBallotsSchema(Schema):
    voter = fields.String(dump_only=True)
    count = fields.Integer(dump_only=True)
    ballots = fields.List(fields.Nested(BallotSchema), dump_only=True)

