"""Committees in the JSON API: a committee's token reads its jurisdiction's towns, rollups and
scorecards, and issues and decides one-to-one supervision notices; a town's staff read and
answer the notices sent to their town. Issuing, answering and deciding take an
`Idempotency-Key` header: a retry applies once (the answer says `Idempotent-Replayed`)."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import STAFF
from ..api.core import ApiError, api_route, field_error, load_body
from ..api.views import enter_api_town
from ..extensions import db
from .models import NoticeState, SupervisionNotice
from .notices import NoticeError, decide, issue, notices_of, respond
from .rollups import committee_rollups, previous_quarter, quarter_of, scorecard
from .schemas import (DecisionInputSchema, JurisdictionTownSchema, NoticeDetailSchema, NoticeInputSchema,
                      NoticeSchema, ResponseInputSchema, RollupSchema, ScorecardSchema)
from .scorecard_views import _parse
from .views import member_committee, towns_in

TAG = "committees"


def _enter(slug: str):
    committee = member_committee(slug)
    if committee is None:
        raise ApiError(404, "not_found", _("Not found."))
    g.committee = committee
    return committee


def _quarter(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = request.args.get(name)
    parsed = _parse(value, default)
    if value is not None and parsed == default and value.upper() != f"{default[0]}Q{default[1]}":
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {name: [_("Give a quarter such as 2026Q3.")]})
    return parsed


def _idempotency_key() -> str | None:
    return (request.headers.get("Idempotency-Key") or "").strip()[:64] or None


def _notice_data(notice: SupervisionNotice, slugs: dict[int, str], detail: bool = False) -> dict:
    data = {"id": notice.id, "committee": notice.committee.slug, "town": slugs.get(notice.town_id),
            "topic": notice.topic, "subject": notice.subject, "body": notice.body, "due_on": notice.due_on,
            "state": notice.state.value, "overdue": notice.overdue(date.today()), "issued_by": notice.issued_by,
            "created_at": notice.created_at}
    if detail:
        data["events"] = notice.events
        return NoticeDetailSchema().dump(data)
    return NoticeSchema().dump(data)


# --- the jurisdiction, rollups, scorecards ----------------------------------------------------------

@api_route("/c/<committee>/towns", summary="The towns of the committee's jurisdiction", tag=TAG,
           response_schema=JurisdictionTownSchema, many=True)
def committee_towns(committee: str):
    _enter(committee)
    rows = [{"slug": t.slug, "name": t.name, "name_en": t.name_en, "county": county.name, "status": t.status.value}
            for t, county in towns_in(g.committee)]
    return jsonify(JurisdictionTownSchema(many=True).dump(rows))


@api_route("/c/<committee>/rollups", summary="The towns' stored rollups for a quarter (?quarter=2026Q3, default "
           "this quarter; ?town=<slug> for one town): figures, provisional or frozen, computed when", tag=TAG,
           response_schema=RollupSchema, many=True)
def committee_rollups_api(committee: str):
    _enter(committee)
    year, quarter = _quarter("quarter", quarter_of(date.today()))
    towns = [t for t, _county in towns_in(g.committee)]
    only = request.args.get("town")
    if only is not None:
        towns = [t for t in towns if t.slug == only]
        if not towns:
            raise ApiError(404, "not_found", _("Not found."))
    rows = committee_rollups([t.id for t in towns], [(year, quarter)])
    out = [{"town": t.slug, "year": year, "quarter": quarter, "provisional": r.provisional, "frozen": r.frozen,
            "computed_at": r.computed_at, "figures": r.figures}
           for t in towns if (r := rows.get((t.id, year, quarter))) is not None]
    return jsonify(RollupSchema(many=True).dump(out))


@api_route("/c/<committee>/scorecard", summary="The compliance scorecard of every town for a quarter, best first "
           "(?quarter=2026Q3, ?compare=2026Q2): each expectation met / partly / missed, the score and "
           "red / amber / green; towns without a rollup last", tag=TAG, response_schema=ScorecardSchema)
def committee_scorecard_api(committee: str):
    _enter(committee)
    current = _quarter("quarter", quarter_of(date.today()))
    compare = _quarter("compare", previous_quarter(*current))
    towns = towns_in(g.committee)
    rows = committee_rollups([t.id for t, _c in towns], list({current, compare}))
    lines = []
    for town, county in towns:
        row, before = rows.get((town.id, *current)), rows.get((town.id, *compare))
        card = scorecard(row.figures) if row else {"items": [], "score": None, "rag": None}
        lines.append({"town": town.slug, "name": town.name, "county": county.name, **card,
                      "provisional": row.provisional if row else None, "computed_at": row.computed_at if row else None,
                      "compare_score": scorecard(before.figures)["score"] if before else None})
    lines.sort(key=lambda line: (line["score"] is None, -(line["score"] or 0), line["name"]))
    return jsonify(ScorecardSchema().dump({"quarter": f"{current[0]}Q{current[1]}",
                                           "compare": f"{compare[0]}Q{compare[1]}", "towns": lines}))


# --- notices: the committee's side ------------------------------------------------------------------

def _found(notice_id: int, *, committee_id: int | None = None, town_id: int | None = None) -> SupervisionNotice:
    """The notice if it is this committee's (or, on the town's side, sent to this town: notices
    are platform rows naming their town, so only the town's own are found); else the 404."""
    notice = db.session.get(SupervisionNotice, notice_id)
    if notice is None or (committee_id is not None and notice.committee_id != committee_id) or \
            (town_id is not None and notice.town_id != town_id):
        raise ApiError(404, "not_found", _("Not found."))
    return notice


def _committee_notice(notice_id: int) -> SupervisionNotice:
    return _found(notice_id, committee_id=g.committee.id)


def _slugs() -> dict[int, str]:
    return {t.id: t.slug for t, _county in towns_in(g.committee)}


@api_route("/c/<committee>/notices", summary="The committee's supervision notices, newest first "
           "(?state=issued|answered|accepted|returned)", tag=TAG, response_schema=NoticeSchema, many=True)
def committee_notices(committee: str):
    _enter(committee)
    rows = notices_of(committee_id=g.committee.id)
    state = request.args.get("state")
    if state:
        rows = [n for n in rows if n.state.value == state]
    slugs = _slugs()
    return jsonify([_notice_data(n, slugs) for n in rows])


@api_route("/c/<committee>/notices", method="POST", summary="Issue a notice to a town of the jurisdiction "
           "(topic cadence | opinions | findings | other; a deadline after today). Send Idempotency-Key to make a "
           "retry safe", tag=TAG, request_schema=NoticeInputSchema, response_schema=NoticeDetailSchema, status=201)
def issue_notice_api(committee: str):
    _enter(committee)
    data = load_body(NoticeInputSchema())
    town = next((t for t, _county in towns_in(g.committee) if t.slug == data["town"]), None)
    if town is None:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"town": [_("Choose a town of the jurisdiction.")]})
    key = _idempotency_key()
    known = key is not None and db.session.scalar(select(SupervisionNotice.id).where(
        SupervisionNotice.committee_id == g.committee.id, SupervisionNotice.nonce == key)) is not None
    try:
        notice = issue(g.committee, town, actor=current_user, nonce=key,
                       data={**data, "due_on": data["due_on"].isoformat()})
    except NoticeError as err:
        db.session.rollback()
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(_notice_data(notice, _slugs(), detail=True))
    response.status_code = 200 if known else 201
    response.headers["Location"] = url_for("api.committee_notice_api", committee=committee, notice_id=notice.id)
    response.headers["Idempotent-Replayed"] = "true" if known else "false"
    return response


@api_route("/c/<committee>/notices/<int:notice_id>", summary="One notice with its history", tag=TAG,
           response_schema=NoticeDetailSchema)
def committee_notice_api(committee: str, notice_id: int):
    _enter(committee)
    return jsonify(_notice_data(_committee_notice(notice_id), _slugs(), detail=True))


@api_route("/c/<committee>/notices/<int:notice_id>/decision", method="POST", summary="Accept the town's answer or "
           "return it (a note says what is missing). Send Idempotency-Key to make a retry safe", tag=TAG,
           request_schema=DecisionInputSchema, response_schema=NoticeDetailSchema)
def decide_notice_api(committee: str, notice_id: int):
    _enter(committee)
    notice = _committee_notice(notice_id)
    data = load_body(DecisionInputSchema())
    try:
        applied = decide(notice, actor=current_user, accept=data["decision"] == "accept", note=data.get("note") or "",
                         nonce=_idempotency_key())
    except NoticeError as err:
        db.session.rollback()
        if notice.state != NoticeState.answered:
            raise ApiError(409, "invalid_transition", str(err.message)) from err
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(_notice_data(notice, _slugs(), detail=True))
    response.headers["Idempotent-Replayed"] = "false" if applied else "true"
    return response


# --- notices: the town's side ------------------------------------------------------------------------

def _town_notice(notice_id: int) -> SupervisionNotice:
    return _found(notice_id, town_id=g.town.id)


def _town_slugs() -> dict[int, str]:
    return {g.town.id: g.town.slug}


@api_route("/t/<town>/notices", summary="The supervision notices the town has received, newest first", tag=TAG,
           response_schema=NoticeSchema, many=True)
def town_notices_api(town: str):
    enter_api_town(town)
    return jsonify([_notice_data(n, _town_slugs()) for n in notices_of(town_id=g.town.id)])


@api_route("/t/<town>/notices/<int:notice_id>", summary="One notice to the town, with its history", tag=TAG,
           response_schema=NoticeDetailSchema)
def town_notice_api(town: str, notice_id: int):
    enter_api_town(town)
    return jsonify(_notice_data(_town_notice(notice_id), _town_slugs(), detail=True))


@api_route("/t/<town>/notices/<int:notice_id>/response", method="POST", summary="Answer a notice (staff): what the "
           "town did, with an optional evidence file {filename, content_base64}. Send Idempotency-Key to make a "
           "retry safe", tag=TAG, request_schema=ResponseInputSchema, response_schema=NoticeDetailSchema)
def respond_notice_api(town: str, notice_id: int):
    enter_api_town(town, *STAFF)
    notice = _town_notice(notice_id)
    data = load_body(ResponseInputSchema())
    filename = content = None
    if data.get("evidence"):
        filename = data["evidence"]["filename"]
        try:
            content = base64.b64decode(data["evidence"]["content_base64"], validate=True)
        except (binascii.Error, ValueError) as err:
            raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                           {"evidence": [_("The file is not valid base64.")]}) from err
    try:
        applied = respond(notice, actor=current_user, actions=data["actions"], filename=filename, content=content,
                          nonce=_idempotency_key())
    except NoticeError as err:
        db.session.rollback()
        if err.field == "actions" and notice.state not in (NoticeState.issued, NoticeState.returned):
            raise ApiError(409, "invalid_transition", str(err.message)) from err
        raise field_error(err) from err
    db.session.commit()
    response = jsonify(_notice_data(notice, _town_slugs(), detail=True))
    response.headers["Idempotent-Replayed"] = "false" if applied else "true"
    return response
