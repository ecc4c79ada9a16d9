"""Filling a designed deck's DrawingML: `{{ }}` tokens in paragraphs, joined across the runs
PowerPoint split them into; table rows copied per item and measured; notes marker lines
removed; a chart with nothing to show replaced by the reason, in place.

Everything here edits the lxml elements python-pptx holds, and only where there is something
to fill: an element without a token is left exactly as the designer saved it.

A token keeps the formatting of its first character: its value goes into the run where the
token starts; the runs it spanned lose the token's characters (and are removed when nothing
is left of them); text before and after it stays in its own runs with their own formatting.
Values are inserted as text, never read again, so `{{` in account data stays literal.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from lxml import etree

from qbrgen.render._designed_rules import TOKEN, is_marker
from qbrgen.render._pptx_draw import clean_text
from qbrgen.render._pptx_text import line_height, metrics, wrap

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
NSMAP = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
}
EMU_PER_PT = 12700
DEFAULT_TABLE_SIZE = 18.0
"""PowerPoint's size for table text that sets none, when the deck's default text style does
not say either."""
CELL_MARGINS = (91440, 91440, 45720, 45720)
"""Default cell margins (left, right, top, bottom) in EMU."""
_BREAK = re.compile(r"\r\n|\n|\r|\v")

Render = Callable[[str], str]
"""A token's source (`{{ account.name }}`) -> its text for this slide."""


def text_of(element: Any) -> str:
    """All the DrawingML text under an element, as typed (runs joined). (lxml's itertext
    repeats text under python-pptx's custom element classes.)"""
    if element.tag == f"{A}t":
        return element.text or ""
    return "".join(t.text or "" for t in element.iter(f"{A}t"))


def has_token(element: Any) -> bool:
    return "{{" in text_of(element)


def fill_text(element: Any, render: Render) -> bool:
    """Fill every token in the paragraphs under `element`; a paragraph whose tokens all came
    out empty and that holds nothing else is removed (when its text body keeps another).
    Returns whether anything changed."""
    if not has_token(element):
        return False
    changed = False
    paragraphs = [element] if element.tag == f"{A}p" else list(element.iter(f"{A}p"))
    for paragraph in paragraphs:
        if not has_token(paragraph):
            continue
        changed = True
        if fill_paragraph(paragraph, render):
            parent = paragraph.getparent()
            if parent is not None and len(parent.findall(f"{A}p")) > 1:
                parent.remove(paragraph)
    return changed


def fill_paragraph(paragraph: Any, render: Render) -> bool:
    """Fill the tokens of one a:p. Returns True when tokens were found and the paragraph is
    now empty (nothing but whitespace, no field)."""
    groups: list[list[Any]] = [[]]
    for child in paragraph:
        if child.tag == f"{A}r":
            groups[-1].append(child)
        elif groups[-1]:
            groups.append([])  # a line break or field ends a stretch of runs
    found = False
    for runs in groups:
        found = _fill_runs(paragraph, runs, render) or found
    if not found:
        return False
    return not text_of(paragraph).strip() and paragraph.find(f"{A}fld") is None


def _fill_runs(paragraph: Any, runs: list[Any], render: Render) -> bool:
    texts = []
    for run in runs:
        t = run.find(f"{A}t")
        texts.append((t.text or "") if t is not None else "")
    full = "".join(texts)
    if "{{" not in full:
        return False
    matches = list(TOKEN.finditer(full))
    if not matches:
        return False
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text)
    pieces: list[list[str]] = [[] for _ in runs]

    def owner(position: int) -> int:
        return max(0, bisect_right(starts, position) - 1)

    def literal(begin: int, end: int) -> None:
        if begin >= end:
            return
        for index in range(owner(begin), len(runs)):
            run_start = starts[index]
            if run_start >= end:
                break
            piece = full[max(begin, run_start) : min(end, run_start + len(texts[index]))]
            if piece:
                pieces[index].append(piece)

    position = 0
    for match in matches:
        literal(position, match.start())
        pieces[owner(match.start())].append(render(match.group(0)))
        position = match.end()
    literal(position, len(full))
    for index, run in enumerate(runs):
        new = "".join(pieces[index])
        if new == texts[index]:
            continue
        if not new:
            paragraph.remove(run)
            continue
        set_run_text(run, new)
    return True


def set_run_text(run: Any, text: str) -> None:
    """Set a run's text; line breaks in it become a:br in the run's formatting."""
    lines = _BREAK.split(text)
    t = run.find(f"{A}t")
    if t is None:
        t = etree.SubElement(run, f"{A}t")
    t.text = clean_text(lines[0])
    anchor = run
    props = run.find(f"{A}rPr")
    for line in lines[1:]:
        br = etree.Element(f"{A}br")
        if props is not None:
            br.append(copy.deepcopy(props))
        anchor.addnext(br)
        follow = copy.deepcopy(run)
        follow.find(f"{A}t").text = clean_text(line)
        br.addnext(follow)
        anchor = follow


def remove_markers(body: Any) -> list[str]:
    """Remove the `qbr:` marker lines of a notes text body; returns them."""
    removed = []
    paragraphs = body.findall(f"{A}p")
    for paragraph in paragraphs:
        line = text_of(paragraph)
        if is_marker(line):
            removed.append(line.strip())
            body.remove(paragraph)
    if removed and body.find(f"{A}p") is None:
        etree.SubElement(body, f"{A}p")
    return removed


# --- tables --------------------------------------------------------------------------------


def table_of(frame: Any) -> Any:
    """The a:tbl of a graphic frame, or None."""
    return frame.find(f"{A}graphic/{A}graphicData/{A}tbl")


_ROW = re.compile(r"\b(row|loop)\b")


def template_row(table: Any) -> int | None:
    """Index of the row copied per item: the first whose tokens name `row` (or `loop`), else
    the first with a token; None when no row has one. Rows above it are the heading (which
    may hold tokens of its own: 'Risks at {{ account.name }}')."""
    first = None
    for index, row in enumerate(table.findall(f"{A}tr")):
        tokens = TOKEN.findall(text_of(row))
        if any(_ROW.search(token) for token in tokens):
            return index
        if tokens and first is None:
            first = index
    return first


class TableMeasure:
    """Row heights of one table, measured with the real fonts at the sizes written in it."""

    def __init__(
        self, table: Any, fonts: tuple[str | None, str | None], size: float = DEFAULT_TABLE_SIZE
    ):
        self.widths = [int(col.get("w", "0")) for col in table.iter(f"{A}gridCol")]
        self.major = fonts[0] or "DejaVu Sans"
        self.minor = fonts[1] or fonts[0] or "DejaVu Sans"
        self.size = size

    def height(self, row: Any) -> int:
        """The row's height in EMU: its own height, or more when its text needs it."""
        designed = int(row.get("h", "0"))
        tallest = 0
        column = 0
        for cell in row.findall(f"{A}tc"):
            span = int(cell.get("gridSpan", "1"))
            width = sum(self.widths[column : column + span])
            column += span
            if cell.get("hMerge") in ("1", "true") or cell.get("vMerge") in ("1", "true"):
                continue
            tallest = max(tallest, self._cell(cell, width))
        return max(designed, tallest)

    def _cell(self, cell: Any, width: int) -> int:
        props = cell.find(f"{A}tcPr")
        margins = [
            int(props.get(name, default)) if props is not None else default
            for name, default in zip(("marL", "marR", "marT", "marB"), CELL_MARGINS, strict=True)
        ]
        inner = max(1.0, (width - margins[0] - margins[1]) / EMU_PER_PT)
        total = 0.0
        for paragraph in cell.iter(f"{A}p"):
            face, size, bold = self._font(paragraph)
            font = metrics(face, bold)
            text = "".join(
                "\n" if child.tag == f"{A}br" else text_of(child)
                for child in paragraph
                if child.tag in (f"{A}r", f"{A}br", f"{A}fld")
            )
            for line in wrap(text, font, size, inner):
                total += line_height(font, size, line)
        return int(total * EMU_PER_PT) + margins[2] + margins[3]

    def _font(self, paragraph: Any) -> tuple[str, float, bool]:
        props = paragraph.find(f"{A}r/{A}rPr")
        if props is None:
            props = paragraph.find(f"{A}endParaRPr")
        size, bold, face = self.size, False, None
        if props is not None:
            size = int(props.get("sz", "0")) / 100 or self.size
            bold = props.get("b") in ("1", "true")
            latin = props.find(f"{A}latin")
            face = latin.get("typeface") if latin is not None else None
        if not face or face.startswith("+mn"):
            face = self.minor
        elif face.startswith("+mj"):
            face = self.major
        return face, size, bold


def set_rows(frame: Any, header_rows: int, rows: list[tuple[Any, int]]) -> None:
    """Keep the table's first `header_rows` rows, then `rows` (element, height); the frame
    takes the height of its rows."""
    table = table_of(frame)
    for old in table.findall(f"{A}tr")[header_rows:]:
        table.remove(old)
    for row, height in rows:
        row.set("h", str(height))
        table.append(row)
    total = sum(int(row.get("h", "0")) for row in table.findall(f"{A}tr"))
    extent = frame.find(f"{P}xfrm/{A}ext")
    if extent is not None:
        extent.set("cy", str(total))


# --- a chart with nothing to show ----------------------------------------------------------


def reason_in_place(frame: Any, text: str, colour: str, font: str | None) -> Any:
    """Replace a graphic frame by a text box saying `text`, centred in the same place; it
    keeps the frame's id and name, so animations that played the chart play the sentence."""
    source = frame.find(f"{P}nvGraphicFramePr/{P}cNvPr")
    xfrm = frame.find(f"{P}xfrm")
    off = xfrm.find(f"{A}off") if xfrm is not None else None
    ext = xfrm.find(f"{A}ext") if xfrm is not None else None
    sp = etree.Element(f"{P}sp", nsmap=NSMAP)
    nv = etree.SubElement(sp, f"{P}nvSpPr")
    etree.SubElement(nv, f"{P}cNvPr", id=source.get("id"), name=source.get("name"))
    etree.SubElement(nv, f"{P}cNvSpPr", txBox="1")
    etree.SubElement(nv, f"{P}nvPr")
    sp_pr = etree.SubElement(sp, f"{P}spPr")
    box = etree.SubElement(sp_pr, f"{A}xfrm")
    etree.SubElement(box, f"{A}off", x=_attr(off, "x"), y=_attr(off, "y"))
    etree.SubElement(box, f"{A}ext", cx=_attr(ext, "cx"), cy=_attr(ext, "cy"))
    geometry = etree.SubElement(sp_pr, f"{A}prstGeom", prst="rect")
    etree.SubElement(geometry, f"{A}avLst")
    etree.SubElement(sp_pr, f"{A}noFill")
    body = etree.SubElement(sp, f"{P}txBody")
    etree.SubElement(body, f"{A}bodyPr", wrap="square", anchor="ctr")
    etree.SubElement(body, f"{A}lstStyle")
    paragraph = etree.SubElement(body, f"{A}p")
    etree.SubElement(paragraph, f"{A}pPr", algn="ctr")
    run = etree.SubElement(paragraph, f"{A}r")
    props = etree.SubElement(run, f"{A}rPr", lang="en-US", sz="1400")
    fill = etree.SubElement(props, f"{A}solidFill")
    etree.SubElement(fill, f"{A}srgbClr", val=colour.lstrip("#").upper())
    if font:
        etree.SubElement(props, f"{A}latin", typeface=font)
    etree.SubElement(run, f"{A}t").text = clean_text(text)
    frame.addprevious(sp)
    frame.getparent().remove(frame)
    return sp


def _attr(element: Any, name: str) -> str:
    return element.get(name, "0") if element is not None else "0"


def default_size(presentation: Any) -> float:
    """The deck's default text size (presentation.xml `defaultTextStyle`), in points."""
    found = presentation.find(f"{P}defaultTextStyle/{A}lvl1pPr/{A}defRPr")
    if found is not None and found.get("sz"):
        return int(found.get("sz")) / 100
    return DEFAULT_TABLE_SIZE


# --- a named chart's axes and labels after new data ----------------------------------------

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
KEEP_SHARE = 0.1
"""A fixed axis maximum is kept while the data reaches at least this share of it."""


def fit_numbers(chart_space: Any) -> list[str]:
    """Keep a chart's design but not its sample data's settings, once the new data is in: a
    value axis fixed to a range its series do not fit (outside it, or under a tenth of it)
    is made automatic, bars start at zero, and an axis's or data labels' number format of
    another kind than its series' (a count format on shares) takes the series' format.
    Returns what changed."""
    changed = []
    axes = {axis.find(f"{C}axId").get("val"): axis for axis in chart_space.iter(f"{C}valAx")}
    on_axis: dict[str, list[tuple[list[float], str]]] = {}
    bars: set[str] = set()
    plot_area = chart_space.find(f"{C}chart/{C}plotArea")
    for plot in plot_area if plot_area is not None else []:
        series = [_series_numbers(ser) for ser in plot.findall(f"{C}ser")]
        stacked = any(g.get("val") == "stacked" for g in plot.findall(f"{C}grouping"))
        if stacked and series:
            totals = [sum(column) for column in zip(*(v for v, _ in series), strict=False)]
            series = [*series, (totals, series[0][1])]
        for ident in (a.get("val") for a in plot.findall(f"{C}axId")):
            if ident in axes:
                on_axis.setdefault(ident, []).extend(series)
                if plot.tag in (f"{C}barChart", f"{C}bar3DChart"):
                    bars.add(ident)
        for ser, (_, code) in zip(plot.findall(f"{C}ser"), series, strict=False):
            for element in ser.iter(f"{C}numFmt"):
                changed += _fit_format(element, code)
        if series:
            for labels in plot.findall(f"{C}dLbls"):
                for element in labels.findall(f"{C}numFmt"):
                    changed += _fit_format(element, series[0][1])
    for ident, series in on_axis.items():
        axis = axes[ident]
        numbers = [v for values, _ in series for v in values]
        if not numbers:
            continue
        if not _fits(axis, min(numbers), max(numbers)):
            scaling = axis.find(f"{C}scaling")
            for name in ("max", "min"):
                bound = scaling.find(f"{C}{name}") if scaling is not None else None
                if bound is not None:
                    scaling.remove(bound)
            for unit in ("majorUnit", "minorUnit"):
                found = axis.find(f"{C}{unit}")
                if found is not None:
                    axis.remove(found)
            changed.append("axis range")
        if ident in bars and min(numbers) >= 0:
            changed += _bars_from_zero(axis)
        codes = {code for _, code in series}
        element = axis.find(f"{C}numFmt")
        if element is not None and len(codes) == 1:
            changed += _fit_format(element, codes.pop())
        elif element is None and len(codes) == 1 and (code := codes.pop()) != "General":
            changed += _link_format(axis, code)
    return changed


def _bars_from_zero(axis: Any) -> list[str]:
    """A bar or column chart's value axis without a fixed minimum starts at zero. Left
    automatic, PowerPoint and LibreOffice start it near the shortest bar when the values are
    close (64% to 71%), and bars that do not start at zero make small differences look big."""
    scaling = axis.find(f"{C}scaling")
    if scaling is None:
        scaling = axis.makeelement(f"{C}scaling", {})
        axis.find(f"{C}axId").addnext(scaling)
    if scaling.find(f"{C}min") is not None or scaling.find(f"{C}logBase") is not None:
        return []
    bound = scaling.makeelement(f"{C}min", {"val": "0"})
    extension = scaling.find(f"{C}extLst")
    if extension is None:
        scaling.append(bound)
    else:
        extension.addprevious(bound)
    return ["bars from zero"]


AFTER_NUMFMT = ("majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx")
"""What follows an axis's numFmt in the schema's order (CT_ValAx)."""


def _link_format(axis: Any, code: str) -> list[str]:
    """An axis without a number format shows its data's format in PowerPoint but plain
    decimals in LibreOffice (0.1 for 10%): say 'linked to the data' with the data's format,
    which reads the same in PowerPoint and right in LibreOffice."""
    element = axis.makeelement(f"{C}numFmt", {"formatCode": code, "sourceLinked": "1"})
    follower = next(
        (child for child in axis if child.tag in {f"{C}{n}" for n in AFTER_NUMFMT}), None
    )
    if follower is None:
        axis.append(element)
    else:
        follower.addprevious(element)
    return ["axis number format linked"]


def _series_numbers(ser: Any) -> tuple[list[float], str]:
    cache = ser.find(f"{C}val/{C}numRef/{C}numCache")
    if cache is None:
        return [], "General"
    code = cache.findtext(f"{C}formatCode") or "General"
    values = [float(v.text) for v in cache.iter(f"{C}v") if v.text not in (None, "")]
    return values, code


def _fits(axis: Any, low: float, high: float) -> bool:
    scaling = axis.find(f"{C}scaling")
    top = scaling.find(f"{C}max") if scaling is not None else None
    bottom = scaling.find(f"{C}min") if scaling is not None else None
    if top is not None:
        ceiling = float(top.get("val"))
        if high > ceiling or abs(high) < KEEP_SHARE * abs(ceiling):
            return False
    return bottom is None or low >= float(bottom.get("val"))


def _fit_format(element: Any, code: str) -> list[str]:
    """An explicit number format of another kind than the data's gives way to the data's."""
    if element.get("sourceLinked") in ("1", "true"):
        return []
    current = element.get("formatCode", "General")
    percent = "%" in code
    if ("%" in current) == percent and not (percent and current == "General"):
        return []
    element.set("formatCode", code)
    return ["number format"]
