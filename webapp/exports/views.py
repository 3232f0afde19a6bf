"""The export center's pages. Starting an export is a POST where its data lives: a town's under
/t/<town>/exports/ (the town is entered and isolated first; roles declared at the route), a
committee's under /c/<committee>/exports/ (its members only). Following one, downloading it
and retrying it happen under /exports/<id>/, for the person who asked (or, for a committee's
export, its members): anyone else gets a 404."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Town

from ..access import ALL_TOWN_ROLES, STAFF, requires, town_blueprint
from ..accounts.models import TownMembership
from ..committees.models import Committee
from ..committees.views import committee_blueprint
from ..extensions import db
from ..i18n import localized
from . import bp, committee_bp, town_bp
from .kinds import ExportError, get_kind
from .models import Export
from .services import file_of, may_see, request_export, retry_export, settle, visible_exports

town_blueprint(town_bp)

#: how many exports the list shows
LISTED = 100


def state_labels() -> dict:
    return {"queued": _l("Waiting"), "running": _l("Running"), "done": _l("Ready"), "failed": _l("Failed to build"),
            "expired": _l("Expired")}


def size_label(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@bp.app_template_global("export_nonce")
def export_nonce() -> str:
    """A once-only token for an export button's form (a double click makes one export)."""
    return secrets.token_urlsafe(12)


@bp.app_template_global("export_kind_available")
def export_kind_available(name: str) -> bool:
    return get_kind(name) is not None


def _year_choices() -> list[int]:
    this = date.today().year
    return list(range(this, this - 6, -1))


def _quarter_choices() -> list[tuple[int, int]]:
    from ..committees.rollups import previous_quarter, quarter_of

    out = [quarter_of(date.today())]
    for _n in range(7):
        out.append(previous_quarter(*out[-1]))
    return out


def _describe(export: Export) -> dict:
    kind = get_kind(export.kind)
    return {"export": export, "title": kind.title if kind else export.kind,
            "detail": kind.describe(export.params) if kind else "", "size": size_label(export.size),
            "state": state_labels()[export.state.value]}


def _owners(exports: list[Export]) -> dict:
    towns = {t.id: t for t in db.session.scalars(select(Town).where(
        Town.id.in_({e.town_id for e in exports if e.town_id})))}
    committees = {c.id: c for c in db.session.scalars(select(Committee).where(
        Committee.id.in_({e.committee_id for e in exports if e.committee_id})))}
    return {e.id: localized(towns[e.town_id]) if e.town_id in towns else
            localized(committees[e.committee_id]) if e.committee_id in committees else "" for e in exports}


def _start(kind_name: str, *, town_id: int | None = None, committee_id: int | None = None):
    """Ask for the export from the posted form; to its page, or back with the problem."""
    try:
        export = request_export(kind_name, actor=current_user, form=request.form, town_id=town_id,
                                committee_id=committee_id, nonce=request.form.get("nonce"),
                                locale=str(get_locale() or ""))
    except ExportError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(request.referrer or url_for("exports.index"))
    except PermissionError:
        abort(403)
    db.session.commit()
    return redirect(url_for("exports.show", export_id=export.id))


# --- /exports/: mine ------------------------------------------------------------------------------

@bp.before_request
def _signed_in():
    if not current_user.is_authenticated:
        abort(401)


def _visible_or_404(export_id: int) -> Export:
    export = db.session.get(Export, export_id)
    if export is None or not may_see(current_user, export):
        abort(404)
    return export


@bp.get("/")
def index():
    exports = visible_exports(current_user, LISTED)
    owners = _owners(exports)
    towns = db.session.execute(select(Town).join(TownMembership, TownMembership.town_id == Town.id).where(
        TownMembership.user_id == current_user.id, TownMembership.role.in_(STAFF)).distinct().order_by(Town.name)
    ).scalars().all()
    from ..access import committees_of

    return render_template("exports/index.html", rows=[{**_describe(e), "owner": owners[e.id]} for e in exports],
                           towns=towns, committees=committees_of(current_user), years=_year_choices(),
                           quarters=_quarter_choices())


@bp.get("/<int:export_id>")
def show(export_id: int):
    export = _visible_or_404(export_id)
    if settle(export):
        db.session.commit()
    return render_template("exports/show.html", row={**_describe(export), "owner": _owners([export])[export.id]},
                           available=file_of(export) is not None)


@bp.get("/<int:export_id>/status.json")
def status(export_id: int):
    export = _visible_or_404(export_id)
    if settle(export):
        db.session.commit()
    ready = file_of(export) is not None
    response = jsonify(id=export.id, state=export.state.value, state_label=str(state_labels()[export.state.value]),
                       percent=export.percent, step=export.step or "", size=export.size,
                       download_url=url_for(".download", export_id=export.id) if ready else None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:export_id>/download")
def download(export_id: int):
    export = _visible_or_404(export_id)
    path = file_of(export)
    if path is None:
        flash(_("This file is no longer kept. Export it again."), "warning")
        return redirect(url_for(".show", export_id=export.id))
    kind = get_kind(export.kind)
    response = send_file(path, mimetype=kind.mimetype if kind else "application/octet-stream", as_attachment=True,
                         download_name=export.filename or path.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:export_id>/retry")
def retry(export_id: int):
    export = _visible_or_404(export_id)
    if retry_export(export, actor=current_user):
        db.session.commit()
        flash(_("The export is queued again."), "success")
    else:
        flash(_("Only a failed export can be retried."), "warning")
    return redirect(url_for(".show", export_id=export.id))


# --- /t/<town>/exports/: a town's --------------------------------------------------------------

@town_bp.get("/")
@requires(*STAFF)
def town_index():
    exports = db.session.scalars(select(Export).where(Export.town_id == g.town.id,
                                                      Export.requested_by == current_user.id)
                                 .order_by(Export.created_at.desc(), Export.id.desc()).limit(20)).all()
    return render_template("exports/town.html", rows=[_describe(e) for e in exports], years=_year_choices())


@town_bp.post("/ledgers")
@requires(*STAFF)
def town_ledgers():
    return _start("town_ledgers", town_id=g.town.id)


@town_bp.post("/annual-summary")
@requires(*STAFF)
def annual_summary():
    """The station's annual summary as DOCX (webapp.documents.docx), once that renderer exists."""
    if get_kind("annual_summary_docx") is None:
        abort(404)
    return _start("annual_summary_docx", town_id=g.town.id)


@town_bp.post("/deputies/<int:deputy_id>/file")
@requires(*ALL_TOWN_ROLES)
def deputy_file(deputy_id: int):
    kind = request.form.get("kind", "deputy_file_xlsx")
    if kind not in ("deputy_file_xlsx", "deputy_file_pdf") or get_kind(kind) is None:
        abort(404)
    form = {**request.form, "deputy_id": str(deputy_id)}
    try:
        export = request_export(kind, actor=current_user, form=form, town_id=g.town.id,
                                nonce=request.form.get("nonce"), locale=str(get_locale() or ""))
    except ExportError:
        abort(404)  # another town's deputy, or none: the same 404 as its file page
    except PermissionError:
        abort(403)
    db.session.commit()
    return redirect(url_for("exports.show", export_id=export.id))


# --- /c/<committee>/exports/: a committee's ------------------------------------------------------

committee_blueprint(committee_bp)


@committee_bp.post("/quarter")
def committee_quarter():
    return _start("committee_quarter", committee_id=g.committee.id)
