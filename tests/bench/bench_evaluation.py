"""Computing a year's evaluation for 100 deputies with five years of records, against a bare
count of the same records, in the same run. Goal: under 2 s.

    LIAISON_TEST_DATABASE=liaison_bench_eval .venv/bin/python tests/bench/bench_evaluation.py [--rounds 7]

A fresh town with 100 town deputies and five years of records, bulk inserted: their own
suggestions and the seconders, opinions (most closed), grid opinions, reception days with the
rota's attendance, and activities of every counted kind (congress sessions, trainings, duty
reports, inspections) plus weekly deliberations, with check-ins.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from _common import median, setup

DEPUTIES, YEARS = 100, 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup(os.environ.get("LIAISON_TEST_DATABASE", "liaison_bench_eval"))
    try:
        import tenants
        from sqlalchemy import insert, select, text

        from webapp.access import bound_to
        from webapp.activities.models import Activity, ActivityInvitee, ActivityType
        from webapp.deputies.models import Deputy, DeputyLevel
        from webapp.deputies.services import create_deputy
        from webapp.evaluations.services import compute, open_year
        from webapp.opinions.models import Channel, Kind, Opinion, State, SuggestionSeconder
        from webapp.receptions.models import ReceptionDay, RotaEntry

        rng = random.Random(7)
        town_id = tenants.provision("考评镇", regions["411282"], "yinzhuang", slug="evalbench")
        first = date.today().year - YEARS + 1
        years = range(first, first + YEARS)
        with bound_to(town_id):
            ids = [create_deputy(actor=None, data={"name": f"代表{i:03d}", "level": DeputyLevel.town}).id
                   for i in range(DEPUTIES)]
            db.session.flush()
            opinions = []
            for year in years:
                for n, deputy in enumerate(ids):
                    for k in range(9):
                        day = date(year, 1 + (n + k) % 12, 1 + k)
                        suggestion, grid = k < 3, k >= 6
                        closed = not suggestion and k % 3 != 2
                        opinions.append(Opinion(
                            kind=Kind.suggestion if suggestion else Kind.opinion,
                            channel=Channel.deputy if suggestion else (Channel.grid if grid else Channel.visit),
                            received_on=day, title=f"{year}年记录{n}-{k}", text="村口路灯不亮", deputy_id=deputy,
                            state=State.closed if closed else State.assigned, assigned_on=day,
                            due_on=day + timedelta(days=21), closed_on=day + timedelta(days=20) if closed else None))
            db.session.add_all(opinions)
            db.session.flush()
            seconders = [{"opinion_id": o.id, "deputy_id": ids[(ids.index(o.deputy_id) + s) % DEPUTIES]}
                         for o in opinions if o.kind == Kind.suggestion for s in (1, 2)]
            db.session.execute(insert(SuggestionSeconder), seconders)
            days = [ReceptionDay(day=date(year, month, 15), held=True, constituents_received=20)
                    for year in years for month in range(1, 13)]
            db.session.add_all(days)
            db.session.flush()
            db.session.execute(insert(RotaEntry), [
                {"reception_day_id": d.id, "deputy_id": deputy, "attended": rng.random() < 0.85}
                for n, d in enumerate(days) for deputy in ids[(n * 10) % DEPUTIES:(n * 10) % DEPUTIES + 10]])
            types = {t.code: t.id for t in db.session.scalars(select(ActivityType))}
            plan = ["congress_session", "training", "training", "duty_report", "inspection", "inspection"] + \
                ["weekly_deliberation"] * 24
            activities = [Activity(type_id=types[code], theme=f"{year}年{code}{n}", day=date(year, 1 + n % 12, 3 + n % 20),
                                   checkin_token=f"t{year}{n}") for year in years for n, code in enumerate(plan)]
            db.session.add_all(activities)
            db.session.flush()
            at = datetime(2024, 1, 1, tzinfo=UTC)
            invitees = []
            for activity in activities:
                chosen = ids if activity.type_id == types["congress_session"] else rng.sample(ids, 20)
                invitees += [{"activity_id": activity.id, "deputy_id": d, "invited": True,
                              "checked_in_at": at if rng.random() < 0.9 else None, "checked_in_by": "staff"}
                             for d in chosen]
            db.session.execute(insert(ActivityInvitee), invitees)
            year = open_year(actor=None, year=first + YEARS - 1)
            db.session.flush()
            year_id = years[-1]
        records = "SELECT (SELECT count(*) FROM opinions) + (SELECT count(*) FROM suggestion_seconders) + " \
                  "(SELECT count(*) FROM rota_entries WHERE attended) + " \
                  "(SELECT count(*) FROM activity_invitees WHERE checked_in_at IS NOT NULL)"
        computes, counts = [], []
        total = 0
        with bound_to(town_id):
            from webapp.evaluations.models import EvaluationYear

            year = db.session.scalar(select(EvaluationYear).where(EvaluationYear.year == year_id))
            assert db.session.scalar(select(Deputy.id).limit(1)) is not None
            for _ in range(args.rounds):
                t = time.perf_counter()
                assert compute(year) == DEPUTIES
                db.session.flush()
                computes.append(time.perf_counter() - t)
                t = time.perf_counter()
                total = db.session.execute(text(records)).scalar()
                counts.append(time.perf_counter() - t)
        c, b = median(computes) * 1000, median(counts) * 1000
        verdict = "met" if c < 2000 else "MISSED"
        print(f"{DEPUTIES} deputies, {YEARS} years, {total} records counted by the baseline, {args.rounds} rounds")
        print(f"evaluation compute ({DEPUTIES} deputies, {YEARS} years of records): {c:.0f} ms vs bare count of the "
              f"records {b:.1f} ms = {c / b:.0f}x (goal < 2 s: {verdict})")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
