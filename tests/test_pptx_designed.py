"""Designed decks (`deck.designed`): a team's own PowerPoint filled per account. Read back with
python-pptx: text and the formatting around tokens, chart series against the KPI engine,
table rows against the account, slide counts, and the designer's untouched shapes byte for
byte; converted by LibreOffice page for page; real public templates filled the same way."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor

from conftest import FIXTURES, ROOT, run_cli, soffice_convert
from designed_decks import ACCENT, NORTHWIND, REAL, SPLIT_RUNS, make_northwind
from qbrgen.errors import TemplateError
from qbrgen.render import Selection, load_renderers, render_env
from qbrgen.render._designed_rules import CUSTOMER_CONTEXT_NAMES, TOKEN
from qbrgen.render.context import customer_context
from qbrgen.run import open_run
from qbrgen.templates import Formatter

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DECK_WS = FIXTURES / "deck" / "ws"
PERCENT = Formatter().excel_percent(0)
"""The Excel format of a whole percentage in the test workspaces' locale ('#,##0%')."""


# --- helpers -----------------------------------------------------------------------------------


def workspace(tmp_path: Path, deck: Path, source: Path = ROOT, **deck_config: Any) -> Path:
    """A copy of a workspace (its qbrgen.yaml and accounts) whose deck is `deck`."""
    ws = tmp_path / "ws"
    ws.mkdir(parents=True)
    shutil.copy(source / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(source / "accounts", ws / "accounts")
    (ws / "templates").mkdir()
    shutil.copy(deck, ws / "templates" / deck.name)
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text()) or {}
    config["deck"] = {"designed": deck.name, **deck_config}
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return ws


def fill(ws: Path, ids: list[str] | None = None) -> dict[str, tuple[Any, dict[str, Any], Any]]:
    """Render in-process: per account, (the deck read back, the customer context, the KPIs)."""
    run = open_run(ws)
    renderer = load_renderers(["qbr"])["qbr"]
    env = render_env(run)
    out = {}
    for job in renderer.plan(run, Selection(run.select(ids or []))):
        ((_, data),) = renderer.render(job, env).items()
        out[job.key] = (Presentation(io.BytesIO(data)), customer_context(job, env), job.payload)
    return out


def shape(slide, name: str):
    for one in slide.shapes:
        if one.name == name:
            return one
    raise KeyError(name)


def texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def xml(element) -> bytes:
    return etree.tostring(element)


def untouched(source_slide) -> list[Any]:
    """The designer's shapes without a token or a `qbr:` name."""
    out = []
    for element in source_slide.shapes._spTree:
        name = element.find(f"*/{P}cNvPr")
        if name is None:
            continue
        text = "".join(t.text or "" for t in element.iter(f"{A}t"))
        if "{{" in text or name.get("name", "").lower().startswith("qbr:"):
            continue
        out.append(element)
    return out


def assert_untouched(source_slide, filled_slide) -> int:
    """Every untouched shape of the designed slide is in the filled one, byte for byte."""
    by_id = {
        e.find(f"*/{P}cNvPr").get("id"): e
        for e in filled_slide.shapes._spTree
        if e.find(f"*/{P}cNvPr") is not None
    }
    shapes = untouched(source_slide)
    for element in shapes:
        ident = element.find(f"*/{P}cNvPr").get("id")
        assert ident in by_id, f"shape {ident} missing"
        assert xml(by_id[ident]) == xml(element), element.find(f"*/{P}cNvPr").get("name")
    return len(shapes)


# --- the deck made for the tests, over every sample account -----------------------------------


@pytest.fixture(scope="module")
def northwind(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    ws = workspace(tmp_path_factory.mktemp("northwind"), NORTHWIND)
    return ws, fill(ws)


def test_committed_fixture_is_what_the_generator_makes(tmp_path: Path) -> None:
    fresh = Presentation(str(make_northwind(tmp_path / "fresh.pptx")))
    committed = Presentation(str(NORTHWIND))
    assert len(fresh.slides) == len(committed.slides) == 7
    for new, old in zip(fresh.slides, committed.slides, strict=True):
        assert xml(new.shapes._spTree) == xml(old.shapes._spTree)
        assert notes(new) == notes(old)


def test_every_sample_account_gets_the_designed_deck(northwind) -> None:
    _, decks = northwind
    assert len(decks) == len(list((ROOT / "accounts").glob("*.yaml"))) - 1  # one churned
    for key, (prs, ctx, _) in decks.items():
        goals, risks = ctx["goals_sorted"], ctx["risks_sorted"]
        plan_pages = [s for s in prs.slides if texts(s).startswith("Our mutual action plan")]
        assert len(plan_pages) >= 1
        expected = 2 + len(goals) + 1 + len(plan_pages) + (1 if risks else 0) + 1
        assert len(prs.slides) == expected, key
        assert prs.core_properties.category == "QBR"
        for slide in prs.slides:  # no token or marker left anywhere
            assert "{{" not in texts(slide) and "}}" not in texts(slide), key
            assert "{{" not in notes(slide)
            assert not [
                line for line in notes(slide).split("\n") if line.lower().startswith("qbr:")
            ]


def test_cover_text_and_the_split_token(northwind) -> None:
    _, decks = northwind
    designed = shape(Presentation(str(NORTHWIND)).slides[0], "Prepared for")
    assert [r.text for r in designed.text_frame.paragraphs[0].runs] == SPLIT_RUNS
    for prs, ctx, _ in decks.values():
        cover = prs.slides[0]
        name = ctx["account"].name
        assert shape(cover, "Customer").text_frame.text == name
        assert shape(cover, "As of").text_frame.text == "Figures as of October 15, 2026"
        runs = shape(cover, "Prepared for").text_frame.paragraphs[0].runs
        # The token spanned runs 2-4: its value takes run 2's formatting (bold, accent); the
        # text after it stays in run 4's (underlined); the runs around keep theirs.
        assert [r.text for r in runs] == ["Prepared for ", name, " — ", "2026-Q3 review"]
        assert runs[0].font.bold is None and runs[0].font.color.rgb == RGBColor(0xFF, 0xFF, 0xFF)
        assert runs[1].font.bold is True and runs[1].font.color.rgb == ACCENT
        assert runs[1].font.italic is None and not runs[1].font.underline
        assert runs[2].font.underline is True and runs[2].font.bold is None
        assert runs[3].font.size.pt == 16 and runs[3].font.color.rgb == RGBColor(0xDD, 0xE3, 0xEA)
        assert {r.font.name for r in runs} == {"Noto Sans"}
        assert shape(cover, "Customer").text_frame.paragraphs[0].runs[0].font.name == "DejaVu Serif"
        meeting = ctx["meeting_date"]
        assert notes(cover).startswith(f"Welcome everyone from {name}.\nMeeting: ")
        assert ("date to confirm" in notes(cover)) == (meeting is None)


def test_untouched_shapes_and_pictures_are_the_designers(northwind) -> None:
    _, decks = northwind
    source = Presentation(str(NORTHWIND))
    originals = list(source.slides)
    cover_blob = originals[0].shapes[0].image.blob
    for key, (prs, ctx, _) in decks.items():
        slides = list(prs.slides)
        sources = [0, 1] + [2] * len(ctx["goals_sorted"]) + [3]
        sources += [4] * (len(slides) - len(sources) - (2 if ctx["risks_sorted"] else 1))
        sources += ([5] if ctx["risks_sorted"] else []) + [6]
        checked = sum(
            assert_untouched(originals[s], slide) for s, slide in zip(sources, slides, strict=True)
        )
        assert checked >= 2 * len(slides), key
        assert slides[0].shapes[0].image.blob == cover_blob
        assert slides[-1].shapes[0].image.blob == cover_blob


def test_glance_lines_and_an_empty_line_dropped(northwind) -> None:
    _, decks = northwind
    for prs, ctx, _ in decks.values():
        glance = prs.slides[1]
        assert shape(glance, "Headline").text_frame.text == "2026-Q3 at a glance"
        lines = [p.text for p in shape(glance, "Highlights").text_frame.paragraphs]
        k = ctx["k"]
        share = k["seat_utilisation"]  # the one display rule: a ratio with one decimal
        assert lines[0] == f"Seat utilisation: {f'{share:.1%}' if share is not None else 'n/a'}"
        assert lines[1] == f"Support tickets opened in 2026-Q3: {sum(k['tickets_q'].values())}"
        assert lines[2].startswith("Renewal: ")
        region = ctx["account"].region
        assert ("Region: " + region in lines) if region else not any("Region" in x for x in lines)
        assert lines[-1].startswith("Goals on track: ")
        assert len(lines) == (5 if region else 4)


def test_one_slide_per_goal(northwind) -> None:
    _, decks = northwind
    for prs, ctx, _ in decks.values():
        goals = ctx["goals_sorted"]
        slides = list(prs.slides)[2 : 2 + len(goals)]
        for index, (slide, goal) in enumerate(zip(slides, goals, strict=True), 1):
            assert (
                shape(slide, "Headline").text_frame.text
                == f"Goal {index} of {len(goals)}: {goal.title}"
            )
            assert notes(slide) == f"Ask whether {goal.title} is still the right target."


def test_named_charts_hold_the_kpi_engines_series(northwind) -> None:
    _, decks = northwind
    for key, (prs, ctx, payload) in decks.items():
        series = payload["kpis"].series
        slide = list(prs.slides)[2 + len(ctx["goals_sorted"])]
        frame = shape(slide, "qbr:utilisation")
        expected = series["utilisation"]
        if expected is None:  # no usage data: the reason in the chart's place
            assert not frame.has_chart
            assert frame.text_frame.text == "No usage data with licensed seats."
            designed = shape(Presentation(str(NORTHWIND)).slides[3], "qbr:utilisation")
            assert (frame.left, frame.top, frame.width) == (
                designed.left,
                designed.top,
                designed.width,
            )
            continue
        chart = frame.chart
        categories = list(chart.plots[0].categories)
        assert categories == series["quarters"]
        values = list(chart.plots[0].series[0].values)
        assert values == pytest.approx(expected)
        # the designer's formatting stays: line colour and width, title font
        line = chart.plots[0].series[0].format.line
        assert line.color.rgb == ACCENT and line.width.pt == 4
        assert chart.chart_title.text_frame.text == (
            f"{ctx['account'].name}: active users ÷ licensed seats"
        )
        # Edit Data in PowerPoint opens the same numbers
        workbook = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
        sheet = workbook.worksheets[0]
        assert [sheet.cell(row=i + 2, column=1).value for i in range(5)] == series["quarters"]
        tickets = shape(slide, "qbr:tickets").chart
        names = [s.name for s in tickets.plots[0].series]
        assert names == ["Critical", "High", "Medium", "Low"]
        for s in tickets.plots[0].series:
            assert list(s.values) == [float(v) for v in series["tickets"][s.name.lower()]]


def test_named_table_rows_continue_on_copies_of_the_slide(northwind) -> None:
    _, decks = northwind
    fmt_status = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
    continued = 0
    for key, (prs, ctx, _) in decks.items():
        pages = [s for s in prs.slides if texts(s).startswith("Our mutual action plan")]
        rows: list[list[str]] = []
        for number, page in enumerate(pages, 1):
            title = shape(page, "Headline").text_frame.text
            suffix = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
            assert title == "Our mutual action plan" + suffix
            frame = shape(page, "qbr:actions")
            table = frame.table
            cells = [[c.text_frame.text for c in row.cells] for row in table.rows]
            assert cells[0] == ["Action", "Owner", "Due", "Status"]
            assert all(r[0] != "Sample action" for r in cells)
            rows += cells[1:]
            # the table ends above the note under it
            note = shape(page, "Source note")
            assert frame.top + sum(r.height for r in table.rows) <= note.top
            assert frame.height == sum(r.height for r in table.rows)
            # each row copies the first body row's formatting
            for row in list(table.rows)[1:]:
                run = row.cells[0].text_frame.paragraphs[0].runs[0]
                assert run.font.size.pt == 18 and run.font.name == "Noto Sans" and not run.font.bold
        expected = [
            [a.title, a.owner, a.due.strftime("%b %-d, %Y"), fmt_status[a.status]]
            for a in ctx["actions_sorted"]
        ]
        assert rows == expected, key
        continued += len(pages) > 1
    assert continued >= 2  # some accounts have more actions than fit on one slide


def test_conditional_slide_and_notes(northwind) -> None:
    _, decks = northwind
    shown = 0
    for prs, ctx, _ in decks.values():
        risk_slides = [s for s in prs.slides if texts(s).startswith("Risks we manage together")]
        assert len(risk_slides) == (1 if ctx["risks_sorted"] else 0)
        if risk_slides:
            shown += 1
            table = shape(risk_slides[0], "qbr:risks").table
            assert [r.cells[0].text_frame.text for r in list(table.rows)[1:]] == [
                r.title for r in ctx["risks_sorted"]
            ]
            assert notes(risk_slides[0]) == f"{len(ctx['risks_sorted'])} shared risks."
    assert 0 < shown < len(decks)


def test_libreoffice_converts_a_filled_deck_page_for_page(northwind, tmp_path: Path) -> None:
    ws, decks = northwind
    result = run_cli(
        "qbr", "--no-brief", "harbourview-capital", "cobalt-ridge", "-w", str(ws), check=True
    )
    from pypdf import PdfReader

    for line in result.stdout.split():
        path = ws / line
        pdf = soffice_convert(path, tmp_path)
        assert len(PdfReader(str(pdf)).pages) == len(Presentation(str(path)).slides)


# --- what goes wrong, said where --------------------------------------------------------------


def _edit(deck: Path, target: Path, change) -> Path:
    prs = Presentation(str(deck))
    change(prs)
    prs.save(str(target))
    return target


def _add_text(slide_index: int, text: str, name: str = "Leak"):
    def change(prs) -> None:
        box = prs.slides[slide_index].shapes.add_textbox(0, 914400 * 6, 914400, 914400)
        box.name = name
        box.text_frame.text = text

    return change


def test_an_internal_token_fails_naming_slide_shape_and_expression(tmp_path: Path) -> None:
    deck = _edit(NORTHWIND, tmp_path / "leak.pptx", _add_text(1, "NRR {{ k.nrr|kpi('ratio') }}"))
    ws = workspace(tmp_path, deck)
    with pytest.raises(TemplateError) as caught:
        fill(ws, ["cobalt-ridge"])
    message = str(caught.value)
    assert message.startswith("leak.pptx: slide 2 ('{{ quarter }} at a glance'), shape 'Leak': ")
    assert "{{ k.nrr|kpi('ratio') }}" in message
    assert "nrr is internal" in message and "qbr: audience internal" in message
    # the CLI says the same, and the check finds it without an account
    result = run_cli("deck-template", "check", str(deck), "-w", str(ws))
    assert result.returncode == 1
    assert (
        "slide 2 ('{{ quarter }} at a glance'), shape 'Leak': {{ k.nrr|kpi('ratio') }}: KPI 'nrr' is internal"
        in result.stdout
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("{{ account.notes }}", "notes is internal"),
        ("{{ health.score }}", "health is internal"),
        ("{{ account.stakeholders[0].sentiment }}", "sentiment"),
    ],
)
def test_internal_fields_fail(tmp_path: Path, text: str, found: str) -> None:
    deck = _edit(NORTHWIND, tmp_path / "leak.pptx", _add_text(3, text, "Aside"))
    with pytest.raises(TemplateError) as caught:
        fill(workspace(tmp_path, deck), ["cobalt-ridge"])
    message = str(caught.value)
    assert "slide 4 ('Seat utilisation by quarter'), shape 'Aside'" in message
    assert text in message and found in message


def test_internal_charts_and_tables_fail_naming_slide_and_shape(tmp_path: Path) -> None:
    def chart(prs) -> None:
        frame = shape(prs.slides[3], "qbr:utilisation")
        frame.name = "qbr:arr"

    ws = workspace(tmp_path / "a", _edit(NORTHWIND, tmp_path / "arr.pptx", chart))
    with pytest.raises(
        TemplateError,
        match=r"slide 4 \('Seat utilisation by quarter'\), shape 'qbr:arr': chart 'qbr:arr' draws ARR",
    ):
        fill(ws, ["cobalt-ridge"])

    def table(prs) -> None:
        shape(prs.slides[4], "qbr:actions").name = "qbr:internal_actions"

    ws = workspace(tmp_path / "b", _edit(NORTHWIND, tmp_path / "t.pptx", table))
    with pytest.raises(
        TemplateError,
        match=r"shape 'qbr:internal_actions': table 'qbr:internal_actions' lists actions not shared",
    ):
        fill(ws, ["cobalt-ridge"])


def test_an_internal_deck_may_show_internal_figures(tmp_path: Path) -> None:
    def change(prs) -> None:
        prs.slides[
            0
        ].notes_slide.notes_text_frame.text = (
            "qbr: audience internal\nHealth {{ health.score|number(0) }}"
        )
        _add_text(1, "NRR {{ k.nrr|kpi('ratio') }}")(prs)
        shape(prs.slides[3], "qbr:utilisation").name = "qbr:arr"

    ws = workspace(tmp_path, _edit(NORTHWIND, tmp_path / "internal.pptx", change))
    ((prs, _, payload),) = fill(ws, ["cobalt-ridge"]).values()
    assert prs.core_properties.category == "QBR (internal)"
    assert notes(prs.slides[0]).startswith("Health ") and "qbr:" not in notes(prs.slides[0])
    assert (
        "NRR " in texts(prs.slides[1]) and "n/a" not in shape(prs.slides[1], "Leak").text_frame.text
    )
    arr = [s for s in prs.slides if any(x.name == "qbr:arr" for x in s.shapes)][0]
    values = list(shape(arr, "qbr:arr").chart.plots[0].series[0].values)
    assert values == pytest.approx([float(v) for v in payload["kpis"].series["arr"]])


def test_a_failing_token_names_slide_shape_and_expression(tmp_path: Path) -> None:
    deck = _edit(NORTHWIND, tmp_path / "typo.pptx", _add_text(2, "{{ goal.titel }}", "Typo"))
    with pytest.raises(TemplateError) as caught:
        fill(workspace(tmp_path, deck), ["cobalt-ridge"])
    message = str(caught.value)
    assert "typo.pptx: slide 3 ('Goal {{ loop.index }} of" in message
    assert "(goal 1 of 2), shape 'Typo': {{ goal.titel }}: " in message
    assert "has no attribute 'titel'" in message

    deck = _edit(NORTHWIND, tmp_path / "syntax.pptx", _add_text(1, "{{ k.nps| }}", "Bad"))
    with pytest.raises(TemplateError, match=r"shape 'Bad': \{\{ k.nps\| \}\}: syntax error"):
        fill(workspace(tmp_path / "s", deck), ["cobalt-ridge"])

    def marker(prs) -> None:
        prs.slides[5].notes_slide.notes_text_frame.text = "qbr: unless risks"

    deck = _edit(NORTHWIND, tmp_path / "marker.pptx", marker)
    with pytest.raises(
        TemplateError,
        match=r"slide 6 \('Risks we manage together'\) notes marker 'qbr: unless risks': expected",
    ):
        fill(workspace(tmp_path / "m", deck), ["cobalt-ridge"])


def test_account_text_stays_data(tmp_path: Path) -> None:
    ws = workspace(tmp_path, NORTHWIND)
    account = ws / "accounts" / "cobalt-ridge.yaml"
    data = yaml.safe_load(account.read_text())
    data["actions"][0]["title"] = "Check {{ 7*7 }} and {% raw %} in {{ account.notes }}"
    data["name"] = "Cobalt {{ 6*7 }} Ridge"
    account.write_text(yaml.safe_dump(data, allow_unicode=True))
    ((prs, _, _),) = fill(ws, ["cobalt-ridge"]).values()
    assert shape(prs.slides[0], "Customer").text_frame.text == "Cobalt {{ 6*7 }} Ridge"
    table_text = "\n".join(
        texts(s)
        + "\n".join(c.text_frame.text for r in shape(s, "qbr:actions").table.rows for c in r.cells)
        for s in prs.slides
        if texts(s).startswith("Our mutual")
    )
    assert "Check {{ 7*7 }} and {% raw %} in {{ account.notes }}" in table_text
    assert "49" not in table_text


def test_curly_quotes_from_autocorrect_are_read_as_quotes(tmp_path: Path) -> None:
    deck = _edit(
        NORTHWIND,
        tmp_path / "quotes.pptx",
        _add_text(1, "Due {{ as_of|date(\u2018long\u2019) }}", "Curly"),
    )
    ((prs, _, _),) = fill(workspace(tmp_path, deck), ["cobalt-ridge"]).values()
    assert shape(prs.slides[1], "Curly").text_frame.text == "Due October 15, 2026"


def test_a_long_list_continues_over_several_slides(tmp_path: Path) -> None:
    """Acme (the deck tests' account) has a long action plan: three pages or more, every row
    once, in order, each page's table clear of the note under it."""
    ws = workspace(tmp_path, NORTHWIND, source=DECK_WS)
    account = ws / "accounts" / "acme.yaml"
    more = "".join(
        f"  - {{title: Roll out forecasting to depot {n} and train its planners on the new "
        f"views, owner: Priya Nair, due: 2026-11-{n:02d}, shared: true}}\n"
        for n in range(1, 11)
    )
    account.write_text(account.read_text().replace("actions:\n", "actions:\n" + more))
    ((prs, ctx, _),) = fill(ws, ["acme"]).values()
    assert len(ctx["actions_sorted"]) == 13
    pages = [s for s in prs.slides if texts(s).startswith("Our mutual action plan")]
    assert len(pages) >= 3
    titles = [
        r.cells[0].text_frame.text
        for p in pages
        for r in list(shape(p, "qbr:actions").table.rows)[1:]
    ]
    assert titles == [a.title for a in ctx["actions_sorted"]]
    for page in pages:
        frame = shape(page, "qbr:actions")
        assert frame.top + frame.height <= shape(page, "Source note").top


def test_the_check_command_lists_names_and_what_they_hold(tmp_path: Path) -> None:
    ws = workspace(tmp_path, NORTHWIND)
    result = run_cli("deck-template", "check", str(NORTHWIND), "-w", str(ws))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "a designed deck: 7 slide(s), 13.3 × 7.5 in (16:9), audience customer" in out
    assert "notes marker 'qbr: for goal in goals_sorted': one slide per item" in out
    assert "notes marker 'qbr: when risks_sorted': left out when false" in out
    assert "chart 'qbr:utilisation': seat utilisation" in out
    assert "table 'qbr:actions': one row per item: the mutual action plan" in out
    assert "  qbr:feature_adoption: share of active users per feature" in out
    assert "  qbr:risks: the open risks shared with the customer" in out
    assert "qbr:arr" not in out and "internal_risks" not in out  # customer deck: not offered
    assert "problems:" not in out
    # a plain master is still checked as a master
    master = run_cli(
        "deck-template", "check", str(FIXTURES / "deck" / "templates" / "coreoz-4x3-fr.pptx")
    )
    assert "roles:" in master.stdout


def test_customer_context_names_are_the_documented_ones(northwind) -> None:
    _, decks = northwind
    ((_, ctx, _),) = list(decks.values())[:1]
    assert set(ctx) | {"deck", "deck_filename"} == CUSTOMER_CONTEXT_NAMES


def test_incremental_builds_track_the_designed_deck(tmp_path: Path) -> None:
    ws = workspace(tmp_path, NORTHWIND)
    first = run_cli("build", "--only", "qbr", "-w", str(ws), "--json", check=True)
    import json

    decks = len(list((ws / "accounts").glob("*.yaml"))) - 1  # one churned
    assert json.loads(first.stdout)["counts"]["qbr"]["built"] == decks
    again = json.loads(
        run_cli("build", "--only", "qbr", "-w", str(ws), "--json", check=True).stdout
    )
    assert again["counts"]["qbr"]["unchanged"] == decks
    _edit(
        ws / "templates" / "northwind-qbr.pptx",
        ws / "templates" / "northwind-qbr.pptx",
        _add_text(0, "Draft"),
    )
    changed = json.loads(
        run_cli("build", "--only", "qbr", "-w", str(ws), "--json", check=True).stdout
    )
    assert changed["counts"]["qbr"]["built"] == decks
    deck = next((ws / "output" / "cobalt-ridge").glob("*.pptx"))
    assert "Draft" in texts(Presentation(str(deck)).slides[0])


def test_designed_and_template_together_is_a_config_error(tmp_path: Path) -> None:
    ws = workspace(tmp_path, NORTHWIND, template="corporate.pptx")
    result = run_cli("validate", "-w", str(ws))
    assert result.returncode == 1
    assert "deck.designed and deck.template both set" in result.stdout + result.stderr


def test_a_missing_designed_deck_is_named(tmp_path: Path) -> None:
    ws = workspace(tmp_path, NORTHWIND)
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["deck"]["designed"] = "ours.pptx"
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    result = run_cli("qbr", "--no-brief", "-w", str(ws))
    assert result.returncode == 1
    assert "designed deck 'ours.pptx' (deck.designed in qbrgen.yaml) not found" in result.stderr


def test_no_token_text_left_in_any_part(northwind) -> None:
    """Chart parts and workbooks included: nothing of the designer's tokens is left."""
    ws, _ = northwind
    result = run_cli("qbr", "--no-brief", "st-aldric-health", "-w", str(ws), check=True)
    data = (ws / result.stdout.split()[0]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                assert not TOKEN.search(archive.read(name).decode("utf-8")), name


# --- real designed decks from public repositories ----------------------------------------------


@pytest.fixture(scope="module")
def real_decks(tmp_path_factory) -> dict[str, tuple[Path, Path, dict[str, Any]]]:
    out = {}
    for name, tokenise in REAL.items():
        root = tmp_path_factory.mktemp(name)
        deck = tokenise(root / f"{name}-qbr.pptx")
        ws = workspace(root, deck, source=DECK_WS)
        out[name] = (deck, ws, fill(ws))
    return out


def test_real_decks_fill_keeping_their_design(real_decks) -> None:
    for name, (deck, _, decks) in real_decks.items():
        source = list(Presentation(str(deck)).slides)
        for key, (prs, ctx, payload) in decks.items():
            slides = list(prs.slides)
            for slide in slides:
                assert "{{" not in texts(slide) and "{{" not in notes(slide), (name, key)
            if name == "m3-a4-ja":
                assert len(slides) == 1
                assert assert_untouched(source[0], slides[0]) >= 5
                adoption = payload["kpis"].series["feature_adoption"]
                if not adoption:  # nothing to list: the table goes, the chart says why
                    assert not [s for s in slides[0].shapes if s.name == "qbr:features"]
                    reason = shape(slides[0], "qbr:feature_adoption").text_frame.text
                    assert reason == "No feature adoption in the latest usage period."
                    continue
                frame = shape(slides[0], "qbr:features")
                names = [r.cells[0].text_frame.text for r in frame.table.rows]
                assert names == [f["name"] for f in _features(ctx)], key
                chart = shape(slides[0], "qbr:feature_adoption").chart
                # the designer's bars run top-down (category axis reversed): in the order of
                # the table's rows, most adopted first
                assert list(chart.plots[0].categories) == names
                values = list(chart.plots[0].series[0].values)
                assert values == sorted((float(v) for v in adoption.values()), reverse=True)
                # the designer's axis was fixed at 0-600 for sample counts: now automatic;
                # the data labels' count format gives way to the shares' percent format
                axis = chart.value_axis
                assert axis.maximum_scale is None
                assert chart.plots[0].series[0].data_labels.number_format == PERCENT
            elif name == "m3-16x9-ja":
                assert len(slides) == 2
                assert assert_untouched(source[0], slides[0]) >= 5
                assert assert_untouched(source[1], slides[1]) >= 5
                frame = shape(slides[1], "qbr:seats")
                if ctx["active_users"] is None:
                    assert frame.text_frame.text == "No usage data in the last five quarters."
                    continue
                chart = frame.chart
                # the designer's combination chart: two columns, a line on a second axis
                assert [s.name for s in chart.series] == [
                    "Active users",
                    "Licensed seats",
                    "Seat utilisation",
                ]
                assert chart.chart_title.text_frame.text == f"Seats at {ctx['account'].name}"
                line = list(chart.plots[1].series[0].values)
                assert line == pytest.approx(
                    [v for v in payload["kpis"].series["utilisation"]], nan_ok=True
                ) or [v for v in line if v is not None] == pytest.approx(
                    [v for v in payload["kpis"].series["utilisation"] if v is not None]
                )
                assert list(chart.plots[0].series[0].values)[-1] == ctx["active_users"]
                assert list(chart.plots[0].series[1].values)[-1] == ctx["licensed_seats"]
            elif name == "lo-midnightblue-16x9":
                _check_midnightblue(source, prs, ctx, payload, key)
            else:  # the table sits at the bottom of the slide: long rows continue
                rows = [
                    r.cells[0].text_frame.text
                    for page in slides
                    for r in list(shape(page, "qbr:actions").table.rows)[1:]
                ]
                assert rows == [a.title for a in ctx["actions_sorted"]], key
                assert len(slides) == max(1, len(rows) if len(rows) > 1 else 1)
                for page in slides:
                    frame = shape(page, "qbr:actions")
                    assert frame.top + frame.height <= prs.slide_height
                    assert assert_untouched(source[0], page) >= 6


def _check_midnightblue(source, prs, ctx, payload, key: str) -> None:
    """LibreOffice's template made into a QBR deck: cover, glance, chart, plan, closing."""
    slides = list(prs.slides)
    actions = ctx["actions_sorted"]
    plan_pages = [s for s in slides if texts(s).startswith("Our action plan")]
    assert bool(plan_pages) == bool(actions), key
    assert len(slides) == 4 + len(plan_pages), key
    assert texts(slides[0]).split("\n")[0] == ctx["account"].name
    # typed text keeps the designer's formatting of the empty title: white, bold, 27 pt
    run = slides[1].shapes[0].text_frame.paragraphs[0].runs[0]
    assert run.text == "2026-Q3 at a glance"
    assert run.font.color.rgb == RGBColor(0xFF, 0xFF, 0xFF) and run.font.bold
    assert run.font.size.pt == 27
    assert texts(slides[-1]).startswith("Thank you")
    assert assert_untouched(source[-1], slides[-1]) >= 1
    rows = [
        r.cells[0].text_frame.text
        for page in plan_pages
        for r in list(shape(page, "qbr:actions").table.rows)[1:]
    ]
    assert rows == [a.title for a in actions], key
    frame = shape(slides[2], "qbr:utilisation")
    expected = payload["kpis"].series["utilisation"]
    if expected is None:
        assert not frame.has_chart and frame.text_frame.text
        return
    chart = frame.chart
    assert list(chart.plots[0].series[0].values) == pytest.approx(expected)
    axis = chart.value_axis._element
    # columns start at zero; the axis shows the data's percent format in LibreOffice too
    assert axis.find(f"{C}scaling/{C}min").get("val") == "0"
    assert axis.find(f"{C}numFmt").get("formatCode") == PERCENT
    assert axis.find(f"{C}numFmt").get("sourceLinked") == "1"


def _features(ctx) -> list[dict[str, Any]]:
    from qbrgen.render._designed_rules import TABLE_SOURCES
    from qbrgen.templates import Formatter

    return TABLE_SOURCES["features"].rows(ctx, Formatter())


def test_a_deck_saved_by_libreoffice_keeps_one_core_properties_part(real_decks) -> None:
    """LibreOffice relates docProps/core.xml with the first edition's type; the filled deck
    still has one core properties part (two zip entries of one name make PowerPoint offer a
    repair), and it holds the deck's provenance."""
    deck, ws, _ = real_decks["lo-midnightblue-16x9"]
    with zipfile.ZipFile(deck) as archive:
        assert "officedocument/2006/relationships/metadata/core-properties" in (
            archive.read("_rels/.rels").decode()
        )
    result = run_cli("qbr", "--no-brief", "acme", "-w", str(ws), check=True)
    path = ws / result.stdout.split()[0]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names))
        assert sum(n.startswith("docProps/core") for n in names) == 1
    props = Presentation(str(path)).core_properties
    assert props.category == "QBR" and props.title.endswith("Quarterly business review 2026-Q3")


def test_real_decks_convert_page_for_page(real_decks, tmp_path: Path) -> None:
    from pypdf import PdfReader

    for name, (_, ws, _) in real_decks.items():
        result = run_cli("qbr", "--no-brief", "acme", "-w", str(ws), check=True)
        path = ws / result.stdout.split()[0]
        pdf = soffice_convert(path, tmp_path / name)
        assert len(PdfReader(str(pdf)).pages) == len(Presentation(str(path)).slides), name


def test_links_to_a_dropped_slide_and_review_comments_go(tmp_path: Path) -> None:
    """A 'jump to slide' link to a slide left out is removed with its relationship; the
    designers' review comments and the list of their authors never reach the customer."""
    from pptx.opc.constants import CONTENT_TYPE as CT
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    def change(prs) -> None:
        glance, risks = prs.slides[1], prs.slides[5]
        rId = glance.part.relate_to(risks.part, RT.SLIDE)
        box = glance.shapes.add_textbox(0, 914400 * 6, 914400 * 4, 457200)
        box.name = "Link"
        run = box.text_frame.paragraphs[0].add_run()
        run.text = "See the risks"
        props = run._r.get_or_add_rPr()
        link = etree.SubElement(props, f"{A}hlinkClick", action="ppaction://hlinksldjump")
        link.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", rId)
        package = prs.part.package
        comments = Part(
            PackURI("/ppt/comments/comment1.xml"),
            CT.PML_COMMENTS,
            package,
            b'<p:cmLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
            b'<p:cm authorId="0" dt="2026-01-05T10:00:00.000" idx="1"><p:pos x="10" y="10"/>'
            b"<p:text>MAKE THE LOGO BIGGER</p:text></p:cm></p:cmLst>",
        )
        glance.part.relate_to(comments, RT.COMMENTS)
        authors = Part(
            PackURI("/ppt/commentAuthors.xml"),
            CT.PML_COMMENT_AUTHORS,
            package,
            b'<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
            b'<p:cmAuthor id="0" name="DESIGNER NAME" initials="DN" lastIdx="1" clrIdx="0"/>'
            b"</p:cmAuthorLst>",
        )
        prs.part.relate_to(authors, RT.COMMENT_AUTHORS)

    ws = workspace(tmp_path, _edit(NORTHWIND, tmp_path / "linked.pptx", change))
    result = run_cli(
        "qbr", "--no-brief", "cobalt-ridge", "harbourview-capital", "-w", str(ws), check=True
    )
    for line in result.stdout.split():
        data = (ws / line).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            everything = b"".join(archive.read(name) for name in archive.namelist())
        assert b"MAKE THE LOGO BIGGER" not in everything and b"DESIGNER NAME" not in everything
        prs = Presentation(io.BytesIO(data))
        glance = prs.slides[1]
        link = shape(glance, "Link").text_frame.paragraphs[0].runs[0]
        assert link.text == "See the risks"
        targets = [rel.target_part for rel in glance.part.rels.values() if rel.reltype == RT.SLIDE]
        risk_slides = [s for s in prs.slides if texts(s).startswith("Risks we manage")]
        if "cobalt" in line:  # no shared risk: the slide and the link to it are gone
            assert not risk_slides and not targets
            assert link._r.find(f".//{A}hlinkClick") is None
        else:
            assert targets == [risk_slides[0].part]
            assert link._r.find(f".//{A}hlinkClick") is not None


def test_sections_follow_the_slides(tmp_path: Path) -> None:
    """PowerPoint sections list slide ids: copies join their original's section, slides left
    out leave theirs, every slide of the deck is in exactly one."""
    p14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"

    def change(prs) -> None:
        ids = [s.slide_id for s in prs.slides]
        ext_list = prs.part._element.find(f"{P}extLst")
        if ext_list is None:
            ext_list = etree.SubElement(prs.part._element, f"{P}extLst")
        ext = etree.SubElement(ext_list, f"{P}ext", uri="{521415D9-36F7-43E2-AB2F-B90AF26B5E84}")
        sections = etree.SubElement(ext, f"{{{p14}}}sectionLst")
        for number, (name, members) in enumerate((("Opening", ids[:2]), ("Review", ids[2:]))):
            ident = f"{{00000000-0000-0000-0000-00000000000{number}}}"
            section = etree.SubElement(sections, f"{{{p14}}}section", name=name, id=ident)
            id_list = etree.SubElement(section, f"{{{p14}}}sldIdLst")
            for member in members:
                etree.SubElement(id_list, f"{{{p14}}}sldId", id=str(member))

    ws = workspace(tmp_path, _edit(NORTHWIND, tmp_path / "sections.pptx", change))
    for key, (prs, ctx, _) in fill(ws, ["cobalt-ridge", "harbourview-capital"]).items():
        found = {
            section.get("name"): [int(e.get("id")) for e in section.iter(f"{{{p14}}}sldId")]
            for section in prs.part._element.iter(f"{{{p14}}}section")
        }
        ids = [s.slide_id for s in prs.slides]
        assert found["Opening"] == ids[:2], key
        assert found["Review"] == ids[2:], key


def test_logo_pictures_show_the_logos_fitted_in_the_designers_box(tmp_path: Path) -> None:
    from PIL import Image

    def change(prs) -> None:
        cover = prs.slides[0]
        placeholder = io.BytesIO()
        Image.new("RGB", (200, 200), "#DDDDDD").save(placeholder, "PNG")
        for name, left in (("qbr:logo", 8), ("qbr:company_logo", 10.5)):
            picture = cover.shapes.add_picture(
                io.BytesIO(placeholder.getvalue()),
                int(914400 * left),
                914400 * 5,
                914400 * 2,
                914400,
            )
            picture.name = name

    ws = workspace(tmp_path, _edit(NORTHWIND, tmp_path / "logos.pptx", change), source=DECK_WS)
    (ws / "assets").mkdir()
    Image.new("RGB", (400, 100), "#1F3A5F").save(ws / "assets" / "northwind.png")
    Image.new("RGB", (300, 300), "#C0392B").save(ws / "assets" / "acme.png")
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["branding"] = {"logo": "northwind.png"}
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config))
    account = ws / "accounts" / "acme.yaml"
    account.write_text(
        account.read_text().replace(
            "\nowner: Priya Nair\n", "\nowner: Priya Nair\nlogo: acme.png\n"
        )
    )
    decks = fill(ws, ["acme", "borealis"])
    cover = decks["acme"][0].slides[0]
    customer, ours = shape(cover, "qbr:logo"), shape(cover, "qbr:company_logo")
    assert customer.image.size == (300, 300) and ours.image.size == (400, 100)
    # fitted in the 2 × 1 in box, centred, aspect kept
    assert (customer.width, customer.height) == (914400, 914400)
    assert customer.left == int(914400 * 8) + 457200 and customer.top == 914400 * 5
    assert ours.width == 914400 * 2 and ours.height == 457200
    assert ours.top == 914400 * 5 + 228600
    # an account without a logo: the designer's stand-in picture is not left on the cover
    borealis = decks["borealis"][0].slides[0]
    assert [s.name for s in borealis.shapes if s.name == "qbr:logo"] == []
    assert shape(borealis, "qbr:company_logo").image.size == (400, 100)


def test_the_prep_brief_walks_the_designed_deck(tmp_path: Path) -> None:
    """The presenter's talking points are the designed deck's slides as filled: their titles
    and speaker notes, not the built-in deck template's."""
    from pypdf import PdfReader

    ws = workspace(tmp_path, NORTHWIND)
    result = run_cli("qbr", "cobalt-ridge", "-w", str(ws), check=True)
    brief = next(ws / line for line in result.stdout.split() if line.endswith(".pdf"))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(brief)).pages)
    assert "Goal 1 of 2: Offer usage dashboards" in text
    assert "Our mutual action plan (1 of 2)" in text and "Our mutual action plan (2 of 2)" in text
    assert "Ask whether Offer usage dashboards" in text
    assert "qbr: for goal" not in text
    assert "Review 2026-Q3 together and agree" not in text  # qbr.yaml's agenda slide


def test_master_tokens_table_headings_and_linked_chart_data(tmp_path: Path) -> None:
    """A footer typed on the master is filled; a table heading with a token stays the
    heading; a chart whose data was linked to an outside workbook gets its own."""
    from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM

    def change(prs) -> None:
        import copy

        master = prs.slide_masters[0]
        box = copy.deepcopy(shape(prs.slides[0], "As of")._element)  # a text box, on the master
        box.find(f".//{P}cNvPr").set("id", "999")
        box.find(f".//{P}cNvPr").set("name", "Master footer")
        box.find(f".//{A}t").text = "{{ company.name }} for {{ account.name }}"
        master.shapes._spTree.append(box)
        table = shape(prs.slides[4], "qbr:actions").table
        table.cell(0, 0).text = "Actions with {{ account.name }}"
        chart = shape(prs.slides[3], "qbr:utilisation").chart
        external = chart.part._element.find(
            "{http://schemas.openxmlformats.org/drawingml/2006/chart}externalData"
        )
        rel = chart.part.rels[external.get(f"{{{R}}}id")]
        rel._target_mode, rel._target = RTM.EXTERNAL, "file:///C:/Marketing/sample-data.xlsx"

    R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ws = workspace(tmp_path, _edit(NORTHWIND, tmp_path / "master.pptx", change))
    ((prs, ctx, payload),) = fill(ws, ["cobalt-ridge"]).values()
    footer = shape(prs.slide_masters[0], "Master footer")
    assert footer.text_frame.text == "Northwind Analytics for Cobalt Ridge Software"
    page = next(s for s in prs.slides if texts(s).startswith("Our mutual action plan"))
    rows = list(shape(page, "qbr:actions").table.rows)
    assert rows[0].cells[0].text_frame.text == "Actions with Cobalt Ridge Software"
    assert rows[1].cells[0].text_frame.text == ctx["actions_sorted"][0].title
    chart = shape(prs.slides[2 + len(ctx["goals_sorted"])], "qbr:utilisation").chart
    assert list(chart.plots[0].series[0].values) == pytest.approx(
        payload["kpis"].series["utilisation"]
    )
    assert not [r for r in chart.part.rels.values() if r.is_external]
    workbook = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    assert (
        workbook.worksheets[0].cell(row=2, column=1).value == payload["kpis"].series["quarters"][0]
    )
