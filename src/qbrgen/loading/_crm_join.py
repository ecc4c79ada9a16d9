"""`qbrgen import`, stage 2: turn the rows of every export into accounts, joining files by
their ids (Account, Opportunity, Contact, User, ...) or report rows by account name; rows
that belong to no account are kept aside to be reported."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbrgen.errors import Location, Problem
from qbrgen.loading._crm_mapping import FieldSpec, Mapping, specs
from qbrgen.loading._crm_read import Export, field_column
from qbrgen.loading._formats import DateFormat, read_date
from qbrgen.loading._record_types import Column, norm
from qbrgen.loading._tables import CellReader

_LIST_SPLIT = re.compile(r"\s*[;,]\s*")


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
        column = field_column(owner, path)
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
