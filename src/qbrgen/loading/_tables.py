"""One table as read: its header row found and matched to the record type's columns, and its
cells read as text, numbers, dates, choices and yes/no in the one format each column's values
share (dates and decimal marks are learned per column, never guessed per cell)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from qbrgen.errors import Location, ProblemList
from qbrgen.loading._formats import (
    AmbiguousColumn,
    DateFormat,
    decide_date_format,
    decide_decimal_mark,
    decimal_marks,
    read_date,
    read_number,
)
from qbrgen.loading._record_types import (
    ACCOUNT_LINK,
    ACCOUNTS,
    FEATURE_PREFIX,
    LIST_SEPARATOR,
    Column,
    RecordType,
    norm,
)


@dataclass(frozen=True)
class ColumnFormat:
    """How one column writes its dates and numbers, decided from all its values."""

    date: DateFormat | None = None
    mark: str | None = None
    """Decimal separator, '.' or ','."""


@dataclass
class CellReader:
    """Turns cell values (typed from a workbook, text from a CSV) into what the model expects.

    A value that cannot be read is passed through unchanged, so the model reports it with
    the usual 'expected X, got Y' message at the cell's location. Text dates and numbers are
    read as ISO or in the column's format (`ColumnFormat`, see `learn_formats`): the workspace
    locale is for output only, never for reading.
    """

    def read(self, value: object, column: Column, fmt: ColumnFormat | None = None) -> object:
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        if value is None:
            return None
        match column.kind:
            case "str":
                return _text(value)
            case "literal":
                return _choice(value, column.choices)
            case "bool":
                return _boolean(value)
            case "int" | "float" | "decimal":
                return self.number(value, column.kind, fmt.mark if fmt else None)
            case "date":
                return self.date(value, fmt.date if fmt else None)
            case "datetime":
                return self.datetime(value, fmt.date if fmt else None)
            case "list":
                text = _text(value)
                parts = re.split(rf"[{LIST_SEPARATOR}\n]", text)
                return [p.strip() for p in parts if p.strip()]
        return value  # pragma: no cover

    def number(self, value: object, kind: str, mark: str | None = None) -> object:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | Decimal):
            return value
        if isinstance(value, float):
            if kind == "decimal":
                return Decimal(repr(value))
            if kind == "int" and value.is_integer():
                return int(value)
            return value
        if not isinstance(value, str):
            return _text(value)
        text = value.strip()
        percent = text.endswith("%")
        number = read_number(text.rstrip("%").strip(), mark)
        if number is None and kind == "int":
            number = read_number(text, "," if decimal_marks(text, whole=True) == (",",) else ".")
        if number is None:
            return value
        if percent:
            number = number / 100
        if kind == "decimal":
            return number
        if kind == "int":
            return int(number) if number == number.to_integral_value() else value
        return float(number)

    def date(self, value: object, fmt: DateFormat | None = None) -> object:
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() and value.tzinfo is None else value
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            return _text(value)
        found = read_date(value, fmt)
        if isinstance(found, dt.datetime):
            return found.date() if found.time() == dt.time() and found.tzinfo is None else value
        return value if found is None else found

    def datetime(self, value: object, fmt: DateFormat | None = None) -> object:
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        if not isinstance(value, str):
            return _text(value)
        found = read_date(value, fmt)
        if found is None:
            return value
        if isinstance(found, dt.datetime):
            return found
        return dt.datetime.combine(found, dt.time())


def learn_format(column: Column, texts: Iterable[str], whole: bool = False) -> ColumnFormat:
    """The column's date order or decimal separator, from every text value it holds.
    Raises AmbiguousColumn when its values read more than one way."""
    values = [t for t in texts if t.strip()]
    if column.kind in ("date", "datetime"):
        return ColumnFormat(date=decide_date_format(values))
    if column.kind in ("int", "float", "decimal"):
        return ColumnFormat(mark=decide_decimal_mark(values, whole or column.kind == "int"))
    return ColumnFormat()


def learn_formats(table: Table, problems: ProblemList) -> None:
    """Decide the format of each date and number column of `table` from all its text cells;
    an ambiguous column is reported at its header cell (its cells then read only as ISO)."""
    if not isinstance(table.rows, list):
        table.rows = list(table.rows)
    rows = table.rows
    columns = {c.field: c for c in table.rtype.columns}
    feature = Column("feature", "feature", "float")
    wanted = [(columns[f], i) for f, i in table.columns.items() if f in columns]
    wanted += [(feature, i) for i in table.features.values()]
    for column, index in wanted:
        if column.kind not in ("date", "datetime", "int", "float", "decimal"):
            continue
        texts = [
            str(cells[index]).strip()
            for _, cells in rows
            if index < len(cells) and isinstance(cells[index], str)
        ]
        try:
            table.formats[index] = learn_format(column, texts)
        except AmbiguousColumn as exc:
            header = str(table.headers[index]).strip() if index < len(table.headers) else ""
            problems.add(
                table.where(table.header_row, index),
                f"column '{header}': {exc}",
                hint="write dates as YYYY-MM-DD and numbers as 1234.56 to avoid the question",
            )


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat() if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _choice(value: object, choices: tuple[str, ...]) -> object:
    text = _text(value)
    key = re.sub(r"[\s\-]+", "_", text.casefold())
    return key if key in choices else text


_TRUE = {"true", "yes", "y", "1", "x", "on", "t", "ja", "oui", "wahr"}


_FALSE = {"false", "no", "n", "0", "off", "f", "nein", "non", "falsch"}


def _boolean(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


Where = Callable[[int, int | None], Location]
"""(row number, 0-based column index or None for the whole row) → a Location."""


@dataclass
class Table:
    """One sheet or CSV file: its record type, header row, data rows and how to locate a cell."""

    rtype: RecordType
    name: str
    """Sheet name or file label, as shown in messages."""
    header_row: int
    headers: Sequence[object]
    rows: Iterable[tuple[int, Sequence[object]]]
    where: Where
    columns: dict[str, int] = field(default_factory=dict)
    """Field → 0-based column index, filled by `match_headers`."""
    features: dict[str, int] = field(default_factory=dict)
    formats: dict[int, ColumnFormat] = field(default_factory=dict)
    """0-based column index → the format its dates or numbers are written in."""
    unknown_rows: set[int] = field(default_factory=set)
    """Rows with a cell whose value cannot be known (a formula never calculated), already
    reported at that cell: the account they belong to is left out, with no second message."""

    def at(self, row: int, field_name: str | None = None) -> Location:
        """The cell of `field_name` on `row` (the row's first cell when the column is absent)."""
        if field_name is not None and field_name in self.columns:
            return self.where(row, self.columns[field_name])
        first = self.columns.get(ACCOUNT_LINK, self.columns.get("id", 0))
        return self.where(row, first)


def match_headers(table: Table, problems: ProblemList) -> bool:
    """Fill `table.columns`; warn about unknown or repeated columns. False when a required
    column is missing (reported once at the header row)."""
    keys = {k: c for c in table.rtype.columns for k in c.header_keys()}
    known_headers = [c.header for c in table.rtype.columns]
    for index, raw in enumerate(table.headers):
        if raw is None or str(raw).strip() == "":
            continue
        text = str(raw).strip()
        where = table.where(table.header_row, index)
        if table.rtype.features and text.casefold().replace(" ", "").startswith(FEATURE_PREFIX):
            feature = text.split(":", 1)[1].strip()
            if feature:
                table.features.setdefault(feature, index)
                continue
        column = keys.get(norm(text))
        if column is None:
            close = difflib.get_close_matches(text, known_headers, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known_headers)
            if table.rtype.features:
                hint += "; feature adoption columns are named 'feature:<name>'"
            problems.warn(where, f"unknown column '{text}'; ignored", hint=hint)
            continue
        if column.field in table.columns:
            problems.warn(
                where, f"column '{text}' repeats column {table.columns[column.field] + 1}; ignored"
            )
            continue
        table.columns[column.field] = index
    missing = [c for c in table.rtype.columns if c.required and c.field not in table.columns]
    # Account-level required fields are reported per account (one row each); a missing
    # required column on a child table is reported once instead of once per row.
    if table.rtype is ACCOUNTS:
        missing = [c for c in missing if c.field == "id"]
    for column in missing:
        problems.add(
            table.where(table.header_row, None),
            f"{table.name} has no '{column.header}' column (required)",
            hint="its rows are not read",
        )
    return not missing


def header_index(rows: Sequence[tuple[int, Sequence[object]]]) -> int | None:
    """Index of the header row: the first with two or more filled cells (a title line or a
    note above the table is skipped)."""
    for index, (_, cells) in enumerate(rows):
        if sum(1 for c in cells if not is_blank([c])) >= 2:
            return index
    return None


def is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
