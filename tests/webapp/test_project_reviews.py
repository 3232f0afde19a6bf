"""The annual review's pages (一年一审议): created with the year's projects; the vote entered
through the forms, one project passing with 100% and one failing the threshold; a tally
larger than the people present refused with nothing saved; ballot codes printed as QR
slips and cast on the public page, once each; closing a vote; next year's candidates."""

from __future__ import annotations

import base64
import itertools
import re
from datetime import date
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from tenants.models import Town
from webapp.access import bound_to
from webapp.extensions import db
from webapp.projects.models import Ballot, Candidate, ProjectKind, ProjectReview, Vote
from webapp.projects.services import create_project

from ..conftest import unique

TOWN = "zhuyang"
BASE = f"/t/{TOWN}/projects/reviews"
_addresses = itertools.count(1)


def address() -> dict:
    """A voter's address of its own: the public pages' rate limits count per address."""
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.78.{n // 250}.{n % 250 + 1}"}


def make_projects(app, world, year: int, n: int, kind=ProjectKind.livelihood) -> list[int]:
    with app.app_context(), bound_to(world.town_a):
        return [create_project(actor=None, data={"year": year, "name": unique("审议项目"), "kind": kind}).id
                for _ in range(n)]


def new_review(client, year: int, project_ids: list[int] | None = None, **extra) -> int:
    data = {"day": f"{year}-12-20", "year": str(year), "place": "尹庄镇政府三楼会议室", **extra}
    if project_ids:
        data["project_ids"] = [str(i) for i in project_ids]
    response = client.post(f"{BASE}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def tally(client, review_id: int, project_id: int, present: tuple[int, int], **counts):
    data = {"present_voters": str(present[0]), "present_deputies": str(present[1])}
    data.update({k: str(v) for k, v in counts.items()})
    return client.post(f"{BASE}/{review_id}/projects/{project_id}/tally", data=data)


def section(html: str, project_id: int) -> str:
    start = html.index(f'data-testid="vote-{project_id}"')
    return html[start:html.index("</section>", start)]


def vote_of(html: str, project_id: int) -> dict:
    match = re.search(rf'data-testid="vote-{project_id}" data-rate="([^"]*)" data-total="(\d+)" '
                      rf'data-passed="([a-z]*)"', html)
    assert match, f"no vote-{project_id} on the page"
    return {"rate": match.group(1), "total": int(match.group(2)), "passed": match.group(3)}


def summary_of(html: str) -> dict:
    match = re.search(r'data-testid="review-summary" data-projects="(\d+)" data-passed="(\d+)" '
                      r'data-unanimous="(\d+)" data-voted="(\d+)"', html)
    return dict(zip(("projects", "passed", "unanimous", "voted"), map(int, match.groups())))


def stored_review(app, world, review_id: int, project_id: int) -> ProjectReview | None:
    with app.app_context(), bound_to(world.town_a):
        found = db.session.scalar(select(ProjectReview).where(ProjectReview.record_id == review_id,
                                                              ProjectReview.project_id == project_id))
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_review_takes_every_project_of_the_year_unless_told(app, world, client_as):
    client = client_as("a_staff")
    ids = make_projects(app, world, 2041, 3)
    page = client.get(f"{BASE}/new?year=2041")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f'value="{i}" id="f-p-{i}" checked' in html for i in ids)
    review_id = new_review(client, 2041)
    html = client.get(f"{BASE}/{review_id}").get_data(as_text=True)
    assert summary_of(html) == {"projects": 3, "passed": 0, "unanimous": 0, "voted": 0}
    assert all(vote_of(html, i) == {"rate": "", "total": 0, "passed": ""} for i in ids)
    # or only those chosen
    chosen = new_review(client, 2041, project_ids=ids[:1])
    assert summary_of(client.get(f"{BASE}/{chosen}").get_data(as_text=True))["projects"] == 1
    assert f'href="{BASE}/{review_id}"' in client.get(f"{BASE}/").get_data(as_text=True)
    # a year without projects cannot be reviewed; nothing is created
    response = client.post(f"{BASE}/new", data={"day": "2042-12-20", "year": "2042"})
    assert response.status_code == 400 and 'data-testid="error-project_ids"' in response.get_data(as_text=True)
    response = client.post(f"{BASE}/new", data={"year": "2041", "day": "20.12.2041"})
    assert response.status_code == 400 and 'data-testid="error-day"' in response.get_data(as_text=True)


def test_the_vote_through_the_forms_one_passes_with_100_percent_one_fails(app, world, client_as):
    client = client_as("a_staff")
    full, half, third = make_projects(app, world, 2043, 3)
    review_id = new_review(client, 2043)

    assert tally(client, review_id, full, (30, 10), voters_satisfied=30, deputies_satisfied=8,
                 deputies_basically=2).status_code == 302
    assert tally(client, review_id, half, (20, 5), voters_satisfied=10, voters_basically=2, voters_not_satisfied=8,
                 deputies_satisfied=3, deputies_not_satisfied=2).status_code == 302
    html = client.get(f"{BASE}/{review_id}").get_data(as_text=True)
    assert vote_of(html, full) == {"rate": "100.0", "total": 40, "passed": "yes"}
    assert vote_of(html, half) == {"rate": "60.0", "total": 25, "passed": "no"}  # 15 of 25 < 80%
    assert 'text-bg-success" data-testid="verdict"' in section(html, full)
    assert 'text-bg-danger" data-testid="verdict"' in section(html, half)
    assert '<strong class="fs-5 text-success" data-testid="rate">100%</strong>' in section(html, full)
    assert '<strong class="fs-5 text-danger" data-testid="rate">60%</strong>' in section(html, half)
    assert 'data-testid="count-%d-deputies-basically">2<' % full in html
    assert summary_of(html) == {"projects": 3, "passed": 1, "unanimous": 1, "voted": 2}
    assert stored_review(app, world, review_id, full).threshold == 80  # the town's pass mark, frozen

    # more votes than people present: refused with the reason, nothing saved
    response = tally(client, review_id, third, (5, 0), voters_satisfied=6)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-testid="tally-error"' in section(html, third)
    assert 'name="voters_satisfied" value="6"' in section(html, third)  # what was typed comes back
    assert stored_review(app, world, review_id, third) is None
    response = tally(client, review_id, full, (30, 10), voters_satisfied=31)
    assert response.status_code == 400
    assert stored_review(app, world, review_id, full).tallies["voters"]["satisfied"] == 30
    # not a number, or negative
    response = tally(client, review_id, third, (5, 0), voters_satisfied="x")
    assert response.status_code == 400 and stored_review(app, world, review_id, third) is None
    assert tally(client, review_id, third, (5, 0), voters_satisfied=-1).status_code == 400
    # a project not under this review, a review that is not one
    other = make_projects(app, world, 2043, 1)[0]
    assert tally(client, review_id, other, (1, 0), voters_satisfied=1).status_code == 404
    assert client.get(f"{BASE}/999999").status_code == 404


def test_the_pass_mark_comes_from_the_towns_settings(app, world, client_as):
    client = client_as("a_staff")
    (project,) = make_projects(app, world, 2044, 1)
    review_id = new_review(client, 2044)
    with app.app_context():
        town = db.session.get(Town, world.town_a)
        before = dict(town.settings)
        town.settings = {**before, "five_ones": {**(before.get("five_ones") or {}), "pass_threshold": 60}}
        db.session.commit()
    try:
        tally(client, review_id, project, (10, 0), voters_satisfied=6, voters_not_satisfied=4)
        html = client.get(f"{BASE}/{review_id}").get_data(as_text=True)
        assert vote_of(html, project) == {"rate": "60.0", "total": 10, "passed": "yes"}
    finally:
        with app.app_context():
            town = db.session.get(Town, world.town_a)
            town.settings = before
            db.session.commit()


def test_ballot_codes_print_as_qr_slips_and_count_once_on_the_public_page(app, world, client_as, client):
    staff = client_as("a_staff")
    (project,) = make_projects(app, world, 2045, 1)
    review_id = new_review(staff, 2045)
    ballots = f"{BASE}/{review_id}/projects/{project}/ballots"
    # ballots before anyone is counted present: refused
    response = staff.post(ballots, data={"voter": "voters", "count": "2", "had_voters": "0"})
    assert response.status_code == 400 and 'data-testid="ballots-error"' in response.get_data(as_text=True)
    assert tally(staff, review_id, project, (10, 0), voters_satisfied=8).status_code == 302
    response = staff.post(ballots, data={"voter": "voters", "count": "3", "had_voters": "0"})  # 8 + 3 > 10
    assert response.status_code == 400
    response = staff.post(ballots, data={"voter": "voters", "count": "2", "had_voters": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{ballots}.html")
    # the same form sent again issues nothing more
    assert staff.post(ballots, data={"voter": "voters", "count": "2", "had_voters": "0"}).status_code == 302

    sheet = staff.get(f"{ballots}.html")
    assert sheet.status_code == 200
    html = sheet.get_data(as_text=True)
    urls = re.findall(r'data-testid="ballot-slip" data-url="([^"]+)"', html)
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="[^"]*" data-testid="ballot-qr">', html)
    assert len(urls) == len(images) == 2
    assert all(base64.b64decode(image).lstrip().startswith((b"<?xml", b"<svg")) for image in images)
    assert all(f"/p/{TOWN}/ballot/" in url for url in urls)
    assert client_as("committee").get(f"{ballots}.html").status_code == 403  # the codes are for the staff
    assert client_as("a_deputy").get(f"{ballots}.html").status_code == 403

    # a voter scans the first slip
    first, second = (urlparse(u).path for u in urls)
    env = address()
    page = client.get(first, environ_base=env)
    assert page.status_code == 200 and 'data-testid="ballot-choices"' in page.get_data(as_text=True)
    assert client.post(first, data={"vote": "maybe"}, environ_base=env).status_code == 400
    response = client.post(first, data={"vote": "satisfied"}, environ_base=env)
    assert response.status_code == 303
    assert 'data-testid="ballot-cast"' in client.get(response.headers["Location"], environ_base=env).get_data(
        as_text=True)
    # used again (the same phone, or someone who found the slip): counted once, nothing changes
    response = client.post(first, data={"vote": "not_satisfied"}, environ_base=address())
    assert response.status_code == 409 and 'data-testid="ballot-used"' in response.get_data(as_text=True)
    page = client.get(first, environ_base=address()).get_data(as_text=True)
    assert 'data-testid="ballot-used"' in page and 'data-testid="ballot-choices"' not in page
    with app.app_context(), bound_to(world.town_a):
        token = first.rsplit("/", 1)[1]
        assert db.session.scalar(select(Ballot.vote).where(Ballot.token == token)) == Vote.satisfied
    html = staff.get(f"{BASE}/{review_id}").get_data(as_text=True)
    assert 'data-testid="count-%d-voters-satisfied">9<' % project in html  # 8 on paper + 1 by code
    assert vote_of(html, project) == {"rate": "100.0", "total": 9, "passed": "yes"}
    # the sheet now has the unused code only
    assert len(re.findall(r'data-testid="ballot-slip"', staff.get(f"{ballots}.html").get_data(as_text=True))) == 1
    assert client.get(f"/p/{TOWN}/ballot/not-a-real-code", environ_base=address()).status_code == 404

    # closing the vote: no more tallies, codes or votes
    assert staff.post(f"{BASE}/{review_id}/projects/{project}/close").status_code == 302
    assert tally(staff, review_id, project, (10, 0), voters_satisfied=7).status_code == 400
    assert staff.post(ballots, data={"voter": "voters", "count": "1"}).status_code == 400
    page = client.get(second, environ_base=address()).get_data(as_text=True)
    assert 'data-testid="ballot-closed"' in page
    assert client.post(second, data={"vote": "not_satisfied"}, environ_base=address()).status_code == 409
    with app.app_context(), bound_to(world.town_a):
        review = db.session.scalar(select(ProjectReview).where(ProjectReview.record_id == review_id))
        assert review.closed and review.tallies["voters"]["satisfied"] == 8
        assert [b.vote for b in review.ballots] == [Vote.satisfied, None]
    html = staff.get(f"{BASE}/{review_id}").get_data(as_text=True)
    assert 'data-testid="closed"' in section(html, project) and f"save-tally-{project}" not in html


def test_guessing_ballot_codes_is_throttled_but_voters_behind_one_address_are_not(app, world, client_as, client):
    staff = client_as("a_staff")
    (project,) = make_projects(app, world, 2046, 1)
    review_id = new_review(staff, 2046)
    tally(staff, review_id, project, (50, 0))
    staff.post(f"{BASE}/{review_id}/projects/{project}/ballots", data={"voter": "voters", "count": "40"})
    with app.app_context(), bound_to(world.town_a):
        tokens = list(db.session.scalars(select(Ballot.token).join(ProjectReview).where(
            ProjectReview.record_id == review_id)))
    limit = int(app.config["PUBLIC_LOOKUP_RATE_LIMIT"].split(" per ")[0])
    hall = address()  # a whole hall of voters on the station's Wi-Fi
    for token in tokens[:limit + 5]:
        assert client.get(f"/p/{TOWN}/ballot/{token}", environ_base=hall).status_code == 200
        response = client.post(f"/p/{TOWN}/ballot/{token}", data={"vote": "satisfied"}, environ_base=hall)
        assert response.status_code == 303
    guesser = address()
    for n in range(limit):
        assert client.get(f"/p/{TOWN}/ballot/guess{n:04d}", environ_base=guesser).status_code == 404
    response = client.get(f"/p/{TOWN}/ballot/{tokens[-1]}", environ_base=guesser)
    assert response.status_code == 429 and 'data-testid="public-error"' in response.get_data(as_text=True)


def test_next_years_candidates_are_consulted(app, world, client_as):
    client = client_as("a_staff")
    (project,) = make_projects(app, world, 2047, 1)
    review_id = new_review(client, 2047)
    add = f"{BASE}/{review_id}/candidates"
    # nobody counted present yet: no support can be recorded
    response = client.post(add, data={"name": "尹庄村文化广场", "support": "3"})
    assert response.status_code == 400 and 'data-testid="candidate-error"' in response.get_data(as_text=True)
    tally(client, review_id, project, (30, 10), voters_satisfied=30, deputies_satisfied=10)
    response = client.post(add, data={"name": "尹庄村文化广场", "description": "新建村民文化活动广场",
                                      "support": "32", "object": "6", "comments": "建议增加健身器材"})
    assert response.status_code == 302
    # sent twice: one candidate
    assert client.post(add, data={"name": "尹庄村文化广场", "description": "新建村民文化活动广场",
                                  "support": "32", "object": "6", "comments": "建议增加健身器材"}).status_code == 302
    for bad in ({"name": "东岭村排水改造", "support": "35", "object": "6"},  # 41 > 40 present
                {"name": "东岭村排水改造", "support": "-1"}, {"name": "", "support": "1"},
                {"name": "尹庄村文化广场", "support": "1"}):  # the name again, different: change it in its row
        response = client.post(add, data=bad)
        assert response.status_code == 400 and 'data-testid="candidate-error"' in response.get_data(as_text=True), bad
    with app.app_context(), bound_to(world.town_a):
        (candidate,) = db.session.scalars(select(Candidate).where(Candidate.record_id == review_id)).all()
        assert (candidate.support, candidate.object, candidate.comments) == (32, 6, "建议增加健身器材")
        candidate_id = candidate.id
    row = f"{add}/{candidate_id}"
    assert client.post(row, data={"support": "30", "object": "11"}).status_code == 400  # 41 > 40
    assert client.post(row, data={"support": "30", "object": "10", "comments": "多数支持"}).status_code == 302
    html = client.get(f"{BASE}/{review_id}").get_data(as_text=True)
    assert f'data-testid="candidate-{candidate_id}"' in html and "多数支持" in html
    with app.app_context(), bound_to(world.town_a):
        candidate = db.session.get(Candidate, candidate_id)
        assert (candidate.support, candidate.object, candidate.comments) == (30, 10, "多数支持")
    assert client.post(f"{BASE}/{review_id}/candidates/999999", data={"support": "1"}).status_code == 404


@pytest.mark.parametrize("username,reads,writes", [("a_deputy", 200, 403), ("a_presidium", 200, 403),
                                                    ("committee", 200, 403), ("a_admin", 200, 302)])
def test_who_reads_and_who_enters_the_vote(app, world, client_as, username, reads, writes):
    staff = client_as("a_staff")
    (project,) = make_projects(app, world, 2048, 1)
    review_id = new_review(staff, 2048)
    client = client_as(username)
    assert client.get(f"{BASE}/").status_code == reads
    html = client.get(f"{BASE}/{review_id}")
    assert html.status_code == reads
    assert (f"save-tally-{project}" in html.get_data(as_text=True)) == (writes == 302)
    assert tally(client, review_id, project, (3, 0), voters_satisfied=3).status_code == writes
    assert client.get(f"{BASE}/new").status_code == (200 if writes == 302 else 403)


def test_an_annual_review_counts_in_its_year(app, world):
    """The services of the review page: a review of another kind of record is not one."""
    from webapp.projects.models import RecordKind, SupervisionGroup
    from webapp.projects.review_views import annual_review, create_annual_review
    from webapp.projects.services import ProjectError, create_record

    with app.app_context(), bound_to(world.town_a):
        group = db.session.scalar(select(SupervisionGroup).order_by(SupervisionGroup.id))
        briefing = create_record(actor=None, kind=RecordKind.briefing, data={"group_id": group.id,
                                                                             "day": date(2049, 3, 1)})
        assert annual_review(briefing.id) is None
        with pytest.raises(ProjectError) as refused:
            create_annual_review(actor=None, data={"day": date(2049, 12, 1), "project_ids": [999999]})
        assert refused.value.field == "project_ids"
        with pytest.raises(ProjectError) as refused:
            create_annual_review(actor=None, data={"day": date(2049, 12, 1), "year": 2049})
        assert refused.value.field == "project_ids"
        project = create_project(actor=None, data={"year": 2049, "name": unique("审议项目"), "kind": ProjectKind.key})
        review = create_annual_review(actor=None, data={"day": date(2050, 1, 10), "year": 2049})
        assert review.projects == [project] and annual_review(review.id) is review
        db.session.rollback()
