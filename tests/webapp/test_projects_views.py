"""Project pages: the board, projects, groups, briefings and inspections recorded through
their forms, the rectification ledger's steps (once only, refused with a message), and who
may write: staff; a deputy who leads a group, for that group; committee readers never."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.opinions.models import ResponsibleUnit
from webapp.projects.models import (Finding, FindingEvent, FindingState, Milestone, Phase, Project, ProjectKind,
                                    RecordKind, SupervisionFile, SupervisionGroup, SupervisionRecord)
from webapp.projects.services import add_file, add_finding, create_project, create_record, finding_step

from ..conftest import unique
from .test_isolation import tiny_png

TODAY = date.today()
#: the groups these tests use (test_projects.py counts the livelihood group's projects of 2026)
GROUP, LEADING = "urban_construction", "industrial_development"
LATER = TODAY + timedelta(days=30)


@pytest.fixture(scope="module")
def slug(app, world):
    with app.app_context():
        value = db.session.get(Town, world.town_a).slug
        db.session.remove()
    return value


def _ids(app, world) -> dict:
    with app.app_context(), bound_to(world.town_a):
        groups = {g.code: g.id for g in db.session.scalars(select(SupervisionGroup))}
        units = list(db.session.scalars(select(ResponsibleUnit.id).order_by(ResponsibleUnit.id)))
    return {"groups": groups, "units": units}


def _deputy(app, world, name: str) -> int:
    from webapp.deputies.models import DeputyLevel
    from webapp.deputies.services import create_deputy

    with app.app_context(), bound_to(world.town_a):
        return create_deputy(actor=None, data={"name": name, "level": DeputyLevel.town}).id


def _project(app, world, **extra) -> int:
    ids = _ids(app, world)
    with app.app_context(), bound_to(world.town_a):
        return create_project(actor=None, data={"year": TODAY.year, "name": unique("后庄村道路硬化"),
                                                "kind": ProjectKind.livelihood, "group_id": ids["groups"][GROUP],
                                                "unit_id": ids["units"][0], **extra}).id


def _inspection(app, world, project_id: int, *descriptions: str, group: str = GROUP) -> tuple[int, list[int]]:
    ids = _ids(app, world)
    with app.app_context(), bound_to(world.town_a):
        record = create_record(actor=None, kind=RecordKind.inspection, data={
            "group_id": ids["groups"][group], "day": TODAY, "project_ids": [project_id]})
        found = [add_finding(record, actor=None, description=d, project_id=project_id).id for d in descriptions]
        return record.id, found


def _row(board: str, slug: str, project_id: int) -> str:
    """The project's row on the board."""
    return re.search(rf'<tr data-testid="project-row"><td><a href="/t/{slug}/projects/{project_id}">.*?</tr>', board,
                     re.S).group(0)


def _nonce(html: str, action: str) -> str:
    return re.search(rf'name="nonce" value="([^"]+-{action})"', html).group(1)


def _created_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return int(response.headers["Location"].split("#")[0].rstrip("/").rsplit("/", 1)[1])


def _finding(app, world, finding_id: int) -> Finding:
    with app.app_context(), bound_to(world.town_a):
        finding = db.session.get(Finding, finding_id)
        db.session.expunge(finding)
        return finding


def _events(app, world, finding_id: int, action: str) -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(func.count()).select_from(FindingEvent).where(
            FindingEvent.finding_id == finding_id, FindingEvent.action == action))


def test_the_pages_render_for_staff_and_committee_who_cannot_write(app, world, client_as, slug):
    project_id = _project(app, world, group_id=None)  # no group: no missed checkpoint makes it red
    record_id, (finding_id,) = _inspection(app, world, project_id, "围挡破损")
    with app.app_context(), bound_to(world.town_a):
        file_id = add_file(finding=db.session.get(Finding, finding_id), filename="after.png", content=tiny_png(),
                           actor=None).id
    base = f"/t/{slug}/projects"
    pages = ["/", "/?by=phase", f"/?year={TODAY.year - 1}", f"/{project_id}", "/groups", "/records/",
             "/records/?kind=inspection", f"/records/{record_id}", "/findings", "/findings?state=open",
             f"/findings/{finding_id}", f"/files/{file_id}"]
    staff = client_as("a_staff")
    for path in pages + ["/new", f"/{project_id}/edit", "/records/new?kind=inspection", "/records/new?kind=briefing",
                         "/records/new?kind=half_year_report"]:
        assert staff.get(base + path).status_code == 200, path
    board = staff.get(base + "/").get_data(as_text=True)
    assert 'data-testid="phase-chart"' in board and 'data-testid="new-project"' in board
    assert 'data-rag="amber"' in _row(board, slug, project_id)  # an open finding
    assert 'data-testid="nav-projects"' in board
    assert staff.get(f"{base}/files/{file_id}").data == tiny_png()
    for reader in ("committee", "a_presidium", "a_deputy"):
        client = client_as(reader)
        for path in pages:
            assert client.get(base + path).status_code == 200, (reader, path)
        page = client.get(base + "/").get_data(as_text=True)
        assert 'data-testid="new-project"' not in page
        finding = client.get(f"{base}/findings/{finding_id}").get_data(as_text=True)
        assert 'data-testid="step-assign"' not in finding and 'data-testid="evidence-upload"' not in finding
    committee = client_as("committee")
    for path in ("/new", f"/{project_id}/edit", "/records/new"):
        assert committee.get(base + path).status_code == 403, path
    for path, data in ((("/new", {"year": TODAY.year, "name": "越权项目"})), (f"/{project_id}/carry-over", {}),
                       (f"/findings/{finding_id}/step", {"action": "assign"}), ("/groups", {"name": "越权组"})):
        assert committee.post(base + path, data=data).status_code == 403, path
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(func.count()).select_from(Project).where(Project.name == "越权项目")) == 0


def test_a_deputy_cannot_create_a_project_or_take_a_step(app, world, client_as, slug):
    deputy = client_as("a_deputy")
    base = f"/t/{slug}/projects"
    assert deputy.get(base + "/new").status_code == 403
    assert deputy.post(base + "/new", data={"year": TODAY.year, "name": "代表的项目"}).status_code == 403
    project_id = _project(app, world)
    _, (finding_id,) = _inspection(app, world, project_id, "路灯未安装")
    assert deputy.post(f"{base}/findings/{finding_id}/step", data={"action": "verify"}).status_code == 403
    assert deputy.get(base + "/records/new").status_code == 403  # leads no group
    assert client_as("a_presidium").post(base + "/new", data={"year": TODAY.year, "name": "x"}).status_code == 403


def test_staff_create_a_project_edit_it_add_milestones_and_carry_it_over(app, world, client_as, slug):
    ids = _ids(app, world)
    staff = client_as("a_staff")
    base = f"/t/{slug}/projects"
    name = unique("东岭村饮水安全工程")
    project_id = _created_id(staff.post(base + "/new", data={
        "action": "save", "year": TODAY.year, "name": name, "kind": "key", "unit_id": ids["units"][0],
        "group_id": ids["groups"][GROUP], "budget": "120.5", "location": "东岭村", "phase": "started",
        "progress": "20", "description": "新建蓄水池一座"}))
    page = staff.get(f"{base}/{project_id}").get_data(as_text=True)
    assert name in page and "东岭村" in page and "120.50" in page
    # a name the town already has this year: refused next to the field, nothing saved
    again = staff.post(base + "/new", data={"year": TODAY.year, "name": name, "kind": "key"})
    assert again.status_code == 400 and 'data-testid="error-name"' in again.get_data(as_text=True)
    edit = staff.get(f"{base}/{project_id}/edit").get_data(as_text=True)
    assert re.search(r'id="f-category"[^>]*value=""', edit)  # blank, not "None"
    bad = staff.post(f"{base}/{project_id}/edit", data={"name": name, "kind": "key", "progress": "150"})
    assert bad.status_code == 400 and 'data-testid="error-progress"' in bad.get_data(as_text=True)
    assert staff.post(f"{base}/{project_id}/edit", data={
        "name": name, "kind": "key", "phase": "construction", "progress": "45", "unit_id": ids["units"][1],
        "group_id": ids["groups"][GROUP], "budget": "130"}).status_code == 302
    assert staff.post(f"{base}/{project_id}/edit", data={"action": "milestone", "name": "主体完工",
                                                          "phase": "delivered", "planned_on": LATER.isoformat()}
                      ).status_code == 302
    missing = staff.post(f"{base}/{project_id}/edit", data={"action": "milestone", "name": "无日期"})
    assert missing.status_code == 400 and "error-milestone_planned_on" in missing.get_data(as_text=True)
    with app.app_context(), bound_to(world.town_a):
        project = db.session.get(Project, project_id)
        assert (project.phase, project.progress, project.unit_id, project.budget, project.location) == (
            Phase.construction, 45, ids["units"][1], 130, None)
        milestone_id = db.session.scalar(select(Milestone.id).where(Milestone.project_id == project_id))
    assert staff.post(f"{base}/{project_id}/edit", data={"action": "milestone_done", "milestone_id": milestone_id,
                                                          "done_on": TODAY.isoformat()}).status_code == 302
    assert "主体完工" in staff.get(f"{base}/{project_id}").get_data(as_text=True)
    _inspection(app, world, project_id, "进度滞后")  # the timeline: a milestone reached, a record, a finding
    page = staff.get(f"{base}/{project_id}").get_data(as_text=True)
    assert 'data-testid="timeline-milestone"' in page and 'data-testid="timeline-inspection"' in page
    follow_id = _created_id(staff.post(f"{base}/{project_id}/carry-over"))
    assert follow_id != project_id
    page = staff.get(f"{base}/{follow_id}").get_data(as_text=True)
    assert 'data-testid="continuing"' in page and f"/projects/{project_id}" in page
    twice = staff.post(f"{base}/{project_id}/carry-over")
    assert twice.status_code == 400 and "error-carry_over" in twice.get_data(as_text=True)
    board = staff.get(f"{base}/?year={TODAY.year + 1}").get_data(as_text=True)
    assert name in board and 'data-testid="continuing"' in board


def test_a_briefing_and_an_inspection_with_two_findings_through_the_forms(app, world, client_as, slug):
    ids = _ids(app, world)
    group = ids["groups"][GROUP]
    staff = client_as("a_staff")
    base = f"/t/{slug}/projects"
    project_id = _project(app, world, group_id=group)
    one, two = _deputy(app, world, "督导甲"), _deputy(app, world, "督导乙")
    briefing_id = _created_id(staff.post(base + "/records/new?kind=briefing", data={
        "group_id": group, "day": TODAY.isoformat(), "place": "镇政府三楼会议室",
        "summary": "施工单位汇报：路基完成80%", "issues_reported": "雨季影响工期", "suggestions": "增加夜间施工",
        "sent_to_presidium_on": TODAY.isoformat(), "attendee_ids": [one, two]}))
    with app.app_context(), bound_to(world.town_a):
        briefing = db.session.get(SupervisionRecord, briefing_id)
        assert briefing.kind == RecordKind.briefing and {d.id for d in briefing.attendees} == {one, two}
        assert project_id in {p.id for p in briefing.projects}  # the group's projects of the year
        assert briefing.sent_to_presidium_on == TODAY
    assert "雨季影响工期" in staff.get(f"{base}/records/{briefing_id}").get_data(as_text=True)
    assert 'data-testid="timeline-briefing"' in staff.get(f"{base}/{project_id}").get_data(as_text=True)

    # a briefing needs its group: refused, nothing saved
    before = _count(app, world, SupervisionRecord)
    refused = staff.post(base + "/records/new?kind=briefing", data={"day": TODAY.isoformat(), "summary": "无组"})
    assert refused.status_code == 400 and 'data-testid="error-group_id"' in refused.get_data(as_text=True)
    assert _count(app, world, SupervisionRecord) == before

    inspection_id = _created_id(staff.post(base + "/records/new?kind=inspection", data={
        "group_id": group, "day": TODAY.isoformat(), "place": "后庄村", "summary": "现场查看路基",
        "attendee_ids": [one], "project_ids": [project_id],
        "finding_description": ["排水沟未清理", "安全围挡缺失", ""],
        "finding_project_id": ["", str(project_id), ""],
        "finding_unit_id": ["", str(ids["units"][0]), ""],
        "finding_due_on": ["", LATER.isoformat(), ""],
        "photos": [(_png_file(), "site.png")]}, content_type="multipart/form-data"))
    with app.app_context(), bound_to(world.town_a):
        findings = db.session.scalars(select(Finding).where(Finding.record_id == inspection_id)
                                      .order_by(Finding.id)).all()
        assert [f.description for f in findings] == ["排水沟未清理", "安全围挡缺失"]
        assert [f.project_id for f in findings] == [project_id, project_id]  # the only project, when left blank
        assert [f.state for f in findings] == [FindingState.found, FindingState.assigned]
        assert findings[1].unit_id == ids["units"][0] and findings[1].due_on == LATER
        assert db.session.scalar(select(func.count()).select_from(SupervisionFile).where(
            SupervisionFile.record_id == inspection_id)) == 1
    page = staff.get(f"{base}/records/{inspection_id}").get_data(as_text=True)
    assert "排水沟未清理" in page and 'data-testid="photos"' in page
    ledger = staff.get(f"{base}/findings?group_id={group}").get_data(as_text=True)
    assert "排水沟未清理" in ledger and "安全围挡缺失" in ledger

    # a bad line among the findings (a unit without a deadline): nothing at all is saved
    before = (_count(app, world, SupervisionRecord), _count(app, world, Finding))
    bad = staff.post(base + "/records/new?kind=inspection", data={
        "group_id": group, "day": TODAY.isoformat(), "finding_description": ["好的一条", "坏的一条"],
        "finding_project_id": ["", ""], "finding_unit_id": ["", str(ids["units"][0])], "finding_due_on": ["", ""]})
    assert bad.status_code == 400 and 'data-testid="error-finding_1"' in bad.get_data(as_text=True)
    assert "坏的一条" in bad.get_data(as_text=True)  # kept in the form
    assert (_count(app, world, SupervisionRecord), _count(app, world, Finding)) == before

    # one more finding on the inspection's page
    assert staff.post(f"{base}/records/{inspection_id}/findings", data={"description": "标识牌未设置"}).status_code == 302
    # a half-year report without a group concerns all the year's projects
    report_id = _created_id(staff.post(base + "/records/new?kind=half_year_report", data={
        "day": TODAY.isoformat(), "summary": "各单位半年汇报", "suggestions": "加快进度", "attendee_ids": [one]}))
    with app.app_context(), bound_to(world.town_a):
        assert project_id in {p.id for p in db.session.get(SupervisionRecord, report_id).projects}


def _png_file():
    import io

    return io.BytesIO(tiny_png())


def _count(app, world, model) -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_step_posted_twice_applies_once_and_verifying_needs_evidence(app, world, client_as, slug):
    ids = _ids(app, world)
    staff = client_as("a_staff")
    base = f"/t/{slug}/projects"
    project_id = _project(app, world, group_id=None)
    _, (finding_id,) = _inspection(app, world, project_id, "路面裂缝")
    page = staff.get(f"{base}/findings/{finding_id}").get_data(as_text=True)
    assert 'data-testid="step-assign"' in page and 'data-testid="step-verify"' not in page
    nonce = _nonce(page, "assign")
    for _ in range(2):  # a double click
        assert staff.post(f"{base}/findings/{finding_id}/step", data={
            "action": "assign", "nonce": nonce, "unit_id": ids["units"][0], "due_on": LATER.isoformat()}
        ).status_code == 302
    assert _events(app, world, finding_id, "assign") == 1
    # an illegal step: 409 with the message
    illegal = staff.post(f"{base}/findings/{finding_id}/step", data={"action": "verify"})
    assert illegal.status_code == 409 and 'data-testid="form-error"' in illegal.get_data(as_text=True)
    # rectify without saying what was done: 400 next to the field
    empty = staff.post(f"{base}/findings/{finding_id}/step", data={"action": "rectify", "evidence": " "})
    assert empty.status_code == 400 and 'data-testid="error-evidence"' in empty.get_data(as_text=True)
    assert staff.post(f"{base}/findings/{finding_id}/step", data={"action": "rectify", "evidence": "裂缝已灌缝修补"}
                      ).status_code == 302
    # verifying without an evidence file: refused with the service's message, nothing changed
    refused = staff.post(f"{base}/findings/{finding_id}/step", data={"action": "verify", "by": "王组长"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-testid="error-file"' in text
    assert "photo or document of the rectification first" in text or "整改" in text
    assert _finding(app, world, finding_id).state == FindingState.rectified
    assert _events(app, world, finding_id, "verify") == 0
    # a file that is not what its name says is refused too
    fake = staff.post(f"{base}/findings/{finding_id}/files", data={"file": [(_fake(), "after.png")]},
                      content_type="multipart/form-data")
    assert fake.status_code == 400 and 'data-testid="error-upload"' in fake.get_data(as_text=True)
    assert staff.post(f"{base}/findings/{finding_id}/files", data={"file": [(_png_file(), "after.png")]},
                      content_type="multipart/form-data").status_code == 302
    page = staff.get(f"{base}/findings/{finding_id}").get_data(as_text=True)
    assert 'data-testid="evidence-files"' in page
    nonce = _nonce(page, "verify")
    for _ in range(2):
        assert staff.post(f"{base}/findings/{finding_id}/step", data={"action": "verify", "nonce": nonce,
                                                                     "by": "王组长"}).status_code == 302
    finding = _finding(app, world, finding_id)
    assert finding.state == FindingState.verified and finding.verified_by == "王组长"
    assert _events(app, world, finding_id, "verify") == 1
    assert 'data-rag="green"' in _row(staff.get(f"{base}/").get_data(as_text=True), slug, project_id)


def _fake():
    import io

    return io.BytesIO(b"not a png at all")


def test_an_overdue_finding_is_red_on_the_ledger_and_the_board(app, world, client_as, slug):
    ids = _ids(app, world)
    project_id = _project(app, world, group_id=None)
    _, (finding_id,) = _inspection(app, world, project_id, "逾期未整改的问题")
    with app.app_context(), bound_to(world.town_a):
        finding_step(db.session.get(Finding, finding_id), "assign", actor=None,
                     data={"unit_id": ids["units"][0], "due_on": TODAY - timedelta(days=2)},
                     today=TODAY - timedelta(days=20))
    staff = client_as("a_staff")
    ledger = staff.get(f"/t/{slug}/projects/findings?state=overdue").get_data(as_text=True)
    assert "逾期未整改的问题" in ledger and 'data-testid="overdue"' in ledger
    board = staff.get(f"/t/{slug}/projects/?by=phase").get_data(as_text=True)
    assert 'data-rag="red"' in _row(board, slug, project_id)


def test_groups_leader_and_members_and_a_leader_records_and_verifies_for_their_group(app, world, client_as, slug,
                                                                                     linked_deputy):
    ids = _ids(app, world)
    base = f"/t/{slug}/projects"
    leader_client, leader_id = linked_deputy("组长王")
    member = _deputy(app, world, "组员李")
    group = ids["groups"][LEADING]
    other = next(v for k, v in ids["groups"].items() if k != LEADING)
    staff = client_as("a_staff")
    assert staff.post(f"{base}/groups/{group}", data={"leader_id": leader_id, "member_ids": [member]}
                      ).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        row = db.session.get(SupervisionGroup, group)
        assert row.leader_deputy_id == leader_id and {d.id for d in row.members} == {leader_id, member}
    assert "组长王" in staff.get(f"{base}/groups").get_data(as_text=True)
    refused = staff.post(f"{base}/groups/{group}", data={"leader_id": 999999})
    assert refused.status_code == 400 and 'data-testid="error-leader_id"' in refused.get_data(as_text=True)

    # only the station admin adds a group
    assert staff.post(f"{base}/groups", data={"name": "生态环保组"}).status_code == 403
    admin = client_as("a_admin")
    assert admin.post(f"{base}/groups", data={"name": "生态环保组"}).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        assert db.session.scalar(select(SupervisionGroup.code).where(SupervisionGroup.name == "生态环保组"))

    # the leader records a briefing of their group, not of another's, and no half-year report
    project_id = _project(app, world, group_id=group)
    assert leader_client.get(f"{base}/records/new?kind=inspection").status_code == 200
    assert leader_client.get(f"{base}/records/new?kind=half_year_report").status_code == 403
    elsewhere = leader_client.post(f"{base}/records/new?kind=briefing", data={"group_id": other,
                                                                             "day": TODAY.isoformat()})
    assert elsewhere.status_code == 400 and 'data-testid="error-group_id"' in elsewhere.get_data(as_text=True)
    assert _created_id(leader_client.post(f"{base}/records/new?kind=briefing", data={
        "group_id": group, "day": TODAY.isoformat(), "summary": "组长主持通报"}))

    # ... and verifies a finding of the group's inspection once staff have the evidence, but does not assign
    _, (finding_id, foreign_id) = _inspection(app, world, project_id, "井盖缺失", "路沿石破损", group=LEADING)
    with app.app_context(), bound_to(world.town_a):
        finding = db.session.get(Finding, finding_id)
        finding_step(finding, "assign", actor=None, data={"unit_id": ids["units"][0], "due_on": LATER})
        finding_step(finding, "rectify", actor=None, data={"evidence": "井盖已补齐"})
        add_file(finding=finding, filename="after.png", content=tiny_png(), actor=None)
    page = leader_client.get(f"{base}/findings/{finding_id}").get_data(as_text=True)
    assert 'data-testid="step-verify"' in page and 'data-testid="step-assign"' not in page
    assert leader_client.post(f"{base}/findings/{foreign_id}/step", data={"action": "assign"}).status_code == 403
    assert leader_client.post(f"{base}/findings/{finding_id}/step", data={"action": "verify", "by": "组长王"}
                              ).status_code == 302
    assert _finding(app, world, finding_id).state == FindingState.verified
    # a finding of another group's inspection: not theirs to verify
    _, (theirs,) = _inspection(app, world, project_id, "别组的问题", group=GROUP)
    assert leader_client.post(f"{base}/findings/{theirs}/step", data={"action": "verify"}).status_code == 403
