"""Shared by the workbook and CSV sources: record types ↔ sheet names, forgiving header
matching, turning rows into the nested account mapping `Account` validates, and mapping a
Pydantic error location back to the sheet cell (or CSV row and column) it came from.

A *table* is one sheet of a workbook or one CSV file: a header row, then data rows. The
Accounts table has one row per account (contract fields flattened into columns); every other
table has an "Account ID" column linking each row to its account.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from qbrgen.errors import Location, ProblemList, some_of
from qbrgen.loading._formats import (
    AmbiguousColumn,
    DateFormat,
    decide_date_format,
    decide_decimal_mark,
    decimal_marks,
    read_date,
    read_number,
)
from qbrgen.models import (
    Account,
    Action,
    ArrMovement,
    ArrSnapshot,
    BusinessReview,
    Contract,
    Decision,
    Goal,
    Interaction,
    Milestone,
    NextReview,
    Opportunity,
    Priority,
    Renewal,
    Risk,
    RoadmapItem,
    Stakeholder,
    SurveyResponse,
    Ticket,
    UsagePeriod,
    Win,
)

Kind = Literal["str", "int", "float", "decimal", "bool", "date", "datetime", "list", "literal"]

ACCOUNT_LINK = "account_id"
"""The field name of the column linking a row of a child table to its account."""
GOAL_LINK = "goal"
"""The field name of the Milestones column naming the goal a milestone belongs to."""
FEATURE_PREFIX = "feature:"
"""Usage columns named `feature:<name>` hold feature adoption (0-1 or a percentage)."""
LIST_SEPARATOR = ";"
"""Lists in one cell (products, attendees) are separated by semicolons or line breaks."""
IGNORED_TABLES = frozenset({"readme", "instructions", "help", "lists", "notes"})
"""Sheets with these names (or starting with '_') are documentation, not data."""


def norm(text: object) -> str:
    """Header/sheet key: case, spaces, underscores, hyphens, dots and '*' do not matter."""
    return re.sub(r"[\s_\-.*]+", "", str(text).casefold())


@dataclass(frozen=True)
class Column:
    """One column of a table: the field it fills, how cells are read, and the header written."""

    field: str
    """Field path inside the row's record ('contract.arr' on the Accounts table)."""
    header: str
    """Header written in workbooks and CSV files."""
    kind: Kind
    choices: tuple[str, ...] = ()
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        """Every normalised header that names this column."""
        return {norm(self.field), norm(self.header), *(norm(a) for a in self.aliases)}


@dataclass(frozen=True)
class RecordType:
    """One kind of record: the Accounts table or one list field of the account."""

    key: str
    """'accounts', an Account list field ('stakeholders'), or 'milestones' (under goals)."""
    sheet: str
    """Sheet name in a workbook; the CSV file name part is `key`."""
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    features: bool = False
    """Accepts `feature:<name>` columns (usage)."""

    def names(self) -> set[str]:
        """Every normalised sheet/file name that means this record type."""
        return {norm(self.key), norm(self.sheet), *(norm(a) for a in self.aliases)}

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


_ACRONYMS = {"arr": "ARR", "id": "ID", "nps": "NPS", "qbr": "QBR"}


def _header(name: str) -> str:
    words = [_ACRONYMS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, optional?) of `X | None` / Optional / Annotated."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _kind(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    inner, _ = _unwrap(annotation)
    if get_origin(inner) is Literal:
        return "literal", tuple(str(a) for a in get_args(inner))
    if get_origin(inner) is list:
        return "list", ()
    simple: dict[Any, Kind] = {
        bool: "bool",
        int: "int",
        float: "float",
        Decimal: "decimal",
        dt.datetime: "datetime",
        dt.date: "date",
    }
    return simple.get(inner, "str"), ()


def _columns(
    model: type[BaseModel],
    skip: Iterable[str] = (),
    prefix: str = "",
    header_prefix: str = "",
) -> list[Column]:
    out = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        kind, choices = _kind(info.annotation)
        path = prefix + name
        aliases = (f"{prefix.rstrip('.')}_{name}",) if prefix else ()
        out.append(
            Column(
                field=path,
                header=_header(header_prefix + name) if header_prefix else _header(name),
                kind=kind,
                choices=choices,
                required=info.is_required(),
                description=info.description or "",
                aliases=aliases,
            )
        )
    return out


def _link(
    description: str = "The account this row belongs to (its id on the Accounts sheet).",
) -> Column:
    return Column(
        ACCOUNT_LINK,
        "Account ID",
        "str",
        required=True,
        description=description,
        aliases=("account", "account id", "accountid"),
    )


def _account_columns() -> tuple[Column, ...]:
    lists = {n for n, i in Account.model_fields.items() if _kind(i.annotation)[0] == "list"}
    own = _columns(Account, skip={"contract", "notes", "next_review", *lists})
    own[0] = replace(own[0], header="Account ID", aliases=("account id", "account_id"))
    contract = _columns(Contract, prefix="contract.")
    # Contract columns are written 'ARR', 'Start date'; 'Contract ARR' and 'contract_arr' match too.
    contract = [replace(c, aliases=(*c.aliases, f"contract {c.field[9:]}")) for c in contract]
    # The review being prepared: its date, attendees and objectives on the account's row, its
    # decisions on their own sheet.
    review = _columns(
        NextReview, skip={"decisions"}, prefix="next_review.", header_prefix="next_review_"
    )
    review = [replace(c, required=False) for c in review]
    notes = _columns(Account, skip=set(Account.model_fields) - {"notes"})
    return (*own, *contract, *review, *notes)


def _child(
    key: str, sheet: str, model: type[BaseModel], *aliases: str, skip: Iterable[str] = ()
) -> RecordType:
    columns = _columns(model, skip=skip)
    if key == "tickets":  # 'ID' alone would read like the account's id
        columns[0] = replace(columns[0], header="Ticket ID", aliases=("ticket", "ticket number"))
    return RecordType(key, sheet, (_link(), *columns), aliases)


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("accounts", "Accounts", _account_columns(), ("account", "account list")),
    _child(
        "arr_movements",
        "ARR movements",
        ArrMovement,
        "arr movement",
        "revenue movements",
        "movements",
    ),
    _child(
        "arr_snapshots", "ARR snapshots", ArrSnapshot, "arr snapshot", "arr by quarter", "revenue"
    ),
    _child("renewals", "Renewals", Renewal, "renewal"),
    RecordType(
        "usage",
        "Usage",
        (_link(), *_columns(UsagePeriod, skip={"feature_adoption"})),
        ("usage periods",),
        features=True,
    ),
    _child("tickets", "Tickets", Ticket, "ticket", "escalations", "support tickets"),
    _child("stakeholders", "Stakeholders", Stakeholder, "stakeholder", "contacts"),
    _child("reviews", "Reviews", BusinessReview, "review", "business reviews", "qbrs"),
    _child("surveys", "Surveys", SurveyResponse, "survey", "nps", "csat", "survey responses"),
    _child("goals", "Goals", Goal, "goal", skip={"milestones"}),
    RecordType(
        "milestones",
        "Milestones",
        (
            _link(),
            Column(
                GOAL_LINK,
                "Goal",
                "str",
                required=True,
                description="Title of the goal (on the Goals sheet) this milestone belongs to.",
                aliases=("goal title",),
            ),
            *_columns(Milestone),
        ),
        ("milestone",),
    ),
    _child("risks", "Risks", Risk, "risk", "risk register"),
    _child("opportunities", "Opportunities", Opportunity, "opportunity", "expansion"),
    _child("actions", "Actions", Action, "action", "next steps", "action plan"),
    _child(
        "interactions", "Interactions", Interaction, "interaction", "interaction log", "activities"
    ),
    _child("wins", "Wins", Win, "win", "value delivered"),
    _child("roadmap", "Roadmap", RoadmapItem, "roadmap items"),
    _child("priorities", "Priorities", Priority, "priority", "customer priorities"),
    _child("decisions", "Decisions", Decision, "decision", "decisions needed"),
)
"""Every record type, in sheet order. Goals come before Milestones (milestones attach to goals)."""

BY_NAME: dict[str, RecordType] = {name: rt for rt in RECORD_TYPES for name in rt.names()}
ACCOUNTS = RECORD_TYPES[0]


def record_type(name: str) -> RecordType | None:
    """The record type a sheet or CSV name part means ('ARR Movements' → arr_movements)."""
    return BY_NAME.get(norm(name))


def is_documentation(name: str) -> bool:
    """Sheets like README or _lists hold help, not records: skipped without a warning."""
    return name.startswith("_") or norm(name) in IGNORED_TABLES


# ---------------------------------------------------------------------------------------------
# Reading cell values


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


# ---------------------------------------------------------------------------------------------
# Tables and assembling accounts


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


def header_index(rows: Sequence[tuple[int, Sequence[object]]]) -> int | None:
    """Index of the header row: the first with two or more filled cells (a title line or a
    note above the table is skipped)."""
    for index, (_, cells) in enumerate(rows):
        if sum(1 for c in cells if not _is_blank([c])) >= 2:
            return index
    return None


def _is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


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
            if _is_blank(cells):
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
        if _is_blank(cells):
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


# ---------------------------------------------------------------------------------------------
# Writing: an account as rows, for workbooks and CSV files


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


def headers_for(rtype: RecordType, features: Sequence[str]) -> list[str]:
    """The header row of a table."""
    headers = [c.header for c in rtype.columns]
    if rtype.features:
        headers.extend(FEATURE_PREFIX + name for name in features)
    return headers
