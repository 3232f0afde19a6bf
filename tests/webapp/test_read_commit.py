"""A GET that wrote nothing ends its transaction with COMMIT (psycopg keeps the connection's
prepared statements, which a ROLLBACK drops: ADR 0008); a GET that wrote anything, or failed,
and every POST end as before, their changes rolled back unless the view committed them."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import event, select, text, update

from tenants.models import Town
from webapp.accounts.models import User
from webapp.extensions import db


@pytest.fixture()
def ends(app):
    """How the requests' transactions ended, on the engine's connections (platform and town)."""
    seen: list[str] = []

    def on_commit(conn):
        seen.append("commit")

    def on_rollback(conn):
        seen.append("rollback")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


def test_reading_pages_end_with_commit_and_keep_their_prepared_statements(app, world, client_as, ends):
    with app.app_context():
        slug = db.session.get(Town, world.town_a).slug
        db.session.remove()
    staff = client_as("a_staff")
    ends.clear()
    assert staff.get(f"/t/{slug}/").status_code == 200  # a town page: platform and town connections
    assert ends and set(ends) == {"commit"}, ends
    committee = client_as("committee")
    ends.clear()
    for _ in range(3):
        assert committee.get("/c/lingbao_t/scorecard").status_code == 200
    assert ends and set(ends) == {"commit"}, ends

    # why: the driver prepares a statement run 5 times on a connection, and forgets them all
    # at a ROLLBACK, never at a COMMIT
    def prepared_after(end: str) -> int:
        with app.app_context(), db.engine.connect() as conn:
            for _ in range(6):
                conn.execute(select(User.id).where(User.username == "a_staff")).all()
                getattr(conn, end)()
            count = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
            conn.rollback()
            conn.invalidate()  # a fresh connection for the next test, whatever it holds
        return count

    assert prepared_after("rollback") == 0
    assert prepared_after("commit") >= 1


def test_a_get_that_wrote_or_failed_and_a_post_end_with_rollback(app, world, client_as, ends):
    from webapp import create_app

    other = create_app({**app.config})  # an app with routes of this test's own

    @other.get("/_test/flush")
    def flush_without_commit():
        db.session.get(User, world.users["a_staff"]).display_name = "不该保存"
        db.session.flush()
        return "flushed"

    @other.get("/_test/update")
    def update_without_commit():
        db.session.execute(update(User).where(User.id == world.users["a_staff"]).values(display_name="也不该保存"))
        return "updated"

    @other.get("/_test/pending")
    def pending_change():
        db.session.get(User, world.users["a_staff"]).display_name = "未刷新也不该保存"
        return "pending"

    @other.get("/_test/fails")
    def fails_after_a_change():
        db.session.get(User, world.users["a_staff"]).display_name = "出错也不该保存"
        db.session.flush()
        abort(400)

    @other.post("/_test/post")
    def post_without_commit():
        db.session.get(User, world.users["a_staff"]).display_name = "提交表单未提交事务"
        db.session.flush()
        return "posted"

    with app.app_context():
        before = db.session.get(User, world.users["a_staff"]).display_name
        db.session.remove()
    client = other.test_client()
    for method, path in (("get", "/_test/flush"), ("get", "/_test/update"), ("get", "/_test/pending"),
                         ("get", "/_test/fails"), ("post", "/_test/post")):
        ends.clear()
        getattr(client, method)(path)
        assert "commit" not in ends, (path, ends)
        with app.app_context():
            assert db.session.get(User, world.users["a_staff"]).display_name == before, path
            db.session.remove()
    with other.app_context():
        db.engine.dispose()
