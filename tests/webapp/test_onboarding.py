"""Towns onboard themselves (issue #9): templates are validated bundles, saved from a town,
published by a committee, exported and imported as files; a signup with an invitation code
makes the town and its first admin in one go, from a spare schema when the pool has one; a
used, expired or unknown code, a duplicate name or an invalid template is refused and leaves
no schema, account or used code behind; operators suspend, resume and archive towns."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from jobs.onboarding import archive_town, refill_spare_pool
from tenants import templates as town_templates
from tenants.models import Region, SpareSchema, TemplateSource, Town, TownStatus, TownTemplate
from tenants.pool import refill_once, spare_count
from webapp.access import bound_to
from webapp.accounts.models import TownMembership, TownRole, User
from webapp.committees.models import Committee
from webapp.extensions import db
from webapp.onboarding.models import Invitation
from webapp.onboarding.services import (OnboardingError, issue_invitation, read_template_file, store_template,
                                        template_choices, template_file, town_bundle)

from ..conftest import PASSWORD, unique


def _schemas() -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'town\\_%' "
                                     "OR nspname LIKE 'spare\\_%'")).scalars())


def _code(app, world, *, committee: bool = True, days: int = 30, **extra) -> str:
    with app.app_context():
        c = db.session.get(Committee, world.committee) if committee else None
        region = db.session.get(Region, world.county)
        invitation = issue_invitation(region=region, actor=None, committee=c, days=days, **extra)
        db.session.commit()
        code = invitation.code
        db.session.remove()
    return code


def _form(code: str, **overrides) -> dict:
    name = unique("signup_admin").replace("-", "_").lower()
    form = {"code": code, "town_name": f"测试{name[-6:]}镇", "template": "minimal", "display_name": "新镇人大主席",
            "username": name, "phone": f"137{abs(hash(name)) % 10**8:08d}",
            "password": PASSWORD, "confirm_password": PASSWORD}
    form.update(overrides)
    return form


@pytest.fixture()
def state(app):
    """Everything a refused signup must leave as it was."""
    def read():
        with app.app_context():
            out = (_schemas(), db.session.scalar(select(func.count()).select_from(Town)),
                   db.session.scalar(select(func.count()).select_from(User)),
                   db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.used_at.is_not(None))),
                   db.session.scalar(select(func.count()).select_from(SpareSchema)))
            db.session.remove()
        return out
    return read


def test_the_shipped_templates_are_valid_and_bad_bundles_are_refused(app_ctx):
    for key in town_templates.builtin_keys():
        assert town_templates.validate(town_templates.builtin(key)) == [], key
    good = town_templates.builtin("minimal")
    bad = json.loads(json.dumps(good))
    bad["activity_types"][0]["cadence"] = "fortnightly"
    bad["supervision_groups"].append(dict(bad["supervision_groups"][0]))
    bad["evaluation"]["indicators"][0]["weight"] = 7
    bad["settings"]["reception_day"]["rule"] = "whenever"
    bad["virus"] = True
    with force_locale("en"):
        problems = [str(p) for p in town_templates.validate(bad)]
    assert any("fortnightly" not in p and "cadence" in p for p in problems)
    assert any("supervision_groups" in p and "general" in p for p in problems)
    assert any("virus" in p for p in problems) and any("reception day" in p.lower() for p in problems)
    bad = json.loads(json.dumps(good))
    bad["evaluation"]["indicators"][0]["weight"] = 7
    with force_locale("en"):
        assert any("add up to" in str(p) for p in town_templates.validate(bad))


def test_a_town_signs_up_with_a_code_from_a_spare_schema(app, world, client, stack):
    from redis import Redis
    from rq import Queue

    with app.app_context():
        assert refill_once(2) is not None and spare_count() >= 2
        spares = set(db.session.scalars(select(SpareSchema.schema_name)))
        db.session.remove()
    code = _code(app, world, town_name="程村镇")
    page = client.get(f"/onboard/?code={code.lower()}").get_data(as_text=True)
    assert "程村镇" in page and 'data-testid="signup-region"' in page and "灵宝" in page
    form = _form(code, town_name="程村镇", template="yinzhuang")
    answer = client.post("/onboard/", data=form)
    assert answer.status_code == 302 and re.search(r"/t/(\w+)/welcome\?new=1$", answer.headers["Location"])
    slug = re.search(r"/t/(\w+)/welcome", answer.headers["Location"]).group(1)
    welcome = client.get(answer.headers["Location"]).get_data(as_text=True)  # signed in as the new admin
    assert 'data-testid="welcome-steps"' in welcome and 'data-done="no"' in welcome

    with app.app_context():
        town = db.session.scalar(select(Town).where(Town.slug == slug))
        assert town.template == "yinzhuang" and town.region.parent_id == world.county
        admin = db.session.scalar(select(User).where(User.username == form["username"]))
        assert db.session.scalar(select(TownMembership.role).where(
            TownMembership.town_id == town.id, TownMembership.user_id == admin.id)) == TownRole.station_admin
        invitation = db.session.scalar(select(Invitation).where(Invitation.code == code))
        assert invitation.used_at is not None and invitation.town_id == town.id
        # the spare was claimed and renamed: one fewer in the pool, none of the old names left over
        assert town.schema_name in _schemas() and len(spares - _schemas()) == 1
        assert set(db.session.scalars(select(SpareSchema.schema_name))) == spares - (spares - _schemas())
        db.session.remove()
    with app.app_context(), bound_to(town.id):
        from webapp.projects.models import SupervisionGroup

        assert db.session.scalar(select(func.count()).select_from(SupervisionGroup)) == 4  # the template's groups
    queue = Queue("default", connection=Redis.from_url(stack.redis_url))
    assert f"spare-pool-after-{town.id}" in queue.job_ids
    with app.app_context():
        assert refill_spare_pool() >= 0 and spare_count() >= app.config["SPARE_POOL_SIZE"]
        db.session.remove()
    queue.remove(f"spare-pool-after-{town.id}")


@pytest.mark.parametrize("case", ["used", "expired", "unknown", "duplicate", "invalid_template", "password",
                                  "username_taken"])
def test_a_refused_signup_leaves_nothing_behind(app, world, client, state, case):
    with app.app_context():
        refill_once(1)
        db.session.remove()
    code = _code(app, world, days=1)
    form = _form(code)
    if case == "used":
        assert client.post("/onboard/", data=form).status_code == 302
        client.post("/logout")
        form = _form(code)
    elif case == "expired":
        with app.app_context():
            db.session.scalar(select(Invitation).where(Invitation.code == code)).expires_at = \
                datetime.now(UTC) - timedelta(minutes=1)
            db.session.commit()
            db.session.remove()
    elif case == "unknown":
        form["code"] = "ZZZZ-ZZZZ-ZZZZ"
    elif case == "duplicate":
        form["town_name"] = "朱阳镇"  # town A's name, in the same county
    elif case == "invalid_template":
        with app.app_context():  # a published template whose stored bundle no longer adds up
            row = TownTemplate(key=unique("broken").replace("-", "_"), version=1, name="坏模板",
                               bundle={**town_templates.builtin("minimal"), "activity_types": [
                                   {"code": "x", "name": "x", "cadence": "fortnightly"}]},
                               source=TemplateSource.committee, committee_id=world.committee, published=True)
            row.bundle["key"] = row.key
            db.session.add(row)
            db.session.commit()
            form["template"] = row.key
            db.session.remove()
    elif case == "password":
        form["confirm_password"] = "something-else"
    elif case == "username_taken":  # refused after the spare was claimed and renamed: the rollback restores it
        form["username"] = "a_admin"
    before = state()
    answer = client.post("/onboard/", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "invalid-feedback" in page
    expected = {"used": "已被使用", "expired": "已过期", "unknown": "邀请码", "duplicate": "朱阳镇",
                "invalid_template": "活动类型 x", "password": "不一致",
                "username_taken": "a_admin"}[case]
    assert expected in page, case
    assert state() == before  # no schema, town, account, used code; the spare is back in the pool


def test_a_town_saves_its_configuration_the_committee_publishes_it_a_new_town_starts_from_it(
        app, world, client, client_as):
    admin = client_as("a_admin")
    answer = admin.post("/t/zhuyang/settings/templates", data={"key": "zhuyang_mode", "name": "朱阳镇模式"})
    assert answer.status_code == 302
    assert admin.post("/t/zhuyang/settings/templates", data={"key": "yinzhuang", "name": "抢注"}).status_code == 400
    admin.post("/t/zhuyang/settings/templates", data={"key": "zhuyang_mode", "name": "朱阳镇模式"})
    # another town cannot take the key
    assert client_as("b_admin").post("/t/guxian/settings/templates", data={
        "key": "zhuyang_mode", "name": "冒名"}).status_code == 400
    with app.app_context():
        rows = db.session.scalars(select(TownTemplate).where(TownTemplate.key == "zhuyang_mode")
                                  .order_by(TownTemplate.version)).all()
        assert [r.version for r in rows] == [1, 2] and rows[-1].source == TemplateSource.town
        latest = rows[-1].id
        assert "zhuyang_mode" not in {c.key for c in template_choices(db.session.get(Committee, world.committee))}
        db.session.remove()

    committee = client_as("committee")
    slug = "lingbao_t"
    listing = committee.get(f"/c/{slug}/templates").get_data(as_text=True)
    assert "朱阳镇模式" in listing
    assert committee.post(f"/c/{slug}/templates/{latest}/publish").status_code == 302
    assert client_as("other_committee").post(f"/c/shaanzhou_t/templates/{latest}/publish").status_code == 404
    with app.app_context():
        assert "zhuyang_mode" in {c.key for c in template_choices(db.session.get(Committee, world.committee))}
        assert "zhuyang_mode" not in {c.key for c in template_choices(db.session.get(Committee, world.other_committee))}
        db.session.remove()

    code = _code(app, world)
    assert "朱阳镇模式" in client.get(f"/onboard/?code={code}").get_data(as_text=True)
    answer = client.post("/onboard/", data=_form(code, template="zhuyang_mode"))
    assert answer.status_code == 302
    new_slug = re.search(r"/t/(\w+)/welcome", answer.headers["Location"]).group(1)
    with app.app_context():
        new_town = db.session.scalar(select(Town).where(Town.slug == new_slug))
        assert (new_town.template, new_town.template_version) == ("zhuyang_mode", 2)
        db.session.remove()
    with app.app_context(), bound_to(world.town_a) as town_a:
        source = town_bundle(town_a, key="x", name="x")
    with app.app_context(), bound_to(new_town.id) as town_new:
        copy = town_bundle(town_new, key="x", name="x")
    for section in ("supervision_groups", "activity_types", "opinion_categories", "responsible_units", "evaluation"):
        assert copy[section] == source[section], section


def test_template_files_round_trip_and_bad_files_are_refused(app, world, client_as):
    committee = client_as("committee")
    with app.app_context():
        row = store_template({**town_templates.builtin("minimal"), "key": "lingbao_basic", "name": "灵宝基础模式"},
                             source=TemplateSource.committee, actor=None, committee_id=world.committee)
        db.session.commit()
        exported = template_file(row)
        db.session.remove()
    downloaded = committee.get(f"/c/lingbao_t/templates/{row.id}.json")
    assert downloaded.status_code == 200 and downloaded.data == exported
    assert client_as("other_committee").get(f"/c/shaanzhou_t/templates/{row.id}.json").status_code == 404
    assert read_template_file(exported)["key"] == "lingbao_basic"

    # imported back: the next version of the same key
    answer = committee.post("/c/lingbao_t/templates", data={"file": (io.BytesIO(exported), "t.json")},
                            content_type="multipart/form-data")
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.max(TownTemplate.version)).where(TownTemplate.key == "lingbao_basic")) == 2
        count = db.session.scalar(select(func.count()).select_from(TownTemplate))
        db.session.remove()
    broken = json.loads(exported)
    broken["template"]["evaluation"]["indicators"][0]["cap"] = 999
    for content, message in ((b"not json", "不是"), (json.dumps({"format": "other"}).encode(), "不是"),
                             (json.dumps(broken).encode(), "模板满分")):
        answer = committee.post("/c/lingbao_t/templates", data={"file": (io.BytesIO(content), "t.json")},
                                content_type="multipart/form-data")
        assert answer.status_code == 400 and message in answer.get_data(as_text=True), message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TownTemplate)) == count
        with pytest.raises(OnboardingError):
            store_template({**town_templates.builtin("minimal")}, source=TemplateSource.imported, actor=None)
        db.session.rollback()


def test_committees_issue_codes_for_their_own_counties_only(app, world, client_as):
    committee = client_as("committee")
    page = committee.get("/c/lingbao_t/invitations").get_data(as_text=True)
    assert "灵宝" in page and "陕州" not in page.split('id="f-region"')[1].split("</select>")[0]
    answer = committee.post("/c/lingbao_t/invitations", data={"region": str(world.county), "days": "14",
                                                              "town_name": "程村镇"})
    assert answer.status_code == 302
    page = committee.get("/c/lingbao_t/invitations").get_data(as_text=True)
    code = re.search(r'data-testid="invitation-code">([A-Z0-9-]+)<', page).group(1)
    assert len(code) == 14 and "程村镇" in page
    refused = committee.post("/c/lingbao_t/invitations", data={"region": str(world.other_county), "days": "14"})
    assert refused.status_code == 400
    refused = committee.post("/c/lingbao_t/invitations", data={"region": str(world.county), "days": "0"})
    assert refused.status_code == 400
    assert client_as("other_committee").get("/c/lingbao_t/invitations").status_code == 404
    assert client_as("operator").post("/admin/invitations", data={"region": str(world.other_county),
                                                                   "days": "7"}).status_code == 302


def test_operators_suspend_resume_and_archive_a_town_without_deleting_it(app, world, client, client_as, tmp_path):
    code = _code(app, world)
    form = _form(code)
    answer = client.post("/onboard/", data=form)
    slug = re.search(r"/t/(\w+)/welcome", answer.headers["Location"]).group(1)
    with app.app_context():
        town = db.session.scalar(select(Town).where(Town.slug == slug))
        town_id, schema = town.id, town.schema_name
        db.session.remove()
    operator = client_as("operator")
    assert operator.post(f"/admin/towns/{town_id}/status", data={"action": "archive", "confirm": slug}).status_code \
        == 302  # an active town is not archived straight away
    assert operator.post(f"/admin/towns/{town_id}/status", data={"action": "suspend"}).status_code == 302
    assert client.post(f"/t/{slug}/members", data={"username": "x"}).status_code == 403  # read-only now
    assert client.get(f"/t/{slug}/").status_code == 200
    assert operator.post(f"/admin/towns/{town_id}/status", data={"action": "resume"}).status_code == 302
    operator.post(f"/admin/towns/{town_id}/status", data={"action": "suspend"})
    operator.post(f"/admin/towns/{town_id}/status", data={"action": "archive", "confirm": "wrong"})
    with app.app_context():
        assert db.session.get(Town, town_id).status == TownStatus.suspended
        db.session.remove()
    app.config["ARCHIVE_DIR"] = str(tmp_path)
    assert operator.post(f"/admin/towns/{town_id}/status", data={"action": "archive", "confirm": slug}).status_code \
        == 302
    with app.app_context():
        dump = archive_town(town_id)
        assert archive_town(town_id) is None  # once
        town = db.session.get(Town, town_id)
        assert town.status == TownStatus.archived and town.settings["archive"]["file"] in dump
        assert schema in _schemas()  # kept: archiving deletes nothing
        db.session.remove()
    assert (tmp_path / town.settings["archive"]["file"]).stat().st_size > 1000
    assert client.get(f"/t/{slug}/").status_code == 404
