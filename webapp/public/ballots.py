"""A ballot of the annual review's satisfaction vote, on a voter's phone: the QR slip handed
out on site opens this page; three big buttons; the ballot counts once.

The code is the ballot's only secret. Guessing codes is throttled like the opinion lookups
(PUBLIC_LOOKUP_RATE_LIMIT), but only unknown codes count against the address: a hall of
voters behind one Wi-Fi must not lock itself out while voting. What anyone holding a used
slip learns is that it was used, never how it voted."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db, limiter
from ..projects.models import Ballot, Vote
from ..projects.services import ProjectError, cast
from ..station.services import profile
from . import bp


def _lookup_limit() -> str:
    return current_app.config["PUBLIC_LOOKUP_RATE_LIMIT"]


def choice_labels() -> dict:
    return {"satisfied": _l("Satisfied"), "basically": _l("Basically satisfied"), "not_satisfied": _l("Not satisfied")}


def voter_labels() -> dict:
    return {"voters": _l("Voters' representatives"), "deputies": _l("People's congress deputies")}


def _ballot(token: str) -> Ballot:
    found = db.session.scalar(select(Ballot).where(Ballot.token == token)) if len(token) <= 40 else None
    if found is None:
        abort(404)
    return found


def _page(ballot: Ballot, *, state: str, error: str | None = None, status: int = 200):
    review = ballot.review
    return render_template("public/ballot.html", ballot=ballot, project=review.project, record=review.record,
                           state=state, error=error, choices=choice_labels(), voter=voter_labels()[ballot.voter.value],
                           station=profile()), status


def _state(ballot: Ballot) -> str:
    if ballot.vote is not None:
        return "used"
    return "closed" if ballot.review.closed else "open"


@bp.route("/ballot/<ballot_token>", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, scope="public-ballot", deduct_when=lambda response: response.status_code == 404)
def ballot(ballot_token: str):
    found = _ballot(ballot_token)
    if request.method == "GET":
        state = _state(found)
        return _page(found, state="cast" if state == "used" and request.args.get("cast") else state)
    state = _state(found)
    if state != "open":
        return _page(found, state=state, status=409)
    vote = request.form.get("vote", "")
    if vote not in Vote.__members__:
        return _page(found, state="open", error=_("Choose one of the three answers."), status=400)
    try:
        counted = cast(ballot_token, vote)
    except ProjectError as err:  # closed between the page and the tap
        db.session.rollback()
        return _page(_ballot(ballot_token), state="closed", error=str(err.message), status=409)
    db.session.commit()
    if not counted:  # another tap won the race: the first vote stands
        return _page(_ballot(ballot_token), state="used", status=409)
    return redirect(url_for(".ballot", ballot_token=ballot_token, cast=1), 303)
