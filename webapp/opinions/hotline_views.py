"""The 12345 hotline import page and its template workbook (staff only). The town is entered
by the blueprint's preprocessor (views.py)."""

from __future__ import annotations

import io

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import STAFF, requires
from ..extensions import db
from . import bp
from .hotline import COLUMNS, MAX_BYTES, MAX_ROWS, active_categories, import_hotline, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(result=None, status: int = 200):
    return render_template("opinions/import.html", result=result, columns=COLUMNS, categories=active_categories(),
                           max_rows=MAX_ROWS, max_mb=MAX_BYTES // (1024 * 1024)), status


def _done_message(result) -> str:
    if not result.created:
        return _("Nothing new: every case in the file (%(count)d) was imported before.", count=len(result.skipped))
    if result.skipped:
        return _("New cases imported: %(created)d; imported before and skipped: %(skipped)d.",
                 created=result.created, skipped=len(result.skipped))
    return _("New cases imported: %(created)d.", created=result.created)


@bp.route("/import", methods=["GET", "POST"])
@requires(*STAFF)
def hotline_import():
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the file exported from the 12345 hotline (.xlsx or .csv)."), "danger")
        return _page(status=400)
    result = import_hotline(upload.filename, upload.read(MAX_BYTES + 1), actor=current_user)
    if not result.ok:
        db.session.rollback()
        return _page(result, 400)
    db.session.commit()
    flash(_done_message(result), "success" if result.created else "info")
    return redirect(url_for("opinions.index", channel="hotline"))


@bp.get("/import/template.xlsx")
@requires(*STAFF)
def hotline_template():
    """An empty export with the expected column titles and one example row."""
    return send_file(io.BytesIO(template_workbook(active_categories())), as_attachment=True, mimetype=XLSX,
                     download_name=f"{g.town.slug}-12345-import-template.xlsx")
