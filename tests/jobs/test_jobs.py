"""Jobs: enqueued only after commit, bound to their town, idempotent, scheduled once per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import text

from jobs import enqueue_after_commit, queue
from jobs.maintenance import verify_town_schemas
from jobs.notify import welcome_member
from jobs.scheduler import Periodic, registry, tick
from tenants.models import Town
from tenants.schema import head
from webapp.extensions import db

from ..conftest import unique


@pytest.fixture()
def queues(app, stack):
    redis = Redis.from_url(stack.redis_url)
    names = ("default", "rollups", "exports", "notify")
    qs = {n: Queue(n, connection=redis) for n in names}
    for q in qs.values():
        q.empty()
    yield qs
    for q in qs.values():
        q.empty()


def _notifications(town_id: int, key: str) -> int:
    town = db.session.get(Town, town_id)
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {town.schema_name}.notifications WHERE dedupe_key = :k"),
                            {"k": key}).scalar()


def test_jobs_are_enqueued_after_commit_and_dropped_on_rollback(app_ctx, world, queues):
    enqueue_after_commit(welcome_member, world.town_a, world.users["a_staff"], "staff", queue="notify")
    assert queues["notify"].count == 0  # not before the commit
    db.session.rollback()
    db.session.commit()
    assert queues["notify"].count == 0  # the rollback dropped it
    enqueue_after_commit(welcome_member, world.town_a, world.users["a_staff"], "staff", queue="notify", job_id="w-1")
    enqueue_after_commit(welcome_member, world.town_a, world.users["a_staff"], "staff", queue="notify", job_id="w-1")
    db.session.commit()
    assert queues["notify"].count == 1  # a stable id enqueues once


def test_a_released_savepoint_does_not_enqueue_before_the_commit(app_ctx, world, queues):
    db.session.execute(text("SELECT 1"))
    with db.session.begin_nested():
        enqueue_after_commit(welcome_member, world.town_a, world.users["a_staff"], "staff", queue="notify")
    assert queues["notify"].count == 0
    db.session.rollback()
    db.session.commit()
    assert queues["notify"].count == 0
    db.session.execute(text("SELECT 1"))
    enqueue_after_commit(welcome_member, world.town_a, world.users["a_staff"], "staff", queue="notify")
    with db.session.begin_nested():
        db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert queues["notify"].count == 1


def test_a_job_bound_to_town_a_writes_only_to_a_and_is_idempotent(app_ctx, world, queues):
    from webapp.accounts.services import create_user

    user = create_user(username=unique("jobuser"), display_name="任务测试", password="whatever-123")
    db.session.commit()
    key = f"welcome:{user.id}:deputy"
    for _ in range(2):  # run twice through a real worker: one effect
        queue("notify").enqueue(welcome_member, world.town_a, user.id, "deputy")
        SimpleWorker([queues["notify"]], connection=queues["notify"].connection).work(burst=True)
    assert _notifications(world.town_a, key) == 1
    assert _notifications(world.town_b, key) == 0
    assert _notifications(world.town_c, key) == 0


def test_jobs_render_in_the_towns_language(app_ctx, world, queues):
    from webapp.accounts.services import create_user

    town = db.session.get(Town, world.town_c)
    user = create_user(username=unique("enuser"), display_name="英文镇", password="whatever-123")
    town.locale = "en"
    db.session.commit()
    try:
        welcome_member(world.town_c, user.id, "staff")
        with db.engine.connect() as conn:
            title = conn.execute(text(f"SELECT title FROM {town.schema_name}.notifications WHERE user_id = :u"),
                                 {"u": user.id}).scalar()
        assert title.startswith("Welcome to the 张村镇")
    finally:
        town.locale = "zh_Hans_CN"
        db.session.commit()


def test_adding_a_member_enqueues_the_welcome_after_commit(app, world, client_as, queues):
    admin = client_as("a_admin")
    username = unique("welcomed")
    admin.post("/t/zhuyang/members", data={"display_name": "欢迎", "username": username, "role": "presidium",
                                           "password": "first-pass-1"})
    assert queues["notify"].count == 1
    SimpleWorker([queues["notify"]], connection=queues["notify"].connection).work(burst=True)
    newcomer = app.test_client()
    newcomer.post("/login", data={"identifier": username, "password": "first-pass-1"})
    page = newcomer.get("/t/zhuyang/notifications").get_data(as_text=True)
    assert "欢迎加入朱阳镇" in page


def test_the_scheduler_enqueues_each_slot_once_under_a_stable_id(app_ctx, queues):
    task = Periodic("test-task", verify_town_schemas, timedelta(days=1), offset=timedelta(hours=18, minutes=30))
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert tick(queues, [task], now) == ["periodic-test-task-20261127T1830"]
    assert tick(queues, [task], now + timedelta(hours=1)) == []  # same slot: nothing
    assert tick(queues, [task], datetime(2026, 11, 28, 18, 31, tzinfo=UTC)) == ["periodic-test-task-20261128T1830"]
    assert queues["default"].count == 2
    assert {t.name for t in registry()} >= {"verify-town-schemas"}


def test_verify_town_schemas_notes_each_towns_revision(app_ctx, world, queues):
    town = db.session.get(Town, world.town_a)
    town.schema_revision = None
    db.session.commit()
    result = verify_town_schemas()
    assert result["towns"] >= 3 and result["behind"] == 0
    db.session.expire_all()
    assert db.session.get(Town, world.town_a).schema_revision == head("town")
