"""Evaluation pages: staff, the presidium and committee readers see the years, rankings,
scores, sheets and the template; a deputy sees only their own sheet and objects to an item;
an out-of-range score saves nothing; a year with an open objection cannot be closed; a
template that does not add up is refused and nothing is saved."""

from __future__ import annotations

import io
from datetime import date
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tenants.models import Town
from webapp.access import bound_to
from webapp.evaluations.models import (EvaluationResult, EvaluationScore, EvaluationTemplate, EvaluationYear,
                                       Objection, ObjectionState, YearState)
from webapp.extensions import db


@pytest.fixture(scope="module")
def slug(app, world):
    with app.app_context():
        value = db.session.get(Town, world.town_a).slug
        db.session.remove()
    return value


def _open(client, slug, year: int, until: str = "2099-12-31") -> int:
    response = client.post(f"/t/{slug}/evaluations/open", data={"year": str(year), "objections_until": until})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _year(app, world, year_id) -> tuple:
    with app.app_context(), bound_to(world.town_a):
        year = db.session.get(EvaluationYear, year_id)
        return year.state, year.year


def _score(app, world, year_id, deputy_id, code):
    with app.app_context(), bound_to(world.town_a):
        score = db.session.scalar(select(EvaluationScore).where(
            EvaluationScore.year_id == year_id, EvaluationScore.deputy_id == deputy_id,
            EvaluationScore.indicator == code))
        return None if score is None else (score.points, score.explanation.get("rule"))


def test_staff_presidium_and_committee_read_every_page_and_only_staff_write(app, world, client_as, slug,
                                                                            linked_deputy):
    _client, deputy_id = linked_deputy("考评页代表")
    staff = client_as("a_staff")
    year_id = _open(staff, slug, 2051)
    assert _year(app, world, year_id) == (YearState.open, 2051)
    # the same year twice: refused with the service's message
    again = staff.post(f"/t/{slug}/evaluations/open", data={"year": "2051"})
    assert again.status_code == 400 and 'data-testid="error-year"' in again.get_data(as_text=True)
    pages = ["/", f"/years/{year_id}", f"/years/{year_id}/scores", "/template",
             f"/years/{year_id}/deputies/{deputy_id}"]
    for reader in ("a_staff", "a_presidium", "committee", "a_admin"):
        client = client_as(reader)
        for page in pages:
            response = client.get(f"/t/{slug}/evaluations{page}")
            assert response.status_code == 200, (reader, page, response.status_code)
        ranking = client.get(f"/t/{slug}/evaluations/years/{year_id}").get_data(as_text=True)
        assert f'data-deputy="{deputy_id}"' in ranking and 'data-testid="tie-rule"' in ranking
    xlsx = staff.get(f"/t/{slug}/evaluations/years/{year_id}/deputies/{deputy_id}/sheet.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A4"].value == "指标" and "考评页代表" in sheet["A1"].value
    # recomputing is an RQ job with a stable id; the year page shows its progress while it waits
    assert staff.post(f"/t/{slug}/evaluations/years/{year_id}/compute").status_code == 302
    with app.app_context():
        from jobs import queue

        job = queue().fetch_job(f"evaluation-{world.town_a}-{year_id}")
        assert job is not None and tuple(job.args) == (world.town_a, year_id)
    assert 'data-testid="job"' in staff.get(f"/t/{slug}/evaluations/years/{year_id}").get_data(as_text=True)
    for writer, url in (("committee", f"/years/{year_id}/compute"), ("a_presidium", f"/years/{year_id}/compute"),
                        ("committee", f"/years/{year_id}/close"), ("a_staff", f"/years/{year_id}/close"),
                        ("a_presidium", "/open"), ("a_staff", "/template"), ("committee", f"/years/{year_id}/scores")):
        assert client_as(writer).post(f"/t/{slug}/evaluations{url}").status_code == 403, (writer, url)
    # the deputy's file shows the year, provisional
    from webapp.deputies.file import SECTIONS

    with app.test_request_context(), bound_to(world.town_a):
        [entry] = SECTIONS["evaluation"].collect(deputy_id, date(2051, 1, 1), date(2051, 12, 31))
        assert entry.day == date(2051, 12, 31) and entry.detail
        assert entry.link.endswith(f"/evaluations/years/{year_id}/deputies/{deputy_id}")


def test_a_deputy_sees_only_their_own_sheet_and_objects_to_an_item(app, world, client_as, slug, linked_deputy):
    mine_client, mine = linked_deputy("考评自己")
    _other_client, other = linked_deputy("考评别人")
    year_id = _open(client_as("a_staff"), slug, 2052)
    assert mine_client.get(f"/t/{slug}/evaluations/years/{year_id}/deputies/{mine}").status_code == 200
    assert mine_client.get(f"/t/{slug}/evaluations/years/{year_id}/deputies/{other}").status_code == 404
    assert mine_client.get(f"/t/{slug}/evaluations/years/{year_id}/deputies/{other}/sheet.xlsx").status_code == 404
    to_year = mine_client.get(f"/t/{slug}/evaluations/years/{year_id}")
    assert to_year.status_code == 302 and to_year.headers["Location"].endswith(f"/deputies/{mine}")
    assert mine_client.get(f"/t/{slug}/evaluations/years/{year_id}/scores").status_code == 403
    assert mine_client.get(f"/t/{slug}/evaluations/template").status_code == 403
    empty = mine_client.post(f"/t/{slug}/evaluations/years/{year_id}/objections",
                             data={"indicator": "reception_day", "reason": " "})
    assert empty.status_code == 400 and 'data-testid="error-reason"' in empty.get_data(as_text=True)
    sent = mine_client.post(f"/t/{slug}/evaluations/years/{year_id}/objections",
                            data={"indicator": "reception_day", "reason": "三月接待日我在岗，未计入"})
    assert sent.status_code == 302
    with app.app_context(), bound_to(world.town_a):
        [objection] = db.session.scalars(select(Objection).where(Objection.year_id == year_id)).all()
        assert (objection.deputy_id, objection.indicator, objection.state) == (mine, "reception_day",
                                                                               ObjectionState.open)
        objection_id = objection.id
    # a deputy cannot resolve it
    assert mine_client.post(f"/t/{slug}/evaluations/objections/{objection_id}",
                            data={"decision": "accept", "points_after": "5", "note": "x"}).status_code == 403


def test_an_out_of_range_score_saves_nothing(app, world, client_as, slug, linked_deputy):
    _c1, first = linked_deputy("评分甲")
    _c2, second = linked_deputy("评分乙")
    year_id = _open(client_as("a_staff"), slug, 2053)
    presidium = client_as("a_presidium")
    bad = presidium.post(f"/t/{slug}/evaluations/years/{year_id}/scores", data={
        f"score-{first}-presidium_assessment": "8", f"score-{second}-presidium_assessment": "11",
        f"score-{first}-voter_assessment": "abc"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert f'data-testid="error-score-{second}-presidium_assessment"' in page
    assert f'data-testid="error-score-{first}-voter_assessment"' in page
    assert f'data-testid="error-score-{first}-presidium_assessment"' not in page
    assert _score(app, world, year_id, first, "presidium_assessment") is None
    good = presidium.post(f"/t/{slug}/evaluations/years/{year_id}/scores", data={
        f"score-{first}-presidium_assessment": "8", f"score-{second}-presidium_assessment": "9.5"})
    assert good.status_code == 302
    assert _score(app, world, year_id, second, "presidium_assessment") == (Decimal("9.5"), "entered")
    assert re.search(rf'name="score-{second}-presidium_assessment"[^>]*value="9.5"',
                     presidium.get(f"/t/{slug}/evaluations/years/{year_id}/scores").get_data(as_text=True))


def test_a_year_with_an_open_objection_cannot_be_closed(app, world, client_as, slug, linked_deputy):
    deputy_client, deputy = linked_deputy("异议代表")
    staff, presidium = client_as("a_staff"), client_as("a_presidium")
    year_id = _open(staff, slug, 2054)
    assert deputy_client.post(f"/t/{slug}/evaluations/years/{year_id}/objections",
                              data={"indicator": "training", "reason": "培训签到漏记"}).status_code == 302
    refused = presidium.post(f"/t/{slug}/evaluations/years/{year_id}/close")
    assert refused.status_code == 409 and 'data-testid="form-error"' in refused.get_data(as_text=True)
    assert _year(app, world, year_id)[0] == YearState.open
    with app.app_context(), bound_to(world.town_a):
        objection_id = db.session.scalar(select(Objection.id).where(Objection.year_id == year_id))
    # accepting without a note is refused and changes nothing
    no_note = staff.post(f"/t/{slug}/evaluations/objections/{objection_id}",
                         data={"decision": "accept", "points_after": "3", "note": ""})
    assert no_note.status_code == 400 and f'data-testid="error-objection-{objection_id}"' in no_note.get_data(as_text=True)
    assert staff.post(f"/t/{slug}/evaluations/objections/{objection_id}",
                      data={"decision": "accept", "points_after": "3", "note": "核实签到表，补记"}).status_code == 302
    sheet = staff.get(f"/t/{slug}/evaluations/years/{year_id}/deputies/{deputy}").get_data(as_text=True)
    assert 'data-testid="override-training"' in sheet
    assert presidium.post(f"/t/{slug}/evaluations/years/{year_id}/close").status_code == 302
    assert _year(app, world, year_id)[0] == YearState.closed
    with app.app_context(), bound_to(world.town_a):
        result = db.session.scalar(select(EvaluationResult).where(EvaluationResult.year_id == year_id,
                                                                  EvaluationResult.deputy_id == deputy))
        assert result.total == Decimal(3)


def _template_state(app, world):
    with app.app_context(), bound_to(world.town_a):
        template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
        return template.version, {i.code: (i.id, i.weight, i.cap) for i in template.indicators}, list(template.grades)


def _form(html: str) -> dict:
    return {name: value for name, value in re.findall(r'name="([a-z_]+_?\w*)"[^>]*value="([^"]*)"', html)
            if name != "csrf_token"}


def test_a_template_that_does_not_add_up_is_refused_and_nothing_saved(app, world, client_as, slug):
    admin = client_as("a_admin")
    version, indicators, grades = _template_state(app, world)
    form = _form(admin.get(f"/t/{slug}/evaluations/template").get_data(as_text=True))
    training, duty = indicators["training"][0], indicators["duty_report"][0]
    assert form[f"weight_{training}"] == "1" and form["max_total"] == "100"
    bad = admin.post(f"/t/{slug}/evaluations/template", data={**form, f"weight_{training}": "2"})
    assert bad.status_code == 400 and 'data-testid="form-error"' in bad.get_data(as_text=True)
    negative = admin.post(f"/t/{slug}/evaluations/template", data={**form, f"cap_{duty}": "-5"})
    assert negative.status_code == 400 and f'data-testid="error-cap_{duty}"' in negative.get_data(as_text=True)
    assert _template_state(app, world) == (version, indicators, grades)
    # a year opened now keeps its snapshot when the template changes afterwards
    year_id = _open(client_as("a_staff"), slug, 2055)
    good = admin.post(f"/t/{slug}/evaluations/template",
                      data={**form, f"weight_{training}": "2", f"weight_{duty}": "0"})
    assert good.status_code == 302
    new_version, changed, _grades = _template_state(app, world)
    assert new_version == version + 1 and changed["training"][1] == 2 and changed["duty_report"][1] == 0
    with app.app_context(), bound_to(world.town_a):
        snapshot = db.session.get(EvaluationYear, year_id).snapshot
        assert next(i for i in snapshot["indicators"] if i["code"] == "training")["weight"] == "1.00"
    # put it back for the other tests
    assert admin.post(f"/t/{slug}/evaluations/template", data=form).status_code == 302
