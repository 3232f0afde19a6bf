"""Fixtures: a real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set),
a fresh test database per run, the platform migrated, and a small world of towns, a
committee and one user per role. Factories pair with defaults, as in the house style."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass

import psycopg
import pytest

from webapp import devstack
from webapp.clock import DEFAULT_TIMEZONE, use_timezone

# as create_app will: the test modules' dates computed at import are Beijing dates too
use_timezone(os.environ.get("LIAISON_TIMEZONE", DEFAULT_TIMEZONE))

TEST_DATABASE = os.environ.get("LIAISON_TEST_DATABASE", "liaison_test")
PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def _drop_leftover_roles(url: str, prefix: str) -> None:
    """Town roles outlive a dropped database (roles are cluster-wide): remove this run's."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for (name,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (prefix + "%",)).fetchall():
            conn.execute(f'DROP ROLE "{name}"')


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = devstack.start("test", database=TEST_DATABASE, fresh_database=True)
    os.environ["DATABASE_URL"] = stack.database_url
    os.environ["REDIS_URL"] = stack.redis_url
    # export files and archive dumps of the test run (app, gunicorn, workers) stay out of instance/
    os.environ["LIAISON_EXPORT_DIR"] = str(tmp_path_factory.mktemp("exports"))
    os.environ["LIAISON_ARCHIVE_DIR"] = str(tmp_path_factory.mktemp("archives"))
    from sqlalchemy.engine import make_url

    from tenants.schema import role_prefix

    _drop_leftover_roles(stack.database_url, role_prefix(make_url(stack.database_url).database))
    from redis import Redis

    Redis.from_url(stack.redis_url).flushdb()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def app(stack):
    from tenants.migrate import upgrade_platform
    from webapp import create_app
    from webapp.extensions import db

    # the public opinion form's limit is small so a test can reach it: other tests posting the
    # form use addresses of their own (environ_base={"REMOTE_ADDR": ...})
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000 per minute",
                      "SIGNUP_RATE_LIMIT": "1000 per minute",
                      "PUBLIC_FORM_RATE_LIMIT": "5 per minute"})
    with app.app_context():
        upgrade_platform(db.engine)
    yield app
    with app.app_context():
        db.engine.dispose()  # before the embedded server stops


@pytest.fixture()
def app_ctx(app):
    from webapp.extensions import db

    with app.app_context():
        yield
        db.session.remove()


@dataclass
class World:
    county: object
    other_county: object
    town_a: object
    town_b: object
    town_c: object
    committee: object
    other_committee: object
    users: dict


def ensure_regions():
    from webapp.demo import ensure_regions as _ensure

    return _ensure()


@pytest.fixture(scope="session")
def world(app):
    """Towns A and B in Lingbao, C in Shaanzhou; the Lingbao committee sees A and B only."""
    import tenants
    from tenants.models import Town
    from webapp.accounts.models import CommitteeMembership, TownMembership, TownRole
    from webapp.accounts.services import create_user
    from webapp.committees.models import Committee
    from webapp.extensions import db

    with app.app_context():
        regions = ensure_regions()
        lingbao, shaanzhou = regions["411282"], regions["411203"]
        a = db.session.get(Town, tenants.provision("朱阳镇", lingbao, "yinzhuang", name_en="Zhuyang"))
        b = db.session.get(Town, tenants.provision("故县镇", lingbao, "yinzhuang", name_en="Guxian"))
        c = db.session.get(Town, tenants.provision("张村镇", shaanzhou, "minimal", name_en="Zhangcun"))
        committee = Committee(slug="lingbao_t", name="灵宝市人大常委会（测试）", region=lingbao)
        other = Committee(slug="shaanzhou_t", name="陕州区人大常委会（测试）", region=shaanzhou)
        db.session.add_all([committee, other])
        users = {}
        specs = [("a_admin", a, TownRole.station_admin), ("a_staff", a, TownRole.staff),
                 ("a_deputy", a, TownRole.deputy), ("a_presidium", a, TownRole.presidium),
                 ("b_admin", b, TownRole.station_admin), ("b_staff", b, TownRole.staff),
                 ("c_admin", c, TownRole.station_admin)]
        for n, (username, town, role) in enumerate(specs):
            user = create_user(username=username, display_name=f"测试{username}", password=PASSWORD,
                               phone=f"1390000{n:04d}")
            db.session.add(TownMembership(user=user, town_id=town.id, role=role))
            users[username] = user
        for username, c_ in (("committee", committee), ("other_committee", other)):
            user = create_user(username=username, display_name=f"测试{username}", password=PASSWORD)
            db.session.add(CommitteeMembership(user=user, committee=c_))
            users[username] = user
        users["operator"] = create_user(username="op", display_name="运维", password=PASSWORD, is_operator=True)
        users["nobody"] = create_user(username="nobody", display_name="无角色", password=PASSWORD)
        db.session.commit()
        ids = {k: u.id for k, u in users.items()}
        world = World(lingbao.id, shaanzhou.id, a.id, b.id, c.id, committee.id, other.id, ids)
        db.session.remove()
    return world


@pytest.fixture()
def client(app):
    return app.test_client()


def login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"identifier": username, "password": password, **extra})


@pytest.fixture()
def client_as(app, world):
    """client_as("a_admin") -> a test client signed in as that world user."""

    def make(username: str):
        c = app.test_client()
        response = login(c, {"operator": "op"}.get(username, username))
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return make


def town(app, town_id: int):
    from tenants.models import Town
    from webapp.extensions import db

    return db.session.get(Town, town_id)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture()
def linked_deputy(app, world):
    """linked_deputy("姓名") -> (a client signed in as them, their deputy id): a deputy of town A
    with an account of their own (one account, one deputy)."""
    from webapp.access import bound_to
    from webapp.accounts.models import TownMembership, TownRole
    from webapp.accounts.services import create_user
    from webapp.deputies.models import DeputyLevel
    from webapp.deputies.services import create_deputy
    from webapp.extensions import db

    def make(name: str):
        username = unique("dep")
        with app.app_context():
            user = create_user(username=username, display_name=name, password=PASSWORD)
            db.session.add(TownMembership(user=user, town_id=world.town_a, role=TownRole.deputy))
            db.session.commit()
            user_id = user.id
        with app.app_context(), bound_to(world.town_a):
            deputy = create_deputy(actor=None, data={"name": name, "level": DeputyLevel.town})
            deputy.user_id = user_id
            db.session.flush()
            deputy_id = deputy.id
        client = app.test_client()
        assert login(client, username).status_code == 302
        return client, deputy_id

    return make


def empty_queue(q) -> None:
    """An RQ queue emptied with its registries and jobs, and workers a test killed forgotten
    (a killed worker never unregisters itself)."""
    import contextlib

    from rq import Worker
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    q.empty()
    for registry in (q.started_job_registry, q.finished_job_registry, q.failed_job_registry,
                     q.deferred_job_registry, q.scheduled_job_registry, q.canceled_job_registry):
        for job_id in registry.get_job_ids(cleanup=False):
            with contextlib.suppress(NoSuchJobError):
                Job.fetch(job_id, connection=q.connection).delete()
        q.connection.delete(registry.key)
    q.connection.delete(q.intermediate_queue.key)
    for worker in Worker.all(queue=q):
        worker.register_death()


# --- killing workers: what the tests of killed rollup and export jobs share ------------------------

def kill_group(pgid: int | None) -> None:
    """SIGKILL a process group (a worker started with start_new_session, or a work horse, which
    RQ puts in a group of its own); nothing if it is gone."""
    import contextlib
    import signal

    if pgid:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def wait_for(predicate, timeout: float, what: str, log) -> None:
    """Poll `predicate` until true; fail with the worker's log after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def requeue_abandoned(q, job_id: str):
    """What a live worker does once a dead worker's heartbeat has expired: the started job is
    found abandoned and, having retries left, queued again. Returns the job, refreshed."""
    from rq.job import Job

    job = Job.fetch(job_id, connection=q.connection)
    started = q.started_job_registry
    assert job.get_status() == "started" and job_id in started
    expiry = max(score for _, score in q.connection.zrange(started.key, 0, -1, withscores=True))
    started.cleanup(expiry + 1)
    job.refresh()
    return job


def burst_worker(queue_name: str, env: dict, log, timeout: float) -> None:
    """`liaison worker --queues <queue> --burst` as production runs it, until the queue is empty;
    its output appended to `log`; killed if it outlives `timeout`."""
    import subprocess
    import sys
    from pathlib import Path

    worker = None
    try:
        with log.open("a") as out:
            worker = subprocess.Popen([str(Path(sys.executable).parent / "liaison"), "worker", "--queues", queue_name,
                                       "--burst"], cwd=Path(__file__).resolve().parents[1], env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        assert worker.wait(timeout=timeout) == 0, log.read_text()[-3000:]
    finally:
        kill_group(worker.pid if worker else None)
