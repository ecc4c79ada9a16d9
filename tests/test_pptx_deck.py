"""QBR decks: read back with python-pptx (titles, chart series, table rows, notes, properties),
converted by LibreOffice, stressed with long multilingual text, built on a corporate master."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.dml.color import RGBColor
from pptx.util import Emu

from conftest import FIXTURES, run_cli, soffice_convert
from qbrgen import __version__
from qbrgen.errors import TemplateError
from qbrgen.kpis.definitions import BY_KEY
from qbrgen.render import Selection, load_renderers, render_env
from qbrgen.render._pptx_text import line_height, metrics, wrap
from qbrgen.run import open_run

DECK_WS = FIXTURES / "deck" / "ws"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


# --- helpers -----------------------------------------------------------------------------------


def copy_ws(tmp_path: Path, name: str = "ws") -> Path:
    dest = tmp_path / name
    shutil.copytree(DECK_WS, dest)
    return dest


def render_decks(ws: Path, ids: list[str] | None = None) -> dict[str, Presentation]:
    """Render in-process (plan + render) and read each deck back."""
    from io import BytesIO

    run = open_run(ws)
    renderer = load_renderers()["qbr"]
    env = render_env(run)
    decks = {}
    for job in renderer.plan(run, Selection(run.select(ids or []))):
        files = renderer.render(job, env)
        ((rel, data),) = files.items()
        assert rel.startswith(f"{job.key}/") and rel.endswith("-QBR-2026-Q3.pptx")
        decks[job.key] = Presentation(BytesIO(data))
    return decks


def titles(prs) -> list[str]:
    out = []
    for slide in prs.slides:
        title = slide.shapes.title
        out.append(title.text_frame.text if title is not None else "")
    return out


def slide_by_title(prs, title: str):
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text_frame.text == title:
            return slide
    raise AssertionError(f"no slide titled {title!r}; have {titles(prs)}")


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(c.text_frame.text for row in shape.table.rows for c in row.cells)
    return "\n".join(parts)


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def table_rows(slide) -> list[list[str]]:
    for shape in slide.shapes:
        if shape.has_table:
            rows = [[c.text_frame.text for c in row.cells] for row in shape.table.rows]
            return rows[1:]
    return []


def charts(slide) -> list[Chart]:
    return [s.chart for s in slide.shapes if s.has_chart]


def _pt(value) -> float:
    return (value or 0) / 12700


def _paragraph_height(paragraph, width: float) -> float:
    runs = [r for r in paragraph.runs if r.text]
    if not runs:
        return 0.0
    font = runs[0].font
    size = font.size.pt
    face = metrics(font.name, bool(font.bold))
    ppr = paragraph._p.pPr
    indent = _pt(int(ppr.get("marL", "0"))) if ppr is not None else 0.0
    height = 0.0
    for line in wrap(paragraph.text, face, size, width - indent):
        height += line_height(face, size, line)
    return height


def _space_before(paragraph) -> float:
    pts = paragraph._p.find(f"{A}pPr/{A}spcBef/{A}spcPts")
    return int(pts.get("val")) / 100 if pts is not None else 0.0


def frame_overflows(prs) -> list[str]:
    """Every text frame (shapes and table cells) whose text, measured with the real font's
    metrics at the sizes written in the file, needs more room than the frame has."""
    problems = []
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                frame = shape.text_frame
                width = _pt(shape.width) - _pt(frame.margin_left) - _pt(frame.margin_right)
                room = _pt(shape.height) - _pt(frame.margin_top) - _pt(frame.margin_bottom)
                needed = 0.0
                for index, paragraph in enumerate(frame.paragraphs):
                    needed += _paragraph_height(paragraph, width)
                    if index:
                        needed += _space_before(paragraph)
                if needed > room + 0.5:
                    problems.append(
                        f"slide {number} {shape.name}: {needed:.0f} > {room:.0f} pt: {frame.text[:60]!r}"
                    )
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for col, cell in zip(table.columns, row.cells, strict=True):
                        width = _pt(col.width) - _pt(cell.margin_left) - _pt(cell.margin_right)
                        room = _pt(row.height) - _pt(cell.margin_top) - _pt(cell.margin_bottom)
                        needed = sum(
                            _paragraph_height(p, width) for p in cell.text_frame.paragraphs
                        )
                        if needed > room + 0.5:
                            problems.append(
                                f"slide {number} cell: {needed:.0f} > {room:.0f} pt: {cell.text_frame.text[:60]!r}"
                            )
            bottom = (shape.top or 0) + (shape.height or 0)
            if shape.has_table:
                bottom = shape.top + sum(r.height for r in shape.table.rows)
            if (
                bottom > prs.slide_height
                or (shape.left or 0) + (shape.width or 0) > prs.slide_width
            ):
                problems.append(f"slide {number} {shape.name}: runs off the slide")
    return problems


# --- the fixture workspace, through the real CLI ----------------------------------------------


@pytest.fixture(scope="module")
def cli_decks(tmp_path_factory) -> tuple[Path, dict[str, Presentation], str]:
    ws = copy_ws(tmp_path_factory.mktemp("deck"))
    result = run_cli("qbr", "-w", str(ws), check=True)
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
    assert (ws / "output" / "cobalt" / "Cobalt-Studio-QBR-2026-Q3.pptx").is_file()


def test_slides_follow_the_qbr_story(cli_decks) -> None:
    _, decks, _ = cli_decks
    got = titles(decks["acme"])
    assert got == [
        "Acme Logistics",
        "Agenda",
        "Executive summary",
        "Goals and outcomes",
        "Adoption: seat utilisation by quarter",
        "Adoption: key features",
        "Support and escalations",
        "Value delivered",
        "Partnership and renewal",
        "The people we work with",
        "Risks and how we handle them",
        "The road ahead",
        "Growing together",
        "Mutual action plan",
        "Appendix",
        "KPI definitions (1 of 2)",
        "KPI definitions (2 of 2)",
        "How the health score is made",
        "Account notes",
        "Thank you",
    ]
    agenda = slide_by_title(decks["acme"], "Agenda")
    assert "Mutual action plan" in slide_text(agenda)
    assert "Thank you" not in slide_text(agenda)
    cover = slide_text(decks["acme"].slides[0])
    assert "Quarterly business review · 2026-Q3" in cover
    assert "Presented by Jamie Chen, Northwind Analytics" in cover
    assert "October 15, 2026" in cover


def test_chart_series_hold_the_kpi_engine_numbers(cli_decks) -> None:
    ws, decks, _ = cli_decks
    run = open_run(ws)
    series = run.report.accounts["acme"].series
    prs = decks["acme"]
    (arr,) = charts(slide_by_title(prs, "Partnership and renewal"))
    assert list(arr.plots[0].categories) == series["quarters"]
    assert list(arr.series[0].values) == [float(v) for v in series["arr"]]
    assert arr.value_axis.tick_labels.number_format == '"$"#,##0'
    (util,) = charts(slide_by_title(prs, "Adoption: seat utilisation by quarter"))
    assert list(util.series[0].values) == pytest.approx(series["utilisation"])
    assert util.value_axis.axis_title.text_frame.text == "Active users ÷ licensed seats"
    (features,) = charts(slide_by_title(prs, "Adoption: key features"))
    got = dict(zip(features.plots[0].categories, features.series[0].values, strict=True))
    assert got == pytest.approx(series["feature_adoption"])
    (tickets,) = charts(slide_by_title(prs, "Support and escalations"))
    by_name = {s.name: list(s.values) for s in tickets.series}
    assert by_name == {
        k.capitalize(): [float(v) for v in vals] for k, vals in series["tickets"].items()
    }
    # series colours come from the workspace branding
    assert arr.series[0].format.fill.fore_color.rgb == RGBColor.from_string("1F3A5F")


def test_tables_hold_the_account_rows(cli_decks) -> None:
    ws, decks, _ = cli_decks
    account = open_run(ws).portfolio.by_id("acme").account
    prs = decks["acme"]
    actions = table_rows(slide_by_title(prs, "Mutual action plan"))
    assert [r[0] for r in actions] == [
        "Share ROI summary with the CFO",
        "Confirm Nordics pilot scope",
        "Forecasting training for planners",
    ]
    assert actions[0][1:] == ["Priya Nair (Northwind Analytics)", "Oct 20, 2026", "Open"]
    assert actions[1][1] == "Marco Ruiz (Acme Logistics)"
    people = table_rows(slide_by_title(prs, "The people we work with"))
    assert [r[0] for r in people] == [s.name for s in account.stakeholders]
    goals = table_rows(slide_by_title(prs, "Goals and outcomes"))
    assert [r[0] for r in goals] == [
        "Cut late deliveries by a fifth (Late delivery rate)",
        "One planning view for all depots",
    ]
    assert goals[1][2] == "Achieved"


def test_account_text_appears_literally(cli_decks) -> None:
    _, decks, _ = cli_decks
    prs = decks["acme"]
    risks = table_rows(slide_by_title(prs, "Risks and how we handle them"))
    assert risks[0][0] == "Budget freeze {{ 7*7 }} <script>alert(1)</script>"
    assert risks[0][3] == "=cmd|' /C calc'!A0 early ROI summary for CFO"
    note = 'Remember {{ account.name }} and <script>x</script> and =HYPERLINK("http://x") stay literal.'
    assert note in slide_text(slide_by_title(prs, "Account notes"))
    assert note in notes(slide_by_title(prs, "Executive summary"))
    assert "&lt;" not in slide_text(slide_by_title(prs, "Account notes"))


def test_expansion_only_on_healthy_accounts(cli_decks) -> None:
    _, decks, _ = cli_decks
    healthy = slide_text(slide_by_title(decks["acme"], "Growing together"))
    assert "Forecasting for the Nordics region" in healthy
    red = decks["borealis"]
    text = slide_text(slide_by_title(red, "Growing together"))
    assert "Expansion waits until account health recovers" in text
    assert "Forecasting add-on" not in "\n".join(slide_text(s) for s in red.slides)
    assert "expansion without health context" in notes(slide_by_title(red, "Growing together"))
    # the 'red' card shows the band colour
    summary = slide_text(slide_by_title(red, "Executive summary"))
    assert "35 ▼" in summary and "Red" in summary


def test_missing_data_is_said_plainly_never_an_empty_chart(cli_decks) -> None:
    _, decks, _ = cli_decks
    sparse = decks["cobalt"]
    assert not any(charts(s) for s in sparse.slides)
    assert "No usage data with licensed seats yet" in slide_text(
        slide_by_title(sparse, "Adoption: seat utilisation by quarter")
    )
    assert "no support tickets opened in the last five quarters" in slide_text(
        slide_by_title(sparse, "Support and escalations")
    )
    assert "There is no revenue history to chart yet." in slide_text(
        slide_by_title(sparse, "Partnership and renewal")
    )
    assert "No open risks on the register" in slide_text(
        slide_by_title(sparse, "Risks and how we handle them")
    )
    assert "Adoption: key features" not in titles(sparse)  # dropped: no usage at all
    for prs in (sparse, decks["borealis"]):
        for slide in prs.slides:
            for chart in charts(slide):
                values = [v for s in chart.series for v in s.values if v is not None]
                assert values and any(values), "a chart with no numbers"


def test_speaker_notes_on_every_slide_with_definitions(cli_decks) -> None:
    _, decks, _ = cli_decks
    for prs in decks.values():
        for slide in prs.slides:
            assert notes(slide).strip(), f"no notes on {slide.shapes.title.text_frame.text}"
    summary = notes(slide_by_title(decks["acme"], "Executive summary"))
    assert BY_KEY["health_score"].definition in summary
    assert BY_KEY["nrr"].definition in summary
    assert "stale" not in slide_text(slide_by_title(decks["borealis"], "Executive summary")).lower()
    assert "Stale record: last updated" in notes(
        slide_by_title(decks["borealis"], "Executive summary")
    )


def test_provenance_in_properties_and_footer(cli_decks) -> None:
    ws, decks, _ = cli_decks
    run = open_run(ws)
    inputs = run.inputs_hash(run.portfolio.by_id("acme"))
    prs = decks["acme"]
    props = prs.core_properties
    assert props.author == "Northwind Analytics"
    assert props.title == "Acme Logistics — Quarterly business review 2026-Q3"
    assert f"qbrgen {__version__}" in props.keywords and f"inputs {inputs}" in props.keywords
    assert "as-of 2026-10-15" in props.keywords and "2026-10-15" in props.comments
    assert props.created == dt.datetime(2026, 10, 15)
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        footer = [s.text_frame.text for s in slide.shapes if s.name == "qbrgen footer"]
        assert footer[1] == f"{number} / {total}"
        assert f"qbrgen {__version__}" in footer[0] and inputs in footer[0]
        assert "as of Oct 15, 2026" in footer[0]


def test_fixture_decks_fit(cli_decks) -> None:
    _, decks, _ = cli_decks
    for prs in decks.values():
        assert frame_overflows(prs) == []


# --- locale, templates, corporate masters -----------------------------------------------------


def env_money(locale: str, currency: str, value: int) -> str:
    from qbrgen.templates import Formatter

    return Formatter(locale, currency).money(value)


def test_money_and_dates_follow_the_workspace_locale(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config.update(locale="de_DE", currency="EUR")
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    prs = render_decks(ws, ["acme"])["acme"]
    summary = slide_text(slide_by_title(prs, "Executive summary"))
    assert env_money("de_DE", "EUR", 240000) in summary and "240.000" in summary
    (arr,) = charts(slide_by_title(prs, "Partnership and renewal"))
    assert arr.value_axis.tick_labels.number_format == '#,##0\\ "€"'
    assert "15. Oktober 2026" in slide_text(prs.slides[0])


def test_workspace_deck_template_overrides_the_builtin(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    (ws / "templates" / "deck").mkdir(parents=True)
    (ws / "templates" / "deck" / "qbr.yaml").write_text(
        "slides:\n"
        "  - {id: risks, kind: table, title: 'Open risks for {{ account.name }}', table: {rows: open_risks, columns: [{header: Risk, value: '{{ row.title }}'}]}}\n"
        "  - {id: hello, kind: bullets, title: Hello, bullets: ['{{ company.name }} says hi'], notes: 'Say hi.'}\n"
    )
    prs = render_decks(ws, ["acme"])["acme"]
    assert titles(prs) == ["Open risks for Acme Logistics", "Hello"]
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


def test_corporate_template_layouts_are_used(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    (ws / "templates").mkdir()
    make_corporate_template(ws / "templates" / "corporate.pptx")
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["deck"] = {
        "template": "corporate.pptx",
        "layouts": {
            "title": "Corp Cover",
            "section": "Corp Divider",
            "content": "Corp Text",
            "chart": "Corp Heading",
            "table": "Corp Heading",
            "closing": "Corp Cover",
        },
    }
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    prs = render_decks(ws, ["acme"])["acme"]
    used = {slide.slide_layout.name for slide in prs.slides}
    assert used == {"Corp Cover", "Corp Divider", "Corp Text", "Corp Heading"}
    assert prs.slides[0].slide_layout.name == "Corp Cover"
    assert slide_by_title(prs, "Mutual action plan").slide_layout.name == "Corp Heading"
    assert "Company confidential template slide" not in titles(prs)
    assert prs.slide_master.background.fill.fore_color.rgb == RGBColor(0xFD, 0xF2, 0xE9)
    assert prs.slide_width == Emu(9144000)  # the template's own 4:3 size is kept
    assert frame_overflows(prs) == []


def test_missing_layout_names_what_exists(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["deck"] = {"layouts": {"table": "Wide Table"}}
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    result = run_cli("qbr", "acme", "-w", str(ws))
    assert result.returncode == 1
    assert "has no slide layout named 'Wide Table' (layout role 'table')" in result.stderr
    assert "'Title Slide'" in result.stderr and "'Title Only'" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_account_is_reported_and_exit_code_is_1(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    (ws / "accounts" / "broken.yaml").write_text("id: broken\nname: Broken\n")
    result = run_cli("qbr", "-w", str(ws))
    assert result.returncode == 1
    assert "broken.yaml" in result.stderr
    assert "output/acme/Acme-Logistics-QBR-2026-Q3.pptx" in result.stdout


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
    data = stress_account()
    assert len(data["notes"]) == 2000
    (ws / "accounts" / "stress.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    result = run_cli("qbr", "-w", str(ws), check=True)
    path = ws / result.stdout.strip()
    return path, Presentation(str(path))


def test_stress_deck_no_text_frame_overflows(stress_deck) -> None:
    _, prs = stress_deck
    assert frame_overflows(prs) == []


def test_stress_deck_tables_continue_over_slides(stress_deck) -> None:
    _, prs = stress_deck
    risk_pages = [t for t in titles(prs) if t.startswith("Risks and how we handle them")]
    count = len(risk_pages)
    assert count >= 3
    assert risk_pages == [
        f"Risks and how we handle them ({i} of {count})" for i in range(1, count + 1)
    ]
    rows = [r for t in risk_pages for r in table_rows(slide_by_title(prs, t))]
    assert len(rows) == 40
    assert [r[1] for r in rows[:4]] == ["Critical", "Critical", "Critical", "Critical"]
    people = [t for t in titles(prs) if t.startswith("The people we work with")]
    assert len(people) >= 2
    assert sum(len(table_rows(slide_by_title(prs, t))) for t in people) == 60
    # the shortened cells are given in full in the notes
    first = slide_by_title(prs, risk_pages[0])
    assert "in full" in notes(first)


def test_stress_deck_long_note_and_names_are_shortened_not_lost(stress_deck) -> None:
    _, prs = stress_deck
    notes_slide = slide_by_title(prs, "Account notes")
    (body,) = [
        s for s in notes_slide.shapes
        if s.has_text_frame and s.name != "qbrgen footer" and s != notes_slide.shapes.title
    ]  # fmt: skip
    shown = body.text_frame.text
    full = " ".join(stress_account()["notes"].split())
    assert shown.startswith("Long context " + CJK)
    assert shown == full or (shown.endswith("…") and full in notes(notes_slide))
    cover = prs.slides[0]
    assert CJK[:10] in slide_text(cover)


# --- LibreOffice round trip -------------------------------------------------------------------


def test_libreoffice_converts_decks_one_page_per_slide(
    cli_decks, stress_deck, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    ws, decks, _ = cli_decks
    path, stress = stress_deck
    for deck_path, prs in (
        (ws / "output" / "acme" / "Acme-Logistics-QBR-2026-Q3.pptx", decks["acme"]),
        (path, stress),
    ):
        pdf = soffice_convert(deck_path, tmp_path)
        assert len(PdfReader(str(pdf)).pages) == len(prs.slides)


# --- the repository's sample workspace --------------------------------------------------------


def test_every_sample_account_gets_a_deck_that_fits(sample_workspace: Path) -> None:
    result = run_cli("qbr", "-w", str(sample_workspace), check=True)
    run = open_run(sample_workspace)
    paths = [sample_workspace / line for line in result.stdout.split()]
    assert len(paths) == len(run.accounts) > 0
    for item in run.accounts:
        account = item.account
        kpis = run.report.accounts[account.id]
        (path,) = [p for p in paths if p.parent.name == account.id]
        prs = Presentation(str(path))
        got = titles(prs)
        assert got[0] == account.name and "Executive summary" in got and got[-1] == "Thank you"
        for slide in prs.slides:
            assert notes(slide).strip()
            for chart in charts(slide):
                if chart.series[0].name == "ARR":
                    assert list(chart.series[0].values) == [float(v) for v in kpis.series["arr"]]
        actions = [
            r[0]
            for t in got
            if t.startswith("Mutual action plan")
            for r in table_rows(slide_by_title(prs, t))
        ]
        expected = sorted(
            (a for a in account.actions if a.status != "cancelled"),
            key=lambda a: (a.status != "open", a.due),
        )
        assert len(actions) == len(expected)
        for shown, action in zip(actions, expected, strict=True):  # cells may be cut with "…"
            assert shown == action.title or action.title.startswith(shown.rstrip("…"))
        assert frame_overflows(prs) == []


def test_missing_corporate_template_is_a_clear_error(tmp_path: Path) -> None:
    ws = copy_ws(tmp_path)
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["deck"] = {"template": "brand/corporate.pptx"}
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    result = run_cli("qbr", "acme", "-w", str(ws))
    assert result.returncode == 1
    assert (
        "deck template 'brand/corporate.pptx' (deck.template in qbrgen.yaml) not found"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_internal_notes_stay_off_customer_slides_by_default(sample_workspace: Path) -> None:
    result = run_cli("qbr", "pinecrest-outdoor", "-w", str(sample_workspace), check=True)
    prs = Presentation(str(sample_workspace / result.stdout.strip()))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert "Account notes" not in titles
    note = yaml.safe_load((sample_workspace / "accounts" / "pinecrest-outdoor.yaml").read_text())[
        "notes"
    ]
    shown = " ".join(slide_text(s) for s in prs.slides)
    assert note.split(".")[0] not in shown
