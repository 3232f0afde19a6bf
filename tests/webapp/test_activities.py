"""Activities: invitations, QR check-in (once), minutes, files, the deputy's file, the cadence."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from webapp.access import bound_to
from webapp.activities.models import Activity, ActivityType
from webapp.activities.services import cadence
from webapp.deputies.models import DeputyLevel
from webapp.deputies.services import create_deputy
from webapp.extensions import db

from .test_isolation import tiny_png

BASE = "/t/zhuyang/activities"


def _type_id(app, world, code="weekly_deliberation") -> int:
    with app.app_context(), bound_to(world.town_a):
        return db.session.scalar(select(ActivityType.id).where(ActivityType.code == code))


def _my_deputy(app, world, username: str, name: str) -> int:
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": name, "level": DeputyLevel.town})
        deputy.user_id = world.users[username]
        db.session.flush()
        return deputy.id


def test_a_deliberation_with_qr_check_in_minutes_and_files(app, world, client_as):
    deputy_id = _my_deputy(app, world, "a_presidium", "议事代表")
    staff = client_as("a_staff")
    bad = staff.post(f"{BASE}/new", data={"type_id": "", "theme": "", "day": "someday"})
    assert bad.status_code == 400
    response = staff.post(f"{BASE}/new", data={"type_id": _type_id(app, world), "theme": "朱阳村饮水安全",
                                               "day": "2026-06-02", "place": "朱阳村委会",
                                               "invitee_ids": [str(deputy_id)]})
    assert response.status_code == 302
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    url = page.split('data-testid="checkin-url">')[1].split("<")[0].replace("http://localhost", "")
    deputy = client_as("a_presidium")
    assert "以议事代表身份签到" in deputy.get(url).get_data(as_text=True)
    assert 'data-testid="checked-in"' in deputy.post(url).get_data(as_text=True)
    assert 'data-testid="already"' in deputy.post(url).get_data(as_text=True)  # twice: once
    assert deputy.get(url.rsplit("/", 1)[0] + "/wrong-token").status_code == 404
    activity_id = int(url.split("/activities/")[1].split("/")[0])
    with app.app_context(), bound_to(world.town_a):
        activity = db.session.get(Activity, activity_id)
        assert [(i.deputy_id, i.checked_in_by) for i in activity.invitees] == [(deputy_id, "qr")]
    assert staff.post(f"{BASE}/{activity_id}/minutes", data={"minutes": "议定三件事", "opinions_raised": "three"}).status_code == 400
    assert staff.post(f"{BASE}/{activity_id}/minutes", data={"minutes": "议定三件事", "opinions_raised": "3"}).status_code == 302
    ok = staff.post(f"{BASE}/{activity_id}/files", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(tiny_png()), "现场.png")})
    assert ok.status_code == 302
    liar = staff.post(f"{BASE}/{activity_id}/files", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"MZ\x90\x00 an executable"), "纪要.pdf")})
    assert liar.status_code == 400 and "与文件名不符" in liar.get_data(as_text=True)
    exe = staff.post(f"{BASE}/{activity_id}/files", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(b"MZ"), "tool.exe")})
    assert exe.status_code == 400
    # a 50 MB upload is refused by its declared length before anything is read
    huge = staff.post(f"{BASE}/{activity_id}/files", data=b"x", content_type="multipart/form-data; boundary=x",
                      environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)})
    assert huge.status_code == 413 and "文件过大" in huge.get_data(as_text=True)
    with app.app_context(), bound_to(world.town_a):
        from webapp.activities.services import ActivityError, add_file

        try:
            add_file(db.session.get(Activity, activity_id), actor=None, filename="big.pdf",
                     content=b"%PDF-" + b"0" * (11 * 1024 * 1024))
        except ActivityError as err:
            assert "10 MB" in str(err.message)
        else:
            raise AssertionError("an 11 MB file was accepted")
    with app.app_context(), bound_to(world.town_a):
        activity = db.session.get(Activity, activity_id)
        assert activity.minutes == "议定三件事" and activity.opinions_raised == 3
        assert [f.filename for f in activity.files] == ["现场.png"]
    file_page = client_as("a_admin").get(f"/t/zhuyang/deputies/{deputy_id}/file").get_data(as_text=True)
    assert "朱阳村饮水安全" in file_page and "参加活动" in file_page


def test_cadence_counts_periods_met(app, world, client_as):
    staff = client_as("a_staff")
    joint = _type_id(app, world, "joint_meeting")  # quarterly, one expected
    for day in ("2025-02-10", "2025-05-12", "2025-05-20"):
        staff.post(f"{BASE}/new", data={"type_id": joint, "theme": f"联席会议 {day}", "day": day})
    with app.app_context(), bound_to(world.town_a):
        rows = {r.kind.code: r for r in cadence(2025, today=date(2025, 12, 31))}
        assert (rows["joint_meeting"].periods, rows["joint_meeting"].held, rows["joint_meeting"].met) == (4, 3, 2)
        assert rows["weekly_deliberation"].periods == 52
    page = staff.get(f"{BASE}/cadence", query_string={"year": 2025}).get_data(as_text=True)
    assert "季联席" in page and "2 / 4" in page


def test_activities_and_attendance_in_the_api(app, world, client, client_as):
    import re

    page = client_as("a_staff").post("/account/tokens", data={"name": "acts"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "接口签到", "level": DeputyLevel.town})
        db.session.flush()
        deputy_id = deputy.id
    made = client.post("/api/v1/t/zhuyang/activities", headers=headers,
                       json={"type_id": _type_id(app, world, "training"), "theme": "代表履职培训", "day": "2026-04-08"})
    assert made.status_code == 201 and made.get_json()["type"] == "training"
    activity_id = made.get_json()["id"]
    once = client.post(f"/api/v1/t/zhuyang/activities/{activity_id}/attendance", headers=headers,
                       json={"deputy_id": deputy_id})
    twice = client.post(f"/api/v1/t/zhuyang/activities/{activity_id}/attendance", headers=headers,
                        json={"deputy_id": deputy_id})
    assert once.get_json()["attendance"] == twice.get_json()["attendance"]
    assert once.get_json()["attendance"][0]["checked_in_by"] == "staff"
    listed = client.get("/api/v1/t/zhuyang/activities", headers=headers, query_string={"year": 2026}).get_json()
    assert any(a["id"] == activity_id for a in listed["items"])
    bad = client.post("/api/v1/t/zhuyang/activities", headers=headers, json={"type_id": 999999, "theme": "x", "day": "2026-01-01"})
    assert bad.status_code == 422 and "type_id" in bad.get_json()["error"]["fields"]


def test_a_study_session_records_trainees_and_lecturers_and_feeds_the_calendar(app, world, client, client_as):
    from icalendar import Calendar

    from webapp.accounts.models import TownMembership, TownRole
    from webapp.accounts.services import create_user

    with app.app_context():
        user = create_user(username="lecturer_deputy", display_name="授课代表", password="correct-horse-9")
        db.session.add(TownMembership(user=user, town_id=world.town_a, role=TownRole.deputy))
        db.session.commit()
        user_id = user.id
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "授课代表", "level": DeputyLevel.town})
        deputy.user_id = user_id
        db.session.flush()
        deputy_id = deputy.id
    staff = client_as("a_staff")
    made = staff.post(f"{BASE}/new", data={"type_id": _type_id(app, world, "study_session"), "theme": "代表法学习",
                                           "day": "2026-07-01", "invitee_ids": [str(deputy_id)]})
    activity_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert staff.post(f"{BASE}/{activity_id}/minutes", data={"minutes": "研学", "trainees": "46",
                                                             "lecturer_ids": [str(deputy_id)]}).status_code == 302
    with app.app_context(), bound_to(world.town_a):
        activity = db.session.get(Activity, activity_id)
        assert activity.trainees == 46 and activity.invitees[0].lecturer
    me = client_as("lecturer_deputy")
    me.post("/t/zhuyang/receptions/calendar-link")
    page = me.get("/t/zhuyang/receptions/mine").get_data(as_text=True)
    url = page.split('data-testid="my-calendar-url">')[1].split("<")[0].replace("http://localhost", "")
    events = Calendar.from_ical(client.get(url).data).walk("VEVENT")
    assert any("代表法学习" in str(e["summary"]) for e in events)


def test_the_station_admin_sets_the_cadence_and_adds_a_kind(app, world, client_as):
    admin = client_as("a_admin")
    with app.app_context(), bound_to(world.town_a):
        current = list(db.session.scalars(select(ActivityType)))
        kinds = {k.code: k.id for k in current}
        form = {f"cadence_{k.id}": k.cadence.value for k in current} \
            | {f"expected_{k.id}": str(k.expected_per_period) for k in current} \
            | {f"active_{k.id}": "on" for k in current if k.active}
    form[f"cadence_{kinds['joint_meeting']}"] = "monthly"
    form[f"expected_{kinds['joint_meeting']}"] = "2"
    bad = admin.post(f"{BASE}/types", data={**form, f"expected_{kinds['training']}": "many"})
    assert bad.status_code == 400
    with app.app_context(), bound_to(world.town_a):
        assert db.session.get(ActivityType, kinds["joint_meeting"]).cadence.value == "quarterly"  # unchanged
    assert admin.post(f"{BASE}/types", data=form).status_code == 302
    added = admin.post(f"{BASE}/types", data={"action": "add", "name": "党员活动日+议事", "code": "party_day",
                                              "cadence": "monthly", "expected": "1"})
    assert added.status_code == 302
    again = admin.post(f"{BASE}/types", data={"action": "add", "name": "重复", "code": "party_day", "cadence": "monthly"})
    assert again.status_code == 400
    with app.app_context(), bound_to(world.town_a):
        joint = db.session.get(ActivityType, kinds["joint_meeting"])
        assert (joint.cadence.value, joint.expected_per_period) == ("monthly", 2)
        assert db.session.scalar(select(ActivityType).where(ActivityType.code == "party_day")).name == "党员活动日+议事"
    assert client_as("a_staff").get(f"{BASE}/types").status_code == 403
    # leave the town's cadence as the template made it, for the other tests
    from webapp.activities.models import Cadence

    with app.app_context(), bound_to(world.town_a):
        joint = db.session.get(ActivityType, kinds["joint_meeting"])
        joint.cadence, joint.expected_per_period = Cadence.quarterly, 1
