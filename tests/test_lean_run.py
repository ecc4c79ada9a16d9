"""A lean run (`open_run(lean=...)`: `qbrgen scorecard`) and a lean load (`load_summaries`:
`qbrgen validate`) keep of each account only what they need, yet report the same problems in
the same order, the same portfolio KPIs and the same scorecard as a run that keeps every
account, with the accounts loaded here or in worker processes, cold and warm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import qbrgen.loading as loading
from conftest import FIXTURES, ROOT
from qbrgen.kpis import portfolio_json
from qbrgen.kpis.checks import ContractArrCheck, check_contract_arr
from qbrgen.loading import load_portfolio, load_summaries, open_workspace
from qbrgen.loading._cache import CACHE_FILE
from qbrgen.render import Selection, render_env
from qbrgen.render import xlsx_scorecard as scorecard
from qbrgen.render._scorecard_rows import account_row
from qbrgen.run import open_run


def _workspace(tmp_path: Path, fixture: str) -> Path:
    ws = tmp_path / "ws"
    if fixture == "validation":
        shutil.copytree(FIXTURES / "validation", ws)
        return ws
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    edited = ws / "accounts" / "cobalt-ridge.yaml"  # a contract ARR the history disagrees with
    text = edited.read_text()
    assert "\n  arr: " in text
    edited.write_text(text.replace("\n  arr: ", "\n  arr: 1", 1))
    if fixture == "mixed":  # a CSV set beside the YAML files: one id of its own, one used twice
        from qbrgen.loading.csv_source import write_csv_set

        accounts = [a.account for a in open_run(ws).accounts]
        extra = [accounts[0], accounts[1].model_copy(update={"id": "csv-only"})]
        write_csv_set(extra, ws / "accounts", "book")
    return ws


def _texts(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


@pytest.mark.parametrize("fixture", ["sample", "validation", "mixed"])
def test_a_lean_run_gives_the_problems_kpis_and_scorecard_of_a_full_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str
) -> None:
    ws = _workspace(tmp_path, fixture)
    monkeypatch.setattr(loading, "_use_parallel", lambda count: False)
    shutil.rmtree(ws / "output", ignore_errors=True)
    reference = open_run(ws)
    cache = sorted((ws / "output" / CACHE_FILE).read_text().splitlines())
    assert reference.accounts
    if fixture == "validation":
        assert len(reference.portfolio.problems.errors) == 14
    else:
        assert any(
            "differs from the revenue history" in str(p)
            for p in reference.portfolio.problems.warnings
        )
    if fixture == "mixed":
        assert any("used more than once" in str(p) for p in reference.portfolio.problems.errors)
    want = scorecard.plan(reference, Selection(reference.accounts))[0]
    config = reference.workspace.config
    day = reference.report.as_of
    checked = load_portfolio(open_workspace(ws))
    check_contract_arr(checked, day, reference.formatter)
    leans = {}
    for where in ("here", "workers"):
        monkeypatch.setattr(loading, "_use_parallel", lambda count, on=where == "workers": on)
        for state in ("cold", "warm"):
            if state == "cold":
                shutil.rmtree(ws / "output", ignore_errors=True)
            run = leans[where, state] = open_run(ws, lean=account_row)
            assert sorted((ws / "output" / CACHE_FILE).read_text().splitlines()) == cache
            portfolio = run.portfolio
            assert _texts(portfolio.problems.items) == _texts(reference.portfolio.problems.items)
            assert portfolio.files_checked == reference.portfolio.files_checked
            assert portfolio.invalid_files == reference.portfolio.invalid_files
            assert not run.accounts and not run.report.accounts  # no model, no account KPIs
            assert [(s.account_id, s.source, s.input_hash) for s in run.summaries] == [
                (a.account.id, a.source, a.input_hash) for a in reference.accounts
            ]
            assert all(s.summary.part is None for s in run.summaries)  # dropped once added up
            assert portfolio_json(run.report) == portfolio_json(reference.report)
            job = scorecard.plan(run, Selection([], summaries=run.summaries))[0]
            assert (job.payload, job.inputs, job.outputs) == (
                want.payload,
                want.inputs,
                want.outputs,
            )

            # validate's lean load: the problems of load_portfolio + check_contract_arr
            lean = load_summaries(open_workspace(ws), [], ContractArrCheck(config, day))
            assert _texts(lean.problems.items) == _texts(checked.problems.items)
            assert [s.account_id for s in lean.summaries] == [
                a.account.id for a in checked.accounts
            ]
            assert lean.invalid_files == checked.invalid_files
    env = render_env(reference)
    expected = scorecard.render(want, env)
    run = leans["workers", "warm"]
    assert scorecard.render(
        scorecard.plan(run, Selection([], summaries=run.summaries))[0], env
    ) == (expected)


def test_the_scorecard_command_writes_what_the_build_writes(sample_workspace: Path) -> None:
    """`qbrgen scorecard` (a lean run) and `qbrgen build --only scorecard` (a full one)."""
    from click.testing import CliRunner

    from qbrgen.cli import main

    out = sample_workspace / "output" / "portfolio"
    runner = CliRunner()
    result = runner.invoke(main, ["build", "-w", str(sample_workspace), "--only", "scorecard"])
    assert result.exit_code == 0, result.output
    (built,) = out.glob("*.xlsx")
    from_build = built.read_bytes()
    built.unlink()
    result = runner.invoke(main, ["scorecard", "-w", str(sample_workspace)])
    assert result.exit_code == 0, result.output
    assert built.read_bytes() == from_build
