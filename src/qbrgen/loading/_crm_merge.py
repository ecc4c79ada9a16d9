"""Writing imported CRM data into account files, keeping what people edited by hand.

What came from the CRM is remembered in `.qbrgen-import.json` in the workspace: the value of
every field at the last import. A re-import updates a field only while the file still holds
that value; a field the account manager changed by hand is kept (unless `overwrite`).

A required field the CRM has no value for is written empty, with a comment saying so:
`industry:  # no value in the CRM (...): fill in by hand`. `qbrgen validate` reports it at
that line until someone fills it in, so no document is built from a made-up value.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import Location, Problem, ProblemList, display_path
from qbrgen.loading._crm_join import CrmAccount, CrmRecord, Joined
from qbrgen.loading._crm_read import Export, ImportOptions
from qbrgen.loading._record_types import record_type
from qbrgen.loading.crm_import import FileResult, ImportResult
from qbrgen.output import atomic_write

STATE_FILE = ".qbrgen-import.json"
FILL_IN = "fill in by hand"
UNREADABLE = "the CRM value is unreadable"
_MISSING = object()


def _required(owner: str) -> list[str]:
    rtype = record_type(owner)
    assert rtype is not None
    return [c.field for c in rtype.columns if c.required and c.field not in ("id", "account_id")]


ACCOUNT_REQUIRED = _required("accounts")


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
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes") if not value.second else value.isoformat()
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


def _placeholder(reason: str) -> str:
    return f"no value in the CRM ({reason}): {FILL_IN}"


def _short(value: Any) -> str:
    text = str(_norm_value(value))
    return text if len(text) <= 40 else text[:37] + "..."


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
    if current is not _MISSING and current is not None and _norm_value(current) == new_norm:
        last[path] = new_norm
        _clear_fill_in(doc, path)
        return
    if (
        overwrite
        or current is None  # an empty placeholder waiting for the CRM
        or (current is _MISSING and path not in last)
        or (current is not _MISSING and path in last and _norm_value(current) == last[path])
    ):
        before = "" if current is _MISSING or current is None else f"{_short(current)} → "
        _put(doc, path, new)
        _clear_fill_in(doc, path)
        result.changes.append(f"{label}{path} ({before}{_short(new)})")
    else:
        result.kept.append(f"{label}{path}")
    last[path] = new_norm


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


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")[:64].strip("-")


def _known_id(account: CrmAccount, state: dict[str, Any]) -> str | None:
    return state["keys"].get(f"{account.system}:{account.key}")


def _account_id(account: CrmAccount, state: dict[str, Any], taken: dict[str, str]) -> str:
    """The qbrgen id of a CRM account: remembered from an earlier import, else from the id
    column, else made from the name (names without Latin letters: from the CRM id). Two
    accounts of one import never share an id."""
    crm_key = f"{account.system}:{account.key}"
    known = state["keys"].get(crm_key)
    if known:
        taken.setdefault(str(known), crm_key)
        return str(known)
    name = account.fields.get("name")
    if account.id and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", account.id):
        base = account.id
    else:
        base = _slug(str(name.value)) if name else ""
        if len(base.replace("-", "")) < 2:
            base = _slug(f"{account.system}-{account.key}") or "account"
    account_id, n = base, 1
    while taken.get(account_id, crm_key) != crm_key:
        n += 1
        account_id = f"{base[:60]}-{n}"
    taken[account_id] = crm_key
    state["keys"][crm_key] = account_id
    return account_id


def write_accounts(
    workspace: LoadedWorkspace,
    joined: Joined,
    exports: list[Export],
    options: ImportOptions,
    as_of: dt.date,
    result: ImportResult,
) -> None:
    """Create or update one account file per CRM account of the import."""
    state_path = workspace.root / STATE_FILE
    state = _load_state(state_path)
    taken: dict[str, str] = {}
    names = ", ".join(sorted({Path(e.label).name for e in exports}))
    for account in joined.accounts.values():
        if "name" not in account.fields and not _known_id(account, state) and not account.id:
            count = sum(len(items) for items in account.records.values())
            result.problems.append(
                Problem(
                    account.first_seen,
                    f"account {account.key!r} ({count} record(s)) is neither in this import "
                    "nor imported before: not imported",
                    hint="import the accounts export (with the account's name) in the same command",
                )
            )
            continue
        result.files.append(
            _import_account(workspace, account, exports, names, state, options, as_of, taken)
        )
    if not options.dry_run:
        text = json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        atomic_write(state_path, text.encode())


def _defaults(exports: list[Export], records: str | None = None) -> dict[str, Any]:
    """The defaults a user's mapping gives (built-in mappings give none)."""
    out: dict[str, Any] = {}
    for export in exports:
        mapping = export.mapping
        if mapping is None:
            continue
        if records is None and mapping.account:
            out.update({k: v for k, v in mapping.account.defaults.items() if k not in out})
        elif records is not None and records in mapping.records:
            found = mapping.records[records].defaults
            out.update({k: v for k, v in found.items() if k not in out})
    return out


def _import_account(
    workspace: LoadedWorkspace,
    account: CrmAccount,
    exports: list[Export],
    names: str,
    state: dict[str, Any],
    options: ImportOptions,
    as_of: dt.date,
    taken: dict[str, str],
) -> FileResult:
    from ruamel.yaml.comments import CommentedMap

    account_id = _account_id(account, state, taken)
    path = workspace.accounts_dir / f"{account_id}.yaml"
    label = display_path(path, workspace.root)
    yaml = _yaml()
    created = not path.exists()
    if created:
        doc = CommentedMap()
        doc["id"] = account_id
        doc.yaml_set_start_comment(
            f"Created by `qbrgen import --from {options.system}` from {names} on {dt.date.today()}.\n"
            f"Empty values marked '{FILL_IN}' had no value in the CRM: `qbrgen validate` lists\n"
            "them until you fill them in. Fields that came from the CRM are updated by the next\n"
            "import unless you change them here; your own additions stay."
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
    for path_name, value in account.fields.items():
        if path_name == "id":
            continue
        _merge_field(doc, path_name, value.value, last_fields, options.overwrite, "", result)
        result.sources.append((path_name, _short(value.value), value.source))
    defaults = _defaults(exports)
    unreadable = [f for f, r in account.missing.items() if r.startswith(UNREADABLE)]
    for path_name in dict.fromkeys([*defaults, *ACCOUNT_REQUIRED, *unreadable]):
        if path_name in account.fields:
            continue
        current = _get(doc, path_name)
        if path_name in defaults and current is _MISSING:
            value = _default(defaults[path_name], as_of)
            _put(doc, path_name, value, f"default from your mapping: {FILL_IN}")
            result.changes.append(f"{path_name} (default {_short(value)})")
            result.sources.append((path_name, _short(value), "the mapping's defaults"))
        elif current in (_MISSING, None):
            reason = account.missing.get(path_name, "no export column for it")
            if current is _MISSING:
                _put(doc, path_name, None, _placeholder(reason))
            result.missing.append(path_name)
            result.sources.append((path_name, "(empty)", reason))
    for name, records in account.records.items():
        _merge_records(doc, name, list(records.values()), exports, memory, options, as_of, result)
    if not created and not result.changes:
        result.action = "unchanged"
    text = _dump(yaml, _ordered(doc) if created else doc)
    if not options.dry_run and (created or result.changes):
        atomic_write(path, text.encode())
    result.problems = _check(text, label)
    memory["file"] = label
    return result


def _merge_records(
    doc: Any,
    name: str,
    records: list[CrmRecord],
    exports: list[Export],
    memory: dict[str, Any],
    options: ImportOptions,
    as_of: dt.date,
    result: FileResult,
) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    match = next(
        (e.mapping.records[name].match for e in exports if e.mapping and name in e.mapping.records),
        "title",
    )
    required = _required(name)
    defaults = _defaults(exports, name)
    items = doc.get(name)
    if not isinstance(items, list):
        items = CommentedSeq()
        doc[name] = items
    remembered: dict[str, Any] = memory.setdefault("records", {}).setdefault(name, {})
    system = options.system
    claimed: set[int] = set()  # items matched in this import: two records never share one
    for record in records:
        key = f"{system}:{record.key}"
        past = remembered.get(key)
        values = {k: v.value for k, v in record.fields.items()}
        identity = _norm_value(values.get(match))
        wanted = past["identity"] if past else identity
        item = next(
            (
                i
                for i in items
                if isinstance(i, dict)
                and id(i) not in claimed
                and _norm_value(i.get(match)) in (wanted, identity)
            ),
            None,
        )
        title = f"{name}['{values.get(match)}']."
        result.sources.extend(
            (f"{title}{k}", _short(v.value), v.source) for k, v in record.fields.items()
        )
        if item is None and past:
            result.kept.append(f"{name}['{past['identity']}'] (removed or renamed by hand)")
            continue
        if item is None:
            item = CommentedMap()
            for field_name, value in values.items():
                _put(item, field_name, value)
            unreadable = [f for f, r in record.missing.items() if r.startswith(UNREADABLE)]
            for field_name in dict.fromkeys([*defaults, *required, *unreadable]):
                if field_name in values:
                    continue
                if field_name in defaults:
                    _put(
                        item,
                        field_name,
                        _default(defaults[field_name], as_of),
                        f"default from your mapping: {FILL_IN}",
                    )
                    continue
                reason = record.missing.get(field_name, "no export column for it")
                _put(item, field_name, None, _placeholder(reason))
                result.missing.append(f"{title}{field_name}")
                result.sources.append((f"{title}{field_name}", "(empty)", reason))
            items.append(item)
            claimed.add(id(item))
            result.changes.append(f"added {name}['{values.get(match)}']")
            remembered[key] = {
                "identity": identity,
                "fields": {k: _norm_value(v) for k, v in values.items()},
            }
            continue
        claimed.add(id(item))
        last = (past or {}).setdefault("fields", {}) if past else {}
        for field_name, value in values.items():
            _merge_field(item, field_name, value, last, options.overwrite, title, result)
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
