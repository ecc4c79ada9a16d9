"""`qbrgen import`: turn CRM exports (Salesforce, HubSpot, any CSV) into account files.

One command reads any number of export files of one CRM: report exports (one row per
opportunity or contact, account columns repeated), object files as Salesforce's Data Loader
and warehouse syncs write them (Account, Opportunity, Contact, User, ... joined by their ids),
HubSpot UI and property-name exports. Each file is recognised by its columns and read with a
*mapping* (YAML; built-ins in `mappings/`).

Nothing is guessed: the encoding is detected or given; every date and number column is read
in the one format that fits all its values, or the import stops naming the column and two
example values. A field the CRM does not hold is not invented: the account file gets an empty
value with a comment saying so, and `qbrgen validate` reports it until it is filled in.

The account files are written by `_crm_merge` (ruamel.yaml round-trip: comments and hand edits
survive a re-import).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import InputError, Location, Problem, UsageError, display_path
from qbrgen.loading._crm_mapping import (
    BUILT_IN_SYSTEMS,
    FieldSpec,
    Mapping,
    built_in,
    identity_mapping,
    load_mapping,
    specs,
)
from qbrgen.loading._formats import (
    AmbiguousColumn,
    DateFormat,
    describe_order,
    encoding_label,
    parse_date_format,
    parse_decimal_mark,
    read_date,
)
from qbrgen.loading._tabular import (
    CellReader,
    Column,
    ColumnFormat,
    learn_format,
    norm,
    record_type,
)

__all__ = ["ImportOptions", "ImportResult", "import_exports", "load_mapping"]

_LIST_SPLIT = re.compile(r"\s*[;,]\s*")


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


# ---------------------------------------------------------------------------------------------
# Reading one export file


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


# ---------------------------------------------------------------------------------------------
# Formats of the date and number columns, decided per file before anything is read


def _field_column(owner: str, path: str) -> Column | None:
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
        column = _field_column(owner, path)
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


# ---------------------------------------------------------------------------------------------
# Values with their source


@dataclass
class Value:
    """A value read from an export, and where it came from (for --dry-run)."""

    value: Any
    source: str


@dataclass
class CrmRecord:
    key: str
    line: int
    fields: dict[str, Value] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


@dataclass
class CrmAccount:
    key: str
    system: str
    first_seen: Location
    id: str | None = None
    fields: dict[str, Value] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    records: dict[str, dict[str, CrmRecord]] = field(default_factory=dict)
    latest: dict[str, str] = field(default_factory=dict)
    """File label → the latest_by value of the row that gave this file's fields."""
    files: list[str] = field(default_factory=list)


def key_of(system: str, text: str) -> str:
    """A CRM key as remembered: Salesforce's 18-character ids become their 15-character form,
    so report exports (15) and API exports (18) of one record agree."""
    text = text.strip()
    if system == "salesforce" and re.fullmatch(r"[A-Za-z0-9]{18}", text):
        return text[:15]
    return text


@dataclass
class Joined:
    """Everything read from the exports of one import, joined by their ids."""

    system: str
    accounts: dict[str, CrmAccount] = field(default_factory=dict)
    lookups: dict[str, dict[str, Value]] = field(default_factory=dict)
    lookup_files: dict[str, str] = field(default_factory=dict)
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    orphans: dict[str, list[tuple[Location, str]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """Account name (casefolded) → account key, to join reports that only carry the name."""


class _Reader:
    """Reads the cells of one export row into typed values, with their sources."""

    def __init__(self, export: Export, joined: Joined) -> None:
        self.export = export
        self.joined = joined
        self.cells = CellReader()

    def read(
        self, cells: list[str], line: int, owner: str, path: str, spec_list: list[FieldSpec]
    ) -> Value | str | Problem:
        """The value of one field, or why there is none (a reason, or a located problem)."""
        column = _field_column(owner, path)
        reason = f"{Path(self.export.label).name} has no column for it"
        for spec in spec_list:
            found = self._one(cells, line, owner, path, spec, column)
            if isinstance(found, Value | Problem):
                return found
            if found:
                reason = found
        return reason

    def _one(
        self,
        cells: list[str],
        line: int,
        owner: str,
        path: str,
        spec: FieldSpec,
        column: Column | None,
    ) -> Value | str | Problem | None:
        export = self.export
        present = [c for c in spec.columns if export.has(c)]
        if not present:
            return None
        if spec.join is not None:
            parts = [(export.cell(cells, export.index[norm(c)]), c) for c in present]
            text = spec.join.join(p for p, _ in parts if p)
            if not text:
                return f"{Path(export.label).name}:{line} has no value in {', '.join(present)}"
            index = export.index[norm(present[0])]
            source = f"{Path(export.label).name}:{line} " + " + ".join(c for p, c in parts if p)
        else:
            found = export.value(cells, present)
            if found is None:
                return f"{Path(export.label).name}:{line} has no value in {', '.join(present)}"
            text, index = found
            source = export.source(line, index)
        if spec.lookup:
            table = self.joined.lookups.get(spec.lookup)
            if table is None:
                return (
                    f"the export gives only the id {text!r} ({export.header[index]}); "
                    f"import the {spec.lookup} export with it"
                )
            hit = table.get(key_of(self.joined.system, text))
            if hit is None:
                where = self.joined.lookup_files.get(spec.lookup, spec.lookup)
                return f"id {text!r} ({export.header[index]}) is not in {where}"
            text = str(hit.value)
            source = f"{source} → {hit.source}"
        translated = self._translate(text, spec, line, index, path)
        if isinstance(translated, Problem):
            return translated
        if column is None:
            return Value(translated, source)
        kind = "int" if spec.bands else column.kind
        fmt = export.formats.get((index, kind))
        value = self.cells.read(translated, column, fmt)
        if column.kind == "date" and isinstance(value, str):
            stamp = read_date(value, fmt.date if fmt else None)
            if isinstance(stamp, dt.datetime):
                value = stamp.date()  # a timestamp (LastModifiedDate, closedate): its day
        if isinstance(value, str) and column.kind in (
            "date",
            "datetime",
            "int",
            "float",
            "decimal",
        ):
            what = {"date": "a date", "datetime": "a date and time"}.get(column.kind, "a number")
            return Problem(
                export.where(line, index),
                f"{export.header[index]}: expected {what}, got {text!r}",
                path,
                hint="the field is left empty in the account file",
            )
        if column.kind == "literal" and value not in column.choices:
            return Problem(
                export.where(line, index),
                f"{export.header[index]}: {text!r} is not one of {', '.join(column.choices)}",
                path,
                hint="add it to the field's values in a mapping (--mapping)",
            )
        return Value(value, source)

    def _translate(
        self, text: str, spec: FieldSpec, line: int, index: int, path: str
    ) -> str | Problem:
        if spec.bands:
            fmt = self.export.formats.get((index, "int"))
            number = self.cells.number(text, "decimal", fmt.mark if fmt else None)
            if not isinstance(number, str):
                for threshold, result in spec.bands:
                    if float(number) >= threshold:  # type: ignore[arg-type]
                        return result
        if not spec.values:
            return text
        table = {_value_key(k): v for k, v in spec.values.items() if k != "*"}
        options = [text] if spec.lookup is None else _LIST_SPLIT.split(text)
        for option in options:
            hit = table.get(_value_key(option))
            if hit is not None:
                return hit
        if "*" in spec.values:
            return spec.values["*"]
        known = ", ".join(k for k in spec.values if k != "*")
        return Problem(
            self.export.where(line, index),
            f"{self.export.header[index]}: {text!r} is not a value I know (known: {known})",
            path,
            hint="add it under this field's values in a mapping (--mapping); "
            "the field is left empty in the account file",
        )


def _value_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _row_ok(export: Export, cells: list[str], mapping: Mapping) -> bool:
    if sum(1 for c in cells if c.strip()) < 2:
        return False  # footer lines: copyright, 'Confidential Information', 'Generated By'
    for column, values in mapping.skip.items():
        index = export.index.get(norm(column))
        if index is not None and _value_key(export.cell(cells, index)) in {
            _value_key(v) for v in values
        }:
            return False
    for column, values in mapping.only.items():
        index = export.index.get(norm(column))
        if index is not None and _value_key(export.cell(cells, index)) not in {
            _value_key(v) for v in values
        }:
            return False
    return True


def collect_lookups(export: Export, joined: Joined) -> None:
    """The lookup tables and links a file provides to the others."""
    mapping = export.mapping
    assert mapping is not None
    reader = _Reader(export, joined)
    for name, lookup in mapping.lookups.items():
        table = joined.lookups.setdefault(name, {})
        joined.lookup_files.setdefault(name, Path(export.label).name)
        for line, cells in export.rows:
            if not _row_ok(export, cells, mapping):
                continue
            key = export.value(cells, lookup.key)
            if key is None:
                continue
            found = reader.read(cells, line, "-", name, specs(lookup.value))
            if isinstance(found, Value):
                table.setdefault(key_of(joined.system, key[0]), found)
    for name, link in mapping.links.items():
        links = joined.links.setdefault(name, {})
        for _, cells in export.rows:
            records = export.value(cells, link.record)
            account = export.value(cells, link.account)
            if records is None or account is None:
                continue
            for record in _LIST_SPLIT.split(records[0]):
                if record:
                    links.setdefault(
                        key_of(joined.system, record), key_of(joined.system, account[0])
                    )


def collect_rows(export: Export, joined: Joined) -> None:
    """The accounts and records of one file, added to `joined`."""
    mapping = export.mapping
    assert mapping is not None
    reader = _Reader(export, joined)
    system = joined.system
    account_mapping = mapping.account
    if account_mapping is None:
        return
    key_present = any(export.has(c) for c in account_mapping.key)
    if not key_present and not any(name in joined.links for name in mapping.records):
        joined.problems.append(
            Problem(
                Location(export.label, 1),
                f"no account column: expected one of {', '.join(account_mapping.key)}",
                hint=_no_account_hint(mapping),
            )
        )
        return
    latest_index = export.first([account_mapping.latest_by]) if account_mapping.latest_by else None
    name_columns = {
        norm(c) for spec in specs(account_mapping.fields.get("name", [])) for c in spec.columns
    }
    account_specs = {p: specs(s) for p, s in account_mapping.fields.items()}
    for line, cells in export.rows:
        if not _row_ok(export, cells, mapping):
            continue
        found = export.value(cells, account_mapping.key)
        raw_key = _LIST_SPLIT.split(found[0])[0] if found else ""
        if not raw_key:
            raw_key = _linked_account(export, cells, mapping, joined) or ""
        if not raw_key:
            what = _row_name(export, cells, mapping)
            joined.orphans.setdefault(export.label, []).append((export.where(line), what))
            continue
        key = key_of(system, raw_key)
        if found and norm(export.header[found[1]]) in name_columns:
            # Keyed by name (a report without the id column): the account another file of
            # this import names the same is the same account.
            key = joined.names.get(raw_key.casefold(), key)
        account = joined.accounts.get(key)
        if account is None:
            account = joined.accounts[key] = CrmAccount(key, system, export.where(line))
        if export.label not in account.files:
            account.files.append(export.label)
        if account.id is None and account_mapping.id:
            given = export.value(cells, account_mapping.id)
            account.id = given[0].casefold() if given else None
        if latest_index is not None:
            stamp = _sortable(export.cell(cells, latest_index))
            if stamp < account.latest.get(export.label, ""):
                continue
            account.latest[export.label] = stamp
            mine = f"{Path(export.label).name}:"
            for path in account_specs:
                if path in account.fields and account.fields[path].source.startswith(mine):
                    del account.fields[path]
        for path, spec_list in account_specs.items():
            if path in account.fields:
                continue
            got = reader.read(cells, line, "accounts", path, spec_list)
            if isinstance(got, Value):
                account.fields[path] = got
                account.missing.pop(path, None)
                if path == "name":
                    joined.names.setdefault(str(got.value).casefold(), key)
            elif isinstance(got, Problem):
                joined.problems.append(got)
                account.missing[path] = f"the CRM value is unreadable: {got.location}"
            else:
                account.missing.setdefault(path, got)
        for name, records in mapping.records.items():
            _collect_record(export, reader, cells, line, name, records, account, joined)


def _collect_record(
    export: Export,
    reader: _Reader,
    cells: list[str],
    line: int,
    name: str,
    mapping: Any,
    account: CrmAccount,
    joined: Joined,
) -> None:
    record_key = export.value(cells, mapping.key)
    match_spec = mapping.fields.get(mapping.match)
    if record_key is None and match_spec is None:
        return
    record = CrmRecord(key_of(joined.system, record_key[0]) if record_key else "", line)
    for path, spec in mapping.fields.items():
        got = reader.read(cells, line, name, path, specs(spec))
        if isinstance(got, Value):
            record.fields[path] = got
        elif isinstance(got, Problem):
            joined.problems.append(got)
            record.missing[path] = f"the CRM value is unreadable: {got.location}"
        else:
            record.missing[path] = got
    if mapping.match not in record.fields:
        return  # an account row without an opportunity or contact
    if not record.key:
        record.key = str(record.fields[mapping.match].value)
    items = account.records.setdefault(name, {})
    if record.key in items:
        known = items[record.key]
        for path, value in record.fields.items():
            known.fields.setdefault(path, value)
            known.missing.pop(path, None)
        return
    items[record.key] = record


def _linked_account(export: Export, cells: list[str], mapping: Mapping, joined: Joined) -> str:
    for name, records in mapping.records.items():
        own = export.value(cells, records.key)
        table = joined.links.get(name, {})
        if own is not None and key_of(joined.system, own[0]) in table:
            return table[key_of(joined.system, own[0])]
    return ""


def _row_name(export: Export, cells: list[str], mapping: Mapping) -> str:
    for records in mapping.records.values():
        spec = records.fields.get(records.match)
        if spec is not None:
            for one in specs(spec):
                found = export.value(cells, one.columns)
                if found:
                    return found[0]
    return ""


def _no_account_hint(mapping: Mapping) -> str:
    if "opportunities" in mapping.records and mapping.system == "hubspot":
        return (
            "export the deals with their associated company (Associated Company IDs), or import "
            "the companies export with its Associated Deal IDs column in the same command"
        )
    return "export the file with the account's id or name"


def _sortable(text: str) -> str:
    found = read_date(text, DateFormat(order="YMD")) or read_date(text, None)
    return found.isoformat() if found is not None else text


def read_exports(
    paths: Sequence[Path], options: ImportOptions
) -> tuple[list[Export], Joined, list[Problem]]:
    """Read, recognise and join every export of one import. Returns the problems that stop
    it (unreadable file, ambiguous column, unknown export) separately from those that only
    leave a field empty."""
    if options.system not in BUILT_IN_SYSTEMS:
        raise UsageError(f"unknown CRM '{options.system}'; expected salesforce, hubspot or csv")
    candidates = (
        [load_mapping(p) for p in options.mappings]
        if options.mappings
        else built_in(options.system)
    )
    stop: list[Problem] = []
    exports = []
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{display_path(path)}: no such file")
        try:
            export = read_export(path, options.encoding)
        except InputError as exc:
            stop.extend(exc.problems)
            continue
        export.mapping = choose_mapping(export, options, candidates)
        decide_formats(export, options, stop)
        exports.append(export)
    system = exports[0].mapping.system if exports and exports[0].mapping else options.system
    joined = Joined(system)
    if stop:
        return exports, joined, stop
    for export in exports:
        collect_lookups(export, joined)
    # Files naming accounts (objects, reports) before those that only add to them.
    ordered = sorted(
        exports, key=lambda e: 0 if e.mapping and e.mapping.account and not e.mapping.records else 1
    )
    for export in ordered:
        collect_rows(export, joined)
    return exports, joined, stop


def summary_line(export: Export) -> str:
    """How a file was read: its mapping, encoding, rows and the formats decided."""
    mapping = export.mapping.name if export.mapping else "?"
    if export.encoding == "xlsx":
        how = "Excel workbook"
    else:
        how = f"encoding {encoding_label(export.encoding)}" + (
            " (detected)" if export.detected else " (--encoding)"
        )
    notes = "; ".join(export.notes)
    return f"read      {export.label}: {mapping}; {how}; {len(export.rows)} row(s)" + (
        f"; {notes}" if notes else ""
    )


def import_exports(
    workspace: LoadedWorkspace, paths: Sequence[Path], options: ImportOptions
) -> ImportResult:
    """Create or update the account files of `workspace` from CRM exports (with
    `options.dry_run`, only report what would change). Raises InputError when an export
    cannot be read without guessing (encoding, ambiguous dates or numbers)."""
    from qbrgen.loading._crm_merge import write_accounts

    exports, joined, stop = read_exports(paths, options)
    if stop:
        raise InputError(stop)
    result = ImportResult(
        ", ".join(dict.fromkeys(e.mapping.name for e in exports if e.mapping)),
        dry_run=options.dry_run,
        read=[summary_line(e) for e in exports],
    )
    result.problems.extend(joined.problems)
    for rows in joined.orphans.values():
        names = [n for _, n in rows if n]
        result.problems.append(
            Problem(
                rows[0][0],
                f"{len(rows)} row(s) belong to no account and are not imported"
                + (
                    f" ({', '.join(repr(n) for n in names[:3])}{', ...' if len(names) > 3 else ''})"
                    if names
                    else ""
                ),
                severity="warning",
                hint="a row needs the account's id or name, or a link from another file",
            )
        )
    as_of = options.as_of or workspace.config.as_of or dt.date.today()
    write_accounts(workspace, joined, exports, options, as_of, result)
    return result


@dataclass
class FileResult:
    """What an import did to one account file."""

    path: str
    action: str  # created, updated, unchanged
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, value, source) of every value read, for --dry-run."""


@dataclass
class ImportResult:
    """Every file the import touched, in order."""

    mapping: str
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False
    read: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        own = sum(1 for p in self.problems if p.severity == "error")
        return own + sum(len([p for p in f.problems if p.severity == "error"]) for f in self.files)

    def lines(self) -> list[str]:
        out = [f"mapping: {self.mapping}" + (" (dry run: nothing written)" if self.dry_run else "")]
        out.extend(self.read)
        out.extend(f"  {p}" for p in self.problems)
        for item in self.files:
            action = (
                f"would {item.action[:-1]}"
                if self.dry_run and item.action != "unchanged"
                else item.action
            )
            head = f"{action:9} {item.path}"
            if item.action == "created":
                added = [c for c in item.changes if c.startswith("added ")]
                crm = [c for c in item.changes if c not in added]
                head += f": {len(crm)} field(s) from the export"
                head += f", {len(added)} record(s)" if added else ""
            elif item.changes:
                head += ": " + "; ".join(item.changes)
            out.append(head)
            if self.dry_run:
                out.extend(_source_lines(item.sources))
            if item.kept:
                out.append(
                    f"{'kept':9} {item.path}: "
                    + "; ".join(item.kept)
                    + " (edited by hand; --overwrite replaces)"
                )
            if item.missing:
                out.append(
                    f"{'missing':9} {item.path}: "
                    + ", ".join(item.missing)
                    + " (the CRM had no value: fill in by hand)"
                )
            out.extend(f"  {p}" for p in item.problems)
        counts = {
            a: sum(1 for f in self.files if f.action == a)
            for a in ("created", "updated", "unchanged")
        }
        out.append(
            f"{len(self.files)} account(s): {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged; {self.errors} error(s)"
        )
        return out


def _source_lines(sources: list[tuple[str, str, str]]) -> list[str]:
    """--dry-run: each field, its value and the export cell it came from; records grouped."""
    width = max((len(n.rpartition("'].")[2]) for n, _, _ in sources), default=0)
    out: list[str] = []
    group = ""
    for name, value, source in sources:
        head, sep, leaf = name.rpartition("'].")
        if sep:
            if head != group:
                out.append(f"    {head}']")
                group = head
            out.append(f"      {leaf:{width}}  {value}  ← {source}")
        else:
            out.append(f"    {name:{width + 2}}  {value}  ← {source}")
    return out
