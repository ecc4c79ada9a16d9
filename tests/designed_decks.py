"""Designed decks for the tests: one made here with python-pptx the way a marketing team makes
a QBR deck (cover picture, brand fonts, a token PowerPoint split over three runs, a named
chart, a named table that outgrows its slide, a repeated and a conditional slide, tokens in
the speaker notes), and real public templates (tests/fixtures/deck/templates) with qbrgen
tokens put where their designers put their own placeholders, their design kept.

`python tests/designed_decks.py` rewrites tests/fixtures/deck/designed/northwind-qbr.pptx
(the committed copy `make bench` times and the docs point to).
"""

from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "fixtures" / "deck" / "templates"
NORTHWIND = HERE / "fixtures" / "deck" / "designed" / "northwind-qbr.pptx"
BRAND_HEADING = "DejaVu Serif"
BRAND_BODY = "Noto Sans"
NAVY = RGBColor(0x14, 0x2B, 0x4C)
ACCENT = RGBColor(0xE0, 0x7A, 0x1F)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
GREY = RGBColor(0x5B, 0x63, 0x70)

SPLIT_RUNS = ["Prepared for ", "{{ acc", "ount.na", "me }} — ", "{{ quarter }} review"]
"""The cover's line as PowerPoint stores it after a spell-check: the token in three runs."""


def cover_picture() -> bytes:
    """A brand cover image: a navy-to-teal gradient with an orange band (PNG)."""
    from PIL import Image, ImageDraw

    width, height = 1600, 900
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        share = x / width
        draw.line(
            [(x, 0), (x, height)],
            fill=(int(20 + 10 * share), int(43 + 80 * share), int(76 + 60 * share)),
        )
    draw.rectangle([0, 780, width, 800], fill=(224, 122, 31))
    for i in range(6):
        draw.ellipse(
            [1150 + i * 40, 120 + i * 60, 1450 + i * 40, 420 + i * 60], outline=(255, 255, 255)
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _text(slide, box, runs, size=18, font=BRAND_BODY, colour=GREY, name=None):
    """A text box of one paragraph per item of `runs` (a string, or a list of (text, style))."""
    shape = slide.shapes.add_textbox(*box)
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    for index, line in enumerate(runs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        for text, style in line if isinstance(line, list) else [(line, {})]:
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(style.get("size", size))
            run.font.name = style.get("font", font)
            run.font.color.rgb = style.get("colour", colour)
            run.font.bold = style.get("bold")
            run.font.italic = style.get("italic")
            if style.get("underline"):
                run.font.underline = True
    return shape


def _title(slide, text, colour=NAVY):
    return _text(
        slide,
        (Inches(0.6), Inches(0.4), Inches(12.1), Inches(0.9)),
        [text],
        30,
        BRAND_HEADING,
        colour,
        name="Headline",
    )


def _notes(slide, lines):
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _band(slide):
    """The brand's footer band on every content slide (no token: must stay byte-identical)."""
    band = slide.shapes.add_shape(1, 0, Inches(7.1), Inches(13.333), Inches(0.4))
    band.name = "Brand band"
    band.fill.solid()
    band.fill.fore_color.rgb = NAVY
    band.line.fill.background()
    _text(
        slide,
        (Inches(0.6), Inches(7.12), Inches(8), Inches(0.35)),
        ["Northwind Analytics · Confidential: prepared for our customer"],
        10,
        BRAND_BODY,
        WHITE,
        name="Footer",
    )


def make_northwind(path: Path = NORTHWIND) -> Path:
    """The QBR deck a marketing team might hand qbrgen, made with python-pptx."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]

    # 1. cover: picture, brand fonts, the split token, notes with tokens
    cover = prs.slides.add_slide(blank)
    picture = cover.shapes.add_picture(
        io.BytesIO(cover_picture()), 0, 0, prs.slide_width, prs.slide_height
    )
    picture.name = "Cover picture"
    _text(
        cover,
        (Inches(0.8), Inches(1.2), Inches(9), Inches(0.5)),
        ["QUARTERLY BUSINESS REVIEW"],
        14,
        BRAND_BODY,
        RGBColor(0xF2, 0xA5, 0x41),
        name="Kicker",
    )
    _text(
        cover,
        (Inches(0.8), Inches(1.8), Inches(10), Inches(1.6)),
        ["{{ account.name }}"],
        44,
        BRAND_HEADING,
        WHITE,
        name="Customer",
    )
    styles = [
        {"colour": WHITE},
        {"bold": True, "colour": ACCENT},
        {"italic": True, "colour": WHITE},
        {"underline": True, "colour": WHITE},
        {"colour": RGBColor(0xDD, 0xE3, 0xEA), "size": 16},
    ]
    _text(
        cover,
        (Inches(0.8), Inches(3.6), Inches(10), Inches(0.6)),
        [list(zip(SPLIT_RUNS, styles, strict=True))],
        20,
        BRAND_BODY,
        WHITE,
        name="Prepared for",
    )
    _text(
        cover,
        (Inches(0.8), Inches(6.0), Inches(8), Inches(0.5)),
        ["Figures as of {{ as_of|date('long') }}"],
        12,
        BRAND_BODY,
        WHITE,
        name="As of",
    )
    _notes(
        cover,
        [
            "Welcome everyone from {{ account.name }}.",
            "Meeting: {{ meeting_date|date('long') if meeting_date else 'date to confirm' }}; presented by {{ presenter }}.",
        ],
    )

    # 2. at a glance: bullet lines of tokens, one that may come out empty
    glance = prs.slides.add_slide(blank)
    _title(glance, "{{ quarter }} at a glance")
    _text(
        glance,
        (Inches(0.6), Inches(1.6), Inches(7.5), Inches(4.5)),
        [
            [
                ("Seat utilisation: ", {}),
                ("{{ k.seat_utilisation|kpi('seat_utilisation') }}", {"bold": True}),
            ],
            [
                ("Support tickets opened in {{ quarter }}: ", {}),
                ("{{ k.tickets_q.values()|sum }}", {"bold": True}),
            ],
            [
                ("Renewal: ", {}),
                ("{{ account.contract.renewal_date|date('long') }}", {"bold": True}),
            ],
            [("{{ ('Region: ' ~ account.region) if account.region }}", {})],
            [
                (
                    "Goals on track: {{ goals_sorted|selectattr('status', 'eq', 'on_track')|list|length }} of {{ goals_sorted|length }}",
                    {},
                )
            ],
        ],
        20,
        name="Highlights",
    )
    quote = glance.shapes.add_shape(5, Inches(8.6), Inches(1.6), Inches(4.1), Inches(3.2))
    quote.name = "Promise"
    quote.fill.solid()
    quote.fill.fore_color.rgb = RGBColor(0xF4, 0xF1, 0xEA)
    quote.line.fill.background()
    quote.text_frame.text = "Your results, your goals: every figure comes from your own usage data."
    quote.text_frame.word_wrap = True
    quote.text_frame.paragraphs[0].runs[0].font.name = BRAND_HEADING
    quote.text_frame.paragraphs[0].runs[0].font.size = Pt(20)
    quote.text_frame.paragraphs[0].runs[0].font.color.rgb = NAVY
    _band(glance)
    _notes(
        glance,
        ["Lead with the results. Utilisation is {{ k.seat_utilisation|kpi('seat_utilisation') }}."],
    )

    # 3. one slide per goal
    goal = prs.slides.add_slide(blank)
    _title(goal, "Goal {{ loop.index }} of {{ loop.length }}: {{ goal.title }}")
    _text(
        goal,
        (Inches(0.6), Inches(1.6), Inches(12), Inches(2.5)),
        [
            "Status: {{ goal.status|label('goal_statuses') }}",
            "{{ goal.outcome }}",
        ],
        22,
        name="Goal detail",
    )
    _band(goal)
    _notes(
        goal,
        [
            "qbr: for goal in goals_sorted",
            "Ask whether {{ goal.title }} is still the right target.",
        ],
    )

    # 4. adoption: a named chart with the designer's formatting
    adoption = prs.slides.add_slide(blank)
    _title(adoption, "Seat utilisation by quarter")
    data = CategoryChartData(number_format="0%")
    data.categories = ["Q1", "Q2", "Q3"]
    data.add_series("Utilisation", (0.5, 0.6, 0.7))
    frame = adoption.shapes.add_chart(
        XL_CHART_TYPE.LINE_MARKERS, Inches(0.6), Inches(1.5), Inches(8.2), Inches(5.2), data
    )
    frame.name = "qbr:utilisation"
    chart = frame.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "{{ account.name }}: active users ÷ licensed seats"
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.name = BRAND_HEADING
    series = chart.plots[0].series[0]
    series.format.line.color.rgb = ACCENT
    series.format.line.width = Pt(4)
    series.smooth = False
    chart.plots[0].has_data_labels = True
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.ABOVE
    chart.plots[0].data_labels.font.size = Pt(12)
    chart.has_legend = False
    axis = chart.value_axis
    axis.minimum_scale, axis.maximum_scale = 0, 1
    axis.tick_labels.number_format = "0%"
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = False
    tickets = CategoryChartData()
    tickets.categories = ["Q1", "Q2"]
    for name in ("Critical", "High", "Medium", "Low"):
        tickets.add_series(name, (1, 2))
    side = adoption.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_STACKED, Inches(9.0), Inches(1.5), Inches(3.8), Inches(5.2), tickets
    )
    side.name = "qbr:tickets"
    side.chart.has_legend = True
    side.chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    side.chart.legend.include_in_layout = False
    _band(adoption)
    _notes(
        adoption,
        [
            "Utilisation is {{ k.seat_utilisation|kpi('seat_utilisation') }} of {{ licensed_seats }} seats."
        ],
    )

    # 5. the action plan: a named table low on the slide, more rows than fit for some accounts
    plan = prs.slides.add_slide(blank)
    _title(
        plan,
        "Our mutual action plan{{ ' (%d of %d)'|format(table_page, table_pages) if table_pages > 1 }}",
    )
    _text(
        plan,
        (Inches(0.6), Inches(1.3), Inches(12), Inches(1.2)),
        ["What we agreed with {{ account.name }}, open items first."],
        18,
        name="Intro",
    )
    rows = [
        ["Action", "Owner", "Due", "Status"],
        [
            "{{ row.title }}",
            "{{ row.owner }}",
            "{{ row.due|date('medium') }}",
            "{{ row.status|label('action_statuses') }}",
        ],
        ["Sample action", "Sample owner", "Jan 1, 2026", "Open"],
        ["Sample action", "Sample owner", "Jan 1, 2026", "Open"],
    ]
    table_frame = plan.shapes.add_table(
        len(rows), 4, Inches(0.6), Inches(2.6), Inches(12.1), Inches(2.4)
    )
    table_frame.name = "qbr:actions"
    table = table_frame.table
    for col, width in enumerate((6.1, 2.6, 1.7, 1.7)):
        table.columns[col].width = Inches(width)
    for r, values in enumerate(rows):
        table.rows[r].height = Inches(0.6)
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = value
            run = cell.text_frame.paragraphs[0].runs[0]
            run.font.size = Pt(18)
            run.font.name = BRAND_BODY
            run.font.bold = r == 0
    _text(
        plan,
        (Inches(0.6), Inches(6.45), Inches(12), Inches(0.5)),
        ["Owners and dates as agreed; we send the updated plan after the meeting."],
        12,
        name="Source note",
    )
    _band(plan)
    _notes(plan, ["{{ open_actions|length }} actions are open."])

    # 6. risks: only when there are shared open risks
    risks = prs.slides.add_slide(blank)
    _title(risks, "Risks we manage together")
    risk_rows = [
        ["Risk", "What we do"],
        ["{{ row.title }}", "{{ row.mitigation or 'To agree today' }}"],
    ]
    risk_frame = risks.shapes.add_table(2, 2, Inches(0.6), Inches(1.6), Inches(12.1), Inches(1.2))
    risk_frame.name = "qbr:risks"
    for r, values in enumerate(risk_rows):
        for c, value in enumerate(values):
            risk_frame.table.cell(r, c).text = value
    _band(risks)
    _notes(risks, ["qbr: when risks_sorted", "{{ risks_sorted|length }} shared risks."])

    # 7. thank you: no token at all
    thanks = prs.slides.add_slide(blank)
    ending = thanks.shapes.add_picture(
        io.BytesIO(cover_picture()), 0, 0, prs.slide_width, prs.slide_height
    )
    ending.name = "Closing picture"
    _text(
        thanks,
        (Inches(0.8), Inches(2.8), Inches(11), Inches(1.5)),
        ["Thank you"],
        54,
        BRAND_HEADING,
        WHITE,
        name="Thanks",
    )

    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(path))
    return path


# --- real templates, tokens added where their designers put their placeholders --------------


def _replace_text(element, old: str, new: str) -> int:
    """Replace `old` by `new` in the a:t texts under `element` (each within one run)."""
    count = 0
    for t in element.iter(f"{A}t"):
        if t.text and old in t.text:
            t.text = t.text.replace(old, new)
            count += 1
    return count


def _shape(slide, name):
    for shape in slide.shapes:
        if shape.name == name:
            return shape
        if shape.shape_type == 6:  # group
            for member in shape.shapes:
                if member.name == name:
                    return member
    raise KeyError(name)


def _rename(shape, name: str) -> None:
    shape._element.find(f"*/{P}cNvPr").set("name", name)


def _drop_slides(prs, keep: list[int]) -> None:
    """Keep only the slides at `keep` (0-based), in that order."""
    id_list = prs.slides._sldIdLst
    entries = list(id_list)
    for index, entry in enumerate(entries):
        if index not in keep:
            prs.part.drop_rel(entry.rId)
        id_list.remove(entry)
    for index in keep:
        id_list.append(entries[index])


def _set_notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def tokenise_m3_a4(target: Path) -> Path:
    """M3's A4 ranking report (`m3-a4-ja.pptx`, Apache-2.0): its 'Result' slide (a ranking
    table beside a bar chart, grouped column headings, a thin title band, a copyright line),
    kept as designed, with qbrgen tokens where the deck had `{table1}`, `{chart1}`, `{n}`."""
    prs = Presentation(str(TEMPLATES / "m3-a4-ja.pptx"))
    _drop_slides(prs, [0])
    ranking = prs.slides[0]
    _replace_text(
        _shape(ranking, "タイトル 64")._element,
        "ランキング",
        "{{ account.name }}: feature adoption",
    )
    _replace_text(
        _shape(ranking, "テキスト ボックス 36")._element,
        "n={n}",
        "n={{ active_users }} active users",
    )
    _replace_text(_shape(ranking, "テキスト ボックス 29")._element, "Result", "{{ quarter[-2:] }}")
    _replace_text(_shape(ranking, "正方形/長方形 30")._element, "{id:p1}", "{{ quarter[-2:] }}")
    table = _shape(ranking, "表 24")
    _rename(table, "qbr:features")
    cells = table._element.findall(f".//{A}tr")[0].findall(f"{A}tc")
    for cell, token in zip(
        cells,
        [
            "{{ row.name }}",
            "{{ row.share|percent }} of active users",
            None,
            "{{ (row.share * active_users)|round|int }}",
            None,
        ],
        strict=True,
    ):
        if token is None:
            continue
        texts = list(cell.iter(f"{A}t"))
        texts[0].text = token
        for extra in texts[1:]:
            extra.text = ""
    chart = _shape(ranking, "グラフ 35")
    _rename(chart, "qbr:feature_adoption")
    _replace_text(chart.chart.part._element, "{chart1}", "")
    _set_notes(
        ranking, ["{{ series.feature_adoption|length }} features measured at {{ account.name }}."]
    )
    prs.save(str(target))
    return target


def tokenise_m3_16x9(target: Path) -> Path:
    """M3's pptx-template documentation deck (`m3-16x9-ja.pptx`, Apache-2.0): its chart slide
    (a clustered column chart with a line on a second axis, titled `{data}Sales`) and the text
    slide whose boxes hold `{hello.en.0}` tokens, as designed."""
    prs = Presentation(str(TEMPLATES / "m3-16x9-ja.pptx"))
    text, charts = prs.slides[0], prs.slides[1]
    _replace_text(text._element, "{hello.en.0}", "{{ account.name }}")
    _replace_text(text._element, "{hello.ja}", "{{ quarter }}")
    _replace_text(text._element, "{hello.en.1}", "{{ presenter }}")
    _set_notes(text, ["Opening: {{ account.name }}, {{ quarter }}."])
    chart_shapes = [s for s in charts.shapes if s.has_chart]
    _rename(chart_shapes[0], "qbr:seats")
    _replace_text(chart_shapes[0].chart.part._element, "{data}Sales", "Seats at {{ account.name }}")
    _set_notes(charts, ["{{ active_users }} of {{ licensed_seats }} seats in use."])
    prs.save(str(target))
    return target


def tokenise_coreoz(target: Path) -> Path:
    """Coreoz's template (`coreoz-4x3-fr.pptx`, Apache-2.0): its `$/var1/` … placeholders,
    the styled table and the pictures, as designed."""
    prs = Presentation(str(TEMPLATES / "coreoz-4x3-fr.pptx"))
    slide = prs.slides[0]
    _replace_text(slide._element, "$/var1/", "{{ account.name }}")
    _replace_text(slide._element, "$/var2/", "{{ quarter }}")
    _replace_text(slide._element, "$/var4/", "{{ k.seat_utilisation|kpi('seat_utilisation') }}")
    _replace_text(slide._element, "$/var3/", "Owner")
    table = _shape(slide, "Tableau 9")
    _rename(table, "qbr:actions")
    _replace_text(table._element, "Content", "Action")
    second = table._element.findall(f".//{A}tr")[1]
    cells = second.findall(f"{A}tc")
    cells[0].find(f".//{A}t").text = "{{ row.title }}"
    if cells[1].find(f".//{A}t") is None:
        paragraph = cells[1].find(f".//{A}p")
        run = etree.SubElement(paragraph, f"{A}r")
        etree.SubElement(run, f"{A}t")
        end = paragraph.find(f"{A}endParaRPr")
        if end is not None:
            paragraph.remove(end)
            paragraph.append(end)
            run.insert(0, copy.deepcopy(end))
            run[0].tag = f"{A}rPr"
    cells[1].find(f".//{A}t").text = "{{ row.owner }}"
    _set_notes(
        slide,
        ["qbr: audience customer", "{{ account.name }}: {{ actions_sorted|length }} actions."],
    )
    prs.save(str(target))
    return target


MIDNIGHT_TEAL = RGBColor(0x1A, 0xBC, 0x9C)
"""The Midnightblue template's accent (its title slide's upper band)."""


def _type(shape, lines: list[str]) -> None:
    """Type `lines` into an empty placeholder as PowerPoint does: each paragraph in the
    formatting the designer left on its empty paragraph (the end-of-paragraph properties)."""
    body = shape.text_frame._txBody
    first = body.findall(f"{A}p")[0]
    for line in lines:
        paragraph = copy.deepcopy(first)
        end = paragraph.find(f"{A}endParaRPr")
        run = etree.Element(f"{A}r")
        props = copy.deepcopy(end)
        props.tag = f"{A}rPr"
        run.append(props)
        etree.SubElement(run, f"{A}t").text = line
        end.addprevious(run)
        first.addprevious(paragraph)
    body.remove(first)


def _copy_title(title, slide, text: str) -> None:
    """`slide` gets a copy of the empty `title` shape (its position and formatting) saying
    `text`."""
    slide.shapes._spTree.append(copy.deepcopy(title))
    _type(slide.shapes[-1], [text])


def tokenise_lo_midnightblue(target: Path) -> Path:
    """LibreOffice's Midnightblue template (`lo-midnightblue-16x9.pptx`, MPL-2.0), made into a
    QBR deck the way a team would: its title slide, its title-and-content slide, two more
    content slides on the same layout with a native chart and a table under the template's
    title, and its closing slide; the masters, bands, fonts and colours as designed."""
    prs = Presentation(str(TEMPLATES / "lo-midnightblue-16x9.pptx"))
    cover, glance, closing = prs.slides
    empty_title = copy.deepcopy(glance.shapes[0]._element)
    _type(cover.shapes[0], ["{{ account.name }}"])
    _type(
        cover.shapes[1],
        [
            "Quarterly business review, {{ quarter }}",
            "{{ as_of|date('long') }} · presented by {{ presenter }}",
        ],
    )
    _set_notes(cover, ["Welcome {{ account.name }}; figures as of {{ as_of|date('long') }}."])
    _type(glance.shapes[0], ["{{ quarter }} at a glance"])
    lines = [
        "Seat utilisation: {{ k.seat_utilisation|kpi('seat_utilisation') }}",
        "Support tickets opened in {{ quarter }}: {{ k.tickets_q.values()|sum }}",
        "Renewal: {{ account.contract.renewal_date|date('long') }}",
        "Goals on track: {{ goals_sorted|selectattr('status', 'eq', 'on_track')|list|length }}"
        " of {{ goals_sorted|length }}",
    ]
    _type(glance.shapes[1], lines)
    _set_notes(glance, ["Lead with {{ k.seat_utilisation|kpi('seat_utilisation') }} of seats."])

    layout = glance.slide_layout
    chart_slide = prs.slides.add_slide(layout)
    for placeholder in list(chart_slide.placeholders):
        placeholder._element.getparent().remove(placeholder._element)
    _copy_title(empty_title, chart_slide, "Seat utilisation by quarter")
    data = CategoryChartData(number_format="0%")
    data.categories = ["Q1", "Q2", "Q3", "Q4"]
    data.add_series("Seat utilisation", (0.4, 0.55, 0.6, 0.7))
    frame = chart_slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.6), Inches(1.4), Inches(9.8), Inches(4.2), data
    )
    frame.name = "qbr:utilisation"
    chart = frame.chart
    chart.has_title = False  # the slide's title says what it shows
    chart.has_legend = False
    chart.plots[0].series[0].format.fill.solid()
    chart.plots[0].series[0].format.fill.fore_color.rgb = MIDNIGHT_TEAL
    chart.plots[0].has_data_labels = True
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.value_axis.has_major_gridlines = False
    _set_notes(chart_slide, ["{{ active_users }} of {{ licensed_seats }} seats in use."])

    plan = prs.slides.add_slide(layout)
    for placeholder in list(plan.placeholders):
        placeholder._element.getparent().remove(placeholder._element)
    _copy_title(empty_title, plan, "Our action plan")
    rows = [
        ["Action", "Owner", "Due"],
        ["{{ row.title }}", "{{ row.owner }}", "{{ row.due|date('medium') }}"],
    ]
    table_frame = plan.shapes.add_table(
        len(rows), 3, Inches(0.6), Inches(1.5), Inches(9.8), Inches(1.0)
    )
    table_frame.name = "qbr:actions"
    for col, width in enumerate((5.8, 2.4, 1.6)):
        table_frame.table.columns[col].width = Inches(width)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table_frame.table.cell(r, c)
            cell.text = value
            cell.fill.solid()
            cell.fill.fore_color.rgb = MIDNIGHT_TEAL if r == 0 else RGBColor(0xEC, 0xF0, 0xF1)
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size = Pt(14)
            font.name = "Source Sans Pro"
            font.bold = r == 0
            font.color.rgb = WHITE if r == 0 else RGBColor(0x2C, 0x3E, 0x50)
    _set_notes(plan, ["qbr: when actions_sorted", "{{ open_actions|length }} actions are open."])

    # the closing slide last, as designed
    ids = prs.slides._sldIdLst
    closing_id = list(ids)[2]
    ids.remove(closing_id)
    ids.append(closing_id)
    _type(closing.shapes[0], ["Thank you"])
    prs.save(str(target))
    return target


REAL = {
    "m3-a4-ja": tokenise_m3_a4,
    "m3-16x9-ja": tokenise_m3_16x9,
    "coreoz-4x3-fr": tokenise_coreoz,
    "lo-midnightblue-16x9": tokenise_lo_midnightblue,
}


if __name__ == "__main__":
    print(make_northwind(Path(sys.argv[1]) if len(sys.argv) > 1 else NORTHWIND))
