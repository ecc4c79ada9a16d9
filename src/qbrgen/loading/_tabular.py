"""Shared by the workbook and CSV sources: turning tables into the nested account mapping
`Account` validates (and mapping a Pydantic error location back to the sheet cell, or CSV row
and column, it came from), and the reverse: an account as rows, for workbooks and CSV files.

A *table* is one sheet of a workbook or one CSV file: a header row, then data rows. The
Accounts table has one row per account (contract fields flattened into columns); every other
table has an "Account ID" column linking each row to its account. Which tables exist and their
columns: `_record_types`; reading one table's header and cells: `_tables`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qbrgen.errors import Location, ProblemList, some_of
from qbrgen.loading._record_types import (
    ACCOUNT_LINK,
    ACCOUNTS,
    GOAL_LINK,
    LIST_SEPARATOR,
    RECORD_TYPES,
    Column,
)
from qbrgen.loading._tables import CellReader, Table, is_blank, learn_formats, match_headers
from qbrgen.models import Account


@dataclass
class _Slot:
    """One account being assembled from its rows."""

    id: str
    table: Table
    row: int
    data: dict[str, Any]
    items: dict[str, list[tuple[Table, int]]] = field(default_factory=dict)
    milestones: dict[int, list[tuple[Table, int]]] = field(default_factory=dict)
    bad: bool = False

    def locate(self, loc: Sequence[str | int]) -> Location:
        if not loc:
            return self.table.at(self.row, "id")
        head = loc[0]
        if head == "contract":
            sub = loc[1] if len(loc) > 1 else None
            return self.table.at(self.row, f"contract.{sub}" if isinstance(sub, str) else "id")
        if head == "next_review" and len(loc) > 1 and loc[1] == "decisions":
            return self.locate(("decisions", *loc[2:]))
        if head == "next_review":
            sub = loc[1] if len(loc) > 1 else None
            return self.table.at(self.row, f"next_review.{sub}" if isinstance(sub, str) else "id")
        if isinstance(head, str) and head in self.items:
            rows = self.items[head]
            if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(rows):
                table = rows[0][0]
                return table.where(table.header_row, None)
            table, row = rows[loc[1]]
            name = loc[2] if len(loc) > 2 else None
            if name == "feature_adoption" and len(loc) > 3 and str(loc[3]) in table.features:
                return table.where(row, table.features[str(loc[3])])
            if head == "goals" and name == "milestones" and len(loc) > 3:
                found = self.milestones.get(loc[1], [])
                index = loc[3]
                if isinstance(index, int) and index < len(found):
                    m_table, m_row = found[index]
                    return m_table.at(m_row, str(loc[4]) if len(loc) > 4 else None)
            return table.at(row, str(name) if isinstance(name, str) else None)
        return self.table.at(self.row, str(head))


def _cell(cells: Sequence[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _set(data: dict[str, Any], path: str, value: object) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _set(data.setdefault(head, {}), rest, value)
    else:
        data[head] = value


def _record(table: Table, cells: Sequence[object], reader: CellReader) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in table.rtype.columns:
        index = table.columns.get(column.field)
        if index is None or column.field in (ACCOUNT_LINK, GOAL_LINK):
            continue
        value = reader.read(_cell(cells, index), column, table.formats.get(index))
        if value is not None:
            _set(data, column.field, value)
    if table.features:
        adoption = {}
        feature_column = Column("feature", "feature", "float")
        for feature, index in table.features.items():
            value = reader.read(_cell(cells, index), feature_column, table.formats.get(index))
            if value is not None:
                adoption[feature] = value
        if adoption:
            data["feature_adoption"] = adoption
    return data


def assemble(
    tables: Sequence[Table],
    label: str,
    reader: CellReader,
    problems: ProblemList,
    validate: Callable[[dict[str, Any], Callable[[Sequence[str | int]], Location]], Account | None],
    missing_accounts: Location,
) -> list[tuple[Account, _Slot]]:
    """Every account in the tables, validated; every problem recorded with its cell.

    A bad cell invalidates its account (like a bad YAML file does); the other accounts load.
    """
    accounts_table = next((t for t in tables if t.rtype is ACCOUNTS), None)
    if accounts_table is None:
        problems.add(
            missing_accounts,
            "no Accounts table: one row per account is needed (with Account ID, Name, ...)",
            hint="`qbrgen template-workbook FILE.xlsx` writes a workbook to start from",
        )
        return []
    slots: dict[str, _Slot] = {}
    duplicates: set[str] = set()
    if match_headers(accounts_table, problems):
        learn_formats(accounts_table, problems)
        id_column = ACCOUNTS.column("id")
        for row, cells in accounts_table.rows:
            if is_blank(cells):
                continue
            raw_id = reader.read(_cell(cells, accounts_table.columns["id"]), id_column)
            if raw_id is None:
                if row not in accounts_table.unknown_rows:
                    problems.add(accounts_table.at(row, "id"), "missing account id", "id")
                continue
            account_id = str(raw_id)
            if account_id in slots:
                first = slots[account_id]
                problems.add(
                    accounts_table.at(row, "id"),
                    f"account id '{account_id}' is used more than once: "
                    f"{first.table.at(first.row, 'id')} and {accounts_table.at(row, 'id')}",
                    "id",
                    hint="each account needs its own row",
                )
                duplicates.add(account_id)
                continue
            slots[account_id] = _Slot(
                account_id,
                accounts_table,
                row,
                _record(accounts_table, cells, reader),
                bad=row in accounts_table.unknown_rows,
            )
    order = {rt.key: i for i, rt in enumerate(RECORD_TYPES)}
    for table in sorted(
        (t for t in tables if t.rtype is not ACCOUNTS), key=lambda t: order[t.rtype.key]
    ):
        _read_child(table, slots, reader, problems, accounts_table.name)
    out = []
    for slot in slots.values():
        if slot.bad or slot.id in duplicates:
            continue
        account = validate(slot.data, slot.locate)
        if account is not None:
            out.append((account, slot))
    return out


def _read_child(
    table: Table,
    slots: dict[str, _Slot],
    reader: CellReader,
    problems: ProblemList,
    accounts_name: str,
) -> None:
    usable = match_headers(table, problems)
    learn_formats(table, problems)
    link_column = table.rtype.column(ACCOUNT_LINK)
    key = table.rtype.key
    for row, cells in table.rows:
        if is_blank(cells):
            continue
        raw_id = (
            reader.read(_cell(cells, table.columns[ACCOUNT_LINK]), link_column)
            if (ACCOUNT_LINK in table.columns)
            else None
        )
        if raw_id is None:
            if usable and row not in table.unknown_rows:
                problems.add(
                    table.at(row, ACCOUNT_LINK), "missing account id: the row belongs to no account"
                )
            continue
        slot = slots.get(str(raw_id))
        if slot is None:
            close = difflib.get_close_matches(str(raw_id), list(slots), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"add it to {accounts_name}"
            problems.add(
                table.at(row, ACCOUNT_LINK),
                f"no account '{raw_id}' in {accounts_name}",
                hint=hint,
            )
            continue
        if not usable or row in table.unknown_rows:
            slot.bad = True
            continue
        record = _record(table, cells, reader)
        if key == "milestones":
            _attach_milestone(table, row, cells, slot, record, reader, problems)
            continue
        if key == "decisions":  # decisions belong to the next review (on the Accounts row)
            slot.data.setdefault("next_review", {}).setdefault("decisions", []).append(record)
            slot.items.setdefault(key, []).append((table, row))
            continue
        slot.data.setdefault(key, []).append(record)
        slot.items.setdefault(key, []).append((table, row))


def _attach_milestone(
    table: Table,
    row: int,
    cells: Sequence[object],
    slot: _Slot,
    record: dict[str, Any],
    reader: CellReader,
    problems: ProblemList,
) -> None:
    title = reader.read(_cell(cells, table.columns[GOAL_LINK]), table.rtype.column(GOAL_LINK))
    goals = slot.data.get("goals", [])
    wanted = str(title or "").casefold()
    index = next(
        (i for i, g in enumerate(goals) if str(g.get("title", "")).casefold() == wanted), None
    )
    if index is None:
        known = some_of([repr(g.get("title")) for g in goals], close_to=repr(title))
        problems.add(
            table.at(row, GOAL_LINK),
            f"account '{slot.id}' has no goal titled {title!r} on the Goals table (its goals: {known})",
            "goal",
        )
        slot.bad = True
        return
    goals[index].setdefault("milestones", []).append(record)
    slot.milestones.setdefault(index, []).append((table, row))


def feature_names(accounts: Iterable[Account]) -> list[str]:
    """Feature adoption names across the accounts, in first-seen order."""
    seen: dict[str, None] = {}
    for account in accounts:
        for period in account.usage:
            seen.update(dict.fromkeys(period.feature_adoption))
    return list(seen)


def _get(data: dict[str, Any], path: str) -> object:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell_value(value: object) -> object:
    if isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value) if value else None
    return value


def account_rows(account: Account, features: Sequence[str]) -> dict[str, list[list[object]]]:
    """The rows of each table for one account, cells in `columns_for(rtype, features)` order."""
    data = account.model_dump(mode="python")
    out: dict[str, list[list[object]]] = {}
    for rtype in RECORD_TYPES:
        if rtype is ACCOUNTS:
            records = [data]
        elif rtype.key == "decisions":
            records = (data.get("next_review") or {}).get("decisions") or []
        elif rtype.key == "milestones":
            records = [
                {**m, GOAL_LINK: goal["title"]}
                for goal in data["goals"]
                for m in goal["milestones"]
            ]
        else:
            records = data[rtype.key]
        rows = []
        for record in records:
            record = {**record, ACCOUNT_LINK: account.id}
            cells = [_cell_value(_get(record, c.field)) for c in rtype.columns]
            if rtype.features:
                adoption = record.get("feature_adoption") or {}
                cells.extend(adoption.get(name) for name in features)
            rows.append(cells)
        out[rtype.key] = rows
    return out
