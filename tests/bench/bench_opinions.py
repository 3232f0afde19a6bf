"""The opinions ledger at 50,000 opinions over three years: the staff list page's query
(`filtered()` over the page's `kind = opinion`, newest first: the first page of 50 and the
COUNT `db.paginate` runs) and the statistics service (one GROUPING SETS query), each against
a bare query in the same run. Goals: list + filter under 100 ms; statistics under 300 ms.

    .venv/bin/python tests/bench/bench_opinions.py [--opinions 50000] [--rounds 15] [--explain]
                                                   [--try-index trgm] [--try-index ...]

The opinions are bulk-loaded with one INSERT ... SELECT over generate_series (seeded, so every
run loads the same ledger): every channel, category, unit and deputy, states by age (old ones
mostly closed, a few overdue, the last weeks open), due dates, answers, satisfaction; titles and
texts from the demo's issues. `--explain` prints EXPLAIN ANALYZE of every measured query;
`--try-index NAME` creates a candidate index in the bench town only (never in migrations),
analyzes, and measures everything again beside the first figures. A search term without
upper and lower case (Chinese) is matched with LIKE, one with case with ILIKE (`filtered()`).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from _common import median, setup

#: candidate indexes, created in the bench town only (`--try-index NAME`)
CANDIDATES = {
    # the text search: ILIKE '%…%' on the four columns `filtered()` ORs together
    "trgm": ["CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
             *(f"CREATE INDEX bench_trgm_{c} ON {{schema}}.opinions USING gin ({c} public.gin_trgm_ops)"
               for c in ("title", "text", "constituent_name", "village"))],
    # the list's order (newest first, id as the tie-break) for the page without a selective filter
    "received": ["CREATE INDEX bench_kind_received_id ON {schema}.opinions (kind, received_on DESC, id DESC)"],
    # a unit's opinions in a year, newest first
    "unit_received": ["CREATE INDEX bench_unit_received ON {schema}.opinions (unit_id, received_on DESC, id DESC)"],
}

LOAD = """
WITH draw AS (
    SELECT i,
           current_date - (random() * (:days - 1))::int AS received_on,
           random() AS r_kind, random() AS r_channel, random() AS r_state, random() AS r_late,
           random() AS r_sat, random() AS r_name, random() AS r_how,
           1 + floor(random() * cardinality(CAST(:pool_titles AS text[])))::int AS p,
           1 + floor(random() * cardinality(CAST(:deputies AS int[])))::int AS d,
           1 + floor(random() * cardinality(CAST(:grids AS int[])))::int AS g,
           1 + floor(random() * cardinality(CAST(:names AS text[])))::int AS n
    FROM generate_series(1, :n) AS i
), shaped AS (
    SELECT draw.*, current_date - received_on AS age,
           CASE WHEN r_kind < 0.04 THEN 'suggestion' ELSE 'opinion' END AS kind,
           CASE WHEN r_kind < 0.04 THEN 'deputy'
                WHEN r_channel < 0.25 THEN 'reception_day' WHEN r_channel < 0.42 THEN 'visit'
                WHEN r_channel < 0.58 THEN 'grid' WHEN r_channel < 0.75 THEN 'hotline'
                WHEN r_channel < 0.87 THEN 'web_form' WHEN r_channel < 0.94 THEN 'forum' ELSE 'staff' END AS channel
    FROM draw
), stated AS (
    SELECT shaped.*,
           CASE WHEN age <= 3 THEN CASE WHEN r_state < 0.6 THEN 'collected' WHEN r_state < 0.8 THEN 'accepted'
                                        ELSE 'assigned' END
                WHEN age <= 20 THEN CASE WHEN r_state < 0.05 THEN 'collected' WHEN r_state < 0.40 THEN 'assigned'
                                         WHEN r_state < 0.65 THEN 'in_progress' WHEN r_state < 0.80 THEN 'answered'
                                         WHEN r_state < 0.90 THEN 'feedback_given' ELSE 'closed' END
                WHEN age <= 60 THEN CASE WHEN r_state < 0.08 THEN 'assigned' WHEN r_state < 0.18 THEN 'in_progress'
                                         WHEN r_state < 0.25 THEN 'answered' WHEN r_state < 0.33 THEN 'feedback_given'
                                         WHEN r_state < 0.36 THEN 'merged' WHEN r_state < 0.38 THEN 'out_of_scope'
                                         WHEN r_state < 0.40 THEN 'reopened' ELSE 'closed' END
                ELSE CASE WHEN r_state < 0.003 THEN 'assigned' WHEN r_state < 0.006 THEN 'in_progress'
                          WHEN r_state < 0.036 THEN 'merged' WHEN r_state < 0.066 THEN 'out_of_scope'
                          WHEN r_state < 0.071 THEN 'reopened' WHEN r_state < 0.076 THEN 'feedback_given'
                          ELSE 'closed' END
           END AS state
    FROM shaped
), dated AS (
    SELECT stated.*,
           state IN ('assigned', 'in_progress', 'answered', 'feedback_given', 'closed', 'reopened') AS handled,
           state IN ('answered', 'feedback_given', 'closed', 'reopened') AS answered,
           LEAST(received_on + 1, current_date) AS assigned_on,
           LEAST(received_on + 1, current_date) + CASE WHEN kind = 'suggestion' THEN 90 ELSE 21 END AS due_on
    FROM stated
)
INSERT INTO opinions (kind, channel, received_on, title, text, category_id, constituent_name, constituent_phone,
                      village, grid_id, deputy_id, hotline_case_no, receipt_code, congress_level, state, reason,
                      unit_id, assigned_on, due_on, warn_on, answered_on, answer, feedback_on, feedback_by,
                      feedback_how, closed_on, satisfaction, rated_by, created_at, updated_at)
SELECT kind, channel, received_on,
       (CAST(:pool_titles AS text[]))[p], (CAST(:pool_texts AS text[]))[p], (CAST(:pool_categories AS int[]))[p],
       CASE WHEN kind = 'suggestion' OR r_name < 0.12 THEN NULL ELSE (CAST(:names AS text[]))[n] END,
       CASE WHEN kind = 'suggestion' OR r_name < 0.35 THEN NULL
            ELSE '139' || lpad((i * 7919 % 100000000)::text, 8, '0') END,
       (CAST(:pool_villages AS text[]))[p],
       CASE WHEN channel = 'grid' THEN (CAST(:grids AS int[]))[g] END,
       CASE WHEN channel IN ('reception_day', 'visit', 'grid', 'forum', 'deputy') OR r_name > 0.8
            THEN (CAST(:deputies AS int[]))[d] END,
       CASE WHEN channel = 'hotline' THEN 'HN' || to_char(received_on, 'YYYYMMDD') || lpad(i::text, 6, '0') END,
       CASE WHEN kind = 'opinion' THEN 'R' || lpad(upper(to_hex(i)), 7, '0') END,
       CASE WHEN kind = 'suggestion' THEN CASE WHEN r_sat < 0.75 THEN 'town' WHEN r_sat < 0.95 THEN 'county'
                                               ELSE 'prefecture' END END,
       state,
       CASE WHEN state = 'merged' THEN '与前一条为同一问题，合并办理。'
            WHEN state = 'out_of_scope' THEN '属司法程序，不在联络站受理范围，已引导当事人依法申诉。'
            WHEN state = 'reopened' THEN '回访时群众表示只是临时处理，要求彻底解决。' END,
       CASE WHEN handled THEN (CAST(:pool_units AS int[]))[p] END,
       CASE WHEN handled THEN assigned_on END,
       CASE WHEN handled THEN due_on END,
       CASE WHEN handled THEN due_on - 4 END,
       CASE WHEN answered THEN LEAST(assigned_on + CASE WHEN r_late < 0.12 THEN 22 + (r_late * 60)::int
                                                         ELSE 2 + (r_late * 21)::int END, current_date) END,
       CASE WHEN answered THEN '已协调' || (CAST(:unit_names AS text[]))[1 + p % cardinality(CAST(:unit_names AS text[]))]
                               || '现场处理，问题已解决。' END,
       CASE WHEN state IN ('feedback_given', 'closed', 'reopened') THEN LEAST(assigned_on + 26, current_date) END,
       CASE WHEN state IN ('feedback_given', 'closed', 'reopened')
            THEN CASE WHEN r_how < 0.5 THEN '张敏' ELSE '刘洋' END END,
       CASE WHEN state IN ('feedback_given', 'closed', 'reopened')
            THEN (ARRAY['phone', 'phone', 'visit', 'in_person', 'sms'])[1 + floor(r_how * 5)::int] END,
       CASE WHEN state = 'closed' THEN LEAST(assigned_on + 28, current_date) END,
       CASE WHEN state = 'closed' THEN CASE WHEN r_sat < 0.70 THEN 'satisfied' WHEN r_sat < 0.91 THEN 'basically'
                                            ELSE 'not_satisfied' END
            WHEN state = 'reopened' THEN 'not_satisfied' END,
       CASE WHEN state IN ('closed', 'reopened') THEN CASE WHEN kind = 'suggestion' THEN 'deputy' ELSE 'staff' END END,
       received_on + time '09:00', received_on + time '09:00'
FROM dated
"""


def _pool(rng, categories: dict, units: dict, size: int = 3000) -> dict:
    """Titles and texts as the demo writes them, with their village, category and unit."""
    from webapp.demo import DURATIONS, EXTRAS, CLOSINGS, GROUPS, ISSUES, VILLAGES, _CN, _village_unit

    out = {"pool_titles": [], "pool_texts": [], "pool_villages": [], "pool_categories": [], "pool_units": []}
    for _ in range(size):
        category, unit_name, variants, places, only = rng.choice(ISSUES)
        village = rng.choice(only or VILLAGES)
        title, text, _answer = rng.choice(variants)
        fill = {"v": village, "g": rng.choice(GROUPS), "p": rng.choice(places), "n": rng.randint(2, 6),
                "cn": rng.choice(_CN), "m": rng.choice(DURATIONS), "x": rng.choice(EXTRAS), "c": rng.choice(CLOSINGS)}
        out["pool_titles"].append(title.format_map(fill))
        out["pool_texts"].append(text.format_map(fill))
        out["pool_villages"].append(village)
        out["pool_categories"].append(categories[category])
        out["pool_units"].append(units[_village_unit(village) if unit_name == "village" else unit_name])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opinions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--try-index", action="append", default=[], choices=sorted(CANDIDATES))
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_opinions")
    try:
        import tenants
        from sqlalchemy import event, select, text

        from tenants.models import Town
        from webapp.access import bound_to
        from webapp.deputies.models import DeputyLevel
        from webapp.deputies.services import create_deputy
        from webapp.demo import GIVEN, SURNAMES, VILLAGES, _village_unit
        from webapp.grids.models import Grid, GridKind
        from webapp.opinions.models import Kind, Opinion, OpinionCategory, ResponsibleUnit, UnitKind
        from webapp.opinions.services import filtered
        from webapp.opinions.stats import statistics

        rng = random.Random(20260105)
        town_id = tenants.provision("意见镇", regions["411282"], "yinzhuang", slug="opinionbench")
        schema = db.session.get(Town, town_id).schema_name
        today = date.today()
        t0 = time.perf_counter()
        with bound_to(town_id):
            for n in range(89):  # Yinzhuang's roster size: 72 town, 14 county, 3 prefecture deputies
                level = DeputyLevel.town if n < 72 else DeputyLevel.county if n < 86 else DeputyLevel.prefecture
                create_deputy(actor=None, data={"name": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{n}",
                                                "level": level, "constituency": VILLAGES[n % len(VILLAGES)]})
            db.session.add_all(Grid(kind=GridKind.residential, community=VILLAGES[n % len(VILLAGES)],
                                    name=f"第{n // len(VILLAGES) + 1}网格") for n in range(360))
            db.session.add_all(ResponsibleUnit(name=_village_unit(v), kind=UnitKind.village, active=True)
                               for v in VILLAGES)
            db.session.flush()
            categories = dict(db.session.execute(select(OpinionCategory.code, OpinionCategory.id)).all())
            units = dict(db.session.execute(select(ResponsibleUnit.name, ResponsibleUnit.id)).all())
            params = {
                "n": args.opinions, "days": 3 * 365,
                "deputies": list(db.session.scalars(text("SELECT id FROM deputies ORDER BY id"))),
                "grids": list(db.session.scalars(text("SELECT id FROM grids ORDER BY id"))),
                "names": [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(400)],
                "unit_names": sorted(units),
                **_pool(rng, categories, units),
            }
            db.session.execute(text("SELECT setseed(0.20260105)"))
            db.session.execute(text(LOAD), params)
        with db.engine.connect() as conn:  # as the owner: VACUUM cannot run in the town's transaction
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"VACUUM ANALYZE {schema}.opinions")
        load = time.perf_counter() - t0

        roads, planning = categories["roads"], units["规划建设办公室"]
        base = select(Opinion).where(Opinion.kind == Kind.opinion).order_by(Opinion.received_on.desc(),
                                                                            Opinion.id.desc())
        lists = {
            "no filter": {},
            "state=assigned + category": {"state": "assigned", "category_id": roads},
            "q=路灯": {"q": "路灯"},
            "q=路灯不亮": {"q": "路灯不亮"},
            "due=overdue": {"due": "overdue"},
            "unit + year": {"unit_id": planning, "year": today.year},
        }
        figures = {"last year": (today - timedelta(days=364), today),
                   "three years": (today - timedelta(days=3 * 365 - 1), today)}

        def page(filters):
            query = filtered(base, filters)
            result = db.paginate(query, page=1, per_page=50, error_out=False)
            return result.total, len(result.items)

        def bare_page():
            return db.session.execute(text("SELECT id FROM opinions ORDER BY id LIMIT 50")).all()

        def bare_count():
            return db.session.execute(text("SELECT count(*) FROM opinions")).scalar()

        def measure(label: str) -> dict:
            """Median ms of every query over the rounds (after three warm-up rounds), interleaved."""
            cases = {**{("list", k): (lambda f=f: page(f)) for k, f in lists.items()},
                     **{("stats", k): (lambda s=s: statistics(*s)) for k, s in figures.items()},
                     ("bare", "page"): bare_page, ("bare", "count"): bare_count}
            times: dict = {k: [] for k in cases}
            with bound_to(town_id):
                for n in range(args.rounds + 3):
                    for key, run in cases.items():
                        db.session.expunge_all()  # every round loads its rows afresh, as a request would
                        t = time.perf_counter()
                        run()
                        if n >= 3:
                            times[key].append(time.perf_counter() - t)
                totals = {k: page(f)[0] for k, f in lists.items()}
                counts = db.session.execute(text(
                    "SELECT count(*), count(*) FILTER (WHERE received_on >= :y) FROM opinions"),
                    {"y": figures["last year"][0]}).one()
            out = {k: median(v) * 1000 for k, v in times.items()}
            print(f"-- {label}: {counts[0]:,} opinions ({counts[1]:,} in the last year), {args.rounds} rounds")
            bp, bc = out[("bare", "page")], out[("bare", "count")]
            for k in lists:
                ms = out[("list", k)]
                print(f"  list {k:28} {ms:7.1f} ms vs bare page {bp:.1f} ms = {ms / bp:5.1f}x  ({totals[k]:,} rows)")
            for k in figures:
                ms = out[("stats", k)]
                print(f"  statistics {k:22} {ms:7.1f} ms vs count(*) {bc:.1f} ms = {ms / bc:5.1f}x")
            return out

        def explain() -> None:
            """EXPLAIN ANALYZE of the very statements the app runs (the page, its COUNT, the statistics)."""

            def statements(run) -> list:
                captured: list = []

                def keep(conn, cursor, statement, parameters, context, executemany):
                    if statement.lstrip().upper().startswith("SELECT") and "opinions" in statement:
                        captured.append((statement, parameters))

                event.listen(db.engine, "before_cursor_execute", keep)
                try:
                    run()
                finally:
                    event.remove(db.engine, "before_cursor_execute", keep)
                return captured

            runs = {**{f"list {k}": (lambda f=f: page(f)) for k, f in lists.items()},
                    "statistics three years": lambda: statistics(*figures["three years"])}
            with bound_to(town_id):
                for label, run in runs.items():
                    for statement, parameters in statements(run):
                        what = "count" if "count(*)" in statement and "GROUPING" not in statement else "query"
                        plan = db.session.connection().exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
                        print(f"\n== EXPLAIN {label} ({what})\n  " + "\n  ".join(plan))

        print(f"loaded {args.opinions:,} opinions over three years in {load:.1f} s (goal: list + filter < 100 ms, "
              f"statistics < 300 ms)")
        first = measure("as migrated")
        if args.explain:
            explain()
        results = first
        if args.try_index:
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                for name in args.try_index:
                    for statement in CANDIDATES[name]:
                        conn.exec_driver_sql(statement.format(schema=schema))
                conn.exec_driver_sql(f"ANALYZE {schema}.opinions")
            results = measure("with " + " + ".join(args.try_index))
            if args.explain:
                explain()
            for key in first:
                if key[0] != "bare" and abs(results[key] - first[key]) >= 1:
                    print(f"  {key[0]} {key[1]}: {first[key]:.1f} ms -> {results[key]:.1f} ms")
        worst = max((k for k in lists), key=lambda k: results[("list", k)])
        lw, sw = results[("list", worst)], results[("stats", "three years")]
        bp, bc = results[("bare", "page")], results[("bare", "count")]
        print(f"opinions list+filter ({args.opinions:,}): {lw:.0f} ms vs bare page {bp:.1f} ms = {lw / bp:.0f}x "
              f"(slowest: {worst}; goal < 100 ms: {'met' if lw < 100 else 'missed'})")
        print(f"opinions statistics ({args.opinions:,}): {sw:.0f} ms vs count(*) {bc:.1f} ms = {sw / bc:.0f}x "
              f"(three years; goal < 300 ms: {'met' if sw < 300 else 'missed'})")
    finally:
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
