"""Documents: the deputy's file and the town's scorecard as PDF (Chinese in an embedded CJK
font, the charts as vectors), the annual summary as DOCX holding the services' figures and
opening in LibreOffice. Every document is also rendered to PNG under tests/artifacts/."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from webapp.access import bound_to
from webapp.extensions import db

from ..conftest import ensure_regions

YEAR = date.today().year - 1
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _portrait() -> bytes:
    """A 90 x 120 PNG: a head and shoulders on a light background."""
    import png

    rows = []
    for y in range(120):
        row = []
        for x in range(90):
            head = ((x - 45) / 20) ** 2 + ((y - 45) / 25) ** 2 <= 1
            body = y > 78 and ((x - 45) / 42) ** 2 + ((y - 125) / 45) ** 2 <= 1
            row += (70, 80, 95) if head or body else (214, 226, 240)
        rows.append(row)
    out = io.BytesIO()
    png.Writer(90, 120, greyscale=False).write(out, rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def records(app, world):
    """A town of its own (other tests' records stay out of its figures) with a year of records."""
    import tenants
    from webapp.activities.models import ActivityType
    from webapp.activities.services import check_in, create_activity
    from webapp.deputies.models import DeputyLevel, Gender
    from webapp.deputies.services import create_deputy, set_photo
    from webapp.evaluations.models import EvaluationTemplate
    from webapp.evaluations.services import close_year, compute, enter_score, open_year
    from webapp.opinions.models import Channel, Kind, ResponsibleUnit
    from webapp.opinions.services import create_opinion, transition
    from webapp.projects.models import ProjectKind, RecordKind, SupervisionGroup
    from webapp.projects.services import add_finding, create_project, create_record, finding_step
    from webapp.receptions.models import ReceptionDay
    from webapp.receptions.services import record_day
    from webapp.station.services import save_profile

    with app.app_context():
        town_id = tenants.provision("寺河乡", ensure_regions()["411282"], "yinzhuang", slug="sihe", name_en="Sihe")
        db.session.remove()
    with app.app_context(), bound_to(town_id):
        save_profile(actor=None, data={"head": "王建设", "deputy_heads": "刘明\n陈芳", "staff": "赵丽\n钱伟"})
        zhang = create_deputy(actor=None, data={
            "name": "张秀英", "level": DeputyLevel.town, "gender": Gender.female, "ethnicity": "汉族",
            "birth_year": 1976, "party": "中共党员", "occupation": "小学教师", "constituency": "寺河村",
            "phone": "13900001234",
            "term_start": date(YEAR - 1, 1, 1), "term_end": date(YEAR + 3, 12, 31)})
        li = create_deputy(actor=None, data={"name": "李建国", "level": DeputyLevel.county, "constituency": "杨家村"})
        db.session.flush()
        set_photo(zhang, actor=None, content=_portrait())
        kinds = {t.code: t.id for t in db.session.scalars(select(ActivityType))}
        for n, (code, theme, month) in enumerate((("weekly_deliberation", "寺河村人居环境整治议事", 3),
                                                  ("joint_meeting", "第一季度联席会议", 3),
                                                  ("inspection", "视察乡村道路建设", 6))):
            activity = create_activity(actor=None, data={"type_id": kinds[code], "theme": theme,
                                                         "day": date(YEAR, month, 4 + n), "invitee_ids": [zhang.id]})
            check_in(activity, zhang, by="staff", actor=None)
        day = ReceptionDay(day=date(YEAR, 5, 5), starts="08:30", ends="11:30", place="寺河乡联络站")
        day.deputies = [zhang, li]
        db.session.add(day)
        db.session.flush()
        record_day(day, actor=None, attended_ids={zhang.id}, constituents=37, notes="反映道路、饮水问题")
        unit = db.session.scalar(select(ResponsibleUnit.id).order_by(ResponsibleUnit.id))
        titles = ["寺河村自来水管网老化", "杨家村路灯不亮", "学校门口交通安全"]
        for n, title in enumerate(titles):
            opinion = create_opinion(actor=None, actor_name="测试", data={
                "channel": Channel.reception_day if n else Channel.visit, "title": title, "text": "内容",
                "deputy_id": zhang.id, "received_on": date(YEAR, 4, 10 + n)})
            if n < 2:
                for action, data in (("accept", {}), ("assign", {"unit_id": unit}), ("answer", {"answer": "已处理"})):
                    transition(opinion, action, data=data, today=date(YEAR, 4, 20))
            if n == 0:
                transition(opinion, "feedback", data={"by": "干事", "how": "phone"}, today=date(YEAR, 4, 22))
                transition(opinion, "close", data={"satisfaction": "satisfied"}, today=date(YEAR, 4, 23))
        create_opinion(actor=None, actor_name="测试", data={
            "kind": Kind.suggestion, "channel": Channel.deputy, "title": "关于加快农村公路提档升级的建议",
            "text": "内容", "deputy_id": zhang.id, "received_on": date(YEAR, 2, 20)})
        group = db.session.scalar(select(SupervisionGroup).where(SupervisionGroup.code == "livelihood"))
        project = create_project(actor=None, data={"year": YEAR, "name": "寺河村道路硬化", "kind": ProjectKind.livelihood,
                                                   "group_id": group.id, "unit_id": unit, "progress": 60})
        create_record(actor=None, kind=RecordKind.briefing, data={"group_id": group.id, "day": date(YEAR, 5, 8),
                                                                  "attendee_ids": [zhang.id]})
        inspection = create_record(actor=None, kind=RecordKind.inspection,
                                   data={"group_id": group.id, "day": date(YEAR, 6, 10), "attendee_ids": [zhang.id]})
        found = add_finding(inspection, actor=None, description="路肩未压实", project_id=project.id)
        finding_step(found, "assign", actor=None, data={"unit_id": unit, "due_on": date(YEAR, 7, 10)},
                     today=date(YEAR, 6, 11))
        finding_step(found, "rectify", actor=None, data={"evidence": "已补压"}, today=date(YEAR, 7, 1))
        add_finding(inspection, actor=None, description="排水沟堵塞", project_id=project.id)
        template = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
        template.grades = [{"grade": "excellent", "min": 20}, {"grade": "competent", "min": 10},
                           {"grade": "incompetent", "min": 0}]
        evaluation = open_year(actor=None, year=YEAR)
        compute(evaluation)
        enter_score(evaluation, zhang.id, "voter_assessment", "9.5", actor=None)
        enter_score(evaluation, zhang.id, "presidium_assessment", 9, actor=None)
        close_year(evaluation, actor=None)
        ids = SimpleNamespace(town=town_id, zhang=zhang.id, li=li.id)
    return ids


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use -> whether its program is embedded (FontFile2 / FontFile3)."""
    from pypdf import PdfReader

    out = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            out[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    return out


def _images(pdf: bytes) -> int:
    from pypdf import PdfReader

    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            count += ref.get_object().get("/Subtype") == "/Image"
    return count


def _render(pdf: bytes, name: str, tmp_path: Path, document: Path | None = None) -> list[Path]:
    """The PDF's pages as PNG under tests/artifacts/, to look at: with pdftoppm (poppler-utils);
    without it, only a `document` LibreOffice opens, first page only. Never fails a test."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    shutil.copy(source, ARTIFACTS / f"{name}.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(source), str(ARTIFACTS / name)], check=True, timeout=120)
    elif document is not None:
        shutil.copy(_libreoffice(document, "png", tmp_path), ARTIFACTS / f"{name}-1.png")
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def _libreoffice(source: Path, target: str, tmp_path: Path) -> Path:
    profile = tmp_path / "lo-profile"  # its own profile: another LibreOffice running does not block this one
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                    "--outdir", str(tmp_path), str(source)], check=True, timeout=240, capture_output=True)
    return tmp_path / f"{source.stem}.{target}"


def _cjk_embedded(pdf: bytes) -> None:
    fonts = _fonts(pdf)
    assert fonts and all(fonts.values()), fonts  # nothing left to the reader's own fonts
    assert any("WenQuanYi" in name or "CJK" in name or "Fallback" in name for name in fonts), fonts


def test_the_deputy_file_as_pdf_has_every_section_in_chinese_with_the_font_embedded(app, records, tmp_path):
    from webapp.documents.pdf import deputy_file_pdf

    out = io.BytesIO()
    with app.app_context(), bound_to(records.town):
        deputy_file_pdf(records.zhang, out)
    pdf = out.getvalue()
    _render(pdf, "deputy-file", tmp_path)
    text = _text(pdf)
    assert pdf.startswith(b"%PDF") and "一人一档：张秀英" in text
    assert "寺河乡人大代表联络站" in text and "灵宝市 · 寺河乡" in text  # the header
    assert "小学教师" in text and "寺河村" in text and "中共党员" in text
    for record in ("周议事：寺河村人居环境整治议事", "寺河村自来水管网老化", "关于加快农村公路提档升级的建议",
                   "一季一督查", f"{YEAR} 年度考评"):
        assert record in text, record
    assert f"{YEAR}年4月10日" in text and "第 1 页，共" in text
    assert "13900" not in text  # no phone in a printed file
    _cjk_embedded(pdf)
    assert _images(pdf) == 1  # the photo

    recent = io.BytesIO()
    with app.app_context(), bound_to(records.town):
        deputy_file_pdf(records.zhang, recent, years=1)
        with pytest.raises(LookupError):
            deputy_file_pdf(records.zhang + 10_000, io.BytesIO())
    assert "寺河村自来水管网老化" not in _text(recent.getvalue())  # last year's records: left out


def test_the_scorecard_as_pdf_rates_the_latest_quarter_and_draws_the_charts(app, records, tmp_path):
    from tenants.models import Town
    from webapp.committees.models import Rollup
    from webapp.committees.rollups import compute_figures, scorecard, write_rollup
    from webapp.documents.expectations import activity_kind_names, expectation_label
    from webapp.documents.pdf import scorecard_pdf

    with app.app_context(), bound_to(records.town) as town:
        for quarter in range(1, 5):
            figures = compute_figures(town, YEAR, quarter, today=date(YEAR + 1, 1, 10))
            write_rollup(town.id, YEAR, quarter, figures, provisional=False, force=True)
    with app.app_context():  # a committee's export: no town bound
        town = db.session.get(Town, records.town)
        rows = db.session.scalars(select(Rollup).where(Rollup.town_id == town.id, Rollup.year == YEAR)
                                  .order_by(Rollup.quarter)).all()
        card = scorecard(rows[-1].figures)
        out = io.BytesIO()
        scorecard_pdf(town, rows, out)
        labels = [expectation_label(item["key"], activity_kind_names(town)) for item in card["items"]]
        empty = io.BytesIO()
        scorecard_pdf(town, [], empty)
        db.session.remove()
    pdf = out.getvalue()
    _render(pdf, "scorecard", tmp_path)
    text = _text(pdf)
    assert f"履职规范计分卡 · {YEAR} 年第 4 季度" in text and "寺河乡人大代表联络站" in text
    assert "周议事按期开展" in labels and all(name in text for name in labels), labels
    assert str(card["score"]) in text and {"green": "绿", "amber": "黄", "red": "红"}[card["rag"]] in text
    for heading in ("群众意见", "督查发现问题", "第 4 季度", "接待群众"):
        assert heading in text, heading
    assert "37" in text  # the constituents of the reception day, in the figures table
    _cjk_embedded(pdf)
    assert _images(pdf) == 0  # the charts are vector drawings, not pictures
    assert "尚未计算" in _text(empty.getvalue())


def _docx_tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _table(tables, first_header: str, second_header: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == first_header and t[0][1] == second_header)


def test_the_annual_summary_as_docx_holds_the_services_figures(app, records, tmp_path):
    import docx

    from webapp.activities.services import cadence
    from webapp.documents.docx import annual_summary_docx
    from webapp.evaluations.models import EvaluationResult
    from webapp.opinions.models import Kind
    from webapp.opinions.stats import statistics
    from webapp.projects.services import year_figures

    today = date(YEAR + 1, 1, 10)
    out = io.BytesIO()
    with app.app_context(), bound_to(records.town):
        annual_summary_docx(YEAR, out, today=today)
        opinions = statistics(date(YEAR, 1, 1), date(YEAR, 12, 31), kind=Kind.opinion).total
        suggestions = statistics(date(YEAR, 1, 1), date(YEAR, 12, 31), kind=Kind.suggestion).total
        rows = [(r.kind.name, r.expected, r.held, r.met, r.periods) for r in cadence(YEAR, today=today)]
        five = year_figures(YEAR, today)
        result = db.session.scalar(select(EvaluationResult).where(EvaluationResult.deputy_id == records.zhang))
        result = (str(result.rank), f"{result.total:.2f}", result.outstanding)
        with pytest.raises(ValueError):
            annual_summary_docx(today.year + 1, io.BytesIO(), today=today)
    content = out.getvalue()
    (ARTIFACTS / "annual-summary.docx").write_bytes(content)
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == f"寺河乡人大代表联络站{YEAR}年度工作总结"
    assert f"{YEAR}年1月1日" in paragraphs[1]
    assert document.sections[0].header.paragraphs[0].text == "寺河乡人大代表联络站"
    assert any("王建设" in p and "陈芳" in p for p in paragraphs)
    assert any("共举行接待日 1 次，接待群众 37 人次" in p for p in paragraphs)
    tables = _docx_tables(document)
    figures = {row[0]: row[1:] for row in _table(tables, "", "群众意见")[1:]}
    assert figures["收到"] == [str(opinions.received), str(suggestions.received)] == ["3", "1"]
    assert figures["已办理"] == [str(opinions.resolved), str(suggestions.resolved)]
    assert figures["已办结"] == [str(opinions.closed), str(suggestions.closed)]
    assert figures["满意度"][0] == f"{opinions.satisfaction_pct}%"
    cadence_rows = _table(tables, "类型", "开展频次")[1:]
    assert [(r[0], int(r[2]), int(r[3]), r[4]) for r in cadence_rows] == \
        [(name, expected, held, f"{met} / {periods}") for name, expected, held, met, periods in rows]
    five_ones = _table(tables, "一月一通报", "一季一督查")
    assert five_ones[1] == [str(five[k]) for k in ("briefings", "inspections", "reports", "found", "rectified",
                                                   "verified", "overdue")]
    assert _table(tables, "项目", "类型")[1][:2] == ["寺河村道路硬化", "民生实事"]
    outstanding = _table(tables, "名次", "姓名")
    assert result[2] and outstanding[1] == [result[0], "张秀英", result[1], "优秀"] and len(outstanding) == 2
    assert any("请在此填写" in p for p in paragraphs)  # left for the town to write


def test_the_annual_summary_opens_in_libreoffice(app, records, tmp_path):
    """LibreOffice reads the DOCX and prints it to PDF (towns print and edit it there or in WPS)."""
    if not shutil.which("libreoffice"):
        if os.environ.get("CI"):
            pytest.fail("libreoffice is not installed (apt-get install libreoffice-writer)")
        pytest.skip("libreoffice is not installed")
    from webapp.documents.docx import annual_summary_docx

    source = tmp_path / "annual-summary.docx"
    with app.app_context(), bound_to(records.town), source.open("wb") as out:
        annual_summary_docx(YEAR, out, today=date(YEAR + 1, 1, 10))
    pdf = _libreoffice(source, "pdf", tmp_path).read_bytes()
    _render(pdf, "annual-summary", tmp_path, source)
    text = "".join(_text(pdf).split())  # the extracted text spaces out Latin runs among Chinese
    assert f"{YEAR}年度工作总结" in text and "张秀英" in text and "第1页，共" in text


def test_the_expectations_are_named_and_the_font_is_found():
    from webapp.documents import fonts
    from webapp.documents.expectations import expectation_target, expectation_value

    assert fonts.cjk_font() == fonts.FONT and Path(fonts.font_file()).is_file()
    assert expectation_target("opinions:on_time_pct") == "≥ 90%" and expectation_target("checkpoints") == "0"
    assert expectation_value({"key": "deputies:participation_pct", "value": 66.7}) == "66.7%"
    assert expectation_value({"key": "opinions:on_time_pct", "value": None}) == "—"


def test_the_documents_follow_the_language(app, records):
    """English is complete: a town in English gets its documents in English."""
    import docx
    from flask_babel import force_locale

    from webapp.documents.docx import annual_summary_docx
    from webapp.documents.pdf import deputy_file_pdf

    pdf, word = io.BytesIO(), io.BytesIO()
    with app.app_context(), bound_to(records.town), force_locale("en"):
        deputy_file_pdf(records.zhang, pdf)
        annual_summary_docx(YEAR, word, today=date(YEAR + 1, 1, 10))
        with pytest.raises(ValueError):
            deputy_file_pdf(records.zhang, io.BytesIO(), years=0)
    text = _text(pdf.getvalue())
    assert "The deputy's file：张秀英" in text and "Sihe deputies' liaison station" in text
    assert "Page 1 of" in text and f"Apr 10, {YEAR}" in text
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.getvalue())).paragraphs]
    assert paragraphs[0] == f"Sihe deputies' liaison station: work summary of {YEAR}"
    assert "1. The station" in paragraphs
