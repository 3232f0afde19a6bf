"""What the evaluation puts into each deputy's file (一人一档): the year's sheet."""

from __future__ import annotations

from datetime import date

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..deputies.file import FileEntry, file_section
from ..extensions import db
from ..i18n import label
from .models import EvaluationResult, EvaluationYear, YearState


@file_section("evaluation", _l("Annual evaluation"), order=50)
def evaluated(deputy_id: int, start: date, end: date) -> list[FileEntry]:
    """One entry per evaluated year: a closed year's frozen result; an open year's provisional
    score (from the year's scores, one set of queries per open year)."""
    from .services import sheets

    link = has_request_context()
    out = []

    def entry(year: EvaluationYear, total, grade, rank, outstanding, provisional):
        title = str(_l("Evaluation %(year)d: %(total)s points, %(grade)s, rank %(rank)d", year=year.year,
                       total=f"{total:.2f}", grade=label("grade", grade) if grade else "—", rank=rank))
        detail = [str(_l("provisional"))] if provisional else []
        if outstanding:
            detail.append(str(_l("Outstanding deputy")))
        return FileEntry(min(date(year.year, 12, 31), end), title, " · ".join(detail),
                         link=url_for("evaluations.sheet", year_id=year.id, deputy_id=deputy_id) if link else None)

    for year, result in db.session.execute(
            select(EvaluationYear, EvaluationResult).join(EvaluationResult, EvaluationResult.year_id == EvaluationYear.id)
            .where(EvaluationResult.deputy_id == deputy_id, EvaluationYear.state == YearState.closed,
                   EvaluationYear.year.between(start.year, end.year))):
        out.append(entry(year, result.total, result.grade, result.rank, result.outstanding, False))
    for year in db.session.scalars(select(EvaluationYear).where(EvaluationYear.state == YearState.open,
                                                                EvaluationYear.year.between(start.year, end.year))):
        sheet = next((s for s in sheets(year) if s.deputy_id == deputy_id), None)
        if sheet is not None:
            out.append(entry(year, sheet.total, sheet.grade, sheet.rank, sheet.outstanding, True))
    return out
