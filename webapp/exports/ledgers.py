"""A town's ledgers (台账) as sheets of a streaming workbook: deputies, activities, opinions,
projects, findings, evaluations. Every function runs with the session bound to the town and
the language forced (jobs: `bound_to` + `force_locale`), reads rows as plain columns in
batches (`yield_per`, nothing kept in the session) and appends them to the sheet as it goes,
so a ledger of any length costs the memory of one batch.

The figures are the areas' own: the opinions sheet lists what `opinions.stats.statistics`
counts (received in the period, merged duplicates left out), the evaluation sheet is
`evaluations.services.sheets`, the scorecard sheet is `committees.rollups.scorecard` of the
stored rollup row."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import labels, localized
from .xlsx import add_sheet

BATCH = 500


def _stream(statement):
    return db.session.execute(statement.execution_options(yield_per=BATCH))


def _yes(value: bool | None) -> str:
    return str(_("Yes")) if value else str(_("No"))


def _names(*tables: dict) -> dict[str, str]:
    """Enumerations' display names as plain strings, resolved once per sheet (not per row)."""
    out: dict[str, str] = {}
    for table in tables:
        out.update({key: str(name) for key, name in table.items()})
    return out


def _name(names: dict[str, str], value) -> str | None:
    if value is None:
        return None
    key = getattr(value, "value", value)
    return names.get(key, key)


def deputies_sheet(book: Workbook) -> int:
    """The whole roster (serving and left), in the roster import's own columns: the sheet can
    be imported back as it is."""
    from ..deputies.roster_io import COLUMNS
    from ..deputies.services import roster_query

    query = roster_query(status=None).with_only_columns(*_deputy_columns())
    table = labels()
    level, gender, status = (_names(table[k]) for k in ("level", "gender", "deputy_status"))
    yes, no = _yes(True), _yes(False)

    def rows():
        for d in _stream(query):
            yield [d.id, d.name, _name(level, d.level), _name(gender, d.gender), d.ethnicity, d.birth_year, d.party,
                   d.occupation, d.sector, d.phone, yes if d.phone_public else no, d.constituency, d.term_start,
                   d.term_end, _name(status, d.status)]

    widths = (8, 12, 16, 8, 8, 10, 12, 16, 10, 16, 12, 14, 12, 12, 10)
    return add_sheet(book, _("Deputies"), [(c.title, w) for c, w in zip(COLUMNS, widths, strict=True)], rows())


def _deputy_columns():
    from ..deputies.models import Deputy

    return (Deputy.id, Deputy.name, Deputy.level, Deputy.gender, Deputy.ethnicity, Deputy.birth_year, Deputy.party,
            Deputy.occupation, Deputy.sector, Deputy.phone, Deputy.phone_public, Deputy.constituency,
            Deputy.term_start, Deputy.term_end, Deputy.status)


def activities_sheet(book: Workbook, start: date, end: date) -> int:
    """Every activity held (or planned) between `start` and `end`, with its attendance."""
    from ..activities.models import Activity, ActivityInvitee, ActivityType

    attendance = (select(ActivityInvitee.activity_id, func.count().filter(ActivityInvitee.invited).label("invited"),
                         func.count(ActivityInvitee.checked_in_at).label("present"))
                  .group_by(ActivityInvitee.activity_id).subquery())
    query = (select(Activity.day, ActivityType.name, ActivityType.name_en, Activity.theme, Activity.place,
                    Activity.organiser, attendance.c.invited, attendance.c.present, Activity.opinions_raised,
                    Activity.problems_solved, Activity.trainees, Activity.outcomes)
             .join(ActivityType, ActivityType.id == Activity.type_id)
             .outerjoin(attendance, attendance.c.activity_id == Activity.id)
             .where(Activity.day.between(start, end)).order_by(Activity.day, Activity.id))

    def rows():
        for r in _stream(query):
            yield [r.day, localized(r), r.theme, r.place, r.organiser, r.invited or 0, r.present or 0,
                   r.opinions_raised, r.problems_solved, r.trainees, r.outcomes]

    columns = [(_l("Date"), 12), (_l("Type"), 14), (_l("Theme"), 36), (_l("Place"), 18), (_l("Organiser"), 12),
               (_l("Invited"), 8), (_l("Checked in"), 9), (_l("Opinions raised"), 10), (_l("Problems solved"), 10),
               (_l("Trainees"), 8), (_l("Outcomes"), 40)]
    return add_sheet(book, _("Activities"), columns, rows())


def opinions_sheet(book: Workbook, start: date, end: date) -> int:
    """Opinions and suggestions received between `start` and `end` (merged duplicates are
    counted under the one they joined, as in the statistics). No constituent's name or phone:
    the ledger is the station's work, not its contacts."""
    from ..deputies.models import Deputy
    from ..opinions.models import Opinion, OpinionCategory, ResponsibleUnit, State
    from ..opinions.services import state_labels

    table = labels()
    states, channels, satisfaction = _names(state_labels()), _names(table["channel"]), _names(table["satisfaction"])
    kinds = _names({"opinion": _("Opinion"), "suggestion": _("Suggestion")})
    english = _english()
    query = (select(Opinion.id, Opinion.received_on, Opinion.kind, Opinion.channel, Opinion.title,
                    OpinionCategory.name.label("category"), OpinionCategory.name_en.label("category_en"),
                    Opinion.village, Deputy.name.label("deputy"), ResponsibleUnit.name.label("unit"), Opinion.state,
                    Opinion.due_on, Opinion.answered_on, Opinion.closed_on, Opinion.satisfaction)
             .outerjoin(OpinionCategory, OpinionCategory.id == Opinion.category_id)
             .outerjoin(Deputy, Deputy.id == Opinion.deputy_id)
             .outerjoin(ResponsibleUnit, ResponsibleUnit.id == Opinion.unit_id)
             .where(Opinion.received_on.between(start, end), Opinion.state != State.merged)
             .order_by(Opinion.received_on, Opinion.id))

    def rows():
        for r in _stream(query):
            category = (r.category_en or r.category) if english else r.category
            yield [r.id, r.received_on, _name(kinds, r.kind), _name(channels, r.channel), r.title, category, r.village,
                   r.deputy, r.unit, _name(states, r.state), r.due_on, r.answered_on, r.closed_on,
                   _name(satisfaction, r.satisfaction)]

    columns = [(_l("No."), 7), (_l("Received on"), 12), (_l("Kind"), 8), (_l("Channel"), 12), (_l("Title"), 32),
               (_l("Category"), 12), (_l("Village"), 12), (_l("Deputy"), 10), (_l("Responsible unit"), 20),
               (_l("State"), 12), (_l("Due"), 12), (_l("Answered on"), 12), (_l("Closed on"), 12),
               (_l("Satisfaction"), 12)]
    return add_sheet(book, _("Opinions"), columns, rows())


def _english() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return locale is not None and locale.language == "en"


def projects_sheet(book: Workbook, first_year: int, last_year: int) -> int:
    """The key and livelihood projects of these years, with their phase and progress."""
    from ..opinions.models import ResponsibleUnit
    from ..projects.models import Project, SupervisionGroup
    from ..projects.views import kind_labels, phase_labels

    kinds, phases, english = _names(kind_labels()), _names(phase_labels()), _english()
    query = (select(Project.id, Project.year, Project.name, Project.kind, Project.category, Project.phase,
                    Project.progress, ResponsibleUnit.name.label("unit"), SupervisionGroup.name.label("group"),
                    SupervisionGroup.name_en.label("group_en"), Project.budget, Project.location)
             .outerjoin(ResponsibleUnit, ResponsibleUnit.id == Project.unit_id)
             .outerjoin(SupervisionGroup, SupervisionGroup.id == Project.group_id)
             .where(Project.year.between(first_year, last_year)).order_by(Project.year, Project.kind, Project.name))

    def rows():
        for r in _stream(query):
            group = (r.group_en or r.group) if english else r.group
            yield [r.id, r.year, r.name, _name(kinds, r.kind), r.category, _name(phases, r.phase), r.progress, r.unit,
                   group, r.budget, r.location]

    columns = [(_l("No."), 7), (_l("Year"), 7), (_l("Project"), 30), (_l("Kind"), 12), (_l("Category"), 12),
               (_l("Phase"), 10), (_l("Percent complete"), 10), (_l("Responsible unit"), 20),
               (_l("Supervision group"), 16), (_l("Budget"), 12), (_l("Location"), 20)]
    return add_sheet(book, _("Projects"), columns, rows())


def findings_sheet(book: Workbook, start: date, end: date) -> int:
    """The rectification ledger: problems found by inspections between `start` and `end`."""
    from ..opinions.models import ResponsibleUnit
    from ..projects.models import Finding, Project, SupervisionRecord
    from ..projects.services import finding_state_labels

    states = _names(finding_state_labels())
    query = (select(Finding.id, SupervisionRecord.day, Project.name.label("project"), Finding.description,
                    Finding.state, ResponsibleUnit.name.label("unit"), Finding.due_on, Finding.rectified_on,
                    Finding.verified_on, Finding.verified_by)
             .join(SupervisionRecord, SupervisionRecord.id == Finding.record_id)
             .outerjoin(Project, Project.id == Finding.project_id)
             .outerjoin(ResponsibleUnit, ResponsibleUnit.id == Finding.unit_id)
             .where(SupervisionRecord.day.between(start, end)).order_by(SupervisionRecord.day, Finding.id))

    def rows():
        for r in _stream(query):
            yield [r.id, r.day, r.project, r.description, _name(states, r.state), r.unit, r.due_on, r.rectified_on,
                   r.verified_on, r.verified_by]

    columns = [(_l("No."), 7), (_l("Found on"), 12), (_l("Project"), 24), (_l("Problem"), 40), (_l("State"), 14),
               (_l("Responsible unit"), 20), (_l("Due"), 12), (_l("Rectified on"), 12), (_l("Verified on"), 12),
               (_l("Verified by"), 12)]
    return add_sheet(book, _("Findings"), columns, rows())


def evaluations_sheet(book: Workbook, first_year: int, last_year: int) -> int:
    """Each evaluated deputy's total, rank and grade for the years evaluated (the ranking page's figures)."""
    from ..evaluations.models import EvaluationYear
    from ..evaluations.services import sheets

    grades = _names(labels()["grade"])
    years = db.session.scalars(select(EvaluationYear).where(EvaluationYear.year.between(first_year, last_year))
                               .order_by(EvaluationYear.year)).all()

    def rows():
        for year in years:
            for sheet in sheets(year):
                yield [year.year, sheet.rank, sheet.name, sheet.total, _name(grades, sheet.grade or None),
                       _yes(sheet.outstanding), _yes(sheet.renominate), sheet.records]
            db.session.expunge_all()  # one year's scores at a time

    columns = [(_l("Year"), 7), (_l("Rank"), 7), (_l("Deputy"), 12), (_l("Total score"), 9), (_l("Grade"), 12),
               (_l("Outstanding deputy"), 12), (_l("Recommended for renomination"), 14), (_l("Records counted"), 12)]
    return add_sheet(book, _("Evaluation"), columns, rows())


# --- the committee's quarter -------------------------------------------------------------------

def level_labels() -> dict[str, Any]:
    return {"met": _l("met"), "partly": _l("partly"), "missed": _l("missed")}


def rag_label(rag: str | None) -> str | None:
    return str({"green": _l("Green"), "amber": _l("Amber"), "red": _l("Red")}[rag]) if rag else None


def scorecard_sheet(book: Workbook, town, rollup, year: int, quarter: int) -> int:
    """The town's scorecard for the quarter from its stored rollup: each expectation (named as
    in the PDF scorecard, webapp.documents.expectations), its level and value, the score."""
    from ..committees.rollups import scorecard
    from ..documents.expectations import (activity_kind_names, expectation_label, expectation_target,
                                          expectation_value)

    columns = [(_l("Expectation"), 30), (_l("Target"), 10), (_l("Figure"), 14), (_l("Result"), 10)]
    quarter_name = _("Q%(n)d %(year)d", n=quarter, year=year)
    title = f"{localized(town)} · {quarter_name}"
    if rollup is None:
        heading = [[title], [_("Not computed yet for this quarter.")]]
        return add_sheet(book, _("Scorecard"), columns, [], heading=heading)
    card = scorecard(rollup.figures)
    kinds, levels = activity_kind_names(town), level_labels()
    as_of = rollup.figures.get("period", {}).get("as_of")
    heading = [[title], [_("Score"), card["score"], rag_label(card["rag"])],
               [_("As of"), as_of, _("provisional") if rollup.provisional else None]]
    rows = ([expectation_label(i["key"], kinds), expectation_target(i["key"], i.get("target")), expectation_value(i),
             str(levels[i["level"]])] for i in card["items"])
    return add_sheet(book, _("Scorecard"), columns, rows, heading=heading)


SUMMARY_COLUMNS = [
    (_l("County"), 12), (_l("Town"), 14), (_l("Score"), 8), (_l("Traffic light"), 8), (_l("met"), 7), (_l("partly"), 7),
    (_l("missed"), 7), (_l("Opinions received"), 10), (_l("On-time rate"), 10), (_l("Satisfaction rate"), 10),
    (_l("Suggestions received"), 10), (_l("Reception days held"), 10), (_l("Constituents received"), 10),
    (_l("Findings"), 8), (_l("Rectified"), 8), (_l("Overdue findings"), 9), (_l("Checkpoints missed"), 10),
    (_l("Serving deputies"), 9), (_l("Participation rate"), 10), (_l("As of"), 12), (_l("Provisional"), 9),
]


def summary_row(county: str, town: str, rollup) -> list[Any]:
    """One town's line of the summary across towns (blank figures if the quarter has no rollup)."""
    from ..committees.rollups import scorecard

    if rollup is None:
        return [county, town, None, str(_("Not computed yet for this quarter."))]
    f = rollup.figures
    card = scorecard(f)
    levels = [sum(1 for i in card["items"] if i["level"] == level) for level in ("met", "partly", "missed")]
    opinions, suggestions = f.get("opinions", {}), f.get("suggestions", {})
    reception, findings = f.get("reception", {}), f.get("findings", {})
    deputies = f.get("deputies", {})
    return [county, town, card["score"], rag_label(card["rag"]), *levels, opinions.get("received"),
            opinions.get("on_time_pct"), opinions.get("satisfaction_pct"), suggestions.get("received"),
            reception.get("days_held"), reception.get("constituents_received"), findings.get("found"),
            findings.get("rectified"), findings.get("overdue"), sum(f.get("checkpoints_missed", {}).values()),
            deputies.get("serving"), deputies.get("participation_pct"), f.get("period", {}).get("as_of"),
            _yes(rollup.provisional)]
