"""Periodic work. One scheduler process (`liaison scheduler`) wakes every few seconds and
enqueues each task that is due under a stable job id derived from the task and its time
slot, so a restarted or duplicated scheduler never runs a slot twice."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rq import Queue

log = logging.getLogger("liaison.scheduler")


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable
    #: run once per this period, at `offset` into it (UTC)
    every: timedelta
    offset: timedelta = timedelta(0)
    queue: str = "default"

    def slot(self, now: datetime) -> datetime:
        """The start of the latest period that is due at `now`."""
        epoch = datetime(2000, 1, 1, tzinfo=UTC) + self.offset
        n = (now - epoch) // self.every
        return epoch + n * self.every

    def job_id(self, slot: datetime) -> str:
        return f"periodic-{self.name}-{slot:%Y%m%dT%H%M}"


def registry() -> list[Periodic]:
    from . import exports, maintenance, notices, onboarding, opinions, projects, receptions, rollups

    return [
        # every 10 minutes: the pool of spare town schemas is topped up (signups claim from it)
        Periodic("spare-pool", onboarding.refill_spare_pool, timedelta(minutes=10)),
        # 01:30 Beijing time: every town's quarter so far (provisional) and the quarter just finished
        Periodic("rollups", rollups.rollups_due, timedelta(days=1), offset=timedelta(hours=17, minutes=30),
                 queue="rollups"),
        # 02:30 Beijing time
        Periodic("verify-town-schemas", maintenance.verify_town_schemas, timedelta(days=1),
                 offset=timedelta(hours=18, minutes=30)),
        # 08:00 Beijing time: a week ahead of each reception day, the deputies on duty are told
        Periodic("reception-notices", receptions.reception_notices_due, timedelta(days=1),
                 offset=timedelta(hours=0), queue="notify"),
        # 08:15 Beijing time: towns are reminded of committees' notices past their deadline
        Periodic("notice-reminders", notices.notice_reminders_due, timedelta(days=1),
                 offset=timedelta(minutes=15), queue="notify"),
        # 08:30 Beijing time: overdue and nearly-due opinions are urged, staff are told
        Periodic("opinion-urges", opinions.opinion_urges_due, timedelta(days=1),
                 offset=timedelta(minutes=30), queue="notify"),
        # 08:45 Beijing time: missed briefings and inspections, overdue rectifications; staff and leaders told
        Periodic("checkpoint-alerts", projects.checkpoint_alerts_due, timedelta(days=1),
                 offset=timedelta(minutes=45), queue="notify"),
        # every hour at :07: exports past their retention (EXPORT_KEEP_DAYS) lose their files
        Periodic("export-cleanup", exports.cleanup_exports, timedelta(hours=1), offset=timedelta(minutes=7),
                 queue="exports"),
    ]


def tick(queues: dict[str, Queue], tasks: list[Periodic], now: datetime | None = None) -> list[str]:
    """Enqueue every task whose current slot is not claimed yet. Returns the job ids enqueued.

    A slot is claimed with SET NX in Redis (kept a day longer than the period), so two
    schedulers, or one restarted, never enqueue the same slot twice, and an expired job
    result does not make a long period run again.
    """
    now = now or datetime.now(UTC)
    enqueued = []
    for task in tasks:
        job_id = task.job_id(task.slot(now))
        q = queues[task.queue]
        claim = f"liaison:periodic:{job_id}"
        if not q.connection.set(claim, "1", nx=True, ex=int((task.every + timedelta(days=1)).total_seconds())):
            continue
        try:
            q.enqueue(task.func, job_id=job_id, result_ttl=7 * 86400, failure_ttl=30 * 86400)
        except Exception:
            q.connection.delete(claim)  # let the next tick try this slot again
            raise
        enqueued.append(job_id)
        log.info("enqueued %s", job_id)
    return enqueued


def run(queues: dict[str, Queue], interval: float = 5.0) -> None:
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tasks = registry()
    while not stopping:
        try:
            tick(queues, tasks)
        except Exception:  # Redis away for a moment: keep going, the slot is still unclaimed
            log.exception("scheduler tick failed")
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
