"""RQ jobs: queues, enqueueing after commit, and the wrapper every job runs in.

A job takes ids, loads everything afresh, is idempotent, and runs inside an app context
with its session bound to the town it names and the town's locale forced. The worker
command (`liaison worker`) builds the app once; each job gets its own app context, so a
job never inherits another job's session or town.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from rq import Queue, get_current_job
from sqlalchemy import event

from webapp.config import QUEUES

log = logging.getLogger("liaison.jobs")


def redis_connection():
    from redis import Redis

    app = current_app._get_current_object()
    conn = app.extensions.get("liaison_redis")
    if conn is None:
        conn = Redis.from_url(app.config["REDIS_URL"])
        app.extensions["liaison_redis"] = conn
    return conn


def queue(name: str = "default") -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name}")
    return Queue(name, connection=redis_connection())


def enqueue_after_commit(func: Callable, *args: Any, queue: str = "default", job_id: str | None = None,
                         **options: Any) -> None:
    """Enqueue `func(*args)` once the current transaction commits; nothing if it rolls back.

    A stable `job_id` makes a double submission enqueue once.
    """
    from webapp.extensions import db

    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the job
    pending = session.info.setdefault("liaison_jobs", [])
    pending.append((func, args, queue, job_id, options))


def _flush_jobs(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction has not committed yet
    pending = session.info.pop("liaison_jobs", [])
    for func, args, queue_name, job_id, options in pending:
        try:
            q = queue(queue_name)
            if job_id is not None:
                existing = q.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in (
                        "queued", "started", "deferred", "scheduled"):
                    continue
            q.enqueue(func, *args, job_id=job_id, **options)
        except Exception:  # the data is committed; a failed enqueue must not turn into an error page
            log.exception("could not enqueue %s%r after commit", getattr(func, "__name__", func), args)


def _drop_jobs(session, previous) -> None:
    if not previous.nested:  # only the outermost rollback discards the work
        session.info.pop("liaison_jobs", None)


def install(session_class) -> None:
    event.listen(session_class, "after_commit", _flush_jobs)
    event.listen(session_class, "after_soft_rollback", _drop_jobs)


def progress(done: int, total: int, step: str = "") -> None:
    """Report progress into the running job's meta (the UI polls it)."""
    job = get_current_job()
    if job is None:
        return
    job.meta.update({"done": done, "total": total, "step": step,
                     "percent": round(100 * done / total) if total else 100})
    job.save_meta()


def fan_out(func: Callable, name: str, day: str, queue_name: str = "notify") -> int:
    """Enqueue `func(town_id, day)` once for every active town, under the stable id
    `{name}-{town_id}-{day}`: a second fan-out the same day adds nothing. Returns how many
    towns there are. Runs inside a platform job (the session is not bound)."""
    from sqlalchemy import select

    from tenants.models import Town, TownStatus
    from webapp.extensions import db

    towns = db.session.scalars(select(Town.id).where(Town.status == TownStatus.active)).all()
    q = queue(queue_name)
    for town_id in towns:
        job_id = f"{name}-{town_id}-{day}"
        if q.fetch_job(job_id) is None:
            q.enqueue(func, town_id, day, job_id=job_id, result_ttl=7 * 86400)
    return len(towns)


_APP = None


def _worker_app():
    """The app the job runs in: the caller's (worker command, tests), else one per process."""
    global _APP
    if has_app_context():
        return current_app._get_current_object()
    if _APP is None:
        from webapp import create_app

        _APP = create_app()
    return _APP


def town_job(func: Callable) -> Callable:
    """For a job whose first argument is a town id: fresh app context, session bound to the
    town, the town's locale forced, cleaned up afterwards whatever happens."""

    @functools.wraps(func)
    def wrapper(town_id: int, *args: Any, **kwargs: Any) -> Any:
        from webapp.access import bound_to

        with bound_to(town_id, _worker_app()):
            return func(town_id, *args, **kwargs)

    return wrapper


def platform_job(func: Callable) -> Callable:
    """For a job that works on the platform schema (and may fan out to towns)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from webapp.extensions import db

        app = _worker_app()
        with app.app_context():
            try:
                result = func(*args, **kwargs)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    return wrapper
