"""The committee's side of one-to-one supervision: issue a notice to a town, follow it, accept
or return the town's answer."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from . import bp
from .models import NoticeEvent, SupervisionNotice
from .notices import NoticeError, TOPICS, decide, issue, notices_of, state_labels, topic_labels


def _towns():
    from .views import towns_in

    return [town for town, _county in towns_in(g.committee)]


def _notice(notice_id: int) -> SupervisionNotice:
    notice = db.session.get(SupervisionNotice, notice_id)
    if notice is None or notice.committee_id != g.committee.id:
        abort(404)
    return notice


@bp.get("/notices/")
def notices():
    names = {t.id: t for t in _towns()}
    return render_template("committees/notices.html", rows=notices_of(committee_id=g.committee.id), names=names,
                           today=date.today(), states=state_labels(), topics=topic_labels())


@bp.route("/notices/new", methods=["GET", "POST"])
def new_notice():
    towns = _towns()
    errors: dict[str, str] = {}
    form = {"town": request.args.get("town", ""), "topic": request.args.get("topic", "cadence")}
    if request.method == "POST":
        form = {k: (v or "").strip() for k, v in request.form.items() if k != "csrf_token"}
        town = next((t for t in towns if t.slug == form.get("town")), None)
        try:
            if town is None:
                raise NoticeError(_("Choose a town of the jurisdiction."), "town")
            notice = issue(g.committee, town, actor=current_user, data=form, nonce=form.get("nonce"))
        except NoticeError as err:
            db.session.rollback()
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The notice has been sent to %(town)s.", town=town.name), "success")
            return redirect(url_for(".notice", notice_id=notice.id))
    form.setdefault("nonce", secrets.token_urlsafe(12))
    return render_template("committees/notice_new.html", towns=towns, form=form, errors=errors, topics=topic_labels(),
                           topic_keys=TOPICS), 400 if errors else 200


@bp.get("/notices/<int:notice_id>")
def notice(notice_id: int, errors: dict | None = None, status: int = 200):
    found = _notice(notice_id)
    town = next((t for t in _towns() if t.id == found.town_id), None)
    return render_template("committees/notice.html", notice=found, town=town, today=date.today(),
                           states=state_labels(), topics=topic_labels(), errors=errors or {}, side="committee",
                           nonce=secrets.token_urlsafe(12)), status


@bp.post("/notices/<int:notice_id>/decide")
def decide_notice(notice_id: int):
    found = _notice(notice_id)
    try:
        decide(found, actor=current_user, accept=request.form.get("decision") == "accept",
               note=request.form.get("note", ""), nonce=request.form.get("nonce"))
    except NoticeError as err:
        db.session.rollback()
        return notice(notice_id, errors={err.field or "form": str(err.message)}, status=400)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".notice", notice_id=notice_id))


@bp.get("/notices/<int:notice_id>/files/<int:event_id>")
def notice_file(notice_id: int, event_id: int):
    _notice(notice_id)
    return evidence(notice_id, event_id)


def evidence(notice_id: int, event_id: int) -> Response:
    event = db.session.get(NoticeEvent, event_id)
    if event is None or event.notice_id != notice_id or event.content is None:
        abort(404)
    return Response(event.content, mimetype=event.mimetype, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''" + quote(event.filename or "evidence")})
