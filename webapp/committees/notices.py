"""One-to-one supervision notices (督办): a committee issues a notice to a town of its
jurisdiction with a deadline; the town responds with its actions and evidence; the committee
accepts it or returns it. Every step is a line of the notice's history. Callers commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ..audit.services import record_platform
from ..extensions import db
from ..uploads import UploadRefused, check_upload
from .models import NoticeEvent, NoticeState, SupervisionNotice

TOPICS = ("cadence", "opinions", "findings", "other")


class NoticeError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def topic_labels() -> dict[str, Any]:
    return {"cadence": _l("Missed cadence"), "opinions": _l("Overdue opinions"), "findings": _l("Overdue findings"),
            "other": _l("Other")}


def state_labels() -> dict[str, Any]:
    return {"issued": _l("Waiting for the town"), "answered": _l("Answered, to decide"), "accepted": _l("Answer accepted, closed"),
            "returned": _l("Returned to the town")}


def issue(committee, town, *, actor, data: dict[str, str], today: date | None = None,
          nonce: str | None = None) -> SupervisionNotice:
    """Issue a notice. With a `nonce` already used by this committee, the notice issued with it
    is returned and nothing new is made (a double click, an API retry)."""
    today = today or date.today()
    nonce = (nonce or "").strip()[:64] or None
    if nonce:
        earlier = db.session.scalar(select(SupervisionNotice).where(SupervisionNotice.committee_id == committee.id,
                                                                    SupervisionNotice.nonce == nonce))
        if earlier is not None:
            return earlier
    subject, body = (data.get("subject") or "").strip(), (data.get("body") or "").strip()
    if data.get("topic") not in TOPICS:
        raise NoticeError(_l("Choose what the notice is about."), "topic")
    if not subject or len(subject) > 200:
        raise NoticeError(_l("Enter a subject (at most 200 characters)."), "subject")
    if not body:
        raise NoticeError(_l("Say what the town must do."), "body")
    try:
        due = date.fromisoformat(data.get("due_on") or "")
    except ValueError:
        raise NoticeError(_l("Enter a date such as 2026-11-30."), "due_on") from None
    if due <= today:
        raise NoticeError(_l("Give a deadline after today."), "due_on")
    notice = SupervisionNotice(committee_id=committee.id, town_id=town.id, topic=data["topic"], subject=subject,
                               body=body[:5000], due_on=due, state=NoticeState.issued,
                               issued_by=getattr(actor, "display_name", None), nonce=nonce)
    notice.events.append(NoticeEvent(action="issue", actor_name=notice.issued_by, note=body[:5000]))
    db.session.add(notice)
    db.session.flush()
    record_platform("notice.issue", actor=actor, town_id=town.id, committee_id=committee.id,
                    target=f"{subject[:100]} #{notice.id}")
    from jobs import enqueue_after_commit
    from jobs.notify import notice_arrived

    enqueue_after_commit(notice_arrived, town.id, notice.id, queue="notify", job_id=f"notice-{notice.id}")
    return notice


def _applied(notice: SupervisionNotice, nonce: str | None) -> bool:
    return bool(nonce) and db.session.scalar(select(exists().where(NoticeEvent.notice_id == notice.id,
                                                                   NoticeEvent.nonce == nonce)))


def respond(notice: SupervisionNotice, *, actor, actions: str, filename: str | None = None,
            content: bytes | None = None, nonce: str | None = None) -> bool:
    """The town's answer: what it did, with an optional evidence file. Returns False when the
    once-only `nonce` was applied already (nothing changes)."""
    nonce = (nonce or "").strip()[:64] or None
    if _applied(notice, nonce):
        return False
    if notice.state not in (NoticeState.issued, NoticeState.returned):
        raise NoticeError(_l("This notice is not waiting for an answer."), "actions")
    if not (actions or "").strip():
        raise NoticeError(_l("Describe what the town did."), "actions")
    event = NoticeEvent(action="respond", actor_name=getattr(actor, "display_name", None), note=actions.strip()[:5000],
                        nonce=nonce)
    if filename and content:
        try:
            event.mimetype = check_upload(filename, content)
        except UploadRefused as err:
            raise NoticeError(err.message, "file") from err
        event.filename, event.content = filename[-200:], content
    notice.events.append(event)
    notice.state = NoticeState.answered
    db.session.flush()
    record_platform("notice.respond", actor=actor, town_id=notice.town_id, committee_id=notice.committee_id,
                    target=f"{notice.subject[:100]} #{notice.id}")
    return True


def decide(notice: SupervisionNotice, *, actor, accept: bool, note: str, nonce: str | None = None) -> bool:
    """Accept or return an answered notice. Returns False when the once-only `nonce` was
    applied already."""
    nonce = (nonce or "").strip()[:64] or None
    if _applied(notice, nonce):
        return False
    if notice.state != NoticeState.answered:
        raise NoticeError(_l("Only an answered notice can be accepted or returned."), "note")
    if not accept and not (note or "").strip():
        raise NoticeError(_l("Say what is still missing."), "note")
    notice.events.append(NoticeEvent(action="accept" if accept else "return",
                                     actor_name=getattr(actor, "display_name", None), note=(note or "").strip() or None,
                                     nonce=nonce))
    notice.state = NoticeState.accepted if accept else NoticeState.returned
    db.session.flush()
    record_platform(f"notice.{'accept' if accept else 'return'}", actor=actor, town_id=notice.town_id,
                    committee_id=notice.committee_id, target=f"{notice.subject[:100]} #{notice.id}")
    return True


def notices_of(*, committee_id: int | None = None, town_id: int | None = None) -> list[SupervisionNotice]:
    query = select(SupervisionNotice).order_by(SupervisionNotice.created_at.desc(), SupervisionNotice.id.desc())
    if committee_id is not None:
        query = query.where(SupervisionNotice.committee_id == committee_id)
    if town_id is not None:
        query = query.where(SupervisionNotice.town_id == town_id)
    return list(db.session.scalars(query))
