"""The demo: Henan → Sanmenxia → Lingbao with four towns (尹庄镇 first), Shaanzhou with one
more (outside the committee's reach), the Lingbao committee, and one account per role.
Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

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

    yinzhuang = db.session.scalar(select(Town).where(Town.slug == "yinzhuang"))
    seed_roster(yinzhuang, db.session.scalar(select(User.id).where(User.username == "yz_deputy")))
    seed_opinions(yinzhuang)
    seed_projects(yinzhuang)
    seed_evaluations(yinzhuang)
    seed_rollups()
    seed_notices()
    seed_exports()
    code = seed_onboarding()

    lines = ["Demo accounts (password for all: %s):" % PASSWORD]
    for username, name, _phone, operator, roles, committee in USERS:
        what = "platform operator" if operator else ", ".join(f"{r.value} of {s}" for s, r in roles) or \
            f"member of committee {committee}"
        lines.append(f"  {username:14} {what}")
    if code:
        lines.append(f"A new town signs up at /onboard/ with the invitation code {code}")
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
    """Last year's, this year's and next year's rota, with three county and two prefecture deputies added."""
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
    # last year's too: the demo's year of reception days (and the opinions received on them)
    # reaches back twelve months whatever the month
    for year in (today.year - 1, today.year, today.year + 1):
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


# --- the opinions ledger: a year of constituents' opinions and deputies' suggestions --------

#: the template's departments: contact, phone, what they handle
UNIT_CONTACTS = {
    "党政综合办公室": ("杨建军", "0398-8861001", "综合协调；公交、通信、快递等对外协调；村务公开"),
    "农业农村办公室": ("刘春生", "0398-8861016", "农业生产、灌溉水利、土地流转、畜禽养殖"),
    "规划建设办公室": ("韩志刚", "0398-8861018", "道路、路灯、排水、村镇建设、环卫保洁"),
    "社会事务办公室": ("李秀兰", "0398-8861025", "医保社保、养老、低保、残疾人、文体设施"),
    "综治中心": ("马振华", "0398-8861009", "矛盾纠纷调解、平安建设"),
    "应急管理办公室": ("张卫东", "0398-8861119", "防汛、消防、安全生产、秸秆禁烧"),
    "财政所": ("郭淑芬", "0398-8861032", "惠农补贴发放"),
    "派出所": ("周宏伟", "0398-8862110", "治安、道路交通安全、户籍"),
    "卫生院": ("陈玉珍", "0398-8861120", "基本医疗、公共卫生、村卫生室"),
    "中心学校": ("孙文博", "0398-8861085", "中小学、幼儿园、校车"),
    "供电所": ("赵永福", "13903988126", "农村电网、线路抢修"),
    "自来水公司": ("吴德明", "0398-8861368", "集中供水、管网维修、水质"),
}
HILL_VILLAGES = ["水泉源村", "聂家岭村", "坡头村", "景家沟村"]
STAFF_NAMES = ("张敏", "刘洋")
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组"]
CLOSINGS = ["希望尽快解决。", "请镇里帮忙协调。", "希望有关部门重视。", "盼早日解决。", "希望能给个答复。",
            "麻烦代表帮忙反映一下。", "请尽快安排人来看看。", ""]
EXTRAS = ["", "", "家里有八十多岁的老人，出门很不方便。", "前几天还有人在这里摔伤了。", "之前跟村里说过一次，还没解决。",
          "附近住着二十多户人家。", "孩子每天从这里上下学。", "赶集的时候尤其严重。"]
DURATIONS = ["半个月", "一个多月", "两个月", "三个多月", "大半年"]
REPLIES = ["已到现场查看，正在制定处理方案。", "已与相关方面对接，预计本月底前办结。", "所需材料已上报，等待审批。",
           "施工队已进场，正在施工。", "已联系当事人了解情况，正在协调。", "已列入本周工作安排，所需物资正在采购。",
           "已安排专人跟进，近期再次现场核实。"]
REOPEN_NOTES = ["回访时群众表示只是临时处理，要求彻底解决。", "群众反映问题仍未彻底解决，要求重新办理。",
                "现场复核发现整改不到位，重新交办。", "处理后不久问题再次出现，群众不满意。"]
EXTENSION_NOTES = ["需上报市级部门审批，申请延期办理。", "涉及资金需纳入下月预算，申请延期。",
                   "雨季无法施工，待天晴后实施，申请延期。", "需协调多户村民意见，申请延期。"]
FEEDBACK_WAYS_DEMO = ["phone"] * 10 + ["visit"] * 4 + ["in_person"] * 3 + ["sms"] * 3

# (category, unit, [(title, text, answer) ...], places, villages or None for any): "village" is the
# village's committee. In the forms: {v} village, {g} group (组), {p} place, {n} a small number, {cn} a
# Chinese digit, {m} how long, {x} a detail, {c} a closing; in answers {d} the day the work was done
ISSUES = [
    ("roads", "规划建设办公室", [
        ("{v}{g}道路坑洼积水",
         "{v}{g}{p}有{n}处坑洼，一下雨就积水，电动车、三轮车经过容易打滑摔倒。{x}{c}",
         "已协调规划建设办公室安排施工队，{d}完成{n}处坑洼修补，路面已恢复通行。"),
        ("{v}{p}开裂下沉",
         "{v}{p}修了七八年了，路面开裂下沉，最大的坑有半米宽，晚上看不清。{g}群众出行很不方便。{x}{c}",
         "经现场查看，{p}破损约{n}0平方米，已列入农村公路养护计划，{d}用沥青冷补料修补完毕。"),
        ("雨后{v}{p}坑连坑",
         "连续几场雨后，{v}{p}被雨水泡坏，坑连着坑，拉苹果的车过不去。{x}{c}",
         "规划建设办公室{d}组织施工队对{p}进行修补，共修补坑槽{n}处，并清理了路边排水沟。"),
    ], ["通往果园的生产路", "村口到学校的水泥路", "组里的连户路", "老戏台南边那段路", "村委会门前的主路"], None),
    ("utilities", "规划建设办公室", [
        ("{v}{p}路灯不亮",
         "{v}{p}的{n}盏路灯坏了{m}，天黑后一片漆黑，老人孩子晚上出门不安全。{x}{c}",
         "规划建设办公室会同供电所排查，系线路老化、控制器损坏，{d}更换控制器{n}个，路灯已恢复照明。"),
        ("{v}{g}太阳能路灯晚上不亮",
         "{v}{g}的太阳能路灯有{n}盏晚上不亮，有的灯头被风刮歪了。{x}{c}",
         "已联系路灯维保单位，{d}更换太阳能电池板和灯头{n}套，校正灯头，现已正常亮灯。"),
        ("{v}{p}路灯时亮时不亮",
         "{v}{p}一到晚上黑乎乎的，路灯时亮时不亮，已经{m}了。{x}{c}",
         "经排查为{p}路灯线路接头老化，{d}已重新接线并更换灯具{n}套，照明恢复正常。"),
    ], ["村口", "主街", "小学门口", "十字路口", "文化广场", "桥头"], None),
    ("roads", "派出所", [
        ("{v}{p}缺少减速带",
         "{v}{p}紧挨着公路，上下学时车辆车速很快，没有减速带和斑马线，家长每天都提心吊胆。{c}",
         "派出所会同规划建设办公室现场勘查，{d}安装减速带{n}条、施划斑马线，设置“注意儿童”警示牌，上下学时段安排护学岗。"),
        ("{v}{p}车速太快存在安全隐患",
         "{v}{p}过往的拉货车辆很多，车速快，{m}里已经发生过{n}次剐蹭。{x}{c}",
         "已在{p}设置限速标志和减速带，{d}起交警中队在车流高峰时段定点执勤。"),
    ], ["小学门口", "幼儿园门口", "集市路口", "与省道交叉的路口"], None),
    ("roads", "农业农村办公室", [
        ("暴雨后{v}{g}生产路被冲毁",
         "前几天暴雨，{v}{g}{p}被冲出一道大沟，三轮车和农机都下不了地，眼看就要摘苹果了。{c}",
         "已组织{v}用挖掘机清理塌方土石，{d}铺垫砂石恢复通行，并申报水毁道路修复项目。"),
        ("{v}{p}路基被水掏空",
         "{v}{p}路基被雨水掏空了{n}米多，路面悬空，随时可能塌。{x}{c}",
         "农业农村办公室现场查看后，{d}完成路基回填和{n}0米护坡砌筑，生产路恢复通行。"),
    ], ["通往果园的生产路", "沟底的机耕路", "坡地上的生产路"], None),
    ("roads", "village", [
        ("{v}{p}路边树枝遮挡视线",
         "{v}{p}两边的树枝长得太密，看不见对面来车。{x}{c}",
         "已于{d}组织人员修剪{p}沿线遮挡视线的树枝，并在弯道处设置凸面镜。"),
        ("{v}{g}道路两侧杂草丛生",
         "{v}{g}道路两边的杂草有一人高，会车很危险，夏天还有蛇。{c}",
         "村委会组织保洁员和党员志愿者{d}清除道路两侧杂草约{n}00米。"),
    ], ["村东弯道", "进村路口", "上坡路段"], None),
    ("roads", "党政综合办公室", [
        ("{v}到灵宝市区公交班次太少",
         "{v}去灵宝市区的公交一天只有{n}趟，下午四点以后就没车了，学生周末返校、老人看病都不方便。{c}",
         "已与灵宝市公交公司沟通，自{d}起该线路工作日增加早晚各一班，周五、周日下午加开学生专线。"),
        ("{v}公交车不按点发车",
         "{v}{g}的群众反映，公交车经常不按点发车，在{p}等一个多小时是常事。{x}{c}",
         "党政综合办公室协调公交公司在{v}{p}公布时刻表，{d}起严格按时刻表发车。"),
    ], ["村口站点", "公路边站点"], None),
    ("roads", "应急管理办公室", [
        ("{v}{p}护栏损坏",
         "{v}{p}的护栏被车撞坏了{n}米多，一直没修，下面就是河沟。{x}{c}",
         "应急管理办公室当天设置临时围挡和警示标志，{d}由施工队更换护栏{n}0米。"),
        ("{v}{p}临水路段没有护栏",
         "{v}{p}一边是沟，晚上路窄车多，没有任何防护设施。{c}",
         "已于{d}在{p}安装波形护栏{n}0米，并设置反光警示桩。"),
    ], ["村东小桥", "涧河桥头", "排洪渠边"], None),
    ("agriculture", "农业农村办公室", [
        ("{v}{g}灌溉渠堵塞",
         "{v}{g}的{p}被淤泥和垃圾堵了，春灌时水流不过来，{cn}十亩果园浇不上水。{c}",
         "农业农村办公室组织{v}清淤，{d}清理渠道{n}00米，清运淤泥和垃圾{n}车，已恢复通水。"),
        ("{v}{p}淤积浇不上地",
         "{p}{m}没清淤了，渠底长满了草，水到{v}{g}就没了。{x}{c}",
         "已协调水利站于{d}对{p}进行清淤疏浚并修补渗漏点{n}处，灌溉已恢复。"),
    ], ["西干渠", "南斗渠", "村北支渠"], None),
    ("agriculture", "农业农村办公室", [
        ("{v}机井水泵坏了",
         "{v}{g}的{n}号机井水泵烧了{m}，正赶上果树需要浇水。{c}",
         "已联系水利站维修人员，{d}更换水泵并检修电路，机井已恢复供水。"),
        ("{v}{g}机井出水量小",
         "{v}{g}的机井出水量越来越小，一口井要供{cn}十户浇地，排队要排好几天。{c}",
         "农业农村办公室{d}对机井进行洗井并更换潜水泵，出水量恢复正常。"),
    ], ["机井"], None),
    ("agriculture", "农业农村办公室", [
        ("{v}苹果销售难价格低",
         "今年{v}苹果丰收，但来收的客商少，价格压得很低，{g}还有不少苹果堆在家里。{c}",
         "农业农村办公室联系{n}家收购商和电商服务站到{v}收购，并组织果农参加{d}的产销对接会。"),
        ("希望帮{v}果农找销路",
         "{v}{g}的果农反映，冷库装满了，小果没人要，希望镇里帮忙找找销路。{c}",
         "已协调镇电商服务中心于{d}为{v}开展直播带货，销售苹果{n}万余斤。"),
    ], ["果园"], None),
    ("agriculture", "财政所", [
        ("耕地地力保护补贴未到账",
         "{v}{g}村民反映，今年的耕地地力保护补贴别人都到账了，自己家{n}亩地的补贴一直没收到。{c}",
         "经财政所核查，系一卡通账户信息有误导致发放失败，已帮助更正账户，{d}补贴已补发到位。"),
        ("{v}{g}村民惠农补贴没收到",
         "{v}{g}有几户的惠农补贴{m}了还没发，一卡通查不到记录。{c}",
         "财政所核实为面积录入遗漏，{d}已补录并补发补贴。"),
    ], ["一卡通"], None),
    ("agriculture", "农业农村办公室", [
        ("{v}野猪毁坏庄稼",
         "{v}靠山的{g}最近野猪经常下山，拱坏了{n}亩玉米和红薯。{c}",
         "农业农村办公室联系林业站，{d}组织专业队伍在{v}开展野猪危害防控，并指导村民登记损失申请补偿。"),
        ("{v}{g}野猪糟蹋果园",
         "{v}{g}晚上野猪成群下山，果园里的套袋苹果被糟蹋了不少，村民不敢晚上出门。{c}",
         "已在{v}{g}安装防护围栏{n}00米和驱赶装置，{d}完成野猪致害损失核定。"),
    ], ["山坡地"], HILL_VILLAGES),
    ("agriculture", "农业农村办公室", [
        ("希望请技术员到{v}指导果树病虫害防治",
         "{v}{g}今年苹果树腐烂病、早期落叶病比较多，果农不知道怎么防治。{c}",
         "农业农村办公室{d}请灵宝市果树站专家到{v}开展现场培训，{n}0多名果农参加，并发放防治明白纸。"),
        ("{v}果园病虫害越来越重",
         "{v}的果园这两年病虫害越来越重，打了药也不见效，希望有专家来看看。{c}",
         "已于{d}组织农技人员到{v}果园逐户指导，免费发放药剂{n}00余份。"),
    ], ["果园"], None),
    ("environment", "规划建设办公室", [
        ("{v}{p}垃圾收集点满溢",
         "{v}{p}的垃圾箱天天满，清运不及时，夏天臭味大、苍蝇多。{x}{c}",
         "已督促保洁公司将{v}清运频次由每两天一次调整为每天一次，{d}在{p}增设垃圾箱{n}个。"),
        ("{v}{g}垃圾清运不及时",
         "{v}{g}的垃圾收集点垃圾堆到了箱子外面，被狗扒得到处都是。{c}",
         "规划建设办公室约谈保洁公司，{d}完成积存垃圾清运，并增设分类垃圾箱{n}组。"),
    ], ["村口", "集市旁", "学校后墙外", "路口"], None),
    ("environment", "农业农村办公室", [
        ("{v}{g}养猪场粪污直排",
         "{v}{g}附近的养猪场粪污直排到沟里，气味很大，晚上都不敢开窗。{c}",
         "农业农村办公室会同生态环境部门检查，责令养殖场完成粪污收集池防渗改造，{d}复查已整改到位。"),
        ("{v}养殖场异味扰民",
         "{v}{p}的养殖场臭味{m}了，附近{cn}十户村民意见很大。{c}",
         "已督促养殖场配套建设粪污处理设施并定期清运，{d}复查异味明显减轻。"),
    ], ["村北", "沟边"], None),
    ("environment", "village", [
        ("{v}{p}排水沟污水横流",
         "{v}{p}的排水沟堵了，生活污水漫到路上，味道很难闻。{x}{c}",
         "村委会组织清理排水沟{n}00米，{d}加装盖板，污水已接入管网。"),
        ("{v}{g}生活污水乱排",
         "{v}{g}有几户把污水直接排到路边，{m}了没人管。{c}",
         "村委会{d}入户劝导并疏通排水沟，乱排的{n}户已接入污水管道。"),
    ], ["村中心", "学校东边", "集市"], None),
    ("environment", "综治中心", [
        ("{v}流浪狗伤人隐患",
         "{v}{g}这段时间有{n}条流浪狗经常在{p}转，晚上还追人。{x}{c}",
         "综治中心联合派出所、村委会开展流浪犬集中收容，{d}收容{n}只，并提醒村民文明养犬。"),
        ("{v}{p}流浪狗越来越多",
         "{v}{p}的流浪狗越来越多，前几天把一个孩子吓哭了。{c}",
         "已于{d}对{v}流浪犬进行收容，并对养犬户开展拴养宣传。"),
    ], ["小学附近", "集市", "村口"], None),
    ("environment", "village", [
        ("{v}{p}有人乱倒建筑垃圾",
         "{v}{p}这段时间有车半夜来倒建筑垃圾，已经堆了{n}车了。{c}",
         "村委会{d}组织清运建筑垃圾{n}0余车，设置禁倒警示牌并安装监控。"),
        ("{v}{g}沟边堆满建筑垃圾",
         "{v}{g}沟边被倒满了拆房子的砖头瓦块，下雨会堵住排洪沟。{c}",
         "已于{d}清理沟边建筑垃圾，并联系规划建设办公室划定建筑垃圾临时堆放点。"),
    ], ["村西沟", "排洪沟边", "废弃砖厂"], None),
    ("environment", "应急管理办公室", [
        ("{v}有人焚烧秸秆",
         "{v}{g}地里有人烧玉米秸秆，烟很大，附近就是果园和林地。{c}",
         "应急管理办公室和村网格员当天到场扑灭火点，{d}开展秸秆禁烧宣传，推广秸秆粉碎还田。"),
        ("{v}{p}烧荒冒烟",
         "最近{v}{p}隔三岔五有人烧荒，浓烟飘到村里呛得人睁不开眼。{c}",
         "已于{d}在{v}设置秸秆禁烧巡查岗，并联系农机合作社免费粉碎秸秆{n}00亩。"),
    ], ["田间", "林地边"], None),
    ("utilities", "自来水公司", [
        ("{v}{g}夏季自来水水压低",
         "一到夏天用水高峰，{v}{g}地势高的几户自来水上不去，二楼根本没水，只能半夜接水。{c}",
         "自来水公司{d}对{v}供水管网增压泵进行检修更换，高峰时段水压已恢复正常。"),
        ("{v}用水高峰期没水",
         "{v}{g}这{m}每天上午十点到晚上八点水压很低，洗衣机都用不了。{x}{c}",
         "经排查为{v}{p}漏水，{d}完成抢修并新增加压设备一台。"),
    ], ["主管道", "入村管道"], None),
    ("utilities", "自来水公司", [
        ("{v}自来水浑浊发黄",
         "{v}{g}的自来水最近放出来是黄的，沉淀后有泥沙，不敢给孩子喝。{c}",
         "自来水公司{d}冲洗了{v}供水管道并取样送检，水质检测合格，已在村务公开栏公示检测结果。"),
        ("{v}自来水有异味",
         "{v}{g}的自来水有一股漂白粉味，{m}了。{c}",
         "经检查系{p}检修后管道未冲洗到位，{d}已完成冲洗消毒，水质检测合格。"),
    ], ["主管道", "入村管道"], None),
    ("utilities", "供电所", [
        ("{v}{g}电压不稳",
         "{v}{g}晚上用电高峰时电压低，空调带不动，冰箱也经常自己停。{x}{c}",
         "供电所现场测量确认末端电压偏低，{d}新增变压器一台并调整线路负荷，电压已稳定。"),
        ("{v}{g}电灯忽明忽暗",
         "{v}{g}的电灯一到晚上就忽明忽暗，{m}里烧坏了好几户的电器。{c}",
         "供电所{d}对{v}{g}低压线路进行改造，更换导线{n}00米。"),
    ], ["台区"], None),
    ("utilities", "供电所", [
        ("{v}{g}频繁停电",
         "{v}{g}这{m}经常停电，一停就是半天，冷库里的苹果都受影响。{c}",
         "供电所{d}更换了{v}老旧变压器和跌落式熔断器，并公布抢修电话。"),
        ("{v}一刮风就停电",
         "{v}一刮风就停电，{p}的线路从树中间穿过。{x}{c}",
         "供电所排查发现{p}线路与树木距离不足，{d}完成树障清理和线路改造。"),
    ], ["村东", "果园边"], None),
    ("utilities", "党政综合办公室", [
        ("{v}手机信号差",
         "{v}{g}在山沟里，移动信号时有时无，打电话要跑到村口，孩子上网课也受影响。{c}",
         "党政综合办公室与灵宝市移动公司对接，{d}在{v}新建的5G基站已开通，信号覆盖{g}。"),
        ("{v}{g}家里没有手机信号",
         "{v}{g}家里手机经常没信号，老人有急事联系不上。{c}",
         "已协调通信公司于{d}在{v}加装信号放大设备，通话已基本正常。"),
    ], ["山沟"], HILL_VILLAGES),
    ("education_health", "中心学校", [
        ("{v}校车站点太远",
         "{v}离中心学校{n}公里，校车只到村口，{g}的孩子每天要走二十多分钟到站点，冬天天黑得早。{c}",
         "中心学校调整校车线路，自{d}起校车延伸到{v}{g}，增设站点一个。"),
        ("{v}校车发车太早",
         "{v}{g}的家长反映，校车早上六点半就到站，孩子起得太早，希望调整时间。{c}",
         "中心学校与家长协商后，自{d}起将{v}校车发车时间推后二十分钟。"),
    ], ["站点"], None),
    ("education_health", "卫生院", [
        ("镇卫生院夜间看病难",
         "{v}村民反映，镇卫生院晚上只有一名值班医生，夜里孩子发烧去了要等很久。{c}",
         "卫生院已调整夜班排班，自{d}起夜间增加一名值班医生和一名护士，并公布夜间急诊电话。"),
        ("卫生院夜里找不到医生",
         "{v}{g}的老人说，晚上到卫生院看急诊找不到医生，打电话也没人接。{c}",
         "卫生院{d}起实行夜间双人值班，值班电话专人接听，并与{v}卫生室建立夜间转诊联系。"),
    ], ["卫生院"], None),
    ("education_health", "卫生院", [
        ("{v}卫生室常用药不全",
         "{v}卫生室降压药、降糖药经常断货，老人只能跑到镇上去拿药。{c}",
         "卫生院{d}为{v}卫生室补充高血压、糖尿病等慢性病常用药{n}0种，并纳入每月配送。"),
        ("{v}卫生室经常关门",
         "{v}卫生室{m}里经常关门，村医不在，有病只能往镇上跑。{c}",
         "卫生院约谈{v}村医，{d}起卫生室公示坐诊时间，卫生院每周派医生巡诊一次。"),
    ], ["卫生室"], None),
    ("education_health", "中心学校", [
        ("{v}学校周边小卖部卖三无食品",
         "{v}学校门口的小卖部卖的辣条、饮料没有生产日期，孩子们天天买。{c}",
         "中心学校会同市场监管所对学校周边{n}家商店进行检查，{d}下架过期和三无食品，并签订食品安全承诺书。"),
        ("{v}{p}流动摊贩卖不卫生食品",
         "{v}{p}一到放学就有流动摊贩，卖的东西不卫生。{c}",
         "已于{d}对{p}流动摊贩进行劝离，学校加强放学时段管理。"),
    ], ["学校门口"], None),
    ("education_health", "卫生院", [
        ("希望免费体检送到{v}",
         "{v}六十五岁以上老人的免费体检要到镇卫生院做，腿脚不便的老人去不了。{c}",
         "卫生院{d}组织医护人员到{v}开展65岁以上老人免费体检，共体检{n}0余人。"),
        ("{v}老人希望在村里体检",
         "{v}{g}的老人希望卫生院能到村里来体检，顺便看看慢性病。{c}",
         "已将{v}纳入巡回体检计划，{d}在村委会完成体检{n}0人。"),
    ], ["村委会"], None),
    ("social_security", "社会事务办公室", [
        ("{v}老人不会线上缴纳城乡居民医保",
         "{v}{g}的村民家里老人不会用手机缴纳城乡居民医保，担心过了缴费期断保。{c}",
         "社会事务办公室安排{v}医保专干{d}上门帮助{n}户老人完成缴费，并在村委会设立代缴点。"),
        ("{v}务工人员家属咨询医保缴费",
         "{v}{g}有{n}户人家外出务工，家里老人的医保费不知道怎么交。{c}",
         "已于{d}在{v}开展医保集中缴费服务，现场帮助{n}0余人完成缴费。"),
    ], ["村委会"], None),
    ("social_security", "社会事务办公室", [
        ("高龄老人养老金资格认证难",
         "{v}{g}一位八十多岁的老人卧床不起，养老金资格认证要本人刷脸，家里人不会弄。{c}",
         "社会事务办公室{d}安排工作人员上门为{v}{n}位行动不便的老人完成认证，养老金已恢复发放。"),
        ("{v}老人养老金停发",
         "{v}{g}老人的养老金这个月没发，说是没有认证。{c}",
         "经核查系认证逾期，{d}已上门完成认证并补发养老金。"),
    ], ["家中"], None),
    ("social_security", "社会事务办公室", [
        ("申请低保不知道怎么办",
         "{v}{g}一户人家男主人今年生了大病，家里没了收入，想申请低保不知道找谁。{c}",
         "社会事务办公室已向当事人讲解政策，{d}协助提交低保申请材料，经入户调查已纳入低保。"),
        ("{v}{g}独居老人生活困难",
         "{v}{g}的一位独居老人生活困难，房子也漏雨，希望给予救助。{c}",
         "已于{d}为老人发放临时救助金，协调村委会修缮房屋，并按程序办理低保。"),
    ], ["家中"], None),
    ("social_security", "社会事务办公室", [
        ("残疾人两项补贴停发",
         "{v}{g}一位残疾人的两项补贴从{m}前就停了，一直没人说原因。{c}",
         "经核查，当事人残疾证已换证，系统信息未同步，{d}已补录并补发补贴。"),
        ("{v}残疾证换证后补贴没了",
         "{v}{g}村民的残疾证换了新证以后补贴就没了。{c}",
         "社会事务办公室{d}完成换证信息核对，补贴已恢复发放并补发。"),
    ], ["家中"], None),
    ("social_security", "社会事务办公室", [
        ("希望{v}办老年食堂",
         "{v}年轻人都外出了，留守老人做饭难，希望村里能办个老年食堂。{c}",
         "社会事务办公室已将{v}纳入村级养老服务站建设计划，{d}与村委会完成选址。"),
        ("{v}独居老人吃饭难",
         "{v}{g}有不少独居老人，一天只吃一两顿。{c}",
         "已于{d}在{v}开办幸福食堂，每天为{n}0余名老人提供午餐。"),
    ], ["村委会"], None),
    ("social_security", "综治中心", [
        ("农民工工资被拖欠",
         "{v}{g}{n}个村民在镇上一个工地干了{m}，工钱一直拖着不给，快过年了。{c}",
         "综治中心联合灵宝市人社局劳动监察大队约谈施工方，{d}拖欠的{n}万元工资已全部支付到位。"),
        ("{v}村民讨薪找不到包工头",
         "{v}{g}村民反映，包工头拖欠工资后联系不上。{c}",
         "已于{d}协调总承包单位先行垫付拖欠工资，当事人已领到工资。"),
    ], ["工地"], None),
    ("disputes", "综治中心", [
        ("{v}{g}宅基地界墙纠纷",
         "{v}{g}两户邻居因为新盖院墙往外占了半米多发生争执，已经吵了{m}。{c}",
         "综治中心联合司法所、村调委会{d}现场丈量，依据宅基地证划定界址，双方签订调解协议，院墙已按界址调整。"),
        ("{v}邻居界墙砌到自家宅基地",
         "{v}{g}邻居盖房时把界墙砌到了我家宅基地上，协商不成。{c}",
         "村调委会和综治中心于{d}组织双方现场调解，达成协议，纠纷已化解。"),
    ], ["宅基地"], None),
    ("disputes", "village", [
        ("邻居排水排到{v}{g}村民地里",
         "{v}{g}邻居家的排水管直接对着我家地，一下雨地里全是水，说了也不改。{c}",
         "村调委会{d}组织双方协商，由上游户修建排水管引入排水沟，纠纷已化解。"),
        ("{v}邻里排水纠纷",
         "{v}{g}上下两户因排水问题闹矛盾，{m}了。{c}",
         "村委会{d}现场调解，双方同意共同出资修排水沟。"),
    ], ["地头"], None),
    ("disputes", "农业农村办公室", [
        ("{v}流转土地租金拖欠",
         "{v}{g}流转给合作社的{cn}十亩地，今年的租金到现在还没给。{c}",
         "农业农村办公室约谈流转企业，{d}企业已向{v}{n}0户村民支付拖欠租金。"),
        ("土地流转租金未按时支付",
         "{v}村民反映，流转土地的公司{m}没付租金，人也找不到。{c}",
         "已于{d}组织双方协商，企业分两期支付租金，第一期已到账。"),
    ], ["流转地"], None),
    ("disputes", "village", [
        ("{v}{p}广场舞音响太大",
         "{v}{p}每天晚上跳广场舞音响开得很大，到十点多还不停，影响老人和学生休息。{c}",
         "村委会与广场舞队协商，{d}起音量控制在规定范围，晚上九点前结束。"),
        ("{v}{p}商户高音喇叭扰民",
         "{v}{p}的商户晚上用大喇叭促销，吵得人睡不着。{c}",
         "已于{d}约谈相关商户，停止使用高音喇叭。"),
    ], ["文化广场", "集市"], None),
    ("construction", "规划建设办公室", [
        ("{v}{g}危房改造申请",
         "{v}{g}一户老人住的土坯房墙体开裂，下雨漏水，很危险。{c}",
         "规划建设办公室{d}组织鉴定，房屋为C级危房，已纳入今年农村危房改造计划。"),
        ("{v}老房子墙体裂缝",
         "{v}{g}的几间老房子墙裂了缝，希望给鉴定一下能不能列入危房改造。{c}",
         "已于{d}完成房屋安全鉴定，为老人安排临时安置，改造工程已开工。"),
    ], ["老宅"], None),
    ("construction", "规划建设办公室", [
        ("{v}文化广场照明不足",
         "{v}文化广场晚上只有一盏灯，跳舞、散步的人多，黑灯瞎火容易摔。{c}",
         "已在{v}文化广场新装高杆灯{n}基，{d}通电使用。"),
        ("{v}广场的灯坏了",
         "{v}广场的灯坏了{m}，晚上乘凉的老人孩子多。{c}",
         "规划建设办公室{d}为{v}广场更换LED灯{n}盏。"),
    ], ["文化广场"], None),
    ("construction", "规划建设办公室", [
        ("{v}{g}排水沟年久失修",
         "{v}{g}的排水沟年久失修，一下大雨水就倒灌进院子。{x}{c}",
         "规划建设办公室将{v}{g}排水沟改造纳入人居环境整治项目，{d}完成{n}00米排水沟硬化。"),
        ("{v}{p}雨天积水进院",
         "{v}{p}地势低，一下雨就积水，{n}户人家进水。{c}",
         "已于{d}疏通{p}排水管道并新建雨水井{n}座。"),
    ], ["低洼处", "村南坡下"], None),
    ("construction", "规划建设办公室", [
        ("农村建房审批进度慢",
         "{v}{g}村民想在自家宅基地上翻建房子，材料交上去{m}了还没批下来。{c}",
         "规划建设办公室已一次性告知所需材料，{d}完成审批，发放乡村建设规划许可证。"),
        ("{v}村民翻建住房手续咨询",
         "{v}{g}村民不清楚翻建住房需要哪些手续，跑了几趟都没办成。{c}",
         "已于{d}安排专人上门指导填报，手续已办结。"),
    ], ["宅基地"], None),
    ("construction", "village", [
        ("{v}{p}公厕损坏无人管理",
         "{v}{p}的公厕水箱坏了，门也关不上，{m}没人管了。{c}",
         "村委会{d}维修了公厕水箱和门窗，并明确保洁员每天清扫。"),
        ("{v}{p}公厕脏乱",
         "{v}{p}公厕没人打扫，夏天臭得不能进。{c}",
         "已于{d}完成公厕改造，安排专人管护。"),
    ], ["集市", "村委会旁"], None),
    ("other", "党政综合办公室", [
        ("{v}村务公开不及时",
         "{v}村务公开栏{m}没更新了，村民想看看集体收入和支出。{c}",
         "党政综合办公室督促{v}{d}在公开栏公示上半年财务收支，并同步在村微信群公开。"),
        ("{v}希望公开土地租金收支",
         "{v}{g}村民反映，村里土地租金收入不知道怎么用的。{c}",
         "已于{d}组织{v}召开村民代表会议通报集体收支情况。"),
    ], ["村务公开栏"], None),
    ("other", "社会事务办公室", [
        ("{v}健身器材损坏",
         "{v}{p}的健身器材有{n}件坏了，螺丝松动，小孩玩很危险。{c}",
         "社会事务办公室{d}更换了{v}{p}损坏的健身器材{n}件。"),
        ("{v}{p}健身器材锈蚀",
         "{v}{p}的健身器材锈得厉害，有一个转轮已经掉了。{c}",
         "已于{d}拆除存在隐患的器材，新器材已安装到位。"),
    ], ["文化广场", "村委会院内"], None),
    ("other", "党政综合办公室", [
        ("{v}快递只能到镇上取",
         "{v}的快递都放在镇上，取一次要跑{n}公里，老人网购很不方便。{c}",
         "党政综合办公室协调邮政和快递企业，{d}在{v}便民超市设立村级快递服务点。"),
        ("希望在{v}设快递点",
         "{v}{g}群众反映，快递经常被放在路边小卖部，丢了也没人管。{c}",
         "已于{d}在{v}建成村级寄递物流综合服务站。"),
    ], ["便民超市"], None),
]

#: (category, title, text, reason): not for the station
OUT_OF_SCOPE = [
    ("other", "要求帮忙追讨外地客商拖欠的苹果款",
     "{v}{g}村民反映，去年秋天把{n}万斤苹果卖给外地客商，对方至今拖欠货款，电话也打不通。",
     "属民事债务纠纷，不在联络站交办范围，已告知可向人民法院起诉，并提供灵宝市法律援助中心电话。"),
    ("disputes", "对法院判决结果不服要求重审",
     "{v}村民对去年的一起民事案件判决不服，要求镇人大帮助重新审理。",
     "属司法程序，不在联络站受理范围，已引导当事人依法申请再审。"),
    ("construction", "反映灵宝市区商品房延期交房",
     "{v}{g}村民在灵宝市区买的商品房已超过合同约定交房时间{n}个月，开发商一直拖延。",
     "属灵宝市住建局职责，已告知通过12345热线或市住建局信访窗口反映。"),
    ("education_health", "咨询子女在外省借读参加中考政策",
     "{v}村民孩子在外省借读，询问回灵宝参加中考的政策。",
     "属政策咨询，已当场解答并告知市教育局咨询电话，无需交办。"),
    ("other", "要求帮助办理外省户口迁入",
     "{v}{g}村民的儿媳户口在外省，想迁到{v}，不知道怎么办。",
     "户口迁移由公安机关办理，已告知所需材料和灵宝市公安局户政窗口地址，无需交办。"),
]

#: (category, unit, title, the situation, three points, the answer): deputies' suggestions
SUGGESTIONS = [
    ("roads", "规划建设办公室", "关于加强农村公路日常养护的建议",
     "我镇农村公路里程长，部分村道建成时间早，路面破损、路肩缺失问题较多，雨季水毁严重",
     ["落实“路长制”，明确每条村道的养护责任人", "每年安排专项养护资金，优先修复学校、集市周边路段",
      "建立群众反映道路问题的快速处置机制"],
     "镇政府已将农村公路养护资金纳入年度预算，全面落实镇村两级路长制，对群众反映集中的村道进行了修复。"),
    ("agriculture", "农业农村办公室", "关于建设苹果冷链仓储设施的建议",
     "苹果是我镇主导产业，但冷库容量不足，果农集中上市、价格偏低",
     ["在五亩、涧东等主产村规划建设气调冷库", "对合作社建设冷库给予贴息支持", "引导电商企业与冷库合作错峰销售"],
     "已将五亩村冷链仓储项目列入乡村振兴项目库，申报上级衔接资金，项目已完成选址和可研。"),
    ("utilities", "自来水公司", "关于巩固提升农村饮水安全的建议",
     "部分山区村夏季用水高峰期供水不足，管网老化、跑冒滴漏严重",
     ["对水泉源、聂家岭等山区村管网进行更新改造", "在高位村增设加压泵站", "建立水质定期检测和公示制度"],
     "自来水公司已完成山区村管网改造一期工程，新建加压泵站两座，水质检测结果每季度在各村公示。"),
    ("social_security", "社会事务办公室", "关于加快村级养老服务站建设的建议",
     "我镇留守老人、独居老人较多，村级养老服务设施不足",
     ["每个片区至少建成一个村级养老服务站", "探索“幸福食堂”助餐服务", "发动志愿者开展结对关爱"],
     "已在尹庄、涧东、五亩、坡头四个片区各建成一个养老服务站，其中两个开办了幸福食堂。"),
    ("roads", "派出所", "关于加强中小学上下学交通安全管理的建议",
     "部分学校紧邻公路，上下学时段人车混行，存在安全隐患",
     ["在学校周边路段设置减速带、斑马线和警示标志", "上下学高峰安排护学岗", "加强对接送学生车辆的检查"],
     "派出所会同中心学校在全镇学校周边路段完善了交通安全设施，并在上下学时段设立护学岗。"),
    ("agriculture", "农业农村办公室", "关于加快高标准农田建设进度的建议",
     "部分高标准农田项目进度滞后，灌溉配套设施不完善",
     ["倒排工期加快项目建设", "配套建设机井和田间道路", "建立建后管护机制"],
     "已督促施工单位倒排工期，项目已完成主体工程，田间配套设施同步完善，并明确村级管护责任。"),
    ("environment", "规划建设办公室", "关于推进集镇环境卫生常态化整治的建议",
     "集镇区域流动摊贩多，占道经营、垃圾乱扔问题反复出现",
     ["划定集中经营区域", "增加集镇保洁人员和清运频次", "建立门前三包考核制度"],
     "已在集镇划定便民经营区，保洁清运频次增至每日两次，门前三包纳入沿街商铺网格考核。"),
    ("other", "党政综合办公室", "关于完善农村电商服务站点的建议",
     "我镇农产品线上销售需求大，但村级电商服务站点覆盖不足",
     ["在主产村建设电商服务站", "开展电商直播培训", "整合快递物流资源降低寄递成本"],
     "已新建村级电商服务站六个，开展直播带货培训三期，快递进村覆盖率明显提高。"),
    ("environment", "农业农村办公室", "关于推广秸秆综合利用的建议",
     "每年夏秋两季秸秆禁烧压力大，秸秆资源化利用率不高",
     ["扶持农机合作社开展秸秆粉碎还田", "引进秸秆饲料化、基料化企业", "加强禁烧宣传"],
     "已对农机合作社秸秆还田作业给予补助，今年秸秆综合利用率明显提高，未发生大面积焚烧。"),
    ("education_health", "卫生院", "关于提升镇卫生院医疗服务能力的建议",
     "镇卫生院设备老旧、专业人员不足，群众小病也往市里跑",
     ["更新影像、检验设备", "与市级医院建立医联体", "定期邀请专家坐诊"],
     "卫生院已新购DR和全自动生化分析仪，与灵宝市第一人民医院建立医联体，每周有专家坐诊。"),
    ("construction", "应急管理办公室", "关于加强汛期地质灾害隐患排查的建议",
     "我镇山区村较多，汛期滑坡、崩塌隐患点分布广",
     ["汛前对隐患点进行全面排查", "落实每个隐患点的监测责任人", "组织群众开展避险演练"],
     "应急管理办公室汛前完成全部隐患点排查，落实监测责任人，组织了避险转移演练。"),
    ("construction", "规划建设办公室", "关于在集镇规划建设停车场的建议",
     "逢集日集镇车辆乱停乱放，交通拥堵",
     ["利用闲置地块建设公共停车场", "施划停车位", "逢集日安排专人疏导"],
     "已利用原供销社闲置地块建成停车场一处，施划停车位八十余个，逢集日安排交通协管员疏导。"),
    ("education_health", "中心学校", "关于关爱农村留守儿童的建议",
     "我镇外出务工人员多，留守儿童心理健康和课后看护问题突出",
     ["建立留守儿童档案", "开设课后托管服务", "配备心理健康教师"],
     "中心学校已建立留守儿童一人一档，开设课后托管服务，并配备专兼职心理教师。"),
    ("utilities", "党政综合办公室", "关于改善山区村移动通信信号的建议",
     "水泉源、聂家岭等山区村移动信号差，影响群众生产生活",
     ["协调通信运营商建设基站", "对信号盲区进行排查", "加快光纤入户"],
     "已协调运营商在山区村新建基站三座，信号盲区基本消除。"),
    ("roads", "党政综合办公室", "关于增加城乡公交班次的建议",
     "部分村到灵宝市区公交班次少、收车早，群众出行不便",
     ["增加早晚班次", "周末加开学生专线", "公布发车时刻表"],
     "已与公交公司协商增加早晚班次，周五、周日开通学生专线，各站点公布了时刻表。"),
    ("environment", "规划建设办公室", "关于推进农村生活垃圾分类的建议",
     "农村生活垃圾混收混运，减量化、资源化水平不高",
     ["选择示范村先行试点", "配备分类收集设施", "建立积分兑换激励机制"],
     "已在尹庄社区和涧东村开展垃圾分类试点，配备分类收集设施，推行积分兑换。"),
    ("construction", "规划建设办公室", "关于加强农村户厕改造后续管护的建议",
     "部分改厕户存在化粪池满溢、抽厕不及时的问题",
     ["建立改厕管护服务站", "公布抽厕服务电话", "定期回访改厕户"],
     "已成立改厕管护服务队，公布服务电话，实行预约抽厕和定期回访。"),
    ("agriculture", "农业农村办公室", "关于打造尹庄苹果区域品牌的建议",
     "我镇苹果品质好，但品牌影响力不足，卖不上好价钱",
     ["注册区域公用品牌", "统一包装和质量标准", "组织参加农产品展销会"],
     "已启动尹庄苹果区域公用品牌注册，制定统一包装标准，组织合作社参加了郑州农产品展销会。"),
    ("education_health", "卫生院", "关于加强乡村医生队伍建设的建议",
     "乡村医生年龄偏大、后继乏人，部分村卫生室不能正常开诊",
     ["定向培养乡村医生", "提高乡村医生待遇", "卫生院医生下沉巡诊"],
     "卫生院已安排医生每周到村巡诊，并推荐三名定向培养学员，乡村医生补助已按时足额发放。"),
    ("disputes", "综治中心", "关于完善村级矛盾纠纷调解机制的建议",
     "基层矛盾纠纷类型多样，部分村调委会力量薄弱",
     ["充实村调委会力量", "吸纳人大代表、乡贤参与调解", "建立重大纠纷镇村联调机制"],
     "综治中心已充实村调委会成员，聘请人大代表和乡贤担任调解员，建立了镇村联调机制。"),
    ("social_security", "社会事务办公室", "关于提高高龄老人补贴发放效率的建议",
     "高龄补贴认证和发放环节多，部分老人领取不及时",
     ["推行上门认证", "简化审核流程", "按月足额发放"],
     "已推行高龄补贴上门认证，审核流程由四个环节简化为两个，补贴按月发放到位。"),
    ("construction", "规划建设办公室", "关于建设村级文化广场的建议",
     "部分村缺少群众文化活动场所",
     ["利用闲置地建设文化广场", "配套健身器材和照明", "明确管护责任"],
     "已在三个村新建文化广场，配套健身器材和照明，由村委会负责日常管护。"),
    ("utilities", "供电所", "关于加快农网改造升级的建议",
     "部分村线路老化、变压器容量不足，用电高峰电压偏低",
     ["对老旧线路进行改造", "增容变压器", "缩短故障抢修时间"],
     "供电所已完成五个村的农网改造，新增变压器四台，抢修到达时间缩短至四十五分钟以内。"),
    ("agriculture", "财政所", "关于规范涉农补贴发放的建议",
     "涉农补贴种类多，群众对发放标准和进度不清楚",
     ["统一通过一卡通发放", "在村务公开栏公示", "开通查询渠道"],
     "财政所已实现涉农补贴一卡通统一发放，各村按批次公示，并开通电话查询。"),
    ("roads", "应急管理办公室", "关于在临水临崖路段增设安全防护设施的建议",
     "部分村道临水临崖，缺少护栏和警示标志",
     ["排查临水临崖路段", "增设护栏和警示桩", "夜间增设反光标志"],
     "应急管理办公室已完成排查，增设护栏和警示桩，夜间反光标志全部安装到位。"),
]
HIGHER_OFFICES = {"roads": "交通运输局", "agriculture": "农业农村局", "utilities": "水利局", "environment": "生态环境局",
                  "education_health": "卫生健康委员会", "social_security": "民政局", "construction": "住房和城乡建设局",
                  "disputes": "司法局", "other": "人民政府办公室"}
CHANNEL_NAMES = {"reception_day": "接待日", "visit": "走访", "grid": "网格", "hotline": "12345热线",
                 "web_form": "网上", "forum": "论坛", "staff": "来信来电"}

_TARGET_STATE = {"accept": "accepted", "merge": "merged", "decline": "out_of_scope", "assign": "assigned",
                 "reply": "in_progress", "answer": "answered", "feedback": "feedback_given", "close": "closed",
                 "rate": "closed", "reopen": "reopened"}
_CN = "二三四五六"
#: who records what comes in without a deputy (the hotline's feed; the public form: nobody)
_COLLECTORS = {"hotline": "12345热线", "web_form": None}


def seed_opinions(town: Town, today: date | None = None) -> None:
    """A year of Yinzhuang's opinions ledger, once (a town that has any opinion keeps it as it is):
    the units' contacts and the villages' committees, then 200-odd constituents' opinions and
    two dozen deputies' suggestions, each taken through the services day by day (every
    history legal), planned first so that today shows a few overdue, nearly due, awaiting
    feedback and just collected."""
    import random

    from .access import bound_to
    from .deputies.models import Deputy
    from .opinions.models import Opinion

    with bound_to(town.id):
        if db.session.scalar(select(Opinion.id).limit(1)) is not None:
            return
        if db.session.scalar(select(Deputy.id).limit(1)) is None:
            return
        rng = random.Random(20260105)
        today = today or date.today()
        _seed_units(rng)
        # the roster, grids, days and forums planned with, held here: the session's identity map holds
        # them only weakly, and create_opinion looks each one up again (a reload per opinion otherwise)
        loaded: list = []
        entries = _plan_ledger(rng, today, loaded)
        staff = db.session.scalar(select(User).where(User.username == "yz_staff"))
        for entry in sorted(entries, key=lambda e: (e.data["received_on"], e.seq)):
            _execute(entry, today, staff)


def _village_unit(village: str) -> str:
    return village[:-2] + "社区居委会" if village.endswith("社区") else village + "委会"


def _seed_units(rng) -> None:
    from .deputies.models import Deputy, DeputyLevel
    from .opinions.models import ResponsibleUnit, UnitKind

    units = {u.name: u for u in db.session.scalars(select(ResponsibleUnit))}
    for name, (contact, phone, notes) in UNIT_CONTACTS.items():
        unit = units.get(name)
        if unit is not None and unit.contact_name is None:
            unit.contact_name, unit.contact_phone, unit.notes = contact, phone, notes
    secretaries = {d.constituency: d for d in db.session.scalars(
        select(Deputy).where(Deputy.level == DeputyLevel.town, Deputy.occupation == "村党支部书记").order_by(Deputy.id))}
    for village in VILLAGES:
        if _village_unit(village) in units:
            continue
        head = secretaries.get(village)
        community = village.endswith("社区")
        db.session.add(ResponsibleUnit(
            name=_village_unit(village), kind=UnitKind.village, active=True,
            contact_name=head.name if head else rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_phone=head.phone if head and head.phone else f"138{rng.randint(0, 99999999):08d}",
            notes="社区党支部书记、居委会主任" if community else "村党支部书记、村委会主任"))
    db.session.flush()


class _Entry:
    """An opinion or a suggestion to be: what intake records, and the steps after it."""

    _next = 0

    def __init__(self, data: dict, *, unit=None, category=None, fill=None, answers=(), collector=None):
        _Entry._next += 1
        self.seq = _Entry._next
        self.data, self.unit, self.category, self.fill, self.answers = data, unit, category, fill, list(answers)
        self.collector = collector  # who recorded it (a name for the history)
        self.fate = "normal"
        self.reason: str | None = None
        self.target: _Entry | None = None  # a duplicate's original
        self.issue = None  # what it is about (from ISSUES)
        self.steps: list[tuple[date, str, dict, str]] = []
        self.dues: list[tuple[date, date, date]] = []  # (from when, due, warn)
        self.opinion = None

    @property
    def suggestion(self) -> bool:
        from .opinions.models import Kind

        return self.data.get("kind") == Kind.suggestion

    def add(self, day: date, action: str, payload: dict, who: str) -> date:
        if self.steps and day < self.steps[-1][0]:
            day = self.steps[-1][0]
        self.steps.append((day, action, payload, who))
        return day

    def final(self, today: date) -> tuple[str, date | None, date | None]:
        """The state and deadline once the steps up to `today` are taken."""
        state = "collected"
        for day, action, _payload, _who in self.steps:
            if day > today:
                break
            state = _TARGET_STATE.get(action, state)
        dues = [d for d in self.dues if d[0] <= today]
        return (state, *dues[-1][1:]) if dues else (state, None, None)


def _working(day: date) -> date:
    from .receptions.calendar import is_working_day

    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _after(day: date, n: int) -> date:
    """`n` working days after `day`; 0: the day itself, or the next working day."""
    from .receptions.calendar import add_working_days

    return add_working_days(day, n) if n > 0 else _working(day)


def _in_month(day: date) -> date:
    """The working day on or after `day`, or before it when the month ends first (a holiday)."""
    working = _working(day)
    if working.month == day.month:
        return working
    from .receptions.calendar import is_working_day

    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    return f"1{rng.choice('3578')}{rng.choice('0123456789')}{rng.randint(0, 99999999):08d}"


def _plan_ledger(rng, today: date, loaded: list) -> list[_Entry]:
    """Every entry with its intake data and dated steps (nothing written yet)."""
    from sqlalchemy.orm import selectinload

    from .activities.models import Activity, ActivityType
    from .deputies.models import Deputy, DeputyLevel
    from .grids.models import Grid
    from .opinions.models import Channel, CongressLevel, Kind, OpinionCategory, ResponsibleUnit
    from .receptions.models import ReceptionDay, RotaEntry

    start = today - timedelta(days=364)
    categories = {c.code: c for c in db.session.scalars(select(OpinionCategory))}
    units = {u.name: u for u in db.session.scalars(select(ResponsibleUnit))}
    deputies = {d.id: d for d in db.session.scalars(select(Deputy).order_by(Deputy.id))}
    town_deputies = [d for d in deputies.values() if d.level == DeputyLevel.town]
    by_village: dict[str, list] = {}
    for d in town_deputies:
        by_village.setdefault(d.constituency, []).append(d)
    grids = [g for g in db.session.scalars(select(Grid).options(selectinload(Grid.deputies)).order_by(Grid.id))
             if g.deputies]
    yesterday = today - timedelta(days=1)
    days = list(db.session.scalars(select(ReceptionDay).where(ReceptionDay.day.between(start, yesterday),
                                                               ReceptionDay.held).order_by(ReceptionDay.day)))
    came: dict[int, list] = {}
    for entry in db.session.scalars(select(RotaEntry).where(RotaEntry.reception_day_id.in_([d.id for d in days]))
                                    .order_by(RotaEntry.deputy_id)):
        if entry.attended:
            came.setdefault(entry.reception_day_id, []).append(deputies[entry.deputy_id])
    forums = list(db.session.scalars(
        select(Activity).join(ActivityType).options(selectinload(Activity.invitees))
        .where(ActivityType.code == "lead_goose_forum", Activity.day.between(start, yesterday))
        .order_by(Activity.day)))
    loaded += [*deputies.values(), *grids, *days, *forums]
    texts: set[str] = set()
    cases: set[str] = set()
    entries: list[_Entry] = []

    def any_day(working: bool) -> date:
        day = start + timedelta(days=rng.randint(0, 364))
        return min(_working(day), today) if working else day

    def compose(issue, village: str) -> dict:
        category, unit_name, variants, places, _only = issue
        for _attempt in range(40):
            title, text, answer = rng.choice(variants)
            fill = {"v": village, "g": rng.choice(GROUPS), "p": rng.choice(places), "n": rng.randint(2, 6),
                    "cn": rng.choice(_CN), "m": rng.choice(DURATIONS), "x": rng.choice(EXTRAS),
                    "c": rng.choice(CLOSINGS)}
            text = text.format_map(fill)
            if text not in texts:
                break
        texts.add(text)
        unit = units[_village_unit(village) if unit_name == "village" else unit_name]
        return {"title": title.format_map(fill), "text": text, "village": village, "category": categories[category],
                "unit": unit, "fill": fill, "answers": [answer], "issue": issue}

    def issue_for(village: str | None):
        while True:
            issue = rng.choice(ISSUES)
            if issue[4] is None or village is None or village in issue[4]:
                return issue

    def opinion(channel: Channel, received: date, village: str | None, *, deputy=None, named: float = 0.9,
                phone: float = 0.6, **extra) -> _Entry:
        issue = issue_for(village)
        village = village or (rng.choice(issue[4]) if issue[4] else rng.choice(VILLAGES))
        made = compose(issue, village)
        if channel == Channel.hotline:
            name = rng.choice(SURNAMES) + rng.choice(("先生", "女士")) if rng.random() < named else None
        else:
            name = _person(rng) if rng.random() < named else None
        data = {"kind": Kind.opinion, "channel": channel, "received_on": received, "title": made["title"],
                "text": made["text"], "village": village, "constituent_name": name,
                "constituent_phone": _phone(rng) if rng.random() < phone else None,
                "deputy_id": deputy.id if deputy else None, **extra}
        # staff classify what they record; the hotline's and the public form's are classified on acceptance
        if channel not in (Channel.hotline, Channel.web_form):
            data["category_id"] = made["category"].id
        collector = deputy.name if deputy else _COLLECTORS.get(channel, "staff")
        entry = _Entry(data, unit=made["unit"], category=made["category"], fill=made["fill"],
                       answers=made["answers"], collector=collector)
        entry.issue = made["issue"]
        entries.append(entry)
        return entry

    def case_no(day: date) -> str:
        while (no := f"HN{day:%Y%m%d}{rng.randint(10000, 99999)}") in cases:
            pass
        cases.add(no)
        return no

    # reception days: the deputies on duty who came received four to six opinions each
    for day in days:
        on_duty = came.get(day.id) or list(day.deputies)
        for _ in range(rng.randint(4, 6)):
            deputy = rng.choice(on_duty)
            village = deputy.constituency if rng.random() < 0.5 and deputy.constituency else rng.choice(VILLAGES)
            opinion(Channel.reception_day, day.day, village, deputy=deputy, reception_day_id=day.id)
    # the monthly lead-goose forums: what was raised there (up to three each)
    for forum in forums:
        present = [deputies[i.deputy_id] for i in forum.invitees if i.checked_in_at] or \
            [deputies[i.deputy_id] for i in forum.invitees]
        for _ in range(min(forum.opinions_raised or 1, 3)):
            deputy = rng.choice(present)
            opinion(Channel.forum, forum.day, deputy.constituency or rng.choice(VILLAGES), deputy=deputy,
                    activity_id=forum.id)
    for _ in range(32):  # deputies' visits, in their own villages mostly
        deputy = rng.choice(town_deputies) if rng.random() < 0.9 else rng.choice(
            [d for d in deputies.values() if d.level != DeputyLevel.town])
        village = deputy.constituency if deputy.constituency and rng.random() < 0.8 else rng.choice(VILLAGES)
        opinion(Channel.visit, any_day(True), village, deputy=deputy)
    for _ in range(32):  # in the grids, with the grid's deputy
        grid = rng.choice(grids)
        opinion(Channel.grid, any_day(False), grid.community, deputy=rng.choice(grid.deputies), grid_id=grid.id)
    for _ in range(28):  # the 12345 hotline's cases; a grid deputy took part in some
        village = rng.choice(VILLAGES)
        deputy = rng.choice(by_village[village]) if by_village.get(village) and rng.random() < 0.3 else None
        received = any_day(False)
        opinion(Channel.hotline, received, village, deputy=deputy, named=0.85, phone=0.95,
                hotline_case_no=case_no(received))
    for _ in range(20):  # the public form, some through a deputy's QR page
        deputy = rng.choice(town_deputies) if rng.random() < 0.3 else None
        opinion(Channel.web_form, any_day(False), None, deputy=deputy, named=0.6, phone=0.5)
    for _ in range(12):  # letters and calls to the station
        opinion(Channel.staff, any_day(True), None, named=0.95, phone=0.8)

    # duplicates of earlier opinions (merged), and what is not for the station (declined)
    originals = [e for e in entries if 20 <= (today - e.data["received_on"]).days <= 300]
    for original in rng.sample(originals, 4):
        received = min(original.data["received_on"] + timedelta(days=rng.randint(1, 6)), today - timedelta(days=5))
        village = original.data["village"]
        channel = rng.choice((Channel.hotline, Channel.web_form, Channel.staff))
        extra = {"hotline_case_no": case_no(received)} if channel == Channel.hotline else {}
        made = compose(original.issue, village)
        dup = _Entry({"kind": Kind.opinion, "channel": channel, "received_on": received, "title": made["title"],
                      "text": made["text"], "village": village, "constituent_name": _person(rng),
                      "constituent_phone": _phone(rng), "category_id": original.category.id, **extra},
                     unit=original.unit, category=original.category,
                     collector=_COLLECTORS.get(channel, "staff"))
        dup.fate, dup.target = "merged", original
        entries.append(dup)
    for category, title, text, reason in OUT_OF_SCOPE:
        village = rng.choice(VILLAGES)
        fill = {"v": village, "g": rng.choice(GROUPS), "n": rng.randint(2, 6)}
        channel = rng.choice((Channel.visit, Channel.hotline, Channel.staff))
        received = start + timedelta(days=rng.randint(20, 355))
        deputy = rng.choice(by_village.get(village) or town_deputies) if channel == Channel.visit else None
        extra = {"hotline_case_no": case_no(received)} if channel == Channel.hotline else {}
        entry = _Entry({"kind": Kind.opinion, "channel": channel, "received_on": received, "title": title,
                        "text": text.format_map(fill), "village": village, "constituent_name": _person(rng),
                        "constituent_phone": _phone(rng), "category_id": categories[category].id,
                        "deputy_id": deputy.id if deputy else None, **extra},
                       category=categories[category],
                       collector=deputy.name if deputy else ("12345热线" if channel == Channel.hotline else "staff"))
        entry.fate, entry.reason = "declined", reason
        entries.append(entry)
    # just in: not yet accepted
    for back, channel in ((0, Channel.web_form), (1, Channel.hotline), (1, Channel.staff), (2, Channel.web_form)):
        received = today - timedelta(days=back)
        extra = {"hotline_case_no": case_no(received)} if channel == Channel.hotline else {}
        opinion(channel, received, None, named=0.7, **extra).fate = "collected"

    # the deputies' suggestions: most filed at the town congress's session in January, the county's
    # and the prefecture's at theirs, a few between sessions
    year = today.year if date(today.year, 2, 1) <= today else today.year - 1
    sessions = {CongressLevel.town: date(year, 1, 8), CongressLevel.county: date(year, 1, 15),
                CongressLevel.prefecture: date(year, 1, 20)}
    levels = [CongressLevel.town] * 18 + [CongressLevel.county] * 5 + [CongressLevel.prefecture] * 2
    rng.shuffle(levels)
    authors = {CongressLevel.town: town_deputies,
               CongressLevel.county: [d for d in deputies.values() if d.level == DeputyLevel.county],
               CongressLevel.prefecture: [d for d in deputies.values() if d.level == DeputyLevel.prefecture]}
    for n, (category, unit_name, title, situation, points, answer) in enumerate(SUGGESTIONS):
        level = levels[n]
        author = rng.choice(authors[level])
        if level == CongressLevel.town and n % 4 == 3:  # between sessions
            received = any_day(True)
        else:
            received = _working(max(sessions[level], start))
        lead = rng.choice(("", "经走访调研发现，", "据群众反映，", "通过接待选民了解到，", "在视察中发现，"))
        text = f"{lead}{situation}。为此建议：一是{points[0]}；二是{points[1]}；三是{points[2]}。"
        peers = [d for d in authors[level] if d.id != author.id]
        seconders = [d.id for d in rng.sample(peers, min(len(peers), rng.randint(1, 4)))] \
            if rng.random() < 0.55 else []
        if level == CongressLevel.town:
            reply = f"经{unit_name}研究办理，答复如下：{answer}"
        else:
            city = "灵宝市" if level == CongressLevel.county else "三门峡市"
            reply = f"经{city}人大常委会交{city}{HIGHER_OFFICES[category]}办理，会同{unit_name}答复如下：{answer}"
        entries.append(_Entry({"kind": Kind.suggestion, "channel": Channel.deputy, "received_on": received,
                               "title": title, "text": text, "village": author.constituency,
                               "deputy_id": author.id, "congress_level": level, "seconder_ids": seconders,
                               "category_id": categories[category].id},
                              unit=units[unit_name], category=categories[category], answers=[reply],
                              collector=author.name))

    _choose_fates(rng, entries, today)
    return entries


def _choose_fates(rng, entries: list[_Entry], today: date) -> None:
    """Plan every entry, then make today's picture: 6-10 overdue, a few nearly due, a few
    answered awaiting feedback, an extension running, some reopened after a not-satisfied."""
    from .receptions.calendar import subtract_working_days

    def age(e):
        return (today - e.data["received_on"]).days

    normal = [e for e in entries if e.fate == "normal" and not e.suggestion and e.unit is not None]
    originals = {id(e.target) for e in entries if e.target is not None}
    old = [e for e in normal if age(e) > 90 and id(e) not in originals]
    for e in rng.sample(old, 4):
        e.fate = "reopen"
    spare = [e for e in old if e.fate == "normal"]
    rng.choice([e for e in spare if 150 <= age(e) <= 300] or spare).fate = "extension"
    rng.choice([e for e in spare if e.fate == "normal" and 100 <= age(e) <= 250] or spare).fate = "extension_refused"
    for e in entries:
        _plan(e, rng)

    # an extension running now: asked and approved, the new deadline still ahead
    for e in sorted((e for e in normal if e.fate == "normal" and 22 <= age(e) <= 45
                     and e.category.deadline_days >= 15), key=age):
        steps, dues = e.steps, e.dues
        e.fate, e.steps, e.dues = "extension", [], []
        _plan(e, rng)
        state, due, _warn = e.final(today)
        if state in ("assigned", "in_progress") and due and due > today + timedelta(days=2) and \
                any(a == "decide_extension" and d <= today for d, a, *_ in e.steps):
            break
        e.fate, e.steps, e.dues = "normal", steps, dues

    def count(*states, due=None):
        out = []
        for e in entries:
            state, due_on, warn_on = e.final(today)
            if state in states and (due is None or due(due_on, warn_on)):
                out.append(e)
        return out

    def overdue(due_on, warn_on):
        return due_on is not None and due_on < today

    def nearly(due_on, warn_on):
        return due_on is not None and warn_on is not None and warn_on <= today <= due_on

    # overdue: assigned long enough ago and not answered (the unit keeps writing it will come)
    late = count("assigned", "in_progress", due=overdue)
    candidates = [e for e in normal if e.fate == "normal" and 40 <= age(e) <= 130]
    for e in candidates[::max(1, len(candidates) // 10)][:max(0, 8 - len(late))]:
        e.fate, e.steps, e.dues = "stuck", [], []
        _plan(e, rng)
    # nearly due: what the calendar leaves open near its deadline; if that is too little, the station
    # set a tighter deadline (限期办理) on one of the latest assignments
    soon = count("assigned", "in_progress", due=nearly)
    for e in sorted(normal, key=age):
        if len(soon) >= 3:
            break
        state, due_on, warn_on = e.final(today)
        if e.fate == "normal" and nearly(due_on, warn_on) and state not in ("assigned", "in_progress"):
            e.steps = [s for s in e.steps if s[1] in ("accept", "assign", "reply")]
            soon.append(e)
    for e in sorted(normal, key=age):
        if len(soon) >= 2:
            break
        state, due_on, warn_on = e.final(today)
        if e.fate == "normal" and state in ("assigned", "in_progress") and due_on > today:
            tight = _after(today, 1)
            n = next(n for n, step in enumerate(e.steps) if step[1] == "assign")
            day, action, payload, who = e.steps[n]
            e.steps[n] = (day, action, {**payload, "due_on": tight}, who)
            e.dues[0] = (day, tight, subtract_working_days(tight, e.category.warning_days))
            soon.append(e)
    # answered, the answer not yet passed on
    waiting = count("answered")
    for e in sorted(normal, key=age):
        if len(waiting) >= 3:
            break
        state, *_ = e.final(today)
        answered = [d for d, a, *_ in e.steps if a == "answer"]
        if e.fate == "normal" and state in ("feedback_given", "closed") and answered and \
                today - answered[0] <= timedelta(days=20):
            e.steps = e.steps[:[a for _d, a, *_ in e.steps].index("answer") + 1]
            waiting.append(e)


def _plan(e: _Entry, rng) -> None:
    """The steps of one entry by its fate (dated; the ones after today are not taken)."""
    received = e.data["received_on"]
    if e.fate == "collected":
        return
    if e.fate == "merged":
        e.add(_after(received, rng.choice((0, 1))), "merge", {}, "staff")
        return
    if e.fate == "declined":
        e.add(_after(received, rng.choice((0, 0, 1))), "decline", {"note": e.reason}, "staff")
        return
    accepted = e.add(_after(received, rng.choice((0, 0, 1, 1, 2))), "accept",
                     {"category_id": e.category.id} if e.data.get("category_id") is None else {}, "staff")
    closed = _round(e, rng, _after(accepted, rng.choice((0, 0, 1))), first=True)
    if closed is not None and e.fate == "reopen":
        reopened = e.add(_after(closed, rng.randint(1, 3)), "reopen", {"note": rng.choice(REOPEN_NOTES)}, "staff")
        _round(e, rng, _after(reopened, rng.choice((0, 1))), first=False)


def _round(e: _Entry, rng, day: date, *, first: bool) -> date | None:
    """Assign on `day`, then the unit's interim reply, an extension, the answer, feedback and
    the rating. Returns the day it closed (None if it does not get there)."""
    from .receptions.calendar import add_working_days, subtract_working_days

    from .opinions.services import deadline_for

    category = e.category
    if e.suggestion:  # a suggestion is answered within three months
        span = 60
        due = add_working_days(day, span)
        warn = subtract_working_days(due, category.warning_days)
        day = e.add(day, "assign", {"unit_id": e.unit.id, "due_on": due}, "staff")
    else:
        span = category.deadline_days
        due, warn = deadline_for(category, day)
        day = e.add(day, "assign", {"unit_id": e.unit.id}, "staff")
    e.dues.append((day, due, warn))
    last = day
    if e.fate == "stuck":
        if rng.random() < 0.7:
            e.add(_after(day, rng.randint(2, span)), "reply", {"note": rng.choice(REPLIES)}, "unit")
        return None
    if rng.random() < (0.6 if e.suggestion else 0.35):
        last = e.add(_after(day, rng.randint(1, max(1, span // 2))), "reply", {"note": rng.choice(REPLIES)}, "unit")
    late = first and rng.random() < 0.11
    if first and e.fate in ("extension", "extension_refused"):
        days = rng.choice((10, 15, 20))
        asked = e.add(max(last, _after(day, max(1, span - rng.randint(2, 4)))), "request_extension",
                      {"days": days, "note": rng.choice(EXTENSION_NOTES)}, "unit")
        approve = e.fate == "extension"
        last = e.add(_after(asked, 1), "decide_extension", {"approve": approve}, "staff")
        if approve:
            due = add_working_days(due, days)
            e.dues.append((last, due, subtract_working_days(due, category.warning_days)))
            answered = _after(last, rng.randint(1, max(1, days - 2)))
        else:
            answered = add_working_days(due, rng.randint(2, 6))
        late = not approve
    elif late:
        answered = add_working_days(due, rng.randint(1, 6))
    else:
        answered = _after(day, rng.randint(max(1, span // 3), span))
    answered = max(answered, last)
    done = max(day, answered - timedelta(days=rng.choice((0, 0, 1, 2))))
    fill = {**(e.fill or {}), "d": f"{done.month}月{done.day}日"}
    answer = rng.choice(e.answers).format_map(fill) if e.answers else "已办理完毕。"
    if not first:
        answer = "重新交办后，" + answer
    answered = e.add(answered, "answer", {"answer": answer}, "unit")
    # how it was rated
    draw = rng.random()
    if e.fate == "reopen" and first:
        satisfaction = "not_satisfied"
    elif not first:
        satisfaction = "satisfied" if draw < 0.7 else "basically"
    else:
        unhappy = 0.03 if e.suggestion else (0.25 if late else 0.06)
        satisfaction = "not_satisfied" if draw < unhappy else "basically" if draw < unhappy + 0.24 else "satisfied"
    from .opinions.models import Channel

    if e.suggestion:
        if rng.random() < 0.6:
            e.add(_after(answered, rng.randint(0, 2)), "feedback",
                  {"how": rng.choice(("letter", "in_person")), "by": rng.choice(STAFF_NAMES)}, "staff")
        return e.add(_after(answered, rng.randint(2, 8)), "rate", {"satisfaction": satisfaction, "by": "deputy"},
                     "deputy")
    if e.data["channel"] == Channel.web_form and rng.random() < 0.6:
        return e.add(_after(answered, rng.randint(1, 4)), "rate",
                     {"satisfaction": satisfaction, "by": "constituent"}, "constituent")
    deputy_name = e.collector if e.data.get("deputy_id") else None
    by = deputy_name if deputy_name and rng.random() < 0.4 else rng.choice(STAFF_NAMES)
    given = e.add(_after(answered, rng.choice((0, 1, 1, 2, 3))), "feedback",
                  {"how": rng.choice(FEEDBACK_WAYS_DEMO), "by": by}, "staff")
    return e.add(_after(given, rng.choice((0, 0, 1, 2))), "close",
                 {"satisfaction": satisfaction, "rated_by": "staff"}, "staff")


def _execute(e: _Entry, today: date, staff) -> None:
    """Record the entry and take its steps up to today, through the services."""
    from .opinions.services import create_opinion, rate, transition

    collector = e.collector
    if collector == "staff":
        opinion = create_opinion(actor=staff, actor_name=None if staff else "人大秘书 张敏", data=e.data)
    else:
        opinion = create_opinion(actor=None, actor_name=collector, data=e.data)
    e.opinion = opinion
    for day, action, payload, who in e.steps:
        if day > today:
            break
        if who == "staff":
            actor, name = staff, None if staff else "人大秘书 张敏"
        elif who == "unit":
            actor, name = None, f"{opinion.unit.name} {opinion.unit.contact_name or ''}".strip()
        elif who == "deputy":
            actor, name = None, e.collector
        else:
            actor, name = None, e.data.get("constituent_name") or "群众"
        if action == "merge":
            original = e.target.opinion
            payload = {"merged_into_id": original.id,
                       "note": f"与#{original.id}“{original.title}”反映的是同一问题，合并办理。"}
        if action == "rate":
            rate(opinion, payload["satisfaction"], by=payload["by"], actor=actor, actor_name=name, today=day)
        else:
            transition(opinion, action, actor=actor, actor_name=name, data=payload, today=day)


# --- key projects and the five ones: two years of Yinzhuang's supervision groups ------------

#: (name, kind, group, unit, category, budget 万元, location, what, start (year offset, month, day),
#: planned delivery (year offset, month, day), chain): year offset 0 is this year, -1 last year;
#: chain "carried": last year's project continuing this year (续建), "done": last year's only, "new": this year's
PROJECTS = [
    ("尹庄村至后庄村道路提升工程", "key", "urban_construction", "规划建设办公室", "交通", 860, "尹庄村至后庄村，全长4.2公里",
     "道路拓宽至6.5米并铺设沥青路面，配套排水边沟、路灯和安防设施。", (-1, 3, 15), (0, 9, 30), "carried"),
    ("镇区污水管网改造", "key", "urban_construction", "规划建设办公室", "市政", 1250, "镇区主街及南北两侧片区",
     "新建污水主管网6.8公里，改造雨污合流管道，接入镇污水处理站。", (-1, 4, 1), (1, 6, 30), "carried"),
    ("高标准农田建设", "key", "rural_revitalization", "农业农村办公室", "农业", 1800, "五亩村、南寨村、北寨村",
     "建设高标准农田8000亩：土地平整、灌溉渠系、机耕路和农田林网。", (-1, 2, 20), (0, 10, 31), "carried"),
    ("农村饮水安全巩固提升", "livelihood", "livelihood", "自来水公司", "水利", 540, "水泉源村、聂家岭村、坡头村等山区村",
     "新建蓄水池3座，更换老化供水管网15公里，山区村实现稳定供水。", (-1, 5, 10), (0, 8, 31), "carried"),
    ("苹果产业园冷库建设", "key", "industrial_development", "农业农村办公室", "产业", 2200, "尹庄镇苹果产业园",
     "新建万吨气调冷库及分拣车间，配套冷链物流通道。", (-1, 6, 1), (0, 11, 30), "carried"),
    ("村级光伏电站运维", "key", "industrial_development", "供电所", "能源", 320, "东仓村、西仓村、白家村等9个村",
     "对9个村级光伏电站开展设备检修、组件清洗和收益分配管理。", (-1, 3, 1), (0, 12, 31), "carried"),
    ("乡村振兴示范村建设", "key", "rural_revitalization", "党政综合办公室", "乡村振兴", 960, "尹庄村、涧东村",
     "打造两个乡村振兴示范村：村容村貌提升、产业配套和文化阵地建设。", (-1, 4, 20), (0, 11, 30), "carried"),
    ("村级养老服务站建设", "livelihood", "livelihood", "社会事务办公室", "养老", 280, "马村、赵家村、罗家村",
     "新建3个村级养老服务站，提供日间照料、助餐和文化娱乐服务。", (-1, 7, 1), (0, 6, 30), "carried"),
    ("农村电商服务中心建设", "key", "industrial_development", "党政综合办公室", "商贸", 450, "尹庄镇区及18个村",
     "建设镇级电商服务中心和18个村级服务点，开展直播带货培训。", (-1, 8, 1), (0, 7, 31), "carried"),
    ("中心学校食堂改扩建", "livelihood", "livelihood", "中心学校", "教育", 380, "尹庄镇中心学校",
     "食堂扩建至可容纳800人同时就餐，更新厨房设备，实施明厨亮灶。", (-1, 3, 1), (-1, 8, 20), "done"),
    ("集镇农贸市场改造", "livelihood", "urban_construction", "规划建设办公室", "商贸", 620, "尹庄集镇",
     "改造农贸市场大棚和摊位，完善排水和消防设施，规范周边停车。", (-1, 2, 25), (-1, 10, 15), "done"),
    ("卫生院标准化建设", "livelihood", "livelihood", "卫生院", "卫生", 750, "尹庄镇卫生院",
     "改造门诊楼和住院部，新增DR、彩超等设备，建设标准化发热门诊。", (-1, 3, 10), (-1, 11, 10), "done"),
    ("农村人居环境整治", "key", "rural_revitalization", "规划建设办公室", "生态", 410, "全镇18个村（社区）",
     "开展村庄清洁行动，完成农户改厕1200户，建设垃圾分类收集点。", (-1, 3, 1), (-1, 11, 20), "done"),
    ("镇区路灯亮化工程", "livelihood", "urban_construction", "规划建设办公室", "市政", 180, "镇区主干道及背街小巷",
     "新装太阳能路灯460盏，维修更换老旧路灯。", (-1, 4, 1), (-1, 9, 15), "done"),
    ("涧河防汛排涝设施改造", "livelihood", "rural_revitalization", "应急管理办公室", "水利", 350, "涧东村、涧西村涧河沿线",
     "清淤疏浚河道3公里，加固堤防，新建排涝泵站1座。", (-1, 3, 15), (-1, 6, 30), "done"),
    ("中药材种植基地建设", "key", "industrial_development", "农业农村办公室", "产业", 300, "聂家岭村、景家沟村",
     "发展连翘、丹参等中药材种植2000亩，建设初加工车间。", (-1, 3, 1), (-1, 10, 31), "done"),
    ("尹庄镇文化广场建设", "livelihood", "livelihood", "社会事务办公室", "文体", 420, "尹庄镇区北侧",
     "建设文化广场1.2万平方米，配套健身器材、演出舞台和公共厕所。", (0, 3, 1), (0, 12, 20), "new"),
    ("涧河生态治理工程", "key", "rural_revitalization", "农业农村办公室", "生态", 980, "涧河尹庄段",
     "建设生态护岸5公里、湿地公园和滨河步道。", (0, 3, 20), (1, 6, 30), "new"),
    ("农村公路安防工程", "livelihood", "urban_construction", "规划建设办公室", "交通", 260, "坡头村、水泉源村等山区道路",
     "临水临崖路段安装波形护栏12公里，增设警示标志和减速带。", (0, 4, 1), (0, 9, 30), "new"),
    ("中心幼儿园提质改造", "livelihood", "livelihood", "中心学校", "教育", 310, "尹庄镇中心幼儿园",
     "改造教学楼和户外活动场地，新增学位120个。", (0, 4, 15), (0, 8, 25), "new"),
    ("苹果深加工项目", "key", "industrial_development", "农业农村办公室", "产业", 3500, "尹庄镇产业集聚区",
     "引进苹果汁、苹果脆片生产线，年加工鲜果3万吨。", (0, 3, 10), (1, 9, 30), "new"),
    ("智慧农业示范园", "key", "rural_revitalization", "农业农村办公室", "农业", 650, "南寨村",
     "建设水肥一体化和物联网监测示范园500亩。", (0, 5, 1), (0, 12, 15), "new"),
    ("农村电网改造升级", "livelihood", "urban_construction", "供电所", "能源", 580, "西仓村、马村、白家村等8个村",
     "新增和改造配电变压器24台，改造低压线路30公里。", (0, 3, 1), (0, 10, 31), "new"),
]
#: the milestones of every project: (phase, name, where between the start and the delivery)
MILESTONES = [("initiation", "项目立项批复", 0.0), ("feasibility", "可行性研究及初步设计批复", 0.12),
              ("started", "施工招标完成，开工建设", 0.25), ("construction", "主体工程施工", 0.35),
              ("delivered", "竣工验收，交付使用", 1.0)]
#: the projects that run late (days their milestones slip), and the year's review of last year: 100% or failing
LATE = {"镇区污水管网改造": (25, 50), "苹果深加工项目": (15, 35)}
UNANIMOUS = ["中心学校食堂改扩建", "集镇农贸市场改造", "卫生院标准化建设", "农村人居环境整治", "镇区路灯亮化工程",
             "涧河防汛排涝设施改造"]
FAILING = {"镇区污水管网改造": 0.74, "村级光伏电站运维": 0.78}
BRIEFING_ISSUES = ["{p}征地协调进度偏慢，影响后续施工", "{p}受雨季影响，工期较计划滞后", "{p}部分配套资金尚未到位",
                   "群众反映{p}夜间施工噪音扰民", "{p}设备采购招标延期", "{p}施工单位现场人员不足",
                   "{p}部分村民对施工方案有不同意见", "{p}审批手续仍在办理中", "{p}施工便道未硬化，雨天泥泞",
                   "{p}项目公示牌信息未及时更新"]
BRIEFING_SUGGESTIONS = ["{p}要倒排工期，确保按节点推进", "建议建立周调度机制，每周通报{p}进度",
                        "建议{p}施工期间设置临时便道，方便群众出行", "建议邀请代表参与{p}隐蔽工程验收",
                        "建议{p}公示牌增加监督电话", "建议加快{p}资金拨付进度", "建议{p}提前做好群众解释工作",
                        "建议{p}完工后组织回头看"]
#: (what the inspection found, what the unit did about it)
FINDINGS = [("施工现场围挡不完整，存在安全隐患", "已补齐施工围挡并设置警示灯，安排专人每日巡查。"),
            ("部分路段排水沟未按设计施工", "已按设计图纸返工，排水沟断面和坡度经监理复核合格。"),
            ("工程进度滞后于计划约两周", "施工单位增加两个作业班组，实行两班倒，进度已追回。"),
            ("施工资料台账不完整，隐蔽工程记录缺失", "已补齐隐蔽工程验收记录和影像资料，台账归档。"),
            ("建筑材料堆放占用村道，影响通行", "材料已集中堆放至指定场地，村道恢复畅通。"),
            ("安全警示标识缺失", "已在施工路段两端及交叉口增设警示标志和反光锥。"),
            ("管道沟槽回填压实度不足", "已重新分层回填夯实，压实度检测达到设计要求。"),
            ("扬尘防治措施落实不到位", "已覆盖裸露土方，配备雾炮机和洒水车定时降尘。"),
            ("项目公示牌信息未更新", "公示牌已更新工程进度、负责人和监督电话。"),
            ("部分设备未按期到货", "已与供货商约谈，设备全部到货并完成安装调试。"),
            ("质量检测报告未及时归档", "检测报告已补齐并归档，建立检测台账。"),
            ("群众反映施工影响出行，未设临时便道", "已铺设临时便道并安排人员疏导交通。"),
            ("部分混凝土路面出现裂缝", "已对裂缝进行切缝灌浆处理，经检测合格。"),
            ("配套绿化未按方案实施", "已按方案补植苗木，落实养护责任人。"),
            ("用工台账不规范，存在拖欠农民工工资风险", "已建立实名制用工台账，工资由专户按月发放。"),
            ("消防设施配备不足", "已按规范配齐灭火器和消防栓，并组织消防演练。")]
REJECTIONS = ["现场复核发现仍有部分未整改到位。", "整改照片与现场情况不符，需重新整改。"]
HALF_YEAR_SUGGESTIONS = ["{p}要加快进度，确保年底前完成年度目标", "{p}要加强质量监管，严把材料进场关",
                         "{p}要及时公开资金使用情况", "{p}要做好施工期间群众的解释和安抚工作",
                         "{p}要提前谋划后期运营管护", "{p}要落实安全生产责任"]
CANDIDATE_NOTES = {"尹庄镇文化广场建设": "群众普遍支持，建议增加夜间照明和无障碍设施。",
                   "涧河生态治理工程": "建议与防汛工程统筹实施。", "农村公路安防工程": "山区村群众呼声高，建议优先实施。",
                   "中心幼儿园提质改造": "建议暑期施工，不影响开学。", "苹果深加工项目": "建议优先收购本镇果农苹果。",
                   "智慧农业示范园": "建议组织果农、种植户参观学习。", "农村电网改造升级": "建议春灌前完成线路改造。",
                   "镇区停车场建设": "选址意见分歧较大，建议进一步论证。"}
PARKING = "在镇区东西两侧建设公共停车场，缓解赶集日停车难。"  #: the candidate that was not taken up


def _png(seed: int = 0, width: int = 24, height: int = 16) -> bytes:
    """A small generated PNG (stripes of a colour) for the demo's photos and evidence."""
    import struct
    import zlib

    r, g, b = (90 + 37 * seed) % 256, (140 + 53 * seed) % 256, (70 + 29 * seed) % 256
    rows = b"".join(b"\x00" + b"".join(bytes((r, g, b) if (x + y) % 6 < 3 else (235, 235, 225))
                                          for x in range(width)) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class _Plan:
    """One project's schedule: its milestones' planned and actual days (None: not yet done)."""

    def __init__(self, spec, this_year: int, rng):
        (self.name, self.kind, self.group, self.unit, self.category, self.budget, self.location, self.what,
         start, end, self.chain) = spec
        self.start = date(this_year + start[0], start[1], start[2])
        self.end = date(this_year + end[0], end[1], end[2])
        low, high = LATE.get(self.name, (0, 12))
        span = (self.end - self.start).days
        self.milestones = []
        for phase, name, at in MILESTONES:
            planned = self.start + timedelta(days=round(span * at))
            self.milestones.append((phase, name, planned, planned + timedelta(days=rng.randint(low, high))))
        review_on = self.end + timedelta(days=75)
        self.milestones.append(("review", "交付后回头看", review_on, review_on + timedelta(days=rng.randint(0, 10))))

    def state(self, day: date) -> tuple[str, int]:
        """The phase and progress (%) on `day`."""
        done = [(phase, actual) for phase, _n, _p, actual in self.milestones if actual <= day]
        if not done:
            return "initiation", 0
        phase, since = done[-1]
        if phase == "construction":
            delivery = max(self.milestones[4][2], day + timedelta(days=1))
            return phase, min(95, 20 + round(75 * (day - since).days / max(1, (delivery - since).days)))
        return phase, {"initiation": 5, "feasibility": 10, "started": 20}.get(phase, 100)


def seed_projects(town: Town, today: date | None = None) -> None:
    """Two years of the town's key projects and the five ones, once (a town that has any
    project keeps them as they are): the four groups with their leaders and members, last
    year's 16 projects (9 continuing into this year) and this year's 7 new ones, with
    milestones, phases and progress as of today; each group's monthly briefings and
    quarterly inspections up to today (the industrial group missed two recent months),
    the findings' rectification ledger (most verified with evidence, a few open, two
    overdue), the half-year reports, and last December's annual review with its votes (6
    projects at 100%, two below the pass mark) and the consultation on this year's projects.
    Everything goes through the services, dated as it happened."""
    import random
    from datetime import datetime, time

    from .access import bound_to
    from .deputies.models import Deputy, DeputyLevel, DeputyStatus
    from .opinions.models import ResponsibleUnit
    from .opinions.services import BEIJING
    from .projects.models import (Candidate, Milestone, Phase, Project, ProjectKind, RecordKind, SupervisionGroup,
                                  Voter)
    from .projects.services import (add_file, carry_over, cast, create_project, create_record, five_ones,
                                    issue_ballots, set_members, set_review, update_project)

    with bound_to(town.id) as bound:
        if db.session.scalar(select(Project.id).limit(1)) is not None:
            return
        deputies = list(db.session.scalars(select(Deputy).where(
            Deputy.level == DeputyLevel.town, Deputy.status == DeputyStatus.serving).order_by(Deputy.id)))
        if len(deputies) < 40:
            return
        rng = random.Random(20260618)
        today = today or date.today()
        year, last = today.year, today.year - 1
        staff = db.session.scalar(select(User).where(User.username == "yz_staff"))
        units = {u.name: u for u in db.session.scalars(select(ResponsibleUnit))}
        groups = {g.code: g for g in db.session.scalars(select(SupervisionGroup).order_by(SupervisionGroup.position,
                                                                                             SupervisionGroup.id))}
        if len(groups) < 4:
            return
        # the groups: a leader each (the demo deputy leads the industrial group), four to six members
        zhao = next((d for d in deputies if d.name == "赵国强"), None)
        pool = [d for d in deputies if d is not zhao]
        rng.shuffle(pool)
        crew: dict[str, list] = {}
        for code, group in groups.items():
            leader = zhao if code == "industrial_development" and zhao else pool.pop()
            members = [pool.pop() for _ in range(rng.randint(4, 6))]
            set_members(group, actor=staff, leader_id=leader.id, member_ids=[d.id for d in members])
            crew[code] = [leader, *members]

        # the projects: last year's, carried over, this year's new ones
        plans = [_Plan(spec, year, rng) for spec in PROJECTS]
        made: dict[tuple[int, str], Project] = {}
        milestones = []

        def make(plan: _Plan, row_year: int, previous: Project | None, final: bool) -> Project:
            phase, progress = plan.state(min(today, date(row_year, 12, 31)))
            if previous is None:
                project = create_project(actor=staff, data={
                    "year": row_year, "name": plan.name, "kind": ProjectKind(plan.kind), "category": plan.category,
                    "unit_id": units[plan.unit].id if plan.unit in units else None,
                    "group_id": groups[plan.group].id, "budget": plan.budget, "location": plan.location,
                    "description": plan.what, "phase": Phase(phase), "progress": progress})
            else:
                project = carry_over(previous, actor=staff, year=row_year)
                update_project(project, actor=staff, data={"phase": Phase(phase), "progress": progress})
            for m_phase, name, planned, actual in plan.milestones:
                if planned.year == row_year or (final and planned.year > row_year):
                    milestones.append(Milestone(project_id=project.id, name=name, phase=Phase(m_phase),
                                                planned_on=planned, done_on=actual if actual <= today else None))
            made[(row_year, plan.name)] = project
            return project

        for plan in plans:
            if plan.chain in ("carried", "done"):
                previous = make(plan, last, None, final=plan.chain == "done")
                if plan.chain == "carried":
                    make(plan, year, previous, final=True)
        for plan in plans:
            if plan.chain == "new":
                make(plan, year, None, final=True)
        db.session.add_all(milestones)
        db.session.flush()
        by_group = {(y, code): [p for (py, _n), p in made.items() if py == y and p.group_id == g.id]
                    for y in (last, year) for code, g in groups.items()}

        # the monthly briefings and quarterly inspections, last January to today
        months = [(y, m) for y in (last, year) for m in range(1, 13) if date(y, m, 1) <= today]
        before = lambda n: months[-1 - n] if n < len(months) else None  # noqa: E731
        skipped = {("industrial_development", before(1)), ("industrial_development", before(3)),
                   ("urban_construction", (last, 8))}
        meetings = []  # (day, kind, group code)
        for n, code in enumerate(groups):
            for y, m in months:
                if (code, (y, m)) not in skipped:
                    meetings.append((_in_month(date(y, m, 12 + 3 * n + rng.randint(0, 3))), RecordKind.briefing, code))
                if m % 3 == 2:
                    meetings.append((_in_month(date(y, m, 6 + 4 * n + rng.randint(0, 2))), RecordKind.inspection,
                                     code))
        findings = []  # (record, project, finding text, evidence)
        for day, kind, code in sorted(meetings, key=lambda x: (x[0], x[1].value, x[2])):
            if day >= today:
                continue
            projects = by_group[(day.year, code)]
            leader, *members = crew[code]
            attendees = [leader] * (rng.random() < 0.95) + [d for d in members if rng.random() < 0.8]
            names = "、".join(p.name for p in projects)
            unit_names = "、".join(dict.fromkeys(p.unit.name for p in projects if p.unit))
            if kind == RecordKind.briefing:
                picks = rng.sample(projects, min(len(projects), 4))
                issues = [rng.choice(BRIEFING_ISSUES).format(p=p.name) for p in picks[:rng.randint(2, 4)]]
                ideas = [rng.choice(BRIEFING_SUGGESTIONS).format(p=p.name) for p in picks[:rng.randint(1, 3)]]
                sent = _after(day, 2)
                create_record(actor=staff, kind=kind, data={
                    "group_id": groups[code].id, "day": day, "place": "尹庄镇人大代表联络站会议室",
                    "summary": f"听取{unit_names}关于{names}推进情况的汇报，逐项对照计划节点核查进度。",
                    "issues_reported": "\n".join(f"{i + 1}. {t}" for i, t in enumerate(issues)),
                    "suggestions": "\n".join(f"{i + 1}. {t}" for i, t in enumerate(ideas)),
                    "other_attendees": f"{unit_names}负责人", "attendee_ids": [d.id for d in attendees],
                    "project_ids": [p.id for p in projects],
                    "sent_to_presidium_on": sent if sent <= today else None})
            else:
                seen = rng.sample(projects, min(len(projects), 2))
                record = create_record(actor=staff, kind=kind, data={
                    "group_id": groups[code].id, "day": day, "place": "、".join(p.location for p in seen),
                    "summary": f"深入{'、'.join(p.name for p in seen)}等项目现场，查看施工进度和工程质量，"
                               f"听取施工单位和{unit_names}情况介绍。",
                    "other_attendees": f"{unit_names}负责人、施工单位项目经理",
                    "attendee_ids": [d.id for d in attendees], "project_ids": [p.id for p in projects]})
                add_file(record=record, filename=f"现场照片{day:%Y%m%d}.png", content=_png(len(findings)),
                         actor=staff)
                for _ in range(rng.choice((1, 1, 2, 2, 2))):
                    text, evidence = FINDINGS[rng.randrange(len(FINDINGS))]
                    findings.append((record, rng.choice(projects), text, evidence))
        _seed_ledger(findings, today, rng, staff, crew, groups)

        # the half-year reports to the presidium
        threshold = int(five_ones(bound)["pass_threshold"])
        for y in (last, year):
            day = _working(date(y, 7, 10))
            if day >= today:
                continue
            projects = [p for (py, _n), p in made.items() if py == y]
            leaders = [c[0] for c in crew.values()]
            others = [d for d in deputies if d not in leaders]
            present = leaders + rng.sample(others, 8)
            ideas = rng.sample([t.format(p=p.name) for p in projects for t in HALF_YEAR_SUGGESTIONS], 20)
            create_record(actor=staff, kind=RecordKind.half_year_report, data={
                "day": day, "place": "尹庄镇人民政府三楼会议室", "project_ids": [p.id for p in projects],
                "summary": f"镇政府及各责任单位向镇人大主席团报告{y}年上半年{len(projects)}个重点项目和民生实事项目推进情况，"
                           "12名代表列席并提出意见建议。",
                "issues_reported": "1. 个别项目资金到位较慢\n2. 部分项目受雨季影响工期滞后\n3. 少数项目群众知晓度不高",
                "suggestions": "\n".join(f"{i + 1}. {t}" for i, t in enumerate(ideas)),
                "other_attendees": "镇人大主席团成员、镇政府分管领导、各责任单位负责人",
                "attendee_ids": [d.id for d in present], "sent_to_presidium_on": day})

        # last year's annual review: the satisfaction vote on each project, the consultation on this year's
        day = _working(date(last, 12, 18))
        projects = [p for (py, _n), p in made.items() if py == last]
        leaders = [c[0] for c in crew.values()]
        present = leaders + rng.sample([d for d in deputies if d not in leaders], 8)
        review = create_record(actor=staff, kind=RecordKind.annual_review, data={
            "day": day, "place": "尹庄镇人民政府三楼会议室", "project_ids": [p.id for p in projects],
            "summary": f"对{last}年{len(projects)}个重点项目和民生实事项目逐一听取汇报并进行满意度测评，"
                       f"其中{sum(p.chain == 'carried' for p in plans)}个项目转入{year}年续建；"
                       f"就{year}年{sum(p.chain == 'new' for p in plans)}个新建候选项目征求意见。",
            "other_attendees": "选民代表40名，镇政府分管领导及各责任单位负责人",
            "attendee_ids": [d.id for d in present]})
        for n, project in enumerate(sorted(projects, key=lambda p: p.id)):
            people = {"voters": 40, "deputies": len(present)}
            voting = {"voters": 40 - rng.randint(0, 2), "deputies": len(present) - rng.randint(0, 1)}
            total = sum(voting.values())
            if project.name in UNANIMOUS:
                unhappy = 0
            elif project.name in FAILING:
                unhappy = total - int(total * FAILING[project.name])
            else:
                unhappy = rng.randint(1, int(total * 0.15))
            basically = rng.randint(2, 8)
            ballots = 3 if n % 4 == 0 else 0  # some voters voted on site by the ballot QR
            counts: dict[str, dict[str, int]] = {}
            left_unhappy = unhappy
            for voter in ("deputies", "voters"):
                bad = min(left_unhappy, voting[voter] // 3 if voter == "deputies" else voting[voter])
                left_unhappy -= bad
                mild = min(basically // 2 if voter == "deputies" else basically - basically // 2, voting[voter] - bad)
                counts[voter] = {"not_satisfied": bad, "basically": mild, "satisfied": voting[voter] - bad - mild}
            paper = {k: dict(v) for k, v in counts.items()}
            cast_votes = []
            for _ in range(ballots):  # the ballots come out of the voters' counts, satisfied ones first
                vote = next(v for v in ("satisfied", "basically", "not_satisfied") if paper["voters"][v] > 0)
                paper["voters"][vote] -= 1
                cast_votes.append(vote)
            vote_on = set_review(review, project, actor=staff, present=people, tallies=paper, threshold=threshold)
            if ballots:
                for k, (ballot, vote) in enumerate(zip(
                        issue_ballots(vote_on, voter=Voter.voters, count=ballots, actor=staff), cast_votes)):
                    cast(ballot.token, vote)
                    ballot.cast_at = datetime.combine(day, time(10, 5 + k), tzinfo=BEIJING)  # cast that morning
            vote_on.closed = True  # the vote is over
        # the consultation on this year's projects (no service records candidates yet): all of present vote
        described = {spec[0]: spec[7] for spec in PROJECTS}
        for name, note in CANDIDATE_NOTES.items():
            adopted = name in described
            support = rng.randint(44, 51) if adopted else 21
            db.session.add(Candidate(record_id=review.id, name=name, description=described.get(name, PARKING),
                                     support=support, object=sum(people.values()) - support - 1, comments=note))
        db.session.flush()


def _seed_ledger(findings: list, today: date, rng, staff, crew: dict, groups: dict) -> None:
    """Each finding's rectification, dated: the latest just found, being rectified or waiting
    for the group's check, two past their deadline, the rest verified against evidence."""
    from datetime import datetime, time

    from sqlalchemy import update

    from .opinions.services import BEIJING
    from .projects.models import FindingEvent
    from .projects.services import add_file, add_finding, finding_step

    codes = {g.id: code for code, g in groups.items()}
    order = sorted(range(len(findings)), key=lambda i: findings[i][0].day, reverse=True)
    fate = dict.fromkeys(range(len(findings)), "natural")
    for rank, i in enumerate(order[:4]):
        fate[i] = ("found", "assigned", "assigned", "rectified")[rank]
    # two past their deadline, in two groups other than the industrial one (red already for its missed briefings)
    late: list[int] = []
    for i in order[4:]:
        code = codes[findings[i][0].group_id]
        if 45 <= (today - findings[i][0].day).days <= 200 and code != "industrial_development" and \
                code not in {codes[findings[j][0].group_id] for j in late}:
            late.append(i)
    late += [i for i in order[4:] if 45 <= (today - findings[i][0].day).days <= 200 and i not in late]
    fate.update(dict.fromkeys(late[:2], "overdue"))
    rejected = [i for i in order[4:] if fate[i] == "natural"][-2:]  # two of the oldest were sent back once
    dated = []  # (finding, [days of its events])
    for i, (record, project, text, evidence) in enumerate(findings):
        found = record.day
        finding = add_finding(record, actor=staff, description=text, project_id=project.id)
        days = [found]
        dated.append((finding, days))
        if fate[i] == "found":
            continue
        assigned = min(_after(found, rng.choice((1, 1, 2))), today)
        if fate[i] == "overdue":
            due = assigned + timedelta(days=rng.randint(20, 30))
        elif fate[i] in ("assigned", "rectified"):
            due = max(assigned + timedelta(days=30), today + timedelta(days=rng.randint(8, 20)))
        else:
            due = assigned + timedelta(days=rng.randint(20, 45))
        if project.unit_id is None:
            continue
        finding_step(finding, "assign", actor=staff, data={"unit_id": project.unit_id, "due_on": due}, today=assigned)
        days.append(assigned)
        if fate[i] in ("overdue", "assigned"):
            continue
        if fate[i] == "rectified":
            steps = [(min(today, max(assigned, found + timedelta(days=rng.randint(3, 9)))), "rectify")]
        else:
            rectified = assigned + timedelta(days=rng.randint(7, max(8, (due - assigned).days - 2)))
            steps = [(rectified, "rectify")]
            if i in rejected:
                steps += [(rectified + timedelta(days=3), "reject"), (rectified + timedelta(days=12), "rectify")]
            steps.append((steps[-1][0] + timedelta(days=rng.randint(2, 7)), "verify"))
        leader = crew[codes[record.group_id]][0]
        for day, action in steps:
            if day > today:
                break
            if action == "rectify":
                data = {"evidence": evidence if len(days) < 4 else "重新整改：" + evidence}
                add_file(finding=finding, filename=f"整改后{len(days)}.png", content=_png(i + len(days)), actor=staff)
            elif action == "reject":
                data = {"note": rng.choice(REJECTIONS)}
            else:
                data = {"by": f"{leader.name}（组长）"}
            finding_step(finding, action, actor=staff, data=data, today=day)
            days.append(day)
    # the history as it happened: each event at the station's opening hour of its day
    ids = db.session.execute(select(FindingEvent.id, FindingEvent.finding_id)
                             .where(FindingEvent.finding_id.in_([f.id for f, _d in dated]))
                             .order_by(FindingEvent.finding_id, FindingEvent.id)).all()
    days = {f.id: list(d) for f, d in dated}
    moments = []
    for event_id, finding_id in ids:
        day, step = days[finding_id].pop(0), len(days[finding_id])
        if day < today:  # today's are now
            moments.append({"id": event_id, "created_at": datetime.combine(day, time(9, 30 - step), tzinfo=BEIJING)})
    if moments:
        db.session.execute(update(FindingEvent), moments)


# --- the deputies' evaluation: last year's closed, this year's open --------------------------

def seed_evaluations(town: Town, today: date | None = None) -> None:
    """Last year's evaluation and this year's, once (a town that has any evaluation year keeps
    them as they are). Each year gets its congress session (出席人代会) with most town deputies
    checked in; last year is opened, computed from the records, the presidium's and voters'
    scores entered for every serving town deputy (6 to 10 of 10), two objections resolved (one
    accepted, one rejected) and closed by the presidium; this year is opened and computed
    (provisional). Everything goes through the services; nothing computed is made up."""
    import random

    from .access import bound_to
    from .activities.models import ActivityType
    from .activities.services import check_in, create_activity
    from .deputies.models import Deputy, DeputyLevel, DeputyStatus
    from .evaluations.models import EvaluationYear
    from .evaluations.services import close_year, compute, enter_score, object_to, open_year, resolve

    with bound_to(town.id):
        if db.session.scalar(select(EvaluationYear.id).limit(1)) is not None:
            return
        deputies = list(db.session.scalars(select(Deputy).where(
            Deputy.level == DeputyLevel.town, Deputy.status == DeputyStatus.serving).order_by(Deputy.id)))
        session_type = db.session.scalar(select(ActivityType).where(ActivityType.code == "congress_session"))
        if len(deputies) < 20 or session_type is None:
            return
        rng = random.Random(20270107)
        today = today or date.today()
        staff = db.session.scalar(select(User).where(User.username == "yz_staff"))
        presidium = db.session.scalar(select(User).where(User.username == "yz_presidium"))
        for year in (today.year - 1, today.year):
            day = date(year, 1, 12)
            if day > today:
                continue
            session = create_activity(actor=None, data={
                "type_id": session_type.id, "theme": f"尹庄镇第十七届人民代表大会第{year - 2022}次会议", "day": day,
                "place": "尹庄镇政府大会议室", "organiser": "镇人大主席团", "invitee_ids": [d.id for d in deputies]})
            for deputy in deputies:
                if rng.random() < 0.94:
                    check_in(session, deputy, by="staff", actor=None)
        db.session.flush()

        # The template's grade lines (90/75/60 of 100) assume a station that records every duty of
        # every deputy; this demo holds a year of Yinzhuang's records, whose best deputies reach the
        # high 40s. The demo station sets its lines where its records are, as a town may (the
        # template is the town's to edit), so the ranking shows every grade and a shortlist.
        from .evaluations.models import EvaluationTemplate

        template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
        template.grades = [{"grade": "excellent", "min": 42}, {"grade": "competent", "min": 32},
                           {"grade": "basically_competent", "min": 24}, {"grade": "incompetent", "min": 0}]
        db.session.flush()

        # last year: opened in January, scored, objected to, closed
        last = open_year(actor=staff, year=today.year - 1, objections_until=date(today.year, 1, 31))
        compute(last)
        for deputy in deputies:
            diligence = rng.random()
            voters = min(1.0, max(0.0, diligence + rng.uniform(-0.15, 0.15)))
            enter_score(last, deputy.id, "presidium_assessment", f"{6 + 4 * diligence ** 0.7:.1f}", actor=presidium)
            enter_score(last, deputy.id, "voter_assessment", f"{6 + 4 * voters ** 0.7:.1f}", actor=staff)
        first, second = deputies[3], deputies[11]
        accepted = object_to(last, first.id, "reception_day", "十二月的接待日我到岗接待了，签到表上漏记。",
                             actor=None, today=date(today.year, 1, 20))
        rejected = object_to(last, second.id, "voter_assessment", "选民评议分数偏低，请复核。", actor=None,
                             today=date(today.year, 1, 22))
        resolve(accepted, actor=staff, accept=True, note="经核对接待日登记簿，该代表当日到岗，补记接待日得分。",
                points_after=5)
        resolve(rejected, actor=staff, accept=False, note="经复核，选民评议票数统计无误，维持原分。")
        close_year(last, actor=presidium)

        # this year: open and computed, provisional
        current = open_year(actor=staff, year=today.year, objections_until=date(today.year + 1, 1, 31))
        compute(current)


def seed_rollups(today: date | None = None) -> None:
    """The last four quarters' rollups of every active town, once each (the nightly job keeps
    the current quarter fresh afterwards), so the committee's scorecard has a trend to show."""
    from tenants.models import TownStatus

    from .access import bound_to
    from .committees.models import Rollup
    from .committees.rollups import compute_figures, previous_quarter, quarter_bounds, quarter_of, write_rollup

    today = today or date.today()
    quarters = [quarter_of(today)]
    for _ in range(3):
        quarters.append(previous_quarter(*quarters[-1]))
    for town_id in db.session.scalars(select(Town.id).where(Town.status == TownStatus.active)).all():
        have = set(db.session.execute(select(Rollup.year, Rollup.quarter).where(Rollup.town_id == town_id)).all())
        for year, quarter in quarters:
            if (year, quarter) in have:
                continue
            with bound_to(town_id) as town:
                figures = compute_figures(town, year, quarter, today)
            write_rollup(town_id, year, quarter, figures, provisional=today <= quarter_bounds(year, quarter)[1])


def seed_notices(today: date | None = None) -> None:
    """The Lingbao committee's one-to-one supervision of the last weeks: one notice answered
    and accepted, one answered and waiting for the committee, one past its deadline without an
    answer (once: nothing is added when the committee has notices already)."""
    from datetime import datetime, time, timedelta, timezone

    from .committees.models import Committee, SupervisionNotice
    from .committees.notices import decide, issue, respond

    today = today or date.today()
    committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
    if committee is None or db.session.scalar(select(SupervisionNotice.id).where(
            SupervisionNotice.committee_id == committee.id).limit(1)) is not None:
        return
    member = db.session.scalar(select(User).where(User.username == "lb_committee"))
    towns = {t.slug: t for t in db.session.scalars(select(Town))}
    staff = {"yinzhuang": db.session.scalar(select(User).where(User.username == "yz_staff")),
             "hanguguan": db.session.scalar(select(User).where(User.username == "hg_admin"))}
    beijing = timezone(timedelta(hours=8))

    def at(days_ago: int, hour: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, 10), beijing)

    plan = [
        ("yinzhuang", "opinions", "督促办结超期群众意见", "上季度有 8 件群众意见超过办理期限，请逐件督促责任单位办结，并向反映人反馈。",
         30, 16, [("respond", 21, "8 件超期意见已全部办结并电话回访，满意 7 件，1 件正在二次办理。"),
                  ("accept", 19, "办理情况属实，请继续跟踪二次办理的 1 件。")]),
        ("hanguguan", "findings", "问题整改未按期完成", "乡村振兴组视察发现的 3 个问题已超过整改期限，请报送整改佐证材料。",
         12, 5, [("respond", 1, "已完成 2 项整改，第 3 项（排水沟清淤）预计下周完工，附现场照片。")]),
        ("yuling", "cadence", "每周议事活动未按要求开展", "本季度每周议事仅开展 3 次，请说明原因并补开，建立固定议事日。",
         40, -10, []),
    ]
    for slug, topic, subject, body, issued_ago, due_in, steps in plan:
        town = towns.get(slug)
        if town is None:
            continue
        issued_on = today - timedelta(days=issued_ago)
        notice = issue(committee, town, actor=member, today=issued_on, data={
            "topic": topic, "subject": subject, "body": body, "due_on": (today + timedelta(days=due_in)).isoformat()})
        notice.created_at = notice.events[0].created_at = at(issued_ago, 9)
        for action, days_ago, note in steps:
            if action == "respond":
                respond(notice, actor=staff[slug], actions=note)
            else:
                decide(notice, actor=member, accept=True, note=note)
            notice.events[-1].created_at = at(days_ago, 15)
    db.session.commit()


def seed_onboarding() -> str | None:
    """An open invitation code of the Lingbao committee (a new town can sign up in the demo),
    a town's configuration saved as a template and published, and the spare-schema pool
    filled. Returns the open code."""
    from datetime import UTC, datetime

    from flask import current_app

    from tenants.models import TemplateSource, TownTemplate
    from tenants.pool import refill_once

    from .access import bound_to
    from .onboarding.models import Invitation
    from .onboarding.services import format_code, issue_invitation, store_template, town_bundle

    committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
    if committee is None:
        return None
    member = db.session.scalar(select(User).where(User.username == "lb_committee"))
    if db.session.scalar(select(TownTemplate.id).where(TownTemplate.key == "yinzhuang_2026")) is None:
        yinzhuang = db.session.scalar(select(Town).where(Town.slug == "yinzhuang"))
        admin = db.session.scalar(select(User).where(User.username == "yz_admin"))
        with bound_to(yinzhuang.id) as town:
            bundle = town_bundle(town, key="yinzhuang_2026", name="尹庄镇模式（2026 年实践版）")
        bundle["description"] = "尹庄镇 2026 年的实际配置：每月 5 日接待、四个督导组、“五个一”、周议事，考评标准按本站实际调整。"
        row = store_template(bundle, source=TemplateSource.town, actor=admin, town_id=yinzhuang.id)
        row.committee_id, row.published = committee.id, True
        db.session.commit()
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.committee_id == committee.id, Invitation.used_at.is_(None),
        Invitation.expires_at > datetime.now(UTC)).order_by(Invitation.id))
    if invitation is None:
        lingbao = db.session.scalar(select(Region).where(Region.code == "411282"))
        invitation = issue_invitation(region=lingbao, actor=member, committee=committee, days=365,
                                      town_name="苏村乡", template_key="yinzhuang_2026")
        db.session.commit()
    refill_once(current_app.config["SPARE_POOL_SIZE"])
    return format_code(invitation.code)


def seed_exports() -> None:
    """The export center's first entry (issue #9): the Lingbao committee's last quarter as a
    ZIP, asked for by lb_committee and built here, synchronously (once: the seed's nonce finds
    it the next time; its job, enqueued too, finds it built and does nothing)."""
    from .committees.models import Committee
    from .committees.rollups import previous_quarter, quarter_of
    from .exports.services import build, request_export

    committee = db.session.scalar(select(Committee).where(Committee.slug == "lingbao"))
    member = db.session.scalar(select(User).where(User.username == "lb_committee"))
    if committee is None or member is None:
        return
    year, quarter = previous_quarter(*quarter_of(date.today()))
    export = request_export("committee_quarter", actor=member, form={"quarter": f"{year}Q{quarter}"},
                            committee_id=committee.id, nonce="demo-seed", locale="zh_Hans_CN")
    db.session.commit()
    build(export.id)
