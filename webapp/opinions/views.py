"""Opinion and suggestion pages: the ledger with its filters, recording an opinion, one
opinion's history and next steps, the overdue list, the figures, units and categories.

Who sees what: staff, the presidium and committee readers see the whole ledger; a deputy
sees the opinions they received and their own suggestions. The constituent's phone is
shown to staff and to the deputy who received the opinion, never to anyone else."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.models import TownRole
from ..accounts.schemas import clean_form, first_errors
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from . import bp
from . import file_sections as _file_sections  # noqa: F401  (registers the deputy's-file sections)
from .models import (Channel, CongressLevel, Kind, Opinion, OpinionCategory, OpinionFile, OpinionUrge,
                     ResponsibleUnit, Satisfaction, State, UnitKind)
from .schemas import CategoryInputSchema, OpinionInputSchema, SuggestionInputSchema, TransitionSchema, UnitInputSchema
from .services import (FEEDBACK_WAYS, OpinionError, action_labels, add_file, allowed_actions, create_opinion,
                       filtered, nearly_due_query, open_count_by_unit, overdue_query, rate, state_labels, transition)
from .stats import statistics

town_blueprint(bp)

PER_PAGE = 50
READERS = (TownRole.station_admin, TownRole.staff, TownRole.presidium)


def my_deputy() -> Deputy | None:
    return db.session.scalar(select(Deputy).where(Deputy.user_id == current_user.id))


def reads_all() -> bool:
    """Staff, the presidium and committee readers see the whole ledger; a deputy only their own."""
    return g.access.has(*READERS) or g.access.committee is not None


def _scoped(query):
    if reads_all():
        return query
    deputy = my_deputy()
    return query.where(Opinion.deputy_id == (deputy.id if deputy else -1))


def _visible(opinion_id: int) -> Opinion:
    opinion = db.get_or_404(Opinion, opinion_id)
    if not reads_all():
        deputy = my_deputy()
        if deputy is None or opinion.deputy_id != deputy.id:
            abort(404)
    return opinion


def shows_phone(opinion: Opinion) -> bool:
    if g.access.has(*STAFF):
        return True
    deputy = my_deputy() if g.access.has(TownRole.deputy) else None
    return deputy is not None and opinion.deputy_id == deputy.id


def _choices() -> dict:
    return {
        "categories": db.session.scalars(select(OpinionCategory).where(OpinionCategory.active)
                                         .order_by(OpinionCategory.position)).all(),
        "units": db.session.scalars(select(ResponsibleUnit).where(ResponsibleUnit.active)
                                    .order_by(ResponsibleUnit.kind, ResponsibleUnit.name)).all(),
        "deputies": db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                       .order_by(Deputy.level, Deputy.name_pinyin)).all(),
        "channels": [c for c in Channel if c != Channel.deputy],
        "states": list(State), "state_labels": state_labels(), "action_labels": action_labels(),
    }


def _list(kind: Kind):
    args = {
        "state": request.args.get("state") if request.args.get("state") in State.__members__ else None,
        "channel": request.args.get("channel") if request.args.get("channel") in Channel.__members__ else None,
        "category_id": request.args.get("category_id", type=int),
        "unit_id": request.args.get("unit_id", type=int),
        "deputy_id": request.args.get("deputy_id", type=int),
        "reception_day_id": request.args.get("reception_day_id", type=int),
        "due": request.args.get("due") if request.args.get("due") in ("overdue", "soon") else None,
        "year": request.args.get("year", type=int),
        "q": (request.args.get("q") or "").strip()[:60] or None,
    }
    page = max(request.args.get("page", 1, type=int), 1)
    query = _scoped(filtered(select(Opinion).where(Opinion.kind == kind), args))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(Opinion.category), selectinload(Opinion.unit),
                                            selectinload(Opinion.deputy))
                              .order_by(Opinion.received_on.desc(), Opinion.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    filters = {k: v for k, v in args.items() if v is not None}
    return render_template("opinions/index.html", kind=kind, rows=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), filters=filters,
                           today=date.today(), reads_all=reads_all(), **_choices())


@bp.get("/")
@requires(*ALL_TOWN_ROLES, committee=True)
def index():
    return _list(Kind.opinion)


@bp.get("/suggestions/")
@requires(*ALL_TOWN_ROLES, committee=True)
def suggestions():
    return _list(Kind.suggestion)


@bp.route("/new", methods=["GET", "POST"])
@requires(TownRole.station_admin, TownRole.staff, TownRole.deputy)
def new():
    """Staff record what came in; a deputy records what they heard on a visit (as its receiver)."""
    mine = None if g.access.has(*STAFF) else my_deputy()
    if not g.access.has(*STAFF) and mine is None:
        abort(403)
    errors: dict[str, str] = {}
    form: dict = {"received_on": request.args.get("received_on") or date.today().isoformat(),
                  "channel": request.args.get("channel") or ("visit" if mine else "reception_day")}
    if request.method == "POST":
        form = clean_form(request.form)
        payload = dict(form)
        if mine is not None:
            payload["deputy_id"] = mine.id
        photos = [(f.filename, f.read()) for f in request.files.getlist("photos") if f and f.filename][:5]
        try:
            opinion = create_opinion(actor=current_user, data=OpinionInputSchema().load(payload), photos=photos)
        except ValidationError as err:
            errors = first_errors(err)
        except OpinionError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The opinion has been recorded as No. %(id)d (receipt code %(code)s).", id=opinion.id,
                    code=opinion.receipt_code), "success")
            return redirect(url_for(".show", opinion_id=opinion.id))
        db.session.rollback()
    from ..receptions.models import ReceptionDay

    from ..activities.models import Activity

    days = db.session.scalars(select(ReceptionDay).where(ReceptionDay.day <= date.today())
                              .order_by(ReceptionDay.day.desc()).limit(12)).all()
    activities = db.session.scalars(select(Activity).where(Activity.day <= date.today())
                                    .order_by(Activity.day.desc(), Activity.id.desc()).limit(20)).all()
    return render_template("opinions/new.html", form=form, errors=errors, mine=mine, reception_days=days,
                           activities=activities, **_choices()), 400 if errors else 200


@bp.route("/suggestions/new", methods=["GET", "POST"])
@requires(TownRole.station_admin, TownRole.staff, TownRole.deputy)
def new_suggestion():
    """A deputy files a suggestion (as its author); staff enter one for a deputy."""
    mine = None if g.access.has(*STAFF) else my_deputy()
    if not g.access.has(*STAFF) and mine is None:
        abort(403)
    errors: dict[str, str] = {}
    form: dict = {"received_on": date.today().isoformat(), "congress_level": "town"}
    if request.method == "POST":
        form = clean_form(request.form)
        payload = {k: v for k, v in form.items() if k != "seconder_ids"} | {
            "seconder_ids": request.form.getlist("seconder_ids")}
        if mine is not None:
            payload["deputy_id"] = mine.id
        try:
            data = SuggestionInputSchema().load(payload)
            opinion = create_opinion(actor=current_user, data={**data, "kind": Kind.suggestion,
                                                               "channel": Channel.deputy})
        except ValidationError as err:
            errors = first_errors(err)
        except OpinionError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The suggestion has been filed as No. %(id)d.", id=opinion.id), "success")
            return redirect(url_for(".show", opinion_id=opinion.id))
        db.session.rollback()
    return render_template("opinions/new_suggestion.html", form=form, errors=errors, mine=mine,
                           levels=list(CongressLevel), **_choices()), 400 if errors else 200


@bp.get("/<int:opinion_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def show(opinion_id: int, errors: dict | None = None, status: int = 200, action: str | None = None):
    opinion = _visible(opinion_id)
    deputy = db.session.get(Deputy, opinion.deputy_id) if opinion.deputy_id else None
    urges = db.session.scalar(select(func.count()).select_from(OpinionUrge).where(OpinionUrge.opinion_id == opinion.id))
    mine = my_deputy() if g.access.has(TownRole.deputy) else None
    may_rate = (opinion.kind == Kind.suggestion and mine is not None and opinion.deputy_id == mine.id
                and opinion.state in (State.answered, State.feedback_given) and not g.access.read_only)
    return render_template("opinions/show.html", opinion=opinion, deputy=deputy, urges=urges,
                           allowed=allowed_actions(opinion) if g.access.has(*STAFF) else [],
                           errors=errors or {}, failed_action=action, nonce=secrets.token_urlsafe(12),
                           show_phone=shows_phone(opinion), today=date.today(), may_rate=may_rate,
                           satisfactions=list(Satisfaction), feedback_ways=FEEDBACK_WAYS,
                           **_choices()), status


def _transition_input(form) -> dict:
    values = {k: v for k, v in clean_form(form).items() if k != "nonce"}
    if "approve" in values:
        values["approve"] = values["approve"] == "yes"
    return TransitionSchema().load(values)


@bp.post("/<int:opinion_id>/act")
@requires(*STAFF)
def act(opinion_id: int):
    """One step of the state machine, posted from the opinion's page."""
    opinion = db.get_or_404(Opinion, opinion_id)
    action = request.form.get("action", "")
    try:
        data = _transition_input(request.form)
        applied = transition(opinion, action, actor=current_user, data=data, nonce=request.form.get("nonce"))
    except ValidationError as err:
        db.session.rollback()
        return show(opinion_id, errors=first_errors(err), status=400, action=action)
    except OpinionError as err:
        db.session.rollback()
        return show(opinion_id, errors={err.field or "form": str(err.message)}, status=409 if err.field == "action"
                    else 400, action=action)
    db.session.commit()
    if applied:
        flash(_("Done: %(step)s.", step=action_labels()[action]), "success")
    else:
        flash(_("This step had already been recorded; nothing was changed."), "info")
    return redirect(url_for(".show", opinion_id=opinion_id))


@bp.post("/<int:opinion_id>/rate")
@requires(TownRole.deputy)
def rate_suggestion(opinion_id: int):
    """The deputy rates the answer to their own suggestion."""
    opinion = _visible(opinion_id)
    mine = my_deputy()
    if opinion.kind != Kind.suggestion or mine is None or opinion.deputy_id != mine.id:
        abort(403)
    try:
        rate(opinion, request.form.get("satisfaction", ""), by="deputy", actor=current_user,
             nonce=request.form.get("nonce"))
    except OpinionError as err:
        db.session.rollback()
        return show(opinion_id, errors={"satisfaction": str(err.message)}, status=400, action="rate")
    db.session.commit()
    flash(_("Thank you: your rating has been recorded."), "success")
    return redirect(url_for(".show", opinion_id=opinion_id))


@bp.post("/<int:opinion_id>/files")
@requires(*STAFF)
def upload(opinion_id: int):
    opinion = db.get_or_404(Opinion, opinion_id)
    upload_ = request.files.get("file")
    if upload_ is None or not upload_.filename:
        return show(opinion_id, errors={"photos": _("Choose a file.")}, status=400, action="file")
    try:
        add_file(opinion, filename=upload_.filename, content=upload_.read(), actor=current_user)
    except OpinionError as err:
        db.session.rollback()
        return show(opinion_id, errors={"photos": str(err.message)}, status=400, action="file")
    db.session.commit()
    return redirect(url_for(".show", opinion_id=opinion_id))


@bp.get("/<int:opinion_id>/files/<int:photo_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def download(opinion_id: int, photo_id: int):
    _visible(opinion_id)
    stored = db.get_or_404(OpinionFile, photo_id)
    if stored.opinion_id != opinion_id:
        abort(404)
    disposition = "inline" if stored.mimetype.startswith("image/") else "attachment"
    return Response(stored.content, mimetype=stored.mimetype, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''" + quote(stored.filename)})


@bp.get("/overdue")
@requires(*ALL_TOWN_ROLES, committee=True)
def overdue():
    """Overdue and nearly due (the daily urge list staff phone the units from; printable)."""
    today = date.today()
    load = (selectinload(Opinion.unit), selectinload(Opinion.category))
    late = db.session.scalars(_scoped(overdue_query(today)).options(*load).order_by(Opinion.due_on, Opinion.id)).all()
    soon = db.session.scalars(_scoped(nearly_due_query(today)).options(*load).order_by(Opinion.due_on, Opinion.id)).all()
    urged = dict(db.session.execute(select(OpinionUrge.opinion_id, func.count()).where(
        OpinionUrge.opinion_id.in_([o.id for o in late + soon])).group_by(OpinionUrge.opinion_id)).all())
    return render_template("opinions/overdue.html", late=late, soon=soon, urged=urged, today=today,
                           state_labels=state_labels())


@bp.get("/stats")
@requires(*READERS, committee=True)
def stats():
    year = request.args.get("year", type=int) or date.today().year
    kind = Kind.suggestion if request.args.get("kind") == "suggestion" else Kind.opinion
    figures = statistics(date(year, 1, 1), date(year, 12, 31), kind=kind)
    from ..i18n import label, localized

    deputies = {d.id: d.name for d in db.session.scalars(select(Deputy).where(
        Deputy.id.in_([k for k in figures.by_deputy if k is not None])))}
    sections = [
        (_("By channel"), figures.by_channel, {c.value: label("channel", c) for c in Channel}, "by-channel"),
        (_("By category"), figures.by_category,
         {c.id: localized(c) for c in db.session.scalars(select(OpinionCategory))}, "by-category"),
        (_("By responsible unit"), figures.by_unit,
         {u.id: u.name for u in db.session.scalars(select(ResponsibleUnit))}, "by-unit"),
        (_("By deputy"), figures.by_deputy, deputies, "by-deputy"),
    ]
    if kind == Kind.suggestion:
        sections = sections[1:]
    return render_template("opinions/stats.html", figures=figures, year=year, kind=kind, sections=sections,
                           peak=max((f.received for f in figures.by_month.values()), default=0))


@bp.route("/units", methods=["GET", "POST"])
@requires(*ALL_TOWN_ROLES, committee=True)
def units():
    """The town's responsible units (责任单位) and their contacts; staff add and edit them."""
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        if not g.access.has(*STAFF):
            abort(403)
        form = clean_form(request.form)
        try:
            data = UnitInputSchema().load(form)
            if db.session.scalar(select(ResponsibleUnit.id).where(ResponsibleUnit.name == data["name"])):
                raise OpinionError(_("A unit called %(name)s already exists.", name=data["name"]), "name")
            unit = ResponsibleUnit(**data)
            db.session.add(unit)
            db.session.flush()
        except ValidationError as err:
            errors = first_errors(err)
        except OpinionError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            from ..audit.services import record_town

            record_town("unit.create", actor=current_user, target=f"{unit.name} #{unit.id}")
            db.session.commit()
            flash(_("The unit %(name)s has been added.", name=unit.name), "success")
            return redirect(url_for(".units"))
        db.session.rollback()
    rows = db.session.scalars(select(ResponsibleUnit).order_by(ResponsibleUnit.active.desc(), ResponsibleUnit.kind,
                                                               ResponsibleUnit.name)).all()
    return render_template("opinions/units.html", rows=rows, open_counts=open_count_by_unit(), errors=errors,
                           form=form, kinds=list(UnitKind)), 400 if errors else 200


@bp.post("/units/<int:unit_id>")
@requires(*STAFF)
def edit_unit(unit_id: int):
    unit = db.get_or_404(ResponsibleUnit, unit_id)
    form = clean_form(request.form)
    form.setdefault("name", unit.name)
    form["active"] = request.form.get("active") == "on"
    try:
        data = UnitInputSchema().load(form)
    except ValidationError as err:
        flash("; ".join(first_errors(err).values()), "danger")
        return redirect(url_for(".units")), 303
    clash = db.session.scalar(select(ResponsibleUnit.id).where(ResponsibleUnit.name == data["name"],
                                                                ResponsibleUnit.id != unit.id))
    if clash:
        flash(_("A unit called %(name)s already exists.", name=data["name"]), "danger")
        return redirect(url_for(".units")), 303
    changes = {k: [str(getattr(unit, k)), str(v)] for k, v in data.items() if getattr(unit, k) != v}
    for key, value in data.items():
        setattr(unit, key, value)
    if changes:
        from ..audit.services import record_town

        record_town("unit.update", actor=current_user, target=f"{unit.name} #{unit.id}", details=changes)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".units"))


@bp.route("/categories", methods=["GET", "POST"])
@requires(TownRole.station_admin)
def categories():
    """What opinions are about, with the deadline (working days) and the warning before it."""
    rows = db.session.scalars(select(OpinionCategory).order_by(OpinionCategory.position)).all()
    errors: dict[str, str] = {}
    form: dict = {}
    if request.method == "POST":
        from ..audit.services import record_town

        try:
            if request.form.get("action") == "add":
                form = clean_form({k: v for k, v in request.form.items() if k != "action"})
                data = CategoryInputSchema().load(form)
                if db.session.scalar(select(OpinionCategory.id).where(OpinionCategory.code == data["code"])):
                    raise OpinionError(_("A category with the code %(code)s already exists.", code=data["code"]),
                                       "code")
                position = (db.session.scalar(select(func.max(OpinionCategory.position))) or 0) + 1
                db.session.add(OpinionCategory(**data, position=position, active=True))
                record_town("opinion_category.create", actor=current_user, target=data["code"],
                            details={"deadline_days": data["deadline_days"], "warning_days": data["warning_days"]})
            else:
                changes = {}
                for row in rows:
                    values = CategoryInputSchema(only=("deadline_days", "warning_days")).load({
                        "deadline_days": request.form.get(f"deadline_{row.id}", row.deadline_days),
                        "warning_days": request.form.get(f"warning_{row.id}", row.warning_days)})
                    if values["warning_days"] >= values["deadline_days"]:
                        raise ValidationError({f"warning_{row.id}": [_("Warn before the deadline: fewer days than "
                                                                       "the deadline.")]})
                    new = (values["deadline_days"], values["warning_days"], request.form.get(f"active_{row.id}") == "on")
                    old = (row.deadline_days, row.warning_days, row.active)
                    if new != old:
                        changes[row.code] = [list(old), list(new)]
                        row.deadline_days, row.warning_days, row.active = new
                if changes:
                    record_town("opinion_category.update", actor=current_user, target="opinion_categories",
                                details={"changes": changes})
        except ValidationError as err:
            errors = first_errors(err)
        except OpinionError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("Saved. New assignments use these deadlines; running ones keep theirs."), "success")
            return redirect(url_for(".categories"))
        db.session.rollback()
        rows = db.session.scalars(select(OpinionCategory).order_by(OpinionCategory.position)).all()
    return render_template("opinions/categories.html", rows=rows, errors=errors, form=form), 400 if errors else 200


from . import hotline_views as _hotline_views  # noqa: E402,F401
