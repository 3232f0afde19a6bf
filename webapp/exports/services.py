"""The export center's rules: asking for an export (once per form), who sees and downloads it,
retrying one that failed, building it (the job's body) and deleting expired files.

A file is built into a temporary file beside its final place and renamed over it when
complete, so a download never sees half a file; the row is marked done only after the
rename. Running the build again for a finished export does nothing; for an unfinished one
(a killed worker, an error) it builds the whole file again."""

from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import CommitteeMembership, TownMembership, User
from ..config import DEFAULT_LOCALE, LOCALES
from ..extensions import db
from .kinds import ExportError, ExportKind, Job, get_kind
from .models import Export, ExportState

log = logging.getLogger("liaison.exports")

#: how long a queued export may wait without its job in Redis before it counts as lost
LOST_AFTER = timedelta(minutes=2)
#: a temporary file this old belongs to a build that died
STALE_PART = timedelta(hours=6)
#: the advisory lock (with the export's id) that lets one worker at a time build an export
LOCK_CLASS = 0x4C5845  # "LXE"


def job_id(export_id: int) -> str:
    return f"export-{export_id}"


def export_dir() -> Path:
    path = Path(current_app.config["EXPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_of(export: Export) -> Path | None:
    """The finished file, if the export is done and the file is still there."""
    if export.state != ExportState.done or not export.path:
        return None
    base = export_dir().resolve()
    path = (base / export.path).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


# --- who may ask, see and download -------------------------------------------------------------

def town_roles(user: User, town_id: int) -> set:
    return set(db.session.scalars(select(TownMembership.role).where(TownMembership.user_id == user.id,
                                                                     TownMembership.town_id == town_id)))


def committee_member(user: User, committee_id: int) -> bool:
    return db.session.scalar(select(CommitteeMembership.id).where(
        CommitteeMembership.user_id == user.id, CommitteeMembership.committee_id == committee_id)) is not None


def may_ask(user: User, kind: ExportKind, *, town_id: int | None = None, committee_id: int | None = None) -> bool:
    if kind.scope == "town":
        return town_id is not None and bool(town_roles(user, town_id) & kind.roles)
    return committee_id is not None and committee_member(user, committee_id)


def may_see(user: User, export: Export) -> bool:
    """A committee's export: any member of the committee. A town's export: the person who asked,
    while they still hold a role that may ask for it (someone who left the town loses it)."""
    kind = get_kind(export.kind)
    if export.committee_id is not None:
        return committee_member(user, export.committee_id)
    if export.requested_by != user.id:
        return False
    if kind is None:  # a kind no longer built: its files stay theirs until they expire
        return bool(town_roles(user, export.town_id))
    return may_ask(user, kind, town_id=export.town_id)


def visible_exports(user: User, limit: int = 100) -> list[Export]:
    """The exports `user` may see (the same rule as may_see, with their memberships read once),
    newest first: their own, and their committees'."""
    committees = set(db.session.scalars(select(CommitteeMembership.committee_id)
                                        .where(CommitteeMembership.user_id == user.id)))
    roles: dict[int, set] = {}
    for town_id, role in db.session.execute(select(TownMembership.town_id, TownMembership.role)
                                            .where(TownMembership.user_id == user.id)):
        roles.setdefault(town_id, set()).add(role)
    query = (select(Export).where(or_(Export.requested_by == user.id, Export.committee_id.in_(committees)))
             .order_by(Export.created_at.desc(), Export.id.desc()).limit(limit))
    out = []
    for export in db.session.scalars(query):
        if export.committee_id is not None:
            seen = export.committee_id in committees
        else:
            kind = get_kind(export.kind)
            held = roles.get(export.town_id, set())
            seen = bool(held & kind.roles) if kind is not None else bool(held)
        if seen:
            out.append(export)
    return out


# --- asking, retrying --------------------------------------------------------------------------

def request_export(kind_name: str, *, actor: User, form: dict[str, Any], town_id: int | None = None,
                   committee_id: int | None = None, nonce: str | None = None, locale: str | None = None) -> Export:
    """Ask for an export: check who asks and what, add the row, enqueue the job after commit.
    With a `nonce` this person used already, the export made with it is returned and nothing
    is added (a double-clicked button makes one export). Raises ExportError for bad input."""
    kind = get_kind(kind_name)
    if kind is None:
        raise ExportError(_("There is no such export."), "kind")
    if (kind.scope == "town") != (town_id is not None and committee_id is None):
        raise ValueError(f"{kind.name} belongs to a {kind.scope}")
    if not may_ask(actor, kind, town_id=town_id, committee_id=committee_id):
        raise PermissionError(kind.name)
    nonce = (nonce or "").strip()[:64] or None
    if nonce:
        found = db.session.scalar(select(Export).where(Export.requested_by == actor.id, Export.nonce == nonce))
        if found is not None:
            return found
    params = kind.parse(form)
    params["locale"] = locale if locale in LOCALES else DEFAULT_LOCALE
    export = Export(kind=kind.name, params=params, requested_by=actor.id, town_id=town_id, committee_id=committee_id,
                    state=ExportState.queued, step=_("Waiting for a worker"), percent=0, nonce=nonce,
                    path=f"{secrets.token_hex(12)}{kind.suffix}", attempts=0)
    try:
        with db.session.begin_nested():
            db.session.add(export)
            db.session.flush()
    except IntegrityError:  # the same nonce from a second, simultaneous request
        found = db.session.scalar(select(Export).where(Export.requested_by == actor.id, Export.nonce == nonce))
        if found is None:
            raise
        return found
    _enqueue(export, kind)
    return export


def _enqueue(export: Export, kind: ExportKind) -> None:
    from rq import Retry

    from jobs import enqueue_after_commit
    from jobs.exports import run_export

    enqueue_after_commit(run_export, export.id, queue="exports", job_id=job_id(export.id), retry=Retry(max=2),
                         job_timeout=kind.timeout, result_ttl=86400, failure_ttl=7 * 86400)


def retry_export(export: Export, *, actor: User) -> bool:
    """Queue a failed export again (the same file, built afresh). Returns False, changing
    nothing, if it has not failed (a second click, or it is already running again)."""
    kind = get_kind(export.kind)
    if export.state != ExportState.failed or kind is None:
        return False
    _forget_job(export.id)
    export.state, export.percent, export.error = ExportState.queued, 0, None
    with force_locale(export.params.get("locale") or DEFAULT_LOCALE):
        export.step = _("Waiting for a worker")
    export.finished_at = None
    db.session.flush()
    _enqueue(export, kind)
    return True


def _forget_job(export_id: int) -> None:
    """Remove the failed job's record, so that the retry is enqueued under the same id afresh."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    from jobs import redis_connection

    try:
        RQJob.fetch(job_id(export_id), connection=redis_connection()).delete()
    except NoSuchJobError:
        pass


def settle(export: Export, now: datetime | None = None) -> bool:
    """An export still waiting or running whose job is gone from Redis or failed for good (its
    retries spent, a worker killed once too often) is marked failed, so that it can be retried.
    Returns whether it changed (the caller commits)."""
    from jobs import redis_connection

    if not export.active:
        return False
    now = now or datetime.now(UTC)
    if export.created_at and now - export.created_at < LOST_AFTER and export.state == ExportState.queued:
        return False  # the job is enqueued right after the commit that made the row
    try:
        status = redis_connection().hget(f"rq:job:{job_id(export.id)}", "status")
    except Exception:  # Redis away: say nothing rather than fail the page
        return False
    status = status.decode() if status else None
    if status not in (None, "failed", "canceled", "stopped"):
        return False
    if status is None and export.started_at and now - export.started_at < LOST_AFTER:
        return False
    export.state = ExportState.failed
    export.error = export.error or f"job {status or 'lost'}"
    export.finished_at = now
    return True


# --- building (the job's body) -----------------------------------------------------------------

class RowProgress:
    """Reports progress into the job's meta and the export's row (its own short transaction,
    so the page sees it at once); at most a few row updates a second."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self.last: tuple[int, float] = (-1, 0.0)

    def __call__(self, done: int, total: int, step: str = "") -> None:
        from jobs import progress

        progress(done, total, str(step))
        percent = min(99, int(100 * done / total)) if total else 0  # 100 is for the finished file
        now = time.monotonic()
        if percent == self.last[0] and now - self.last[1] < 1.0:
            return
        self.last = (percent, now)
        with db.engine.begin() as conn:
            conn.execute(update(Export).where(Export.id == self.export_id, Export.state == ExportState.running)
                         .values(percent=percent, step=str(step)[:200]))


def build(export_id: int) -> str:
    """Build the export's file (inside an app context, unbound). Idempotent: a finished or
    expired export is left alone; otherwise the whole file is built again into a temporary
    file and renamed into place, then the row is marked done. One worker at a time builds an
    export (a PostgreSQL advisory lock, released if the worker dies). Returns what happened."""
    export = db.session.get(Export, export_id)
    if export is None:
        return "missing"
    if export.state in (ExportState.done, ExportState.expired):
        return "unchanged"
    kind = get_kind(export.kind)
    if kind is None:
        raise LookupError(f"unknown export kind {export.kind}")
    with db.engine.connect() as lock:
        if not lock.execute(text("SELECT pg_try_advisory_lock(:c, :i)"), {"c": LOCK_CLASS, "i": export_id}).scalar():
            return "busy"  # another worker is building it right now
        lock.commit()
        try:
            return _build_locked(export_id, kind)
        finally:
            try:
                lock.execute(text("SELECT pg_advisory_unlock(:c, :i)"), {"c": LOCK_CLASS, "i": export_id})
                lock.commit()
            except Exception:  # a lost connection has released the lock already; keep the build's own error
                log.warning("could not release the lock of export %s", export_id, exc_info=True)


def _build_locked(export_id: int, kind: ExportKind) -> str:
    from rq import get_current_job

    db.session.expire_all()
    export = db.session.get(Export, export_id)
    if export.state in (ExportState.done, ExportState.expired):  # finished while we waited for the lock
        return "unchanged"
    job = Job(export.id, export.kind, dict(export.params), export.town_id, export.committee_id, export.requested_by)
    directory = export_dir()
    final = directory / export.path
    locale = job.locale
    with force_locale(locale):
        starting = _("Starting")
    export.state, export.percent, export.step = ExportState.running, 0, starting
    export.attempts += 1
    export.started_at, export.finished_at, export.error = datetime.now(UTC), None, None
    db.session.commit()
    for stale in directory.glob(f".{final.name}.*.part"):  # an earlier try's, killed mid-way
        stale.unlink(missing_ok=True)
    partial = directory / f".{final.name}.{secrets.token_hex(4)}.part"
    try:
        with partial.open("wb") as out:
            filename = kind.build(job, out, RowProgress(export_id))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        db.session.rollback()
        current = get_current_job()
        again = current is not None and (current.retries_left or 0) > 0
        with force_locale(locale):
            step = _("Failed; trying again") if again else _("Failed to build")
        values: dict[str, Any] = {"state": ExportState.queued if again else ExportState.failed, "step": step,
                                  "error": f"{type(exc).__name__}: {exc}"[:2000]}
        if not again:
            values["finished_at"] = datetime.now(UTC)
        with db.engine.begin() as conn:
            conn.execute(update(Export).where(Export.id == export_id).values(**values))
        raise
    now = datetime.now(UTC)
    keep = timedelta(days=int(current_app.config.get("EXPORT_KEEP_DAYS", 7)))
    with db.engine.begin() as conn:  # one statement: the row says done only once the file is whole
        conn.execute(update(Export).where(Export.id == export_id).values(
            state=ExportState.done, percent=100, step=None, filename=filename[:200], size=final.stat().st_size,
            finished_at=now, expires_at=now + keep, error=None))
    db.session.expire_all()
    log.info("export %s built: %s, %d bytes", export_id, filename, final.stat().st_size)
    return "built"


# --- retention -------------------------------------------------------------------------------------

def cleanup(now: datetime | None = None) -> dict[str, int]:
    """Delete the files of exports past their expiry (the row stays, marked expired, for the
    list), temporary files of builds that died, and settle exports whose job is lost.
    Idempotent. Returns counts."""
    now = now or datetime.now(UTC)
    directory = export_dir()
    expired = 0
    for export in db.session.scalars(select(Export).where(Export.state == ExportState.done,
                                                          Export.expires_at < now)):
        if export.path:
            (directory / export.path).unlink(missing_ok=True)
        export.state, export.step = ExportState.expired, None
        expired += 1
    settled = sum(settle(e, now) for e in db.session.scalars(
        select(Export).where(Export.state.in_((ExportState.queued, ExportState.running)),
                             Export.created_at < now - LOST_AFTER)))
    db.session.commit()
    parts = 0
    for partial in directory.glob(".*.part"):
        try:
            if now.timestamp() - partial.stat().st_mtime > STALE_PART.total_seconds():
                partial.unlink()
                parts += 1
        except FileNotFoundError:
            pass
    return {"expired": expired, "settled": settled, "parts": parts}
