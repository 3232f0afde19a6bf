"""The roster as an XLSX workbook, both ways: the import format is the export format.

An import is checked whole before anything is written: every row through the same schema
as the form, each problem reported by row and column, and if any row fails nothing is
written at all. Rows with an id (the export's first column) update that deputy; rows
without one add a deputy, so re-importing an export changes nothing.
"""

from __future__ import annotations

import io
from zipfile import ZipFile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from ..audit.services import record_town
from ..extensions import db
from ..spreadsheets import RowError, as_text
from ..i18n import labels
from .models import Deputy, DeputyLevel, DeputyStatus, Gender
from .schemas import DeputyInputSchema
from .services import FIELDS, _plain, pinyin_of, update_deputy

MAX_ROWS = 5000
MAX_ERRORS = 200
#: what the workbook may unpack to: a 20 MB upload of repetitive XML could unpack to gigabytes
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    title: Any  # lazy string: the header in the workbook's language


COLUMNS = [
    Column("id", _l("ID")),
    Column("name", _l("Full name")),
    Column("level", _l("Level")),
    Column("gender", _l("Gender")),
    Column("ethnicity", _l("Ethnicity")),
    Column("birth_year", _l("Year of birth")),
    Column("party", _l("Party")),
    Column("occupation", _l("Occupation")),
    Column("sector", _l("Sector")),
    Column("phone", _l("Phone")),
    Column("phone_public", _l("Phone shown publicly")),
    Column("constituency", _l("Constituency")),
    Column("term_start", _l("Term starts")),
    Column("term_end", _l("Term ends")),
    Column("status", _l("Status")),
]


def _choices() -> dict[str, dict[str, str]]:
    """Every spelling a cell may use for an enumerated column, in both languages: code,
    Chinese label and English label all map to the code."""
    out: dict[str, dict[str, str]] = {"level": {}, "gender": {}, "status": {}, "yes_no": {}}
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            table = labels()
            for kind, enum, key in (("level", DeputyLevel, "level"), ("gender", Gender, "gender"),
                                    ("status", DeputyStatus, "deputy_status")):
                for member in enum:
                    out[kind][str(table[key][member.value]).strip().lower()] = member.value
                    out[kind][member.value] = member.value
            out["yes_no"].update({str(_("Yes")).lower(): "true", str(_("No")).lower(): "false"})
    out["yes_no"].update({"true": "true", "false": "false", "1": "true", "0": "false", "是": "true", "否": "false",
                          "yes": "true", "no": "false"})
    return out


def _headers() -> dict[str, str]:
    out = {}
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            for column in COLUMNS:
                out[str(column.title).strip().lower()] = column.key
    for column in COLUMNS:
        out[column.key] = column.key
    return out


def export_roster(deputies: list[Deputy]) -> bytes:
    """An XLSX of these deputies, headers and values in the current language."""
    table = labels()
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Deputies"))
    sheet.append([str(c.title) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F8E1DF")
    for d in deputies:
        sheet.append([
            d.id, d.name, str(table["level"][d.level.value]),
            str(table["gender"][d.gender.value]) if d.gender else None, d.ethnicity, d.birth_year, d.party,
            d.occupation, d.sector, d.phone, str(_("Yes")) if d.phone_public else str(_("No")), d.constituency,
            d.term_start, d.term_end, str(table["deputy_status"][d.status.value]),
        ])
    for column, width in zip("ABCDEFGHIJKLMNO", (8, 12, 16, 8, 8, 10, 12, 16, 10, 16, 12, 14, 12, 12, 10)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=13, max_col=14):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    as_text(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _title(key: str) -> str:
    return next(str(c.title) for c in COLUMNS if c.key == key)


def import_roster(content: bytes, *, actor) -> ImportResult:
    """Read an XLSX roster into the bound town: all rows or none. Returns counts or errors."""
    result = ImportResult()
    not_a_workbook = RowError(0, "", "", str(_("The file is not an Excel workbook (.xlsx).")))
    try:
        with ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES or \
                any(m.filename.startswith("xl/externalLinks/") for m in members):
            result.errors.append(not_a_workbook)
            return result
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        table = list(book.active.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    except Exception:  # a damaged or hostile file of any kind: one clear message
        result.errors.append(not_a_workbook)
        return result
    rows = iter(table)
    header_row = next(rows, None) or ()
    known = _headers()
    keys = [known.get(str(h).strip().lower()) if h is not None else None for h in header_row]
    unknown = [str(h) for h, k in zip(header_row, keys) if h is not None and str(h).strip() and k is None]
    if unknown:
        result.errors.append(RowError(1, ", ".join(unknown), "", str(_(
            "These column titles are not in the export; correct or remove them."))))
        return result
    if "name" not in keys or "level" not in keys:
        result.errors.append(RowError(1, "", "", str(_(
            "The first row must hold the column titles of the export; at least %(name)s and %(level)s.",
            name=_title("name"), level=_title("level")))))
        return result
    choices = _choices()
    existing = {d.id: d for d in db.session.scalars(select(Deputy))}
    schema = DeputyInputSchema()
    parsed: list[tuple[int, int | None, dict, str | None]] = []
    seen_ids: dict[int, int] = {}
    counted = 0
    for number, raw in enumerate(rows, start=2):
        cells = {k: _cell(v) for k, v in zip(keys, raw) if k is not None}
        if not any(v is not None for v in cells.values()):
            continue  # an empty line
        counted += 1
        if counted > MAX_ROWS:
            result.errors.append(RowError(number, "", "", str(_("At most %(count)d rows at a time.", count=MAX_ROWS))))
            break
        if len(result.errors) >= MAX_ERRORS:
            break  # enough to fix first; the rest is checked on the next try
        row_errors = []
        reported = set()
        for key, kind in (("level", "level"), ("gender", "gender"), ("phone_public", "yes_no"), ("status", "status")):
            if cells.get(key) is not None:
                code = choices[kind].get(str(cells[key]).lower())
                if code is None:
                    row_errors.append(RowError(number, _title(key), str(cells[key]),
                                               str(_("This value is not one of the choices."))))
                    reported.add(key)
                    cells.pop(key)
                else:
                    cells[key] = code
        deputy_id = None
        if cells.get("id") is not None:
            try:
                deputy_id = int(cells["id"])
            except ValueError:
                deputy_id = -1
            if deputy_id not in existing:
                row_errors.append(RowError(number, _title("id"), str(cells["id"]),
                                           str(_("No deputy has this ID. Leave it empty to add a new deputy."))))
            elif deputy_id in seen_ids:
                row_errors.append(RowError(number, _title("id"), str(cells["id"]), str(_(
                    "This ID is already on row %(row)d.", row=seen_ids[deputy_id]))))
            else:
                seen_ids[deputy_id] = number
        status = cells.pop("status", None)
        cells.pop("id", None)
        try:
            data = schema.load({k: v for k, v in cells.items() if v is not None})
        except ValidationError as err:
            for key, messages in err.normalized_messages().items():
                if key in reported:
                    continue  # already explained above, with the value that was given
                title = _title(key) if key in {c.key for c in COLUMNS} else key
                message = messages[0] if isinstance(messages, list) else str(messages)
                row_errors.append(RowError(number, title, str(cells.get(key) or ""), str(message)))
            data = None
        result.errors.extend(row_errors)
        if data is not None and not row_errors:
            parsed.append((number, deputy_id, data, status))
    if result.errors:
        return result
    present = set(keys)  # a column the workbook leaves out is left as it is, never blanked
    new = []
    for number, deputy_id, data, status in parsed:
        if deputy_id is None:
            deputy = Deputy(**{k: data.get(k) for k in FIELDS}, name_pinyin=pinyin_of(data["name"]),
                            status=DeputyStatus(status) if status else DeputyStatus.serving)
            deputy.phone_public = bool(deputy.phone_public)
            if deputy.status == DeputyStatus.left:
                deputy.left_on = date.today()
            new.append(deputy)
        else:
            deputy = existing[deputy_id]
            try:
                changed = update_deputy(deputy, actor=actor, data={k: data.get(k) for k in FIELDS if k in present})
            except ValidationError as err:  # e.g. a term end before the start already stored
                for key, messages in err.normalized_messages().items():
                    result.errors.append(RowError(number, _title(key), str(data.get(key) or ""), str(messages[0])))
                continue
            if status and deputy.status.value != status:
                record_town("deputy.update", actor=actor, target=f"{deputy.name} #{deputy.id}",
                            details={"changes": {"status": [deputy.status.value, status]}})
                deputy.status = DeputyStatus(status)
                deputy.left_on = date.today() if deputy.status == DeputyStatus.left else None
                changed = True
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    if result.errors:
        return result  # the caller rolls back what the rows before this one changed
    db.session.add_all(new)
    db.session.flush()  # one batched INSERT for every new deputy
    for deputy in new:
        record_town("deputy.create", actor=actor, target=f"{deputy.name} #{deputy.id}",
                    details={"import": True, **{k: _plain(v) for k in FIELDS
                                                if (v := getattr(deputy, k)) not in (None, False)}})
    result.created = len(new)
    return result


def export_file(deputy: Deputy, deputy_file) -> bytes:
    """A deputy's file as XLSX: a summary sheet (sections x years) and one sheet of entries."""
    book = Workbook()
    summary = book.active
    summary.title = str(_("Summary"))
    summary.append([deputy.name, str(labels()["level"][deputy.level.value]), deputy.constituency or ""])
    summary.append([])
    summary.append([str(_("Section"))] + [str(y) for y in deputy_file.years])
    for cell in summary[3]:
        cell.font = Font(bold=True)
    for section in deputy_file.sections:
        summary.append([str(section.title)] + [deputy_file.count(y, section.key) for y in deputy_file.years])
    summary.column_dimensions["A"].width = 28
    entries = book.create_sheet(str(_("Records")))
    entries.append([str(_("Date")), str(_("Section")), str(_("Record")), str(_("Details"))])
    for cell in entries[1]:
        cell.font = Font(bold=True)
    for year in deputy_file.years:
        for section in deputy_file.sections:
            for entry in deputy_file.entries.get(year, {}).get(section.key, []):
                entries.append([entry.day, str(section.title), entry.title, entry.detail])
    for row in entries.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for column, width in zip("ABCD", (12, 20, 40, 30)):
        entries.column_dimensions[column].width = width
    as_text(summary)
    as_text(entries)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
