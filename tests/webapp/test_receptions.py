"""Reception days: the rule over China's holidays, the annual rota, swaps and locks, the public notice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tenants.models import Town
from webapp.access import bound_to
from webapp.deputies.models import Deputy, DeputyLevel, DeputyStatus
from webapp.extensions import db
from webapp.receptions.calendar import is_working_day, nominal_day, reception_day
from webapp.receptions.models import ReceptionDay
from webapp.receptions.services import RotaError, days_of, generate_rota, swap

FIFTH = {"rule": "day_of_month", "day": 5, "holiday_policy": "next_working_day"}


def test_the_fifth_of_october_2026_moves_as_the_policy_says():
    assert not is_working_day(date(2026, 10, 5))  # National Day holiday
    assert reception_day(FIFTH, 2026, 10) == date(2026, 10, 8)
    assert reception_day({**FIFTH, "holiday_policy": "previous_working_day"}, 2026, 10) == date(2026, 9, 30)
    assert reception_day({**FIFTH, "holiday_policy": "none"}, 2026, 10) == date(2026, 10, 5)
    assert reception_day(FIFTH, 2026, 12) == date(2026, 12, 7)  # a Saturday moves to Monday


def test_make_up_working_days_count_as_working_days():
    assert date(2026, 10, 10).weekday() == 5 and is_working_day(date(2026, 10, 10))  # 调休 Saturday
    rule = {"rule": "day_of_month", "day": 10, "holiday_policy": "next_working_day"}
    assert reception_day(rule, 2026, 10) == date(2026, 10, 10)


def test_weekday_rules():
    first_friday = {"rule": "nth_weekday", "nth": 1, "weekday": 4, "holiday_policy": "none"}
    assert nominal_day(first_friday, 2026, 11) == date(2026, 11, 6)
    assert nominal_day({**first_friday, "nth": 5}, 2026, 11) == date(2026, 11, 27)  # the last Friday
    assert nominal_day({"rule": "day_of_month", "day": 31}, 2026, 2) == date(2026, 2, 28)


def _serving_town_deputies() -> list[int]:
    return list(db.session.scalars(select(Deputy.id).where(Deputy.level == DeputyLevel.town,
                                                           Deputy.status == DeputyStatus.serving)))


def test_the_rota_covers_every_town_deputy_evenly_and_keeps_locked_months(app, world):
    with app.app_context(), bound_to(world.town_a):
        from webapp.deputies.services import create_deputy

        for n in range(15):
            create_deputy(actor=None, data={"name": f"轮值{n}", "level": DeputyLevel.town})
        county = create_deputy(actor=None, data={"name": "县代表轮值", "level": DeputyLevel.county})
        db.session.flush()
        town = db.session.get(Town, world.town_a)
        days = generate_rota(town, 2027, actor=None, extra_deputy_ids=[county.id])
        assert len(days) == 12 and days[9].day == reception_day(town.settings["reception_day"], 2027, 10)
        on_duty = [d.id for day in days for d in day.deputies if d.level == DeputyLevel.town]
        assert sorted(on_duty) == sorted(_serving_town_deputies())  # everyone, once
        loads = [sum(1 for d in day.deputies if d.level == DeputyLevel.town) for day in days]
        assert max(loads) - min(loads) <= 1
        assert any(county in day.deputies for day in days)
        march = days[2]
        march.locked = True
        kept = {d.id for d in march.deputies}
        db.session.flush()
        again = generate_rota(town, 2027, actor=None)
        assert {d.id for d in again[2].deputies} == kept and len(again) == 12
        assert db.session.scalar(select(func.count()).select_from(ReceptionDay)
                                 .where(ReceptionDay.day.between(date(2027, 1, 1), date(2027, 12, 31)))) == 12
        with pytest.raises(RotaError):
            swap(again[2], actor=None, remove_id=next(iter(kept)), add_id=None)
        swap(again[3], actor=None, remove_id=again[3].deputies[0].id, add_id=county.id)
        assert county in again[3].deputies


def test_a_rota_without_deputies_is_refused_and_writes_nothing(app, world, client_as):
    with app.app_context(), bound_to(world.town_c):  # 张村镇 has no deputies
        assert not _serving_town_deputies()
    client = client_as("c_admin")
    response = client.post("/t/zhangcun/receptions/generate", data={"year": "2027"})
    assert response.status_code == 400 and "没有在任的镇级代表" in response.get_data(as_text=True)
    with app.app_context(), bound_to(world.town_c):
        assert days_of(2027) == []
    assert client.post("/t/zhangcun/receptions/generate", data={"year": "x"}).status_code == 400


def test_staff_set_the_rule_in_the_web(app, world, client_as):
    staff = client_as("a_staff")
    bad = staff.post("/t/zhuyang/receptions/rule", data={"rule": "day_of_month", "day": "40", "start": "9am"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert 'data-testid="error-day"' in page and 'data-testid="error-start"' in page
    ok = staff.post("/t/zhuyang/receptions/rule", data={"rule": "nth_weekday", "nth": "1", "weekday": "4",
                                                        "holiday_policy": "previous_working_day", "start": "09:00",
                                                        "end": "11:30", "place": "朱阳镇联络站"})
    assert ok.status_code == 302
    with app.app_context():
        rule = db.session.get(Town, world.town_a).settings["reception_day"]
        assert rule["rule"] == "nth_weekday" and rule["place"] == "朱阳镇联络站"
    assert "每月第一个星期五" in staff.get("/t/zhuyang/receptions/").get_data(as_text=True)
    assert client_as("a_deputy").post("/t/zhuyang/receptions/rule", data={"rule": "day_of_month"}).status_code == 403


def test_the_notice_job_tells_each_deputy_once(app, world, stack):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from jobs.receptions import reception_notices_due, send_reception_notices
    from webapp.accounts.services import create_user
    from webapp.deputies.services import create_deputy
    from webapp.notifications.models import Notification
    from webapp.receptions.models import RotaEntry

    with app.app_context():
        user = create_user(username="notice_deputy", display_name="通知代表", password="whatever-123")
        db.session.commit()
        user_id = user.id
    with app.app_context(), bound_to(world.town_b):
        deputy = create_deputy(actor=None, data={"name": "通知代表", "level": DeputyLevel.town})
        deputy.user_id = user_id
        day = ReceptionDay(day=date(2031, 3, 5), starts="08:30", ends="11:30", place="故县镇联络站")
        day.deputies.append(deputy)
        db.session.add(day)
        db.session.flush()
        day_id, deputy_id = day.id, deputy.id
    assert send_reception_notices(world.town_b, "2031-02-26") == 1
    assert send_reception_notices(world.town_b, "2031-02-26") == 0  # twice the same day: once
    assert send_reception_notices(world.town_b, "2031-02-20") == 0  # more than a week ahead: not yet
    with app.app_context(), bound_to(world.town_b):
        entry = db.session.scalar(select(RotaEntry).where(RotaEntry.reception_day_id == day_id,
                                                          RotaEntry.deputy_id == deputy_id))
        assert entry.notified_at is not None and entry.notified_by == "in_app,call_list"
        notes = db.session.scalars(select(Notification).where(Notification.user_id == user_id)).all()
        assert len(notes) == 1 and "2031年3月5日" in notes[0].title
    # the daily fan-out enqueues one job per active town under a stable id
    queue = Queue("notify", connection=Redis.from_url(stack.redis_url))
    queue.empty()
    with app.app_context():
        assert reception_notices_due("2031-02-26") >= 3
        reception_notices_due("2031-02-26")
    assert queue.count == len({j for j in queue.job_ids})
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    queue.empty()


def test_a_deputy_answers_and_staff_record_the_day(app, world, client_as):
    from webapp.deputies.services import create_deputy

    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "应答代表", "level": DeputyLevel.town})
        deputy.user_id = world.users["a_deputy"]
        future = ReceptionDay(day=date(2032, 5, 5), starts="08:30", ends="11:30")
        past = ReceptionDay(day=date(2020, 5, 5))
        future.deputies.append(deputy)
        past.deputies.append(deputy)
        db.session.add_all([future, past])
        db.session.flush()
        future_id, past_id, deputy_id = future.id, past.id, deputy.id
    me = client_as("a_deputy")
    page = me.get("/t/zhuyang/receptions/mine").get_data(as_text=True)
    assert f'data-testid="my-day-{future_id}"' in page and f'my-day-{past_id}"' not in page
    assert me.post(f"/t/zhuyang/receptions/{future_id}/respond", data={"response": "declined"}).status_code == 302
    assert me.post(f"/t/zhuyang/receptions/{future_id}/respond", data={"response": "maybe"}).status_code == 400
    late = me.post(f"/t/zhuyang/receptions/{past_id}/respond", data={"response": "confirmed"}, follow_redirects=True)
    assert "已经过去" in late.get_data(as_text=True)
    other = client_as("a_staff").post(f"/t/zhuyang/receptions/{future_id}/respond", data={"response": "confirmed"})
    assert other.status_code == 400  # staff without a deputy record cannot answer for someone
    staff = client_as("a_staff")
    calls = staff.get("/t/zhuyang/receptions/calls").get_data(as_text=True)
    assert "应答代表" not in calls  # 2032 is beyond the next two weeks
    bad = staff.post(f"/t/zhuyang/receptions/{past_id}/record", data={"constituents": "many"})
    assert bad.status_code == 400
    ok = staff.post(f"/t/zhuyang/receptions/{past_id}/record", data={"attended": [str(deputy_id)], "constituents": "23",
                                                                    "notes": "群众反映道路积水"})
    assert ok.status_code == 302
    with app.app_context(), bound_to(world.town_a):
        from webapp.receptions.models import RotaEntry

        day = db.session.get(ReceptionDay, past_id)
        assert day.held and day.constituents_received == 23
        entry = db.session.scalar(select(RotaEntry).where(RotaEntry.reception_day_id == future_id))
        assert entry.response.value == "declined"
        assert db.session.scalar(select(RotaEntry.attended).where(RotaEntry.reception_day_id == past_id)) is True


def test_calendar_feeds_are_valid_icalendar_behind_a_secret(app, world, client, client_as):
    from icalendar import Calendar

    from webapp.deputies.services import create_deputy

    from webapp.accounts.models import TownMembership, TownRole
    from webapp.accounts.services import create_user

    with app.app_context():
        user = create_user(username="calendar_deputy", display_name="日历代表", password="correct-horse-9")
        db.session.add(TownMembership(user=user, town_id=world.town_a, role=TownRole.deputy))
        db.session.commit()
        user_id = user.id
    with app.app_context(), bound_to(world.town_a):
        deputy = create_deputy(actor=None, data={"name": "日历代表", "level": DeputyLevel.town})
        deputy.user_id = user_id
        day = ReceptionDay(day=date(2033, 1, 5), starts="08:30", ends="11:30", place="朱阳镇联络站")
        day.deputies.append(deputy)
        db.session.add(day)
    me = client_as("calendar_deputy")
    assert me.post("/t/zhuyang/receptions/calendar-link").status_code == 302
    page = me.get("/t/zhuyang/receptions/mine").get_data(as_text=True)
    url = page.split('data-testid="my-calendar-url">')[1].split("<")[0].replace("http://localhost", "")
    feed = client.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(feed.data).walk("VEVENT")]
    mine = [e for e in events if e.decoded("dtstart").date() == date(2033, 1, 5)]
    assert len(mine) == 1 and mine[0].decoded("dtstart").hour == 8 and str(mine[0]["location"]) == "朱阳镇联络站"
    assert client.get(url.replace(url.rsplit("/", 1)[1], "wrong.ics")).status_code == 404
    # the town's feed: staff make its address; others cannot
    assert client_as("a_deputy").post("/t/zhuyang/receptions/calendar-link", data={"town": "1"}).status_code == 403
    staff = client_as("a_staff")
    staff.post("/t/zhuyang/receptions/calendar-link", data={"town": "1"})
    rota = staff.get("/t/zhuyang/receptions/?year=2033").get_data(as_text=True)
    town_url = rota.split('data-testid="town-calendar-url">')[1].split("<")[0].replace("http://localhost", "")
    town_events = Calendar.from_ical(client.get(town_url).data).walk("VEVENT")
    assert any("日历代表" in str(e["description"]) for e in town_events)
    assert client.get("/p/zhuyang/calendar/guess.ics").status_code == 404


def test_reception_days_in_the_api_and_the_poster(app, world, client, client_as):
    import re

    page = client_as("a_staff").post("/account/tokens", data={"name": "rota"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", page).group(1)}
    made = client.post("/api/v1/t/zhuyang/reception-days/rota", headers=headers, json={"year": 2034})
    assert made.status_code == 200 and len(made.get_json()) == 12
    listed = client.get("/api/v1/t/zhuyang/reception-days", headers=headers, query_string={"year": 2034}).get_json()
    assert listed["total"] == 12 and listed["items"][0]["deputies"]
    day_id = listed["items"][0]["id"]
    entries = client.get(f"/api/v1/t/zhuyang/reception-days/{day_id}/entries", headers=headers).get_json()
    assert entries and entries[0]["response"] is None
    nobody = client_as("c_admin").post("/account/tokens", data={"name": "c"}).get_data(as_text=True)
    c_headers = {"Authorization": "Bearer " + re.search(r"<code>(lz_[^<]+)</code>", nobody).group(1)}
    refused = client.post("/api/v1/t/zhangcun/reception-days/rota", headers=c_headers, json={"year": 2034})
    assert refused.status_code == 422
    poster = client_as("a_deputy").get(f"/t/zhuyang/receptions/{day_id}/poster").get_data(as_text=True)
    assert "接待日公告" in poster
    qr = client_as("a_deputy").get("/t/zhuyang/receptions/station-qr.svg")
    assert qr.mimetype == "image/svg+xml"
