"""The 12345 hotline intake: the hotline system's export (XLSX or CSV) imported into the
ledger, and the cases its feed pushes one at a time (hotline_api.py), both idempotent on
the hotline's case number.

An import is checked whole before anything is written, as the roster import is: every row
through the same schema as the API, each problem reported by row and column, and if any
row fails nothing is written at all.

A case number the town already has is *skipped*, not an error: a clerk exports "this week"
from the hotline system and uploads it, and next week's export overlaps it, or the same
file is uploaded twice after a lost connection. Re-uploading must be harmless and say so
("3 new, 12 imported before"), so skipped rows are listed in the report and the rest of
the row is not checked (it will not be written; a category renamed since must not block
the file). A file of nothing but such rows imports nothing and succeeds. A case number
that appears twice *within* the file is an error (the export is wrong; which row is right
cannot be guessed), and any real error still refuses the whole file.

Columns are found by their titles, as the hotline systems name them (a few spellings
each); columns the station does not keep (处理状态, 承办单位 ...) are ignored, and the
title row may come after a line or two of caption.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zipfile import ZipFile

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_town
from ..extensions import db
from ..spreadsheets import RowError, as_text
from .models import Channel, Opinion, OpinionCategory
from .services import BEIJING, OpinionError, create_opinions

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 200
#: what the workbook may unpack to: a 10 MB upload of repetitive XML could unpack to gigabytes
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: how many lines above the column titles a caption may take ("12345热线工单导出 2026-10-01 至 ...")
HEADER_SCAN = 10
TITLE_FROM_TEXT = 30
#: the template's example row: imported as it is, it would become a real opinion
EXAMPLE_CASE_NO = "示例-20261005-0001"
#: dates before this are typing errors, not calls (the hotline numbers were merged in the 2010s)
EARLIEST = date(2000, 1, 1)
#: Excel's day 0 (its serial dates count from here, with the 1900 leap-year bug built in)
EXCEL_EPOCH = date(1899, 12, 30)

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required.")}


class HotlineError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


# --- dates ---------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[T\s]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?)?$")


def parse_day(value: Any) -> date | None:
    """The day of a call, from what exports and feeds write: 2026-10-05, 2026/10/5,
    2026年10月5日, 2026-10-05 09:31:00, an ISO moment with a zone (taken in Beijing time),
    20261005, an Excel date cell or an Excel serial number. None if it is none of these."""
    if isinstance(value, datetime):
        return (value.astimezone(BEIJING) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _DATE_RE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{5}(\.\d+)?", text):  # an Excel serial day that lost its date format
            return EXCEL_EPOCH + timedelta(days=int(float(text)))
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return (moment.astimezone(BEIJING) if moment.tzinfo else moment).date()


class DayField(fields.String):
    """A day, given as a date or a moment (of which the day in Beijing counts); documented
    as a string, since the feed sends either."""

    default_error_messages = {
        "invalid": _l("Enter a date such as 2026-10-05 or 2026-10-05 09:31:00."),
        "future": _l("This date is in the future."),
        "too_old": _l("This date is too far in the past."),
    }

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = parse_day(value)
        if day is None:
            raise self.make_error("invalid")
        if day > datetime.now(BEIJING).date() + timedelta(days=1):
            raise self.make_error("future")
        if day < EARLIEST:
            raise self.make_error("too_old")
        return day


# --- one case: the allow-list the import and the feed share -------------------------------

class HotlineCaseInputSchema(Schema):
    """One hotline case, as the feed sends it and as an import row becomes."""

    case_no = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=40, error=_l("Enter the hotline's case number (at most 40 characters).")))
    received_at = DayField(required=True, error_messages=_REQUIRED)
    caller_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=32, error=_l("A name has at most 32 characters.")))
    caller_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=20, error=_l("A phone number has at most 20 characters.")))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=120, error=_l("A title has at most 120 characters.")))
    text = fields.String(required=True, error_messages=_REQUIRED, validate=validate.Length(
        min=1, max=20000, error=_l("Enter what the caller asked for (at most 20,000 characters).")))
    #: the town's category, by name or code
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=96, error=_l("Not one of the town's categories.")))
    village = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=64, error=_l("A village or community has at most 64 characters.")))

    @pre_load
    def _clean(self, data, **kwargs):
        """Trimmed; blank is missing; a case number or phone sent as a JSON number is text."""
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if key in ("case_no", "caller_phone") and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str):
                value = value.strip() or None
            out[key] = value
        return out


def active_categories() -> list[OpinionCategory]:
    return list(db.session.scalars(select(OpinionCategory).where(OpinionCategory.active)
                                   .order_by(OpinionCategory.position, OpinionCategory.id)))


def _norm(text: Any) -> str:
    """For comparing titles and names: full-width as half-width, no spaces or required-marks, lower case."""
    return re.sub(r"[\s*:]", "", unicodedata.normalize("NFKC", str(text))).lower()


def match_category(value: str | None, categories: list[OpinionCategory]) -> OpinionCategory | None:
    """The town's category named (Chinese or English) or coded `value`; the hotline's own
    two-level label ("城乡建设/道路维修") matches by its first level. HotlineError listing
    the allowed names if none matches; None for no value."""
    if value is None or not str(value).strip():
        return None
    wanted = _norm(value)
    for candidate in (wanted, re.split(r"[/>]", wanted)[0]):
        for category in categories:
            if candidate in {_norm(category.name), _norm(category.code), _norm(category.name_en or "")}:
                return category
    raise HotlineError(_("Not one of the town's categories: %(names)s.",
                         names=", ".join(c.name for c in categories)), "category")


def title_for(title: str | None, text: str) -> str:
    """The given title, else the start of the request (the list shows titles)."""
    if title:
        return title
    flat = " ".join(text.split())
    return flat[:TITLE_FROM_TEXT]


def opinion_data(case: dict[str, Any], category: OpinionCategory | None) -> dict[str, Any]:
    """A loaded case (HotlineCaseInputSchema) as create_opinion's input."""
    return {
        "channel": Channel.hotline, "hotline_case_no": case["case_no"], "received_on": case["received_at"],
        "title": title_for(case.get("title"), case["text"]), "text": case["text"],
        "constituent_name": case.get("caller_name"), "constituent_phone": case.get("caller_phone"),
        "village": case.get("village"), "category_id": category.id if category is not None else None,
    }


def existing_case(case_no: str) -> Opinion | None:
    return db.session.scalar(select(Opinion).where(Opinion.hotline_case_no == case_no))


# --- the columns of an export --------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  #: the schema's field
    title: str  #: the title hotline exports (and the template) use: data, not interface text
    synonyms: tuple[str, ...]
    required: bool
    help: Any  # lazy string: what the import page says about it


COLUMNS = [
    Column("case_no", "工单编号", ("工单号", "工单编码", "案件编号", "编号"), True,
           _l("The hotline's case number. A case number imported before is skipped.")),
    Column("received_at", "来电时间", ("受理时间", "来电日期", "受理日期", "登记时间"), True,
           _l("When the call came in: 2026-10-05, 2026/10/5, 2026-10-05 09:31:00 or an Excel date.")),
    Column("caller_name", "来电人", ("来电人姓名", "来电人员", "诉求人"), False,
           _l("The caller's name.")),
    Column("caller_phone", "联系电话", ("来电号码", "来电电话", "电话"), False,
           _l("The caller's phone number (only staff see it).")),
    Column("text", "诉求内容", ("工单内容", "来电内容", "问题描述", "内容"), True,
           _l("What the caller asked for.")),
    Column("title", "诉求标题", ("标题", "工单标题"), False,
           _l("A short title; without one, the first 30 characters of the request.")),
    Column("category", "诉求类别", ("类别", "工单类别", "问题类别"), False,
           _l("One of the town's categories, by name or code.")),
    Column("village", "所属村（社区）", ("村社区", "村（社区）", "所属村", "所属社区", "村/社区"), False,
           _l("The village or community.")),
]
_BY_KEY = {c.key: c for c in COLUMNS}


def _spellings() -> dict[str, tuple[str, int]]:
    """Every accepted title (normalized) -> (key, preference: 0 is the main title). The
    field's own name is accepted too, for a file a script wrote."""
    out = {}
    for column in COLUMNS:
        for rank, title in enumerate((column.title, *column.synonyms, column.key)):
            out.setdefault(_norm(title), (column.key, rank))
    return out


def _header_map(row: tuple) -> dict[str, int]:
    """key -> the index of its column; of two columns for one key (来电时间 and 受理时间),
    the preferred spelling wins."""
    spellings = _spellings()
    best: dict[str, tuple[int, int]] = {}
    for index, value in enumerate(row):
        if value is None:
            continue
        found = spellings.get(_norm(value))
        if found is not None and (found[0] not in best or found[1] < best[found[0]][0]):
            best[found[0]] = (found[1], index)
    return {key: index for key, (_rank, index) in best.items()}


def _missing(keys: dict[str, int]) -> list[Column]:
    return [c for c in COLUMNS if c.required and c.key not in keys]


def _find_header(lines: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]] | None:
    """The line holding the column titles: the first with every required title, else the
    one with the most known titles (to report what it lacks); None if no line has any."""
    best = None
    for position, (_number, row) in enumerate(lines):
        keys = _header_map(row)
        if keys and not _missing(keys):
            return position, keys
        if keys and (best is None or len(keys) > len(best[1])):
            best = (position, keys)
    return best


# --- reading the file ----------------------------------------------------------------------

class FileRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _lines_of_workbook(content: bytes) -> Iterator[tuple[int, tuple]]:
    not_a_workbook = FileRefused(_l("The file is not an Excel workbook (.xlsx) or a CSV file."))
    try:
        with ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES or \
                any(m.filename.startswith("xl/externalLinks/") for m in members):
            raise not_a_workbook
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = book.active.iter_rows(values_only=True)
        first = next(rows, None)
    except FileRefused:
        raise
    except Exception:  # a damaged or hostile file of any kind: one clear message
        raise not_a_workbook from None
    if first is None:
        return
    yield 1, first
    try:
        for number, row in enumerate(rows, start=2):
            yield number, row
    except Exception:
        raise not_a_workbook from None


def decode_text(content: bytes) -> str:
    """A CSV's text: UTF-8 (with or without the byte-order mark Excel writes), UTF-16 with
    its mark, else GB18030 (a superset of GBK, which hotline systems in China export)."""
    if content.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FileRefused(_l("The CSV file's text could not be read; save it as UTF-8 or GBK (GB18030)."))


def _lines_of_csv(content: bytes) -> Iterator[tuple[int, tuple]]:
    text = decode_text(content)
    sample = text.splitlines()[:HEADER_SCAN + 1]  # the title line and some more, a caption line above it or not
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in sample))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):  # a record is a row as a spreadsheet shows it
            yield number, tuple(row)
    except csv.Error:
        raise FileRefused(_l("The CSV file is damaged (a quotation mark is not closed, or a cell is too long).")) \
            from None


def read_lines(filename: str, content: bytes) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of the upload, XLSX or CSV, told apart by content, not only by name."""
    if len(content) > MAX_BYTES:
        raise FileRefused(_l("A file may be at most %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if content.startswith(b"PK\x03\x04"):
        return _lines_of_workbook(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_l("This is an old Excel file (.xls). Open it in Excel or WPS and save it as .xlsx, "
                             "or export CSV from the hotline system."))
    if filename.lower().rsplit(".", 1)[-1] in ("csv", "txt"):
        return _lines_of_csv(content)
    raise FileRefused(_l("The file is not an Excel workbook (.xlsx) or a CSV file."))


def _cell(value: Any) -> Any:
    """A cell as the schema takes it: dates stay dates; numbers become text without a
    spurious ".0"; Excel's text guards (="0123", a leading ') are removed; blank is None."""
    if value is None or isinstance(value, (date, datetime)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if match := re.fullmatch(r'="(.*)"', text):
        text = match[1].strip()
    if text.startswith("'") and re.fullmatch(r"'[\d\s\-+()]+", text):
        text = text[1:].strip()
    return text or None


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:100]


# --- the import ----------------------------------------------------------------------------

@dataclass
class Skipped:
    """A case the town has already: not imported again, listed in the report."""

    row: int
    case_no: str
    opinion_id: int


@dataclass
class ImportResult:
    created: int = 0
    opinion_ids: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _file_error(result: ImportResult, message, row: int = 0, value: str = "") -> ImportResult:
    result.errors.append(RowError(row, "", value, str(message)))
    return result


def _lacking(missing: list[Column], header: tuple) -> str:
    names = ", ".join(c.title + (f" ({'/'.join(c.synonyms[:1])})" if c.synonyms else "") for c in missing)
    found = ", ".join(str(v).strip() for v in header if v is not None and str(v).strip()) or "—"
    return _("Required columns are missing: %(missing)s. The columns found are: %(found)s.", missing=names,
             found=found[:500])


def _read(filename: str, content: bytes, result: ImportResult):
    """The title row's column map and the data rows [(row number, {key: cell})], or None
    after putting the file-level problem into `result`."""
    try:
        lines = read_lines(filename, content)
        head = [line for _i, line in zip(range(HEADER_SCAN), lines)]
        found = _find_header(head)
        if found is None:
            first = head[0][1] if head else ()
            _file_error(result, _lacking(_missing({}), first), row=1)
            return None
        position, keys = found
        header_number, header = head[position]
        if missing := _missing(keys):
            _file_error(result, _lacking(missing, header), row=header_number)
            return None
        rows = []
        for number, raw in itertools.chain(head[position + 1:], lines):  # lazily: the cap stops the reading
            cells = {key: _cell(raw[index]) if index < len(raw) else None for key, index in keys.items()}
            if all(v is None for v in cells.values()):
                continue  # an empty line, or one of the export's columns the station does not keep
            if len(rows) == MAX_ROWS:
                _file_error(result, _("At most %(count)d rows at a time; split the file.", count=MAX_ROWS))
                return None
            rows.append((number, cells))
    except FileRefused as err:
        _file_error(result, err.message)
        return None
    if not rows:
        _file_error(result, _("The file has no cases below the column titles."), row=header_number)
        return None
    return keys, header, rows


def import_hotline(filename: str, content: bytes, *, actor) -> ImportResult:
    """Import a hotline export into the bound town: every new case or none. Cases the town
    has already are skipped (see the module's docstring). Callers commit, or roll back when
    the result is not ok."""
    result = ImportResult()
    read = _read(filename, content, result)
    if read is None:
        return result
    keys, header, rows = read

    def title(key: str) -> str:  # the column as the file names it
        return str(header[keys[key]]).strip() if key in keys else _BY_KEY[key].title

    numbers = {str(cells["case_no"]) for _n, cells in rows if cells.get("case_no") is not None}
    known = dict(db.session.execute(select(Opinion.hotline_case_no, Opinion.id)
                                    .where(Opinion.hotline_case_no.in_(numbers))).all()) if numbers else {}
    categories = active_categories()
    schema = HotlineCaseInputSchema()
    seen: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows:
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append(RowError(0, "", "", _("Only the first %(count)d problems are listed.",
                                                        count=MAX_ERRORS)))
            break
        case_no = str(cells["case_no"]) if cells.get("case_no") is not None else None
        row_errors: list[RowError] = []
        if case_no is not None and case_no in seen:
            row_errors.append(RowError(number, title("case_no"), case_no, _(
                "This case number is already on row %(row)d.", row=seen[case_no])))
        elif case_no is not None:
            seen[case_no] = number
            if case_no in known:
                result.skipped.append(Skipped(number, case_no, known[case_no]))
                continue
        if case_no == EXAMPLE_CASE_NO:
            row_errors.append(RowError(number, title("case_no"), case_no, _(
                "This is the template's example row; delete it.")))
        try:
            data = schema.load({k: v for k, v in cells.items() if v is not None})
        except ValidationError as err:
            for key, messages in err.normalized_messages().items():
                message = messages[0] if isinstance(messages, list) else messages
                row_errors.append(RowError(number, title(key), _shown(cells.get(key)), str(message)))
            data = None
        category = None
        if cells.get("category") is not None:
            try:
                category = match_category(cells["category"], categories)
            except HotlineError as err:
                row_errors.append(RowError(number, title("category"), _shown(cells["category"]), str(err.message)))
        result.errors.extend(row_errors)
        if data is not None and not row_errors:
            parsed.append((number, opinion_data(data, category)))
    if result.errors:
        return result
    try:
        with db.session.begin_nested():  # a refusal half-way leaves the session usable
            result.opinion_ids.extend(o.id for o in create_opinions(actor=actor, rows=[data for _n, data in parsed]))
            record_town("opinion.hotline_import", actor=actor, target=filename[-100:] or None,
                        details={"created": len(parsed), "skipped": len(result.skipped)})
    except OpinionError as err:  # e.g. a category switched off while the file was checked
        result.opinion_ids.clear()
        result.errors.append(RowError(0, "", "", str(err.message)))
        return result
    except IntegrityError:  # another import, or the feed, added one of these cases after the check above
        result.opinion_ids.clear()
        return _file_error(result, _("Some of these cases were added by someone else just now. Upload the file "
                                     "again: those cases will be skipped."))
    result.created = len(parsed)
    return result


# --- the template --------------------------------------------------------------------------

def template_workbook(categories: list[OpinionCategory]) -> bytes:
    """An empty export with the titles the import expects and one example row (which the
    import refuses, should it be left in)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "12345"
    sheet.append([c.title for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F8E1DF")
    example = {
        "case_no": EXAMPLE_CASE_NO, "received_at": datetime(2026, 10, 5, 9, 31), "caller_name": "张先生",
        "caller_phone": "13900000000", "text": "村口路灯不亮已有一周，夜间出行不便，希望尽快维修。",
        "title": "村口路灯不亮", "category": categories[0].name if categories else None, "village": "示例村",
    }
    sheet.append([example[c.key] for c in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="888888")
    sheet["B2"].number_format = "yyyy-mm-dd hh:mm"
    for column, width in zip("ABCDEFGH", (22, 18, 10, 14, 48, 20, 12, 16)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    as_text(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
