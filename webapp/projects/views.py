"""Project pages: the town's project board, a project's page and timeline, groups and their
members, the supervision records (briefings, inspections, half-year reports) and the
rectification ledger.

Who does what: every town role and committee readers read everything here; staff write.
A deputy who leads a group records its briefings and inspections and verifies (or sends
back) the rectifications of its findings."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from decimal import Decimal
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.models import TownRole
from ..accounts.schemas import clean_form, first_errors
from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from ..opinions.models import ResponsibleUnit
from ..opinions.services import BEIJING
from . import bp
from .models import (Finding, FindingEvent, FindingState, Milestone, Phase, Project, ProjectKind, RecordKind,
                     SupervisionFile, SupervisionGroup, SupervisionRecord, record_projects)
from .services import (FINDING_ACTIONS, ProjectError, record_kind_labels, year_figures, add_file, add_finding, carry_over, create_group, create_project,
                       create_record, finding_action_labels, finding_state_labels, finding_step, lineage,
                       missed_checkpoints, project_status, set_members, update_project)

town_blueprint(bp)

PER_PAGE = 50
#: the records staff enter with their own form (the annual review has pages of its own)
FORM_KINDS = (RecordKind.briefing, RecordKind.inspection, RecordKind.half_year_report)
#: the steps of the ledger a group leader takes: checking the unit's rectification
LEADER_ACTIONS = ("verify", "reject")
#: blank rows of findings on the inspection form
FINDING_ROWS = 3
RAG = ("red", "amber", "green")
RAG_COLOURS = {"red": "#b3261e", "amber": "#e0a100", "green": "#2e7d32"}


# --- labels ------------------------------------------------------------------------------------

def kind_labels() -> dict:
    return {"key": _l("Key project"), "livelihood": _l("Livelihood project")}


def phase_labels() -> dict:
    return {"initiation": _l("Initiation"), "feasibility": _l("Feasibility"), "started": _l("Started"),
            "construction": _l("Construction"), "delivered": _l("Delivered"), "review": _l("Look-back")}


def rag_labels() -> dict:
    return {"red": _l("Red"), "amber": _l("Amber"), "green": _l("Green")}


def period_label(missed) -> str:
    """Which period of its cadence a missed checkpoint is: month 3, quarter 2, ..."""
    n = missed.period + 1
    return {"monthly": _("month %(n)d", n=n), "quarterly": _("quarter %(n)d", n=n),
            "half_yearly": _("half-year %(n)d", n=n)}.get(missed.cadence, _("the year"))


def _labels() -> dict:
    return {"kind_labels": kind_labels(), "phase_labels": phase_labels(), "record_labels": record_kind_labels(),
            "rag_labels": rag_labels(), "finding_labels": finding_state_labels(),
            "action_labels": finding_action_labels()}


@bp.context_processor
def _area() -> dict:
    """The annual review's pages come from review_views: linked to when they are there."""
    from flask import current_app

    return {"has_reviews": "projects.review_index" in current_app.view_functions}


# --- input ---------------------------------------------------------------------------------------

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}
_WHOLE = {"invalid": _l("Enter a whole number.")}
_DATE = {"invalid": _l("Enter a date such as 2026-11-30.")}
_OPTIONAL_ID = {"load_default": None, "allow_none": True, "error_messages": _WHOLE}


def _text(max_: int, **kw):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=max_, error=_l("At most %(max)d characters.", max=max_)), **kw)


class ProjectInputSchema(Schema):
    year = fields.Integer(required=True, error_messages={**_REQUIRED, **_WHOLE}, validate=validate.Range(
        2000, 2100, error=_l("Enter a year such as 2026.")))
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=120, error=_l("Enter the project's name (at most 120 characters).")))
    kind = fields.Enum(ProjectKind, by_value=True, load_default=ProjectKind.key,
                       error_messages={"unknown": _l("Choose a key project or a livelihood project.")})
    category = _text(40)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    group_id = fields.Integer(**_OPTIONAL_ID)
    budget = fields.Decimal(load_default=None, allow_none=True, places=2, error_messages={
        "invalid": _l("Enter the budget in 10,000 yuan, such as 120.5.")}, validate=validate.Range(
        Decimal(0), Decimal("999999999"), error=_l("Enter the budget in 10,000 yuan, such as 120.5.")))
    location = _text(200)
    description = _text(5000)
    phase = fields.Enum(Phase, by_value=True, load_default=Phase.initiation,
                        error_messages={"unknown": _l("Choose the phase.")})
    progress = fields.Integer(load_default=0, error_messages=_WHOLE, validate=validate.Range(
        0, 100, error=_l("Progress is a percentage from 0 to 100.")))


class MilestoneInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=120, error=_l("Name the milestone (at most 120 characters).")))
    phase = fields.Enum(Phase, by_value=True, load_default=None, allow_none=True,
                        error_messages={"unknown": _l("Choose the phase.")})
    planned_on = fields.Date(required=True, error_messages={**_REQUIRED, **_DATE})


class GroupInputSchema(Schema):
    name = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=64, error=_l("Name the group (at most 64 characters).")))
    name_en = _text(96)
    description = _text(500)
    code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$", error=_l("A code is 2 to 40 lower-case letters, digits or underscores.")))


class RecordInputSchema(Schema):
    group_id = fields.Integer(**_OPTIONAL_ID)
    day = fields.Date(required=True, error_messages={**_REQUIRED, **_DATE})
    place = _text(200)
    summary = _text(10000)
    issues_reported = _text(10000)
    suggestions = _text(10000)
    sent_to_presidium_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    other_attendees = _text(500)
    attendee_ids = fields.List(fields.Integer(error_messages=_WHOLE), load_default=list)
    project_ids = fields.List(fields.Integer(error_messages=_WHOLE), load_default=list)


class FindingInputSchema(Schema):
    description = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=1000, error=_l("Describe what was found (at most 1,000 characters).")))
    project_id = fields.Integer(**_OPTIONAL_ID)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    due_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)


class StepInputSchema(Schema):
    note = _text(2000)
    unit_id = fields.Integer(**_OPTIONAL_ID)
    due_on = fields.Date(load_default=None, allow_none=True, error_messages=_DATE)
    evidence = _text(5000)
    by = _text(64)


# --- who ------------------------------------------------------------------------------------------

def is_staff() -> bool:
    return g.access.has(*STAFF) and not g.access.read_only


def my_deputy() -> Deputy | None:
    return db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))


def led_groups() -> list[SupervisionGroup]:
    """The groups the signed-in deputy leads (none for anyone else)."""
    if not g.access.has(TownRole.deputy) or g.access.read_only:
        return []
    mine = my_deputy()
    if mine is None:
        return []
    return list(db.session.scalars(select(SupervisionGroup).where(SupervisionGroup.leader_deputy_id == mine.id,
                                                                  SupervisionGroup.active)
                                   .order_by(SupervisionGroup.position)))


def leads(group_id: int | None) -> bool:
    return group_id is not None and group_id in {gr.id for gr in led_groups()}


# --- choices -------------------------------------------------------------------------------------

def _groups(active_only: bool = True) -> list[SupervisionGroup]:
    query = select(SupervisionGroup).order_by(SupervisionGroup.position, SupervisionGroup.id)
    if active_only:
        query = query.where(SupervisionGroup.active)
    return list(db.session.scalars(query))


def _units() -> list[ResponsibleUnit]:
    return list(db.session.scalars(select(ResponsibleUnit).where(ResponsibleUnit.active)
                                   .order_by(ResponsibleUnit.kind, ResponsibleUnit.name)))


def _deputies() -> list[Deputy]:
    return list(db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                   .order_by(Deputy.level, Deputy.name_pinyin)))


def _year() -> int:
    year = request.args.get("year", type=int) or date.today().year
    return min(max(year, 2000), 2100)


def _years(year: int) -> list[int]:
    years = set(db.session.scalars(select(Project.year).distinct())) | {date.today().year, year}
    return sorted(years, reverse=True)


def _error(err: ProjectError, default: str = "form") -> dict[str, str]:
    return {err.field or default: str(err.message)}


# --- the board -----------------------------------------------------------------------------------

@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    """The year's projects by group (or by phase), each red/amber/green, the chart by phase,
    and the checkpoints groups missed."""
    today = date.today()
    year = _year()
    by = "phase" if request.args.get("by") == "phase" else "group"
    projects = db.session.scalars(select(Project).where(Project.year == year)
                                  .options(selectinload(Project.unit), selectinload(Project.group),
                                           selectinload(Project.continues))
                                  .order_by(Project.kind, Project.name)).all()
    missed = missed_checkpoints(g.town, year, today)
    missed_groups = {m.group_id for m in missed}
    status = {p.id: project_status(p, today, missed_groups) for p in projects}
    open_findings = dict(db.session.execute(
        select(Finding.project_id, func.count()).where(Finding.project_id.in_([p.id for p in projects]),
                                                       Finding.state != FindingState.verified)
        .group_by(Finding.project_id)).all())
    groups = _groups(active_only=False)
    if by == "phase":
        sections = [(phase_labels()[ph.value], [p for p in projects if p.phase == ph], f"phase-{ph.value}")
                    for ph in Phase]
    else:
        from ..i18n import localized

        sections = [(localized(gr), [p for p in projects if p.group_id == gr.id], f"group-{gr.code}")
                    for gr in groups]
        sections.append((_("No supervision group"), [p for p in projects if p.group_id is None], "group-none"))
    sections = [s for s in sections if s[1]]
    chart = {ph.value: {rag: sum(1 for p in projects if p.phase == ph and status[p.id] == rag) for rag in RAG}
             for ph in Phase}
    by_group: dict[int, list] = {}
    for m in missed:
        by_group.setdefault(m.group_id, []).append(m)
    missed_rows = [(gr, by_group[gr.id]) for gr in groups if gr.id in by_group]
    return render_template("projects/board.html", year=year, years=_years(year), by=by, projects=projects,
                           sections=sections, status=status, open_findings=open_findings, chart=chart,
                           peak=max((sum(c.values()) for c in chart.values()), default=0), missed_rows=missed_rows,
                           figures=year_figures(year, today), period_label=period_label, today=today,
                           rag_colours=RAG_COLOURS, rags=RAG, phases=list(Phase), staff=is_staff(), **_labels())


# --- projects ------------------------------------------------------------------------------------

def _project_form(project: Project) -> dict:
    """The project's values as the form shows them (blank, never "None", when not set)."""
    values = {"year": project.year, "name": project.name, "kind": project.kind.value, "category": project.category,
              "unit_id": project.unit_id, "group_id": project.group_id, "budget": project.budget,
              "location": project.location, "description": project.description, "phase": project.phase.value,
              "progress": project.progress}
    return {k: v for k, v in values.items() if v is not None}


@bp.route("/new", methods=["GET", "POST"])
@requires(*STAFF)
def new():
    errors: dict[str, str] = {}
    form: dict = {"year": _year(), "kind": request.args.get("kind") or "key", "phase": "initiation", "progress": 0,
                  "group_id": request.args.get("group_id", type=int)}
    if request.method == "POST":
        form = clean_form({k: v for k, v in request.form.items() if k != "action"})
        try:
            project = create_project(actor=current_user, data=ProjectInputSchema().load(form))
        except ValidationError as err:
            errors = first_errors(err)
        except ProjectError as err:
            errors = _error(err)
        else:
            db.session.commit()
            flash(_("The project %(name)s has been added.", name=project.name), "success")
            return redirect(url_for(".show", project_id=project.id))
        db.session.rollback()
    return render_template("projects/project_form.html", project=None, form=form, errors=errors, groups=_groups(),
                           units=_units(), kinds=list(ProjectKind), phases=list(Phase),
                           **_labels()), 400 if errors else 200


@bp.get("/<int:project_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(project_id: int, errors: dict | None = None, status: int = 200):
    """The project: details, milestones, the years it continues, and a timeline of every
    briefing, inspection, report and review that concerned it, with its findings."""
    project = db.get_or_404(Project, project_id)
    today = date.today()
    chain = lineage(project)
    follow = db.session.scalar(select(Project).where(Project.continues_id == project.id))
    ids = [p.id for p in chain]
    records = db.session.scalars(
        select(SupervisionRecord).join(record_projects, record_projects.c.record_id == SupervisionRecord.id)
        .where(record_projects.c.project_id.in_(ids)).distinct()
        .options(selectinload(SupervisionRecord.group))
        .order_by(SupervisionRecord.day.desc(), SupervisionRecord.id.desc())).all()
    findings = db.session.scalars(select(Finding).where(Finding.project_id.in_(ids))
                                  .options(selectinload(Finding.unit), selectinload(Finding.record))
                                  .order_by(Finding.id.desc())).all()
    events = db.session.scalars(select(FindingEvent).where(
        FindingEvent.finding_id.in_([f.id for f in findings]), FindingEvent.action != "find")).all()
    by_id = {f.id: f for f in findings}
    found: dict[int, int] = {}
    for f in findings:
        found[f.record_id] = found.get(f.record_id, 0) + 1
    # newest first: by day, and on one day in the order things were entered
    timeline = [{"day": r.day, "at": r.created_at, "what": "record", "record": r, "found": found.get(r.id, 0)}
                for r in records]
    timeline += [{"day": m.done_on, "at": datetime.combine(m.done_on, time.min, tzinfo=BEIJING), "what": "milestone",
                  "milestone": m} for p in chain for m in p.milestones if m.done_on]
    timeline += [{"day": e.created_at.astimezone(BEIJING).date(), "at": e.created_at, "what": "finding", "event": e,
                  "finding": by_id[e.finding_id]} for e in events]
    timeline.sort(key=lambda t: (t["day"], t["at"] or datetime.min.replace(tzinfo=BEIJING)), reverse=True)
    missed_groups = {m.group_id for m in missed_checkpoints(g.town, project.year, today)}
    return render_template("projects/project.html", project=project, chain=chain, follow=follow,
                           timeline=timeline, findings=findings, today=today,
                           rag=project_status(project, today, missed_groups),
                           open_count=sum(1 for f in findings if f.project_id == project.id
                                          and f.state != FindingState.verified),
                           errors=errors or {}, staff=is_staff(), **_labels()), status


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires(*STAFF)
def edit(project_id: int):
    """The project's details, and its milestones: add one, mark one done."""
    project = db.get_or_404(Project, project_id)
    errors: dict[str, str] = {}
    form = _project_form(project)
    action = request.form.get("action", "save") if request.method == "POST" else None
    if request.method == "POST":
        try:
            if action == "milestone":
                _add_milestone(project)
            elif action == "milestone_done":
                _milestone_done(project)
            else:
                form = clean_form(request.form)
                form["year"] = project.year
                data = ProjectInputSchema().load({k: v for k, v in form.items() if k != "action"})
                data.pop("year")
                if data["name"] != project.name and db.session.scalar(select(Project.id).where(
                        Project.year == project.year, Project.name == data["name"], Project.id != project.id)):
                    raise ProjectError(_("The town already has a project called %(name)s in %(year)d.",
                                         name=data["name"], year=project.year), "name")
                update_project(project, actor=current_user, data=data)
        except ValidationError as err:
            errors = first_errors(err)
        except ProjectError as err:
            errors = _error(err)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if action in ("milestone", "milestone_done"):
                return redirect(url_for(".edit", project_id=project.id) + "#milestones")
            return redirect(url_for(".show", project_id=project.id))
        db.session.rollback()
        project = db.session.get(Project, project_id)
        if action in ("milestone", "milestone_done"):
            errors = {f"milestone_{k}": v for k, v in errors.items()}
    return render_template("projects/project_form.html", project=project, form=form, errors=errors,
                           groups=_groups(), units=_units(), kinds=list(ProjectKind), phases=list(Phase),
                           failed_action=action, today=date.today(), **_labels()), 400 if errors else 200


def _add_milestone(project: Project) -> None:
    data = MilestoneInputSchema().load(clean_form({k: v for k, v in request.form.items() if k != "action"}))
    milestone = Milestone(project=project, **data)
    db.session.add(milestone)
    db.session.flush()
    record_town("project.milestone", actor=current_user, target=f"{project.name} #{project.id}",
                details={"milestone": milestone.name, "planned_on": str(milestone.planned_on)})


def _milestone_done(project: Project) -> None:
    milestone = db.session.get(Milestone, request.form.get("milestone_id", type=int) or 0)
    if milestone is None or milestone.project_id != project.id:
        abort(404)
    try:
        done_on = date.fromisoformat(request.form.get("done_on") or "") if request.form.get("done_on") else None
    except ValueError:
        raise ValidationError({"done_on": [str(_DATE["invalid"])]}) from None
    milestone.done_on = done_on
    record_town("project.milestone_done", actor=current_user, target=f"{project.name} #{project.id}",
                details={"milestone": milestone.name, "done_on": str(done_on) if done_on else None})


@bp.post("/<int:project_id>/carry-over")
@requires(*STAFF)
def carry(project_id: int):
    """Continue the project into the next year (续建): a new row that carries its history."""
    project = db.get_or_404(Project, project_id)
    try:
        follow = carry_over(project, actor=current_user)
    except ProjectError as err:
        db.session.rollback()
        return show(project_id, errors={"carry_over": str(err.message)}, status=400)
    db.session.commit()
    flash(_("%(name)s continues into %(year)d.", name=follow.name, year=follow.year), "success")
    return redirect(url_for(".show", project_id=follow.id))


# --- groups --------------------------------------------------------------------------------------

@bp.route("/groups", methods=["GET", "POST"])
@requires(*ALL_TOWN_ROLES, committee=True)
def groups(errors: dict | None = None, failed: int | None = None, status: int = 200):
    """The supervision groups (一事一小组): leader, members, their projects of the year; the
    station admin adds a group."""
    errors = errors or {}
    form: dict = {}
    if request.method == "POST" and failed is None:
        if not g.access.has(TownRole.station_admin):
            abort(403)
        form = clean_form(request.form)
        try:
            data = GroupInputSchema().load(form)
            if not data.get("code"):
                taken = set(db.session.scalars(select(SupervisionGroup.code)))
                n = len(taken) + 1
                while f"group_{n}" in taken:
                    n += 1
                data["code"] = f"group_{n}"
            data["position"] = (db.session.scalar(select(func.max(SupervisionGroup.position))) or 0) + 1
            group = create_group(actor=current_user, data=data)
        except ValidationError as err:
            errors = first_errors(err)
        except ProjectError as err:
            errors = _error(err)
        else:
            db.session.commit()
            flash(_("The group %(name)s has been added: choose its leader and members.", name=group.name), "success")
            return redirect(url_for(".groups") + f"#group-{group.id}")
        db.session.rollback()
        status = 400
    year = _year()
    rows = _groups(active_only=False)
    projects = db.session.scalars(select(Project).where(Project.year == year).order_by(Project.name)).all()
    held = {(gid, RecordKind(kind).value): n for gid, kind, n in db.session.execute(
        select(SupervisionRecord.group_id, SupervisionRecord.kind, func.count()).where(
            SupervisionRecord.day.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(SupervisionRecord.group_id, SupervisionRecord.kind))}
    missed: dict[int, int] = {}
    for m in missed_checkpoints(g.town, year):
        missed[m.group_id] = missed.get(m.group_id, 0) + 1
    deputies = _deputies()
    return render_template("projects/groups.html", rows=rows, year=year, projects=projects, held=held,
                           missed=missed, deputies=deputies, names={d.id: d for d in deputies},
                           errors=errors, failed=failed, form=form, staff=is_staff(),
                           admin=g.access.has(TownRole.station_admin) and not g.access.read_only,
                           **_labels()), status


@bp.post("/groups/<int:group_id>")
@requires(*STAFF)
def edit_group(group_id: int):
    """The group's leader and members."""
    group = db.get_or_404(SupervisionGroup, group_id)
    try:
        leader_id = request.form.get("leader_id", type=int)
        member_ids = [int(v) for v in request.form.getlist("member_ids") if v.strip().isdigit()]
        set_members(group, actor=current_user, leader_id=leader_id, member_ids=member_ids)
    except ProjectError as err:
        db.session.rollback()
        return groups(errors=_error(err), failed=group_id, status=400)
    db.session.commit()
    flash(_("The members of %(name)s have been saved.", name=group.name), "success")
    return redirect(url_for(".groups") + f"#group-{group.id}")


# --- supervision records ---------------------------------------------------------------------------

@bp.get("/records/")
@requires(*ALL_TOWN_ROLES, committee=True)
def records():
    """The briefings, inspections, reports and reviews of a year, by kind and group."""
    year = _year()
    kind = request.args.get("kind") if request.args.get("kind") in RecordKind.__members__ else None
    group_id = request.args.get("group_id", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    query = select(SupervisionRecord).where(SupervisionRecord.day.between(date(year, 1, 1), date(year, 12, 31)))
    if kind:
        query = query.where(SupervisionRecord.kind == RecordKind(kind))
    if group_id:
        query = query.where(SupervisionRecord.group_id == group_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(SupervisionRecord.group),
                                            selectinload(SupervisionRecord.attendees),
                                            selectinload(SupervisionRecord.projects))
                              .order_by(SupervisionRecord.day.desc(), SupervisionRecord.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    finding_counts = dict(db.session.execute(select(Finding.record_id, func.count()).where(
        Finding.record_id.in_([r.id for r in rows])).group_by(Finding.record_id)).all())
    filters = {k: v for k, v in {"year": year, "kind": kind, "group_id": group_id}.items() if v is not None}
    return render_template("projects/records.html", rows=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), filters=filters, year=year,
                           years=_years(year), groups=_groups(active_only=False), kinds=list(RecordKind),
                           finding_counts=finding_counts, may_record=is_staff() or bool(led_groups()),
                           staff=is_staff(), **_labels())


def _finding_rows(form) -> list[dict]:
    """The findings typed into the inspection form: one row of inputs each, blank rows left out."""
    names = ("description", "project_id", "unit_id", "due_on")
    columns = {n: form.getlist(f"finding_{n}") for n in names}
    count = max((len(c) for c in columns.values()), default=0)
    return [{n: (columns[n][i].strip() if i < len(columns[n]) else "") for n in names} for i in range(count)]


@bp.route("/records/new", methods=["GET", "POST"])
@requires(TownRole.station_admin, TownRole.staff, TownRole.deputy)
def new_record():
    """A briefing, an inspection (with its photos and findings) or a half-year report."""
    kind = RecordKind(request.args.get("kind")) if request.args.get("kind") in {k.value for k in FORM_KINDS} \
        else RecordKind.briefing
    staff = is_staff()
    choices = _groups() if staff else led_groups()
    if not staff and (not choices or kind == RecordKind.half_year_report):
        abort(403)
    today = date.today()
    errors: dict[str, str] = {}
    group_id = request.args.get("group_id", type=int)
    form: dict = {"day": today.isoformat(), "group_id": group_id or (choices[0].id if len(choices) == 1 else None)}
    checked_projects = set()
    checked_deputies = set()
    rows = [{} for _i in range(FINDING_ROWS)]
    if request.method == "POST":
        form = clean_form({k: v for k, v in request.form.items() if not k.startswith("finding_")})
        checked_projects = set(request.form.getlist("project_ids"))
        checked_deputies = set(request.form.getlist("attendee_ids"))
        rows = _finding_rows(request.form) if kind == RecordKind.inspection else []
        try:
            record = _create_record(kind, choices, rows)
        except ValidationError as err:
            errors = first_errors(err)
        except ProjectError as err:
            errors = _error(err)
        else:
            db.session.commit()
            flash(_("Recorded: %(kind)s of %(day)s.", kind=record_kind_labels()[kind.value],
                    day=record.day.isoformat()), "success")
            return redirect(url_for(".record", record_id=record.id))
        db.session.rollback()
        rows += [{} for _i in range(max(FINDING_ROWS - len(rows), 0))] if kind == RecordKind.inspection else []
    else:
        concerned = db.session.get(Project, request.args.get("project_id", type=int) or 0)
        if concerned is not None and concerned.year == today.year:  # from the project's page: it, its group
            if form["group_id"] is None and concerned.group_id in {gr.id for gr in choices}:
                form["group_id"] = concerned.group_id
            checked_projects = {str(concerned.id)}
        elif form["group_id"]:
            checked_projects = {str(pid) for pid in db.session.scalars(select(Project.id).where(
                Project.group_id == form["group_id"], Project.year == today.year))}
    try:
        year = date.fromisoformat(str(form.get("day"))).year
    except ValueError:
        year = today.year
    projects = db.session.scalars(select(Project).where(Project.year == year)
                                  .options(selectinload(Project.group))
                                  .order_by(Project.group_id, Project.name)).all()
    return render_template("projects/record_form.html", kind=kind, form=form, errors=errors, groups=choices,
                           projects=projects, deputies=_deputies(), units=_units(), rows=rows,
                           checked_projects=checked_projects, checked_deputies=checked_deputies,
                           staff=staff, form_kinds=FORM_KINDS, **_labels()), 400 if errors else 200


def _create_record(kind: RecordKind, choices: list[SupervisionGroup], rows: list[dict]) -> SupervisionRecord:
    payload = {k: v for k, v in clean_form(request.form).items()
               if k not in ("attendee_ids", "project_ids") and not k.startswith("finding_")}
    payload["attendee_ids"] = [v for v in request.form.getlist("attendee_ids") if v.strip()]
    payload["project_ids"] = [v for v in request.form.getlist("project_ids") if v.strip()]
    data = RecordInputSchema().load(payload)
    if data.get("group_id") is not None and data["group_id"] not in {gr.id for gr in choices}:
        raise ProjectError(_("Choose the supervision group.") if is_staff() else
                           _("Choose a group you lead."), "group_id")
    if kind != RecordKind.briefing:
        data["sent_to_presidium_on"] = None
    year_projects = set(db.session.scalars(select(Project.id).where(Project.year == data["day"].year)))
    if set(data["project_ids"]) - year_projects:
        raise ProjectError(_("Choose projects of %(year)d.", year=data["day"].year), "project_ids")
    if kind == RecordKind.half_year_report and not data.get("group_id") and not data["project_ids"]:
        data["project_ids"] = sorted(year_projects)  # the units report on all the year's projects
    record = create_record(actor=current_user, kind=kind, data=data)
    for i, row in enumerate(rows):
        if not row.get("description"):
            continue
        try:
            _finding_from(record, row)
        except ValidationError as err:
            raise ProjectError(next(iter(first_errors(err).values())), f"finding_{i}") from None
        except ProjectError as err:
            raise ProjectError(err.message, f"finding_{i}") from None
    if kind == RecordKind.inspection:
        for upload in request.files.getlist("photos"):
            if upload and upload.filename:
                try:
                    add_file(record=record, filename=upload.filename, content=upload.read(), actor=current_user)
                except ProjectError as err:
                    raise ProjectError(err.message, "photos") from None
    return record


def _finding_from(record: SupervisionRecord, row: dict) -> Finding:
    """One finding of an inspection; a blank project is the record's only project, a blank
    unit with a deadline is the project's unit."""
    data = FindingInputSchema().load({k: v for k, v in row.items() if v})
    project = None
    if data["project_id"] is not None:
        project = db.session.get(Project, data["project_id"])
        if project is None:
            raise ProjectError(_("Choose the project."), "project_id")
    elif len(record.projects) == 1:
        project = record.projects[0]
    unit_id = data["unit_id"]
    if unit_id is None and data["due_on"] is not None:
        unit_id = project.unit_id if project is not None else None
        if unit_id is None:
            raise ProjectError(_("Choose the responsible unit."), "unit_id")
    return add_finding(record, actor=current_user, description=data["description"],
                       project_id=project.id if project else None, unit_id=unit_id, due_on=data["due_on"])


@bp.get("/records/<int:record_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def record(record_id: int, errors: dict | None = None, status: int = 200):
    rec = db.get_or_404(SupervisionRecord, record_id)
    findings = db.session.scalars(select(Finding).where(Finding.record_id == rec.id)
                                  .options(selectinload(Finding.unit), selectinload(Finding.project))
                                  .order_by(Finding.id)).all()
    may_add = rec.kind == RecordKind.inspection and (is_staff() or leads(rec.group_id))
    return render_template("projects/record.html", rec=rec, findings=findings, errors=errors or {},
                           may_add=may_add, staff=is_staff(), units=_units(), today=date.today(),
                           **_labels()), status


@bp.post("/records/<int:record_id>/findings")
@requires(TownRole.station_admin, TownRole.staff, TownRole.deputy)
def add_record_finding(record_id: int):
    """One more finding of an inspection."""
    rec = db.get_or_404(SupervisionRecord, record_id)
    if not (is_staff() or leads(rec.group_id)):
        abort(403)
    row = {k: (request.form.get(k) or "").strip() for k in ("description", "project_id", "unit_id", "due_on")}
    try:
        if row["project_id"] and int(row["project_id"]) not in {p.id for p in rec.projects}:
            raise ProjectError(_("Choose the project."), "project_id")
        if not row["description"]:
            raise ProjectError(_("Describe what was found."), "description")
        _finding_from(rec, row)
    except ValidationError as err:
        db.session.rollback()
        return record(record_id, errors=first_errors(err), status=400)
    except (ProjectError, ValueError) as err:
        db.session.rollback()
        message = err.message if isinstance(err, ProjectError) else _("Choose the project.")
        return record(record_id, errors={getattr(err, "field", None) or "form": str(message)}, status=400)
    db.session.commit()
    flash(_("The finding has been added to the rectification ledger."), "success")
    return redirect(url_for(".record", record_id=rec.id) + "#findings")


@bp.post("/records/<int:record_id>/files")
@requires(*STAFF)
def record_files(record_id: int):
    """Photos or documents of a record (the inspection's photos)."""
    rec = db.get_or_404(SupervisionRecord, record_id)
    uploads = [u for u in request.files.getlist("photos") if u and u.filename]
    if not uploads:
        return record(record_id, errors={"photos": _("Choose a file.")}, status=400)
    try:
        for upload in uploads:
            add_file(record=rec, filename=upload.filename, content=upload.read(), actor=current_user)
    except ProjectError as err:
        db.session.rollback()
        return record(record_id, errors={"photos": str(err.message)}, status=400)
    db.session.commit()
    return redirect(url_for(".record", record_id=rec.id))


# --- the rectification ledger --------------------------------------------------------------------

LEDGER_STATES = ("open", "overdue", *[s.value for s in FindingState])


@bp.get("/findings")
@requires(*ALL_TOWN_ROLES, committee=True)
def findings():
    """The rectification ledger (整改台账): every finding of the year, overdue ones in red."""
    today = date.today()
    year = _year()
    args = {"state": request.args.get("state") if request.args.get("state") in LEDGER_STATES else None,
            "group_id": request.args.get("group_id", type=int), "unit_id": request.args.get("unit_id", type=int),
            "project_id": request.args.get("project_id", type=int)}
    page = max(request.args.get("page", 1, type=int), 1)
    query = (select(Finding).join(SupervisionRecord, Finding.record_id == SupervisionRecord.id)
             .where(SupervisionRecord.day.between(date(year, 1, 1), date(year, 12, 31))))
    state = args["state"]
    if state == "open":
        query = query.where(Finding.state != FindingState.verified)
    elif state == "overdue":
        query = query.where(Finding.state.in_([FindingState.found, FindingState.assigned]),
                            Finding.due_on < today)
    elif state:
        query = query.where(Finding.state == FindingState(state))
    if args["group_id"]:
        query = query.where(SupervisionRecord.group_id == args["group_id"])
    if args["unit_id"]:
        query = query.where(Finding.unit_id == args["unit_id"])
    if args["project_id"]:
        query = query.where(Finding.project_id == args["project_id"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(Finding.unit), selectinload(Finding.project),
                                            selectinload(Finding.record).selectinload(SupervisionRecord.group))
                              .order_by(SupervisionRecord.day.desc(), Finding.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    filters = {k: v for k, v in {**args, "year": year}.items() if v is not None}
    return render_template("projects/findings.html", rows=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), filters=filters, year=year,
                           years=_years(year), groups=_groups(active_only=False), units=_units(), today=today,
                           figures=year_figures(year, today), ledger_states=LEDGER_STATES, **_labels())


def _allowed(finding: Finding) -> list[str]:
    if is_staff():
        mine = list(FINDING_ACTIONS)
    elif leads(finding.record.group_id):
        mine = list(LEADER_ACTIONS)
    else:
        return []
    return [a for a in mine if finding.state in FINDING_ACTIONS[a][0]]


@bp.get("/findings/<int:finding_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def finding(finding_id: int, errors: dict | None = None, status: int = 200, action: str | None = None):
    item = db.get_or_404(Finding, finding_id)
    return render_template("projects/finding.html", finding=item, allowed=_allowed(item), errors=errors or {},
                           failed_action=action, nonce=secrets.token_urlsafe(12), units=_units(),
                           today=date.today(), staff=is_staff(), **_labels()), status


@bp.post("/findings/<int:finding_id>/step")
@requires(TownRole.station_admin, TownRole.staff, TownRole.deputy)
def step(finding_id: int):
    """One step of the ledger, posted from the finding's page; a step posted twice applies once."""
    item = db.get_or_404(Finding, finding_id)
    action = request.form.get("action", "")
    if not is_staff() and not (action in LEADER_ACTIONS and leads(item.record.group_id)):
        abort(403)
    try:
        data = StepInputSchema().load(clean_form({k: v for k, v in request.form.items()
                                                  if k not in ("action", "nonce")}))
        applied = finding_step(item, action, actor=current_user, data=data, nonce=request.form.get("nonce"))
    except ValidationError as err:
        db.session.rollback()
        return finding(finding_id, errors=first_errors(err), status=400, action=action)
    except ProjectError as err:
        db.session.rollback()
        return finding(finding_id, errors=_error(err), status=409 if err.field == "action" else 400, action=action)
    db.session.commit()
    if applied:
        flash(_("Done: %(step)s.", step=finding_action_labels()[action]), "success")
    else:
        flash(_("This step had already been recorded; nothing was changed."), "info")
    return redirect(url_for(".finding", finding_id=finding_id))


@bp.post("/findings/<int:finding_id>/files")
@requires(*STAFF)
def finding_files(finding_id: int):
    """Evidence of the rectification: a photo or document."""
    item = db.get_or_404(Finding, finding_id)
    uploads = [u for u in request.files.getlist("file") if u and u.filename]
    if not uploads:
        return finding(finding_id, errors={"upload": _("Choose a file.")}, status=400, action="upload")
    try:
        for upload in uploads:
            add_file(finding=item, filename=upload.filename, content=upload.read(), actor=current_user)
    except ProjectError as err:
        db.session.rollback()
        return finding(finding_id, errors={"upload": str(err.message)}, status=400, action="upload")
    record_town("finding.evidence", actor=current_user, target=f"{item.description[:80]} #{item.id}",
                details={"files": [u.filename for u in uploads]})
    db.session.commit()
    flash(_("The evidence has been added."), "success")
    return redirect(url_for(".finding", finding_id=finding_id))


@bp.get("/files/<int:supervision_file_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def download_file(supervision_file_id: int):
    """A photo or document of a record or a finding (the session is bound to the town: another
    town's file is not found)."""
    stored = db.get_or_404(SupervisionFile, supervision_file_id)
    disposition = "inline" if stored.mimetype.startswith("image/") else "attachment"
    return Response(stored.content, mimetype=stored.mimetype, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''" + quote(stored.filename),
        "X-Content-Type-Options": "nosniff"})


from . import review_views as _review_views  # noqa: E402,F401
