"""`qbrgen import`: turn a CRM report export (Salesforce, HubSpot, any CSV) into account files.

A *mapping* (YAML; built-ins in `mappings/`) says which export column fills which account
field. Rows are grouped into accounts by the mapping's account key; list records
(opportunities, stakeholders) come one per row. Account files are written or updated with
ruamel.yaml round-trip, so comments and hand-added fields survive.

What came from the CRM is remembered in `.qbrgen-import.json` in the workspace: the value
of every field at the last import. A re-import updates a field only while the file still
holds that value; a field the account manager changed by hand is kept (unless `overwrite`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import InputError, Location, Problem, ProblemList, UsageError, display_path
from qbrgen.loading._tabular import ACCOUNTS, CellReader, Column, norm, record_type
from qbrgen.output import atomic_write

MAPPINGS_DIR = Path(__file__).parent / "mappings"
BUILT_IN: dict[str, tuple[str, ...]] = {
    "salesforce": ("salesforce-accounts", "salesforce-contacts"),
    "hubspot": ("hubspot-companies", "hubspot-deals"),
    "csv": (),
}
STATE_FILE = ".qbrgen-import.json"
FILL_IN = "fill in by hand"
_MISSING = object()


class FieldSpec(BaseModel):
    """How one field is read from the export."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str]
    """Candidate columns; the first one present in the export is used."""
    join: str | None = None
    """Join every present column with this text instead (e.g. first and last name)."""
    values: dict[str, str] = Field(default_factory=dict)
    """CRM value → qbrgen value (case and spaces ignored); '*' catches every other value."""
    bands: list[tuple[float, str]] = Field(default_factory=list)
    """For numeric columns: [[threshold, value], ...], the first threshold ≤ the number wins."""


Spec = str | list[str] | FieldSpec


class RecordMapping(BaseModel):
    """How export rows become items of one account list (opportunities, stakeholders)."""

    model_config = ConfigDict(extra="forbid")

    key: list[str]
    """Candidate columns identifying the item across imports (a CRM id is best)."""
    match: str
    """Item field that finds the item again in the account file (e.g. title)."""
    fields: dict[str, Spec]
    defaults: dict[str, Any] = Field(default_factory=dict)
    """Values for required fields the export lacks (listed as 'fill in by hand')."""


class AccountMapping(BaseModel):
    """How export rows become accounts."""

    model_config = ConfigDict(extra="forbid")

    key: list[str]
    """Candidate columns identifying the account across imports (a CRM id is best)."""
    id: list[str] = Field(default_factory=list)
    """Optional columns holding the qbrgen account id; else the name is turned into one."""
    fields: dict[str, Spec] = Field(default_factory=dict)
    """Account field ('name', 'contract.arr', ...) → column(s)."""
    defaults: dict[str, Any] = Field(default_factory=dict)
    """Values for required fields the export lacks; 'today' and 'today+365d' work for dates."""


class Mapping(BaseModel):
    """A column mapping file."""

    model_config = ConfigDict(extra="forbid")

    name: str = "custom mapping"
    system: str = "crm"
    """Namespace of CRM keys in the import record (salesforce, hubspot, ...)."""
    detect: list[str] = Field(default_factory=list)
    """Columns that must all be present for a built-in mapping to be chosen."""
    account: AccountMapping
    records: dict[str, RecordMapping] = Field(default_factory=dict)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the field."""
    import yaml

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
    if problems:
        raise InputError(problems)
    return mapping


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


# ---------------------------------------------------------------------------------------------
# Reading the export


@dataclass
class _Export:
    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.header):
            self.index.setdefault(norm(name), i)

    def has(self, column: str) -> bool:
        return norm(column) in self.index

    def first(self, columns: Sequence[str]) -> int | None:
        return next((self.index[norm(c)] for c in columns if norm(c) in self.index), None)


def _read_export(path: Path) -> _Export:
    """The export's header and rows (CSV, or the first sheet of an .xlsx export). Title lines
    above the table (a report name, its filters) are skipped: the header is the first row
    with at least two filled cells."""
    from qbrgen.loading.csv_source import CsvFileError, read_rows

    label = display_path(path)
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else read_rows(path)
    except CsvFileError as exc:
        raise InputError([Problem(Location(label), str(exc))]) from exc
    rows = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    start = next(
        (i for i, (_, cells) in enumerate(rows) if sum(1 for c in cells if c.strip()) >= 2), None
    )
    if start is None:
        raise InputError([Problem(Location(label), "the export is empty")])
    (_, header), *data = rows[start:]
    return _Export(label, [h.strip() for h in header], data)


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


def choose_mapping(system: str, export: _Export, mapping_file: Path | None) -> Mapping:
    """The user's mapping, else the built-in one for `system` whose columns the export has."""
    if mapping_file is not None:
        return load_mapping(mapping_file)
    if system == "csv":
        return identity_mapping()
    names = BUILT_IN.get(system)
    if names is None:
        raise UsageError(f"unknown CRM '{system}'; expected salesforce, hubspot or csv")
    for name in names:
        mapping = load_mapping(MAPPINGS_DIR / f"{name}.yaml")
        if all(export.has(c) for c in mapping.detect):
            return mapping
    expected = "; ".join(
        f"{load_mapping(MAPPINGS_DIR / f'{n}.yaml').name}: {', '.join(load_mapping(MAPPINGS_DIR / f'{n}.yaml').detect)}"
        for n in names
    )
    raise UsageError(
        f"{export.label}: does not look like a {system} export I know (expected columns — {expected}); "
        "write a mapping and pass it with --mapping (see docs/spreadsheets-and-crm.md)"
    )


def _spec(spec: Spec) -> FieldSpec:
    if isinstance(spec, FieldSpec):
        return spec
    return FieldSpec(columns=[spec] if isinstance(spec, str) else list(spec))


def _raw(export: _Export, cells: list[str], spec: FieldSpec) -> str | None:
    def cell(i: int) -> str:
        return cells[i].strip() if i < len(cells) else ""

    if spec.join is not None:
        parts = [cell(export.index[norm(c)]) for c in spec.columns if export.has(c)]
        text = spec.join.join(p for p in parts if p)
        return text or None
    found = [export.index[norm(c)] for c in spec.columns if export.has(c)]
    for index in found:
        if cell(index):
            return cell(index)
    return None


def _translate(value: str, spec: FieldSpec) -> str:
    if spec.bands:
        try:
            number = float(re.sub(r"[^\d.\-]", "", value))
        except ValueError:
            number = None
        if number is not None:
            for threshold, result in spec.bands:
                if number >= threshold:
                    return result
    if spec.values:
        table = {norm(k): v for k, v in spec.values.items() if k != "*"}
        return table.get(norm(value), spec.values.get("*", value))
    return value


def _columns_for(owner: str) -> dict[str, Column]:
    rtype = record_type(owner)
    assert rtype is not None
    return {c.field: c for c in rtype.columns}


@dataclass
class _CrmRecord:
    key: str
    line: int
    fields: dict[str, Any]


@dataclass
class _CrmAccount:
    key: str
    line: int
    id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    records: dict[str, list[_CrmRecord]] = field(default_factory=dict)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")[:64].strip("-")
    return slug


def _group(export: _Export, mapping: Mapping, reader: CellReader) -> list[_CrmAccount]:
    key_index = export.first(mapping.account.key)
    if key_index is None:
        raise InputError(
            [
                Problem(
                    Location(export.label, 1),
                    f"no account key column: expected one of {', '.join(mapping.account.key)}",
                )
            ]
        )
    account_columns = _columns_for("accounts")
    specs = {path: _spec(s) for path, s in mapping.account.fields.items()}
    groups: dict[str, _CrmAccount] = {}
    for line, cells in export.rows:
        raw_key = cells[key_index].strip() if key_index < len(cells) else ""
        if not raw_key:
            continue  # footer lines (Salesforce's copyright rows) and blank keys
        raw_key = re.split(r"[;,]", raw_key)[0].strip()  # several associated ids: the first
        group = groups.setdefault(raw_key, _CrmAccount(raw_key, line))
        if group.id is None and mapping.account.id:
            found = _raw(export, cells, FieldSpec(columns=mapping.account.id))
            group.id = found.casefold() if found else None
        for path, spec in specs.items():
            if path in group.fields:
                continue
            raw = _raw(export, cells, spec)
            if raw is None:
                continue
            column = account_columns.get(path)
            group.fields[path] = reader.read(_translate(raw, spec), column) if column else raw
        for name, records in mapping.records.items():
            record = _record(export, cells, line, records, _columns_for(name), reader)
            if record is not None:
                group.records.setdefault(name, []).append(record)
    return list(groups.values())


def _record(
    export: _Export,
    cells: list[str],
    line: int,
    mapping: RecordMapping,
    columns: dict[str, Column],
    reader: CellReader,
) -> _CrmRecord | None:
    values: dict[str, Any] = {}
    for path, spec in mapping.fields.items():
        fspec = _spec(spec)
        raw = _raw(export, cells, fspec)
        if raw is None:
            continue
        column = columns.get(path)
        values[path] = reader.read(_translate(raw, fspec), column) if column else raw
    if values.get(mapping.match) is None:
        return None  # an account row without an opportunity/contact
    key = _raw(export, cells, FieldSpec(columns=mapping.key)) or str(values[mapping.match])
    return _CrmRecord(key, line, values)


# ---------------------------------------------------------------------------------------------
# Merging into account files


def _norm_value(value: Any) -> Any:
    """A comparable, JSON-able form: numbers as normalised text, dates ISO, text stripped."""
    if value is None or value is _MISSING:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)).normalize()
        return format(number, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_norm_value(v) for v in value]
    return str(value).strip()


def _yaml_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        from ruamel.yaml.comments import CommentedSeq

        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    return value


def _default(value: Any, as_of: dt.date) -> Any:
    if isinstance(value, str):
        match = re.fullmatch(r"today(?:\s*\+\s*(\d+)\s*d)?", value.strip())
        if match:
            return as_of + dt.timedelta(days=int(match.group(1) or 0))
    return value


def _get(node: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _put(node: Any, path: str, value: Any, comment: str | None = None) -> None:
    from ruamel.yaml.comments import CommentedMap

    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = CommentedMap()
        node = node[part]
    node[last] = _yaml_value(value)
    if comment and hasattr(node, "yaml_add_eol_comment"):
        node.yaml_add_eol_comment(comment, last)


def _clear_fill_in(node: Any, path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    ca = getattr(node, "ca", None)
    if ca is not None and last in ca.items:
        tokens = ca.items[last]
        if len(tokens) > 2 and tokens[2] is not None and FILL_IN in tokens[2].value:
            del ca.items[last]


@dataclass
class FileResult:
    """What an import did to one account file."""

    path: str
    action: str  # created, updated, unchanged
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    fill_in: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportResult:
    """Every file the import touched, in order."""

    mapping: str
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> int:
        return sum(len([p for p in f.problems if p.severity == "error"]) for f in self.files)

    def lines(self) -> list[str]:
        out = [f"mapping: {self.mapping}" + (" (dry run: nothing written)" if self.dry_run else "")]
        for item in self.files:
            head = f"{item.action:9} {item.path}"
            if item.action == "created":
                added = [c for c in item.changes if c.startswith("added ")]
                crm = [c for c in item.changes if c not in added and "(default " not in c]
                head += f": {len(crm)} field(s) from the export"
                head += f", {len(added)} record(s)" if added else ""
            elif item.changes:
                head += ": " + "; ".join(item.changes)
            out.append(head)
            if item.kept:
                out.append(
                    f"{'kept':9} {item.path}: "
                    + "; ".join(item.kept)
                    + " (edited by hand; --overwrite replaces)"
                )
            if item.fill_in:
                out.append(
                    f"{'fill in':9} {item.path}: "
                    + ", ".join(item.fill_in)
                    + " (not in the export: fill in by hand)"
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


def _merge_field(
    doc: Any,
    path: str,
    new: Any,
    last: dict[str, Any],
    overwrite: bool,
    label: str,
    result: FileResult,
) -> None:
    current = _get(doc, path)
    new_norm = _norm_value(new)
    if current is not _MISSING and _norm_value(current) == new_norm:
        last[path] = new_norm
        _clear_fill_in(doc, path)
        return
    if (
        overwrite
        or (current is _MISSING and path not in last)
        or (current is not _MISSING and path in last and _norm_value(current) == last[path])
    ):
        before = "" if current is _MISSING else f"{_short(current)} → "
        _put(doc, path, new)
        _clear_fill_in(doc, path)
        result.changes.append(f"{label}{path} ({before}{_short(new)})")
    else:
        result.kept.append(f"{label}{path}")
    last[path] = new_norm


def _short(value: Any) -> str:
    text = str(_norm_value(value))
    return text if len(text) <= 40 else text[:37] + "..."


def import_export(
    workspace: LoadedWorkspace,
    export_path: Path,
    system: str,
    mapping_file: Path | None = None,
    overwrite: bool = False,
    as_of: dt.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update the account files of `workspace` from a CRM export (with `dry_run`,
    only report what would change)."""
    if not export_path.is_file():
        raise UsageError(f"{display_path(export_path)}: no such file")
    export = _read_export(export_path)
    mapping = choose_mapping(system, export, mapping_file)
    reader = CellReader(workspace.config.locale)
    groups = _group(export, mapping, reader)
    today = as_of or workspace.config.as_of or dt.date.today()
    state_path = workspace.root / STATE_FILE
    state = _load_state(state_path)
    result = ImportResult(mapping.name, dry_run=dry_run)
    taken: dict[str, str] = {}
    for group in groups:
        result.files.append(
            _import_account(
                workspace, mapping, group, state, overwrite, today, export, dry_run, taken
            )
        )
    if not dry_run:
        text = json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        atomic_write(state_path, text.encode())
    return result


def _load_state(path: Path) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": 1, "keys": {}, "accounts": {}}
    if not path.is_file():
        return empty
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict) or data.get("version") != 1:
        return empty
    data.setdefault("keys", {})
    data.setdefault("accounts", {})
    return data


def _account_id(
    group: _CrmAccount, mapping: Mapping, state: dict[str, Any], taken: dict[str, str]
) -> str:
    """The qbrgen id of a CRM account: remembered from an earlier import, else from the id
    column, else made from the name. Two accounts of one export never share an id; the same
    name in a later export (another report) finds the same file."""
    crm_key = f"{mapping.system}:{group.key}"
    known = state["keys"].get(crm_key)
    if known:
        taken.setdefault(str(known), crm_key)
        return str(known)
    if group.id and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", group.id):
        base = group.id
    else:
        base = _slug(str(group.fields.get("name") or group.key)) or _slug(group.key) or "account"
    account_id, n = base, 1
    while taken.get(account_id, crm_key) != crm_key:
        n += 1
        account_id = f"{base[:60]}-{n}"
    taken[account_id] = crm_key
    state["keys"][crm_key] = account_id
    return account_id


def _import_account(
    workspace: LoadedWorkspace,
    mapping: Mapping,
    group: _CrmAccount,
    state: dict[str, Any],
    overwrite: bool,
    today: dt.date,
    export: _Export,
    dry_run: bool = False,
    taken: dict[str, str] | None = None,
) -> FileResult:
    from ruamel.yaml.comments import CommentedMap

    account_id = _account_id(group, mapping, state, {} if taken is None else taken)
    path = workspace.accounts_dir / f"{account_id}.yaml"
    label = display_path(path, workspace.root)
    yaml = _yaml()
    created = not path.exists()
    if created:
        doc = CommentedMap()
        doc["id"] = account_id
        doc.yaml_set_start_comment(
            f"Created by `qbrgen import --from {mapping.system}` from {Path(export.label).name} on {dt.date.today()}.\n"
            f"Values marked '{FILL_IN}' were not in the export. Fields that came from the CRM\n"
            "are updated by the next import unless you change them here; your own additions stay."
        )
    else:
        try:
            doc = yaml.load(path.read_text(encoding="utf-8-sig"))
        except Exception as exc:  # ruamel raises many types; the file is the user's to fix
            problem = Problem(
                Location(label), f"not updated: cannot read it as YAML ({str(exc).splitlines()[0]})"
            )
            return FileResult(label, "unchanged", problems=[problem])
        if not isinstance(doc, dict):
            return FileResult(
                label,
                "unchanged",
                problems=[Problem(Location(label), "not updated: not a mapping of account fields")],
            )
    memory = state["accounts"].setdefault(account_id, {})
    last_fields: dict[str, Any] = memory.setdefault("fields", {})
    result = FileResult(label, "created" if created else "updated")
    for path_name, value in group.fields.items():
        if path_name == "id":
            continue
        _merge_field(doc, path_name, value, last_fields, overwrite, "", result)
    defaults: dict[str, Any] = memory.setdefault("defaults", {})
    for path_name, value in mapping.account.defaults.items():
        if path_name in group.fields:
            defaults.pop(path_name, None)
            continue
        current = _get(doc, path_name)
        value = _default(value, today)
        if current is _MISSING:
            _put(doc, path_name, value, FILL_IN)
            defaults[path_name] = _norm_value(value)
            result.fill_in.append(path_name)
            result.changes.append(f"{path_name} (default {_short(value)})")
        elif defaults.get(path_name) == _norm_value(current):
            result.fill_in.append(path_name)
    for name, records in group.records.items():
        _merge_records(
            doc,
            name,
            records,
            mapping.records[name],
            memory,
            overwrite,
            today,
            result,
            mapping.system,
        )
    if not created and not result.changes:
        result.action = "unchanged"
    text = _dump(yaml, _ordered(doc) if created else doc)
    if not dry_run and (created or result.changes or result.action != "unchanged"):
        atomic_write(path, text.encode())
    result.problems = _check(text, label)
    memory["file"] = label
    return result


def _merge_records(
    doc: Any,
    name: str,
    records: list[_CrmRecord],
    mapping: RecordMapping,
    memory: dict[str, Any],
    overwrite: bool,
    today: dt.date,
    result: FileResult,
    system: str,
) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    items = doc.get(name)
    if not isinstance(items, list):
        items = CommentedSeq()
        doc[name] = items
    remembered: dict[str, Any] = memory.setdefault("records", {}).setdefault(name, {})
    match = mapping.match
    for record in records:
        key = f"{system}:{record.key}"
        past = remembered.get(key)
        identity = _norm_value(record.fields.get(match))
        wanted = past["identity"] if past else identity
        item = next(
            (
                i
                for i in items
                if isinstance(i, dict) and _norm_value(i.get(match)) in (wanted, identity)
            ),
            None,
        )
        title = f"{name}['{record.fields.get(match)}']."
        if item is None and past:
            result.kept.append(f"{name}['{past['identity']}'] (removed or renamed by hand)")
            continue
        if item is None:
            item = CommentedMap()
            for field_name, value in record.fields.items():
                _put(item, field_name, value)
            fill = []
            for field_name, value in mapping.defaults.items():
                if field_name not in record.fields:
                    _put(item, field_name, _default(value, today), FILL_IN)
                    fill.append(f"{title}{field_name}")
            items.append(item)
            result.changes.append(f"added {name}['{record.fields.get(match)}']")
            result.fill_in.extend(fill)
            remembered[key] = {
                "identity": identity,
                "fields": {k: _norm_value(v) for k, v in record.fields.items()},
            }
            continue
        last = (past or {}).setdefault("fields", {}) if past else {}
        for field_name, value in record.fields.items():
            _merge_field(item, field_name, value, last, overwrite, title, result)
        remembered[key] = {"identity": _norm_value(item.get(match)), "fields": last}


def _ordered(doc: Any) -> Any:
    """A new file's keys in the order of the account model (id, name, ..., contract, lists)."""
    from ruamel.yaml.comments import CommentedMap

    from qbrgen.models import Account, Contract

    out = CommentedMap()
    for key in Account.model_fields:
        if key in doc:
            out[key] = doc[key]
            if key in doc.ca.items:
                out.ca.items[key] = doc.ca.items[key]
    if isinstance(out.get("contract"), dict):
        contract = out["contract"]
        ordered = CommentedMap()
        for key in Contract.model_fields:
            if key in contract:
                ordered[key] = contract[key]
                if key in contract.ca.items:
                    ordered.ca.items[key] = contract.ca.items[key]
        out["contract"] = ordered
    for key in doc:
        if key not in out:
            out[key] = doc[key]
    if doc.ca.comment:
        out.ca.comment = doc.ca.comment
    return out


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(yaml: Any, doc: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def _check(text: str, label: str) -> list[Problem]:
    """Validate the written account the way `qbrgen validate` would."""
    import yaml

    from qbrgen.loading import SourcedAccount, validate_account
    from qbrgen.loading._yaml import NodeLocator, _Loader
    from qbrgen.loading.checks import check_account

    problems = ProblemList()
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    locate = NodeLocator(label, text).locate
    account = validate_account(data, label, locate, problems)
    if account is not None:
        check_account(SourcedAccount(account, label, locate), problems)
    return problems.items
