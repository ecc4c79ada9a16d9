"""Account data from CSV files: a set `<book>.accounts.csv`, `<book>.stakeholders.csv`, ...
(one file per record type, the same columns as the workbook sheets), or one flat CSV of
accounts. The delimiter (`,` `;` tab) and encoding (UTF-8 with or without BOM, UTF-16,
Windows-1252, Shift_JIS, GB18030, EUC-KR) are detected; numbers and dates may be ISO or in
the one format that fits every value of their column (see `_formats`).

Problems are located as `file:line:column` (line of the record in the file, column number).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import Location, ProblemList, display_path
from qbrgen.loading import SourcedAccount, register_source, validate_account
from qbrgen.loading._formats import EncodingError, decode_text
from qbrgen.loading._record_types import (
    ACCOUNTS,
    RECORD_TYPES,
    RecordType,
    headers_for,
    record_type,
)
from qbrgen.loading._tables import CellReader, Table, header_index
from qbrgen.loading._tabular import account_rows, assemble, feature_names
from qbrgen.models import Account

MAX_CSV_BYTES = 100 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


class CsvFileError(Exception):
    """A file that cannot be read as CSV; the message is one line."""


def sniff_delimiter(first_line: str) -> str:
    """The delimiter used in a header line: the most frequent of `,` `;` tab outside quotes."""
    bare = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvText:
    """A CSV file's records and how it was read."""

    rows: list[tuple[int, list[str]]]
    """Every record as (line number where it starts, cells)."""
    encoding: str
    detected: bool
    """False when the encoding was given by the user."""
    delimiter: str


def read_csv_text(path: Path, encoding: str | None = None) -> CsvText:
    """Read a CSV file: encoding (detected unless given) and delimiter. Raises CsvFileError."""
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise CsvFileError(
                f"file is {size // (1024 * 1024)} MB; refused (limit {MAX_CSV_BYTES // (1024 * 1024)} MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(f"cannot read file: {exc.strerror}") from exc
    if b"\x00\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError("this is a binary file, not CSV")
    try:
        text, used, detected = decode_text(raw, encoding)
    except EncodingError as exc:
        raise CsvFileError(str(exc)) from exc
    if "\x00" in text:
        raise CsvFileError("this is a binary file, not CSV")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    skip = 0
    match = re.fullmatch(r'"?sep=(.)"?', first.strip())
    if match:  # Excel's 'sep=;' hint line
        delimiter, skip = match.group(1), 1
    else:
        delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    line = 1
    try:
        for cells in reader:
            if skip:
                skip -= 1
            else:
                out.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CsvFileError(f"line {reader.line_num}: not valid CSV: {exc}") from exc
    return CsvText(out, used, detected, delimiter)


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Every record of a CSV file as (line number where it starts, cells). Raises CsvFileError."""
    return read_csv_text(path).rows


def _split_name(path: Path) -> tuple[str, RecordType | None]:
    """'book.stakeholders.csv' → ('book', stakeholders); 'flat.csv' → ('flat', None)."""
    stem = path.name[: -len(path.suffix)]
    base, dot, part = stem.rpartition(".")
    if dot:
        found = record_type(part)
        if found is not None:
            return base, found
    return stem, None


def _set_members(path: Path, base: str) -> list[tuple[Path, RecordType]]:
    members = []
    for sibling in sorted(path.parent.iterdir()):
        if sibling.suffix.lower() != ".csv" or not sibling.is_file():
            continue
        sibling_base, rtype = _split_name(sibling)
        if rtype is not None and sibling_base == base:
            members.append((sibling, rtype))
    return members


def read_csv(path: Path, workspace: LoadedWorkspace, problems: ProblemList) -> list[SourcedAccount]:
    """Accounts from a CSV file (and, for `<book>.accounts.csv`, the rest of its set)."""
    label = display_path(path, workspace.root)
    base, rtype = _split_name(path)
    if rtype is not None and rtype is not ACCOUNTS:
        accounts_file = next((p for p, rt in _set_members(path, base) if rt is ACCOUNTS), None)
        if accounts_file is None:
            problems.add(
                Location(label),
                f"no {base}.accounts.csv beside this file: its rows have no accounts to belong to",
                hint="a CSV set is <name>.accounts.csv plus <name>.<record type>.csv files",
            )
        return []  # read together with its accounts file
    members = _set_members(path, base) if rtype is ACCOUNTS else [(path, ACCOUNTS)]
    tables: list[Table] = []
    for member, member_type in members:
        member_label = display_path(member, workspace.root)
        try:
            rows = read_rows(member)
        except CsvFileError as exc:
            problems.add(Location(member_label), str(exc))
            if member_type is ACCOUNTS:
                return []
            continue
        header_at = header_index(rows)
        if header_at is None:
            if member_type is ACCOUNTS:
                problems.add(Location(member_label), "the file is empty")
                return []
            continue

        def where(row: int, column: int | None, member_label: str = member_label) -> Location:
            return Location(member_label, row, None if column is None else column + 1)

        tables.append(
            Table(
                rtype=member_type,
                name=member_label,
                header_row=rows[header_at][0],
                headers=rows[header_at][1],
                rows=rows[header_at + 1 :],
                where=where,
            )
        )
    reader = CellReader()

    def validate(data: dict[str, Any], locate: Any) -> Account | None:
        return validate_account(data, label, locate, problems)

    found = assemble(tables, label, reader, problems, validate, Location(label))
    return [SourcedAccount(account, label, slot.locate) for account, slot in found]


register_source(".csv", read_csv)


def write_csv_set(accounts: Iterable[Account], folder: Path, base: str) -> list[Path]:
    """Write `accounts` as a CSV set `<base>.<record type>.csv` (record types with rows, and
    always the accounts file). Dates are ISO, lists are ';'-separated."""
    accounts = list(accounts)
    features = feature_names(accounts)
    rows: dict[str, list[list[object]]] = {rt.key: [] for rt in RECORD_TYPES}
    for account in accounts:
        for key, more in account_rows(account, features).items():
            rows[key].extend(more)
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for rtype in RECORD_TYPES:
        if not rows[rtype.key] and rtype is not ACCOUNTS:
            continue
        path = folder / f"{base}.{rtype.key}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers_for(rtype, features))
            writer.writerows([_csv_value(v) for v in row] for row in rows[rtype.key])
        written.append(path)
    return written


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
