"""The record types of a tabular account source: which tables (sheets or CSV files) exist, their
columns derived from the Pydantic models (header names, kinds, links to the account or goal),
and the forgiving lookup of a table by its name."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

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


def headers_for(rtype: RecordType, features: Sequence[str]) -> list[str]:
    """The header row of a table."""
    headers = [c.header for c in rtype.columns]
    if rtype.features:
        headers.extend(FEATURE_PREFIX + name for name in features)
    return headers
