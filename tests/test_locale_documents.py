"""Documents of a German workspace (de_DE, EUR), read back: scorecard dates are real dates in
the locale's figures, money cells and deck chart axes carry the one CLDR-derived format, and
the PDF and PPTX language tags say the language the text is written in."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

from conftest import ROOT, run_cli
from qbrgen.formatting import Formatter
from qbrgen.render._pptx_text import CJK_FALLBACK
from qbrgen.render.xlsx_scorecard import pad_format

ACCOUNT = "brackenridge-telecom"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _workspace(root: Path, **settings: str) -> Path:
    ws = root / "ws"
    ws.mkdir()
    text = (ROOT / "qbrgen.yaml").read_text(encoding="utf-8")
    for key, value in settings.items():
        text, count = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
        if not count:
            text += f"\n{key}: {value}\n"
    (ws / "qbrgen.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    return ws


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = _workspace(tmp_path_factory.mktemp("de"), locale="de_DE", currency="EUR")
    run_cli("qbr", ACCOUNT, "--no-brief", "-w", str(ws), check=True)
    run_cli("plan", ACCOUNT, "-w", str(ws), check=True)
    run_cli("scorecard", "-w", str(ws), check=True)
    return ws / "output"


def test_scorecard_dates_are_dates_in_the_locales_figures(german: Path) -> None:
    fmt = Formatter("de_DE", "EUR")
    book = load_workbook(next((german / "portfolio").glob("scorecard-*.xlsx")))
    sheet = book["Accounts"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "Account ID")
    columns = {cell.value: cell.column for cell in header_row}
    first = header_row[0].row + 1
    renewal = sheet.cell(first, columns["Renewal date"])
    assert isinstance(renewal.value, dt.date)
    assert renewal.number_format == "dd\\.mm\\.yyyy_)"
    arr = sheet.cell(first, columns["Current ARR"])
    assert isinstance(arr.value, int | float)
    assert arr.number_format == pad_format(fmt.excel_money("red"))
    assert arr.number_format.startswith('#,##0"\u00a0€"')


def test_deck_chart_axes_use_the_locales_formats(german: Path) -> None:
    prs = Presentation(str(next((german / ACCOUNT).glob("*.pptx"))))
    axes = [
        shape.chart.value_axis.tick_labels.number_format
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_chart
    ]
    assert axes and Formatter("de_DE", "EUR").excel_percent(0) in axes
    assert all("%" not in axis or '"\u00a0"%' in axis for axis in axes), axes


def test_language_tags_are_the_texts_language(german: Path) -> None:
    fmt = Formatter("de_DE", "EUR")
    prs = Presentation(str(next((german / ACCOUNT).glob("*.pptx"))))
    tags: set[str | None] = set()
    for slide in prs.slides:
        parts = [slide.part._element]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.part._element)
        for element in parts:
            tags |= {r.get("lang") for r in element.iter(f"{A}rPr")}
            assert all(r.find(f"{A}rPr") is not None for r in element.iter(f"{A}r"))
            # Japanese, Chinese or Korean words are drawn with the font they are measured with
            faces = {p.find(f"{A}ea").get("typeface") for p in element.iter(f"{A}rPr")}
            assert faces == {CJK_FALLBACK}
    assert tags == {fmt.language_tag}
    assert prs.core_properties.language == fmt.language_tag
    pdf = PdfReader(str(next((german / ACCOUNT).glob("*account-plan*.pdf"))))
    assert pdf.trailer["/Root"]["/Lang"] == fmt.language_tag
    assert fmt.language_tag == "en"  # English words, German numbers
    assert Formatter("de_DE", "EUR", language="de").language_tag == "de-DE"


def test_the_tagging_pass_reaches_runs_without_properties() -> None:
    from qbrgen.render._pptx_draw import _tag_runs

    element = etree.fromstring(
        f'<a:p xmlns:a="{A[1:-1]}"><a:r><a:t>Hallo</a:t></a:r><a:endParaRPr/></a:p>'
    )
    _tag_runs(element, "de-DE", "Noto Sans CJK JP")
    assert element.find(f"{A}r/{A}rPr").get("lang") == "de-DE"
    assert element.find(f"{A}r/{A}rPr/{A}ea").get("typeface") == "Noto Sans CJK JP"
    assert element.find(f"{A}endParaRPr").get("lang") == "de-DE"
