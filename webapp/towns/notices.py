"""The town's side of one-to-one supervision (督办): the committee's notices to this town, and
the town's answer with its actions and evidence."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import ALL_TOWN_ROLES, STAFF, requires
from ..committees.models import SupervisionNotice
from ..committees.notices import NoticeError, notices_of, respond, state_labels, topic_labels
from ..extensions import db
from . import bp


def _notice(notice_id: int) -> SupervisionNotice:
    """Notices are platform rows naming their town: only this town's are found here."""
    notice = db.session.get(SupervisionNotice, notice_id)
    if notice is None or notice.town_id != g.town.id:
        abort(404)
    return notice


@bp.get("/notices/")
@requires(*ALL_TOWN_ROLES, committee=True)
def notices():
    return render_template("committees/notices.html", rows=notices_of(town_id=g.town.id), names={g.town.id: g.town},
                           today=date.today(), states=state_labels(), topics=topic_labels(), side="town")


@bp.get("/notices/<int:notice_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def notice(notice_id: int, errors: dict | None = None, status: int = 200):
    return render_template("committees/notice.html", notice=_notice(notice_id), town=g.town, today=date.today(),
                           states=state_labels(), topics=topic_labels(), errors=errors or {}, side="town",
                           nonce=secrets.token_urlsafe(12)), status


@bp.post("/notices/<int:notice_id>/respond")
@requires(*STAFF)
def respond_notice(notice_id: int):
    found = _notice(notice_id)
    upload = request.files.get("file")
    try:
        respond(found, actor=current_user, actions=request.form.get("actions", ""),
                filename=upload.filename if upload and upload.filename else None,
                content=upload.read() if upload and upload.filename else None, nonce=request.form.get("nonce"))
    except NoticeError as err:
        db.session.rollback()
        return notice(notice_id, errors={err.field or "form": str(err.message)}, status=400)
    db.session.commit()
    flash(_("Your answer has been sent to the committee."), "success")
    return redirect(url_for(".notice", notice_id=notice_id))


@bp.get("/notices/<int:notice_id>/files/<int:event_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def notice_file(notice_id: int, event_id: int):
    from ..committees.notice_views import evidence

    _notice(notice_id)
    return evidence(notice_id, event_id)
