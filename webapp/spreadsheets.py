"""What every spreadsheet import and export shares: a row's problem for the report, and
text cells that stay text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RowError:
    """One problem of an import, shown in the report: which row, which column, what was there."""

    row: int
    column: str
    value: str
    message: str


def as_text(sheet) -> None:
    """Every string cell is text: a value typed as '=HYPERLINK(...)' must never become a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
