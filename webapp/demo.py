"""The demo: Henan → Sanmenxia → Lingbao with four towns (尹庄镇 first), Shaanzhou with one
more (outside the committee's reach), the Lingbao committee, and one account per role.
Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import tenants
from tenants.models import Region, RegionLevel, Town, add_region

from .accounts.models import CommitteeMembership, TownMembership, TownRole, User
from .accounts.services import create_user
from .committees.models import Committee
from .extensions import db

PASSWORD = "liaison-demo-2026"

REGIONS = [
    # (code, name, name_en, level, parent code)
    ("410000", "河南省", "Henan", RegionLevel.province, None),
    ("411200", "三门峡市", "Sanmenxia", RegionLevel.prefecture, "410000"),
    ("411282", "灵宝市", "Lingbao", RegionLevel.county, "411200"),
    ("411203", "陕州区", "Shaanzhou", RegionLevel.county, "411200"),
]

TOWNS = [
    # (name, name_en, county code, template, slug)
    ("尹庄镇", "Yinzhuang", "411282", "yinzhuang", "yinzhuang"),
    ("函谷关镇", "Hanguguan", "411282", "yinzhuang", "hanguguan"),
    ("豫灵镇", "Yuling", "411282", "minimal", "yuling"),
    ("阳店镇", "Yangdian", "411282", "minimal", "yangdian"),
    ("大营镇", "Daying", "411203", "minimal", "daying"),
]

USERS = [
    # (username, name, phone, operator, [(town slug, role)], committee slug)
    ("operator", "平台运维 王工", "13800000001", True, [], None),
    ("yz_admin", "尹庄镇人大主席 李建华", "13800000002", False, [("yinzhuang", TownRole.station_admin)], None),
    ("yz_staff", "尹庄镇人大秘书 张敏", "13800000003", False, [("yinzhuang", TownRole.staff)], None),
    ("yz_deputy", "代表 赵国强", "13800000004", False, [("yinzhuang", TownRole.deputy)], None),
    ("yz_presidium", "主席团成员 刘芳", "13800000005", False, [("yinzhuang", TownRole.presidium)], None),
    ("hg_admin", "函谷关镇人大主席 陈伟", "13800000006", False, [("hanguguan", TownRole.station_admin)], None),
    ("lb_committee", "灵宝市人大常委会 代表工委 孙丽", "13800000007", False, [], "lingbao"),
]


def _region(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code))


def ensure_regions() -> dict[str, Region]:
    """Henan → Sanmenxia → Lingbao and Shaanzhou, by division code (idempotent)."""
    for code, name, name_en, level, parent_code in REGIONS:
        if _region(code) is None:
            add_region(db.session, level=level, name=name, name_en=name_en, code=code,
                       parent=_region(parent_code) if parent_code else None)
    db.session.commit()
    return {code: _region(code) for code, *_ in REGIONS}


def is_demo_database() -> bool:
    """The demo seeds only an empty database or its own: never one with real towns, where it
    would add an operator whose password is printed in the README."""
    slugs = set(db.session.scalars(select(Town.slug)))
    return not slugs or "yinzhuang" in slugs


def seed() -> list[str]:
    ensure_regions()

    for name, name_en, county, template, slug in TOWNS:
        if db.session.scalar(select(Town).where(Town.slug == slug)) is None:
            tenants.provision(name, _region(county), template, slug=slug, name_en=name_en)

    if db.session.scalar(select(Committee).where(Committee.slug == "lingbao")) is None:
        db.session.add(Committee(slug="lingbao", name="灵宝市人大常委会代表工作委员会",
                                 name_en="Lingbao Municipal People's Congress Deputies' Affairs Committee",
                                 region=_region("411282")))
        db.session.commit()

    welcomes = []
    for username, name, phone, operator, roles, committee in USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(username=username, display_name=name, password=PASSWORD, phone=phone,
                               is_operator=operator)
        for slug, role in roles:
            town = db.session.scalar(select(Town).where(Town.slug == slug))
            exists = db.session.scalar(select(TownMembership.id).where(
                TownMembership.user_id == user.id, TownMembership.town_id == town.id, TownMembership.role == role))
            if not exists:
                db.session.add(TownMembership(user=user, town_id=town.id, role=role))
            welcomes.append((town, user, role))
        if committee:
            c = db.session.scalar(select(Committee).where(Committee.slug == committee))
            if not db.session.scalar(select(CommitteeMembership.id).where(
                    CommitteeMembership.user_id == user.id, CommitteeMembership.committee_id == c.id)):
                db.session.add(CommitteeMembership(user=user, committee=c))
    db.session.commit()

    # the welcome notices, exactly as a station admin adding the person would produce them
    # (idempotent: a second seed finds them delivered)
    from jobs.notify import welcome_member

    for town, user, role in welcomes:
        welcome_member(town.id, user.id, role.value)

    seed_roster(db.session.scalar(select(Town).where(Town.slug == "yinzhuang")),
                db.session.scalar(select(User.id).where(User.username == "yz_deputy")))

    lines = ["Demo accounts (password for all: %s):" % PASSWORD]
    for username, name, _phone, operator, roles, committee in USERS:
        what = "platform operator" if operator else ", ".join(f"{r.value} of {s}" for s, r in roles) or \
            f"member of committee {committee}"
        lines.append(f"  {username:14} {what}")
    return lines



# A Yinzhuang-like roster: 72 town deputies, 14 of the county-level city, 3 of the prefecture.
VILLAGES = ["尹庄村", "涧东村", "涧西村", "五亩村", "南寨村", "北寨村", "前屯村", "东仓村", "西仓村", "水泉源村",
            "聂家岭村", "白家村", "马村", "坡头村", "赵家村", "罗家村", "景家沟村", "尹庄社区"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["建国", "国强", "秀兰", "桂英", "志刚", "丽娟", "海燕", "红梅", "振华", "春生", "玉珍", "德明", "晓东",
         "雪梅", "文博", "小军", "淑芬", "宏伟", "凤英", "俊杰", "敏", "磊", "静", "鹏", "霞", "勇", "艳", "涛", "娜",
         "永福", "金凤", "新民", "爱华", "保国", "瑞芳", "天佑", "世杰", "卫东", "少华", "红霞"]
OCCUPATIONS = [("苹果种植户", "农业"), ("村党支部书记", "基层组织"), ("村委会主任", "基层组织"), ("小学教师", "教育"),
               ("乡村医生", "卫生"), ("企业负责人", "企业"), ("合作社理事长", "农业"), ("个体工商户", "商贸"),
               ("镇干部", "党政机关"), ("退役军人", "其他"), ("电商从业者", "商贸"), ("养殖户", "农业")]


def seed_roster(town: Town, deputy_user_id: int | None) -> None:
    """Fill the town's roster once (a rerun of the seed leaves it as it is)."""
    import random
    from datetime import date
    from decimal import Decimal

    from .access import bound_to
    from .deputies.models import Deputy, DeputyLevel, Gender
    from .deputies.services import create_deputy

    with bound_to(town.id):
        from .station.services import profile, save_profile

        if profile().address is None:
            save_profile(actor=None, data={
                "address": "河南省灵宝市尹庄镇人民政府院内（尹庄镇人大代表联络站）",
                "opening_hours": "周一至周五 8:30–12:00，14:30–17:30；每月5日接待日",
                "phone": "0398-8861234", "head": "镇党委书记 王振华",
                "deputy_heads": "镇人大主席 李建华\n代表 赵国强", "staff": "人大秘书 张敏\n工作人员 刘洋",
                "intro": "尹庄镇人大代表联络站坚持“周议事、月接待、季联席、年总结”，每月5日党员活动日组织代表接待选民。",
                "latitude": Decimal("34.5236"), "longitude": Decimal("110.8942"),
            })
        if db.session.scalar(select(Deputy.id).limit(1)) is not None:
            return
        rng = random.Random(20211201)
        names: set[str] = {"赵国强"}
        plan = [(DeputyLevel.town, 72), (DeputyLevel.county, 14), (DeputyLevel.prefecture, 3)]
        for level, count in plan:
            for n in range(count):
                if level == DeputyLevel.town and n == 0:
                    name = "赵国强"
                else:
                    while (name := rng.choice(SURNAMES) + rng.choice(GIVEN)) in names:
                        pass
                    names.add(name)
                occupation, sector = rng.choice(OCCUPATIONS)
                term = (date(2021, 12, 1), date(2026, 11, 30)) if level == DeputyLevel.town else \
                    (date(2022, 1, 1), date(2026, 12, 31))
                deputy = create_deputy(actor=None, data={
                    "name": name, "level": level,
                    "gender": Gender.female if rng.random() < 0.3 else Gender.male,
                    "ethnicity": "汉族" if rng.random() < 0.97 else "回族",
                    "birth_year": rng.randint(1962, 1995),
                    "party": "中共党员" if rng.random() < 0.7 else "群众",
                    "occupation": occupation, "sector": sector,
                    "phone": f"139{rng.randint(0, 99999999):08d}", "phone_public": rng.random() < 0.4,
                    "constituency": rng.choice(VILLAGES), "term_start": term[0], "term_end": term[1],
                })
                if name == "赵国强":
                    deputy.user_id = deputy_user_id
        seed_grids(rng)
        seed_studios()
        seed_rota()
        seed_activities(rng)


def seed_grids(rng) -> None:
    """Yinzhuang's grids: 679 residential grids with 819 heads, 11 street-shop grids with 218."""
    from .deputies.models import Deputy, DeputyLevel
    from .grids.models import Grid, GridHead, GridKind

    town_deputies = list(db.session.scalars(select(Deputy).where(Deputy.level == DeputyLevel.town)))
    grids = []
    for n in range(679):
        grids.append(Grid(kind=GridKind.residential, community=VILLAGES[n % len(VILLAGES)],
                          name=f"第{n // len(VILLAGES) + 1}网格"))
    for n in range(11):
        grids.append(Grid(kind=GridKind.shop, community=VILLAGES[n % 3], name=f"沿街商铺第{n // 3 + 1}网格"))
    db.session.add_all(grids)
    db.session.flush()
    residential, shop = grids[:679], grids[679:]
    heads = []
    for n, grid in enumerate(residential):  # 679 + 140 second heads = 819
        heads.append(GridHead(grid_id=grid.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                              phone=f"137{rng.randint(0, 99999999):08d}"))
        if n < 140:
            heads.append(GridHead(grid_id=grid.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                  phone=f"137{rng.randint(0, 99999999):08d}"))
    for n in range(218):  # the shops' heads: the shopkeepers on duty, about 20 per street grid
        heads.append(GridHead(grid_id=shop[n % len(shop)].id, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                              phone=f"135{rng.randint(0, 99999999):08d}"))
    db.session.add_all(heads)
    from .grids.services import assign_deputy

    for n, deputy in enumerate(town_deputies):  # each town deputy takes grids in their own village
        own = [g for g in residential if g.community == deputy.constituency][:3] or residential[n::72][:2]
        for grid in own:
            assign_deputy(grid, deputy, actor=None)


def seed_studios() -> None:
    """Four areas (片区), each with its lead-goose studio and the deputies of its villages."""
    from .deputies.models import Deputy, DeputyLevel
    from .studios.services import add_member, create_studio

    areas = {"尹庄片区": VILLAGES[0:5], "涧河片区": VILLAGES[5:9] + VILLAGES[17:18],
             "五亩片区": VILLAGES[9:13], "坡头片区": VILLAGES[13:17]}
    deputies = list(db.session.scalars(select(Deputy).where(Deputy.level == DeputyLevel.town)))
    for area, villages in areas.items():
        studio = create_studio(actor=None, data={"name": f"{area}头雁工作室", "area": area,
                                                 "villages": "\n".join(villages)})
        for deputy in deputies:
            if deputy.constituency in villages:
                add_member(studio, deputy, actor=None)


def seed_rota() -> None:
    """This year's and next year's rota, with three county and two prefecture deputies added."""
    from flask import g

    from .deputies.models import Deputy, DeputyLevel
    from .receptions.services import generate_rota

    extras = [*db.session.scalars(select(Deputy.id).where(Deputy.level == DeputyLevel.county).limit(3)),
              *db.session.scalars(select(Deputy.id).where(Deputy.level == DeputyLevel.prefecture).limit(2))]
    town = g.town  # the bound town, in this unit of work's session
    settings = dict(town.settings)
    settings["reception_day"] = {**settings.get("reception_day", {}), "place": "尹庄镇人大代表联络站接待室"}
    town.settings = settings
    today = date.today()
    for year in (today.year, today.year + 1):
        generate_rota(town, year, actor=None, extra_deputy_ids=extras)


THEMES = ["尹庄村道路硬化后的排水问题", "苹果产业冷库建设选址", "农村饮水安全巩固提升", "集镇环境卫生整治", "中小学上下学交通安全",
          "高标准农田建设进度", "村级养老服务站运营", "沿街商铺占道经营治理", "农村电商服务站建设", "秸秆禁烧与综合利用",
          "镇卫生院医疗服务提升", "乡村振兴示范村创建", "防汛安全隐患排查", "农村公路养护", "基层矛盾纠纷化解"]


def seed_activities(rng) -> None:
    """A year of the station's work: weekly deliberations, monthly forums, quarterly joint
    meetings, duty reports, inspections, trainings, study sessions; past reception days held."""
    from datetime import timedelta

    from .activities.models import ActivityType
    from .activities.services import check_in, create_activity, save_minutes
    from .deputies.models import Deputy, DeputyLevel
    from .receptions.models import ReceptionDay
    from .receptions.services import record_day

    types = {t.code: t for t in db.session.scalars(select(ActivityType))}
    town_deputies = list(db.session.scalars(select(Deputy).where(Deputy.level == DeputyLevel.town)))
    today = date.today()
    start = today - timedelta(days=364)
    plan = [("weekly_deliberation", [start + timedelta(days=7 * n) for n in range(52)], 5),
            ("lead_goose_forum", [start + timedelta(days=30 * n + 6) for n in range(12)], 6),
            ("joint_meeting", [start + timedelta(days=91 * n + 80) for n in range(4)], 12),
            ("duty_report", [start + timedelta(days=182 * n + 170) for n in range(2)], 10),
            ("inspection", [start + timedelta(days=120 * n + 40) for n in range(3)], 8),
            ("training", [start + timedelta(days=90 * n + 20) for n in range(4)], 15),
            ("study_session", [start + timedelta(days=60 * n + 25) for n in range(6)], 8)]
    for code, days, size in plan:
        for n, day in enumerate(d for d in days if d < today):
            invited = rng.sample(town_deputies, min(size, len(town_deputies)))
            theme = THEMES[(n + len(code)) % len(THEMES)]
            activity = create_activity(actor=None, data={
                "type_id": types[code].id, "theme": theme, "day": day, "place": "尹庄镇人大代表联络站",
                "organiser": "人大秘书 张敏", "invitee_ids": [d.id for d in invited]})
            for deputy in invited:
                if rng.random() < 0.88:
                    check_in(activity, deputy, by="qr" if rng.random() < 0.7 else "staff", actor=None)
            raised = rng.randint(1, 4)
            studying = code in ("study_session", "training")
            save_minutes(activity, actor=None, data={
                "minutes": f"围绕“{theme}”开展{types[code].name}，与会代表逐一发言，形成{raised}条意见建议，交镇政府相关部门办理。",
                "outcomes": "意见已交办，下次活动通报办理进度。", "opinions_raised": raised,
                "problems_solved": rng.randint(0, raised),
                "trainees": rng.randint(25, 50) if studying else None,
                "lecturer_ids": [d.id for d in invited[:2]] if code == "study_session" else []})
    for day in db.session.scalars(select(ReceptionDay).where(ReceptionDay.day < today)):
        came = {d.id for d in day.deputies if rng.random() < 0.85}
        record_day(day, actor=None, attended_ids=came, constituents=rng.randint(15, 40),
                   notes="群众主要反映道路、饮水、养老等问题，已登记并交办。")
