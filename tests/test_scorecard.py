"""The portfolio scorecard workbook, read back with openpyxl: the KPI engine's numbers exactly,
number formats, conditional formatting, tables, charts, no formulas, no formula injection."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from conftest import ROOT, run_cli, soffice_convert
from qbrgen.build import render_now
from qbrgen.render import Selection
from qbrgen.render._xlsx import FORMULA_TRIGGERS, append_rows, make_cell, write_cell
from qbrgen.render.xlsx_scorecard import LAGGING_ROWS, LEADING_ROWS, SHEETS
from qbrgen.run import Run, open_run


def _num(value: Any) -> Any:
    """An engine value as the workbook stores it: Decimal money as float, and floats at the
    16 significant digits openpyxl writes (money and counts round-trip unchanged)."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return float(f"{value:.16g}")
    return value


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """The sample workspace's scorecard, made by the real `qbrgen scorecard` command."""
    ws = tmp_path_factory.mktemp("scorecard") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    result = run_cli("scorecard", "-w", str(ws), check=True)
    run = open_run(ws)
    path = ws / "output" / "portfolio" / f"scorecard-{run.report.quarter}.xlsx"
    assert result.stdout.strip().endswith(f"scorecard-{run.report.quarter}.xlsx")
    assert path.is_file()
    return run, path


@pytest.fixture(scope="module")
def workbook(sample: tuple[Run, Path]) -> Any:
    return load_workbook(sample[1])


def _header(ws: Any) -> tuple[int, dict[str, int]]:
    """The row of the table header and column index by header name."""
    table = next(iter(ws.tables.values()))
    first = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit()))
    names = {ws.cell(first, c).value: c for c in range(1, ws.max_column + 1)}
    return first, names


def test_sheets_in_order(workbook: Any) -> None:
    assert workbook.sheetnames == list(SHEETS)


def test_summary_holds_the_engine_numbers(sample: tuple[Run, Path], workbook: Any) -> None:
    run, _ = sample
    values = run.report.portfolio.values
    ws = workbook["Summary"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    quarter = str(run.report.quarter)
    assert ws.cell(4, 2).value == quarter
    assert ws.cell(4, 3).value == str(run.report.quarter.prev())
    from qbrgen.kpis.definitions import BY_KEY

    checked = 0
    for key, label, _kind, measured in LAGGING_ROWS + LEADING_ROWS:
        if key in ("tickets", "support_trend"):
            continue
        row = rows[label or BY_KEY[key].label]
        pairs = [(5, key)]
        if measured == "q":
            pairs += [(2, key + "_q"), (3, key + "_prev_q")]
        for col, name in pairs:
            cell = ws.cell(row, col)
            expected = _num(values.get(name))
            if expected is None:
                assert cell.value == "n/a", name
            else:
                assert cell.value == expected, name
                checked += 1
    assert checked > 30
    grr = ws.cell(rows[BY_KEY["grr"].label], 2)
    assert grr.number_format == "#,##0.0%_)"  # the formatter's rule, padded off the text beside it
    arr = ws.cell(rows["Current ARR"], 5)
    assert "$" in arr.number_format and "#,##0" in arr.number_format
    # health distribution table below
    band_row = rows["Red"]
    assert ws.cell(band_row, 2).value == run.report.portfolio.health_distribution["red"]
    assert ws.cell(band_row, 3).value == _num(run.report.portfolio.arr_by_band["red"])


def test_accounts_sheet_one_row_per_account_with_engine_values(
    sample: tuple[Run, Path], workbook: Any
) -> None:
    run, _ = sample
    ws = workbook["Accounts"]
    first, col = _header(ws)
    ids = [ws.cell(r, col["Account ID"]).value for r in range(first + 1, ws.max_row + 1)]
    assert sorted(ids) == sorted(run.report.accounts)
    keys = {
        "Current ARR": "arr",
        "Health score": "health_score",
        "Days to renewal": "days_to_renewal",
        "GRR (TTM)": "grr",
        "NRR (TTM)": "nrr",
        "Seat utilisation": "seat_utilisation",
        "Expansion (TTM)": "expansion_revenue",
        "Expected lifetime value at portfolio churn": "expected_lifetime_value",
        "Pipeline": "pipeline",
        "Health trend": "health_trend",
        "Open escalations": "open_escalations",
    }
    for offset, account_id in enumerate(ids, start=first + 1):
        kpis = run.report.accounts[account_id]
        for header, key in keys.items():
            assert ws.cell(offset, col[header]).value == _num(kpis.get(key)), (account_id, key)
        band = ws.cell(offset, col["Health band"]).value
        assert band == (kpis.health.band or "unscored").capitalize()
        assert ws.cell(offset, col["Warnings"]).value == len(kpis.warnings)
        renewal = ws.cell(offset, col["Renewal date"])
        assert (
            renewal.is_date and renewal.number_format == "m\\/d\\/yyyy_)"
        )  # the en_US short date, 4-digit year
        assert renewal.value.date() == run.portfolio.by_id(account_id).account.contract.renewal_date
    row = first + 1
    assert "$" in ws.cell(row, col["Current ARR"]).number_format
    assert ws.cell(row, col["GRR (TTM)"]).number_format == "#,##0.0%_)"
    # worst health first
    scores = [ws.cell(r, col["Health score"]).value for r in range(first + 1, ws.max_row + 1)]
    scored = [s for s in scores if s is not None]
    assert scored == sorted(scored)


def test_accounts_sheet_is_a_filtered_banded_table_with_frozen_header(workbook: Any) -> None:
    ws = workbook["Accounts"]
    table = ws.tables["Accounts"]
    assert table.autoFilter is not None and table.autoFilter.ref == table.ref
    assert table.tableStyleInfo.showRowStripes
    first, col = _header(ws)
    assert ws.freeze_panes == f"B{first + 1}"
    assert [c.name for c in table.tableColumns] == sorted(col, key=col.get)
    # widths fit: every column set, the name column wider than the id column
    width = ws.column_dimensions
    assert width["B"].width > width["A"].width >= 8


def test_conditional_formatting_for_bands_and_overdue_items(workbook: Any) -> None:
    ws = workbook["Accounts"]
    _, col = _header(ws)
    from openpyxl.utils import get_column_letter

    rules: dict[str, list[Any]] = {}
    for cf in ws.conditional_formatting:
        letter = str(cf.sqref).split(":")[0].rstrip("0123456789")
        rules.setdefault(letter, []).extend(cf.rules)
    band = rules[get_column_letter(col["Health band"])]
    assert {r.formula[0] for r in band} == {'"Red"', '"Yellow"', '"Green"'}
    assert all(r.dxf is not None and r.dxf.fill is not None for r in band)
    score = rules[get_column_letter(col["Health score"])]
    assert any("<=50" in r.formula[0] for r in score)
    due = rules[get_column_letter(col["Next step due"])]
    assert any("DATE(" in r.formula[0] for r in due)
    assert rules[get_column_letter(col["Days to renewal"])]
    assert rules[get_column_letter(col["Overdue next steps"])]
    renewals = workbook["Renewals"]
    assert list(renewals.conditional_formatting)


def test_by_owner_retention_from_summed_money(sample: tuple[Run, Path], workbook: Any) -> None:
    run, _ = sample
    ws = workbook["By owner"]
    first, col = _header(ws)
    total_row = None
    owners: dict[str, int] = {}
    for r in range(first + 1, ws.max_row + 1):
        name = ws.cell(r, 1).value
        if name == "All owners":
            total_row = r
        elif name:
            owners[name] = r
    assert set(owners) == {a.account.owner for a in run.accounts}
    for owner, r in owners.items():
        mine = [k for k in run.report.accounts.values()
                if run.portfolio.by_id(k.account_id).account.owner == owner]  # fmt: skip
        start = sum((k["starting_arr"] or Decimal(0)) for k in mine)
        lost = sum((k["contraction_arr"] or 0) + (k["churned_arr"] or 0) for k in mine)
        gained = sum((k["expansion_revenue"] or 0) for k in mine)
        assert ws.cell(r, col["Starting ARR (TTM)"]).value == pytest.approx(float(start))
        if start:
            expected = min(1.0, float((start - lost) / start))
            assert ws.cell(r, col["GRR (TTM)"]).value == pytest.approx(expected)
            nrr = float((start + gained - lost) / start)
            assert ws.cell(r, col["NRR (TTM)"]).value == pytest.approx(nrr)
        red = sum(1 for k in mine if k.health.band == "red" and k["status"] == "active")
        assert ws.cell(r, col["Red"]).value == red
    assert total_row is not None
    values = run.report.portfolio.values
    assert ws.cell(total_row, col["GRR (TTM)"]).value == _num(values["grr"])
    assert ws.cell(total_row, col["Current ARR"]).value == _num(values["arr"])


def test_renewals_sheet_covers_the_next_two_quarters(
    sample: tuple[Run, Path], workbook: Any
) -> None:
    run, _ = sample
    ws = workbook["Renewals"]
    as_of = run.report.as_of
    from qbrgen.kpis.periods import Quarter

    horizon = Quarter.of(as_of).shift(1).end
    expected = {
        k.name
        for k in run.report.accounts.values()
        if k["status"] == "active"
        and run.portfolio.by_id(k.account_id).account.contract.renewal_date <= horizon
    }
    if not expected:
        assert ws.tables == {} or not ws.tables
        return
    first, col = _header(ws)
    names = {ws.cell(r, col["Account"]).value for r in range(first + 1, ws.max_row + 1)}
    assert names == expected
    for r in range(first + 1, ws.max_row + 1):
        assert ws.cell(r, col["Risk"]).value in ("High", "Medium", "Low")
        assert 0 <= ws.cell(r, col["Readiness"]).value <= 1
        assert ws.cell(r, col["Readiness"]).number_format == "#,##0.0%_)"


def test_native_charts_with_engine_series(sample: tuple[Run, Path], workbook: Any) -> None:
    run, _ = sample
    ws = workbook["Charts"]
    assert len(ws._charts) == 3
    quarterly = run.report.portfolio.series["quarterly"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for item in quarterly:
        r = rows[item["quarter"]]
        assert ws.cell(r, 5).value == _num(item["nrr"])
    values = run.report.portfolio.values
    assert ws.cell(rows["Starting ARR"], 2).value == float(values["starting_arr"])
    assert ws.cell(rows["Expansion"], 2).value == float(values["expansion_revenue"])
    assert ws.cell(rows["Churn"], 2).value == -float(values["churned_arr"])
    assert ws.cell(rows["Ending ARR"], 2).value == float(values["ending_arr"])
    steps = [ws.cell(r, 2).value for r in range(rows["Starting ARR"], rows["Ending ARR"])]
    assert sum(steps) == pytest.approx(float(values["ending_arr"]))


def test_values_not_formulas(sample: tuple[Run, Path]) -> None:
    with zipfile.ZipFile(sample[1]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_libreoffice_converts_the_workbook(sample: tuple[Run, Path], tmp_path: Path) -> None:
    pdf = soffice_convert(sample[1], tmp_path)
    assert pdf.stat().st_size > 10_000


# --- formula injection ---------------------------------------------------------------------


def test_injection_strings_are_read_back_as_text(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    (ws_dir / "accounts").mkdir(parents=True)
    shutil.copy(ROOT / "qbrgen.yaml", ws_dir / "qbrgen.yaml")
    source = next(iter(sorted((ROOT / "accounts").glob("*.yaml"))))
    data = yaml.safe_load(source.read_text())
    data["name"] = '=HYPERLINK("http://x","y")'
    data["notes"] = "+1-555"
    data["owner"] = "@SUM(A1)"
    data["actions"] = [{"title": "-2+3", "owner": "Me", "due": dt.date(2030, 1, 1)}]
    (ws_dir / "accounts" / source.name).write_text(yaml.safe_dump(data, sort_keys=False))
    run = open_run(ws_dir)
    assert not run.portfolio.problems.errors, run.portfolio.problems.items
    [path] = render_now(run, "scorecard", Selection(run.accounts))
    wb = load_workbook(path)
    ws = wb["Accounts"]
    first, col = _header(ws)
    row = first + 1
    for header, text in (
        ("Account", '=HYPERLINK("http://x","y")'),
        ("Notes", "+1-555"),
        ("Owner", "@SUM(A1)"),
        ("Next step", "-2+3"),
    ):
        cell = ws.cell(row, col[header])
        assert cell.value == text and cell.data_type == "s", header
    by_owner = wb["By owner"]
    first, col = _header(by_owner)
    cell = by_owner.cell(first + 1, 1)
    assert cell.value == "@SUM(A1)" and cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"HYPERLINK" not in archive.read(name) or b"<f>" not in archive.read(name)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_safe_writer_never_writes_a_formula(tmp_path: Path, trigger: str) -> None:
    text = f"{trigger}1+1"
    normal = Workbook()
    write_cell(normal.active, 1, 1, text)
    streamed = Workbook(write_only=True)
    sheet = streamed.create_sheet("s")
    sheet.append([make_cell(sheet, text)])
    append_rows(sheet, [[text, 1.5]], [None, "0.0"])
    for book, name in ((normal, "n.xlsx"), (streamed, "w.xlsx")):
        book.save(tmp_path / name)
        back = load_workbook(tmp_path / name).worksheets[0]
        for cell in back.iter_rows(max_col=1):
            assert cell[0].value == text and cell[0].data_type == "s"


@pytest.mark.parametrize(("row_hook", "row_xml"), [(True, True), (True, False), (False, False)])
def test_streamed_rows_write_the_same_cells_as_openpyxl_append(
    tmp_path: Path, row_hook: bool, row_xml: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`append_rows` builds its cells (and their XML) itself (speed); openpyxl's public
    `append` of `make_cell` cells is the reference: same values, types, number formats and
    styles on every cell, and the very same sheet XML."""
    from openpyxl.styles import Alignment

    from qbrgen.render import _xlsx

    monkeypatch.setattr(_xlsx, "ROW_HOOK", row_hook)
    monkeypatch.setattr(_xlsx, "ROW_XML", row_xml)
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    rows = [
        ["Acme", 1200.5, 7, Decimal("10.25"), dt.date(2026, 1, 31), True, None, "=1+1"],
        ["  padded  ", -3, 0.125, None, when, False, "\tTab", "line\nbreak"],
        ["bad\x01char", 2**40, float("1e-9"), 5, dt.date(1999, 12, 31), None, "@x", "x" * 40000],
        [None, None, None, None, None, None, None, None, "extra column"],
        ["", 'a\r\nb <&> "q" ]]>', 1 / 3, Decimal("2.5"), dt.date(2026, 1, 31), True, " ", "é✓"],
        [float("nan"), "row written by openpyxl's own writer", None, None, None, None, None, None],
    ]
    formats = ["@", '"$"#,##0', "0.0%", "#,##0.00", "yyyy-mm-dd", None, None, None]
    style = {"alignment": Alignment(vertical="top", wrap_text=True)}

    fast = Workbook(write_only=True)
    fast_sheet = fast.create_sheet("s")
    fast_sheet.row_dimensions[2].height = 30
    append_rows(fast_sheet, rows, formats, style)
    reference = Workbook(write_only=True)
    sheet = reference.create_sheet("s")
    sheet.row_dimensions[2].height = 30
    for values in rows:
        cells: list[Any] = []
        for col, value in enumerate(values):
            fmt = formats[col] if col < len(formats) else None
            if value is None:
                cells.append(None)
            elif isinstance(value, str):
                cells.append(make_cell(sheet, value[:32767], **style))
            else:
                cells.append(make_cell(sheet, value, fmt) if fmt else value)
        sheet.append(cells)
    fast.save(tmp_path / "fast.xlsx")
    reference.save(tmp_path / "ref.xlsx")

    def cells(name: str) -> list[tuple[Any, ...]]:
        ws = load_workbook(tmp_path / name)["s"]
        return [
            (c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix,
             c.alignment.vertical, c.alignment.wrap_text)
            for row in ws.iter_rows() for c in row if c.value is not None
        ]  # fmt: skip

    got, want = cells("fast.xlsx"), cells("ref.xlsx")
    assert got == want
    assert len(got) == 30  # the empty text and the NaN read back as no value
    if row_xml:  # the XML openpyxl's own cell writer writes for the same cells, byte for byte
        monkeypatch.setattr(_xlsx, "ROW_XML", False)
        cell_writer = Workbook(write_only=True)
        cell_writer.create_sheet("s").row_dimensions[2].height = 30
        append_rows(cell_writer["s"], rows, formats, style)
        cell_writer.save(tmp_path / "cells.xlsx")
        with (
            zipfile.ZipFile(tmp_path / "fast.xlsx") as a,
            zipfile.ZipFile(tmp_path / "cells.xlsx") as b,
        ):
            sheet_xml = a.read("xl/worksheets/sheet1.xml")
            assert sheet_xml == b.read("xl/worksheets/sheet1.xml")
            assert a.read("xl/styles.xml") == b.read("xl/styles.xml")
        assert b'<row r="2" ht="30" customHeight="1">' in sheet_xml
        assert (
            b"a&#13;\nb &lt;&amp;&gt;" in sheet_xml and b'xml:space="preserve"> </t>' in sheet_xml
        )
    by_ref = {c[0]: c for c in got}
    assert by_ref["H1"][1:3] == ("=1+1", "s") and by_ref["H1"][4] is True  # text, quote prefix
    assert by_ref["A3"][1] == "badchar" and len(by_ref["H3"][1]) == 32767


# --- printing and reading ----------------------------------------------------------------------


def _cut_cells(ws: Any) -> list[str]:
    """Text cells whose text the reader cannot see whole: wider than the column and the empty
    cells to its right, and not wrapped in a row tall enough for its lines."""
    from openpyxl.utils import get_column_letter

    from qbrgen.render._xlsx import display_width, row_height, wrapped_lines

    def width(col: int) -> float:
        return ws.column_dimensions[get_column_letter(col)].width or 8.43

    cut = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.value == "":
                continue
            if not isinstance(cell.value, str):
                if display_width(cell.value, cell.number_format) > width(cell.column):
                    cut.append(f"{cell.coordinate}: ### for {cell.value}")
                continue
            need = len(cell.value) * 1.1 + 2
            if need <= width(cell.column):
                continue
            if cell.alignment.wrap_text:
                height = ws.row_dimensions[cell.row].height or 15
                lines = wrapped_lines(cell.value, width(cell.column))
                if height + 0.5 < row_height(lines) * 0.95:
                    cut.append(f"{cell.coordinate}: {lines} lines in {height} pt")
                continue
            room, col = width(cell.column), cell.column + 1
            while (
                room < need and col <= ws.max_column and ws.cell(cell.row, col).value in (None, "")
            ):
                room, col = room + width(col), col + 1
            if room < need:
                cut.append(f"{cell.coordinate}: {cell.value[:40]!r} in {width(cell.column)} chars")
    return cut


def test_every_cell_uses_the_brand_font_and_no_text_is_cut(
    sample: tuple[Run, Path], workbook: Any
) -> None:
    run, _ = sample
    fonts = {run.workspace.config.branding.fonts.body, run.workspace.config.branding.fonts.heading}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name in fonts, (ws.title, cell.coordinate, cell.font.name)
        assert not _cut_cells(ws), (ws.title, _cut_cells(ws)[:5])
        assert ws.print_area, ws.title
        assert ws.page_setup.fitToHeight in (0, 1) and ws.page_setup.fitToWidth >= 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    text = " ".join(
        str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    for key in ("mid_market", "executive_sponsor", "decision_maker"):
        assert key not in text, key


def test_arr_bridge_starts_at_zero(workbook: Any) -> None:
    bridge = [c for c in workbook["Charts"]._charts if c.grouping == "stacked"]
    assert len(bridge) == 1 and bridge[0].y_axis.scaling.min == 0


def test_libreoffice_prints_every_sheet_within_the_page(
    sample: tuple[Run, Path], tmp_path: Path
) -> None:
    import re
    import subprocess

    from conftest import require_tool

    pdf = soffice_convert(sample[1], tmp_path)
    html = subprocess.run(
        [require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, re.S)
    assert pages
    for number, (page_width, body) in enumerate(pages, start=1):
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"[^>]*>([^<]*)</word>', body
        ):
            assert float(x_min) >= 0 and float(x_max) <= float(page_width), (number, word)
            assert "###" not in word, (number, word)
    # every sheet of the workbook prints (no sheet is lost or empty)
    text = " ".join(re.findall(r">([^<]*)</word>", html))
    for heading in ("Portfolio scorecard", "ARR movement", "Accounts", "Renewals", "Books by"):
        assert heading in text, heading
