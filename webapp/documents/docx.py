"""The station's annual summary report (年度工作总结) as DOCX, for towns to print and edit in
Word, WPS or LibreOffice: headings, paragraphs with the year's figures, and tables.

Every figure comes from the areas' own services, as their pages show it: the quarterly
rollup's figures (`committees.rollups.compute_figures`: reception days, deputies taking
part), the cadence (`activities.services.cadence`), the opinion statistics
(`opinions.stats.statistics`), the five ones' figures of the projects board, the evaluation's
frozen results. The last section is left for the town to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..i18n import label, localized
from .common import bound_town, is_english, long_date, quarter_name, station_name

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
NUMERALS = "零一二三四五六七八九十"


@dataclass
class AnnualFigures:
    """The year's figures, each from its area's service."""

    year: int
    today: date
    quarters: list[tuple[int, dict[str, Any]]]  #: (quarter, the rollup's figures) for the quarters begun
    cadence: list
    opinions: Any  #: opinions.stats.Statistics
    suggestions: Any
    five_ones: dict[str, int]
    projects: list
    evaluation: Any  #: the EvaluationYear, or None
    results: list[tuple[Any, Any]] = field(default_factory=list)  #: (EvaluationResult, Deputy) of a closed year
    station: Any = None

    @property
    def reception(self) -> dict[str, int]:
        return {key: sum(f["reception"][key] for _q, f in self.quarters)
                for key in ("days_held", "constituents_received")}

    @property
    def serving(self) -> int | None:
        return self.quarters[-1][1]["deputies"]["serving"] if self.quarters else None


def annual_figures(town, year: int, today: date) -> AnnualFigures:
    """Gather the year's figures (up to `today` for the current year) for the bound town."""
    from ..activities.services import cadence
    from ..committees.rollups import compute_figures, quarter_bounds
    from ..evaluations.models import EvaluationResult, EvaluationYear, YearState
    from ..opinions.models import Kind
    from ..opinions.stats import statistics
    from ..projects.models import Project
    from ..projects.services import year_figures as five_ones_figures  # the projects board's figures
    from ..station.services import profile

    start, end = date(year, 1, 1), date(year, 12, 31)
    quarters = [(q, compute_figures(town, year, q, today=today)) for q in range(1, 5)
                if quarter_bounds(year, q)[0] <= today]
    projects = db.session.scalars(select(Project).where(Project.year == year)
                                  .order_by(Project.kind, Project.name)).all()
    evaluation = db.session.scalar(select(EvaluationYear).where(EvaluationYear.year == year))
    results = []
    if evaluation is not None and evaluation.state == YearState.closed:
        from ..deputies.models import Deputy

        results = db.session.execute(
            select(EvaluationResult, Deputy).join(Deputy, Deputy.id == EvaluationResult.deputy_id)
            .where(EvaluationResult.year_id == evaluation.id)
            .order_by(EvaluationResult.rank, Deputy.name_pinyin)).all()
    return AnnualFigures(year, today, quarters, cadence(year, today=today),
                         statistics(start, end, kind=Kind.opinion), statistics(start, end, kind=Kind.suggestion),
                         five_ones_figures(year, today), list(projects), evaluation, list(results), profile())


def annual_summary_docx(year: int, out: BinaryIO, *, today: date | None = None) -> None:
    """The annual summary of the town the session is bound to, written to `out` as DOCX.
    For the current year the figures are as of `today` (and the report says so)."""
    today = today or date.today()
    if year > today.year:
        raise ValueError(f"{year} has not begun")
    town = bound_town()
    figures = annual_figures(town, year, today)
    document = _document(station_name(town))
    _Writer(document, figures).write(town)
    document.save(out)


# --- the document's look --------------------------------------------------------------------------------

def _fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set a style's or a run's fonts, Chinese and Latin, dropping the theme's."""
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attribute), name)


def _style(document, name: str, *, east_asian: str, size: float, bold: bool = False, centred: bool = False,
           before: float = 0, after: float = 0, indent: bool = False):
    style = document.styles[name]
    style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element, east_asian)
    paragraph = style.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(before), Pt(after)
    paragraph.line_spacing = 1.5
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:  # 首行缩进两字
        paragraph.first_line_indent = Pt(size * 2)
    return style


def _document(station: str):
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _style(document, "Normal", east_asian=BODY_FONT, size=12, indent=True)
    _style(document, "Title", east_asian=HEADING_FONT, size=20, centred=True, after=6)
    _style(document, "Subtitle", east_asian=BODY_FONT, size=12, centred=True, after=12)
    _style(document, "Heading 1", east_asian=HEADING_FONT, size=16, before=12, after=6)
    _style(document, "Heading 2", east_asian=HEADING_FONT, size=14, before=6, after=3)
    for name in ("Title", "Heading 1", "Heading 2"):  # a border under the title in the default template
        p_pr = document.styles[name].element.get_or_add_pPr()
        for border in p_pr.findall(qn("w:pBdr")):
            p_pr.remove(border)
    header = section.header.paragraphs[0]
    header.text = station
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(header.runs[0]._r, BODY_FONT)
    header.runs[0].font.size = Pt(9)
    _page_numbers(section.footer.paragraphs[0])
    document.core_properties.author = station
    document.core_properties.language = "en" if is_english() else "zh-CN"
    return document


def _page_numbers(paragraph) -> None:
    """"第 1 页，共 3 页" with Word's PAGE and NUMPAGES fields (updated by Word, WPS and LibreOffice)."""
    marker = "\x00"
    text = _("Page %(page)s of %(pages)s", page=f"{marker}PAGE{marker}", pages=f"{marker}NUMPAGES{marker}")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(element=None, text: str | None = None):
        made = paragraph.add_run(text)
        made.font.size = Pt(9)
        _fonts(made._r, BODY_FONT)
        if element is not None:
            made._r.append(element)

    for n, part in enumerate(text.split(marker)):
        if n % 2 == 0:
            if part:
                run(text=part)
            continue
        begin, separate, end = (OxmlElement("w:fldChar") for _n in range(3))
        for element, kind in ((begin, "begin"), (separate, "separate"), (end, "end")):
            element.set(qn("w:fldCharType"), kind)
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = f" {part} "
        run(begin)
        run(instruction)
        run(separate)
        run(text="1")
        run(end)


def _number(n: int) -> str:
    """The heading's number: 一、 二、 … in Chinese, 1. 2. … in English."""
    return f"{n}. " if is_english() else f"{NUMERALS[n]}、"


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


# --- the report ------------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, document, figures: AnnualFigures):
        self.document, self.f = document, figures
        self.sections = 0

    def heading(self, text: str) -> None:
        self.sections += 1
        self.document.add_heading(f"{_number(self.sections)}{text}", level=1)

    def paragraph(self, text: str, *, note: bool = False) -> None:
        paragraph = self.document.add_paragraph(text)
        if note:
            for run in paragraph.runs:
                run.font.color.rgb = RGBColor(0x6C, 0x75, 0x7D)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
        """A bordered table: the header shaded and repeated on each page, figures centred."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row_cells, values, head in [(table.rows[0].cells, header, True)] + \
                [(table.add_row().cells, row, False) for row in rows]:
            for n, (cell, value) in enumerate(zip(row_cells, values)):
                paragraph = cell.paragraphs[0]
                layout = paragraph.paragraph_format
                layout.first_line_indent, layout.line_spacing = Pt(0), 1.15
                layout.space_before = layout.space_after = Pt(2)
                if head or n or not isinstance(value, str):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run("—" if value is None else str(value))
                run.font.size = Pt(10.5)
                if head:
                    run.font.bold = True
                    _fonts(run._r, HEADING_FONT)
                    _shade(cell, "EDEFF2")
        for n, row in enumerate(table.rows):  # a row never splits across pages; the header repeats
            properties = row._tr.get_or_add_trPr()
            for tag in ("w:cantSplit",) + (("w:tblHeader",) if n == 0 else ()):
                flag = OxmlElement(tag)
                flag.set(qn("w:val"), "true")
                properties.append(flag)
        if widths:  # the grid (LibreOffice reads it) and each cell (Word does)
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = Cm(width)
                for cell in column.cells:
                    cell.width = Cm(width)
        self.document.add_paragraph()

    def write(self, town) -> None:
        f, year = self.f, self.f.year
        title = _("%(station)s: work summary of %(year)d", station=station_name(town), year=year)
        self.document.core_properties.title = title
        self.document.add_paragraph(title, style="Title")
        if f.today < date(year, 12, 31):
            period = _("(figures as of %(date)s)", date=long_date(f.today))
        else:
            period = _("(%(start)s to %(end)s)", start=long_date(date(year, 1, 1)), end=long_date(date(year, 12, 31)))
        self.document.add_paragraph(period, style="Subtitle")
        reception = f.reception
        self.paragraph(_("In %(year)d the station held %(days)d reception days and received %(people)d "
                         "constituents; it received %(opinions)d opinions from constituents, of which %(resolved)d "
                         "have been resolved, and %(suggestions)d suggestions from deputies.", year=year,
                         days=reception["days_held"], people=reception["constituents_received"],
                         opinions=f.opinions.total.received, resolved=f.opinions.total.resolved,
                         suggestions=f.suggestions.total.received))
        self.overview()
        self.receptions()
        self.activities()
        self.opinions()
        self.projects()
        self.evaluation()
        self.heading(_("Problems and next year's work"))
        self.paragraph(_("(Write here the problems met during the year and the work planned for the next.)"),
                       note=True)

    def overview(self) -> None:
        f = self.f
        self.heading(_("The station"))
        station = f.station
        lines = (station.deputy_heads or "").split("\n"), (station.staff or "").split("\n")
        self.paragraph(_("Head of station: %(head)s; deputy heads: %(deputy_heads)s; staff: %(staff)s.",
                         head=station.head or "—", deputy_heads="、".join(x for x in lines[0] if x.strip()) or "—",
                         staff="、".join(x for x in lines[1] if x.strip()) or "—"))
        if f.serving is not None:
            self.paragraph(_("%(serving)d deputies are serving.", serving=f.serving))

    def receptions(self) -> None:
        f = self.f
        self.heading(_("Reception days and the quarters"))
        self.paragraph(_("In %(year)d the station held %(days)d reception days and received %(people)d constituents.",
                         year=f.year, days=f.reception["days_held"], people=f.reception["constituents_received"]))
        rows = [[quarter_name(f.year, q), q_figures["reception"]["days_held"],
                 q_figures["reception"]["constituents_received"], q_figures["opinions"]["received"],
                 q_figures["opinions"]["resolved"], _pct(q_figures["deputies"]["participation_pct"])]
                for q, q_figures in f.quarters]
        self.table([_("Quarter"), _("Reception days held"), _("Constituents received"), _("Opinions received"),
                    _("Resolved"), _("Deputies taking part")], rows, [4, 2.4, 2.4, 2.4, 2.2, 2.2])

    def activities(self) -> None:
        self.heading(_("Activities against the cadence"))
        if not self.f.cadence:
            self.paragraph(_("Nothing expected yet this year."))
            return
        self.paragraph(_("What the station expects of each kind of activity, and what was held:"))
        rows = [[localized(r.kind), label("cadence", r.kind.cadence), r.expected, r.held, f"{r.met} / {r.periods}"]
                for r in self.f.cadence]
        self.table([_("Kind"), _("How often"), _("Expected"), _("Held"), _("Periods met")], rows,
                   [4.6, 2.8, 2.4, 2.4, 3.2])

    def opinions(self) -> None:
        o, s = self.f.opinions.total, self.f.suggestions.total
        self.heading(_("Opinions of constituents and deputies' suggestions"))
        self.paragraph(_("%(received)d opinions were received: %(accepted)d accepted, %(resolved)d resolved and "
                         "%(closed)d closed; %(on_time)s were answered on time, and %(satisfied)s of those who rated "
                         "the handling were satisfied or basically satisfied.", received=o.received,
                         accepted=o.accepted, resolved=o.resolved, closed=o.closed, on_time=_pct(o.on_time_pct),
                         satisfied=_pct(o.satisfaction_pct)))
        self.paragraph(_("Deputies filed %(received)d suggestions, of which %(resolved)d have been answered.",
                         received=s.received, resolved=s.resolved))
        rows = [[_("Received"), o.received, s.received], [_("Accepted"), o.accepted, s.accepted],
                [_("Resolved"), o.resolved, s.resolved], [_("Closed"), o.closed, s.closed],
                [_("On time"), _pct(o.on_time_pct), _pct(s.on_time_pct)],
                [_("Days to close"), o.days_to_close, s.days_to_close],
                [_("Satisfaction"), _pct(o.satisfaction_pct), _pct(s.satisfaction_pct)]]
        self.table(["", _("Opinions"), _("Suggestions")], rows, [5, 4, 4])
        if self.f.opinions.by_channel:
            self.document.add_heading(_("Opinions by channel"), level=2)
            rows = [[label("channel", key), c.received, c.resolved, _pct(c.on_time_pct), _pct(c.satisfaction_pct)]
                    for key, c in sorted(self.f.opinions.by_channel.items(), key=lambda kv: -kv[1].received)]
            self.table([_("Channel"), _("Received"), _("Resolved"), _("On time"), _("Satisfaction")], rows,
                       [4.6, 2.6, 2.6, 2.8, 2.8])

    def projects(self) -> None:
        from ..projects.views import kind_labels, phase_labels

        five = self.f.five_ones
        self.heading(_("Supervision of key projects (the five ones)"))
        self.paragraph(_("The supervision groups held %(briefings)d monthly briefings, %(inspections)d quarterly "
                         "inspections and %(reports)d half-year reports; %(found)d issues were found, %(rectified)d "
                         "rectified (%(verified)d verified) and %(overdue)d are overdue.", **{
                             k: five[k] for k in ("briefings", "inspections", "reports", "found", "rectified",
                                                  "verified", "overdue")}))
        self.table([_("Monthly briefing"), _("Quarterly inspection"), _("Half-year report"), _("Findings found"),
                    _("Rectified"), _("Verified"), _("Overdue")],
                   [[five["briefings"], five["inspections"], five["reports"], five["found"], five["rectified"],
                     five["verified"], five["overdue"]]], [2.4, 2.4, 2.2, 2.2, 2, 2.4, 2])
        if self.f.projects:
            self.document.add_heading(_("Projects of %(year)d", year=self.f.year), level=2)
            kinds, phases = kind_labels(), phase_labels()
            rows = [[p.name, kinds[p.kind.value], phases[p.phase.value], f"{p.progress}%",
                     p.unit.name if p.unit else "—"] for p in self.f.projects]
            self.table([_("Project"), _("Kind"), _("Phase"), _("Progress"), _("Responsible unit")], rows,
                       [5.2, 2.4, 2.2, 2, 3.8])

    def evaluation(self) -> None:
        from ..evaluations.models import YearState

        evaluation, year = self.f.evaluation, self.f.year
        self.heading(_("Evaluation of the deputies"))
        if evaluation is None:
            self.paragraph(_("No evaluation has been opened for %(year)d.", year=year))
            return
        if evaluation.state != YearState.closed:
            self.paragraph(_("The evaluation of %(year)d is open: the scores are provisional until the presidium "
                             "closes it.", year=year))
            return
        outstanding = [(r, d) for r, d in self.f.results if r.outstanding]
        self.paragraph(_("The presidium closed the evaluation of %(year)d on %(date)s: %(count)d deputies were "
                         "evaluated and %(outstanding)d named outstanding.", year=year,
                         date=long_date(evaluation.closed_at) if evaluation.closed_at else "—",
                         count=len(self.f.results), outstanding=len(outstanding)))
        if outstanding:
            self.document.add_heading(_("Outstanding deputies"), level=2)
            self.table([_("Rank"), _("Full name"), _("Score"), _("Grade")],
                       [[r.rank, d.name, f"{r.total:.2f}", label("grade", r.grade)] for r, d in outstanding],
                       [2.4, 5, 3.4, 4.8])
