"""QBR decks: read back with python-pptx (titles in their placeholders, chart series, visuals,
tables, notes, footer, properties), converted by LibreOffice, stressed with long multilingual
text, and built on real company templates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Emu, Inches

from conftest import FIXTURES, run_cli, soffice_convert
from deck_measure import (
    all_texts,
    box_of,
    coverage,
    is_content,
    notes_text,
    paragraph_height,
    pt,
    shortened,
    slide_id,
    slide_kind,
    space_before,
)
from qbrgen import __version__
from qbrgen.errors import TemplateError
from qbrgen.kpis.definitions import BY_KEY
from qbrgen.palette import SEVERITY_ORDER, Palette
from qbrgen.render import Selection, load_renderers, render_env
from qbrgen.run import open_run

DECK_WS = FIXTURES / "deck" / "ws"
TEMPLATES = FIXTURES / "deck" / "templates"
REAL_TEMPLATES = ["coreoz-4x3-fr.pptx", "m3-16x9-ja.pptx", "m3-a4-ja.pptx"]


# --- helpers -----------------------------------------------------------------------------------


def copy_ws(tmp_path: Path, name: str = "ws") -> Path:
    dest = tmp_path / name
    shutil.copytree(DECK_WS, dest)
    return dest


def set_config(ws: Path, **changes) -> None:
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config.update(changes)
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))


def render_decks(ws: Path, ids: list[str] | None = None) -> dict[str, Presentation]:
    """Render in-process (plan + render) and read each deck back."""
    run = open_run(ws)
    renderer = load_renderers(["qbr"])["qbr"]
    env = render_env(run)
    decks = {}
    for job in renderer.plan(run, Selection(run.select(ids or []))):
        ((rel, data),) = renderer.render(job, env).items()
        assert rel.startswith(f"{job.key}/") and rel.endswith("-QBR-2026-Q3.pptx")
        decks[job.key] = Presentation(BytesIO(data))
    return decks


def title_text(slide) -> str:
    title = slide.shapes.title
    return title.text_frame.text if title is not None else ""


def headline(slide) -> str:
    """The title without its kicker line."""
    return title_text(slide).split("\n")[-1]


def slides_by_id(prs) -> dict[str, list]:
    out: dict[str, list] = {}
    for slide in prs.slides:
        out.setdefault(slide_id(slide), []).append(slide)
    return out


def slide(prs, ident: str):
    (found,) = slides_by_id(prs)[ident][:1]
    return found


def slide_text(one) -> str:
    return "\n".join(all_texts(one))


def table_rows(one) -> list[list[str]]:
    for shape in one.shapes:
        if shape.has_table:
            rows = [[c.text_frame.text for c in row.cells] for row in shape.table.rows]
            return rows[1:]
    return []


def charts(one) -> list[Chart]:
    return [s.chart for s in one.shapes if s.has_chart]


def frame_overflows(prs) -> list[str]:
    """Every text frame (shapes and table cells) whose text, measured with the real font's
    metrics at the sizes written in the file (runs without a font name: the template's theme
    fonts), needs more room than the frame has; every shape that runs off the slide."""
    from qbrgen.render.pptx_deck import theme_fonts

    major, minor = theme_fonts(prs)
    problems = []
    for number, one in enumerate(prs.slides, start=1):
        title_id = one.shapes.title.shape_id if one.shapes.title is not None else None
        for shape in one.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                frame = shape.text_frame
                family = (major if shape.shape_id == title_id else minor) or "DejaVu Sans"
                width = pt(shape.width) - pt(frame.margin_left) - pt(frame.margin_right)
                room = pt(shape.height) - pt(frame.margin_top) - pt(frame.margin_bottom)
                needed = 0.0
                for index, paragraph in enumerate(frame.paragraphs):
                    needed += paragraph_height(paragraph, width, family)
                    if index:
                        needed += space_before(paragraph)
                if needed > room + 0.5:
                    problems.append(
                        f"slide {number} {shape.name}: {needed:.0f} > {room:.0f} pt: {frame.text[:60]!r}"
                    )
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for col, cell in zip(table.columns, row.cells, strict=True):
                        width = pt(col.width) - pt(cell.margin_left) - pt(cell.margin_right)
                        room = pt(row.height) - pt(cell.margin_top) - pt(cell.margin_bottom)
                        needed = sum(paragraph_height(p, width) for p in cell.text_frame.paragraphs)
                        if needed > room + 0.5:
                            problems.append(
                                f"slide {number} cell: {needed:.0f} > {room:.0f} pt: {cell.text_frame.text[:60]!r}"
                            )
            box = box_of(shape)
            if box.bottom > pt(prs.slide_height) + 0.5 or box.right > pt(prs.slide_width) + 0.5:
                problems.append(f"slide {number} {shape.name}: runs off the slide")
    return problems


# --- the fixture workspace, through the real CLI ----------------------------------------------


@pytest.fixture(scope="module")
def cli_decks(tmp_path_factory) -> tuple[Path, dict[str, Presentation], str]:
    ws = copy_ws(tmp_path_factory.mktemp("deck"))
    result = run_cli("qbr", "--no-brief", "-w", str(ws), check=True)
    decks = {}
    for line in result.stdout.splitlines():
        path = ws / line.strip()
        assert path.is_file(), line
        decks[path.parent.name] = Presentation(str(path))
    return ws, decks, result.stdout


def test_cli_writes_one_deck_per_account(cli_decks) -> None:
    ws, decks, stdout = cli_decks
    assert sorted(decks) == ["acme", "borealis", "cobalt"]
    assert "output/acme/Acme-Logistics-QBR-2026-Q3.pptx" in stdout
    assert "prep-brief" not in stdout  # --no-brief


def test_slides_tell_the_qbr_story(cli_decks) -> None:
    _, decks, _ = cli_decks
    prs = decks["acme"]
    assert [slide_id(s) for s in prs.slides] == [
        "cover", "agenda", "summary", "last-review", "goals", "value", "adoption", "features",
        "support", "voice", "priorities", "risks", "expansion", "renewal", "decisions",
        "actions", "appendix", "definitions", "closing",
    ]  # fmt: skip
    assert title_text(prs.slides[0]) == "QUARTERLY BUSINESS REVIEW\nAcme Logistics"
    cover = slide_text(prs.slides[0])
    assert "2026-Q3 review · October 22, 2026" in cover
    assert "Presented by Jamie Chen" in cover and "Figures as of October 15, 2026" in cover
    # attendees: theirs with titles, ours by name
    assert "Dana Whitfield, COO" in cover and "Marco Ruiz, VP Operations" in cover
    assert "Priya Nair" in cover
    agenda = slide_text(slide(prs, "agenda"))
    assert "Agree the Nordics pilot scope" in agenda  # objectives
    assert "Your goals" in agenda and "Mutual action plan" in agenda  # topics, not headlines
    assert "Thank you" not in agenda


def test_titles_state_the_takeaway_under_a_topic_kicker(cli_decks) -> None:
    _, decks, _ = cli_decks
    prs = decks["acme"]
    summary = slide(prs, "summary")
    kicker, title = title_text(summary).split("\n")
    assert kicker == "EXECUTIVE SUMMARY"
    assert title == "Seat utilisation rose to 84.0%; forecast-based routing live"
    assert headline(slide(prs, "adoption")) == "Seat utilisation rose (+9.0 pp) to 84.0%"
    assert headline(slide(prs, "value")) == (
        "$85,000 of late-delivery penalties avoided: forecast-based routing live"
    )
    red = decks["borealis"]
    assert headline(slide(red, "summary")) == (
        "Seat utilisation fell to 26.0%: data load failing for clinic feeds"
    )
    # every slide's title is in the layout's title placeholder, none in the notes
    for prs in decks.values():
        for one in prs.slides:
            title = one.shapes.title
            assert title is not None and title.is_placeholder and title.text_frame.text
            assert "Full title" not in notes_text(one)


def test_chart_series_hold_the_kpi_engine_numbers(cli_decks) -> None:
    ws, decks, _ = cli_decks
    run = open_run(ws)
    series = run.report.accounts["acme"].series
    prs = decks["acme"]
    (util,) = charts(slide(prs, "adoption"))
    assert list(util.plots[0].categories) == series["quarters"]
    assert list(util.series[0].values) == pytest.approx(series["utilisation"])
    assert util.value_axis.axis_title.text_frame.text == "Active users ÷ licensed seats"
    (features,) = charts(slide(prs, "features"))
    got = dict(zip(features.plots[0].categories, features.series[0].values, strict=True))
    labels = {"Dashboards": "Dashboards", "Forecasting": "Forecasting", "Alerts": "Alerts"}
    labels["API"] = "API"
    assert got == pytest.approx({labels[k]: v for k, v in series["feature_adoption"].items()})
    (tickets,) = charts(slide(prs, "support"))
    # the palette's order (worst first) and colours, as in the account plan
    palette = Palette(run.workspace.config.branding.colours)
    assert [s.name for s in tickets.series] == [s.capitalize() for s in SEVERITY_ORDER]
    for severity, plotted in zip(SEVERITY_ORDER, tickets.series, strict=True):
        assert list(plotted.values) == [float(v) for v in series["tickets"][severity]]
        assert plotted.format.fill.fore_color.rgb == RGBColor.from_string(
            palette.severity(severity).lstrip("#")
        )
    # no ARR chart in a customer deck
    assert not [c for s in prs.slides for c in charts(s) if c.series[0].name == "ARR"]


def test_chart_workbooks_hold_the_charts_numbers(cli_decks, tmp_path: Path) -> None:
    """The workbook behind each chart (PowerPoint's "Edit Data") is written by qbrgen once
    per number format and sheet: it opens in openpyxl and LibreOffice with the chart's
    categories, series names and values where the chart's formulas point, in its format."""
    import csv

    import openpyxl

    _, decks, _ = cli_decks
    checked = 0
    for prs in decks.values():
        for one in prs.slides:
            for chart in charts(one):
                blob = chart.part.chart_workbook.xlsx_part.blob
                sheet = openpyxl.load_workbook(BytesIO(blob)).active
                assert sheet.title == "Sheet1"
                plot = chart.plots[0]
                assert [c.value for c in sheet["A"][1:]] == list(plot.categories)
                for index, series in enumerate(plot.series):
                    column = sheet.cell(row=1, column=2 + index).column_letter
                    assert sheet[f"{column}1"].value == series.name
                    assert [c.value for c in sheet[column][1:]] == list(series.values)
                    assert {c.number_format for c in sheet[column][1:] if c.value is not None} == {
                        chart.value_axis.tick_labels.number_format
                    }
                checked += 1
    assert checked >= 3
    # LibreOffice reads the last one like any workbook
    path = tmp_path / "chart.xlsx"
    path.write_bytes(blob)
    converted = soffice_convert(path, tmp_path, "csv")
    rows = list(csv.reader(converted.read_text().splitlines()))
    assert rows[0][1:] == [s.name for s in plot.series]
    assert [r[0] for r in rows[1:]] == list(plot.categories)


def test_cover_shows_both_logos(tmp_path: Path) -> None:
    from PIL import Image
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    ws = copy_ws(tmp_path)
    (ws / "assets").mkdir()
    Image.new("RGB", (400, 100), "#1F3A5F").save(ws / "assets" / "northwind.png")
    Image.new("RGB", (300, 150), "#C0392B").save(ws / "assets" / "acme.png")
    (ws / "assets" / "vector.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    set_config(ws, branding={"logo": "northwind.png"})
    account = ws / "accounts" / "acme.yaml"
    account.write_text(
        account.read_text().replace(
            "\nowner: Priya Nair\n", "\nowner: Priya Nair\nlogo: acme.png\n"
        )
    )
    cover = render_decks(ws, ["acme"])["acme"].slides[0]
    pictures = [s for s in cover.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 2
    for picture in pictures:  # aspect kept
        ratio = picture.width / picture.height
        assert ratio == pytest.approx(4.0, rel=0.01) or ratio == pytest.approx(2.0, rel=0.01)
    set_config(ws, branding={"logo": "vector.svg"})  # an SVG logo is for the PDFs only
    cover = render_decks(ws, ["acme"])["acme"].slides[0]
    assert len([s for s in cover.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]) == 1


def test_feature_labels_come_from_the_label_map(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    set_config(ws, labels={"features": {"Forecasting": "Demand forecasting"}})
    prs = render_decks(ws, ["acme"])["acme"]
    (features,) = charts(slide(prs, "features"))
    assert "Demand forecasting" in list(features.plots[0].categories)


def test_goals_show_progress_from_baseline_to_target(cli_decks) -> None:
    _, decks, _ = cli_decks
    text = slide_text(slide(decks["acme"], "goals"))
    assert "Cut late deliveries by a fifth" in text
    assert "Baseline 0%" in text and "Now -14%" in text and "Target -20%" in text
    assert "On track" in text and "Achieved" in text  # status chips
    assert "Late delivery rate · target -20% by Q4 by Dec 31, 2026" in text


def test_value_tiles_in_the_customers_terms(cli_decks) -> None:
    _, decks, _ = cli_decks
    text = slide_text(slide(decks["acme"], "value"))
    assert "$85,000" in text and "of late-delivery penalties avoided" in text
    assert "2" in text and "hours saved every week" in text
    assert "Aug 30, 2026" in text


def test_shared_records_only_and_literal_account_text(cli_decks) -> None:
    _, decks, _ = cli_decks
    prs = decks["acme"]
    risks = slide_text(slide(prs, "risks"))
    assert "Budget freeze {{ 7*7 }} <script>alert(1)</script>" in risks
    assert "=cmd|' /C calc'!A0 early ROI summary for CFO" in risks
    everything = "\n".join(slide_text(s) + notes_text(s) for s in prs.slides)
    assert "Champion may leave" not in everything  # not shared
    assert "Prepare the renewal discount options" not in everything
    assert "&lt;" not in risks
    actions = table_rows(slide(prs, "actions"))
    assert [r[0] for r in actions] == [
        "Share ROI summary with the CFO",
        "Confirm Nordics pilot scope",
        "Forecasting training for planners",
    ]
    assert actions[0][1:] == ["Priya Nair (Northwind Analytics)", "Oct 20, 2026", "Open"]
    assert actions[1][1] == "Marco Ruiz (Acme Logistics)"
    agreed = slide_text(slide(prs, "last-review"))
    assert "Share ROI summary with the CFO" in agreed and "Done" in agreed


def test_expansion_only_when_shared_and_healthy(cli_decks) -> None:
    _, decks, _ = cli_decks
    assert "Forecasting for the Nordics region" in slide_text(slide(decks["acme"], "expansion"))
    red = decks["borealis"]
    assert "expansion" not in slides_by_id(red)
    everything = "\n".join(slide_text(s) + notes_text(s) for s in red.slides)
    assert "Forecasting add-on" not in everything
    assert "health" not in everything.replace("Borealis Health", "").lower()


def test_empty_data_is_said_plainly_never_an_empty_chart(cli_decks) -> None:
    _, decks, _ = cli_decks
    sparse = decks["cobalt"]
    assert not any(charts(s) for s in sparse.slides)
    assert "No usage data with licensed seats yet" in slide_text(slide(sparse, "adoption"))
    assert "no support tickets opened in the last five quarters" in slide_text(
        slide(sparse, "support")
    )
    assert headline(slide(sparse, "goals")) == "No business goals agreed yet"
    assert "features" not in slides_by_id(sparse)  # no usage at all
    for prs in decks.values():
        for one in prs.slides:
            for chart in charts(one):
                values = [v for s in chart.series for v in s.values if v is not None]
                assert values and any(values), "a chart with no numbers"


def test_speaker_notes_hold_talking_points_only(cli_decks) -> None:
    _, decks, _ = cli_decks
    for prs in decks.values():
        for one in prs.slides:
            notes = notes_text(one)
            assert notes.strip(), slide_id(one)
            assert "presenter only" not in notes and "Warnings" not in notes
            assert "Remember {{ account.name }}" not in notes  # the account notes
    summary = notes_text(slide(decks["acme"], "summary"))
    assert BY_KEY["seat_utilisation"].definition in summary
    assert BY_KEY["health_score"].definition not in summary


def test_provenance_in_properties_footer_and_manifest(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    result = run_cli("build", "--only", "qbr", "-w", str(ws), "-j", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    run = open_run(ws)
    inputs = run.inputs_hash(run.portfolio.by_id("acme"))
    rel = "acme/Acme-Logistics-QBR-2026-Q3.pptx"
    prs = Presentation(str(ws / "output" / rel))
    props = prs.core_properties
    assert props.author == "Northwind Analytics"
    assert props.title == "Acme Logistics — Quarterly business review 2026-Q3"
    assert "as-of 2026-10-15" in props.keywords and "2026-10-15" in props.comments
    # the customer's file carries none of our identifiers (the manifest does, below)
    every_property = " ".join(
        str(getattr(props, name) or "")
        for name in ("keywords", "comments", "subject", "category", "title", "author")
    )
    assert "qbrgen" not in every_property and inputs not in every_property
    assert props.created == dt.datetime(2026, 10, 15)
    manifest = json.loads((ws / "output" / "manifest.json").read_text())
    assert manifest["files"][rel]["inputs"]["inputs_hash"] == inputs
    assert manifest["files"][rel]["as_of"] == "2026-10-15"
    # the footer: the built-in master's own footer, date and slide-number placeholders
    for number, one in enumerate(prs.slides, start=1):
        if slide_kind(one) == "cover":
            continue
        kinds = {
            s.placeholder_format.type: s for s in one.placeholders if s.name.startswith("qbrgen")
        }
        assert kinds[PP_PLACEHOLDER.FOOTER].text_frame.text == (
            "Northwind Analytics · Acme Logistics"
        )
        assert kinds[PP_PLACEHOLDER.DATE].text_frame.text == "Figures as of October 15, 2026"
        field = kinds[PP_PLACEHOLDER.SLIDE_NUMBER]._element.xpath(".//a:fld")[0]
        assert field.get("type") == "slidenum" and field.xpath("string(a:t)") == str(number)
        texts = " ".join(all_texts(one))
        assert __version__ not in texts and inputs not in texts


def test_fixture_decks_fit(cli_decks) -> None:
    _, decks, _ = cli_decks
    for prs in decks.values():
        assert frame_overflows(prs) == []
        for one in prs.slides:
            assert shortened(one) == []


# --- churned accounts -----------------------------------------------------------------------


def test_churned_account_gets_no_deck_and_a_clear_message(sample_workspace: Path) -> None:
    result = run_cli("qbr", "fernbrook-media", "cobalt-ridge", "-w", str(sample_workspace))
    assert result.returncode == 0, result.stderr
    assert "fernbrook-media: Fernbrook Media Group churned on June 30, 2026" in result.stderr
    assert "nobody presents a business review to a former customer" in result.stderr
    assert not (sample_workspace / "output" / "fernbrook-media").exists()
    assert "output/cobalt-ridge/Cobalt-Ridge-Software-QBR-2026-Q3.pptx" in result.stdout
    assert "output/cobalt-ridge/Cobalt-Ridge-Software-QBR-prep-brief-2026-Q3.pdf" in result.stdout


# --- locale, templates, corporate masters -----------------------------------------------------


def test_money_and_dates_follow_the_workspace_locale(tmp_path: Path) -> None:
    from qbrgen.templates import Formatter

    ws = copy_ws(tmp_path)
    set_config(ws, locale="de_DE", currency="EUR")
    prs = render_decks(ws, ["acme"])["acme"]
    renewal = slide_text(slide(prs, "renewal"))
    assert Formatter("de_DE", "EUR").money(240000) in renewal and "240.000" in renewal
    assert "15. Oktober 2026" in slide_text(prs.slides[0])


def test_workspace_deck_template_overrides_the_builtin(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    (ws / "templates" / "deck").mkdir(parents=True)
    (ws / "templates" / "deck" / "qbr.yaml").write_text(
        "slides:\n"
        "  - {id: risks, kind: table, title: 'Risks for {{ account.name }}', table: {rows: risks_sorted, columns: [{header: Risk, value: '{{ row.title }}'}]}}\n"
        "  - {id: hello, kind: bullets, kicker: Hi, title: Hello, bullets: ['{{ company.name }} says hi'], notes: 'Say hi.'}\n"
    )
    prs = render_decks(ws, ["acme"])["acme"]
    assert [title_text(s) for s in prs.slides] == ["Risks for Acme Logistics", "HI\nHello"]
    assert "Northwind Analytics says hi" in slide_text(prs.slides[1])
    (ws / "templates" / "deck" / "qbr.yaml").write_text(
        "slides:\n  - {id: broken, kind: bullets, title: '{{ account.nmae }}'}\n"
    )
    with pytest.raises(TemplateError, match=r"deck/qbr.yaml: slide 'broken' title: .*nmae"):
        render_decks(ws, ["acme"])


def make_corporate_template(path: Path) -> None:
    """A 'corporate' master made from python-pptx's default: renamed layouts, a coloured
    master background, and a leftover slide the deck must not keep."""
    prs = Presentation()
    names = {
        "Title Slide": "Corp Cover",
        "Section Header": "Corp Divider",
        "Title and Content": "Corp Text",
        "Title Only": "Corp Heading",
    }
    for layout in prs.slide_layouts:
        if layout.name in names:
            layout.name = names[layout.name]
    background = prs.slide_master.background.fill
    background.solid()
    background.fore_color.rgb = RGBColor(0xFD, 0xF2, 0xE9)
    leftover = prs.slides.add_slide(prs.slide_layouts[0])
    leftover.shapes.title.text = "Company confidential template slide"
    prs.save(str(path))


def corporate_ws(tmp_path: Path, template: Path, **deck) -> Path:
    ws = copy_ws(tmp_path)
    (ws / "templates").mkdir(exist_ok=True)
    shutil.copy(template, ws / "templates" / template.name)
    set_config(ws, deck={"template": template.name, **deck})
    return ws


def test_corporate_template_layouts_are_used(tmp_path: Path) -> None:
    make_corporate_template(tmp_path / "corporate.pptx")
    layouts = {
        "title": "Corp Cover",
        "section": "Corp Divider",
        "content": "Corp Text",
        "chart": "Corp Heading",
        "table": "Corp Heading",
        "closing": "Corp Cover",
    }
    ws = corporate_ws(tmp_path, tmp_path / "corporate.pptx", layouts=layouts)
    prs = render_decks(ws, ["acme"])["acme"]
    used = {one.slide_layout.name for one in prs.slides}
    assert used == {"Corp Cover", "Corp Divider", "Corp Text", "Corp Heading"}
    assert prs.slides[0].slide_layout.name == "Corp Cover"
    assert slide(prs, "actions").slide_layout.name == "Corp Heading"
    assert "Company confidential template slide" not in [title_text(s) for s in prs.slides]
    assert prs.slide_master.background.fill.fore_color.rgb == RGBColor(0xFD, 0xF2, 0xE9)
    assert prs.slide_width == Emu(9144000)  # the template's own 4:3 size is kept
    assert frame_overflows(prs) == []


def test_every_missing_layout_role_is_reported_at_once(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    set_config(ws, deck={"layouts": {"table": "Wide Table", "content": "Body Text"}})
    result = run_cli("qbr", "acme", "-w", str(ws))
    assert result.returncode == 1
    assert "role 'content': no layout named 'Body Text' (deck.layouts.content)" in result.stderr
    assert "role 'table': no layout named 'Wide Table' (deck.layouts.table)" in result.stderr
    assert "master 1: 'Title Slide', 'Title and Content'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_layout_too_small_for_content_is_a_located_error(tmp_path: Path) -> None:
    prs = Presentation()
    layout = next(lay for lay in prs.slide_layouts if lay.name == "Title Only")
    title = layout.placeholders[0]
    title.top, title.height = Inches(6.4), Inches(0.6)  # leaves no room below the title
    prs.save(str(tmp_path / "low.pptx"))
    ws = corporate_ws(tmp_path, tmp_path / "low.pptx")
    with pytest.raises(TemplateError) as caught:
        render_decks(ws, ["acme"])
    message = str(caught.value)
    assert "slide 7 ('adoption')" in message and "layout 'Title Only'" in message
    assert "low.pptx" in message and "content area of" in message


def test_missing_corporate_template_is_a_clear_error(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    set_config(ws, deck={"template": "brand/corporate.pptx"})
    result = run_cli("qbr", "acme", "-w", str(ws))
    assert result.returncode == 1
    assert (
        "deck template 'brand/corporate.pptx' (deck.template in qbrgen.yaml) not found"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_invalid_account_is_reported_and_exit_code_is_1(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    (ws / "accounts" / "broken.yaml").write_text("id: broken\nname: Broken\n")
    result = run_cli("qbr", "--no-brief", "-w", str(ws))
    assert result.returncode == 1
    assert "broken.yaml" in result.stderr
    assert "output/acme/Acme-Logistics-QBR-2026-Q3.pptx" in result.stdout


# --- real company templates -------------------------------------------------------------------


def _overlaps(a, b) -> bool:
    return (
        a.left < b.right - 0.5
        and b.left < a.right - 0.5
        and a.top < b.bottom - 0.5
        and (b.top < a.bottom - 0.5)
    )


def _template_texts(path: Path) -> set[str]:
    prs = Presentation(str(path))
    return {
        s.text_frame.text.strip()
        for one in prs.slides
        for s in one.shapes
        if s.has_text_frame and len(s.text_frame.text.strip()) > 3
    }


@pytest.fixture(scope="module", params=REAL_TEMPLATES)
def real_deck(request, tmp_path_factory) -> tuple[str, Presentation, Path]:
    name = request.param
    ws = corporate_ws(tmp_path_factory.mktemp(name.split(".")[0]), TEMPLATES / name)
    result = run_cli("qbr", "--no-brief", "acme", "-w", str(ws), check=True)
    path = ws / result.stdout.strip()
    return name, Presentation(str(path)), path


def test_real_template_deck_keeps_its_size_and_drops_its_sample_slides(real_deck) -> None:
    name, prs, _ = real_deck
    template = Presentation(str(TEMPLATES / name))
    assert (prs.slide_width, prs.slide_height) == (template.slide_width, template.slide_height)
    assert len(template.slides) >= 1
    samples = _template_texts(TEMPLATES / name)
    for one in prs.slides:
        assert not samples & {t.strip() for t in all_texts(one)}
    assert [slide_id(s) for s in prs.slides][:3] == ["cover", "agenda", "summary"]


def test_real_template_titles_sit_in_their_placeholders(real_deck) -> None:
    _, prs, _ = real_deck
    for one in prs.slides:
        title = one.shapes.title
        assert title is not None and title.is_placeholder, slide_id(one)
        layout_title = next(
            p for p in one.slide_layout.placeholders if p.placeholder_format.idx == 0
        )
        if slide_kind(one) != "cover":
            assert (title.left, title.top) == (layout_title.left, layout_title.top)
        assert title.text_frame.text.strip()
    assert frame_overflows(prs) == []


def test_real_template_footer_overlaps_nothing(real_deck) -> None:
    name, prs, _ = real_deck
    for one in prs.slides:
        footers = [s for s in one.shapes if s.name.startswith("qbrgen footer")]
        assert footers, (name, slide_id(one))
        footer = [box_of(s) for s in footers]
        own = [box_of(s) for s in footers if not s.is_placeholder]
        content = [
            box_of(s)
            for s in one.shapes
            if not s.name.startswith("qbrgen footer") and s.shape_id != one.shapes.title.shape_id
        ]
        decoration = [
            box_of(s)
            for holder in (one.slide_layout, one.slide_layout.slide_master)
            for s in holder.shapes
            if not s.is_placeholder
        ]
        for box in footer:
            assert not [c for c in content if _overlaps(box, c)], (name, slide_id(one))
        for box in own:  # qbrgen's own footer line keeps clear of the template's shapes
            assert not [d for d in decoration if _overlaps(box, d)], (name, slide_id(one))
    layout_footers = {
        p.placeholder_format.type
        for p in prs.slides[2].slide_layout.placeholders
        if p.placeholder_format.type in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)
    }
    used = {p.placeholder_format.type for p in prs.slides[2].placeholders}
    assert layout_footers <= used  # the template's own footer placeholders are filled


def test_real_template_content_slides_are_filled(real_deck) -> None:
    name, prs, _ = real_deck
    for one in prs.slides:
        assert shortened(one) == [], (name, slide_id(one))
        if is_content(one):
            assert coverage(one, prs) >= 0.45, (name, slide_id(one), coverage(one, prs))


def test_deck_template_check_reports_layouts_and_roles(tmp_path: Path) -> None:
    result = run_cli(
        "deck-template", "check", str(TEMPLATES / "m3-a4-ja.pptx"), "-w", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "10.8 × 7.5 in (A4), 3 master(s), 5 slide(s) already in it" in out
    assert "layout '表紙' (type custom): could serve title, closing" in out
    assert "content: '目次' (found by placeholders" in out
    assert "to pin it: deck.layouts.content: '目次'" in out
    french = run_cli("deck-template", "check", str(TEMPLATES / "coreoz-4x3-fr.pptx"))
    assert (
        "chart: 'Titre seul' (found by layout type; footer placeholders: date, footer, number)"
        in (french.stdout)
    )
    prs = Presentation()
    for layout in prs.slide_layouts:
        for shape in list(layout.placeholders):
            if shape.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                shape._element.getparent().remove(shape._element)
    prs.save(str(tmp_path / "untitled.pptx"))
    broken = run_cli("deck-template", "check", str(tmp_path / "untitled.pptx"), "-w", str(tmp_path))
    assert broken.returncode == 1
    assert "problems:" in broken.stdout and "role 'content': no layout fits" in broken.stdout


# --- stress: long lists, long text, CJK, Arabic, emoji ------------------------------------


CJK = "株式会社グローバル物流ソリューションズ・アジア太平洋地域統括本部"
ARABIC = "شركة الخليج للحلول اللوجستية المتقدمة والتحول الرقمي"
EMOJI = "🚚📦✨ Rocket 🚀 Logistics 🌏🌍🌎"


def stress_account() -> dict:
    people = []
    for i in range(60):
        name = [
            f"{CJK[: 6 + i % 10]} {i}",
            f"{ARABIC[: 10 + i % 20]} {i}",
            f"Émilie-Ångström {EMOJI} {i}",
        ][i % 3]
        people.append(
            {
                "name": name,
                "title": "Senior Vice President, Global Supply Chain Transformation and Operational Excellence "
                * (1 + i % 2),
                "role": ["executive_sponsor", "decision_maker", "champion", "user", "influencer"][
                    i % 5
                ],
                "last_contact": "2026-09-01",
            }
        )
    risks = [
        {
            "title": f"Risk {i}: "
            + ("the integration with the warehouse management system may slip " * (1 + i % 4))
            + CJK[: i % 12],
            "severity": ["critical", "high", "medium", "low"][i % 4],
            "owner": people[i]["name"] if i % 2 else "Priya Nair",
            "opened": "2026-08-01",
            "mitigation": (
                "Weekly steering meeting, escalation path agreed with the customer's CIO; "
                * (1 + i % 3)
            )
            + ARABIC[: i % 15],
            "status": "open" if i % 3 else "mitigating",
            "shared": True,
        }
        for i in range(40)
    ]
    note = ("Long context " + CJK + " " + ARABIC + " " + EMOJI + " ") * 20
    return {
        "id": "stress",
        "name": f"{CJK} {ARABIC} {EMOJI}",
        "industry": "Logistics",
        "segment": "enterprise",
        "owner": "Priya Nair",
        "updated": "2026-10-01",
        "contract": {
            "arr": 1_250_000,
            "start_date": "2025-11-01",
            "renewal_date": "2027-10-31",
            "licensed_seats": 5000,
        },
        "arr_snapshots": [
            {"quarter": q, "arr": 1_000_000 + i * 50_000}
            for i, q in enumerate(["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"])
        ],
        "usage": [
            {
                "period_end": "2026-09-30",
                "active_users": 4100,
                "feature_adoption": {
                    f"{EMOJI[:3]} Feature {CJK[:8]} {i}": 0.1 + i * 0.07 for i in range(12)
                },
            }
        ],
        "stakeholders": people,
        "goals": [
            {
                "title": ("Become the reference customer " + ARABIC + " ") * 3,
                "status": "on_track",
                "outcome": note[:600],
            }
        ],
        "risks": risks,
        "actions": [
            {
                "title": f"Action {i} {CJK[: i % 20]} "
                + "follow up on the steering committee decisions " * (i % 3),
                "owner": "Priya Nair",
                "due": "2026-11-30",
                "shared": True,
            }
            for i in range(25)
        ],
        "wins": [{"date": "2026-09-01", "title": EMOJI * 3, "impact": note[:900]}],
        "notes": note[:2000],
    }


@pytest.fixture(scope="module")
def stress_deck(tmp_path_factory) -> tuple[Path, Presentation]:
    ws = copy_ws(tmp_path_factory.mktemp("stress"))
    for path in (ws / "accounts").iterdir():
        path.unlink()
    (ws / "accounts" / "stress.yaml").write_text(
        yaml.safe_dump(stress_account(), allow_unicode=True), encoding="utf-8"
    )
    result = run_cli("qbr", "--no-brief", "-w", str(ws), check=True)
    path = ws / result.stdout.strip()
    return path, Presentation(str(path))


def test_stress_deck_no_text_frame_overflows(stress_deck) -> None:
    _, prs = stress_deck
    assert frame_overflows(prs) == []


def test_stress_deck_lists_continue_over_slides(stress_deck) -> None:
    _, prs = stress_deck
    risk_pages = slides_by_id(prs)["risks"]
    count = len(risk_pages)
    assert count >= 3
    assert [headline(s) for s in risk_pages] == [
        f"40 risks we are working on together ({i} of {count})" for i in range(1, count + 1)
    ]
    numbers = [
        shape.text_frame.text
        for s in risk_pages
        for shape in s.shapes
        if shape.name.startswith("ellipse")
    ]
    assert numbers == [str(i) for i in range(1, 41)]  # numbered on, none lost
    action_pages = slides_by_id(prs)["actions"]
    assert len(action_pages) >= 2
    assert sum(len(table_rows(s)) for s in action_pages) >= 25  # rows may continue


def test_stress_deck_wraps_instead_of_cutting(stress_deck) -> None:
    _, prs = stress_deck
    table_cells = [c for s in slides_by_id(prs)["actions"] for row in table_rows(s) for c in row]
    assert not [c for c in table_cells if c.endswith("…")]
    cover = prs.slides[0]
    assert CJK[:10] in slide_text(cover)


# --- LibreOffice round trip -------------------------------------------------------------------


def test_libreoffice_converts_decks_one_page_per_slide(
    cli_decks, stress_deck, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    ws, decks, _ = cli_decks
    stress_path, stress = stress_deck
    for deck_path, prs in (
        (ws / "output" / "acme" / "Acme-Logistics-QBR-2026-Q3.pptx", decks["acme"]),
        (stress_path, stress),
    ):
        pdf = soffice_convert(deck_path, tmp_path)
        assert len(PdfReader(str(pdf)).pages) == len(prs.slides)


def test_libreoffice_converts_real_template_decks(real_deck, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _, prs, path = real_deck
    pdf = soffice_convert(path, tmp_path)
    assert len(PdfReader(str(pdf)).pages) == len(prs.slides)
