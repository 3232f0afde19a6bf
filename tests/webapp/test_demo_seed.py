"""The demo seed `make demo` runs at every start: complete, and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select, text

from tenants.models import Town
from webapp.accounts.models import CommitteeMembership, TownMembership, User
from webapp.demo import seed
from webapp.extensions import db


def _state() -> tuple:
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (Town, User, TownMembership, CommitteeMembership))
    with db.engine.connect() as conn:
        notices = conn.execute(text("SELECT count(*) FROM town_yinzhuang.notifications")).scalar()
        groups = conn.execute(text("SELECT count(*) FROM town_yinzhuang.supervision_groups")).scalar()
    return counts + (notices, groups)


def test_the_demo_seed_is_complete_and_idempotent(app_ctx, world):
    lines = seed()
    first = _state()
    assert seed() == lines
    assert _state() == first
    slugs = set(db.session.scalars(select(Town.slug)))
    assert {"yinzhuang", "hanguguan", "yuling", "yangdian", "daying"} <= slugs
    for username in ("operator", "yz_admin", "yz_staff", "yz_deputy", "yz_presidium", "hg_admin", "lb_committee"):
        assert any(line.strip().startswith(username) for line in lines), username
    assert first[-2] >= 4 and first[-1] == 4  # a welcome per yinzhuang role; the four groups
