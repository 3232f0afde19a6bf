"""Liaison (联络站云): the Flask application."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from . import config as config_module
from .extensions import babel, csrf, db, limiter, login_manager

_jobs_installed = False


def create_app(config: dict | None = None) -> Flask:
    instance = Path(os.environ.get("LIAISON_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))
    app = Flask(__name__, instance_path=str(instance))
    app.config.update(config_module.from_environment(instance))
    if config:
        app.config.update(config)
    # before anything asks for today's date: the towns' day, whatever the host's clock zone
    from .clock import use_timezone

    use_timezone(app.config["LIAISON_TIMEZONE"])

    from .i18n import label, localized, select_locale

    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)

    _install_jobs()
    _register_blueprints(app)
    _register_auth(app)
    _register_errors(app)
    _end_reads_with_commit(app)

    from .cli import register as register_cli

    register_cli(app)

    @app.context_processor
    def _template_globals():
        from jobs.notify import unread_count

        unread = 0
        if g.get("access") is not None and g.access.roles and current_user.is_authenticated:
            unread = unread_count(current_user.id)
        return {"localized": localized, "label": label, "current_locale": str(get_locale() or config_module.DEFAULT_LOCALE),
                "locales": config_module.LOCALES, "unread_count": unread}

    @app.get("/healthz")
    def healthz():
        db.session.execute(text("SELECT 1"))
        from jobs import redis_connection

        redis_connection().ping()
        return jsonify(status="ok")

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    return app


def _install_jobs() -> None:
    global _jobs_installed
    if not _jobs_installed:
        import jobs
        from tenants.binding import BoundSession

        jobs.install(BoundSession)
        _watch_writes(BoundSession)
        _jobs_installed = True


def _watch_writes(session_class) -> None:
    """Mark a session that wrote (flushed, or executed anything but a SELECT), for
    `_end_reads_with_commit`."""
    from sqlalchemy import event

    def wrote(session, *args) -> None:
        session.info["liaison_wrote"] = True

    def executed(state) -> None:
        if not state.is_select:
            state.session.info["liaison_wrote"] = True

    event.listen(session_class, "after_flush", wrote)
    event.listen(session_class, "do_orm_execute", executed)


def _end_reads_with_commit(app: Flask) -> None:
    """A GET or HEAD that wrote nothing ends its transaction with COMMIT, not the teardown's
    ROLLBACK: psycopg drops a connection's prepared statements on every ROLLBACK, so every
    page would parse and plan its statements again on each request (ADR 0008). Anything that
    may have written (a flush, pending changes, a statement other than a SELECT, jobs waiting
    for a commit) and any error end with ROLLBACK as before."""

    @app.teardown_request
    def _end_read(exc):
        if exc is not None or request.method not in ("GET", "HEAD"):
            return
        session = db.session()
        if (not session.in_transaction() or session.info.get("liaison_wrote") or session.new or session.dirty
                or session.deleted or session.info.get("liaison_jobs")):
            return
        try:
            session.commit()
        except Exception:  # a failed transaction: the teardown rolls it back as it always did
            app.logger.warning("could not end a read with COMMIT", exc_info=True)
            session.rollback()


def _register_blueprints(app: Flask) -> None:
    from . import (accounts, activities, admin, api, committees, deputies, evaluations, grids, onboarding, opinions,
                   projects, public, receptions, station, studios, towns)
    from .accounts import views as _accounts_views  # noqa: F401
    from .activities import api as _activity_api  # noqa: F401
    from .activities import views as _activity_views  # noqa: F401
    from .deputies import api as _deputy_api  # noqa: F401
    from .deputies import views as _deputy_views  # noqa: F401
    from .evaluations import api as _evaluation_api  # noqa: F401
    from .evaluations import file_sections as _evaluation_file_sections  # noqa: F401
    from .evaluations import views as _evaluation_views  # noqa: F401
    from .grids import api as _grid_api  # noqa: F401
    from .grids import views as _grid_views  # noqa: F401
    from .opinions import api as _opinion_api  # noqa: F401
    from .opinions import views as _opinion_views  # noqa: F401
    from .projects import api as _project_api  # noqa: F401
    from .projects import file_sections as _project_file_sections  # noqa: F401
    from .projects import views as _project_views  # noqa: F401
    from .public import views as _public_views  # noqa: F401
    from .receptions import api as _reception_api  # noqa: F401
    from .receptions import views as _reception_views  # noqa: F401
    from .station import api as _station_api  # noqa: F401
    from .station import views as _station_views  # noqa: F401
    from .studios import api as _studio_api  # noqa: F401
    from .studios import views as _studio_views  # noqa: F401
    from .admin import views as _admin_views  # noqa: F401
    from .api import views as _api_views  # noqa: F401
    from .committees import views as _committee_views  # noqa: F401
    from .committees import api as _committee_api  # noqa: F401
    from .towns import views as _town_views  # noqa: F401
    from .onboarding import views as _onboarding_views  # noqa: F401
    from .onboarding import town_views as _onboarding_town_views  # noqa: F401
    from .onboarding import committee_views as _onboarding_committee_views  # noqa: F401

    csrf.exempt(api.bp)  # the API checks CSRF itself for cookie sessions (api/core.py)
    for bp in (accounts.bp, towns.bp, activities.bp, deputies.bp, grids.bp, studios.bp, receptions.bp, station.bp,
               opinions.bp, projects.bp, evaluations.bp, public.bp, committees.bp, admin.bp, api.bp):
        app.register_blueprint(bp)
    app.register_blueprint(onboarding.bp, url_prefix="/onboard")
    # the export center (issue #9): /exports/, and starting exports under /t/<town>/ and /c/<committee>/
    from . import exports
    from .exports import views as _export_views  # noqa: F401

    for bp in (exports.bp, exports.town_bp, exports.committee_bp):
        app.register_blueprint(bp)


def _register_auth(app: Flask) -> None:
    from .accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        uid, _, token = user_id.partition(":")
        if not uid.isdigit():
            return None
        user = db.session.get(User, int(uid))
        if user is None or not user.is_active or user.session_token != token:
            return None  # a changed password (rotated token) ends the session here
        return user


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    from .api.core import http_error

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        db.session.rollback()
        if _wants_json():
            return http_error(err)
        if err.code == 401:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if err.code in (400, 403, 404, 405, 413, 429):
            return render_template("error.html", code=err.code), err.code
        return err

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        app.logger.exception("unhandled error")
        db.session.rollback()
        if app.config.get("PROPAGATE_EXCEPTIONS") or app.testing:
            raise err
        if _wants_json():
            from .api.core import error_response
            from flask_babel import gettext as _

            return error_response(500, "server_error", _("Something went wrong on our side. Please try again."))
        return render_template("error.html", code=500), 500
