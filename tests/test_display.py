"""One display rule per KPI: the same KPI, read back from every document type of one run for
one account, reads the same (kpi-definitions.md, Display).

The deck is read with python-pptx, the plan's text with pypdf, the digest as Markdown, the CLI
from its output, and the scorecard through LibreOffice's "as shown" CSV export: the workbook
stores numbers, so what a reader sees is its number format applied by a real spreadsheet.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from conftest import run_cli, soffice_convert
from qbrgen.formatting import Formatter, round_half_up
from qbrgen.run import open_run

ACCOUNT = "brackenridge-telecom"  # health 35.65: the "36 in the deck, 35.6 in the plan" case
NO_HISTORY = "alder-point-dental"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _deck_text(path: Path) -> str:
    parts: list[str] = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return _flat(" ".join(parts))


def _pdf_text(path: Path) -> str:
    return _flat(" ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
"""LibreOffice's CSV filter: comma, quote, UTF-8, from line 1, -, -, quoted text, detect numbers,
cells saved AS SHOWN, -, -, every sheet to its own file."""


def _scorecard_rows(path: Path, outdir: Path, sheet: str) -> list[dict[str, str]]:
    """The sheet as a spreadsheet shows it (LibreOffice's CSV export, cells as shown)."""
    out = outdir / f"{path.stem}-{sheet}.csv"
    if not out.exists():
        soffice_convert(path, outdir, CSV_AS_SHOWN, expect=out.name)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    header = next(i for i, row in enumerate(rows) if row and row[0] in ("Account ID", "Account"))
    # Numbers are padded off the text beside them with a trailing space ("_)" in the format).
    return [
        {h: cell.rstrip() for h, cell in zip(rows[header], row, strict=False)}
        for row in rows[header + 1 :]
        if row
    ]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    import shutil

    from conftest import ROOT

    ws = tmp_path_factory.mktemp("display") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    run_cli("qbr", ACCOUNT, NO_HISTORY, "-w", str(ws), check=True)
    run_cli("plan", ACCOUNT, NO_HISTORY, "-w", str(ws), check=True)
    run_cli("scorecard", "-w", str(ws), check=True)
    run_cli("digest", "--no-pdf", "-w", str(ws), check=True)
    cli = {
        a: _flat(run_cli("kpis", a, "-w", str(ws), check=True).stdout)
        for a in (ACCOUNT, NO_HISTORY)
    }
    out = ws / "output"
    lo = tmp_path_factory.mktemp("lo")
    scorecard = next((out / "portfolio").glob("scorecard-*.xlsx"))
    return {
        "run": open_run(ws),
        "deck": {a: _deck_text(next((out / a).glob("*.pptx"))) for a in (ACCOUNT, NO_HISTORY)},
        "plan": {
            a: _pdf_text(next((out / a).glob("*account-plan*.pdf"))) for a in (ACCOUNT, NO_HISTORY)
        },
        "scorecard": {r["Account ID"]: r for r in _scorecard_rows(scorecard, lo, "Accounts")},
        "renewals": _scorecard_rows(scorecard, lo, "Renewals"),
        "digest": _flat(next((out / "portfolio").glob("digest-*.md")).read_text()),
        "cli": cli,
    }


def test_the_same_kpi_reads_the_same_in_every_document(documents: dict[str, object]) -> None:
    run = documents["run"]
    fmt: Formatter = run.formatter  # type: ignore[attr-defined]
    k = run.report.accounts[ACCOUNT].values  # type: ignore[attr-defined]
    deck, plan = documents["deck"][ACCOUNT], documents["plan"][ACCOUNT]  # type: ignore[index]
    row = documents["scorecard"][ACCOUNT]  # type: ignore[index]
    digest, cli = documents["digest"], documents["cli"][ACCOUNT]  # type: ignore[index]

    health = fmt.kpi(k["health_score"], "health_score")
    assert health == "36" and k["health_score"] == pytest.approx(35.65)
    trend = fmt.kpi(k["health_trend"], "health_trend")
    assert re.fullmatch(r"[+−±]\d+\.\d pts", trend)
    arr = fmt.kpi(k["arr"], "arr")
    utilisation = fmt.kpi(k["seat_utilisation"], "seat_utilisation")
    assert re.fullmatch(r"\d+\.\d%", utilisation)
    adoption = fmt.kpi(k["adoption_trend"], "adoption_trend")
    assert adoption.endswith(" pp")
    coverage = fmt.kpi(k["stakeholder_coverage"], "stakeholder_coverage")
    assert coverage.endswith("active stakeholders")
    nrr = fmt.kpi(k["nrr"], "nrr")

    # The scorecard cell, as a spreadsheet displays it, is exactly the formatter's string.
    assert row["Health score"] == health
    assert row["Health trend"] == trend
    assert row["Current ARR"] == arr
    assert row["Seat utilisation"] == utilisation
    assert row["Adoption trend"] == adoption
    assert row["Active stakeholders"] == coverage
    assert row["NRR (TTM)"] == nrr
    # ... and every other document writes the same strings.
    assert f"health {health} red" in digest and trend in digest
    assert f"{health} red" in cli and trend in cli and arr in cli and utilisation in cli
    assert adoption in cli and coverage in cli and nrr in cli
    assert f"RED · {health}" in plan and trend in plan and arr in plan
    assert utilisation in plan and adoption in plan and coverage in plan and nrr in plan
    # The deck is the customer's: no health, no retention; its own usage in the same words.
    assert arr in deck and utilisation in deck and adoption in deck
    assert trend not in deck
    # Nothing shows the score with a decimal any more.
    one_decimal = str(round_half_up(k["health_score"], 1))
    for text in (plan, digest, cli):
        assert one_decimal not in text


def test_the_trend_names_the_components_it_compared(documents: dict[str, object]) -> None:
    run = documents["run"]
    k = run.report.accounts[ACCOUNT].values  # type: ignore[attr-defined]
    text = run.formatter.health_trend(k)  # type: ignore[attr-defined]
    assert text.endswith("compared)")
    assert k["health_trend_left_out"]  # engagement and/or outcomes were not comparable
    assert _flat(text) in documents["plan"][ACCOUNT]  # type: ignore[index]
    assert documents["scorecard"][ACCOUNT]["Health trend compares"] == text  # type: ignore[index]
    # The plan never prints a reconstructed "last quarter" score beside the headline.
    assert "Last quarter" not in documents["plan"][ACCOUNT]  # type: ignore[index]


def test_account_without_revenue_history_has_one_arr_everywhere(
    documents: dict[str, object],
) -> None:
    run = documents["run"]
    fmt = run.formatter  # type: ignore[attr-defined]
    k = run.report.accounts[NO_HISTORY].values  # type: ignore[attr-defined]
    arr = fmt.kpi(k["arr"], "arr")
    assert arr == "$25,000" == fmt.kpi(k["ending_arr"], "ending_arr")
    row = documents["scorecard"][NO_HISTORY]  # type: ignore[index]
    assert row["Current ARR"] == row["Ending ARR (TTM)"] == arr
    assert row["Revenue history"] == "no"
    assert row["GRR (TTM)"] == ""  # n/a: no revenue history
    plan = documents["plan"][NO_HISTORY]  # type: ignore[index]
    assert f"Current ARR {arr}" in plan and f"Ending ARR {arr}" in plan
    assert "no revenue history" in plan
    assert arr in documents["cli"][NO_HISTORY]  # type: ignore[index]
    # The customer's deck never carries the internal expected lifetime value.
    assert "lifetime value" not in documents["deck"][NO_HISTORY].lower()  # type: ignore[index]
    assert "expected lifetime value" in plan.lower()
