"""Streaming XLSX: openpyxl's write-only workbooks, whose sheets go to temporary files row by
row, so a workbook of any length costs the memory of one row. What every export shares:
bold headers on a tinted row, frozen under the header, column widths, text that stays text
(a value typed as '=HYPERLINK(...)' never becomes a formula; see webapp.spreadsheets.as_text),
characters XML cannot carry dropped, times in Beijing time (Excel has no time zones)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

BEIJING = ZoneInfo("Asia/Shanghai")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F8E1DF")
TITLE_FONT = Font(bold=True, size=13)
#: Excel's limit on a cell's text
MAX_TEXT = 32767
#: Excel's limit on a sheet's name, and the characters it refuses in one
MAX_SHEET_TITLE = 31
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


def new_book() -> Workbook:
    return Workbook(write_only=True)


def _value(sheet, value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # text, never a formula
            return cell
        return value
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if hasattr(value, "isoformat"):  # a date
        return value
    return str(value)  # lazy strings, enums' labels


def sheet_title(title: Any) -> str:
    return str(title).translate(_BAD_TITLE).strip()[:MAX_SHEET_TITLE] or "Sheet"


def add_sheet(book: Workbook, title: Any, columns: Sequence[tuple[Any, float]], rows: Iterable[Sequence[Any]],
              *, heading: Sequence[Sequence[Any]] = ()) -> int:
    """Append a sheet: optional heading lines (the first one bold and larger), a header row of
    `columns` (title, width), then `rows`, streamed. Returns the number of data rows."""
    sheet = book.create_sheet(sheet_title(title))
    for n, (_title, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = f"A{len(heading) + 2}"
    for n, line in enumerate(heading):
        cells = []
        for value in line:
            cell = _value(sheet, value)
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(sheet, cell)
            if n == 0:
                cell.font = TITLE_FONT
            cells.append(cell)
        sheet.append(cells)
    header = []
    for title, _width in columns:
        cell = WriteOnlyCell(sheet, str(title))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_value(sheet, v) for v in row])
        count += 1
    return count


def save(book: Workbook, out: BinaryIO) -> None:
    """Write the workbook into `out` (a file, or a ZIP entry opened for writing: it need not seek)."""
    if not book.worksheets:
        book.create_sheet("Sheet")
    book.save(out)
