"""Column mappings for `qbrgen import`: which export column fills which account field, how a
file is recognised, and the lookups (owner ids → names) and links (deal → company) that join
several export files of one CRM. Built-in mappings live in `mappings/*.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qbrgen.errors import InputError, Location, Problem, display_path
from qbrgen.loading._record_types import ACCOUNTS, record_type

MAPPINGS_DIR = Path(__file__).parent / "mappings"
BUILT_IN_SYSTEMS = ("salesforce", "hubspot", "csv")


class FieldSpec(BaseModel):
    """How one field is read from the export."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str]
    """Candidate columns; the first one present in the export is used."""
    join: str | None = None
    """Join every present column with this text instead (e.g. first and last name)."""
    values: dict[str, str] = Field(default_factory=dict)
    """CRM value → qbrgen value (case, spaces and punctuation ignored). A value not listed is
    an error, unless '*' gives the value for every other one."""
    bands: list[tuple[float, str]] = Field(default_factory=list)
    """For numeric columns: [[threshold, value], ...], the first threshold ≤ the number wins."""
    lookup: str | None = None
    """The column holds an id to look up in a table another file of the import provides
    (e.g. 'users': a Salesforce OwnerId → the User's name)."""
    date_format: str | None = None
    """How this column writes dates (MM/DD/YYYY, DD.MM.YYYY, ...); else decided from its values."""


Spec = str | list[str] | FieldSpec | list[FieldSpec]


def specs(spec: Spec) -> list[FieldSpec]:
    """A field's specs, tried in order (a column or list of columns is one spec)."""
    if isinstance(spec, FieldSpec):
        return [spec]
    if isinstance(spec, str):
        return [FieldSpec(columns=[spec])]
    if all(isinstance(s, str) for s in spec):
        return [FieldSpec(columns=[str(s) for s in spec])]
    return [s if isinstance(s, FieldSpec) else FieldSpec(columns=[str(s)]) for s in spec]


class RecordMapping(BaseModel):
    """How export rows become items of one account list (opportunities, stakeholders)."""

    model_config = ConfigDict(extra="forbid")

    key: list[str]
    """Candidate columns identifying the item across imports (a CRM id is best)."""
    match: str
    """Item field that finds the item again in the account file (e.g. title)."""
    fields: dict[str, Spec]
    defaults: dict[str, Any] = Field(default_factory=dict)
    """Values you choose for fields the export lacks (built-in mappings have none)."""


class AccountMapping(BaseModel):
    """How export rows become accounts (or add fields to accounts of other files)."""

    model_config = ConfigDict(extra="forbid")

    key: list[str]
    """Candidate columns identifying the account across imports (a CRM id is best)."""
    id: list[str] = Field(default_factory=list)
    """Optional columns holding the qbrgen account id; else the name is turned into one."""
    fields: dict[str, Spec] = Field(default_factory=dict)
    """Account field ('name', 'contract.arr', ...) → column(s)."""
    defaults: dict[str, Any] = Field(default_factory=dict)
    """Values you choose for fields the export lacks; 'today' and 'today+365d' work for dates.
    Built-in mappings have none: what the CRM does not hold is left for you to fill in."""
    latest_by: str | None = None
    """Several rows for one account (contracts): the row with the latest date in this column
    gives the fields."""


class LookupMapping(BaseModel):
    """A table this file provides to the others: id → value (e.g. User Id → Name)."""

    model_config = ConfigDict(extra="forbid")

    key: list[str]
    value: Spec


class LinkMapping(BaseModel):
    """Rows linking records of another file to accounts (HubSpot's deal ↔ company)."""

    model_config = ConfigDict(extra="forbid")

    record: list[str]
    """Column(s) holding record ids (several may share a cell, separated by ';' or ',')."""
    account: list[str]
    """Column(s) holding the account key."""


class Mapping(BaseModel):
    """A column mapping file."""

    model_config = ConfigDict(extra="forbid")

    name: str = "custom mapping"
    system: str = "crm"
    """Namespace of CRM keys in the import record (salesforce, hubspot, ...)."""
    detect: list[list[str]] = Field(default_factory=list)
    """Sets of columns; a file with every column of one set (and none of `detect_not`) is
    this kind of export. The mapping matching the largest set wins."""
    detect_not: list[str] = Field(default_factory=list)
    date_format: str | None = None
    """How every date column of the file is written; else decided per column from its values."""
    decimal_separator: str | None = None
    """'.' or ','; else decided per column from its values."""
    skip: dict[str, list[str]] = Field(default_factory=dict)
    """Rows whose column holds one of these values are not read (IsDeleted: [true, 1])."""
    only: dict[str, list[str]] = Field(default_factory=dict)
    """Only rows whose column holds one of these values are read (Status: [Activated])."""
    account: AccountMapping | None = None
    records: dict[str, RecordMapping] = Field(default_factory=dict)
    lookups: dict[str, LookupMapping] = Field(default_factory=dict)
    links: dict[str, LinkMapping] = Field(default_factory=dict)

    @field_validator("detect", mode="before")
    @classmethod
    def _one_set(cls, value: Any) -> Any:
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return [value]
        return value


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the field."""
    import yaml

    from qbrgen.loading._formats import parse_date_format, parse_decimal_mark
    from qbrgen.loading._messages import describe_all, field_path

    label = display_path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem(Location(label), f"cannot read mapping: {str(exc).splitlines()[0]}")]
        ) from exc
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(Location(label), message, field_path(loc))
                for loc, message in describe_all(exc, Mapping)
            ]
        ) from exc
    problems = []
    for name in mapping.records:
        rtype = record_type(name)
        if rtype is None or rtype is ACCOUNTS or rtype.key == "milestones" or rtype.key != name:
            problems.append(
                Problem(Location(label), f"unknown record list '{name}'", f"records.{name}")
            )
    formats = [("date_format", mapping.date_format)]
    for where, spec_map in _all_specs(mapping):
        for path_name, spec in spec_map.items():
            formats += [(f"{where}.{path_name}.date_format", s.date_format) for s in specs(spec)]
    for where, text in formats:
        if text:
            try:
                parse_date_format(text)
            except ValueError as exc:
                problems.append(Problem(Location(label), str(exc), where))
    if mapping.decimal_separator:
        try:
            parse_decimal_mark(mapping.decimal_separator)
        except ValueError as exc:
            problems.append(Problem(Location(label), str(exc), "decimal_separator"))
    if problems:
        raise InputError(problems)
    return mapping


def _all_specs(mapping: Mapping) -> list[tuple[str, dict[str, Spec]]]:
    out: list[tuple[str, dict[str, Spec]]] = []
    if mapping.account:
        out.append(("account.fields", mapping.account.fields))
    out += [(f"records.{n}.fields", r.fields) for n, r in mapping.records.items()]
    return out


def built_in(system: str) -> list[Mapping]:
    """The built-in mappings of a CRM (every `mappings/<system>-*.yaml`)."""
    return [load_mapping(p) for p in sorted(MAPPINGS_DIR.glob(f"{system}-*.yaml"))]


def identity_mapping() -> Mapping:
    """`--from csv` without a mapping: the export uses qbrgen's own Accounts column names."""
    fields: dict[str, Spec] = {
        c.field: FieldSpec(columns=[c.header, c.field]) for c in ACCOUNTS.columns if c.field != "id"
    }
    return Mapping(
        name="qbrgen columns",
        system="csv",
        account=AccountMapping(
            key=["Account ID", "id", "Name"], id=["Account ID", "id"], fields=fields
        ),
    )
