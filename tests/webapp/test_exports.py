"""Issue #9, the export center: each kind builds a file with the areas' own figures; the job
is idempotent, a double click makes one export, only the person who asked (or the
committee) sees and downloads it, expired files are deleted, a failed export can be
retried, a killed worker's export is retried to a complete file, and the workbooks open in
LibreOffice."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import select

from jobs.exports import cleanup_exports, run_export
from webapp.access import bound_to
from webapp.exports.models import Export, ExportState
from webapp.extensions import db

from ..conftest import PASSWORD, burst_worker, empty_queue, kill_group, login, requeue_abandoned, unique, wait_for

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2033  # records of this module live in a year nobody else uses


# --- fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture()
def exports_queue(app, stack):
    q = Queue("exports", connection=Redis.from_url(stack.redis_url))
    empty_queue(q)
    yield q
    empty_queue(q)


@pytest.fixture()
def export_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(path))
    return path


def _row(app, export_id: int) -> dict:
    with app.app_context():
        e = db.session.get(Export, export_id)
        out = {c.name: getattr(e, c.name) for c in Export.__table__.columns}
        db.session.remove()
    return out


def _run(app, export_id: int) -> str:
    with app.app_context():
        return run_export(export_id)


def _started(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    location = response.headers["Location"]
    assert "/exports/" in location, location
    return int(location.rstrip("/").rsplit("/", 1)[1])


def _slug(app, town_id: int) -> str:
    from tenants.models import Town

    with app.app_context():
        slug = db.session.get(Town, town_id).slug
        db.session.remove()
    return slug


def _committee_slug(app, committee_id: int) -> str:
    from webapp.committees.models import Committee

    with app.app_context():
        slug = db.session.get(Committee, committee_id).slug
        db.session.remove()
    return slug


def _file(app, export_dir: Path, export_id: int) -> Path:
    row = _row(app, export_id)
    assert row["state"] == ExportState.done, row
    path = export_dir / row["path"]
    assert path.is_file() and path.stat().st_size == row["size"]
    return path


@pytest.fixture(scope="module")
def records(app, world):
    """Town A's records of YEAR: two deputies, an activity with a check-in, an opinion and a
    suggestion, a project inspected with a finding, the year's evaluation computed; and the
    rollups of YEAR Q2 for the committee's towns."""
    from webapp.activities.models import ActivityType
    from webapp.activities.services import check_in, create_activity
    from webapp.deputies.models import DeputyLevel
    from webapp.deputies.services import create_deputy
    from webapp.evaluations.services import compute, open_year
    from webapp.opinions.models import Channel, Kind
    from webapp.opinions.services import create_opinion
    from webapp.projects.models import ProjectKind, RecordKind, SupervisionGroup
    from webapp.projects.services import add_finding, create_project, create_record

    with app.app_context(), bound_to(world.town_a):
        first = create_deputy(actor=None, data={"name": "导出甲", "level": DeputyLevel.town, "phone": "13900001111"})
        second = create_deputy(actor=None, data={"name": "导出乙", "level": DeputyLevel.county})
        kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "weekly_deliberation"))
        activity = create_activity(actor=None, data={"type_id": kind.id, "theme": "导出测试议事", "day": date(YEAR, 5, 6),
                                                     "invitee_ids": [first.id, second.id]})
        check_in(activity, first, by="staff", actor=None)
        create_opinion(actor=None, actor_name="测试", data={"channel": Channel.visit, "title": "导出测试意见",
                                                            "text": "内容", "received_on": date(YEAR, 5, 10)})
        create_opinion(actor=None, actor_name="测试", data={
            "kind": Kind.suggestion, "channel": Channel.deputy, "title": "=HYPERLINK(\"http://x\")", "text": "建议",
            "received_on": date(YEAR, 4, 2), "deputy_id": first.id})
        group = db.session.scalar(select(SupervisionGroup).order_by(SupervisionGroup.id))
        project = create_project(actor=None, data={"year": YEAR, "name": "导出测试道路", "kind": ProjectKind.livelihood,
                                                   "group_id": group.id})
        inspection = create_record(actor=None, kind=RecordKind.inspection, data={
            "group_id": group.id, "day": date(YEAR, 6, 1), "project_ids": [project.id], "attendee_ids": [first.id]})
        add_finding(inspection, actor=None, description="导出测试问题", project_id=project.id)
        evaluation = open_year(actor=None, year=YEAR)
        compute(evaluation, deputy_ids=[first.id, second.id])
        ids = {"first": first.id, "second": second.id}
    from jobs.rollups import rollup_town

    with app.app_context():
        for town_id in (world.town_a, world.town_b):
            rollup_town(town_id, YEAR, 2, f"{YEAR}-07-02")
    return ids


# --- the schema -----------------------------------------------------------------------------------

# --- each kind ------------------------------------------------------------------------------------

def test_town_ledgers_one_sheet_per_ledger_with_the_services_figures(app, world, records, client_as, export_dir,
                                                                     exports_queue):
    from flask_babel import force_locale

    from webapp.deputies.services import roster_query
    from webapp.evaluations.models import EvaluationYear
    from webapp.evaluations.services import sheets
    from webapp.opinions.models import Kind
    from webapp.opinions.stats import statistics

    client = client_as("a_staff")
    slug = _slug(app, world.town_a)
    export_id = _started(client.post(f"/t/{slug}/exports/ledgers", data={"year": str(YEAR), "nonce": unique("n")}))
    assert exports_queue.job_ids == [f"export-{export_id}"]
    assert _row(app, export_id)["state"] == ExportState.queued
    assert _run(app, export_id) == "built"
    row = _row(app, export_id)
    assert row["percent"] == 100 and row["filename"] == f"{slug}-ledgers-{YEAR}.xlsx" and row["attempts"] == 1
    assert row["expires_at"] - row["finished_at"] == timedelta(days=7)

    book = load_workbook(_file(app, export_dir, export_id))
    with app.app_context(), force_locale("zh_Hans_CN"):
        from flask_babel import gettext as _

        assert book.sheetnames == [_("Deputies"), _("Activities"), _("Opinions"), _("Projects"), _("Findings"),
                                   _("Evaluation")]
    deputies, activities, opinions, projects, findings, evaluation = (book[n] for n in book.sheetnames)
    values = lambda sheet: [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]  # noqa: E731
    with app.app_context(), bound_to(world.town_a):
        roster = [d.id for d in db.session.scalars(roster_query(status=None))]
        received = sum(statistics(date(YEAR, 1, 1), date(YEAR, 12, 31), kind=k).total.received
                       for k in (Kind.opinion, Kind.suggestion))
        ranked = sheets(db.session.scalar(select(EvaluationYear).where(EvaluationYear.year == YEAR)))
        expected_ranking = [(s.rank, s.name, float(s.total)) for s in ranked]
    assert [r[0] for r in values(deputies)] == roster
    first = next(r for r in values(deputies) if r[0] == records["first"])
    assert first[1] == "导出甲" and first[9] == "13900001111"
    [activity] = values(activities)
    assert activity[0].date() == date(YEAR, 5, 6) and activity[2] == "导出测试议事" and activity[5:7] == [2, 1]
    assert len(values(opinions)) == received == 2
    formula_like = next(r for r in opinions.iter_rows(min_row=2) if r[4].value.startswith("="))
    assert formula_like[4].data_type == "s"  # text, never a formula
    assert [r[2] for r in values(projects)] == ["导出测试道路"]
    assert [r[3] for r in values(findings)] == ["导出测试问题"]
    assert [(r[1], r[2], r[3]) for r in values(evaluation)] == expected_ranking and len(expected_ranking) == 2


def test_the_deputy_file_is_the_file_pages_workbook(app, world, records, client_as, export_dir, exports_queue):
    from webapp.deputies.file import assemble, years_of
    from webapp.deputies.models import Deputy
    from webapp.deputies.roster_io import export_file

    client = client_as("a_deputy")
    slug = _slug(app, world.town_a)
    export_id = _started(client.post(f"/t/{slug}/exports/deputies/{records['first']}/file",
                                     data={"nonce": unique("n")}))
    assert _run(app, export_id) == "built"
    exported = load_workbook(_file(app, export_dir, export_id))
    with app.app_context(), bound_to(world.town_a):
        deputy = db.session.get(Deputy, records["first"])
        direct = load_workbook(io.BytesIO(export_file(deputy, assemble(deputy, years_of(deputy)))))
    assert exported.sheetnames == direct.sheetnames
    for name in direct.sheetnames:
        assert list(exported[name].values) == list(direct[name].values)
    assert _row(app, export_id)["filename"] == f"{slug}-deputy-{records['first']}-file.xlsx"
    page = client.get(f"/exports/{export_id}")
    assert page.status_code == 200 and f"/exports/{export_id}/download" in page.get_data(as_text=True)


def test_the_committee_quarter_is_a_zip_of_one_workbook_per_town_and_a_summary(app, world, records, client_as,
                                                                              export_dir, exports_queue):
    from webapp.committees.models import Committee
    from webapp.committees.rollups import committee_rollups, scorecard
    from webapp.committees.views import towns_in

    client = client_as("committee")
    slug = _committee_slug(app, world.committee)
    export_id = _started(client.post(f"/c/{slug}/exports/quarter", data={"quarter": f"{YEAR}Q2",
                                                                        "nonce": unique("n")}))
    assert _run(app, export_id) == "built"
    with app.app_context():
        towns = towns_in(db.session.get(Committee, world.committee))
        expected = {t.id: (t.slug, t.name) for t, _county in towns}
        rollups = committee_rollups(list(expected), [(YEAR, 2)])
        scores = {expected[town_id][1]: scorecard(r.figures)["score"] for (town_id, _y, _q), r in rollups.items()}
        received = {expected[town_id][1]: r.figures["opinions"]["received"] for (town_id, _y, _q), r in rollups.items()}
        db.session.remove()
    path = _file(app, export_dir, export_id)
    assert _row(app, export_id)["filename"] == f"{slug}-{YEAR}Q2.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == f"summary-{YEAR}Q2.xlsx"
        pdfs = [f"{s}-{YEAR}Q2-scorecard.pdf" for s, _n in expected.values()]
        assert sorted(names[1:]) == sorted([f"{s}-{YEAR}Q2.xlsx" for s, _n in expected.values()] + pdfs)
        for pdf in pdfs:
            assert archive.read(pdf)[:5] == b"%PDF-"
        summary = load_workbook(io.BytesIO(archive.read(names[0])))
        town_a = load_workbook(io.BytesIO(archive.read(f"{expected[world.town_a][0]}-{YEAR}Q2.xlsx")))
    lines = {r[1]: r for r in summary.active.iter_rows(min_row=3, values_only=True)}
    assert set(lines) == {name for _s, name in expected.values()}
    assert scores and {name: lines[name][2] for name in scores} == scores
    assert {name: lines[name][7] for name in received} == received
    assert len(town_a.sheetnames) == 4  # scorecard, activities, opinions, findings
    card = town_a.worksheets[0]
    assert card["B2"].value == scores["朱阳镇"] and card["A1"].value.startswith("朱阳镇")
    opinions = [r for r in town_a.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert len(opinions) == 2 == received["朱阳镇"] + 1  # an opinion and a suggestion; the rollup counts opinions


def test_the_committee_zip_has_one_scorecard_pdf_per_town_rendered_from_its_rollups(
        app, world, records, client_as, export_dir, exports_queue, monkeypatch):
    from webapp.exports import kinds

    calls = []

    def fake_scorecard_pdf(town, rollups, out):
        calls.append((town.slug, [(r.year, r.quarter) for r in rollups]))
        out.write(b"%PDF-1.4 fake")

    monkeypatch.setattr(kinds, "scorecard_renderer", lambda: fake_scorecard_pdf)
    client = client_as("committee")
    slug = _committee_slug(app, world.committee)
    export_id = _started(client.post(f"/c/{slug}/exports/quarter", data={"quarter": f"{YEAR}Q2",
                                                                        "nonce": unique("n")}))
    assert _run(app, export_id) == "built"
    with zipfile.ZipFile(_file(app, export_dir, export_id)) as archive:
        pdfs = [n for n in archive.namelist() if n.endswith("-scorecard.pdf")]
        assert archive.read(pdfs[0]) == b"%PDF-1.4 fake"
    assert len(pdfs) == len(calls) >= 2
    # the town's rows of the year up to the quarter (other tests may have written its Q1 too)
    assert (YEAR, 2) in dict(calls)[_slug(app, world.town_a)]


def test_the_documents_renderers_join_as_kinds(app, world, records, client_as, export_dir, exports_queue):
    """webapp/documents' PDF and DOCX renderers are export kinds like the others."""
    from webapp.exports.kinds import get_kind

    assert get_kind("annual_summary_docx") is not None and get_kind("deputy_file_pdf") is not None
    staff = client_as("a_staff")
    slug = _slug(app, world.town_a)
    this_year = date.today().year
    assert staff.post(f"/t/{slug}/exports/annual-summary", data={"year": str(YEAR)}).status_code == 302
    assert exports_queue.job_ids == []  # a year that has not begun: refused with a message
    summary = _started(staff.post(f"/t/{slug}/exports/annual-summary", data={"year": str(this_year)}))
    pdf = _started(staff.post(f"/t/{slug}/exports/deputies/{records['first']}/file", data={"kind": "deputy_file_pdf"}))
    for export_id in (summary, pdf):
        assert _run(app, export_id) == "built"
    with zipfile.ZipFile(_file(app, export_dir, summary)) as docx:
        assert "word/document.xml" in docx.namelist()
    assert _file(app, export_dir, pdf).read_bytes()[:5] == b"%PDF-"
    assert _row(app, summary)["filename"] == f"{slug}-annual-summary-{this_year}.docx"
    assert client_as("a_deputy").post(f"/t/{slug}/exports/annual-summary", data={"year": "2033"}).status_code == 403


# --- the job ------------------------------------------------------------------------------------

def test_the_job_is_idempotent(app, world, records, client_as, export_dir, exports_queue):
    client = client_as("a_admin")
    export_id = _started(client.post(f"/t/{_slug(app, world.town_a)}/exports/ledgers", data={"year": str(YEAR)}))
    assert _run(app, export_id) == "built"
    path = _file(app, export_dir, export_id)
    before, row = path.read_bytes(), _row(app, export_id)
    assert _run(app, export_id) == "unchanged"
    assert path.read_bytes() == before and _row(app, export_id) == row
    assert sorted(p.name for p in export_dir.iterdir()) == [path.name]  # no temporary file left behind


def test_one_worker_at_a_time_builds_an_export(app, world, client_as, export_dir, exports_queue):
    from sqlalchemy import text

    from webapp.exports.services import LOCK_CLASS

    export_id = _started(client_as("a_staff").post(f"/t/{_slug(app, world.town_a)}/exports/ledgers",
                                                   data={"year": str(YEAR)}))
    with app.app_context(), db.engine.connect() as other:  # another worker is building it
        assert other.execute(text("SELECT pg_try_advisory_lock(:c, :i)"), {"c": LOCK_CLASS, "i": export_id}).scalar()
        assert _run(app, export_id) == "busy"
        assert _row(app, export_id)["state"] == ExportState.queued
        assert not export_dir.exists() or not any(export_dir.iterdir())
        other.execute(text("SELECT pg_advisory_unlock(:c, :i)"), {"c": LOCK_CLASS, "i": export_id})
        other.commit()
    assert _run(app, export_id) == "built"


def test_a_double_click_makes_one_export(app, world, client_as, export_dir, exports_queue):
    client = client_as("a_staff")
    url = f"/t/{_slug(app, world.town_a)}/exports/ledgers"
    nonce = unique("double")
    first = _started(client.post(url, data={"year": "2033", "nonce": nonce}))
    second = _started(client.post(url, data={"year": "2033", "nonce": nonce}))
    assert first == second and exports_queue.job_ids == [f"export-{first}"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Export).where(Export.nonce == nonce)) == 1
        db.session.remove()
    third = _started(client.post(url, data={"year": "2033", "nonce": unique("double")}))
    assert third != first


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, world, records, client_as, export_dir,
                                                                 exports_queue):
    with app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(Export))
        db.session.remove()
    staff = client_as("a_staff")
    slug = _slug(app, world.town_a)
    response = staff.post(f"/t/{slug}/exports/ledgers", data={"year": "20x3"}, headers={"Referer": f"/t/{slug}/exports/"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/t/{slug}/exports/")
    assert "2000" in staff.get(f"/t/{slug}/exports/").get_data(as_text=True)  # the message, flashed
    committee = client_as("committee")
    response = committee.post(f"/c/{_committee_slug(app, world.committee)}/exports/quarter", data={"quarter": "2033Q5"})
    assert response.status_code == 302
    # a deputy of town B asked for under town A: no such deputy here
    with app.app_context(), bound_to(world.town_b):
        from webapp.deputies.models import DeputyLevel
        from webapp.deputies.services import create_deputy

        b_deputy = create_deputy(actor=None, data={"name": "乙镇代表", "level": DeputyLevel.town}).id
    assert staff.post(f"/t/{slug}/exports/deputies/{b_deputy + 100000}/file").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Export)) == count
        db.session.remove()
    assert exports_queue.job_ids == []


def test_who_may_ask_see_download_and_retry(app, world, records, client_as, export_dir, exports_queue):
    from webapp.accounts.models import CommitteeMembership
    from webapp.accounts.services import create_user

    slug_a, slug_b = _slug(app, world.town_a), _slug(app, world.town_b)
    committee_slug = _committee_slug(app, world.committee)
    # asking: staff of the town only; committee members read towns but never write; other towns: 404
    assert client_as("a_deputy").post(f"/t/{slug_a}/exports/ledgers", data={"year": "2033"}).status_code == 403
    assert client_as("committee").post(f"/t/{slug_a}/exports/ledgers", data={"year": "2033"}).status_code == 403
    assert client_as("b_admin").post(f"/t/{slug_a}/exports/ledgers", data={"year": "2033"}).status_code == 404
    assert client_as("other_committee").post(f"/c/{committee_slug}/exports/quarter",
                                             data={"quarter": f"{YEAR}Q2"}).status_code == 404
    assert client_as("a_admin").post(f"/c/{committee_slug}/exports/quarter",
                                     data={"quarter": f"{YEAR}Q2"}).status_code == 404
    assert exports_queue.job_ids == []

    town_export = _started(client_as("a_staff").post(f"/t/{slug_a}/exports/ledgers", data={"year": "2033"}))
    committee_export = _started(client_as("committee").post(f"/c/{committee_slug}/exports/quarter",
                                                            data={"quarter": f"{YEAR}Q2"}))
    for export_id in (town_export, committee_export):
        assert _run(app, export_id) == "built"
    with app.app_context():
        colleague = create_user(username=unique("colleague"), display_name="同委员会", password=PASSWORD)
        db.session.add(CommitteeMembership(user=colleague, committee_id=world.committee))
        db.session.commit()
        colleague_name = colleague.username
        db.session.remove()
    colleague = app.test_client()
    assert login(colleague, colleague_name).status_code == 302

    def urls(export_id):
        return [f"/exports/{export_id}", f"/exports/{export_id}/status.json", f"/exports/{export_id}/download"]

    for username in ("a_admin", "b_staff", "committee", "other_committee", "c_admin", "operator"):
        client = client_as(username)
        for url in urls(town_export):
            assert client.get(url).status_code == 404, (username, url)
        assert client.post(f"/exports/{town_export}/retry").status_code == 404, username
    for username in ("other_committee", "a_staff", "a_admin", "operator"):
        client = client_as(username)
        for url in urls(committee_export):
            assert client.get(url).status_code == 404, (username, url)
        assert client.post(f"/exports/{committee_export}/retry").status_code == 404, username
    owner = client_as("a_staff")
    for client, export_id, mimetype in ((owner, town_export, "spreadsheetml"), (client_as("committee"),
                                        committee_export, "zip"), (colleague, committee_export, "zip")):
        status = client.get(f"/exports/{export_id}/status.json").get_json()
        assert status["state"] == "done" and status["percent"] == 100
        with client.get(status["download_url"]) as download:
            assert download.status_code == 200 and mimetype in download.headers["Content-Type"]
            assert "attachment" in download.headers["Content-Disposition"] and download.data[:2] == b"PK"
    listed = colleague.get("/exports/").get_data(as_text=True)
    assert f"/exports/{committee_export}" in listed and f"/exports/{town_export}" not in listed
    assert f"/exports/{town_export}" in owner.get("/exports/").get_data(as_text=True)
    assert f"/exports/{town_export}" in owner.get(f"/t/{slug_a}/exports/").get_data(as_text=True)
    assert client_as("b_admin").get(f"/t/{slug_b}/exports/").status_code == 200
    assert f"/exports/{town_export}" not in client_as("b_admin").get(f"/t/{slug_b}/exports/").get_data(as_text=True)


def test_someone_who_left_the_town_no_longer_downloads_its_export(app, world, records, client_as, export_dir,
                                                                 exports_queue):
    from webapp.accounts.models import TownMembership, TownRole
    from webapp.accounts.services import create_user

    with app.app_context():
        user = create_user(username=unique("leaver"), display_name="离任秘书", password=PASSWORD)
        membership = TownMembership(user=user, town_id=world.town_a, role=TownRole.staff)
        db.session.add(membership)
        db.session.commit()
        username, membership_id = user.username, membership.id
        db.session.remove()
    client = app.test_client()
    assert login(client, username).status_code == 302
    export_id = _started(client.post(f"/t/{_slug(app, world.town_a)}/exports/ledgers", data={"year": "2033"}))
    assert _run(app, export_id) == "built"
    with client.get(f"/exports/{export_id}/download") as download:
        assert download.status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(TownMembership, membership_id))
        db.session.commit()
        db.session.remove()
    assert client.get(f"/exports/{export_id}/download").status_code == 404


def test_expired_files_are_deleted_and_the_row_says_so(app, world, records, client_as, export_dir, exports_queue):
    client = client_as("a_staff")
    export_id = _started(client.post(f"/t/{_slug(app, world.town_a)}/exports/ledgers", data={"year": "2033"}))
    assert _run(app, export_id) == "built"
    path = _file(app, export_dir, export_id)
    with app.app_context():
        assert cleanup_exports()["expired"] == 0  # not yet
        assert path.exists()
    stale, young = export_dir / ".deadbeef.xlsx.0000.part", export_dir / ".cafe.zip.0000.part"
    stale.write_bytes(b"half a file of a build that died")
    young.write_bytes(b"half a file being built")
    os.utime(stale, (time.time() - 7 * 3600,) * 2)
    with app.app_context():
        db.session.get(Export, export_id).expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
    with app.app_context():
        result = cleanup_exports()
    assert result["expired"] >= 1 and result["parts"] == 1
    assert not path.exists() and not stale.exists() and young.exists()
    row = _row(app, export_id)
    assert row["state"] == ExportState.expired
    download = client.get(f"/exports/{export_id}/download")
    assert download.status_code == 302 and download.headers["Location"].endswith(f"/exports/{export_id}")
    assert client.get(f"/exports/{export_id}/status.json").get_json()["download_url"] is None
    with app.app_context():
        assert cleanup_exports()["expired"] == 0  # idempotent


def test_a_failed_export_is_retried_by_rq_then_by_the_person(app, world, records, client_as, export_dir,
                                                             exports_queue, monkeypatch):
    from webapp.exports import kinds

    original = kinds.KINDS["town_ledgers"]
    failures = {"left": 3}

    def flaky(job, out, report):
        if failures["left"]:
            failures["left"] -= 1
            out.write(b"half")
            raise RuntimeError("the database went away")
        return original.build(job, out, report)

    monkeypatch.setitem(kinds.KINDS, "town_ledgers", replace(original, build=flaky))
    client = client_as("a_staff")
    export_id = _started(client.post(f"/t/{_slug(app, world.town_a)}/exports/ledgers", data={"year": "2033"}))
    with app.app_context():  # the worker of `make demo`, here: the first try and RQ's two retries fail
        SimpleWorker([exports_queue], connection=exports_queue.connection).work(burst=True)
    row = _row(app, export_id)
    assert row["state"] == ExportState.failed and row["attempts"] == 3 and "database went away" in row["error"]
    assert list(export_dir.iterdir()) == []  # nothing half-written is kept
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "export-retry" in page

    assert client.post(f"/exports/{export_id}/retry").status_code == 302
    assert client.post(f"/exports/{export_id}/retry").status_code == 302  # a second click changes nothing
    assert exports_queue.job_ids == [f"export-{export_id}"]
    assert _row(app, export_id)["state"] == ExportState.queued
    with app.app_context():
        SimpleWorker([exports_queue], connection=exports_queue.connection).work(burst=True)
    row = _row(app, export_id)
    assert row["state"] == ExportState.done and row["attempts"] == 4 and row["error"] is None
    load_workbook(_file(app, export_dir, export_id))
    assert Job.fetch(f"export-{export_id}", connection=exports_queue.connection).get_status() == "finished"


def test_an_export_whose_job_is_lost_is_marked_failed_so_it_can_be_retried(app, world, client_as, export_dir,
                                                                          exports_queue):
    client = client_as("a_staff")
    export_id = _started(client.post(f"/t/{_slug(app, world.town_a)}/exports/ledgers", data={"year": "2033"}))
    exports_queue.empty()  # Redis lost the job (flushed, restored from an old snapshot ...)
    assert not exports_queue.connection.exists(f"rq:job:export-{export_id}")
    assert client.get(f"/exports/{export_id}/status.json").get_json()["state"] == "queued"  # just asked: wait
    with app.app_context():
        db.session.get(Export, export_id).created_at = datetime.now(UTC) - timedelta(minutes=5)
        db.session.commit()
        db.session.remove()
    assert client.get(f"/exports/{export_id}/status.json").get_json()["state"] == "failed"


# --- a killed worker ----------------------------------------------------------------------------

KILLABLE = '''
# `liaison worker --queues exports --burst`, with the workbooks' sheets counted: inside the
# committee's second town the work horse writes MARKER and waits to be killed
import json, os, sys, time
sys.path.insert(0, {root!r})
import webapp.exports.ledgers as ledgers

add_sheet, calls = ledgers.add_sheet, []

def add_sheet_then_stop(*args, **kwargs):
    if len(calls) == 5:  # town 1's four sheets are in the ZIP, town 2's first too
        with open({marker!r} + ".part", "w") as f:
            json.dump({{"pid": os.getpid()}}, f)
        os.rename({marker!r} + ".part", {marker!r})
        time.sleep(60)
        os._exit(3)  # never finish: the test kills us long before
    calls.append(1)
    return add_sheet(*args, **kwargs)

ledgers.add_sheet = add_sheet_then_stop
from webapp.cli import main
main(["worker", "--queues", "exports", "--burst"], prog_name="liaison")
'''


def test_a_killed_export_is_retried_to_a_complete_file(app, world, stack, records, client_as, export_dir,
                                                       exports_queue, tmp_path):
    from webapp.committees.models import Committee
    from webapp.committees.views import towns_in

    client = client_as("committee")
    export_id = _started(client.post(f"/c/{_committee_slug(app, world.committee)}/exports/quarter",
                                     data={"quarter": f"{YEAR}Q2"}))
    job_id = f"export-{export_id}"
    assert exports_queue.job_ids == [job_id]
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url, "PYTHONUNBUFFERED": "1",
           "LIAISON_EXPORT_DIR": str(export_dir)}
    marker, log = tmp_path / "stopped.json", tmp_path / "worker.log"
    script = tmp_path / "killable_export_worker.py"
    script.write_text(KILLABLE.format(root=str(ROOT), marker=str(marker)))
    worker = horse = None
    try:
        with log.open("w") as out:
            worker = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: marker.exists() or worker.poll() is not None, 60, "the export to reach the second town", log)
        assert marker.exists(), f"the worker exited ({worker.returncode}) first:\n{log.read_text()[-3000:]}"
        horse = json.loads(marker.read_text())["pid"]
        row = _row(app, export_id)
        assert row["state"] == ExportState.running and 0 < row["percent"] < 100 and row["attempts"] == 1
        kill_group(worker.pid)
        kill_group(horse)  # the horse runs in a process group of its own
        worker.wait(timeout=10)
    finally:
        kill_group(worker.pid if worker else None)
        kill_group(horse)

    # half a ZIP is left under a temporary name; nothing is offered for download
    assert [p.name.endswith(".part") for p in export_dir.iterdir()] == [True]
    assert client.get(f"/exports/{export_id}/status.json").get_json()["download_url"] is None

    job = requeue_abandoned(exports_queue, job_id)  # once the dead worker's heartbeat has expired
    assert job.get_status() == "queued" and job.retries_left == 1 and exports_queue.job_ids == [job_id]

    burst_worker("exports", env, log, timeout=90)
    job.refresh()
    assert job.get_status() == "finished", log.read_text()[-3000:]
    row = _row(app, export_id)
    assert row["state"] == ExportState.done and row["attempts"] == 2 and row["percent"] == 100
    path = _file(app, export_dir, export_id)
    assert sorted(p.name for p in export_dir.iterdir()) == [path.name]  # the half ZIP is gone
    with app.app_context():
        towns = towns_in(db.session.get(Committee, world.committee))
        db.session.remove()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        workbooks = [n for n in archive.namelist() if n.endswith(".xlsx")]
        assert len(workbooks) == 1 + len(towns)
        for name in workbooks:
            load_workbook(io.BytesIO(archive.read(name)))


# --- LibreOffice --------------------------------------------------------------------------------

def _libreoffice() -> str:
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found is None:
        message = "libreoffice is not installed (apt-get install libreoffice-calc)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_workbooks_open_in_libreoffice(app, world, records, client_as, export_dir, exports_queue, tmp_path):
    """LibreOffice converts each kind of workbook (a streamed one, one streamed into a ZIP entry,
    the deputy file's) without complaint: what it cannot read it refuses to convert."""
    office = _libreoffice()
    staff = client_as("a_staff")
    slug = _slug(app, world.town_a)
    ledgers = _started(staff.post(f"/t/{slug}/exports/ledgers", data={"year": str(YEAR)}))
    deputy = _started(staff.post(f"/t/{slug}/exports/deputies/{records['first']}/file"))
    quarter = _started(client_as("committee").post(f"/c/{_committee_slug(app, world.committee)}/exports/quarter",
                                                   data={"quarter": f"{YEAR}Q2"}))
    for export_id in (ledgers, deputy, quarter):
        assert _run(app, export_id) == "built"
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(_file(app, export_dir, ledgers), inputs / "ledgers.xlsx")
    shutil.copy(_file(app, export_dir, deputy), inputs / "deputy.xlsx")
    with zipfile.ZipFile(_file(app, export_dir, quarter)) as archive:
        (inputs / "summary.xlsx").write_bytes(archive.read(archive.namelist()[0]))
        (inputs / "town.xlsx").write_bytes(archive.read(f"{slug}-{YEAR}Q2.xlsx"))
    out = tmp_path / "out"
    files = sorted(inputs.iterdir())
    result = subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    for source in files:
        pdf = out / f"{source.stem}.pdf"
        assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-", (source.name, result.stdout, result.stderr)
