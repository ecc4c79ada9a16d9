"""Load a workspace: the config, then every account file, validated, with located problems.

Each input format is a *source*: a function from a file to the accounts in it. Sources are
found by file suffix in `SOURCES`, so adding a format (workbooks, CSV) is adding one module.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qbrgen.config import BUILTIN_THEME, CONFIG_FILE, LoadedWorkspace, Workspace
from qbrgen.errors import (
    Location,
    Problem,
    ProblemList,
    UsageError,
    display_path,
    display_paths,
    some_of,
)
from qbrgen.loading._cache import AccountCache, CacheReader
from qbrgen.loading._messages import TypedText, describe_all, field_path
from qbrgen.loading._yaml import (
    NodeLocator,
    Parsed,
    YamlFileError,
    content_key,
    parse_file,
    parse_files,
    read_yaml,
)
from qbrgen.models import Account, share_field_sets
from qbrgen.spill import Spill

Locate = Callable[[Sequence[str | int]], Location]


@dataclass
class SourcedAccount:
    """A validated account and where it came from."""

    account: Account
    source: str
    """The file (and sheet) it was read from, as shown to the user."""
    locate: Locate
    """Maps a field path inside the account to a position in its source."""
    input_hash: str = ""
    """Hash of the account's validated content: changes whenever its data changes."""
    enriched: Any = None
    """What the load's per-account step (`load_portfolio(enrich=...)`) made of the account
    where it was parsed (the run's KPIs); None when it was not run there."""

    def __post_init__(self) -> None:
        if not self.input_hash:
            self.input_hash = account_hash(self.account)


@dataclass(slots=True)
class AccountSummary:
    """What a lean load keeps of a valid account: its id, where it came from, its input hash
    and what the load's `summarise` step made of it (the account model is not kept), or with
    a `spill` (`load_summaries`), the number of its record there."""

    account_id: str
    source: str
    input_hash: str
    summary: Any


@dataclass
class Portfolio:
    """Everything loaded from one workspace: config, valid accounts, and every problem found."""

    workspace: LoadedWorkspace
    accounts: list[SourcedAccount] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)
    files_checked: list[str] = field(default_factory=list)
    invalid_files: set[str] = field(default_factory=set)
    summaries: list[AccountSummary] = field(default_factory=list)
    """What a lean load (`load_summaries`) kept of each valid account, by id; `accounts` is
    then empty."""

    def by_id(self, account_id: str) -> SourcedAccount:
        for item in self.accounts:
            if item.account.id == account_id:
                return item
        known = some_of(sorted(a.account.id for a in self.accounts), close_to=account_id)
        raise UsageError(f"no account with id '{account_id}' (known: {known})")


Source = Callable[[Path, LoadedWorkspace, ProblemList], list[SourcedAccount]]


def account_hash(account: Account) -> str:
    """Stable hash of an account's content (format-independent: YAML and XLSX agree)."""
    return hashlib.sha256(account.model_dump_json().encode()).hexdigest()[:16]


def validate_account(
    data: object, label: str, locate: Locate, problems: ProblemList, source: TypedText | None = None
) -> Account | None:
    """Validate one account mapping; every problem goes into `problems` with its location
    (`source`, for YAML, gives a value's text as typed to explain what YAML made of it)."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        problems.add(locate(()), f"expected a mapping of account fields, got {kind}")
        return None
    try:
        account = Account.model_validate(data)
    except ValidationError as exc:
        found = [
            (locate(loc), message, field_path(loc))
            for loc, message in describe_all(exc, Account, source)
        ]
        for where, message, path in sorted(found, key=lambda f: (f[0].line or 0, f[0].column or 0)):
            problems.add(where, message, path)
        return None
    share_field_sets(account)
    return account


def read_yaml_account(
    path: Path, workspace: LoadedWorkspace, problems: ProblemList
) -> list[SourcedAccount]:
    """One account per YAML file."""
    label = display_path(path, workspace.root)
    try:
        data, _ = read_yaml(path)
    except YamlFileError as exc:
        return _yaml_account(path, label, problems, None, (str(exc), exc.line, exc.column))
    return _yaml_account(path, label, problems, data, None)


def _yaml_account(
    path: Path,
    label: str,
    problems: ProblemList,
    data: object,
    error: tuple[str, int | None, int | None] | None,
) -> list[SourcedAccount]:
    if error is not None:
        problems.add(Location(label, error[1], error[2]), error[0])
        return []
    locator = NodeLocator(label, path=path)
    account = validate_account(data, label, locator.locate, problems, locator.source)
    return [] if account is None else [SourcedAccount(account, label, locator.locate)]


PARALLEL_FILES = 400
"""From this many YAML files to parse on, parsing is spread over the cores (PyYAML is most of
the cost)."""


def _pool(
    count: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> tuple[Any, int]:
    """A process pool for `count` files, and the chunk size to hand them out in."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 1, 8)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    size = max(50, count // (workers * 8))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )
    return pool, size


def _parse_in_parallel(paths: list[Path]) -> Iterator[tuple[Path, Parsed]]:
    """Parse YAML files in worker processes, yielding results chunk by chunk (in order) so
    the parent validates as they arrive and never holds every parsed file at once."""
    pool, size = _pool(len(paths))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    names = [[str(p) for p in chunk] for chunk in chunks]
    with pool:
        for chunk, results in zip(chunks, pool.map(parse_files, names), strict=True):
            yield from zip(chunk, results, strict=True)


Enrich = Callable[[Account], Any]
"""A per-account step run where an account is validated (a worker process when files are
many): picklable, its result picklable; see `SourcedAccount.enriched`."""

Loaded = tuple[str, Any, Any, Any, Any]
"""A file loaded in a worker: ("hit", key, None, None, enriched) for a cache entry that
validated, ("valid", key, account JSON, input hash, enriched) for a file parsed and valid,
("parsed", key, Parsed, None, None) for one the parent must check (invalid, or not a mapping)."""

_WORKER: dict[str, Any] = {}


Summarise = Callable[[SourcedAccount], tuple[list[Problem], Any]]
"""A lean load's per-account step (`load_summaries`), run where a valid account is checked (a
worker process when files are many): the problems it finds (warnings, located with the
account's `locate`) and the account's summary; picklable, and so are its results."""

Summarised = tuple[str, Any, Any, Any, Any, Any]
"""A file loaded and summarised in a worker: (kind, key, item, input hash, account id, result)
with kind "hit" (from a cache entry) or "valid" (parsed and valid: `item` is its account JSON
for the cache), `result` (the cross-field problems, the step's problems, its summary; the
step not run when there are cross-field problems); or ("parsed", key, Parsed, None, None,
None) for a file the parent must check (invalid, or not a mapping)."""


def _start_worker(stored: CacheReader, enrich: Enrich | None) -> None:
    _WORKER["stored"], _WORKER["enrich"] = stored, enrich


def _read_in_worker(path: Path, stored: CacheReader) -> tuple[str, Any, Account | None, Any, str]:
    """One YAML file in a worker: ("hit", key, account, None, input hash) when the cache knows
    its bytes and the entry validates, ("valid", key, account, account JSON, input hash) when
    parsed and valid, ("parsed", key, None, Parsed, "") for one the parent must check."""
    with contextlib.suppress(OSError):  # parsing words the problem
        key = content_key(path.read_bytes())
        entry = stored.get(key)
        if entry is not None:
            with contextlib.suppress(ValueError):
                return "hit", key, Account.model_validate_json(entry[1]), None, entry[0]
    parsed = parse_file(path)
    data, error, parsed_key = parsed
    if error is None and isinstance(data, dict):
        with contextlib.suppress(ValidationError):
            account = Account.model_validate(data)
            body = account.model_dump_json(exclude_unset=True)
            return "valid", parsed_key, account, body, account_hash(account)
    return "parsed", parsed_key, None, parsed, ""


def _load_chunk(paths: list[str]) -> list[Loaded]:
    """Load YAML files in a worker: a file whose bytes the cache knows from its entry, the
    others parsed and validated; each valid account through the run's `enrich` step."""
    gc.disable()  # a worker process that builds data and exits: no cycles worth collecting
    stored: CacheReader = _WORKER["stored"]
    enrich: Enrich | None = _WORKER["enrich"]
    out: list[Loaded] = []
    for name in paths:
        kind, key, account, item, input_hash = _read_in_worker(Path(name), stored)
        if account is None:
            out.append((kind, key, item, None, None))
        elif kind == "hit":
            out.append((kind, key, None, None, enrich(account) if enrich else None))
        else:
            out.append((kind, key, item, input_hash, enrich(account) if enrich else None))
    return out


def _load_in_parallel(
    paths: list[Path], cache: AccountCache, enrich: Enrich | None
) -> Iterator[tuple[Path, Loaded]]:
    """Load YAML files in worker processes (in order, chunk by chunk), cached or parsed."""
    pool, size = _pool(len(paths), _start_worker, (cache.reader(), enrich))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    names = [[str(p) for p in chunk] for chunk in chunks]
    with pool:
        for chunk, results in zip(chunks, pool.map(_load_chunk, names), strict=True):
            yield from zip(chunk, results, strict=True)


def _start_lean_worker(stored: CacheReader, summarise: Summarise, pickled: bool) -> None:
    _WORKER["entries"], _WORKER["summarise"], _WORKER["pickled"] = stored, summarise, pickled


def _pickled(summary: Any) -> bytes:
    """A summary as it goes to a spill (see `load_summaries`)."""
    return pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)


def _summarise_chunk(items: list[tuple[str, str]]) -> list[Summarised]:
    """Load YAML files in a worker as `_load_chunk` does, then check each valid account's
    fields against each other and put it through the lean load's `summarise` step: only
    its results go back to the parent, never the account."""
    from qbrgen.loading.checks import check_account

    gc.disable()  # a worker process that builds data and exits: no cycles worth collecting
    stored: CacheReader = _WORKER["entries"]
    summarise: Summarise = _WORKER["summarise"]
    pickled: bool = _WORKER["pickled"]
    out: list[Summarised] = []
    for name, label in items:
        path = Path(name)
        kind, key, account, body, input_hash = _read_in_worker(path, stored)
        if account is None:
            out.append((kind, key, body, None, None, None))
            continue
        item = SourcedAccount(account, label, NodeLocator(label, path=path).locate, input_hash)
        checked = ProblemList()
        check_account(item, checked)
        found, summary = ([], None) if checked.items else summarise(item)
        if pickled and not checked.items:
            summary = _pickled(summary)
        out.append((kind, key, body, input_hash, account.id, (checked.items, found, summary)))
    return out


def _summarise_in_parallel(
    paths: list[Path],
    labels: list[str],
    cache: AccountCache,
    summarise: Summarise,
    pickled: bool,
) -> Iterator[Summarised]:
    """Load and summarise YAML files in worker processes (in order, chunk by chunk); with
    `pickled`, each summary comes back pickled (for a spill)."""
    pool, size = _pool(len(paths), _start_lean_worker, (cache.reader(), summarise, pickled))
    items = [(str(p), label) for p, label in zip(paths, labels, strict=True)]
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with pool:
        for results in pool.map(_summarise_chunk, chunks):
            yield from results


def _parse_here(paths: list[Path]) -> Iterator[tuple[Path, Parsed]]:
    for path in paths:
        yield path, parse_file(path)


def _use_parallel(count: int) -> bool:
    import os

    return count >= PARALLEL_FILES and (os.cpu_count() or 1) > 1


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building thousands of models (it would rescan
    the growing heap again and again), then freeze what was loaded: it lives for the run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


SOURCES: dict[str, Source] = {".yaml": read_yaml_account, ".yml": read_yaml_account}
"""Input formats by file suffix. Other modules register theirs with `register_source`."""


def register_source(suffix: str, source: Source) -> None:
    """Make files ending in `suffix` loadable as account data."""
    SOURCES[suffix.lower()] = source


def _ensure_optional_sources() -> None:
    # Spreadsheet sources live in their own modules; import them when present.
    import importlib

    for name in ("qbrgen.loading.xlsx_source", "qbrgen.loading.csv_source"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def find_workspace(start: Path) -> Path:
    """The folder holding qbrgen.yaml, searching `start` and its parents; else `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def require_workspace(start: Path) -> Path:
    """The workspace folder at or above `start`; a UsageError saying how to make one when
    there is no qbrgen.yaml there or in any folder above."""
    root = find_workspace(start)
    if not (root / CONFIG_FILE).is_file():
        raise UsageError(
            f"no {CONFIG_FILE} in this folder or above ({start.resolve()}): this is not a "
            "workspace; run `qbrgen init DIR` to make one, or name one with -w DIR"
        )
    return root


def read_config(root: Path, problems: ProblemList) -> LoadedWorkspace:
    """Read qbrgen.yaml (an absent or empty file means all defaults). Problems are recorded,
    and defaults are used so the accounts can still be checked."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return LoadedWorkspace(root, Workspace(), None)
    label = display_path(path, root)
    try:
        data, text = read_yaml(path)
    except YamlFileError as exc:
        if str(exc) == "the file is empty":
            return LoadedWorkspace(root, Workspace(), path)
        problems.add(Location(label, exc.line, exc.column), str(exc))
        return LoadedWorkspace(root, Workspace(), path)
    if data is None:
        return LoadedWorkspace(root, Workspace(), path)
    locator = NodeLocator(label, text)
    if not isinstance(data, dict):
        problems.add(Location(label, 1, 1), "expected a mapping of settings")
        return LoadedWorkspace(root, Workspace(), path)
    try:
        loaded = LoadedWorkspace(root, Workspace.model_validate(data), path)
    except ValidationError as exc:
        for loc, message in describe_all(exc, Workspace, locator.source):
            problems.add(locator.locate(loc), message, field_path(loc))
        return LoadedWorkspace(root, Workspace(), path)
    _check_logo(loaded, locator, problems)
    return loaded


def _check_logo(loaded: LoadedWorkspace, locator: NodeLocator, problems: ProblemList) -> None:
    """branding.logo must be a file on the template search path or inside the workspace
    (documents may read nothing else). A bad one is reported once, here, and left out, so
    the documents build without it instead of each saying it is missing."""
    branding = loaded.config.branding
    logo = branding.logo
    if not logo:
        return
    relative = Path(logo)
    root = loaded.root.resolve()
    if not relative.is_absolute() and ".." not in relative.parts:
        for folder in (loaded.templates_dir, BUILTIN_THEME, root / "assets"):
            if (folder / relative).is_file():
                return  # where documents find it (render/_assets.py)
    candidate = (loaded.root / relative).resolve()
    where = locator.locate(("branding", "logo"))
    hint = "logos may live in the workspace folder (e.g. assets/logo.png) or its templates/"
    if not candidate.is_relative_to(root):
        problems.add(
            where,
            f"'{logo}' is outside the workspace ({root}), and documents only read "
            "files from inside it",
            "branding.logo",
            hint=f"{hint}: copy it there and name it relative to qbrgen.yaml",
        )
    elif not candidate.is_file():
        problems.add(
            where,
            f"no file '{logo}' in templates/, assets/ or the workspace folder",
            "branding.logo",
            hint=hint,
        )
    else:
        return
    branding.logo = None


def collect_files(paths: Iterable[Path], root: Path) -> list[Path]:
    """Expand folders into the account files they hold (sorted), keep files as given."""
    _ensure_optional_sources()
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    (
                        p
                        for p in path.iterdir()
                        if p.is_file()
                        and p.suffix.lower() in SOURCES
                        and not p.name.startswith((".", "~$"))
                    ),
                    key=lambda p: p.name,
                )
            )
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{display_path(path, root)}: no such file or folder")
    return found


def load_portfolio(
    workspace: LoadedWorkspace, paths: Sequence[Path] = (), enrich: Enrich | None = None
) -> Portfolio:
    """Load and validate every account of the workspace (or the given paths).

    Never stops at the first bad file: each file's problems are recorded and the valid
    accounts beside it are kept. Cross-field checks run after every file is read.
    With `enrich`, many YAML files are loaded in worker processes, each valid account put
    through `enrich` there (its result on `SourcedAccount.enriched`), the cache read there too.
    """
    from qbrgen.loading.checks import check_portfolio

    portfolio = Portfolio(workspace)
    files = collect_files(paths or [workspace.accounts_dir], workspace.root)
    with gc_paused():
        _load_files(portfolio, files, keep_unused=bool(paths), enrich=enrich)
        check_portfolio(portfolio)
    return portfolio


def _load_files(
    portfolio: Portfolio, files: list[Path], keep_unused: bool, enrich: Enrich | None = None
) -> None:
    workspace = portfolio.workspace
    cache = AccountCache.open(workspace.output_dir, keep_unused)
    yaml_files = [p for p in files if SOURCES.get(p.suffix.lower()) is read_yaml_account]
    if enrich is not None and _use_parallel(len(yaml_files)):
        _load_files_in_workers(portfolio, files, yaml_files, cache, enrich)
    else:
        _load_files_here(portfolio, files, cache)
    cache.save()


def _record(portfolio: Portfolio, label: str, accounts: list[SourcedAccount], before: int) -> None:
    portfolio.files_checked.append(label)
    portfolio.accounts.extend(accounts)
    if len(portfolio.problems.errors) > before:
        portfolio.invalid_files.add(label)


def _load_other(portfolio: Portfolio, path: Path, label: str) -> None:
    """A file that is not YAML: its own source, or a problem when nothing reads its kind."""
    problems = portfolio.problems
    before = len(problems.errors)
    source = SOURCES.get(path.suffix.lower())
    if source is None:
        problems.add(
            Location(label),
            f"unknown file type '{path.suffix}'",
            hint=f"account files end in {', '.join(sorted(SOURCES))}",
        )
        _record(portfolio, label, [], before)
    else:
        _record(portfolio, label, source(path, portfolio.workspace, problems), before)


def _load_files_in_workers(
    portfolio: Portfolio,
    files: list[Path],
    yaml_files: list[Path],
    cache: AccountCache,
    enrich: Enrich,
) -> None:
    """Every YAML file loaded in a worker process (cache read, parsing, validation, `enrich`);
    here each valid account is validated again from its JSON (cheaper than unpickling it)
    and an invalid file is checked as when parsed here, so its problems are located alike."""
    workspace = portfolio.workspace
    problems = portfolio.problems
    loaded = _load_in_parallel(yaml_files, cache, enrich)
    for path, label in zip(files, display_paths(files, workspace.root), strict=True):
        if SOURCES.get(path.suffix.lower()) is not read_yaml_account:
            _load_other(portfolio, path, label)
            continue
        before, noted = len(problems.errors), len(problems.items)
        _, (kind, key, item, input_hash, enriched) = next(loaded)
        account: Account | None = None
        if kind == "hit":
            hit = cache.get(key)
            if hit is not None:
                account, input_hash = hit
        elif kind == "valid":
            with contextlib.suppress(ValueError):
                account = Account.model_validate_json(item)
                share_field_sets(account)
                cache.put_json(key, item, input_hash)
        if account is not None:
            locate = NodeLocator(label, path=path).locate
            sourced = SourcedAccount(account, label, locate, input_hash, enriched)
            _record(portfolio, label, [sourced], before)
            continue
        data, error, key = item if kind == "parsed" else parse_file(path)
        accounts = _yaml_account(path, label, problems, data, error)
        if key is not None and len(accounts) == 1 and len(problems.items) == noted:
            cache.put(key, accounts[0].account, accounts[0].input_hash)
        _record(portfolio, label, accounts, before)


def _load_files_here(portfolio: Portfolio, files: list[Path], cache: AccountCache) -> None:
    workspace = portfolio.workspace
    problems = portfolio.problems

    # A YAML file whose bytes were read and found valid before comes from the cache; the
    # others are parsed (in worker processes when there are many) and arrive in file order.
    is_yaml = [SOURCES.get(p.suffix.lower()) is read_yaml_account for p in files]
    hits: list[tuple[Account, str] | None] = [None] * len(files)
    if cache.enabled:
        for index, path in enumerate(files):
            if is_yaml[index]:
                with contextlib.suppress(OSError):  # parsing words the problem
                    hits[index] = cache.get(content_key(path.read_bytes()))
    misses = [p for p, y, hit in zip(files, is_yaml, hits, strict=True) if y and hit is None]
    parsed = _parse_in_parallel(misses) if _use_parallel(len(misses)) else _parse_here(misses)
    labels = display_paths(files, workspace.root)
    for path, label, hit, yaml in zip(files, labels, hits, is_yaml, strict=True):
        before, noted = len(problems.errors), len(problems.items)
        if not yaml:
            _load_other(portfolio, path, label)
        elif hit is not None:
            locate = NodeLocator(label, path=path).locate
            _record(portfolio, label, [SourcedAccount(hit[0], label, locate, hit[1])], before)
        else:
            _, (data, error, key) = next(parsed)
            accounts = _yaml_account(path, label, problems, data, error)
            if key is not None and len(accounts) == 1 and len(problems.items) == noted:
                cache.put(key, accounts[0].account, accounts[0].input_hash)
            _record(portfolio, label, accounts, before)


def open_workspace(start: Path, problems: ProblemList | None = None) -> LoadedWorkspace:
    """Find and read the workspace config from `start`; config problems go to `problems`."""
    return read_config(find_workspace(start), problems if problems is not None else ProblemList())


def load_summaries(
    workspace: LoadedWorkspace,
    paths: Sequence[Path],
    summarise: Summarise,
    spill: Spill | None = None,
) -> Portfolio:
    """Load and check every account as `load_portfolio` does (the same problems, in the same
    order), but keep of each valid account only its `AccountSummary` (`portfolio.summaries`,
    by id): the problems and summary `summarise` gives for it, its model dropped. With many
    YAML files the loading, the checks and `summarise` run in worker processes, and the
    parent's memory does not grow with every account's model; with few, `load_portfolio`
    loads them here and each is summarised after.

    With `spill`, no summary is kept in memory at all: each is pickled where it is made and
    written to the spill as it arrives (`AccountSummary.summary` is its record number there,
    `spill.get` reads it back), so the parent's memory does not grow with the summaries'
    either."""
    files = collect_files(paths or [workspace.accounts_dir], workspace.root)
    yaml_files = [p for p in files if SOURCES.get(p.suffix.lower()) is read_yaml_account]
    if not _use_parallel(len(yaml_files)):
        portfolio = load_portfolio(workspace, paths)
        with gc_paused():
            for item in portfolio.accounts:
                found, summary = summarise(item)
                portfolio.problems.items.extend(found)
                if spill is not None:
                    summary = spill.append(_pickled(summary))
                portfolio.summaries.append(
                    AccountSummary(item.account.id, item.source, item.input_hash, summary)
                )
        portfolio.accounts = []
        return portfolio
    portfolio = Portfolio(workspace)
    with gc_paused():
        cache = AccountCache.open(workspace.output_dir, bool(paths))
        _summarise_files(portfolio, files, yaml_files, cache, summarise, spill)
        cache.save()
    return portfolio


@dataclass(slots=True)
class _Checked:
    """A valid account of a lean load, until the checks across accounts are done."""

    account_id: str
    source: str
    path: Path
    input_hash: str
    checked: list[Problem]
    found: list[Problem]
    summary: Any
    """What `summarise` made of it, or its record number in the load's spill."""
    item: SourcedAccount | None = None
    """The account, when it was loaded here (not YAML, or checked again here)."""

    def locate(self, loc: Sequence[str | int]) -> Location:
        if self.item is not None:
            return self.item.locate(loc)
        return NodeLocator(self.source, path=self.path).locate(loc)


def _summarise_files(
    portfolio: Portfolio,
    files: list[Path],
    yaml_files: list[Path],
    cache: AccountCache,
    summarise: Summarise,
    spill: Spill | None,
) -> None:
    """The steps of `load_portfolio` then `check_portfolio`, in their order, with YAML files
    loaded, checked and summarised in worker processes: every file's loading problems in
    file order, then the cross-field problems in file order, ids used twice, and last the
    summarise step's problems in id order."""
    from qbrgen.loading.checks import check_account, check_duplicate_ids

    workspace = portfolio.workspace
    problems = portfolio.problems
    labels = display_paths(files, workspace.root)
    is_yaml = [SOURCES.get(p.suffix.lower()) is read_yaml_account for p in files]
    yaml_labels = [label for label, y in zip(labels, is_yaml, strict=True) if y]
    loaded = _summarise_in_parallel(yaml_files, yaml_labels, cache, summarise, spill is not None)
    accounts: list[_Checked] = []
    for path, label, yaml in zip(files, labels, is_yaml, strict=True):
        before, noted = len(problems.errors), len(problems.items)
        found: list[SourcedAccount] = []
        if not yaml:
            _load_other(portfolio, path, label)
            found, portfolio.accounts = portfolio.accounts, []
        else:
            kind, key, item, input_hash, account_id, result = next(loaded)
            if kind != "parsed":
                if kind == "hit":
                    cache.keep(key)
                else:
                    cache.put_json(key, item, input_hash)
                checked, steps, summary = result
                if spill is not None and not checked:
                    summary = spill.append(summary)  # pickled in the worker
                accounts.append(
                    _Checked(account_id, label, path, input_hash, checked, steps, summary)
                )
                _record(portfolio, label, [], before)
                continue
            data, error, key = item
            found = _yaml_account(path, label, problems, data, error)
            if key is not None and len(found) == 1 and len(problems.items) == noted:
                cache.put(key, found[0].account, found[0].input_hash)
            _record(portfolio, label, [], before)
        for one in found:  # loaded here: checked (and summarised) here
            accounts.append(
                _Checked(one.account.id, one.source, path, one.input_hash, [], [], None, one)
            )
    portfolio.accounts = []
    bad: set[int] = set()
    for index, entry in enumerate(accounts):
        if entry.item is not None:
            check = ProblemList()
            check_account(entry.item, check)
            entry.checked = check.items
        if entry.checked:
            problems.items.extend(entry.checked)
            bad.add(index)
            portfolio.invalid_files.add(entry.source.split(":")[0])
    ids = [(entry.account_id, entry.source, entry.locate) for entry in accounts]
    bad |= check_duplicate_ids(ids, problems, portfolio.invalid_files)
    valid = sorted(
        (entry for index, entry in enumerate(accounts) if index not in bad),
        key=lambda entry: entry.account_id,
    )
    for entry in valid:
        if entry.item is not None:
            entry.found, entry.summary = summarise(entry.item)
            if spill is not None:
                entry.summary = spill.append(_pickled(entry.summary))
        problems.items.extend(entry.found)
        portfolio.summaries.append(
            AccountSummary(entry.account_id, entry.source, entry.input_hash, entry.summary)
        )
