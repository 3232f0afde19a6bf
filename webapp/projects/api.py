"""Projects, groups, briefings, inspections, findings, reviews and votes in the JSON API.

Reads are for every role of the town and for committee readers; writes for the town's
staff. A finding's step posted twice with the same `Idempotency-Key` header applies once
(`Idempotent-Replayed: true` on the second answer); a step the ledger does not allow is a
409 `invalid_transition`, missing or bad input a 422. Ballots are issued here; votes are
cast only on the public ballot page their QR codes open."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import STAFF
from ..api.core import ApiError, api_route, field_error, get_or_404, load_body, paginated
from ..api.views import enter_api_town
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from .models import (Candidate, Finding, FindingState, Milestone, Project, RecordKind, SupervisionGroup,
                     SupervisionRecord)
from .review_views import (add_candidate, annual_review, ballot_url, check_deputies, close_vote, create_annual_review,
                           issue, summary, under_review, update_candidate)
from .schemas import (AnnualReviewSchema, BallotIssueSchema, CandidateInputSchema, CandidateSchema, CarryOverSchema,
                      FindingDetailSchema, FindingInputSchema, FindingSchema, FindingStepSchema, GroupDetailSchema,
                      GroupMembersInputSchema, IssuedBallotsSchema, MilestoneInputSchema, ProjectDetailSchema,
                      ProjectInputSchema, ProjectSchema, ProjectVoteSchema, RecordDetailSchema, RecordInputSchema,
                      RecordSchema, SupervisionFileSchema, TallyInputSchema)
from .services import (ProjectError, add_file, add_finding, carry_over, create_project, create_record, finding_step,
                       five_ones, set_review, update_project)

TAG = "projects"


def _created(body: dict, location: str | None = None):
    response = jsonify(body)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_failed", _("Some fields are not valid."), {field: [message]})


def _optional_body(schema) -> dict:
    """A body that may be left out entirely (nothing to say), else parsed like any other."""
    if not request.get_data():
        return schema.load({})
    return load_body(schema)


def _dotted(messages, prefix: str) -> dict[str, list[str]]:
    """Nested messages as the error shape's flat fields: {"milestones.0.planned_on": [...]}."""
    if not isinstance(messages, dict):
        return {prefix: [str(m) for m in (messages if isinstance(messages, list) else [messages])]}
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        out.update(_dotted(value, f"{prefix}.{key}"))
    return out


def _year_arg() -> int | None:
    return request.args.get("year", type=int)


# --- projects ----------------------------------------------------------------------------------

@api_route("/t/<town>/projects", summary="The town's projects (filters: year, group_id, kind=key|livelihood, "
           "phase)", tag=TAG, response_schema=ProjectSchema, paginated=True)
def projects_api(town: str):
    enter_api_town(town)
    query = select(Project).options(selectinload(Project.unit), selectinload(Project.group))
    if _year_arg():
        query = query.where(Project.year == _year_arg())
    if request.args.get("group_id", type=int):
        query = query.where(Project.group_id == request.args.get("group_id", type=int))
    for key, column in (("kind", Project.kind), ("phase", Project.phase)):
        if request.args.get(key):
            enum = column.type.enum_class
            if request.args[key] not in enum.__members__:
                raise _invalid(key, _("Unknown value."))
            query = query.where(column == enum(request.args[key]))
    return paginated(query.order_by(Project.year.desc(), Project.kind, Project.name), ProjectSchema(many=True))


def _milestones(project: Project, rows: list[dict]) -> None:
    project.milestones = [Milestone(name=m["name"], phase=m.get("phase"), planned_on=m["planned_on"],
                                    done_on=m.get("done_on")) for m in rows]


@api_route("/t/<town>/projects", method="POST", summary="Add a project of the year, with its milestones (staff)",
           tag=TAG, request_schema=ProjectInputSchema, response_schema=ProjectDetailSchema, status=201)
def create_project_api(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(ProjectInputSchema())
    milestones = data.pop("milestones", None) or []
    try:
        project = create_project(actor=current_user, data=data)
    except ProjectError as err:
        raise field_error(err) from err
    _milestones(project, milestones)
    db.session.commit()
    return _created(ProjectDetailSchema().dump(project), url_for("api.project_api", town=town, project_id=project.id))


@api_route("/t/<town>/projects/<int:project_id>", summary="One project with its milestones, the years it "
           "continues (lineage, newest first) and the findings of its inspections", tag=TAG,
           response_schema=ProjectDetailSchema)
def project_api(town: str, project_id: int):
    enter_api_town(town)
    return jsonify(ProjectDetailSchema().dump(get_or_404(Project, project_id)))


@api_route("/t/<town>/projects/<int:project_id>", method="PATCH", summary="Change a project: its phase, progress, "
           "unit, group... (staff; only the fields sent; milestones sent replace the list)", tag=TAG,
           request_schema=ProjectInputSchema, response_schema=ProjectDetailSchema)
def update_project_api(town: str, project_id: int):
    enter_api_town(town, *STAFF)
    project = get_or_404(Project, project_id)
    data = load_body(ProjectInputSchema(), partial=True)
    body = request.get_json()
    data = {k: v for k, v in data.items() if k in body}  # defaults of fields not sent do not apply
    milestones = None
    if "milestones" in body:  # a new list is whole: each milestone as on creation, not partial
        try:
            milestones = MilestoneInputSchema(many=True).load(body["milestones"] or [])
        except ValidationError as err:
            raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                           _dotted(err.normalized_messages(), "milestones")) from err
        data.pop("milestones", None)
    year, name = data.get("year", project.year), data.get("name", project.name)
    if (year, name) != (project.year, project.name) and db.session.scalar(
            select(Project.id).where(Project.year == year, Project.name == name, Project.id != project.id)):
        raise _invalid("name", _("The town already has a project called %(name)s in %(year)d.", name=name, year=year))
    try:
        update_project(project, actor=current_user, data=data)
    except ProjectError as err:
        raise field_error(err) from err
    if milestones is not None:
        _milestones(project, milestones)
    db.session.commit()
    return jsonify(ProjectDetailSchema().dump(project))


@api_route("/t/<town>/projects/<int:project_id>/carry-over", method="POST", summary="Carry a project into a later "
           "year as a continuing project (续建; year: the next unless given; staff)", tag=TAG,
           request_schema=CarryOverSchema, response_schema=ProjectDetailSchema, status=201)
def carry_over_api(town: str, project_id: int):
    enter_api_town(town, *STAFF)
    project = get_or_404(Project, project_id)
    data = _optional_body(CarryOverSchema())
    try:
        follow = carry_over(project, actor=current_user, year=data.get("year"))
    except ProjectError as err:
        raise field_error(err) from err
    db.session.commit()
    return _created(ProjectDetailSchema().dump(follow), url_for("api.project_api", town=town, project_id=follow.id))


# --- groups: their members (the list and creation are in api/views.py) -------------------------

@api_route("/t/<town>/supervision-groups/<int:group_id>", summary="One supervision group with its leader and "
           "members", tag=TAG, response_schema=GroupDetailSchema)
def supervision_group_api(town: str, group_id: int):
    enter_api_town(town)
    return jsonify(GroupDetailSchema().dump(get_or_404(SupervisionGroup, group_id)))


@api_route("/t/<town>/supervision-groups/<int:group_id>/members", method="PUT", summary="Set a group's leader and "
           "members (serving deputies; the leader is always a member; staff)", tag=TAG,
           request_schema=GroupMembersInputSchema, response_schema=GroupDetailSchema)
def set_group_members_api(town: str, group_id: int):
    from .services import set_members

    enter_api_town(town, *STAFF)
    group = get_or_404(SupervisionGroup, group_id)
    data = load_body(GroupMembersInputSchema())
    ids = set(data["member_ids"])
    serving = set(db.session.scalars(select(Deputy.id).where(Deputy.id.in_(ids),
                                                             Deputy.status == DeputyStatus.serving)))
    if ids - serving:
        raise _invalid("member_ids", _("Choose serving deputies of this town."))
    try:
        set_members(group, actor=current_user, leader_id=data["leader_id"], member_ids=sorted(ids))
    except ProjectError as err:
        raise field_error(err) from err
    db.session.commit()
    return jsonify(GroupDetailSchema().dump(group))


# --- supervision records: briefings, inspections, half-year reports, annual reviews ---------------

@api_route("/t/<town>/supervision-records", summary="Briefings, inspections, half-year reports and annual reviews "
           "(filters: kind, year, group_id, project_id)", tag=TAG, response_schema=RecordSchema, paginated=True)
def supervision_records_api(town: str):
    enter_api_town(town)
    query = select(SupervisionRecord).options(selectinload(SupervisionRecord.group),
                                              selectinload(SupervisionRecord.attendees),
                                              selectinload(SupervisionRecord.projects))
    kind = request.args.get("kind")
    if kind:
        if kind not in RecordKind.__members__:
            raise _invalid("kind", _("Unknown value."))
        query = query.where(SupervisionRecord.kind == RecordKind(kind))
    if _year_arg():
        query = query.where(SupervisionRecord.day.between(date(_year_arg(), 1, 1), date(_year_arg(), 12, 31)))
    if request.args.get("group_id", type=int):
        query = query.where(SupervisionRecord.group_id == request.args.get("group_id", type=int))
    if request.args.get("project_id", type=int):
        query = query.where(SupervisionRecord.projects.any(Project.id == request.args.get("project_id", type=int)))
    return paginated(query.order_by(SupervisionRecord.day.desc(), SupervisionRecord.id.desc()),
                     RecordSchema(many=True))


@api_route("/t/<town>/supervision-records", method="POST", summary="Record a briefing, inspection, half-year "
           "report or annual review, with attendee_ids and project_ids (a group's projects of the year when none "
           "are named; for an annual review every project of `year`) (staff)", tag=TAG,
           request_schema=RecordInputSchema, response_schema=RecordDetailSchema, status=201)
def create_supervision_record_api(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(RecordInputSchema())
    kind = data.pop("kind")
    try:
        if kind == RecordKind.annual_review:
            record = create_annual_review(actor=current_user, data=data)
        else:
            check_deputies(data["attendee_ids"], "attendee_ids")
            if data["project_ids"] and len(set(db.session.scalars(select(Project.id).where(
                    Project.id.in_(data["project_ids"]))))) != len(set(data["project_ids"])):
                raise ProjectError(_("Choose projects of this town."), "project_ids")
            if data.get("group_id") is not None and db.session.get(SupervisionGroup, data["group_id"]) is None:
                raise ProjectError(_("Choose the supervision group."), "group_id")
            record = create_record(actor=current_user, kind=kind, data=data)
    except ProjectError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    return _created(RecordDetailSchema().dump(record),
                    url_for("api.supervision_record_api", town=town, record_id=record.id))


@api_route("/t/<town>/supervision-records/<int:record_id>", summary="One record with its attendees, projects, "
           "files and (an inspection's) findings", tag=TAG, response_schema=RecordDetailSchema)
def supervision_record_api(town: str, record_id: int):
    enter_api_town(town)
    return jsonify(RecordDetailSchema().dump(get_or_404(SupervisionRecord, record_id)))


def _upload_file(**owner):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise _invalid("file", _("Send the file as multipart/form-data in the field `file`."))
    try:
        stored = add_file(**owner, filename=upload.filename, content=upload.read(), actor=current_user)
    except ProjectError as err:
        raise field_error(err) from err
    db.session.commit()
    return _created(SupervisionFileSchema().dump(stored))


@api_route("/t/<town>/supervision-records/<int:record_id>/files", method="POST", summary="Add a photo or document "
           "to a record (multipart/form-data, field `file`; staff)", tag=TAG, response_schema=SupervisionFileSchema,
           status=201)
def add_record_file_api(town: str, record_id: int):
    enter_api_town(town, *STAFF)
    return _upload_file(record=get_or_404(SupervisionRecord, record_id))


# --- findings: the rectification ledger ---------------------------------------------------------

@api_route("/t/<town>/findings", summary="The rectification ledger (filters: state, project_id, record_id, "
           "unit_id, overdue=1)", tag=TAG, response_schema=FindingSchema, paginated=True)
def findings_api(town: str):
    enter_api_town(town)
    query = select(Finding).options(selectinload(Finding.project), selectinload(Finding.unit))
    state = request.args.get("state")
    if state:
        if state not in FindingState.__members__:
            raise _invalid("state", _("Unknown state."))
        query = query.where(Finding.state == FindingState(state))
    for key, column in (("project_id", Finding.project_id), ("record_id", Finding.record_id),
                        ("unit_id", Finding.unit_id)):
        if request.args.get(key, type=int):
            query = query.where(column == request.args.get(key, type=int))
    if request.args.get("overdue") in ("1", "true"):
        query = query.where(Finding.state.in_([FindingState.found, FindingState.assigned]),
                            Finding.due_on < date.today())
    return paginated(query.order_by(Finding.id.desc()), FindingSchema(many=True))


@api_route("/t/<town>/findings/<int:finding_id>", summary="One finding with its steps and evidence files", tag=TAG,
           response_schema=FindingDetailSchema)
def finding_api(town: str, finding_id: int):
    enter_api_town(town)
    return jsonify(FindingDetailSchema().dump(get_or_404(Finding, finding_id)))


@api_route("/t/<town>/supervision-records/<int:record_id>/findings", method="POST", summary="Add a finding to an "
           "inspection, assigned at once when unit_id and due_on are given (staff)", tag=TAG,
           request_schema=FindingInputSchema, response_schema=FindingDetailSchema, status=201)
def add_finding_api(town: str, record_id: int):
    enter_api_town(town, *STAFF)
    record = get_or_404(SupervisionRecord, record_id)
    data = load_body(FindingInputSchema())
    if data["project_id"] is not None and db.session.get(Project, data["project_id"]) is None:
        raise _invalid("project_id", _("Choose a project of this town."))
    try:
        finding = add_finding(record, actor=current_user, **data)
    except ProjectError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    return _created(FindingDetailSchema().dump(finding), url_for("api.finding_api", town=town, finding_id=finding.id))


@api_route("/t/<town>/findings/<int:finding_id>/steps", method="POST", summary="One step of the ledger: assign "
           "(unit_id, due_on), rectify (evidence), verify (needs an evidence file), reject (note). Send "
           "Idempotency-Key to make a retry safe (staff)", tag=TAG, request_schema=FindingStepSchema,
           response_schema=FindingDetailSchema)
def finding_step_api(town: str, finding_id: int):
    enter_api_town(town, *STAFF)
    finding = get_or_404(Finding, finding_id)
    body = load_body(FindingStepSchema())
    key = (request.headers.get("Idempotency-Key") or "").strip()[:64] or None
    try:
        applied = finding_step(finding, body.pop("action"), actor=current_user, data=body, nonce=key)
    except ProjectError as err:
        db.session.rollback()
        if err.field == "action":
            raise ApiError(409, "invalid_transition", str(err.message)) from err
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(FindingDetailSchema().dump(db.session.get(Finding, finding_id)))
    response.headers["Idempotent-Replayed"] = "false" if applied else "true"
    return response


@api_route("/t/<town>/findings/<int:finding_id>/files", method="POST", summary="Add evidence of the rectification "
           "to a finding (multipart/form-data, field `file`; staff)", tag=TAG, response_schema=SupervisionFileSchema,
           status=201)
def add_finding_file_api(town: str, finding_id: int):
    enter_api_town(town, *STAFF)
    return _upload_file(finding=get_or_404(Finding, finding_id))


# --- the annual review's vote ---------------------------------------------------------------------

def _review(review_id: int) -> SupervisionRecord:
    record = annual_review(review_id)
    if record is None:
        raise ApiError(404, "not_found", _("Not found."))
    return record


def _reviewed(review_id: int, project_id: int):
    record = _review(review_id)
    project = under_review(record, project_id)
    if project is None:
        raise ApiError(404, "not_found", _("Not found."))
    return record, project


def _vote(record, project) -> dict:
    from flask import g

    return ProjectVoteSchema().dump(next(v for v in summary(record, g.town).votes if v.project.id == project.id))


@api_route("/t/<town>/annual-reviews/<int:review_id>", summary="An annual review (a record of kind annual_review): "
           "every project's vote and result, how many passed and with 100%, next year's candidates", tag=TAG,
           response_schema=AnnualReviewSchema)
def annual_review_api(town: str, review_id: int):
    from flask import g

    enter_api_town(town)
    return jsonify(AnnualReviewSchema().dump(summary(_review(review_id), g.town)))


@api_route("/t/<town>/annual-reviews/<int:review_id>/projects/<int:project_id>", summary="One project's vote: "
           "people present, paper tallies, ballots issued and cast, the result", tag=TAG,
           response_schema=ProjectVoteSchema)
def project_vote_api(town: str, review_id: int, project_id: int):
    enter_api_town(town)
    return jsonify(_vote(*_reviewed(review_id, project_id)))


@api_route("/t/<town>/annual-reviews/<int:review_id>/projects/<int:project_id>", method="PUT", summary="Enter a "
           "project's paper tallies and the people present per voter group; refused (422) when a group counts "
           "more votes than people present (staff)", tag=TAG, request_schema=TallyInputSchema,
           response_schema=ProjectVoteSchema)
def set_tally_api(town: str, review_id: int, project_id: int):
    from flask import g

    enter_api_town(town, *STAFF)
    record, project = _reviewed(review_id, project_id)
    data = load_body(TallyInputSchema())
    try:
        set_review(record, project, actor=current_user, present=data["present"], tallies=data["tallies"],
                   threshold=five_ones(g.town)["pass_threshold"])
    except ProjectError as err:
        db.session.rollback()
        if err.field == "form":  # the vote is closed
            raise ApiError(409, "closed", str(err.message)) from err
        raise field_error(err) from err
    db.session.commit()
    return jsonify(_vote(record, project))


@api_route("/t/<town>/annual-reviews/<int:review_id>/projects/<int:project_id>/ballots", method="POST",
           summary="Issue ballot codes for voting by phone (voter, count): each answer carries the codes and the "
           "public addresses their QR codes open; the vote is cast there, once per code (staff)", tag=TAG,
           request_schema=BallotIssueSchema, response_schema=IssuedBallotsSchema, status=201)
def issue_ballots_api(town: str, review_id: int, project_id: int):
    enter_api_town(town, *STAFF)
    record, project = _reviewed(review_id, project_id)
    data = load_body(BallotIssueSchema())
    try:
        made = issue(record, project, actor=current_user, voter=data["voter"], count=data["count"])
    except ProjectError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    return _created(IssuedBallotsSchema().dump({
        "voter": data["voter"].value, "count": len(made),
        "ballots": [{"token": b.token, "voter": b.voter.value, "url": ballot_url(b)} for b in made]}))


@api_route("/t/<town>/annual-reviews/<int:review_id>/projects/<int:project_id>/close", method="POST",
           summary="Close a project's vote: no more tallies, ballots or votes by code (staff)", tag=TAG,
           response_schema=ProjectVoteSchema)
def close_vote_api(town: str, review_id: int, project_id: int):
    enter_api_town(town, *STAFF)
    record, project = _reviewed(review_id, project_id)
    try:
        close_vote(record, project, actor=current_user)
    except ProjectError as err:
        db.session.rollback()
        raise ApiError(409, "nothing_to_close", str(err.message)) from err
    db.session.commit()
    return jsonify(_vote(record, project))


# --- next year's candidates -----------------------------------------------------------------------

@api_route("/t/<town>/annual-reviews/<int:review_id>/candidates", summary="Next year's candidate projects put to "
           "the review, with support, objections and comments", tag=TAG, response_schema=CandidateSchema, many=True)
def candidates_api(town: str, review_id: int):
    enter_api_town(town)
    record = _review(review_id)
    rows = db.session.scalars(select(Candidate).where(Candidate.record_id == record.id).order_by(Candidate.id)).all()
    return jsonify(CandidateSchema(many=True).dump(rows))


@api_route("/t/<town>/annual-reviews/<int:review_id>/candidates", method="POST", summary="Put a candidate project "
           "to the review (support + object at most the people present; the same name again unchanged is the "
           "same candidate; staff)", tag=TAG, request_schema=CandidateInputSchema, response_schema=CandidateSchema,
           status=201)
def add_candidate_api(town: str, review_id: int):
    enter_api_town(town, *STAFF)
    record = _review(review_id)
    try:
        candidate, added = add_candidate(record, actor=current_user, data=load_body(CandidateInputSchema()))
    except ProjectError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(CandidateSchema().dump(candidate))
    response.status_code = 201 if added else 200
    return response


@api_route("/t/<town>/annual-reviews/<int:review_id>/candidates/<int:candidate_id>", method="PATCH",
           summary="Change a candidate's counts, comments, name or description (only the fields sent; staff)",
           tag=TAG, request_schema=CandidateInputSchema, response_schema=CandidateSchema)
def update_candidate_api(town: str, review_id: int, candidate_id: int):
    enter_api_town(town, *STAFF)
    record = _review(review_id)
    candidate = get_or_404(Candidate, candidate_id)
    if candidate.record_id != record.id:
        raise ApiError(404, "not_found", _("Not found."))
    body = request.get_json(silent=True)
    data = load_body(CandidateInputSchema(), partial=True)
    try:
        update_candidate(candidate, actor=current_user, data={k: v for k, v in data.items() if k in (body or {})})
    except ProjectError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    return jsonify(CandidateSchema().dump(candidate))
