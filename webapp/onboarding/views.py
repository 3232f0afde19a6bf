"""`/onboard`: a town signs itself up with an invitation code from its committee (or an
operator), picks its template and makes its first station admin account; it is ready the
moment the form returns, and the admin lands on the first-run guide."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import login_user

from ..accounts.schemas import clean_form
from ..extensions import db, limiter
from . import bp
from .services import (OnboardingError, check_invitation, find_invitation, format_code, normalize_code, signup,
                       template_choices)


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _offer(code: str | None):
    """The invitation behind a code and the templates it offers (None, [] when unknown)."""
    from ..committees.models import Committee

    invitation = find_invitation(code) if normalize_code(code) else None
    if invitation is None or invitation.state(datetime.now(UTC)) != "open":
        return invitation, template_choices()
    committee = db.session.get(Committee, invitation.committee_id) if invitation.committee_id else None
    return invitation, template_choices(committee)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup_form():
    errors: dict[str, str] = {}
    problems: list = []
    form = clean_form(request.form) if request.method == "POST" else {"code": request.args.get("code", "")}
    invitation, templates = _offer(form.get("code"))
    if request.method == "GET" and form.get("code"):
        try:
            check_invitation(invitation)
        except OnboardingError as err:
            errors["code"] = str(err.message)
        else:
            form.setdefault("town_name", invitation.town_name or "")
            form.setdefault("template", invitation.template_key or templates[0].key)
    if request.method == "POST":
        try:
            town, user = signup(form)
        except OnboardingError as err:
            db.session.rollback()
            errors[err.field or "form"] = str(err.message)
            problems = [str(p) for p in err.problems[1:]]
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect(url_for("towns.welcome", town=town.slug, new=1))
    region = invitation.region if invitation is not None and "code" not in errors else None
    return render_template("onboarding/signup.html", form=form, errors=errors, problems=problems, region=region,
                           templates=templates, code=format_code(normalize_code(form.get("code")))), \
        400 if errors else 200
