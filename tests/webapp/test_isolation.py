"""Every town URL, walked from the URL map, as another town's user (404), as a committee
member with jurisdiction (read-only), as one without (404) and anonymously. A new route
joins this walk by itself; a new URL parameter fails here until it gets a sample value."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from tenants.models import Town
from webapp.accounts.models import TownMembership
from webapp.extensions import db

TOWN_PREFIXES = ("/t/<town>", "/api/v1/t/<town>")
PUBLIC_PREFIX = "/p/<town>"
#: the only public endpoints that write: a constituent sends an opinion, rates its answer; a voter casts a ballot
PUBLIC_WRITE_ENDPOINTS = {"public.opinion_new", "public.opinion_rate", "public.ballot"}
#: the constituent's phone on town B's sample opinion (`code` is its receipt code)
PRIVATE_PHONE = "13811114444"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def town_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "<town>" in r.rule and not r.rule.startswith(PUBLIC_PREFIX)]
    assert all(r.rule.startswith(TOWN_PREFIXES) for r in rules), \
        "town URLs live under /t/<town>/, /api/v1/t/<town>/ or (public) /p/<town>/"
    return sorted(rules, key=lambda r: r.rule)


def public_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PUBLIC_PREFIX)), key=lambda r: r.rule)


@pytest.fixture(scope="module")
def samples(app, world):
    """Real ids of objects in town B for every URL parameter a town route can take."""
    from jobs.notify import welcome_member
    from webapp.notifications.models import Notification

    from webapp.access import bound_to
    from webapp.deputies.services import create_deputy
    from webapp.deputies.models import DeputyLevel

    welcome_member(world.town_b, world.users["b_staff"], "staff")
    with app.app_context(), bound_to(world.town_b):
        from webapp.grids.models import GridKind
        from webapp.grids.services import add_head, assign_deputy, create_grid

        deputy = create_deputy(actor=None, data={"name": "故县代表", "level": DeputyLevel.town,
                                                 "phone": "13811112222", "phone_public": False, "birth_year": 1971})
        grid = create_grid(actor=None, data={"kind": GridKind.residential, "community": "故县村", "name": "第1网格"})
        head = add_head(grid, actor=None, data={"name": "网格长", "phone": "13811113333"})
        assign_deputy(grid, deputy, actor=None)
        from webapp.studios.services import add_member, create_studio

        studio = create_studio(actor=None, data={"name": "故县片区头雁工作室", "area": "故县片区", "villages": "故县村"})
        add_member(studio, deputy, actor=None)
        from webapp.deputies.services import set_photo

        set_photo(deputy, actor=None, content=tiny_png())
        from webapp.receptions.services import generate_rota

        day = generate_rota(db.session.get(Town, world.town_b), 2026, actor=None)[0]
        deputy.calendar_token = "deputy-secret-b"
        town_row = db.session.get(Town, world.town_b)
        town_row.settings = {**town_row.settings, "calendar_token": "town-secret-b"}
        from webapp.activities.models import ActivityType
        from webapp.activities.services import add_file, check_in, create_activity

        kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "weekly_deliberation"))
        activity = create_activity(actor=None, data={"type_id": kind.id, "theme": "故县议事", "day": date(2026, 3, 3),
                                                     "invitee_ids": [deputy.id]})
        check_in(activity, deputy, by="staff", actor=None)
        stored = add_file(activity, actor=None, filename="photo.png", content=tiny_png())
        from webapp.opinions.models import Channel, ResponsibleUnit, UnitKind
        from webapp.opinions.services import add_file as add_opinion_file
        from webapp.opinions.services import create_opinion

        unit = ResponsibleUnit(name="故县镇规划建设办", kind=UnitKind.department, active=True)
        db.session.add(unit)
        opinion = create_opinion(actor=None, data={"channel": Channel.staff, "title": "故县路灯不亮",
                                                   "text": "故县村路灯", "constituent_phone": "13811114444",
                                                   "deputy_id": deputy.id})
        photo = add_opinion_file(opinion, filename="photo.png", content=tiny_png(), actor=None)
        db.session.flush()
        opinion_id, unit_id, photo_id, receipt_code = opinion.id, unit.id, photo.id, opinion.receipt_code
        from webapp.projects.models import ProjectKind, RecordKind, SupervisionGroup
        from webapp.projects.services import add_file as add_supervision_file
        from webapp.projects.services import add_finding, create_project, create_record

        group = db.session.scalar(select(SupervisionGroup).order_by(SupervisionGroup.id))
        project = create_project(actor=None, data={"year": 2026, "name": "故县村道路硬化", "kind": ProjectKind.livelihood,
                                                   "group_id": group.id, "unit_id": unit.id})
        inspection = create_record(actor=None, kind=RecordKind.inspection, data={
            "group_id": group.id, "day": date(2026, 10, 20), "project_ids": [project.id], "attendee_ids": [deputy.id]})
        finding = add_finding(inspection, actor=None, description="故县路面裂缝", project_id=project.id)
        evidence = add_supervision_file(finding=finding, filename="after.png", content=tiny_png(), actor=None)
        projects_samples = {"project_id": project.id, "record_id": inspection.id, "finding_id": finding.id,
                            "group_id": group.id, "supervision_file_id": evidence.id}
        from webapp.projects.models import Voter
        from webapp.projects.review_views import add_candidate, create_annual_review
        from webapp.projects.services import issue_ballots, set_review

        review = create_annual_review(actor=None, data={"day": date(2026, 12, 20), "project_ids": [project.id]})
        vote = set_review(review, project, actor=None, present={"voters": 5, "deputies": 2},
                          tallies={"voters": {"satisfied": 2}}, threshold=80)
        ballot = issue_ballots(vote, voter=Voter.voters, count=2, actor=None)[0]
        candidate, _added = add_candidate(review, actor=None, data={"name": "故县村文化广场", "support": 3, "object": 1})
        projects_samples.update(review_id=review.id, candidate_id=candidate.id, ballot_token=ballot.token)
        from webapp.evaluations.services import compute as compute_evaluation, object_to, open_year

        evaluation = open_year(actor=None, year=2030)
        compute_evaluation(evaluation, deputy_ids=[deputy.id])
        objection = object_to(evaluation, deputy.id, "reception_day", "接待日少算了一次", actor=None,
                              today=date(2030, 12, 1))
        projects_samples.update(year_id=evaluation.id, objection_id=objection.id)
        from webapp.evaluations.services import compute as compute_evaluation
        from webapp.evaluations.services import object_to, open_year

        evaluation = open_year(actor=None, year=2026)
        compute_evaluation(evaluation, deputy_ids=[deputy.id])
        objection = object_to(evaluation, deputy.id, "grid_work", "故县异议", actor=None, today=date(2026, 12, 1))
        projects_samples.update(year_id=evaluation.id, objection_id=objection.id)
        day_id, activity_id, file_id, checkin_token = day.id, activity.id, stored.id, activity.checkin_token
        deputy_id, grid_id, head_id, studio_id = deputy.id, grid.id, head.id, studio.id
    with app.app_context():
        town_b = db.session.get(Town, world.town_b)
        membership = db.session.scalar(select(TownMembership.id).where(
            TownMembership.town_id == town_b.id, TownMembership.user_id == world.users["b_staff"]))
        with db.engine.connect() as conn:
            notification = conn.execute(text(f"SELECT id FROM {town_b.schema_name}.{Notification.__tablename__} "
                                             "ORDER BY id LIMIT 1")).scalar()
        values = {"town": town_b.slug, "membership_id": membership, "notification_id": notification,
                  "deputy_id": deputy_id, "grid_id": grid_id, "head_id": head_id, "studio_id": studio_id,
                  "day_id": day_id, "year": 2026, "town_token": "town-secret-b",
                  "deputy_token": "deputy-secret-b", "activity_id": activity_id, "file_id": file_id,
                  "token": checkin_token, "opinion_id": opinion_id, "unit_id": unit_id, "photo_id": photo_id,
                  "code": receipt_code}
        values.update(projects_samples)
        from webapp.committees.models import Committee
        from webapp.committees.notices import issue, respond

        notice = issue(db.session.get(Committee, world.committee), town_b, actor=None, data={
            "topic": "other", "subject": "故县督办", "body": "请报告", "due_on": "2099-01-01"})
        respond(notice, actor=None, actions="已办理", filename="photo.png", content=tiny_png())
        db.session.commit()
        values.update(notice_id=notice.id, event_id=notice.events[-1].id)
        db.session.remove()
    with app.app_context(), bound_to(world.town_b) as town_b:
        from tenants.models import TemplateSource
        from webapp.onboarding.services import store_template, town_bundle

        saved = store_template(town_bundle(town_b, key="guxian_mode", name="故县模式"), source=TemplateSource.town,
                               actor=None, town_id=town_b.id)
        values["template_id"] = saved.id
    return values


def tiny_png() -> bytes:
    import io

    import png

    out = io.BytesIO()
    png.Writer(2, 2, greyscale=True).write(out, [[0, 255], [255, 0]])
    return out.getvalue()


def _url(app, rule, samples):
    missing = set(rule.arguments) - set(samples)
    assert not missing, f"add a sample value for {missing} (route {rule.rule}) to the isolation walk"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: samples[k] for k in rule.arguments})


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _b_state(app, world) -> tuple:
    with app.app_context():
        town_b = db.session.get(Town, world.town_b)
        members = db.session.scalar(select(func.count()).select_from(TownMembership)
                                    .where(TownMembership.town_id == town_b.id))
        with db.engine.connect() as conn:
            tables = ("supervision_groups", "notifications", "town_audit_entries", "deputies", "grids", "grid_heads",
                      "grid_deputies", "studios", "studio_members", "deputy_photos", "reception_days", "rota_entries", "activities",
                      "activity_invitees", "activity_files", "opinions", "opinion_events", "opinion_files",
                      "responsible_units", "opinion_categories", "suggestion_seconders")
            tables += ("projects", "project_milestones", "supervision_group_members", "supervision_records",
                       "supervision_record_attendees", "supervision_record_projects", "findings", "finding_events",
                       "supervision_files")
            tables += ("project_reviews", "ballots", "project_candidates")
            tables += ("evaluation_templates", "evaluation_indicators", "evaluation_years", "evaluation_scores",
                       "evaluation_objections", "evaluation_results")
            counts = tuple(conn.execute(text(f"SELECT count(*) FROM {town_b.schema_name}.{t}")).scalar() for t in tables)
            unread = conn.execute(text(f"SELECT count(*) FROM {town_b.schema_name}.notifications WHERE read_at IS NULL")).scalar()
            unread = (unread, conn.execute(text(f"SELECT string_agg(status || coalesce(name, ''), ',' ORDER BY id) "
                                                f"FROM {town_b.schema_name}.deputies")).scalar())
            unread += tuple(conn.execute(text(f"SELECT string_agg({v}, ',' ORDER BY id) FROM {town_b.schema_name}.{t}"))
                            .scalar() for t, v in (("ballots", "coalesce(vote, '-')"),
                                                   ("project_reviews", "tallies::text || present::text || closed::text"),
                                                   ("project_candidates", "support || '/' || object")))
            unread += tuple(conn.execute(text(f"SELECT string_agg({v}, ',' ORDER BY id) FROM {town_b.schema_name}.{t}"))
                            .scalar() for t, v in (("evaluation_years", "state"),
                                                   ("evaluation_templates", "version::text"),
                                                   ("evaluation_indicators", "weight::text || '/' || cap::text"),
                                                   ("evaluation_objections", "state"),
                                                   ("evaluation_scores", "points::text")))
        db.session.remove()
    return members, counts, unread


def test_the_walk_covers_the_town_routes(app):
    endpoints = {r.endpoint for r in town_rules(app)}
    assert {"towns.home", "towns.members", "towns.remove", "api.town", "api.create_supervision_group"} <= endpoints


def test_another_towns_user_gets_404_for_every_town_b_url(app, world, samples, client_as):
    client = client_as("a_admin")
    before = _b_state(app, world)
    for rule in town_rules(app):
        url = _url(app, rule, samples)
        for method in _methods(rule):
            response = client.open(url, method=method, json={} if rule.rule.startswith("/api/") else None)
            assert response.status_code == 404, f"{method} {url} as town A's admin: {response.status_code}"
            if rule.rule.startswith("/api/"):
                assert response.get_json()["error"]["code"] == "not_found"
    assert _b_state(app, world) == before


def test_town_b_itself_reaches_every_page(app, world, samples, client_as):
    """The 404s above come from isolation, not from broken URLs."""
    client = client_as("b_admin")
    for rule in town_rules(app):
        if "GET" in rule.methods:
            url = _url(app, rule, samples)
            assert client.get(url).status_code == 200, url


def test_a_committee_member_with_jurisdiction_reads_and_never_writes(app, world, samples, client_as):
    client = client_as("committee")
    before = _b_state(app, world)
    for rule in town_rules(app):
        url = _url(app, rule, samples)
        view = app.view_functions[rule.endpoint]
        for method in _methods(rule):
            response = client.open(url, method=method, json={"code": "x_forbidden", "name": "越权", "level": "town"}
                                   if rule.rule.startswith("/api/") else None, data=None)
            if method in WRITE_METHODS:
                assert response.status_code == 403, f"{method} {url} as committee: {response.status_code}"
            else:
                readable = getattr(view, "committee_readable", True)
                expected = 200 if readable else 403
                assert response.status_code == expected, f"{method} {url} as committee: {response.status_code}"
    assert _b_state(app, world) == before


def test_a_committee_member_without_jurisdiction_gets_404(app, world, samples, client_as):
    client = client_as("other_committee")
    for rule in town_rules(app):
        url = _url(app, rule, samples)
        for method in _methods(rule):
            assert client.open(url, method=method).status_code == 404, f"{method} {url}"


def test_a_user_without_any_role_gets_404(app, world, samples, client_as):
    client = client_as("nobody")
    for rule in town_rules(app):
        url = _url(app, rule, samples)
        for method in _methods(rule):
            assert client.open(url, method=method).status_code == 404, f"{method} {url}"


def test_anonymous_visitors_are_sent_to_sign_in(app, world, samples, client):
    for rule in town_rules(app):
        url = _url(app, rule, samples)
        for method in _methods(rule):
            response = client.open(url, method=method)
            if rule.rule.startswith("/api/"):
                assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
            else:
                assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_committee_pages_are_for_their_members_only(app, world, client_as):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/c/<committee>", "/api/v1/c/<committee>"))
             and set(r.arguments) == {"committee"} and "GET" in r.methods]
    assert {r.endpoint for r in rules} >= {"committees.scorecard_view", "api.committee_scorecard_api",
                                           "api.committee_rollups_api", "api.committee_notices"}
    with app.app_context():
        from webapp.committees.models import Committee

        slug = db.session.get(Committee, world.committee).slug
        db.session.remove()
    for username, expected in (("committee", 200), ("other_committee", 404), ("a_admin", 404), ("operator", 404)):
        client = client_as(username)
        for rule in rules:
            with app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, committee=slug)
            assert client.get(url).status_code == expected, (username, url)


def test_operator_pages_are_for_operators_only(app, world, client_as):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert rules
    for username, expected in (("operator", 200), ("a_admin", 404), ("committee", 404)):
        client = client_as(username)
        for rule in rules:
            if "GET" in rule.methods:
                assert client.get(rule.rule).status_code == expected, (username, rule.rule)


def _open_public(client, app, rule, samples):
    """GET a public page; a write-only endpoint (rating) is POSTed to, with nothing in it."""
    url = _url(app, rule, samples)
    return client.get(url) if "GET" in rule.methods else client.post(url, data={})


def test_public_pages_need_no_login_and_show_nothing_private(app, world, samples, client):
    rules = public_rules(app)
    assert {r.endpoint for r in rules} >= {"public.station", "public.deputy", "public.opinion_status"}
    assert PUBLIC_WRITE_ENDPOINTS <= {r.endpoint for r in rules}
    for rule in rules:
        readonly = {"GET", "HEAD", "OPTIONS"}
        allowed = readonly | {"POST"} if rule.endpoint in PUBLIC_WRITE_ENDPOINTS else readonly
        assert not (rule.methods - allowed), f"public pages only read, but for {PUBLIC_WRITE_ENDPOINTS}"
        if "GET" not in rule.methods:
            continue
        page = client.get(_url(app, rule, samples))
        assert page.status_code == 200, rule.rule
        text_ = page.get_data().decode("utf-8", "replace")
        assert "13811112222" not in text_ and "1971" not in text_  # phone not chosen public, birth year never
        assert PRIVATE_PHONE not in text_, rule.rule  # a constituent's phone: staff only
    status = client.get(f"/p/{samples['town']}/o/{samples['code']}")
    assert status.status_code == 200 and "故县路灯不亮" in status.get_data(as_text=True)


def test_a_public_url_under_another_towns_name_never_shows_this_towns_records(app, world, samples, client):
    with app.app_context():
        town_a = db.session.get(Town, world.town_a)
        slug_a = town_a.slug
        db.session.remove()
    for rule in public_rules(app):
        page = _open_public(client, app, rule, {**samples, "town": slug_a})
        text_ = page.get_data().decode("utf-8", "replace")
        assert "故县代表" not in text_ and "故县路灯不亮" not in text_, rule.rule
        assert page.status_code in (200, 404)
    # town B's receipt code under town A's name: no such opinion there
    for endpoint in ("public.opinion_status", "public.opinion_receipt", "public.opinion_rate"):
        rule = next(r for r in public_rules(app) if r.endpoint == endpoint)
        assert _open_public(client, app, rule, {**samples, "town": slug_a}).status_code == 404, endpoint


def test_public_pages_of_a_suspended_town_are_gone(app, world, samples, client):
    from tenants.models import TownStatus

    with app.app_context():
        town_b = db.session.get(Town, world.town_b)
        town_b.status = TownStatus.suspended
        db.session.commit()
        try:
            for rule in public_rules(app):
                assert _open_public(client, app, rule, samples).status_code == 404, rule.rule
        finally:
            town_b.status = TownStatus.active
            db.session.commit()
