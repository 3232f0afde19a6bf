"""PDF documents: the deputy's file (一人一档) and a town's compliance scorecard.

A4, in the current language (the town's, under `webapp.access.bound_to`), every string in
the embedded CJK font (`fonts.cjk_font`), the station and the town in the header, the date
and "page n of m" in the footer. The scorecard's charts are vector drawings (`charts`)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from flask_babel import format_datetime
from flask_babel import gettext as _
from reportlab.graphics.shapes import Circle
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, Image, KeepTogether, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from ..extensions import db
from ..i18n import label, localized
from . import charts
from .common import bound_town, is_english, long_date, place_name, quarter_name, station_name
from .fonts import cjk_font, printable

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADING = colors.HexColor("#8c1d18")
STRIPE = colors.HexColor("#f6f7f9")
LEVEL_COLOURS = {"met": charts.GREEN, "partly": charts.AMBER, "missed": charts.RED}
RAG_COLOURS = {"green": charts.GREEN, "amber": charts.AMBER, "red": charts.RED}


# --- the page and the styles ------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK", textColor=charts.INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontSize=18, leading=24, textColor=HEADING, spaceAfter=4),
        "h2": ParagraphStyle("h2", base, fontSize=13, leading=18, textColor=HEADING, spaceBefore=12, spaceAfter=5,
                             keepWithNext=1),
        "h3": ParagraphStyle("h3", base, fontSize=10.5, leading=15, spaceBefore=7, spaceAfter=3, keepWithNext=1),
        "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=12.5, textColor=charts.MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=13),
        "head": ParagraphStyle("head", base, fontSize=8.5, leading=12, textColor=charts.MUTED),
        "head_c": ParagraphStyle("head_c", base, fontSize=8.5, leading=12, textColor=charts.MUTED, alignment=1),
        "number": ParagraphStyle("number", base, fontSize=9, leading=13, alignment=1),
        "score": ParagraphStyle("score", base, fontSize=30, leading=34),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(printable(str(text))), style)


def _grid(rows: list[list], widths: list[float], *, header: bool = True, stripes: bool = True) -> Table:
    """A table in the house style: a muted header row, hairlines, light stripes."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("FONTNAME", (0, 0), (-1, -1), cjk_font()), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("LINEBELOW", (0, 0), (-1, -1), 0.4, charts.RULE)]
    if header:
        style.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, charts.MUTED))
    if stripes:
        first = 1 if header else 0
        style += [("BACKGROUND", (0, n), (-1, n), STRIPE) for n in range(first + 1, len(rows), 2)]
    table.setStyle(TableStyle(style))
    return table


def _build(out: BinaryIO, story: list[Flowable], *, town, title: str) -> None:
    """Lay out `story` on A4 pages with the header and the footer; write the PDF to `out`."""
    font = cjk_font()
    station, place = station_name(town), place_name(town)
    generated = _("Generated on %(date)s", date=long_date(date.today()))

    class PagedCanvas(Canvas):
        """Keeps the pages until the end, so each footer can say how many there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            top = PAGE_HEIGHT - 12 * mm
            self.setFont(font, 9)
            self.setFillColor(charts.INK)
            self.drawString(MARGIN, top, station)
            self.setFont(font, 8)
            self.setFillColor(charts.MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN, top, place)
            self.setStrokeColor(charts.RULE)
            self.setLineWidth(0.6)
            self.line(MARGIN, top - 2.5 * mm, PAGE_WIDTH - MARGIN, top - 2.5 * mm)
            self.drawString(MARGIN, 10 * mm, generated)
            self.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm,
                                 _("Page %(page)d of %(pages)d", page=self._pageNumber, pages=total))

    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=22 * mm,
                          bottomMargin=18 * mm, title=title, author=station, creator="Liaison",
                          initialFontName=font, initialFontSize=10,
                          lang="en" if is_english() else "zh-CN")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=PagedCanvas)


# --- the deputy's file ------------------------------------------------------------------------------

def deputy_file_pdf(deputy_id: int, out: BinaryIO, *, years: int | None = None) -> None:
    """The deputy's file as the file page shows it: the profile, the count of each section's
    records by year, then every year's records, newest first. `years` keeps the most recent
    that many years of the file (None: all of it, from the term's start). The session must be
    bound to the deputy's town; LookupError if the deputy is not in it."""
    from ..deputies.file import assemble, years_of
    from ..deputies.models import Deputy

    if years is not None and years < 1:
        raise ValueError("years must be at least 1")
    deputy = db.session.get(Deputy, deputy_id)
    if deputy is None:
        raise LookupError(f"deputy {deputy_id} is not in this town")
    town = bound_town()
    covered = years_of(deputy)
    deputy_file = assemble(deputy, covered[-years:] if years else covered)
    s = _styles()
    heading = _("The deputy's file")
    story: list[Flowable] = [_p(f"{heading}：{deputy.name}", s["title"])]
    story += [_profile(deputy, s), Spacer(1, 4 * mm)]

    story.append(_p(_("Summary"), s["h2"]))
    rows = [[_p(_("Section"), s["head"])] + [_p(y, s["head_c"]) for y in deputy_file.years]]
    for section in deputy_file.sections:
        rows.append([_p(section.title, s["cell"])]
                    + [_p(deputy_file.count(y, section.key) or "·", s["number"]) for y in deputy_file.years])
    other = (WIDTH - 70 * mm) / max(len(deputy_file.years), 1)
    story.append(_grid(rows, [70 * mm] + [other] * len(deputy_file.years)))

    for year in deputy_file.years:
        sections = deputy_file.entries.get(year, {})
        story.append(_p(year, s["h2"]))
        shown = [section for section in deputy_file.sections if sections.get(section.key)]
        if not shown:
            story.append(_p(_("Nothing recorded this year."), s["muted"]))
        for section in shown:
            entries = sections[section.key]
            story.append(_p(f"{section.title}（{len(entries)}）", s["h3"]))
            rows = []
            for entry in entries:
                text = escape(printable(entry.title))
                if entry.detail:
                    text += f'<br/><font color="#6c757d" size="8">{escape(printable(entry.detail))}</font>'
                rows.append([_p(long_date(entry.day), s["cell"]), Paragraph(text, s["cell"])])
            story.append(_grid(rows, [32 * mm, WIDTH - 32 * mm], header=False))
    _build(out, story, town=town, title=f"{heading}：{deputy.name}")


def _profile(deputy, s) -> Flowable:
    """The deputy's details as on their page (no phone: the file is printed and filed), with the photo."""
    from sqlalchemy import select

    from ..deputies.services import photo_of
    from ..grids.models import Grid

    grids = db.session.scalars(select(Grid).where(Grid.deputies.contains(deputy)).order_by(Grid.community)).all()
    status = label("deputy_status", deputy.status)
    if deputy.left_on:
        status += f" · {long_date(deputy.left_on)}"
    term = "—"
    if deputy.term_start or deputy.term_end:
        term = " – ".join(long_date(d) if d else "—" for d in (deputy.term_start, deputy.term_end))
    occupation = deputy.occupation or "—"
    if deputy.sector:
        occupation += f" · {deputy.sector}"
    fields = [
        (_("Level"), label("level", deputy.level)), (_("Status"), status),
        (_("Gender"), label("gender", deputy.gender) if deputy.gender else "—"),
        (_("Ethnicity"), deputy.ethnicity or "—"), (_("Year of birth"), deputy.birth_year or "—"),
        (_("Party"), deputy.party or "—"), (_("Occupation"), occupation),
        (_("Constituency"), deputy.constituency or "—"),
    ]
    wide = [(_("Term"), term), (_("Grids"), "、".join(f"{g.community} {g.name}" for g in grids) or "—")]
    photo = _photo(photo_of(deputy.id))
    width = WIDTH - (32 * mm if photo else 0)
    rows = [[_p(name, s["head"]), _p(value, s["cell"]), _p(name2, s["head"]), _p(value2, s["cell"])]
            for (name, value), (name2, value2) in zip(fields[::2], fields[1::2])]
    rows += [[_p(name, s["head"]), _p(value, s["cell"]), "", ""] for name, value in wide]
    details = _grid(rows, [20 * mm, width / 2 - 20 * mm] * 2, header=False, stripes=False)
    details.setStyle(TableStyle([("SPAN", (1, n), (3, n)) for n in range(len(rows) - len(wide), len(rows))]))
    if photo is None:
        return details
    outer = Table([[details, photo]], colWidths=[width, 32 * mm], hAlign="LEFT")
    outer.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), cjk_font()), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def _photo(found) -> Image | None:
    if found is None:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        width, height = ImageReader(io.BytesIO(found.content)).getSize()
    except (OSError, ValueError):  # not an image after all: the file goes out without it
        return None
    shown = 28 * mm
    return Image(io.BytesIO(found.content), width=shown, height=shown * height / width)


# --- the compliance scorecard -----------------------------------------------------------------------

def scorecard_pdf(town, rollups: list, out: BinaryIO) -> None:
    """One town's compliance scorecard: the latest of `rollups` (that town's
    `committees.models.Rollup` rows, oldest first) item by item with its score and
    red/amber/green, then the score and the key figures of every given quarter as charts
    and a table. Needs no binding: activity names come from the town when the session is
    bound to it, else from its onboarding template."""
    from ..committees.rollups import scorecard
    from .expectations import activity_kind_names, expectation_label, expectation_target, expectation_value

    rows = sorted(rollups, key=lambda r: (r.year, r.quarter))
    s = _styles()
    heading = _("Compliance scorecard")
    story: list[Flowable] = []
    if not rows:
        story += [_p(heading, s["title"]), _p(_("No figures have been computed for this town yet."), s["body"])]
        _build(out, story, town=town, title=heading)
        return
    latest = rows[-1]
    card = scorecard(latest.figures)
    title = f"{heading} · {quarter_name(latest.year, latest.quarter)}"
    story.append(_p(title, s["title"]))
    period = latest.figures.get("period") or {}
    if period:
        story.append(_p(_("Period: %(start)s – %(end)s; figures as of %(as_of)s",
                          start=long_date(date.fromisoformat(period["start"])),
                          end=long_date(date.fromisoformat(period["end"])),
                          as_of=long_date(date.fromisoformat(period["as_of"]))), s["muted"]))
    as_of, provisional = _("As of"), _("provisional")
    computed = f"{as_of}：{format_datetime(latest.computed_at, 'short')}" if latest.computed_at else ""
    if latest.provisional:
        computed += f" · {provisional}"
    if computed:
        story.append(_p(computed, s["muted"]))
    story += [Spacer(1, 3 * mm), _score_block(card, s), Spacer(1, 2 * mm)]

    kinds = activity_kind_names(town)
    levels = {"met": _("met"), "partly": _("partly"), "missed": _("missed")}
    table = [[_p(_("Expectations"), s["head"]), _p(_("Target"), s["head"]), _p(_("Figure"), s["head"]),
              _p(_("Result"), s["head"])]]
    for item in card["items"]:
        colour = LEVEL_COLOURS[item["level"]].hexval().replace("0x", "#")
        table.append([_p(expectation_label(item["key"], kinds), s["cell"]),
                      _p(expectation_target(item["key"], item.get("target")), s["cell"]), _p(expectation_value(item), s["cell"]),
                      Paragraph(f'<font color="{colour}">● {escape(levels[item["level"]])}</font>', s["cell"])])
    story.append(_grid(table, [WIDTH - 100 * mm, 28 * mm, 40 * mm, 32 * mm]))
    story.append(Spacer(1, 2 * mm))
    story.append(_p(_("Each expectation met counts 1, partly met ½; green from 80, amber from 60."), s["muted"]))

    story.append(_p(_("Quarter by quarter"), s["h2"]))
    labels = [(str(r.year), _("Q%(n)d", n=r.quarter)) for r in rows]
    scores = [scorecard(r.figures)["score"] for r in rows]

    story.append(charts.score_trend(_("Score"), labels, scores, width=WIDTH))
    story.append(Spacer(1, 4 * mm))
    story.append(charts.grouped_bars(_("Opinions"), labels, [
        (_("Received"), charts.GREY, [_figure(r, "opinions", "received") for r in rows]),
        (_("Resolved"), charts.BLUE, [_figure(r, "opinions", "resolved") for r in rows]),
        (_("Answered on time"), charts.GREEN, [_figure(r, "opinions", "on_time") for r in rows]),
    ], width=WIDTH))
    story.append(Spacer(1, 4 * mm))
    story.append(charts.grouped_bars(_("Inspection findings"), labels, [
        (_("Found"), charts.RED, [_figure(r, "findings", "found") for r in rows]),
        (_("Rectified"), charts.GREEN, [_figure(r, "findings", "rectified") for r in rows]),
        (_("Overdue"), charts.AMBER, [_figure(r, "findings", "overdue") for r in rows]),
    ], width=WIDTH))
    story.append(Spacer(1, 4 * mm))
    story.append(KeepTogether([_p(_("Key figures"), s["h3"]), _figures_table(rows, scores, s)]))
    _build(out, story, town=town, title=f"{title} · {localized(town)}")


def _figure(row, area: str, key: str) -> Any:
    """One figure of a rollup row (None where an older row lacks it)."""
    return (row.figures.get(area) or {}).get(key)


def _score_block(card: dict, s) -> Table:
    rag = card["rag"]
    dot = charts.new_drawing(16 * mm, 14 * mm)
    dot.add(Circle(8 * mm, 7 * mm, 5.5 * mm, fillColor=RAG_COLOURS.get(rag, charts.GREY), strokeColor=None))
    names = {"green": _("Green"), "amber": _("Amber"), "red": _("Red")}
    levels = {"met": _("met"), "partly": _("partly"), "missed": _("missed")}
    counts = " · ".join(f"{levels[level]} {n}" for level in ("met", "partly", "missed")
                        if (n := sum(1 for i in card["items"] if i["level"] == level)))
    text = Paragraph(f"{escape(names.get(rag, '—'))}<br/><font size=\"9\" color=\"#6c757d\">{escape(counts)}</font>",
                     ParagraphStyle("rag", s["body"], fontSize=13, leading=18))
    points = "—" if card["score"] is None else card["score"]
    score = Paragraph(f'{points}<font size="10" color="#6c757d"> / 100</font>', s["score"])
    block = Table([[dot, score, text]], colWidths=[18 * mm, 40 * mm, WIDTH - 58 * mm], hAlign="LEFT")
    block.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), cjk_font()), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("BACKGROUND", (0, 0), (-1, -1), STRIPE),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return block


def _figures_table(rows: list, scores: list, s) -> Table:
    head = [_("Quarter"), _("Score"), _("Opinions received"), _("Resolved"), _("Answered on time"),
            _("Findings found"), _("Rectified"), _("Reception days held"), _("Constituents received")]
    table = [[_p(head[0], s["head"])] + [_p(h, s["head_c"]) for h in head[1:]]]
    for row, score in zip(rows, scores):
        values = [score] + [_figure(row, area, key) for area, key in (
            ("opinions", "received"), ("opinions", "resolved"), ("opinions", "on_time"), ("findings", "found"),
            ("findings", "rectified"), ("reception", "days_held"), ("reception", "constituents_received"))]
        table.append([_p(quarter_name(row.year, row.quarter), s["cell"])]
                     + [_p("—" if v is None else v, s["number"]) for v in values])
    first = 30 * mm
    return _grid(table, [first] + [(WIDTH - first) / 8] * 8)
