"""Evaluation pages: the town's template, a year's scores with their explanation, objections,
closing the year, the ranking and each deputy's sheet.

Who sees what: staff, the presidium and committee readers see every year and every sheet; a
deputy sees only their own sheet, and objects to an item of it while the window is open.
Staff open and recompute years, enter scores (with the presidium), resolve objections; the
presidium (or the station admin) closes a year; the station admin edits the template."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.models import TownRole
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from ..i18n import label
from . import bp
from . import file_sections as _file_sections  # noqa: F401  (registers the deputy's-file section)
from .models import (EvaluationScore, EvaluationTemplate, EvaluationYear, IndicatorSource, Objection,
                     ObjectionState, YearState)
from .services import (GRADES, TIE_RULE, EvaluationError, close_year, compute, enter_score, object_to, resolve,
                       sheets, validate_template)

town_blueprint(bp)


@bp.context_processor
def _helpers() -> dict:
    def pts(value) -> str:
        """Points as people write them: 10, 9.5, 0."""
        try:
            return f"{Decimal(str(value)).normalize():f}"
        except (InvalidOperation, ValueError, TypeError):
            return str(value or "")

    return {"pts": pts}

READERS = (TownRole.station_admin, TownRole.staff, TownRole.presidium)
SCORERS = (TownRole.station_admin, TownRole.staff, TownRole.presidium)
CLOSERS = (TownRole.station_admin, TownRole.presidium)
RULE_FIELDS = ("base_points", "points_per_extra", "cap", "weight")


def my_deputy() -> Deputy | None:
    return db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))


def reads_all() -> bool:
    return g.access.has(*READERS) or g.access.committee is not None


def _year(year_id: int) -> EvaluationYear:
    return db.get_or_404(EvaluationYear, year_id)


def _template() -> EvaluationTemplate | None:
    return db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()


def _job_module():
    """The RQ recompute job (jobs/evaluations.py)."""
    try:
        from jobs import evaluations as module
    except ImportError:  # pragma: no cover - the jobs package without it
        return None
    return module if hasattr(module, "recompute_year") else None


def _job_id(year: EvaluationYear) -> str:
    return f"evaluation-{g.town.id}-{year.id}"


def _job_status(year: EvaluationYear) -> dict | None:
    """The recompute job's state and progress while it is queued or running (or if it failed)."""
    if _job_module() is None:
        return None
    try:
        from rq.job import Job

        from jobs import redis_connection

        job = Job.fetch(_job_id(year), connection=redis_connection())
        status = job.get_status(refresh=True)
    except Exception:  # noqa: BLE001 - no such job, or no queue: nothing to show
        return None
    status = getattr(status, "value", status)
    if status not in ("queued", "started", "deferred", "scheduled", "failed"):
        return None
    meta = job.meta or {}
    return {"status": status, "done": meta.get("done", 0), "total": meta.get("total", 0),
            "percent": meta.get("percent", 0), "step": meta.get("step", "")}


# --- years --------------------------------------------------------------------------------------

def _index(errors: dict | None = None, form: dict | None = None, status: int = 200):
    years = db.session.scalars(select(EvaluationYear).order_by(EvaluationYear.year.desc())).all()
    mine = my_deputy() if g.access.has(TownRole.deputy) else None
    today = date.today()
    return render_template("evaluations/index.html", years=years, mine=mine, reads_all=reads_all(),
                           errors=errors or {}, form=form or {"year": today.year,
                                                              "objections_until": date(today.year + 1, 1, 31).isoformat()},
                           template=_template()), status


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    return _index()


@bp.post("/open")
@requires(*STAFF)
def open_():
    form = {k: (request.form.get(k) or "").strip() for k in ("year", "objections_until")}
    errors: dict[str, str] = {}
    try:
        year_number = int(form["year"])
        if not 2000 <= year_number <= 2100:
            raise ValueError
    except ValueError:
        errors["year"] = _("Enter a year such as %(year)d.", year=date.today().year)
    until = None
    if form["objections_until"]:
        try:
            until = date.fromisoformat(form["objections_until"])
        except ValueError:
            errors["objections_until"] = _("Enter a date.")
    if not errors:
        from .services import open_year

        try:
            year = open_year(actor=current_user, year=year_number, objections_until=until)
            compute(year)
        except EvaluationError as err:
            errors[err.field if err.field in ("year", "objections_until") else "form"] = str(err.message)
    if errors:
        db.session.rollback()
        return _index(errors, form, 400)
    db.session.commit()
    flash(_("The evaluation of %(year)d is open and computed.", year=year.year), "success")
    return redirect(url_for(".year", year_id=year.id))


def _objections(year: EvaluationYear, deputy_id: int | None = None) -> list[Objection]:
    query = select(Objection).where(Objection.year_id == year.id)
    if deputy_id is not None:
        query = query.where(Objection.deputy_id == deputy_id)
    return db.session.scalars(query.order_by(Objection.state, Objection.created_at)).all()


def _indicator_names(year: EvaluationYear) -> dict[str, str]:
    from ..i18n import localized

    class _N:  # localized() reads name / name_en
        def __init__(self, d):
            self.name, self.name_en = d["name"], d.get("name_en")

    return {i["code"]: localized(_N(i)) for i in year.snapshot["indicators"]}


def _year_page(year: EvaluationYear, errors: dict | None = None, status: int = 200, failed: int | None = None):
    names = {d.id: d.name for d in db.session.scalars(select(Deputy))}
    return render_template("evaluations/year.html", year=year, sheets=sheets(year), tie_rule=TIE_RULE,
                           objections=_objections(year) if g.access.has(*READERS) or g.access.committee else [],
                           names=names, indicator_names=_indicator_names(year), errors=errors or {},
                           failed=failed, job=_job_status(year), ObjectionState=ObjectionState,
                           may_close=g.access.has(*CLOSERS) and not g.access.read_only), status


@bp.get("/years/<int:year_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def year(year_id: int):
    record = _year(year_id)
    if not reads_all():
        mine = my_deputy()
        if mine is None:
            abort(404)
        return redirect(url_for(".sheet", year_id=record.id, deputy_id=mine.id))
    return _year_page(record)


@bp.post("/years/<int:year_id>/compute")
@requires(*STAFF)
def recompute(year_id: int):
    record = _year(year_id)
    if record.state != YearState.open:
        return _year_page(record, {"form": _("The evaluation of %(year)d is closed: nothing in it changes any more.",
                                             year=record.year)}, 409)
    module = _job_module()
    if module is not None:
        import jobs

        jobs.enqueue_after_commit(module.recompute_year, g.town.id, record.id, job_id=_job_id(record))
        db.session.commit()
        flash(_("Recomputing: the scores are updated in a moment."), "info")
        return redirect(url_for(".year", year_id=record.id))
    try:
        count = compute(record)
    except EvaluationError as err:
        db.session.rollback()
        return _year_page(record, {"form": str(err.message)}, 409)
    db.session.commit()
    flash(_("Recomputed for %(n)d deputies.", n=count), "success")
    return redirect(url_for(".year", year_id=record.id))


@bp.post("/years/<int:year_id>/close")
@requires(*CLOSERS)
def close(year_id: int):
    record = _year(year_id)
    try:
        close_year(record, actor=current_user)
    except EvaluationError as err:
        db.session.rollback()
        return _year_page(_year(year_id), {"close": str(err.message)}, 409)
    db.session.commit()
    flash(_("The evaluation of %(year)d is closed: the ranking is final.", year=record.year), "success")
    return redirect(url_for(".year", year_id=record.id))


# --- entered scores ---------------------------------------------------------------------------------

def _entered(year: EvaluationYear) -> list[dict]:
    return [i for i in year.snapshot["indicators"] if i["source"] == IndicatorSource.entered.value]


@bp.route("/years/<int:year_id>/scores", methods=["GET", "POST"])
@requires(*READERS, committee=True)
def scores(year_id: int):
    record = _year(year_id)
    indicators = _entered(record)
    deputies = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                  .order_by(Deputy.name_pinyin, Deputy.id)).all()
    errors: dict[str, str] = {}
    values = {f"score-{s.deputy_id}-{s.indicator}": f"{(s.override if s.override is not None else s.points).normalize():f}"
              for s in db.session.scalars(select(EvaluationScore).where(
                  EvaluationScore.year_id == record.id,
                  EvaluationScore.indicator.in_([i["code"] for i in indicators])))
              if s.explanation.get("rule") == "entered" or s.override is not None}
    may_enter = g.access.has(*SCORERS) and record.state == YearState.open and not g.access.read_only
    if request.method == "POST":
        if not may_enter:
            abort(403)
        values = dict(values)
        changed = 0
        for deputy in deputies:
            for indicator in indicators:
                key = f"score-{deputy.id}-{indicator['code']}"
                raw = (request.form.get(key) or "").strip()
                if raw == "" or raw == values.get(key):
                    values[key] = raw or values.get(key, "")
                    continue
                values[key] = raw
                try:
                    enter_score(record, deputy.id, indicator["code"], raw, actor=current_user)
                    changed += 1
                except EvaluationError as err:
                    errors[key] = str(err.message)
        if errors:
            db.session.rollback()
            errors["form"] = _("Some scores are not valid: nothing was saved. Correct them and save again.")
        else:
            db.session.commit()
            flash(_("%(n)d scores saved.", n=changed), "success")
            return redirect(url_for(".scores", year_id=record.id))
    return render_template("evaluations/scores.html", year=record, indicators=indicators, deputies=deputies,
                           values=values, errors=errors, may_enter=may_enter,
                           indicator_names=_indicator_names(record)), 400 if errors else 200


# --- one deputy's sheet -------------------------------------------------------------------------

def _visible_sheet(year: EvaluationYear, deputy_id: int):
    if not reads_all():
        mine = my_deputy()
        if mine is None or mine.id != deputy_id:
            abort(404)
    sheet = next((s for s in sheets(year) if s.deputy_id == deputy_id), None)
    if sheet is None:
        abort(404)
    return sheet


def record_link(record: dict) -> str | None:
    kind, id_ = record.get("kind"), record.get("id")
    if not id_:
        return None
    if kind in ("opinion", "suggestion"):
        return url_for("opinions.show", opinion_id=id_)
    if kind == "activity":
        return url_for("activities.show", activity_id=id_)
    if kind == "supervision":
        return url_for("projects.record", record_id=id_)
    return None


def _sheet_page(year: EvaluationYear, deputy_id: int, errors: dict | None = None, status: int = 200,
                form: dict | None = None):
    sheet = _visible_sheet(year, deputy_id)
    deputy = db.session.get(Deputy, deputy_id)
    mine = my_deputy() if g.access.has(TownRole.deputy) else None
    window_open = (year.state == YearState.open
                   and (year.objections_until is None or date.today() <= year.objections_until))
    may_object = (mine is not None and mine.id == deputy_id and window_open and not g.access.read_only)
    return render_template("evaluations/sheet.html", year=year, sheet=sheet, deputy=deputy,
                           count=len(sheets(year)), objections=_objections(year, deputy_id),
                           indicator_names=_indicator_names(year), record_link=record_link,
                           may_object=may_object, window_open=window_open, errors=errors or {},
                           form=form or {}, ObjectionState=ObjectionState), status


@bp.get("/years/<int:year_id>/deputies/<int:deputy_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def sheet(year_id: int, deputy_id: int):
    return _sheet_page(_year(year_id), deputy_id)


@bp.get("/years/<int:year_id>/deputies/<int:deputy_id>/sheet.xlsx")
@requires(*ALL_TOWN_ROLES, committee=True)
def sheet_xlsx(year_id: int, deputy_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..spreadsheets import as_text

    record = _year(year_id)
    found = _visible_sheet(record, deputy_id)
    names = _indicator_names(record)
    book = Workbook()
    ws = book.active
    ws.title = f"{record.year}年度考评"
    ws.append([f"{found.name} · {record.year}年度履职考评表"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["总分", float(found.total), "等次", str(label("grade", found.grade)) if found.grade else "",
               "名次", found.rank, "优秀代表", "是" if found.outstanding else "否",
               "建议连任提名", "是" if found.renominate else "否"])
    ws.append([])
    ws.append(["指标", "来源", "次数", "基础分", "每增一次", "上限", "得分", "权重", "加权得分", "备注"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for line in found.lines:
        e = line.explanation or {}
        notes = []
        if e.get("capped"):
            notes.append("已达上限")
        if line.overridden:
            notes.append("异议已采纳，分数已调整")
        ws.append([names.get(line.code, line.name), "记录统计" if line.source == "computed" else "评议录入",
                   line.count, float(Decimal(e.get("base", 0) or 0)) if line.source == "computed" else None,
                   float(Decimal(e.get("extra", 0) or 0)) if line.source == "computed" else None,
                   float(line.cap), float(line.points), float(line.weight), float(line.weighted), "；".join(notes)])
    ws.append([])
    ws.append(["日期", "指标", "记录"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for line in found.lines:
        for item in (line.explanation or {}).get("records", []):
            ws.append([item.get("day"), names.get(line.code, line.name), item.get("title")])
    for column, width in zip("ABCDEFGHIJ", (26, 12, 8, 8, 10, 8, 8, 8, 10, 24)):
        ws.column_dimensions[column].width = width
    as_text(ws)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, as_attachment=True, download_name=f"{g.town.slug}-evaluation-{record.year}-{deputy_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- objections ---------------------------------------------------------------------------------

@bp.post("/years/<int:year_id>/objections")
@requires(TownRole.deputy)
def object_(year_id: int):
    record = _year(year_id)
    mine = my_deputy()
    if mine is None:
        abort(403)
    form = {"indicator": request.form.get("indicator", ""), "reason": request.form.get("reason", "")}
    try:
        object_to(record, mine.id, form["indicator"], form["reason"], actor=current_user)
    except EvaluationError as err:
        db.session.rollback()
        return _sheet_page(_year(year_id), mine.id, {err.field or "reason": str(err.message)}, 400, form)
    db.session.commit()
    flash(_("Your objection has been sent to the station."), "success")
    return redirect(url_for(".sheet", year_id=record.id, deputy_id=mine.id))


@bp.post("/objections/<int:objection_id>")
@requires(*STAFF)
def resolve_(objection_id: int):
    objection = db.get_or_404(Objection, objection_id)
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        return _year_page(_year(objection.year_id), {f"objection-{objection.id}": _("Accept or reject it.")}, 400,
                          objection.id)
    try:
        resolve(objection, actor=current_user, accept=decision == "accept", note=request.form.get("note", ""),
                points_after=(request.form.get("points_after") or "").strip() or None)
    except EvaluationError as err:
        db.session.rollback()
        return _year_page(_year(objection.year_id), {f"objection-{objection_id}": str(err.message)}, 400,
                          objection_id)
    db.session.commit()
    flash(_("The objection has been resolved."), "success")
    return redirect(url_for(".year", year_id=objection.year_id))


# --- the template -------------------------------------------------------------------------------

def _template_form(template: EvaluationTemplate) -> dict:
    form = {f"{name}_{i.id}": f"{Decimal(getattr(i, name)).normalize():f}" for i in template.indicators
            for name in RULE_FIELDS}
    form.update({f"grade_{g_['grade']}": f"{Decimal(str(g_.get('min', 0))).normalize():f}" for g_ in template.grades})
    form.update(outstanding_count=str(template.outstanding_count),
                max_total=f"{Decimal(template.max_total).normalize():f}")
    return form


def _number(raw: str) -> Decimal:
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation
    return value


@bp.route("/template", methods=["GET", "POST"])
@requires(*READERS, committee=True)
def template():
    current = _template()
    if current is None:
        abort(404)
    may_edit = g.access.has(TownRole.station_admin) and not g.access.read_only
    errors: dict[str, str] = {}
    form = _template_form(current)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        form = {k: (request.form.get(k) or "").strip() for k in form}
        for indicator in current.indicators:
            for name in RULE_FIELDS:
                key = f"{name}_{indicator.id}"
                try:
                    value = _number(form[key])
                    if abs(value) >= 10000:
                        raise InvalidOperation
                    setattr(indicator, name, value)
                except (InvalidOperation, ValueError):
                    errors[key] = _("Enter a number.")
        grades = []
        for grade in current.grades:
            key = f"grade_{grade['grade']}"
            try:
                grades.append({**grade, "min": float(_number(form[key]))})
            except (InvalidOperation, ValueError):
                errors[key] = _("Enter a number.")
        current.grades = grades
        try:
            current.outstanding_count = int(form["outstanding_count"])
        except ValueError:
            errors["outstanding_count"] = _("Enter a whole number.")
        try:
            current.max_total = _number(form["max_total"])
        except (InvalidOperation, ValueError):
            errors["max_total"] = _("Enter a number.")
        if not errors:
            try:
                validate_template(current)
            except EvaluationError as err:
                errors[err.field if err.field and err.field in form else "form"] = str(err.message)
        if errors:
            errors.setdefault("form", _("The template was not saved."))
            db.session.rollback()
            current = _template()
        else:
            current.version += 1
            from ..audit.services import record_town

            record_town("evaluation.template", actor=current_user, target=f"{current.name} #{current.id}",
                        details={"version": current.version})
            db.session.commit()
            flash(_("The template has been saved. Years already opened keep the template they were opened with."),
                  "success")
            return redirect(url_for(".template"))
    return render_template("evaluations/template.html", template=current, form=form, errors=errors,
                           may_edit=may_edit, grades=GRADES), 400 if errors else 200
