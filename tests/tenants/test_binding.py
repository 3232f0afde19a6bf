"""Towns never see each other: binding, raw SQL, pooled connections, unbound sessions."""

from __future__ import annotations

import pytest
from psycopg import errors as pg_errors
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from tenants.binding import BoundSession, TownBinding, TownNotBound, current_search_path, town_connection
from tenants.models import Town
from webapp.extensions import db
from webapp.projects.models import SupervisionGroup

from ..conftest import unique


def _binding(town_id: int) -> TownBinding:
    return TownBinding.of(db.session.get(Town, town_id))


def _session(engine, binding: TownBinding | None) -> Session:
    session = BoundSession(db, bind=engine)
    if binding is not None:
        session.bind_town(binding)
    return session


def test_unbound_session_refuses_town_tables_before_any_sql(app_ctx, world):
    with pytest.raises(TownNotBound):
        db.session.scalars(select(SupervisionGroup)).all()
    with pytest.raises(TownNotBound):
        db.session.add(SupervisionGroup(code="x_unbound", name="x"))
        db.session.flush()
    db.session.rollback()


def test_unbound_raw_sql_cannot_find_town_tables(app_ctx, world):
    # the app's login role sees only `platform`: an unqualified town table does not resolve
    with pytest.raises(ProgrammingError) as err:
        db.session.execute(text("SELECT * FROM supervision_groups")).all()
    assert isinstance(err.value.orig, pg_errors.UndefinedTable)
    db.session.rollback()
    assert current_search_path(db.session.connection()) == "platform"


def test_bound_session_reads_and_writes_its_own_schema(app_ctx, world):
    a, b = _binding(world.town_a), _binding(world.town_b)
    code = unique("only_in_a_")
    session = _session(db.engine, a)
    session.add(SupervisionGroup(code=code, name="只在甲镇"))
    session.commit()
    session.close()
    with town_connection(db.engine, a) as conn:
        assert conn.execute(text("SELECT count(*) FROM supervision_groups WHERE code = :c"), {"c": code}).scalar() == 1
    with town_connection(db.engine, b) as conn:
        assert conn.execute(text("SELECT count(*) FROM supervision_groups WHERE code = :c"), {"c": code}).scalar() == 0
    # and the row is physically in A's schema
    with db.engine.connect() as conn:
        found = conn.execute(text(f"SELECT count(*) FROM {a.schema}.supervision_groups WHERE code = :c"), {"c": code})
        assert found.scalar() == 1


def test_raw_sql_in_a_bound_transaction_cannot_read_another_town(app_ctx, world):
    a, b = _binding(world.town_a), _binding(world.town_b)
    session = _session(db.engine, a)
    assert session.execute(text("SELECT current_user")).scalar() == a.role
    with pytest.raises(ProgrammingError) as err:
        session.execute(text(f"SELECT * FROM {b.schema}.supervision_groups")).all()
    assert isinstance(err.value.orig, pg_errors.InsufficientPrivilege)
    session.rollback()
    # nor the platform schema, where every user's password hash lives
    with pytest.raises(ProgrammingError) as err:
        session.execute(text("SELECT * FROM platform.users")).all()
    assert isinstance(err.value.orig, pg_errors.InsufficientPrivilege)
    session.close()


def test_two_towns_alternating_on_one_pooled_connection_never_see_each_other(app, world):
    with app.app_context():
        a, b = _binding(world.town_a), _binding(world.town_b)
        engine = create_engine(db.engine.url, pool_size=1, max_overflow=0,
                               connect_args={"options": "-c search_path=platform"})
        marker = {a: unique("alt_a_"), b: unique("alt_b_")}
        for binding in (a, b):
            s = _session(engine, binding)
            s.add(SupervisionGroup(code=marker[binding], name="交替"))
            s.commit()
            s.close()
        pids = set()
        for i in range(20):
            binding, other = (a, b) if i % 2 == 0 else (b, a)
            s = _session(engine, binding)
            codes = set(s.scalars(select(SupervisionGroup.code)))
            assert marker[binding] in codes and marker[other] not in codes
            assert s.execute(text("SELECT current_user")).scalar() == binding.role
            pids.add(s.execute(text("SELECT pg_backend_pid()")).scalar())
            s.commit()
            s.close()
            # back in the pool, the connection carries no town to its next user
            with engine.connect() as conn:
                assert current_search_path(conn) == "platform"
                assert conn.execute(text("SELECT current_user")).scalar() != binding.role
        assert len(pids) == 1, "the test must reuse one pooled connection"
        engine.dispose()


def test_every_form_of_raw_sql_in_a_bound_session_runs_as_the_town(app_ctx, world):
    from sqlalchemy import column, literal_column

    a, b = _binding(world.town_a), _binding(world.town_b)
    session = _session(db.engine, a)
    who = "SELECT current_user AS u"
    assert session.execute(text(who)).scalar() == a.role
    assert session.execute(text(who).columns(column("u"))).scalar() == a.role
    assert session.execute(select(literal_column("current_user"))).scalar() == a.role
    assert session.connection().execute(text(who)).scalar() == a.role
    with pytest.raises(ProgrammingError):
        session.execute(text(f"SELECT count(*) AS n FROM {b.schema}.supervision_groups").columns(column("n"))).all()
    session.rollback()
    # platform models still read through the app's role in the same session
    assert session.get(Town, world.town_b).slug == b.slug
    session.close()


def test_one_session_one_town(app_ctx, world):
    session = _session(db.engine, _binding(world.town_a))
    with pytest.raises(RuntimeError):
        session.bind_town(_binding(world.town_b))
    session.close()


def test_platform_models_use_the_platform_connection_in_a_bound_session(app_ctx, world):
    a = _binding(world.town_a)
    session = _session(db.engine, a)
    town = session.get(Town, world.town_a)  # platform model, read through the app's role
    assert town.slug == a.slug
    assert session.scalars(select(SupervisionGroup)).first() is not None
    session.close()
