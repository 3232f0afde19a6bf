"""What can be exported: a registry of export kinds. A kind has a name, says who may ask for
it (town roles, or a committee's members), checks its parameters when it is asked for, and
builds its file into a stream the job gives it, reporting progress as it goes.

    register(ExportKind(
        name="deputy_file_pdf", title=_l("The deputy's file (PDF)"), scope="town", roles=ALL_TOWN_ROLES,
        suffix=".pdf", mimetype="application/pdf", parse=deputy_params, build=build_deputy_file_pdf,
        describe=lambda p: p.get("deputy_name", "")))

`parse(form)` runs in the request (bound to the town, for a town kind) and returns the
parameters stored on the export; it raises ExportError with a message for the person.
`build(job, out, report)` runs in the worker, inside an app context (not bound: a town kind
enters its town with `bound_to`), writes the file into `out` (which need not seek), calls
`report(done, total, step)` now and then, and returns the name the download is offered under.

Kinds: town_ledgers, deputy_file_xlsx, committee_quarter, and the renderers of
webapp/documents/ (deputy_file_pdf, annual_summary_docx); the per-town PDF scorecard goes
into the committee's ZIP through `add_scorecard_pdf`. The renderers (reportlab,
python-docx) are imported when a file is built, not when the web starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO
from zipfile import ZipFile

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import TownRole
from ..config import DEFAULT_LOCALE
from ..extensions import db
from ..i18n import localized

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
STAFF_ROLES = frozenset({TownRole.station_admin, TownRole.staff})
ALL_ROLES = frozenset(TownRole)

Report = Callable[[int, int, str], None]


class ExportError(Exception):
    """A request for an export that cannot be made as asked; the message is for the person."""

    def __init__(self, message: Any, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


@dataclass(frozen=True)
class Job:
    """What a builder gets: the export's row, copied (the builder opens sessions of its own)."""

    id: int
    kind: str
    params: dict[str, Any]
    town_id: int | None
    committee_id: int | None
    requested_by: int

    @property
    def locale(self) -> str:
        return self.params.get("locale") or DEFAULT_LOCALE


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: Any
    #: "town": a town's data, asked for under /t/<town>/ by `roles`; "committee": a committee's, by its members
    scope: str
    suffix: str
    mimetype: str
    parse: Callable[[Mapping[str, Any]], dict[str, Any]]
    build: Callable[[Job, BinaryIO, Report], str]
    describe: Callable[[dict[str, Any]], str]
    roles: frozenset[TownRole] = field(default_factory=frozenset)
    #: seconds before RQ gives up on one try
    timeout: int = 600


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.scope not in ("town", "committee"):
        raise ValueError(f"unknown scope {kind.scope}")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ExportKind | None:
    return KINDS.get(name)


# --- parameters ----------------------------------------------------------------------------------

def _year(value: Any, *, allow_all: bool) -> int | None:
    text = str(value or "").strip()
    if allow_all and text in ("", "all"):
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ExportError(_l("Choose a year between 2000 and 2100."), "year")
    return int(text)


def ledger_params(form: Mapping[str, Any]) -> dict[str, Any]:
    return {"year": _year(form.get("year"), allow_all=True)}


def deputy_params(form: Mapping[str, Any]) -> dict[str, Any]:
    """The deputy must be one of the town's (the session is bound to it)."""
    from ..deputies.models import Deputy

    text = str(form.get("deputy_id") or "")
    deputy = db.session.get(Deputy, int(text)) if text.isdigit() else None
    if deputy is None:
        raise ExportError(_l("There is no such deputy in this town."), "deputy_id")
    return {"deputy_id": deputy.id, "deputy_name": deputy.name}


def quarter_params(form: Mapping[str, Any]) -> dict[str, Any]:
    try:
        year, quarter = (int(x) for x in str(form.get("quarter") or "").upper().split("Q"))
    except ValueError:
        year = quarter = 0
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise ExportError(_l("Choose a quarter, such as 2026Q3."), "quarter")
    return {"year": year, "quarter": quarter}


# --- town_ledgers ------------------------------------------------------------------------------

def build_town_ledgers(job: Job, out: BinaryIO, report: Report) -> str:
    """The town's ledgers as one workbook, one sheet per ledger, for a year (or every year)."""
    from ..access import bound_to
    from .ledgers import (activities_sheet, deputies_sheet, evaluations_sheet, findings_sheet, opinions_sheet,
                          projects_sheet)
    from .xlsx import new_book, save

    year = job.params.get("year")
    first, last = (year, year) if year else (2000, 2100)
    start, end = date(first, 1, 1), date(last, 12, 31)
    with bound_to(job.town_id) as town, force_locale(job.locale):
        book = new_book()
        steps = [(_("Deputies"), lambda: deputies_sheet(book)),
                 (_("Activities"), lambda: activities_sheet(book, start, end)),
                 (_("Opinions"), lambda: opinions_sheet(book, start, end)),
                 (_("Projects"), lambda: projects_sheet(book, first, last)),
                 (_("Findings"), lambda: findings_sheet(book, start, end)),
                 (_("Evaluation"), lambda: evaluations_sheet(book, first, last))]
        total = len(steps) + 1
        for n, (step, write) in enumerate(steps):
            report(n, total, step)
            write()
        report(len(steps), total, _("Writing the workbook"))
        save(book, out)
        return f"{town.slug}-ledgers-{year or 'all'}.xlsx"


def _describe_ledgers(params: dict[str, Any]) -> str:
    return str(params["year"]) if params.get("year") else _("All years")


register(ExportKind("town_ledgers", _l("The town's ledgers (XLSX)"), "town", ".xlsx", XLSX, ledger_params,
                    build_town_ledgers, _describe_ledgers, roles=STAFF_ROLES, timeout=1800))


# --- deputy_file_xlsx --------------------------------------------------------------------------

def build_deputy_file_xlsx(job: Job, out: BinaryIO, report: Report) -> str:
    """The deputy's file (一人一档) as the file page's own XLSX (`roster_io.export_file`)."""
    from ..access import bound_to
    from ..deputies.file import assemble, years_of
    from ..deputies.models import Deputy
    from ..deputies.roster_io import export_file

    with bound_to(job.town_id) as town, force_locale(job.locale):
        deputy = db.session.get(Deputy, job.params["deputy_id"])
        if deputy is None:
            raise LookupError(f"deputy {job.params['deputy_id']} is gone")
        report(0, 2, _("Collecting the file"))
        content = export_file(deputy, assemble(deputy, years_of(deputy)))
        report(1, 2, _("Writing the workbook"))
        out.write(content)
        return f"{town.slug}-deputy-{deputy.id}-file.xlsx"


register(ExportKind("deputy_file_xlsx", _l("The deputy's file (XLSX)"), "town", ".xlsx", XLSX, deputy_params,
                    build_deputy_file_xlsx, lambda p: p.get("deputy_name", ""), roles=ALL_ROLES))


# --- committee_quarter -------------------------------------------------------------------------

#: towns whose rollups are read in one query for the summary
SUMMARY_CHUNK = 200


def _chunks(items: list, size: int) -> Iterator[list]:
    for n in range(0, len(items), size):
        yield items[n:n + size]


def committee_towns(committee_id: int) -> list[tuple[int, str, str, str]]:
    """(id, slug, name, county name) of every town in the committee's jurisdiction, as the
    committee's own pages list them (in the current language)."""
    from ..committees.models import Committee
    from ..committees.views import towns_in

    committee = db.session.get(Committee, committee_id)
    return [(t.id, t.slug, localized(t), localized(county)) for t, county in towns_in(committee)]


def _summary_rows(towns: list[tuple[int, str, str, str]], year: int, quarter: int) -> Iterator[list]:
    from ..committees.rollups import committee_rollups
    from .ledgers import summary_row

    for chunk in _chunks(towns, SUMMARY_CHUNK):
        rows = committee_rollups([t[0] for t in chunk], [(year, quarter)])
        for town_id, _slug, name, county in chunk:
            yield summary_row(county, name, rows.get((town_id, year, quarter)))
        db.session.expunge_all()


def build_committee_quarter(job: Job, out: BinaryIO, report: Report) -> str:
    """A ZIP: the summary workbook across towns, then one workbook per town (its scorecard and
    the quarter's activities, opinions and findings) and, once the renderer exists, its PDF
    scorecard. Each town is entered on its own (`bound_to`) and its workbook streamed straight
    into its ZIP entry, so memory stays that of one town however many there are."""
    from ..access import bound_to
    from ..committees.models import Committee, Rollup
    from ..committees.rollups import previous_quarter, quarter_bounds
    from .ledgers import SUMMARY_COLUMNS, activities_sheet, findings_sheet, opinions_sheet, scorecard_sheet
    from .xlsx import add_sheet, new_book, save

    year, quarter = job.params["year"], job.params["quarter"]
    start, end = quarter_bounds(year, quarter)
    trend = [(year, quarter)]
    for _n in range(3):
        trend.insert(0, previous_quarter(*trend[0]))
    tag = f"{year}Q{quarter}"
    with force_locale(job.locale):
        committee = db.session.get(Committee, job.committee_id)
        slug, committee_name = committee.slug, localized(committee)
        towns = committee_towns(job.committee_id)
        db.session.expunge_all()
    total = len(towns) + 2
    with ZipFile(out, "w", allowZip64=True) as archive:
        with force_locale(job.locale):
            report(0, total, _("Summary across towns"))
            book = new_book()
            quarter_name = _("Q%(n)d %(year)d", n=quarter, year=year)
            add_sheet(book, _("Summary"), SUMMARY_COLUMNS, _summary_rows(towns, year, quarter),
                      heading=[[f"{committee_name} · {quarter_name}"]])
            with archive.open(f"summary-{tag}.xlsx", "w") as entry:
                save(book, entry)
        for n, (town_id, town_slug, name, _county) in enumerate(towns, 1):
            with force_locale(job.locale):
                report(n, total, _("Town %(n)d of %(total)d: %(town)s", n=n, total=len(towns), town=name))
            with bound_to(town_id) as town, force_locale(job.locale):
                rows = {(r.year, r.quarter): r for r in db.session.scalars(
                    select(Rollup).where(Rollup.town_id == town_id, Rollup.year.between(trend[0][0], year)))}
                book = new_book()
                scorecard_sheet(book, town, rows.get((year, quarter)), year, quarter)
                activities_sheet(book, start, end)
                opinions_sheet(book, start, end)
                findings_sheet(book, start, end)
                with archive.open(f"{town_slug}-{tag}.xlsx", "w") as entry:
                    save(book, entry)
                add_scorecard_pdf(archive, f"{town_slug}-{tag}-scorecard.pdf", town,
                                  [rows[q] for q in trend if q in rows])
        with force_locale(job.locale):
            report(total - 1, total, _("Finishing the archive"))
    return f"{slug}-{tag}.zip"


def add_scorecard_pdf(archive: ZipFile, name: str, town, rollups: list) -> None:
    """The per-town PDF scorecard with the charts, in the committee's ZIP. `rollups` are the
    town's stored Rollup rows of the last four quarters, oldest first, ending with the
    exported one when it has been computed; the session is bound to the town."""
    with archive.open(name, "w") as entry:
        scorecard_renderer()(town, rollups, entry)


def scorecard_renderer() -> Callable:
    """`webapp.documents.pdf.scorecard_pdf(town, rollups, out)`, imported when first needed."""
    from ..documents.pdf import scorecard_pdf

    return scorecard_pdf


def _describe_quarter(params: dict[str, Any]) -> str:
    return _("Q%(n)d %(year)d", n=params["quarter"], year=params["year"])


register(ExportKind("committee_quarter", _l("The committee's quarter (ZIP)"), "committee", ".zip", ZIP,
                    quarter_params, build_committee_quarter, _describe_quarter, timeout=3600))


# --- the documents' renderers, as kinds once they exist ------------------------------------------

def build_deputy_file_pdf(job: Job, out: BinaryIO, report: Report) -> str:
    from ..access import bound_to

    from ..documents.pdf import deputy_file_pdf

    with bound_to(job.town_id) as town, force_locale(job.locale):
        report(0, 1, _("Collecting the file"))
        deputy_file_pdf(job.params["deputy_id"], out)
        return f"{town.slug}-deputy-{job.params['deputy_id']}-file.pdf"


def build_annual_summary_docx(job: Job, out: BinaryIO, report: Report) -> str:
    from ..access import bound_to

    from ..documents.docx import annual_summary_docx

    with bound_to(job.town_id) as town, force_locale(job.locale):
        report(0, 1, _("Writing the report"))
        annual_summary_docx(job.params["year"], out)
        return f"{town.slug}-annual-summary-{job.params['year']}.docx"


def annual_params(form: Mapping[str, Any]) -> dict[str, Any]:
    year = _year(form.get("year"), allow_all=False)
    if year > date.today().year:
        raise ExportError(_l("That year has not begun: choose this year or an earlier one."), "year")
    return {"year": year}


register(ExportKind("deputy_file_pdf", _l("The deputy's file (PDF)"), "town", ".pdf", "application/pdf",
                    deputy_params, build_deputy_file_pdf, lambda p: p.get("deputy_name", ""), roles=ALL_ROLES))
register(ExportKind("annual_summary_docx", _l("The annual summary report (DOCX)"), "town", ".docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    annual_params, build_annual_summary_docx, lambda p: str(p["year"]), roles=STAFF_ROLES))
