"""`qbrgen import`, stage 1: read one export file (CSV in its detected or given encoding, or
.xlsx), recognise it by its columns and choose its mapping, then decide each date and number
column's one format (or stop, naming the column and two example values)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qbrgen.errors import InputError, Location, Problem, UsageError, display_path
from qbrgen.loading._crm_mapping import FieldSpec, Mapping, identity_mapping, specs
from qbrgen.loading._formats import (
    AmbiguousColumn,
    DateFormat,
    describe_order,
    parse_date_format,
    parse_decimal_mark,
)
from qbrgen.loading._record_types import Column, norm, record_type
from qbrgen.loading._tables import ColumnFormat, learn_format


@dataclass
class ImportOptions:
    """What the user said on the command line."""

    system: str
    mappings: Sequence[Path] = ()
    overwrite: bool = False
    dry_run: bool = False
    as_of: dt.date | None = None
    encoding: str | None = None
    date_format: str | None = None
    decimal_separator: str | None = None


@dataclass
class Export:
    """One export file: its header, rows, how it was read, and the mapping that reads it."""

    path: Path
    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    detected: bool = True
    mapping: Mapping | None = None
    index: dict[str, int] = field(default_factory=dict)
    formats: dict[tuple[int, str], ColumnFormat] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.header):
            self.index.setdefault(norm(name), i)
        # Warehouse syncs of HubSpot prefix properties: property_dealname, properties.amount
        for i, name in enumerate(self.header):
            key = norm(name)
            for prefix in ("properties", "property"):
                if key.startswith(prefix) and len(key) > len(prefix):
                    self.index.setdefault(key[len(prefix) :].removesuffix("value"), i)
                    break

    def has(self, column: str) -> bool:
        return norm(column) in self.index

    def first(self, columns: Sequence[str]) -> int | None:
        return next((self.index[norm(c)] for c in columns if norm(c) in self.index), None)

    def cell(self, cells: list[str], index: int) -> str:
        return cells[index].strip() if index < len(cells) else ""

    def value(self, cells: list[str], columns: Sequence[str]) -> tuple[str, int] | None:
        """The first non-empty cell among `columns` present: (text, column index)."""
        for column in columns:
            index = self.index.get(norm(column))
            if index is not None and self.cell(cells, index):
                return self.cell(cells, index), index
        return None

    def where(self, line: int, index: int | None = None) -> Location:
        return Location(self.label, line, None if index is None else index + 1)

    def source(self, line: int, index: int) -> str:
        return f"{Path(self.label).name}:{line} {self.header[index]}"


def read_export(path: Path, encoding: str | None = None) -> Export:
    """The export's header and rows (CSV, or the first sheet of an .xlsx export). Title lines
    above the table (a report name, its filters) are skipped: the header is the first row
    with at least two filled cells."""
    from qbrgen.loading.csv_source import CsvFileError, read_csv_text

    label = display_path(path)
    used, detected = "xlsx", True
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(path)
        else:
            text = read_csv_text(path, encoding)
            rows, used, detected = text.rows, text.encoding, text.detected
    except CsvFileError as exc:
        message = str(exc)
        line = re.match(r"line (\d+): (.*)", message)
        if line:
            raise InputError([Problem(Location(label, int(line.group(1))), line.group(2))]) from exc
        raise InputError([Problem(Location(label), message)]) from exc
    rows = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    start = next(
        (i for i, (_, cells) in enumerate(rows) if sum(1 for c in cells if c.strip()) >= 2), None
    )
    if start is None:
        raise InputError([Problem(Location(label), "the export is empty")])
    (_, header), *data = rows[start:]
    return Export(path, label, [h.strip() for h in header], data, used, detected)


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Rows of the first sheet of an Excel export (Salesforce 'Formatted Report'), as text."""
    import openpyxl

    from qbrgen.loading.csv_source import CsvFileError
    from qbrgen.loading.xlsx_source import WorkbookError, check_package

    try:
        check_package(path)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except WorkbookError as exc:
        raise CsvFileError(str(exc)) from exc
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise CsvFileError(f"not a readable Excel workbook: {str(exc).splitlines()[0]}") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        return [
            (line, ["" if v is None else _export_text(v) for v in cells])
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def _export_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def choose_mapping(export: Export, options: ImportOptions, candidates: list[Mapping]) -> Mapping:
    """The mapping whose detect columns the export has (the largest set wins)."""
    if options.system == "csv" and not options.mappings:
        return identity_mapping()
    if len(candidates) == 1 and options.mappings and not candidates[0].detect:
        return candidates[0]
    best: tuple[int, int, Mapping] | None = None
    for order, mapping in enumerate(candidates):
        if any(export.has(c) for c in mapping.detect_not):
            continue
        for columns in mapping.detect:
            if all(export.has(c) for c in columns):
                score = (len(columns), -order)
                if best is None or score > best[:2]:
                    best = (score[0], score[1], mapping)
    if best is not None:
        return best[2]
    known = "; ".join(f"{m.name} ({', '.join(m.detect[0])})" for m in candidates if m.detect)
    raise UsageError(
        f"{export.label}: does not look like a {options.system} export I know "
        f"(its columns: {', '.join(export.header[:8])}{', ...' if len(export.header) > 8 else ''}). "
        f"Known: {known}. Write a mapping and pass it with --mapping "
        "(see docs/spreadsheets-and-crm.md)"
    )


def field_column(owner: str, path: str) -> Column | None:
    rtype = record_type(owner)
    if rtype is None:
        return None
    return next((c for c in rtype.columns if c.field == path), None)


def decide_formats(export: Export, options: ImportOptions, problems: list[Problem]) -> None:
    """Fill `export.formats` for every date and number column a mapping field reads; an
    ambiguous column is a problem naming the file, the column and two example values."""
    mapping = export.mapping
    assert mapping is not None
    forced_date = parse_date_format(options.date_format) if options.date_format else None
    file_date = parse_date_format(mapping.date_format) if mapping.date_format else None
    forced_mark = (
        parse_decimal_mark(options.decimal_separator)
        if options.decimal_separator
        else (parse_decimal_mark(mapping.decimal_separator) if mapping.decimal_separator else None)
    )
    wanted: list[tuple[str, str, FieldSpec]] = []
    if mapping.account:
        wanted += [
            ("accounts", p, s) for p, spec in mapping.account.fields.items() for s in specs(spec)
        ]
    for name, records in mapping.records.items():
        wanted += [(name, p, s) for p, spec in records.fields.items() for s in specs(spec)]
    unsure: list[tuple[int, str, AmbiguousColumn]] = []
    for owner, path, spec in wanted:
        column = field_column(owner, path)
        if column is None or spec.lookup:
            continue
        kind = column.kind
        if spec.bands:
            kind = "int"
        if kind not in ("date", "datetime", "int", "float", "decimal"):
            continue
        for name in spec.columns:
            index = export.index.get(norm(name))
            if index is None or (index, kind) in export.formats:
                continue
            date_fmt = forced_date or (
                parse_date_format(spec.date_format) if spec.date_format else file_date
            )
            if kind in ("date", "datetime") and date_fmt is not None:
                export.formats[(index, kind)] = ColumnFormat(date=date_fmt)
                continue
            if kind not in ("date", "datetime") and forced_mark is not None:
                export.formats[(index, kind)] = ColumnFormat(mark=forced_mark)
                continue
            texts = [export.cell(cells, index) for _, cells in export.rows]
            try:
                fmt = learn_format(Column(path, name, kind), texts, whole=bool(spec.bands))
            except AmbiguousColumn as exc:
                unsure.append((index, kind, exc))
                continue
            export.formats[(index, kind)] = fmt
            if fmt.date is not None:
                example = next(
                    (t for t in texts if t and re.match(r"\d{1,2}[./-]", t)), ""
                )  # a value the order mattered for
                export.notes.append(
                    f"dates in '{export.header[index]}' read {describe_order(fmt.date)}"
                    + (f" ({example})" if example else "")
                )
            if fmt.mark is not None:
                export.notes.append(
                    f"numbers in '{export.header[index]}' read with '{fmt.mark}' as decimal separator"
                )
    _resolve_unsure(export, unsure, problems)


def _resolve_unsure(
    export: Export, unsure: list[tuple[int, str, AmbiguousColumn]], problems: list[Problem]
) -> None:
    """A date column whose values fit both orders takes the order the file's other date
    columns prove (one export writes every date the same way); with no such proof, or for
    numbers, the import stops naming the column and two example values."""
    proven = {
        f.date.order
        for (_, kind), f in export.formats.items()
        if kind in ("date", "datetime") and f.date is not None and f.date.order in ("MDY", "DMY")
    }
    for index, kind, exc in unsure:
        if kind in ("date", "datetime") and len(proven) == 1 and "read both" in str(exc):
            fmt = DateFormat(order=next(iter(proven)))
            export.formats[(index, kind)] = ColumnFormat(date=fmt)
            export.notes.append(
                f"dates in '{export.header[index]}' read {describe_order(fmt)} "
                "like the file's other dates"
            )
            continue
        lines = [line for line, cells in export.rows if export.cell(cells, index) in exc.examples]
        problems.append(
            Problem(
                export.where(lines[0] if lines else 1, index),
                f"column '{export.header[index]}': {exc}",
            )
        )
