"""A lean run (`open_run(lean=...)`: `qbrgen scorecard`) and a lean load (`load_summaries`:
`qbrgen validate`) keep of each account only what they need, yet report the same problems in
the same order, the same portfolio KPIs and the same scorecard as a run that keeps every
account, with the accounts loaded here or in worker processes, cold and warm."""

from __future__ import annotations

import dataclasses
import io
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
    env = render_env(reference)
    expected = scorecard.render(want, env)
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
            assert run.lean is not None and len(run.lean) == len(run.summaries)
            assert portfolio_json(run.report) == portfolio_json(reference.report)
            job = scorecard.plan(run, Selection([], summaries=run.summaries))[0]
            assert (job.inputs, job.outputs) == (want.inputs, want.outputs)
            assert scorecard.render(job, env) == expected

            # validate's lean load: the problems of load_portfolio + check_contract_arr
            lean = load_summaries(open_workspace(ws), [], ContractArrCheck(config, day))
            assert _texts(lean.problems.items) == _texts(checked.problems.items)
            assert [s.account_id for s in lean.summaries] == [
                a.account.id for a in checked.accounts
            ]
            assert lean.invalid_files == checked.invalid_files
    for run in leans.values():  # what each lean run kept on disk goes with it
        assert run.lean is not None and Path(run.lean.spill.path).is_file()
        run.close()
        assert not Path(run.lean.spill.path).exists()


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


def _twins(ws: Path) -> list[str]:
    """Copies of one account under other ids, in files not in id order, with the same name and
    data but the owner (renewing this quarter): the same health, renewal date and name, so
    every sheet's order has ties. Returns their owners in the twins' id order."""
    text = (ws / "accounts" / "cobalt-ridge.yaml").read_text()
    text = text.replace("renewal_date: 2027-10-31", "renewal_date: 2026-12-31", 1)
    for number, twin in enumerate((3, 1, 4, 2)):
        (ws / "accounts" / f"a{number}-twin.yaml").write_text(
            text.replace("id: cobalt-ridge", f"id: twin-{twin}", 1).replace(
                "owner: Dana Whitfield", f"owner: Owner {twin}", 1
            )
        )
    return [f"Owner {twin}" for twin in (1, 2, 3, 4)]


@pytest.mark.parametrize("where", ["here", "workers", "full run"])
def test_rows_that_tie_come_out_in_id_order(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Equal health, name and renewal date: each sheet lists the accounts by id (the order a
    lean run reads them in), not in the order their files were read or spilled; and so does
    a full run's scorecard (`qbrgen build`), which must be the same file."""
    from openpyxl import load_workbook

    owners = _twins(sample_workspace)
    monkeypatch.setattr(loading, "_use_parallel", lambda count: where == "workers")
    if where == "full run":
        with open_run(sample_workspace) as run:
            job = scorecard.plan(run, Selection(run.accounts))[0]
            (data,) = scorecard.render(job, render_env(run)).values()
    else:
        with open_run(sample_workspace, lean=account_row) as run:
            job = scorecard.plan(run, Selection([], summaries=run.summaries))[0]
            (data,) = scorecard.render(job, render_env(run)).values()
    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in ("Accounts", "Renewals", "Health history"):
        cells = [cell for row in book[sheet].iter_rows(values_only=True) for cell in row]
        shown = [c for c in cells if isinstance(c, str) and c.startswith("Owner ")]
        assert shown == owners, sheet


def _spill_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("qbrgen-*.spill"))


def test_the_scorecard_command_removes_its_spill_also_when_the_workbook_fails(
    sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from click.testing import CliRunner

    from qbrgen.cli import main
    from qbrgen.render import RENDERERS, load_renderers

    spills = tmp_path / "spills"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    made: list[Path] = []
    original = scorecard.data_sheet

    def watching(*args: object, **kwargs: object) -> object:
        made.extend(_spill_files(spills))  # the run's spill, and the sheet's cells
        return original(*args, **kwargs)

    monkeypatch.setattr(scorecard, "data_sheet", watching)
    runner = CliRunner()
    result = runner.invoke(main, ["scorecard", "-w", str(sample_workspace)])
    assert result.exit_code == 0, result.output
    assert made and _spill_files(spills) == []

    load_renderers(["scorecard"])

    def failing(job: object, env: object) -> dict[str, bytes]:
        made.extend(_spill_files(spills))
        raise RuntimeError("the workbook could not be written")

    broken = dataclasses.replace(RENDERERS["scorecard"], render=failing)
    monkeypatch.setitem(RENDERERS, "scorecard", broken)
    made.clear()
    result = runner.invoke(main, ["scorecard", "-w", str(sample_workspace)])
    assert result.exit_code == 1
    assert "the workbook could not be written" in result.output
    assert made and _spill_files(spills) == []


def test_a_spill_reads_back_what_was_put_in_another_process_too(tmp_path: Path) -> None:
    import pickle

    from qbrgen.spill import Spill, SpilledList

    with Spill() as spill:
        values = [
            {"id": "a", "k": [1.5, None]},
            ("b", dt_date := __import__("datetime").date(2026, 1, 2)),
            "c" * 100_000,
        ]
        numbers = [spill.put(v) for v in values]
        assert numbers == [0, 1, 2] and len(spill) == 3
        assert [spill.get(n) for n in (2, 0, 1)] == [values[2], values[0], values[1]]
        copy = pickle.loads(pickle.dumps(spill))  # as a worker process gets it: a path
        assert list(copy.values()) == values and copy.get(1)[1] == dt_date
        with pytest.raises(ValueError):
            copy.append(b"more")
        copy.remove()  # a copy only closes the file
        assert Path(spill.path).is_file()
        from array import array

        listed = SpilledList(spill, array("q", [2, 0]))
        assert listed == [values[2], values[0]] and listed[1] == values[0] and len(listed) == 2
        path = Path(spill.path)
    assert not path.exists()


def test_column_widths_measured_in_batches_are_those_of_all_rows() -> None:
    from qbrgen.render._xlsx import ColumnWidths, column_widths

    formats = ["#,##0;-#,##0", None, "0.0%", None]
    rows = [
        [5, "ab", 0.5, None],
        [-5, "abcd", -0.25, True],
        [12345, "", 0.125, __import__("datetime").date(2026, 1, 1)],
        [-12345, "x" * 9, 0.5, None],
        [None, None, -0.5, False],
    ]
    for size in (1, 2, 3, 5):
        measure = ColumnWidths(formats)
        for start in range(0, len(rows), size):
            measure.add(rows[start : start + size])
        assert measure.widths() == column_widths(rows, formats), size


def test_the_health_history_digest_is_that_of_every_account_s_scores(
    sample_workspace: Path,
) -> None:
    """The scorecard's inputs hash the health history as a dict of every account's scores
    printed, made one row at a time without the dict."""
    import hashlib

    from qbrgen.kpis.periods import Quarter
    from qbrgen.render._scorecard_rows import arrange, health_history, health_scores

    run = open_run(sample_workspace)
    job = scorecard.plan(run, Selection(run.accounts))[0]
    rows = job.payload["accounts"]
    history = health_history(run)
    whole = {
        "dates": history["dates"],
        "scores": {row["id"]: health_scores(history, row) for row in rows},
        "where": history["where"],
        "enabled": history["enabled"],
        "error": history["error"],
    }
    _, _, digest = arrange(rows, Quarter.of(run.report.as_of).shift(1).end, history)
    assert digest == hashlib.sha256(repr(whole).encode()).hexdigest()
    assert job.inputs["history"] == digest[:16]
