"""Signing in and out, the password, API tokens, the language, and where `/` leads."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError
from sqlalchemy import select

from tenants.models import Town

from ..access import committees_of
from ..config import LOCALES
from ..extensions import db, limiter
from . import bp
from .models import ApiToken, TownMembership
from .schemas import LoginSchema, PasswordChangeSchema, TokenCreateSchema, clean_form, first_errors
from .services import AccountError, authenticate, change_password, issue_token, revoke_token


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts.home"))
    errors: dict[str, str] = {}
    form = {}
    if request.method == "POST":
        form = clean_form(request.form)
        try:
            data = LoginSchema().load(form)
        except ValidationError as err:
            errors = first_errors(err)
        else:
            user = authenticate(data["identifier"], data["password"])
            db.session.commit()
            if user is None:
                errors["form"] = _("The username, phone number or password is not correct.")
            else:
                chosen = session.get("lang")
                session.clear()  # a fresh session at sign-in (no fixation)
                login_user(user, remember=data["remember"])
                if chosen in LOCALES:
                    session["lang"] = user.locale = chosen
                    db.session.commit()
                elif user.locale in LOCALES:
                    session["lang"] = user.locale
                return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    status = 400 if errors else 200
    return render_template("accounts/login.html", errors=errors, form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def home():
    """Where a user lands: their only town or committee, or a list to choose from."""
    towns = list(db.session.scalars(
        select(Town).join(TownMembership, TownMembership.town_id == Town.id)
        .where(TownMembership.user_id == current_user.id).distinct().order_by(Town.name)
    ))
    committees = committees_of(current_user)
    destinations = len(towns) + len(committees) + (1 if current_user.is_operator else 0)
    if destinations == 1:
        if towns:
            return redirect(url_for("towns.home", town=towns[0].slug))
        if committees:
            return redirect(url_for("committees.home", committee=committees[0].slug))
        return redirect(url_for("admin.towns"))
    return render_template("accounts/home.html", towns=towns, committees=committees)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = PasswordChangeSchema().load(clean_form(request.form))
            change_password(current_user, current_password=data["current_password"],
                            new_password=data["new_password"])
        except ValidationError as err:
            errors = first_errors(err)
        except AccountError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            # the session token rotated: every other session is now invalid; keep this one
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.home"))
    return render_template("accounts/password.html", errors=errors), 400 if errors else 200


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    errors: dict[str, str] = {}
    new_secret = None
    if request.method == "POST":
        try:
            data = TokenCreateSchema().load(clean_form(request.form))
        except ValidationError as err:
            errors = first_errors(err)
        else:
            _, new_secret = issue_token(current_user, data["name"])
            db.session.commit()
    items = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("accounts/tokens.html", tokens=items, new_secret=new_secret, errors=errors), \
        400 if errors else 200


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if token.revoked_at is None:
        revoke_token(token, actor=current_user)
        db.session.commit()
    flash(_("The token %(name)s has been revoked.", name=token.name), "info")
    return redirect(url_for("accounts.tokens"))


@bp.post("/lang/<locale>")
def set_language(locale: str):
    """Switch the language (a form with the CSRF token, so another site cannot switch it)."""
    if locale not in LOCALES:
        abort(404)
    session["lang"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("accounts.home"))
