"""The floors `make bench` measures qbrgen's renderers against: what the libraries alone cost
for the same output.

- Decks: a plain python-pptx script that builds the same slides as a qbrgen deck (the same
  layouts, placeholder text, text boxes, filled shapes, tables, charts, pictures and speaker
  notes, with each run's size, weight and colour) through python-pptx's public API, with no
  measuring or fitting, from a sketch read out of the finished deck. Reading the sketch is not
  timed; opening the master, building and saving are.
- Plans: WeasyPrint alone laying out the very HTML qbrgen made for the plan, with the same
  options (PDF/A, tags), so the difference is qbrgen's own work (data, Jinja, context).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

Run = tuple[str, float | None, bool | None, str | None]
"""A run of text: its text, size (pt), bold, colour (hex)."""


@dataclass
class ShapeSketch:
    kind: str  # placeholder | textbox | shape | table | chart | picture
    box: tuple[int, int, int, int]
    paragraphs: list[list[Run]] = field(default_factory=list)
    idx: int | None = None
    preset: Any = None
    fill: str | None = None
    cells: list[list[str]] = field(default_factory=list)
    cell_fills: list[list[str | None]] = field(default_factory=list)
    cell_size: float | None = None
    column_widths: list[int] = field(default_factory=list)
    chart_type: Any = None
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)
    series_fills: list[str | None] = field(default_factory=list)
    number_format: str = "General"
    axis_title: str = ""
    image: bytes = b""


@dataclass
class SlideSketch:
    layout: tuple[int, int]
    """(master, layout) index in the master file."""
    shapes: list[ShapeSketch]
    notes: str


def _hex(colour: Any) -> str | None:
    from pptx.enum.dml import MSO_COLOR_TYPE

    try:
        return str(colour.rgb) if colour.type == MSO_COLOR_TYPE.RGB else None
    except (AttributeError, TypeError):
        return None


def _paragraphs(frame: Any) -> list[list[Run]]:
    out = []
    for paragraph in frame.paragraphs:
        runs: list[Run] = []
        for run in paragraph.runs:
            font = run.font
            size = font.size.pt if font.size is not None else None
            runs.append((run.text, size, font.bold, _hex(font.color)))
        out.append(runs)
    return out


def _fill(shape: Any) -> str | None:
    from pptx.enum.dml import MSO_FILL

    try:
        return _hex(shape.fill.fore_color) if shape.fill.type == MSO_FILL.SOLID else None
    except (AttributeError, TypeError, NotImplementedError):
        return None


def sketch_deck(data: bytes) -> list[SlideSketch]:
    """What a plain script would be asked to build to make the slides of the deck `data`."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(io.BytesIO(data))
    layouts = {
        layout.part.partname: (m, index)
        for m, master in enumerate(prs.slide_masters)
        for index, layout in enumerate(master.slide_layouts)
    }
    slides = []
    for slide in prs.slides:
        auto = {
            ph.placeholder_format.idx for ph in slide.slide_layout.iter_cloneable_placeholders()
        }
        shapes = []
        for shape in slide.shapes:
            box = (int(shape.left or 0), int(shape.top or 0), int(shape.width or 0),
                   int(shape.height or 0))  # fmt: skip
            if shape.has_chart:
                chart = shape.chart
                plot = chart.plots[0]
                sketch = ShapeSketch("chart", box, chart_type=chart.chart_type)
                sketch.categories = [str(c) for c in plot.categories]
                sketch.series = [(s.name, list(s.values)) for s in plot.series]
                sketch.series_fills = [_fill(s) for s in plot.series]
                sketch.number_format = chart.value_axis.tick_labels.number_format
                if chart.value_axis.has_title:
                    sketch.axis_title = chart.value_axis.axis_title.text_frame.text
                shapes.append(sketch)
            elif shape.has_table:
                table = shape.table
                sketch = ShapeSketch("table", box)
                sketch.cells = [[c.text for c in row.cells] for row in table.rows]
                sketch.cell_fills = [[_fill(c) for c in row.cells] for row in table.rows]
                runs = [r for row in table.rows for c in row.cells for p in _paragraphs(c.text_frame) for r in p]  # fmt: skip
                sketch.cell_size = next((r[1] for r in runs if r[1]), None)
                sketch.column_widths = [int(c.width) for c in table.columns]
                shapes.append(sketch)
            elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                shapes.append(ShapeSketch("picture", box, image=shape.image.blob))
            elif shape.is_placeholder and shape.placeholder_format.idx in auto:
                sketch = ShapeSketch("placeholder", box, idx=shape.placeholder_format.idx)
                sketch.paragraphs = _paragraphs(shape.text_frame)
                shapes.append(sketch)
            elif shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and not shape.is_placeholder:
                sketch = ShapeSketch("shape", box, preset=shape.auto_shape_type, fill=_fill(shape))
                sketch.paragraphs = _paragraphs(shape.text_frame)
                shapes.append(sketch)
            elif shape.has_text_frame:  # text boxes, footer placeholders
                shapes.append(ShapeSketch("textbox", box, _paragraphs(shape.text_frame)))
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append(SlideSketch(layouts[slide.slide_layout.part.partname], shapes, notes))
    return slides


def build_plain(master: bytes, slides: list[SlideSketch], styled: bool = True) -> bytes:
    """The slides built with python-pptx's public API alone, saved. `styled`: with each
    run's size, weight and colour and each shape's, cell's and series' fill (the same look);
    without, the same content only (text, tables, charts, pictures, notes)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    prs = Presentation(io.BytesIO(master))
    for slide_id in list(prs.slides._sldIdLst):  # a template's own sample slides go
        prs.part.drop_rel(slide_id.rId)
        prs.slides._sldIdLst.remove(slide_id)

    def write(frame: Any, paragraphs: list[list[Run]]) -> None:
        frame.word_wrap = True
        for index, runs in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            for text, size, bold, colour in runs:
                run = paragraph.add_run()
                run.text = text
                if not styled:
                    continue
                if size:
                    run.font.size = Pt(size)
                if bold is not None:
                    run.font.bold = bold
                if colour:
                    run.font.color.rgb = RGBColor.from_string(colour)

    for sketch in slides:
        m, index = sketch.layout
        slide = prs.slides.add_slide(prs.slide_masters[m].slide_layouts[index])
        for shape in sketch.shapes:
            left, top, width, height = (Emu(v) for v in shape.box)
            if shape.kind == "placeholder":
                write(slide.placeholders[shape.idx].text_frame, shape.paragraphs)
            elif shape.kind == "textbox":
                write(slide.shapes.add_textbox(left, top, width, height).text_frame,
                      shape.paragraphs)  # fmt: skip
            elif shape.kind == "shape":
                drawn = slide.shapes.add_shape(shape.preset, left, top, width, height)
                if shape.fill and styled:
                    drawn.fill.solid()
                    drawn.fill.fore_color.rgb = RGBColor.from_string(shape.fill)
                    drawn.line.fill.background()
                if any(shape.paragraphs):
                    write(drawn.text_frame, shape.paragraphs)
            elif shape.kind == "picture":
                slide.shapes.add_picture(io.BytesIO(shape.image), left, top, width, height)
            elif shape.kind == "table":
                rows, cols = len(shape.cells), len(shape.cells[0])
                table = slide.shapes.add_table(rows, cols, left, top, width, height).table
                for col, col_width in zip(table.columns, shape.column_widths, strict=True):
                    col.width = Emu(col_width)
                for r, row in enumerate(shape.cells):
                    for c, text in enumerate(row):
                        cell = table.cell(r, c)
                        cell.text = text
                        if not styled:
                            continue
                        if shape.cell_size:
                            for paragraph in cell.text_frame.paragraphs:
                                for run in paragraph.runs:
                                    run.font.size = Pt(shape.cell_size)
                        fill = shape.cell_fills[r][c]
                        if fill:
                            cell.fill.solid()
                            cell.fill.fore_color.rgb = RGBColor.from_string(fill)
            elif shape.kind == "chart":
                data = CategoryChartData(number_format=shape.number_format)
                data.categories = shape.categories
                for name, values in shape.series:
                    data.add_series(name, values)
                chart = slide.shapes.add_chart(
                    shape.chart_type, left, top, width, height, data
                ).chart
                chart.has_legend = len(shape.series) > 1
                if shape.axis_title:
                    chart.value_axis.axis_title.text_frame.text = shape.axis_title
                if not styled:
                    continue
                for series, fill in zip(chart.plots[0].series, shape.series_fills, strict=True):
                    if fill:
                        series.format.fill.solid()
                        series.format.fill.fore_color.rgb = RGBColor.from_string(fill)
        if sketch.notes:
            slide.notes_slide.notes_text_frame.text = sketch.notes
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def weasyprint_alone(html: str, base_url: str, variant: str | None, tags: bool) -> bytes:
    """`html` laid out and written by WeasyPrint with nothing of qbrgen around it: its own URL
    fetcher, a fresh font configuration, the same PDF variant and tagging."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    options: dict[str, Any] = {"pdf_tags": tags}
    if variant and variant != "none":
        options["pdf_variant"] = variant
    elif tags:
        options["pdf_variant"] = "pdf/ua-1"
    document = weasyprint.HTML(string=html, base_url=base_url).render(
        font_config=FontConfiguration()
    )
    data = document.write_pdf(**options)
    assert isinstance(data, bytes)
    return data


# --- measuring -------------------------------------------------------------------------------


def _cpu() -> float:
    import time

    return time.process_time()


def _ratio(ours: list[float], floor: list[float]) -> float:
    import statistics

    return round(statistics.median(ours) / statistics.median(floor), 3)


def deck_floor_bench(workspace: Any, runs: int) -> dict[str, Any]:
    """CPU per slide of every QBR deck of `workspace` against python-pptx alone building the
    same slides, styled and content only; interleaved (deck, its plain builds, next deck),
    `runs` rounds after a warm-up. Also the prep brief's CPU per document."""
    import statistics

    from qbrgen.render import Selection, load_renderers, render_env
    from qbrgen.render.pptx_deck import master_bytes
    from qbrgen.run import open_run

    run = open_run(workspace)
    env = render_env(run)
    deck = load_renderers(["qbr"])["qbr"]
    jobs = deck.plan(run, Selection(run.accounts))
    sketches = [sketch_deck(next(iter(deck.render(job, env).values()))) for job in jobs]
    master = master_bytes(env)
    for sketch in sketches[:1]:  # warm-up: python-pptx's own first-use costs
        build_plain(master, sketch)
        build_plain(master, sketch, styled=False)
    ours: list[float] = []
    styled: list[float] = []
    plain: list[float] = []
    for _ in range(runs):
        for job, sketch in zip(jobs, sketches, strict=True):
            count = len(sketch)
            started = _cpu()
            deck.render(job, env)
            ours.append((_cpu() - started) / count)
            started = _cpu()
            build_plain(master, sketch)
            styled.append((_cpu() - started) / count)
            started = _cpu()
            build_plain(master, sketch, styled=False)
            plain.append((_cpu() - started) / count)
    brief = load_renderers(["brief"])["brief"]
    brief_jobs = brief.plan(run, Selection(run.accounts))
    brief.render(brief_jobs[0], env)
    briefs = []
    for job in brief_jobs:
        started = _cpu()
        brief.render(job, env)
        briefs.append(_cpu() - started)
    ms = lambda values: round(statistics.median(values) * 1000, 2)  # noqa: E731
    return {
        "decks": len(jobs),
        "slides": sum(len(s) for s in sketches),
        "runs": runs,
        "qbrgen_cpu_ms_per_slide": ms(ours),
        "plain_styled_cpu_ms_per_slide": ms(styled),
        "plain_content_cpu_ms_per_slide": ms(plain),
        "ratio_to_styled": _ratio(ours, styled),
        "ratio_to_content": _ratio(ours, plain),
        "brief_cpu_ms_median": ms(briefs),
    }


def plan_floor_bench(workspace: Any, runs: int) -> dict[str, Any]:
    """CPU per account plan of `workspace` against WeasyPrint alone on the same final HTML,
    with the same PDF options; interleaved, `runs` rounds after a warm-up."""
    import statistics

    from qbrgen.render import Selection, load_renderers, render_env
    from qbrgen.render.pdf_plan import ENTRY, plan_context
    from qbrgen.run import open_run

    run = open_run(workspace)
    env = render_env(run)
    plan = load_renderers(["plan"])["plan"]
    jobs = plan.plan(run, Selection(run.accounts))
    htmls = [env.theme.render(ENTRY, plan_context(job, env), env.formatter) for job in jobs]
    base_url = env.theme.folders[0].resolve().as_uri() + "/"
    config = env.config.plan
    plan.render(jobs[0], env)
    weasyprint_alone(htmls[0], base_url, config.pdf_variant, bool(config.pdf_ua))
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        for job, html in zip(jobs, htmls, strict=True):
            started = _cpu()
            plan.render(job, env)
            ours.append(_cpu() - started)
            started = _cpu()
            weasyprint_alone(html, base_url, config.pdf_variant, bool(config.pdf_ua))
            floor.append(_cpu() - started)
    return {
        "plans": len(jobs),
        "runs": runs,
        "qbrgen_cpu_s_median": round(statistics.median(ours), 3),
        "weasyprint_cpu_s_median": round(statistics.median(floor), 3),
        "ratio": _ratio(ours, floor),
    }
