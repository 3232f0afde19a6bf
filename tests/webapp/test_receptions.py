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
