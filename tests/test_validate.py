"""Validation reports every problem with file:line:column, field, expected and found."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from conftest import FIXTURES, run_cli
from qbrgen.errors import ProblemList
from qbrgen.loading import load_portfolio, open_workspace

BROKEN = FIXTURES / "validation"

EXPECTED = [
    "accounts/acme.yaml:8:3: contract.arr: expected an amount ≥ 0, got -5000",
    "accounts/acme.yaml:10:3: contract.renewal_date: expected a date (YYYY-MM-DD), got '2026-02-30'",
    "accounts/acme.yaml:14:5: stakeholders[0].sentiment: expected one of positive, neutral, negative, got 'meh'",
    "accounts/acme.yaml:15:1: renewl_notes: unknown field 'renewl_notes'",
    "accounts/alist.yaml:1:1: expected a mapping of account fields, got a list",
    "accounts/binary.yaml: this is a binary file, not YAML",
    "accounts/dates.yaml:9:3: contract.renewal_date: renewal date 2026-01-01 is not after the contract start 2026-06-01",
    "accounts/dup.yaml:1:1: id: account id 'good' is used more than once: accounts/dup.yaml:1:1 and accounts/good.yaml:1:1",
    "accounts/empty.yaml: the file is empty",
    "accounts/notyaml.yaml:2:1: not valid YAML",
    "accounts/refs.yaml:16:5: risks[0].owner: risk owner 'Bob Smith' is not one of this account's stakeholders",
    "accounts/tickets.yaml:18:5: tickets[0].resolved: resolved 2026-05-01 is before opened 2026-05-10",
    "accounts/unsafe.yaml:1:1: not valid YAML",
]


def test_every_problem_is_located(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in lines), (
            f"missing: {expected}\n{result.stderr}"
        )
    # The valid file beside the broken ones is still checked and counted.
    assert "1 valid account(s)" in result.stderr
    assert "12 file(s) checked" in result.stderr


def test_unsafe_yaml_constructs_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    marker = tmp_path / "pwned"
    (ws / "accounts" / "unsafe.yaml").write_text(
        f'!!python/object/apply:os.system ["touch {marker}"]\n'
    )
    run_cli("validate", cwd=ws)
    assert not marker.exists()


def test_valid_workspace_exits_zero_and_paths_narrow(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    ok = run_cli("validate", "accounts/fine.yaml", cwd=ws)
    assert ok.returncode == 0, ok.stderr
    assert "1 file(s) checked: 1 valid account(s)" in ok.stdout
    missing = run_cli("validate", "accounts/nope.yaml", cwd=ws)
    assert missing.returncode == 2
    assert "accounts/nope.yaml: no such file or folder" in missing.stderr


def test_config_errors_are_located_and_accounts_still_checked(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    shutil.copy(BROKEN / "accounts" / "fine.yaml", ws / "accounts")
    (ws / "qbrgen.yaml").write_text(
        "currency: dollars\nhealth:\n  weights:\n    adoptoin: 1\nlocale: xx_YY\n"
    )
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    assert "qbrgen.yaml:1:1: currency: expected text matching" in result.stderr
    assert "qbrgen.yaml:3:3: health.weights: unknown health component adoptoin" in result.stderr
    assert "qbrgen.yaml:5:1: locale: unknown locale 'xx_YY'" in result.stderr
    assert "1 valid account(s)" in result.stderr


def test_empty_config_means_defaults(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    shutil.copy(BROKEN / "accounts" / "fine.yaml", ws / "accounts")
    (ws / "qbrgen.yaml").write_text("# nothing set\n")
    problems = ProblemList()
    workspace = open_workspace(ws, problems)
    assert not problems.items
    assert workspace.config.currency == "USD"
    assert len(load_portfolio(workspace).accounts) == 1


def test_validate_thousand_accounts_is_quick(tmp_path: Path) -> None:
    """A sanity bound far above the 5 s target (the benchmark reports the real figure)."""
    from qbrgen.demo import write_workspace

    write_workspace(tmp_path, 300, seed=3)
    started = time.perf_counter()
    portfolio = load_portfolio(open_workspace(tmp_path))
    assert len(portfolio.accounts) == 300
    assert not portfolio.problems.errors
    assert time.perf_counter() - started < 30
