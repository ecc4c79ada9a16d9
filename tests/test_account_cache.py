"""The validated-account cache: a file read before comes back the same, and nothing is lost."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import qbrgen.loading as loading
from conftest import FIXTURES, ROOT, run_cli
from qbrgen.loading import load_portfolio, open_workspace
from qbrgen.loading._cache import CACHE_FILE
from qbrgen.loading._yaml import NodeLocator, _mark_by_events, content_key, load_text


def _fields_sets(model: BaseModel, out: list[list[str]]) -> list[list[str]]:
    out.append(sorted(model.model_fields_set))
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                _fields_sets(item, out)
    return out


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file parsed from here on."""
    parsed: list[Path] = []
    real = loading.parse_file

    def parse_file(path: Path) -> Any:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(loading, "parse_file", parse_file)
    return parsed


def test_a_second_load_reads_the_cache_and_gives_the_same_accounts(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(sample_workspace)
    cold = load_portfolio(workspace)
    cache = sample_workspace / "output" / CACHE_FILE
    assert cache.is_file() and len(cache.read_text().splitlines()) == 1 + len(cold.accounts)
    parsed = _no_parsing(monkeypatch)
    warm = load_portfolio(workspace)
    assert parsed == []
    assert [a.source for a in warm.accounts] == [a.source for a in cold.accounts]
    assert warm.files_checked == cold.files_checked
    assert [str(p) for p in warm.problems.items] == [str(p) for p in cold.problems.items]
    for before, after in zip(cold.accounts, warm.accounts, strict=True):
        assert after.account == before.account
        assert after.input_hash == before.input_hash
        assert after.account.model_dump_json() == before.account.model_dump_json()
        # The fields each file gave (not the defaults) are the fields set, as when parsed.
        assert _fields_sets(after.account, []) == _fields_sets(before.account, [])
        assert after.locate(("contract", "arr")) == before.locate(("contract", "arr"))


def test_a_changed_file_is_read_again_and_the_others_come_from_the_cache(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(sample_workspace)
    first = load_portfolio(workspace)
    path = sorted((sample_workspace / "accounts").glob("*.yaml"))[0]
    text = path.read_text()
    old_name = first.accounts[0].account.name
    path.write_text(text.replace(f"name: {old_name}", "name: Renamed Customer Ltd", 1))
    parsed = _no_parsing(monkeypatch)
    second = load_portfolio(workspace)
    assert parsed == [path]
    assert second.accounts[0].account.name == "Renamed Customer Ltd"
    assert second.accounts[0].input_hash != first.accounts[0].input_hash
    assert [a.input_hash for a in second.accounts[1:]] == [a.input_hash for a in first.accounts[1:]]
    # The edit back gives the first content again: found in the cache by content, not by name.
    path.write_text(text)
    parsed.clear()
    load_portfolio(workspace)
    assert parsed == [path]  # the old entry was dropped when the run no longer used it


def test_files_with_problems_are_never_cached_so_every_run_reports_them(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "validation", ws)
    first = run_cli("validate", cwd=ws)
    second = run_cli("validate", cwd=ws)
    assert first.returncode == second.returncode == 1
    assert first.stderr == second.stderr and "14 errors" in second.stderr
    # Files that failed to read or validate are not cached; those whose problems are found
    # across files (a duplicate id, a missing stakeholder) are, and are checked again.
    cached = (ws / "output" / CACHE_FILE).read_text()
    assert '"id":"good"' in cached and '"id":"acme"' not in cached
    assert len(cached.splitlines()) - 1 < len(list((ws / "accounts").iterdir()))


def test_warnings_and_summary_are_the_same_from_the_cache(sample_workspace: Path) -> None:
    first = run_cli("validate", cwd=sample_workspace)
    second = run_cli("validate", cwd=sample_workspace)
    assert (sample_workspace / "output" / CACHE_FILE).is_file()
    assert first.returncode == second.returncode
    assert first.stderr == second.stderr and first.stdout == second.stdout


def test_a_cache_from_another_version_or_model_is_dropped(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(sample_workspace)
    load_portfolio(workspace)
    cache = sample_workspace / "output" / CACHE_FILE
    lines = cache.read_text().splitlines()
    # A cache written by another qbrgen: its entries are not trusted, even for the same bytes.
    cache.write_text("\n".join([lines[0].replace("qbrgen=", "qbrgen=0.0.0-"), *lines[1:]]))
    parsed = _no_parsing(monkeypatch)
    load_portfolio(workspace)
    assert len(parsed) == len(lines) - 1
    assert sorted(cache.read_text().splitlines()) == sorted(lines)  # rewritten for this version


def test_worker_processes_read_entries_from_the_file_the_parent_indexed(
    sample_workspace: Path,
) -> None:
    """The parent keeps where each entry sits in the cache file, and worker processes read it
    from there; a cache file replaced meanwhile (another run saved) is read as no cache, never
    at the old positions. A run's new entries are kept in a temporary file, and the cache
    written back from both is the same as the one read."""
    from qbrgen.loading._cache import AccountCache
    from qbrgen.output import atomic_write

    workspace = open_workspace(sample_workspace)
    load_portfolio(workspace)
    path = sample_workspace / "output" / CACHE_FILE
    text = path.read_text()
    entries = {line.split("\t", 2)[0]: line.split("\t", 2) for line in text.splitlines()[1:]}
    cache = AccountCache.open(path.parent.parent)
    reader = cache.reader()
    key, input_hash, body = next(iter(entries.values()))
    assert reader.get(key) == (input_hash, body.encode())
    assert reader.get("no such key") is None
    stale = cache.reader()
    atomic_write(path, text.encode())  # the same text, but another file
    assert stale.get(key) is None
    cache.put_json("new-key", body, input_hash)  # spooled, then written back beside the others
    cache.keep(key)
    cache._keep_unused = True
    cache.save()
    written = path.read_text().splitlines()
    assert sorted(written[1:]) == sorted([*text.splitlines()[1:], f"new-key\t{input_hash}\t{body}"])


def test_an_entry_that_no_longer_validates_is_parsed_again(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(sample_workspace)
    load_portfolio(workspace)
    cache = sample_workspace / "output" / CACHE_FILE
    lines = cache.read_text().splitlines()
    key, input_hash, _ = lines[1].split("\t", 2)
    cache.write_text("\n".join([lines[0], f"{key}\t{input_hash}\t{{}}", *lines[2:]]))
    parsed = _no_parsing(monkeypatch)
    portfolio = load_portfolio(workspace)
    assert len(parsed) == 1 and not portfolio.problems.errors
    assert sorted(cache.read_text().splitlines()) == sorted(lines)


def test_qbrgen_cache_off_reads_and_writes_no_cache(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QBRGEN_CACHE", "off")
    workspace = open_workspace(sample_workspace)
    load_portfolio(workspace)
    assert not (sample_workspace / "output" / CACHE_FILE).exists()
    parsed = _no_parsing(monkeypatch)
    load_portfolio(workspace)
    assert len(parsed) == len(list((sample_workspace / "accounts").glob("*.yaml")))


def test_validating_some_files_keeps_the_cache_of_the_others(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = open_workspace(sample_workspace)
    everything = load_portfolio(workspace)
    one = sorted((sample_workspace / "accounts").glob("*.yaml"))[0]
    load_portfolio(workspace, [one])
    parsed = _no_parsing(monkeypatch)
    load_portfolio(workspace)
    assert parsed == [] and len(everything.accounts) > 1


def test_concurrent_validates_each_read_a_whole_cache(sample_workspace: Path) -> None:
    """Several `qbrgen validate` at once, some on one file only: the cache takes no lock but
    is renamed into place whole, so every run reports the same and what is left is a whole
    cache whose every entry is a file's content key and validates."""
    import os
    import subprocess
    import sys

    from qbrgen.models import Account

    exe = Path(sys.executable).parent / "qbrgen"
    files = sorted((sample_workspace / "accounts").glob("*.yaml"))
    keys = {content_key(p.read_bytes()) for p in files}
    for _ in range(2):
        runs = [
            subprocess.Popen(
                [str(exe), "validate", *([str(files[i])] if i % 3 == 2 else [])],
                cwd=sample_workspace,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "COLUMNS": "200"},
            )  # fmt: skip
            for i in range(6)
        ]
        results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
        whole = {r for i, r in enumerate(results) if i % 3 != 2}
        assert len(whole) == 1 and next(iter(whole))[0] == 0, results
        assert len({r for i, r in enumerate(results) if i % 3 == 2}) == 1, results
    folder = (sample_workspace / "output" / CACHE_FILE).parent
    assert [p.name for p in folder.iterdir()] == [CACHE_FILE.name]  # no temporary left
    lines = (folder / CACHE_FILE.name).read_text().splitlines()
    assert lines[0].startswith("qbrgen accounts cache") and len(lines) > 1
    for line in lines[1:]:
        key, _, body = line.split("\t", 2)
        assert key in keys
        Account.model_validate_json(body)


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
        found.append((*prefix, "not-a-field"))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
        found.append((*prefix, len(data) + 2))
    return found


def test_positions_read_from_events_match_the_composed_tree() -> None:
    files = sorted((ROOT / "accounts").glob("*.yaml")) + sorted(FIXTURES.rglob("*.yaml"))
    compared = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        try:
            data = load_text(text)
        except Exception:  # noqa: BLE001 - broken fixtures: positions of whatever parses
            data = None
        composed = NodeLocator("f", text)
        if composed._tree() is None:
            continue
        for loc in [*_paths(data), ("x", 1, "y"), (0,)]:
            at = _mark_by_events(text, loc)
            if at is None:  # an alias on the way: the composed tree answers
                continue
            expected = composed.locate(loc)
            assert (at[0] + 1, at[1] + 1) == (expected.line, expected.column), (path, loc)
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize("fixture", ["sample", "validation"])
def test_accounts_loaded_in_worker_processes_are_the_accounts_loaded_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str
) -> None:
    """Many files are loaded in worker processes (the cache read, parsing, validation and each
    account's KPIs there): the same accounts, problems (file, line, field), cache and KPIs as
    loading them all in the one process, cold and warm, valid and invalid files alike."""
    from qbrgen.kpis import report_json
    from qbrgen.run import open_run

    ws = tmp_path / "ws"
    if fixture == "sample":
        ws.mkdir()
        shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
        shutil.copytree(ROOT / "accounts", ws / "accounts")
    else:
        shutil.copytree(FIXTURES / "validation", ws)
    runs, caches = {}, {}
    for where in ("here", "workers"):
        monkeypatch.setattr(loading, "_use_parallel", lambda count, on=where == "workers": on)
        for state in ("cold", "warm"):
            if state == "cold":
                shutil.rmtree(ws / "output", ignore_errors=True)
            runs[where, state] = run = open_run(ws)
            caches[where, state] = sorted((ws / "output" / CACHE_FILE).read_text().splitlines())
            made_there = [a.enriched is not None for a in run.accounts]
            assert all(made_there) if where == "workers" else not any(made_there)
    reference = runs["here", "cold"]
    assert reference.accounts and caches["here", "cold"][1:]
    if fixture == "validation":
        assert len(reference.portfolio.problems.errors) == 14
    for key, run in runs.items():
        portfolio = run.portfolio
        assert [str(p) for p in portfolio.problems.items] == [
            str(p) for p in reference.portfolio.problems.items
        ], key
        assert portfolio.files_checked == reference.portfolio.files_checked
        assert portfolio.invalid_files == reference.portfolio.invalid_files
        for got, want in zip(run.accounts, reference.accounts, strict=True):
            assert (got.source, got.input_hash, got.account) == (
                want.source, want.input_hash, want.account
            )  # fmt: skip
            assert _fields_sets(got.account, []) == _fields_sets(want.account, [])
            assert got.locate(("contract", "arr")) == want.locate(("contract", "arr"))
        assert run.report.accounts == reference.report.accounts
        assert report_json(run.report) == report_json(reference.report)
        assert caches[key] == caches["here", "cold"]
    # One file edited: the cache is rewritten with the unchanged files' entries kept, as here.
    path = sorted((ws / "accounts").glob("*.yaml"))[-1]
    path.write_text(path.read_text() + "\n# edited\n")
    edited = {}
    for where in ("here", "workers"):
        monkeypatch.setattr(loading, "_use_parallel", lambda count, on=where == "workers": on)
        shutil.copy(ws / "output" / CACHE_FILE, tmp_path / "before")
        open_run(ws)
        edited[where] = sorted((ws / "output" / CACHE_FILE).read_text().splitlines())
        shutil.copy(tmp_path / "before", ws / "output" / CACHE_FILE)
    assert edited["workers"] == edited["here"]
    assert len(edited["here"]) == len(caches["here", "cold"])
    assert edited["here"] != caches["here", "cold"] or fixture == "validation"
