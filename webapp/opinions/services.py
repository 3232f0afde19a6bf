"""The opinions ledger: intake, the state machine with its history, working-day deadlines,
urges (催办), the constituent's satisfaction. Callers commit.

Every change of state goes through `transition()`: it locks the opinion's row, refuses an
action the current state does not allow (with a message a busy clerk understands), applies
a form's once-only key at most once (a double click changes nothing the second time) and
writes one event into the opinion's history.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from ..audit.services import record_town
from ..extensions import db
from ..receptions.calendar import add_working_days, subtract_working_days
from ..uploads import PHOTOS, UploadRefused, check_upload
from .models import (Channel, Kind, Opinion, OpinionCategory, OpinionEvent, OpinionFile, ResponsibleUnit,
                     Satisfaction, State)

BEIJING = timezone(timedelta(hours=8))
DEFAULT_DEADLINE_DAYS = 15
DEFAULT_WARNING_DAYS = 3
MAX_EXTENSION_DAYS = 60
#: receipt codes: no 0/O, 1/I/L, so a code read over the phone is not misheard
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FEEDBACK_WAYS = ("phone", "visit", "in_person", "sms", "letter", "public_page")


class OpinionError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


@dataclass(frozen=True)
class Action:
    key: str
    sources: frozenset[State]
    #: the state it leads to; None keeps the state (an interim event)
    target: State | None


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("accept", frozenset({State.collected}), State.accepted),
    Action("merge", frozenset({State.collected}), State.merged),
    Action("decline", frozenset({State.collected}), State.out_of_scope),
    Action("assign", frozenset({State.accepted, State.reopened}), State.assigned),
    Action("reply", frozenset({State.assigned, State.in_progress}), State.in_progress),
    Action("request_extension", frozenset({State.assigned, State.in_progress}), None),
    Action("decide_extension", frozenset({State.assigned, State.in_progress}), None),
    Action("answer", frozenset({State.assigned, State.in_progress}), State.answered),
    Action("feedback", frozenset({State.answered}), State.feedback_given),
    Action("close", frozenset({State.feedback_given}), State.closed),
    Action("reopen", frozenset({State.closed}), State.reopened),
)}

#: the states in which the opinion is still the station's work
ACTIVE_STATES = (State.collected, State.accepted, State.assigned, State.in_progress, State.answered,
                 State.feedback_given, State.reopened)
#: states counted as resolved
RESOLVED_STATES = (State.answered, State.feedback_given, State.closed)


def action_labels() -> dict[str, Any]:
    return {
        "collect": _l("Collected"), "accept": _l("Accept"), "merge": _l("Merge as duplicate"),
        "decline": _l("Not in scope"), "assign": _l("Assign to a unit"), "reply": _l("Interim reply"),
        "request_extension": _l("Request an extension"), "decide_extension": _l("Decide the extension"),
        "answer": _l("Record the answer"), "feedback": _l("Give feedback"), "close": _l("Close"),
        "reopen": _l("Reopen"), "urge": _l("Urged"),
    }


def state_labels() -> dict[str, Any]:
    return {
        "collected": _l("Collected"), "accepted": _l("Accepted"), "merged": _l("Merged as duplicate"),
        "out_of_scope": _l("Not in scope"), "assigned": _l("Assigned"), "in_progress": _l("In progress"),
        "answered": _l("Answered"), "feedback_given": _l("Feedback given"), "closed": _l("Closed"),
        "reopened": _l("Reopened"),
    }


def allowed_actions(opinion: Opinion) -> list[str]:
    """What may be done to the opinion now (the page shows only these)."""
    out = [key for key, action in ACTIONS.items() if opinion.state in action.sources]
    if opinion.extension_days_requested is None:
        out = [a for a in out if a != "decide_extension"]
    else:
        out = [a for a in out if a != "request_extension"]
    if opinion.state == State.closed and opinion.satisfaction != Satisfaction.not_satisfied:
        out = [a for a in out if a != "reopen"]
    return out


# --- deadlines in working days -------------------------------------------------------------

def deadline_for(category: OpinionCategory | None, start: date) -> tuple[date, date]:
    """The due day and the day warnings start, counted in working days from `start`."""
    days = category.deadline_days if category else DEFAULT_DEADLINE_DAYS
    warning = category.warning_days if category else DEFAULT_WARNING_DAYS
    due = add_working_days(start, days)
    return due, subtract_working_days(due, warning)


def _moment(day: date | None) -> datetime | None:
    """When an event happened: now, unless it is recorded for an earlier day (a slip entered
    late, the demo's year), then that day at the station's opening hour."""
    if day is None or day >= date.today():
        return None  # the database's now()
    return datetime.combine(day, time(9, 0), tzinfo=BEIJING)


def _when(moment: datetime | None) -> dict:
    return {"created_at": moment} if moment is not None else {}


def dated(day: date | None) -> dict:
    """The `created_at` keyword for an event recorded for `day` (none when it is today)."""
    return _when(_moment(day))


# --- intake --------------------------------------------------------------------------------

def new_receipt_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not db.session.scalar(select(exists().where(Opinion.receipt_code == code))):
            return code


def new_receipt_codes(count: int) -> list[str]:
    """`count` distinct codes no opinion has yet, checked in one query."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(8)) for _ in range(count - len(codes))}
        taken = set(db.session.scalars(select(Opinion.receipt_code).where(Opinion.receipt_code.in_(wanted))))
        codes |= wanted - taken
    return sorted(codes)


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def create_opinion(*, actor, data: dict[str, Any], actor_name: str | None = None,
                   photos: list[tuple[str, bytes]] = ()) -> Opinion:
    """Record an opinion or a suggestion as collected. A constituent's opinion gets a receipt
    code (for the public form, and for the slip staff hand out at the reception desk)."""
    opinion = _build(actor, data, actor_name, photos, receipt_code=None)
    db.session.flush()
    _audit(actor, opinion)
    return opinion


def create_opinions(*, actor, rows: list[dict[str, Any]], actor_name: str | None = None) -> list[Opinion]:
    """Many opinions in one flush (an import): receipt codes drawn together, inserts batched."""
    codes = new_receipt_codes(sum(1 for data in rows if data.get("kind", Kind.opinion) == Kind.opinion))
    made = [_build(actor, data, actor_name, (), receipt_code=codes.pop() if data.get("kind", Kind.opinion)
                   == Kind.opinion else None) for data in rows]
    db.session.flush()
    for opinion in made:
        _audit(actor, opinion)
    return made


def _audit(actor, opinion: Opinion) -> None:
    record_town(f"{opinion.kind.value}.create", actor=actor, target=f"{opinion.title[:100]} #{opinion.id}",
                details={"channel": opinion.channel.value})


def _build(actor, data: dict[str, Any], actor_name: str | None, photos, *, receipt_code: str | None) -> Opinion:
    kind = data.get("kind", Kind.opinion)
    category = None
    if data.get("category_id") is not None:
        category = db.session.get(OpinionCategory, data["category_id"])
        if category is None or not category.active:
            raise OpinionError(_l("Choose what the opinion is about."), "category_id")
    for key, model, message in (("deputy_id", "Deputy", _l("Choose a deputy.")),
                                ("grid_id", "Grid", _l("Choose a grid.")),
                                ("reception_day_id", "ReceptionDay", _l("Choose a reception day.")),
                                ("activity_id", "Activity", _l("Choose an activity."))):
        if data.get(key) is not None and db.session.get(_model(model), data[key]) is None:
            raise OpinionError(message, key)
    if kind == Kind.suggestion and data.get("deputy_id") is None:
        raise OpinionError(_l("Choose the deputy who files the suggestion."), "deputy_id")
    opinion = Opinion(
        kind=kind, channel=data["channel"], received_on=data.get("received_on") or date.today(),
        title=data["title"], text=data["text"], category=category,
        constituent_name=data.get("constituent_name"), constituent_phone=data.get("constituent_phone"),
        village=data.get("village"), grid_id=data.get("grid_id"), deputy_id=data.get("deputy_id"),
        reception_day_id=data.get("reception_day_id"), activity_id=data.get("activity_id"),
        hotline_case_no=data.get("hotline_case_no"), congress_level=data.get("congress_level"),
        state=State.collected,
    )
    if opinion.channel == Channel.reception_day and opinion.reception_day_id is None:
        from ..receptions.models import ReceptionDay

        opinion.reception_day_id = db.session.scalar(select(ReceptionDay.id).where(
            ReceptionDay.day == opinion.received_on))
    if kind == Kind.opinion:
        opinion.receipt_code = receipt_code or new_receipt_code()
    if data.get("seconder_ids"):
        from ..deputies.models import Deputy

        opinion.seconders = list(db.session.scalars(select(Deputy).where(
            Deputy.id.in_(data["seconder_ids"]), Deputy.id != opinion.deputy_id)))
    db.session.add(opinion)
    for filename, content in photos:
        add_file(opinion, filename=filename, content=content, actor=None, photos_only=True)
    opinion.events.append(OpinionEvent(action="collect", from_state=None, to_state=State.collected.value,
                                       actor_id=getattr(actor, "id", None),
                                       actor_name=actor_name or getattr(actor, "display_name", None),
                                       data={"channel": opinion.channel.value},
                                       **_when(_moment(opinion.received_on))))
    return opinion


def _model(name: str):
    from ..activities.models import Activity
    from ..deputies.models import Deputy
    from ..grids.models import Grid
    from ..receptions.models import ReceptionDay

    return {"Deputy": Deputy, "Grid": Grid, "ReceptionDay": ReceptionDay, "Activity": Activity}[name]


def add_file(opinion: Opinion, *, filename: str, content: bytes, actor, photos_only: bool = False) -> OpinionFile:
    try:
        mimetype = check_upload(filename, content, kinds=PHOTOS if photos_only else None)
    except UploadRefused as err:
        raise OpinionError(err.message, "photos") from err
    stored = OpinionFile(filename=filename[-200:], mimetype=mimetype, size=len(content), content=content)
    opinion.files.append(stored)
    if actor is not None:
        record_town("opinion.file", actor=actor, target=f"{opinion.title[:100]} #{opinion.id}",
                    details={"file": filename[-100:], "bytes": len(content)})
    return stored


# --- the state machine ---------------------------------------------------------------------

def lock(opinion_id: int) -> Opinion | None:
    """The opinion, its row locked until the transaction ends (two clicks queue up here)."""
    return db.session.scalar(select(Opinion).where(Opinion.id == opinion_id).with_for_update()
                             .execution_options(populate_existing=True))


def transition(opinion: Opinion, action: str, *, actor=None, actor_name: str | None = None,
               data: dict[str, Any] | None = None, nonce: str | None = None, today: date | None = None) -> bool:
    """Apply `action` to the opinion. Returns False when the once-only `nonce` was applied
    already (nothing changes); raises OpinionError when the action is not allowed now or
    its input is incomplete."""
    data = data or {}
    at = _moment(today)
    today = today or date.today()
    spec = ACTIONS.get(action)
    if spec is None:
        raise OpinionError(_l("Unknown action."), "action")
    locked = lock(opinion.id)
    if locked is None:
        raise OpinionError(_l("Not found."), "action")
    opinion = locked
    if nonce and db.session.scalar(select(exists().where(OpinionEvent.opinion_id == opinion.id,
                                                         OpinionEvent.nonce == nonce))):
        return False
    if opinion.state not in spec.sources or action not in allowed_actions(opinion):
        raise OpinionError(_refusal(opinion, action), "action")
    before = opinion.state
    note = (data.get("note") or "").strip() or None
    details: dict[str, Any] = {}
    handler = _HANDLERS.get(action)
    if handler is not None:
        details = handler(opinion, data, note, today) or {}
    if spec.target is not None:
        opinion.state = spec.target
    name = actor_name or getattr(actor, "display_name", None)
    # added, not appended to opinion.events: appending would load the whole history first
    db.session.add(OpinionEvent(opinion_id=opinion.id, action=action, from_state=before.value,
                                to_state=opinion.state.value, actor_id=getattr(actor, "id", None), actor_name=name,
                                note=note, data=details, nonce=nonce or None, **_when(at)))
    db.session.flush()
    record_town(f"{opinion.kind.value}.{action}", actor=actor, target=f"{opinion.title[:100]} #{opinion.id}",
                details={"from": before.value, "to": opinion.state.value, **details})
    return True


def _refusal(opinion: Opinion, action: str):
    state = state_labels()[opinion.state.value]
    verb = action_labels()[action]
    if action == "reopen" and opinion.state == State.closed:
        return _l("Only an opinion closed as not satisfied can be reopened.")
    if action == "decide_extension" and opinion.state in ACTIONS[action].sources:
        return _l("No extension has been requested.")
    if action == "request_extension" and opinion.state in ACTIONS[action].sources:
        return _l("An extension has already been requested; decide it first.")
    return _l("An opinion that is “%(state)s” cannot take the step “%(action)s”.", state=state, action=verb)


def _need(data: dict, key: str, message) -> Any:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise OpinionError(message, key)
    return value.strip() if isinstance(value, str) else value


def _accept(opinion, data, note, today):
    if data.get("category_id") is not None:
        category = db.session.get(OpinionCategory, data["category_id"])
        if category is None:
            raise OpinionError(_l("Choose what the opinion is about."), "category_id")
        opinion.category = category
    return {}


def _merge(opinion, data, note, today):
    target_id = _need(data, "merged_into_id", _l("Enter the number of the opinion this one repeats."))
    target = db.session.get(Opinion, target_id)
    if target is None or target.id == opinion.id or target.kind != opinion.kind or target.state == State.merged:
        raise OpinionError(_l("Enter the number of another opinion that is not itself merged."), "merged_into_id")
    opinion.merged_into_id = target.id
    opinion.reason = note
    return {"merged_into": target.id}


def _decline(opinion, data, note, today):
    if not note:
        raise OpinionError(_l("Say why the opinion is not in scope."), "note")
    opinion.reason = note
    return {}


def _assign(opinion, data, note, today):
    unit = db.session.get(ResponsibleUnit, _need(data, "unit_id", _l("Choose the responsible unit.")))
    if unit is None or not unit.active:
        raise OpinionError(_l("Choose the responsible unit."), "unit_id")
    due, warn = deadline_for(opinion.category, today)
    if data.get("due_on") is not None:
        if data["due_on"] <= today:
            raise OpinionError(_l("The deadline must be after today."), "due_on")
        due = data["due_on"]
        warn = subtract_working_days(due, opinion.category.warning_days if opinion.category else
                                     DEFAULT_WARNING_DAYS)
    opinion.unit, opinion.assigned_on, opinion.due_on, opinion.warn_on = unit, today, due, warn
    opinion.extension_days_requested = None
    return {"unit": unit.name, "due_on": due.isoformat()}


def _reply(opinion, data, note, today):
    if not note:
        raise OpinionError(_l("Enter what the unit reported."), "note")
    return {}


def _request_extension(opinion, data, note, today):
    days = data.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise OpinionError(_l("Enter between 1 and %(n)d working days.", n=MAX_EXTENSION_DAYS), "days")
    if not note:
        raise OpinionError(_l("Say why the unit needs more time."), "note")
    opinion.extension_days_requested = days
    return {"days": days}


def _decide_extension(opinion, data, note, today):
    approve = data.get("approve")
    if approve is None:
        raise OpinionError(_l("Approve or refuse the extension."), "approve")
    days = opinion.extension_days_requested
    opinion.extension_days_requested = None
    if approve:
        opinion.due_on = add_working_days(opinion.due_on or today, days)
        opinion.warn_on = subtract_working_days(opinion.due_on, opinion.category.warning_days if opinion.category
                                                else DEFAULT_WARNING_DAYS)
    return {"days": days, "approved": bool(approve), "due_on": opinion.due_on.isoformat() if opinion.due_on else None}


def _answer(opinion, data, note, today):
    opinion.answer = _need(data, "answer", _l("Enter the unit's answer."))
    opinion.answered_on = today
    opinion.extension_days_requested = None
    return {"on_time": opinion.due_on is None or today <= opinion.due_on}


def _feedback(opinion, data, note, today):
    how = _need(data, "how", _l("Choose how the answer was passed on."))
    if how not in FEEDBACK_WAYS:
        raise OpinionError(_l("Choose how the answer was passed on."), "how")
    opinion.feedback_by = _need(data, "by", _l("Enter who passed the answer on."))[:32]
    opinion.feedback_how, opinion.feedback_on = how, today
    return {"by": opinion.feedback_by, "how": how}


def _close(opinion, data, note, today):
    value = data.get("satisfaction")
    try:
        satisfaction = Satisfaction(value)
    except ValueError:
        raise OpinionError(_l("Choose how satisfied the constituent is."), "satisfaction") from None
    opinion.satisfaction, opinion.closed_on = satisfaction, today
    opinion.rated_by = data.get("rated_by") or "staff"
    return {"satisfaction": satisfaction.value, "rated_by": opinion.rated_by}


def _reopen(opinion, data, note, today):
    if not note:
        raise OpinionError(_l("Say what is still not solved."), "note")
    opinion.reason = note
    opinion.closed_on = None
    return {}


_HANDLERS = {"accept": _accept, "merge": _merge, "decline": _decline, "assign": _assign, "reply": _reply,
             "request_extension": _request_extension, "decide_extension": _decide_extension, "answer": _answer,
             "feedback": _feedback, "close": _close, "reopen": _reopen}


def rate(opinion: Opinion, satisfaction: str, *, by: str, actor=None, actor_name: str | None = None,
         nonce: str | None = None, today: date | None = None) -> bool:
    """The constituent (public page) or the deputy (their suggestion) rates the answer: an
    answer not yet passed on counts as passed on through the page, then the opinion closes."""
    if opinion.state == State.answered:
        transition(opinion, "feedback", actor=actor, actor_name=actor_name, today=today,
                   data={"how": "public_page" if by == "constituent" else "in_person",
                         "by": (actor_name or getattr(actor, "display_name", None) or "—")},
                   nonce=f"{nonce}:feedback" if nonce else None)
    if opinion.state != State.feedback_given:
        if nonce and db.session.scalar(select(exists().where(OpinionEvent.opinion_id == opinion.id,
                                                             OpinionEvent.nonce == nonce))):
            return False
        raise OpinionError(_l("The answer can be rated once the unit has answered."), "satisfaction")
    return transition(opinion, "close", actor=actor, actor_name=actor_name, today=today, nonce=nonce,
                      data={"satisfaction": satisfaction, "rated_by": by})


# --- lists ---------------------------------------------------------------------------------

def overdue_query(today: date):
    return select(Opinion).where(Opinion.state.in_((State.assigned, State.in_progress)), Opinion.due_on < today)


def nearly_due_query(today: date):
    return select(Opinion).where(Opinion.state.in_((State.assigned, State.in_progress)),
                                 Opinion.warn_on <= today, Opinion.due_on >= today)


def filtered(query, args: dict[str, Any], today: date | None = None):
    """The list's filters (the page's query string and the API's share this)."""
    today = today or date.today()
    if args.get("state"):
        query = query.where(Opinion.state == args["state"])
    if args.get("channel"):
        query = query.where(Opinion.channel == args["channel"])
    for key in ("category_id", "unit_id", "deputy_id", "reception_day_id"):
        if args.get(key):
            query = query.where(getattr(Opinion, key) == args[key])
    if args.get("due") == "overdue":
        query = query.where(Opinion.state.in_((State.assigned, State.in_progress)), Opinion.due_on < today)
    elif args.get("due") == "soon":
        query = query.where(Opinion.state.in_((State.assigned, State.in_progress)), Opinion.warn_on <= today,
                            Opinion.due_on >= today)
    if args.get("year"):
        query = query.where(Opinion.received_on.between(date(args["year"], 1, 1), date(args["year"], 12, 31)))
    if args.get("q"):
        term = args["q"]
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Chinese has no case: LIKE finds the same rows three times faster than ILIKE, which
        # case-folds every character it reads (tests/bench/bench_opinions.py)
        match = (lambda column: column.like(like)) if term.lower() == term.upper() else (lambda column: column.ilike(like))
        query = query.where(or_(match(Opinion.title), match(Opinion.text),
                                match(Opinion.constituent_name), match(Opinion.village),
                                Opinion.receipt_code == normalize_code(args["q"]),
                                Opinion.hotline_case_no == args["q"].strip()))
    return query


def open_count_by_unit() -> dict[int, int]:
    return dict(db.session.execute(select(Opinion.unit_id, func.count()).where(
        Opinion.state.in_((State.assigned, State.in_progress))).group_by(Opinion.unit_id)).all())


# --- urges (催办) -----------------------------------------------------------------------------

def urge_due(town, today: date) -> int:
    """Urge every overdue or nearly-due opinion once for `today`: an urge row (unique per
    opinion and day), an event in its history, and a notice to the town's staff and to the
    receiving deputy through the in-app channel. A second run the same day finds the urge
    rows there and tells nobody again. Returns how many opinions were urged."""
    from sqlalchemy.dialects.postgresql import insert

    from jobs.notify import deliver

    from ..accounts.models import TownMembership, TownRole
    from ..deputies.models import Deputy
    from .models import OpinionUrge

    due = db.session.scalars(
        select(Opinion).where(Opinion.state.in_((State.assigned, State.in_progress)),
                              or_(Opinion.due_on < today, Opinion.warn_on <= today))
        .order_by(Opinion.due_on, Opinion.id)).all()
    if not due:
        return 0
    staff = sorted(set(db.session.scalars(select(TownMembership.user_id).where(
        TownMembership.town_id == town.id, TownMembership.role.in_((TownRole.station_admin, TownRole.staff))))))
    deputy_users = dict(db.session.execute(select(Deputy.id, Deputy.user_id).where(
        Deputy.id.in_({o.deputy_id for o in due if o.deputy_id}), Deputy.user_id.is_not(None))).all())
    urged = 0
    for opinion in due:
        reason = "overdue" if opinion.due_on < today else "warning"
        new = db.session.execute(
            insert(OpinionUrge).values(opinion_id=opinion.id, day=today, reason=reason, unit_id=opinion.unit_id)
            .on_conflict_do_nothing(index_elements=["opinion_id", "day"]).returning(OpinionUrge.id)).scalar()
        if new is None:
            continue
        unit = opinion.unit.name if opinion.unit else "—"
        if reason == "overdue":
            title = _l("Overdue: %(title)s (No. %(id)d)", title=opinion.title[:40], id=opinion.id)
            body = _l("%(unit)s was to answer by %(due)s. Urge the unit today.", unit=unit,
                      due=opinion.due_on.isoformat())
        else:
            title = _l("Due soon: %(title)s (No. %(id)d)", title=opinion.title[:40], id=opinion.id)
            body = _l("%(unit)s must answer by %(due)s.", unit=unit, due=opinion.due_on.isoformat())
        recipients = list(staff)
        if opinion.deputy_id in deputy_users and deputy_users[opinion.deputy_id] not in recipients:
            recipients.append(deputy_users[opinion.deputy_id])
        link = f"/t/{town.slug}/opinions/{opinion.id}"
        sent = sum(deliver(user_id=user_id, kind="urge", dedupe_key=f"urge:{opinion.id}:{today.isoformat()}:{user_id}",
                           title=str(title), body=str(body), link=link) for user_id in recipients)
        db.session.execute(OpinionUrge.__table__.update().where(OpinionUrge.id == new).values(notified=sent))
        db.session.add(OpinionEvent(opinion_id=opinion.id, action="urge", from_state=opinion.state.value,
                                    to_state=opinion.state.value, actor_name=str(_l("Daily reminder")), note=str(body),
                                    data={"reason": reason, "notified": sent}, **_when(_moment(today))))
        urged += 1
    db.session.flush()
    return urged
