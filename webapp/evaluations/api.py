"""Evaluation templates, years, scores, objections and results in the JSON API.

Everyone with a role in the town (and committee readers) reads; a deputy reads only their own
sheet and objections. Staff open and compute years, enter scores and resolve objections; the
presidium or the station admin closes a year. Scores are entered all or nothing."""

from __future__ import annotations


from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import ALL_TOWN_ROLES, STAFF
from ..accounts.models import TownRole
from ..api.core import ApiError, api_route, field_error, get_or_404, load_body
from ..api.views import enter_api_town
from ..deputies.models import Deputy
from ..extensions import db
from .models import EvaluationResult, EvaluationTemplate, EvaluationYear, Objection, YearState
from .schemas import (JobSchema, ObjectionInputSchema, ObjectionSchema, ResolveInputSchema, ResultSchema,
                      ScoreRowSchema, ScoresInputSchema, SheetSchema, TemplateInputSchema, TemplateSchema,
                      YearDetailSchema, YearInputSchema, YearSchema)
from .services import (TIE_RULE, EvaluationError, close_year, compute, enter_score, object_to, open_year, resolve,
                       sheets, validate_template)

TAG = "evaluations"
READERS = (TownRole.station_admin, TownRole.staff, TownRole.presidium)
CLOSERS = (TownRole.presidium, TownRole.station_admin)


def _reads_all() -> bool:
    return g.access.has(*READERS) or g.access.committee is not None


def _my_deputy() -> Deputy | None:
    return db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def _conflict_or_422(err: EvaluationError) -> ApiError:
    if err.field == "year":
        return ApiError(409, "year_closed", str(err.message))
    if err.field == "objection":
        return ApiError(409, "already_resolved", str(err.message))
    if err.field == "objections":
        return ApiError(409, "open_objections", str(err.message))
    return field_error(err)


def _current_template() -> EvaluationTemplate:
    template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
    if template is None:
        raise _not_found()
    return template


# --- the template --------------------------------------------------------------------------------

@api_route("/t/<town>/evaluation-template", summary="The town's current evaluation template with its indicators",
           tag=TAG, response_schema=TemplateSchema)
def evaluation_template(town: str):
    enter_api_town(town)
    return jsonify(TemplateSchema().dump(_current_template()))


@api_route("/t/<town>/evaluation-template", method="PUT",
           summary="Change the template (station admin): indicators' base, extra, cap, weight by code; grades; "
                   "outstanding_count; max_total. Checked as a whole: nothing is saved when it does not add up",
           tag=TAG, request_schema=TemplateInputSchema, response_schema=TemplateSchema)
def update_evaluation_template(town: str):
    enter_api_town(town, TownRole.station_admin)
    template = _current_template()
    data = load_body(TemplateInputSchema())
    by_code = {i.code: i for i in template.indicators}
    unknown = [row["code"] for row in data.get("indicators", []) if row["code"] not in by_code]
    if unknown:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"indicators": [_("No indicator has the code %(code)s.", code=code) for code in unknown]})
    names = {"base": "base_points", "extra": "points_per_extra", "cap": "cap", "weight": "weight"}
    for row in data.get("indicators", []):
        for key, attribute in names.items():
            if key in row:
                setattr(by_code[row["code"]], attribute, row[key])
    if "grades" in data:
        template.grades = [{"grade": g_["grade"], "min": float(g_["min"]) if g_["min"] % 1 else int(g_["min"])}
                           for g_ in data["grades"]]
    for key in ("outstanding_count", "max_total"):
        if key in data:
            setattr(template, key, data[key])
    try:
        validate_template(template)
    except EvaluationError as err:
        db.session.rollback()
        raise field_error(err) from err
    from ..audit.services import record_town

    record_town("evaluation.template", actor=current_user, target=f"{template.name} #{template.id}")
    db.session.commit()
    return jsonify(TemplateSchema().dump(template))


# --- years ---------------------------------------------------------------------------------------

@api_route("/t/<town>/evaluation-years", summary="The town's evaluation years", tag=TAG, response_schema=YearSchema,
           many=True)
def evaluation_years(town: str):
    enter_api_town(town)
    rows = db.session.scalars(select(EvaluationYear).order_by(EvaluationYear.year.desc())).all()
    return jsonify(YearSchema(many=True).dump(rows))


def _ranked(year: EvaluationYear) -> list:
    """The year's sheets; a closed year's totals, ranks, grades and shortlist as frozen."""
    result = sheets(year)
    if year.state == YearState.closed:
        frozen = {r.deputy_id: r for r in db.session.scalars(
            select(EvaluationResult).where(EvaluationResult.year_id == year.id))}
        for sheet in result:
            row = frozen.get(sheet.deputy_id)
            if row is not None:
                sheet.total, sheet.rank, sheet.grade = row.total, row.rank, row.grade
                sheet.outstanding, sheet.renominate = row.outstanding, row.renominate
        result.sort(key=lambda s: (s.rank, s.pinyin, s.deputy_id))
    return result


def _detail(year: EvaluationYear) -> dict:
    ranked = _ranked(year)
    objections = select(Objection).where(Objection.year_id == year.id).order_by(Objection.id)
    if not _reads_all():
        mine = _my_deputy()
        mine_id = mine.id if mine else -1
        ranked = [s for s in ranked if s.deputy_id == mine_id]
        objections = objections.where(Objection.deputy_id == mine_id)
    return {**YearSchema().dump(year), "snapshot": year.snapshot, "tie_rule": str(TIE_RULE),
            "results": ResultSchema(many=True).dump(ranked),
            "objections": ObjectionSchema(many=True).dump(db.session.scalars(objections).all())}


@api_route("/t/<town>/evaluation-years", method="POST",
           summary="Open a year's evaluation with the current template (staff) and compute it", tag=TAG,
           request_schema=YearInputSchema, response_schema=YearDetailSchema, status=201)
def open_evaluation_year(town: str):
    enter_api_town(town, *STAFF)
    data = load_body(YearInputSchema())
    try:
        year = open_year(actor=current_user, year=data["year"], objections_until=data["objections_until"])
        compute(year)
    except EvaluationError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(_detail(year))
    response.status_code = 201
    return response


@api_route("/t/<town>/evaluation-years/<int:year_id>",
           summary="One year: state, the frozen template, the ranked results (total, grade, rank, outstanding, "
                   "re-nomination), objections (a deputy sees their own only)",
           tag=TAG, response_schema=YearDetailSchema)
def evaluation_year(town: str, year_id: int):
    enter_api_town(town)
    return jsonify(_detail(get_or_404(EvaluationYear, year_id)))


@api_route("/t/<town>/evaluation-years/<int:year_id>/deputies/<int:deputy_id>",
           summary="One deputy's sheet, explained point by point (a deputy reads only their own)", tag=TAG,
           response_schema=SheetSchema)
def evaluation_sheet(town: str, year_id: int, deputy_id: int):
    enter_api_town(town)
    year = get_or_404(EvaluationYear, year_id)
    if not _reads_all():
        mine = _my_deputy()
        if mine is None or mine.id != deputy_id:
            raise _not_found()
    sheet = next((s for s in _ranked(year) if s.deputy_id == deputy_id), None)
    if sheet is None:
        raise _not_found()
    return jsonify(SheetSchema().dump(sheet))


@api_route("/t/<town>/evaluation-years/<int:year_id>/scores", method="PUT",
           summary="Enter the presidium's or voters' scores (staff): a list of {deputy_id, indicator, points}, all "
                   "or nothing (any bad row: 422 listing each, nothing saved)",
           tag=TAG, request_schema=ScoresInputSchema, response_schema=ResultSchema, many=True)
def enter_evaluation_scores(town: str, year_id: int):
    enter_api_town(town, *STAFF)
    year = get_or_404(EvaluationYear, year_id)
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("scores"), list):
        body = body["scores"]
    if not isinstance(body, list) or not body:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"scores": [_("Send a list of {deputy_id, indicator, points}.")]})
    if year.state != YearState.open:
        raise ApiError(409, "year_closed", _("The evaluation of %(year)d is closed: nothing in it changes any more.",
                                              year=year.year))
    errors: dict[str, list[str]] = {}
    rows = []
    for n, raw in enumerate(body):
        problems = ScoreRowSchema().validate(raw) if isinstance(raw, dict) else {"row": [_("Send an object.")]}
        if problems:
            for key, messages in problems.items():
                errors[f"scores.{n}.{key}"] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            continue
        rows.append((n, raw))
    known = set(db.session.scalars(select(Deputy.id).where(Deputy.id.in_([r["deputy_id"] for _n, r in rows]))))
    for n, row in rows:
        if row["deputy_id"] not in known:
            errors[f"scores.{n}.deputy_id"] = [_("No such deputy in this town.")]
            continue
        try:
            with db.session.begin_nested():
                enter_score(year, row["deputy_id"], row["indicator"], row["points"], actor=current_user)
        except EvaluationError as err:
            errors[f"scores.{n}.{err.field}"] = [str(err.message)]
    if errors:
        db.session.rollback()
        raise ApiError(422, "validation_failed", _("Some rows are not valid: nothing was saved."), errors)
    db.session.commit()
    entered = {r["deputy_id"] for _n, r in rows}
    return jsonify(ResultSchema(many=True).dump([s for s in sheets(year) if s.deputy_id in entered]))


@api_route("/t/<town>/evaluation-years/<int:year_id>/compute", method="POST",
           summary="Recompute an open year from the records (staff): enqueues a job; 202 with its id", tag=TAG,
           response_schema=JobSchema, status=202)
def compute_evaluation_year(town: str, year_id: int):
    enter_api_town(town, *STAFF)
    year = get_or_404(EvaluationYear, year_id)
    if year.state != YearState.open:
        raise ApiError(409, "year_closed", _("The evaluation of %(year)d is closed: nothing in it changes any more.",
                                              year=year.year))
    from jobs import enqueue_after_commit
    from jobs.evaluations import recompute_year

    job_id = f"evaluation-{g.access.town.id}-{year.id}"
    enqueue_after_commit(recompute_year, g.access.town.id, year.id, queue="rollups", job_id=job_id,
                         result_ttl=86400)
    db.session.commit()
    response = jsonify(JobSchema().dump({"job_id": job_id, "year_id": year.id}))
    response.status_code = 202
    return response


@api_route("/t/<town>/evaluation-years/<int:year_id>/close", method="POST",
           summary="Close the year (presidium or station admin): freezes ranking, grades, shortlist; 409 "
                   "open_objections while objections are open", tag=TAG, response_schema=YearDetailSchema)
def close_evaluation_year(town: str, year_id: int):
    enter_api_town(town, *CLOSERS)
    year = get_or_404(EvaluationYear, year_id)
    try:
        close_year(year, actor=current_user)
    except EvaluationError as err:
        db.session.rollback()
        raise _conflict_or_422(err) from err
    db.session.commit()
    return jsonify(_detail(year))


# --- objections ----------------------------------------------------------------------------------

@api_route("/t/<town>/evaluation-years/<int:year_id>/objections", method="POST",
           summary="Object to an item of your own provisional score (a deputy, for themselves)", tag=TAG,
           request_schema=ObjectionInputSchema, response_schema=ObjectionSchema, status=201)
def create_evaluation_objection(town: str, year_id: int):
    enter_api_town(town, *ALL_TOWN_ROLES)
    mine = _my_deputy()
    if mine is None:
        raise ApiError(403, "forbidden", _("Only a deputy objects, and only to their own score."))
    year = get_or_404(EvaluationYear, year_id)
    data = load_body(ObjectionInputSchema())
    try:
        objection = object_to(year, mine.id, data["indicator"], data["reason"], actor=current_user)
    except EvaluationError as err:
        db.session.rollback()
        raise _conflict_or_422(err) from err
    db.session.commit()
    response = jsonify(ObjectionSchema().dump(objection))
    response.status_code = 201
    return response


@api_route("/t/<town>/evaluation-objections/<int:objection_id>/resolve", method="POST",
           summary="Resolve an objection (staff): accept with points_after, or reject; a note either way", tag=TAG,
           request_schema=ResolveInputSchema, response_schema=ObjectionSchema)
def resolve_evaluation_objection(town: str, objection_id: int):
    enter_api_town(town, *STAFF)
    objection = get_or_404(Objection, objection_id)
    data = load_body(ResolveInputSchema())
    try:
        resolve(objection, actor=current_user, accept=data["accept"], note=data["note"],
                points_after=data["points_after"])
    except EvaluationError as err:
        db.session.rollback()
        raise _conflict_or_422(err) from err
    db.session.commit()
    return jsonify(ObjectionSchema().dump(objection))
