"""Text measuring and fitting for the deck: real font metrics (fontTools), wrapping, ellipsis.

python-pptx's auto-size only sets a flag that PowerPoint applies when the file is opened, so
the deck measures its own text: each character's advance width comes from the font file that
will draw it (the font `fc-match` resolves, as LibreOffice does; a .ttf, .otf or a face of a
.ttc/.otc collection such as Noto CJK or the macOS system fonts), lines wrap at word
boundaries (or between characters for scripts without spaces), and what still does not fit
is shortened with an ellipsis. Chinese, Japanese and Korean characters the font lacks are
measured with the CJK fallback font that draws them (`CJK_FALLBACK`, the deck names it as the
runs' East Asian font), lines holding them as tall as that font's; characters no font here
has (emoji) get a generous width and taller lines, so the estimate errs on the side of too
big, never too small.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ELLIPSIS = "…"
WRAP_SAFETY = 0.95
"""Wrap at 95% of the box width: renderers differ a little in kerning and rounding."""
LINE_FACTOR = 1.2
"""Line height as a multiple of the font size, for single line spacing."""
FALLBACK_LINE_FACTOR = 1.45
"""Taller lines where a fallback font (CJK, emoji) draws some characters."""
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CJK_FALLBACK = "Noto Sans CJK JP"
"""The font that draws Chinese, Japanese and Korean text the brand fonts lack (fonts-noto-cjk;
the default of `branding.fonts.cjk`)."""
FONT_FILES = (".ttf", ".otf", ".ttc", ".otc")


class FontMetrics:
    """Advance widths of one font (a file, or one face of a collection), in em, per character
    (cached); characters it lacks come from `fallback` when that font has them."""

    def __init__(
        self, path: Path | None, index: int = 0, fallback: FontMetrics | None = None
    ) -> None:
        self.path = path
        self.index = index
        self.fallback = fallback
        self._widths: dict[str, float] = {}
        self._text_widths: dict[str, float] = {}
        self._fallback: dict[str, bool] = {}
        self._cmap: dict[int, str] = {}
        self._advances: dict[str, int] = {}
        self._upm = 1000
        self.line_factor = LINE_FACTOR
        if path is not None:
            from fontTools.ttLib import TTFont

            # fontNumber picks the face of a .ttc/.otc collection (fontTools' TTCollection).
            font = TTFont(str(path), lazy=True, fontNumber=index)
            self._cmap = font.getBestCmap() or {}
            self._upm = font["head"].unitsPerEm
            self._advances = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}
            hhea = font["hhea"]
            natural = (hhea.ascent - hhea.descent + hhea.lineGap) / self._upm
            self.line_factor = max(LINE_FACTOR, natural * 1.03)
            font.close()
        self.fallback_line_factor = (
            max(self.line_factor, fallback.line_factor) if fallback else FALLBACK_LINE_FACTOR
        )

    @property
    def key(self) -> tuple[object, ...]:
        """What the widths depend on: this face and its fallback's."""
        return (self.path, self.index, self.fallback.key if self.fallback else None)

    def has(self, char: str) -> bool:
        return ord(char) in self._cmap

    def width(self, char: str) -> float:
        """Advance width of `char` in em; a wide default for characters the font lacks."""
        cached = self._widths.get(char)
        if cached is not None:
            return cached
        glyph = self._cmap.get(ord(char))
        if glyph is not None and glyph in self._advances:
            value = self._advances[glyph] / self._upm
        elif self.fallback is not None and self.fallback.has(char):
            value = self.fallback.width(char)
        else:
            value = missing_width(char)
        self._widths[char] = value
        return value

    def text_width(self, text: str, size: float) -> float:
        """Width of `text` in points at font size `size`."""
        em = self._text_widths.get(text)
        if em is None:
            em = sum(self.width(c) for c in text)
            if len(self._text_widths) < 50_000:
                self._text_widths[text] = em
        return em * size

    def needs_fallback(self, text: str) -> bool:
        found = self._fallback.get(text)
        if found is None:
            found = any(not self.has(c) for c in text if not c.isspace())
            if len(self._fallback) < 50_000:
                self._fallback[text] = found
        return found


def missing_width(char: str) -> float:
    """A deliberately generous width (em) for a character the font has no glyph for."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if ord(char) >= 0x1F000 or unicodedata.category(char) == "So":
        return 1.3  # emoji and pictographs
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.05
    return 0.75


@lru_cache(maxsize=32)
def font_file(family: str, bold: bool = False) -> tuple[Path, int] | None:
    """The font file and face index that render `family` here (fc-match, like LibreOffice;
    collections included), else DejaVu Sans."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        pattern = f"{family}:bold" if bold else family
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}|%{index}", pattern],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        file, _, index = found.rpartition("|")
        if file.lower().endswith(FONT_FILES) and Path(file).is_file():
            return Path(file), int(index) if index.isdigit() else 0
    default = DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return (default, 0) if default.is_file() else None


@lru_cache(maxsize=32)
def metrics(family: str, bold: bool = False, fallback: str | None = CJK_FALLBACK) -> FontMetrics:
    """Cached metrics of a font family (regular or bold), with the CJK `fallback` font's for
    the characters it lacks."""
    backup = None
    if fallback and fallback != family:
        backup = metrics(fallback, bold, None)
        if backup.path is None or not backup.has("\u3042"):  # no CJK font installed: guess
            backup = None
    found = font_file(family, bold)
    return FontMetrics(found[0], found[1], backup) if found else FontMetrics(None, 0, backup)


def line_height(font: FontMetrics, size: float, text: str = "") -> float:
    """Height of one line in points: taller when fallback fonts draw part of it."""
    factor = font.fallback_line_factor if text and font.needs_fallback(text) else font.line_factor
    return size * factor


def _tokens(text: str) -> list[str]:
    """Split into breakable pieces: words with their trailing space; text in a script without
    spaces (Japanese) into its phrases (BudouX), so a line never breaks inside a word
    ('ありがとう|ございました', not 'ありがとうござ|いました'); a phrase wider than the line is
    still broken between characters by `_wrap`."""
    if text.isascii() or not any(unicodedata.east_asian_width(c) in ("W", "F") for c in text):
        return _words(text)
    phrases: list[str] = []
    for phrase in _phrase_parser().parse(text):
        if phrases and _narrow(phrases[-1][-1]) and _narrow(phrase[0]):
            phrases[-1] += phrase  # never inside a number or a Latin word ('2026年')
        else:
            phrases.append(phrase)
    return [word for phrase in phrases for word in _words(phrase)]


def _narrow(char: str) -> bool:
    return char != " " and unicodedata.east_asian_width(char) not in ("W", "F")


def _words(text: str) -> list[str]:
    """Words with their trailing space."""
    out: list[str] = []
    current = ""
    for char in text:
        current += char
        if char == " ":
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


@lru_cache(maxsize=1)
def _phrase_parser() -> Any:
    """BudouX's Japanese phrase model (loaded on the first CJK text: 25 ms). Chosen because
    Japanese has no spaces and breaks between any two characters split words; BudouX is a
    small pure-Python model (Apache-2.0, no dependencies) that finds the phrase boundaries
    typesetters break at, as Chrome does for `word-break: auto-phrase`."""
    import budoux

    return budoux.load_default_japanese_parser()


_WRAPPED: dict[tuple[tuple[object, ...], str, float, float], list[str]] = {}


def wrap(text: str, font: FontMetrics, size: float, width: float) -> list[str]:
    """Lines of `text` (which may hold newlines) wrapped to `width` points at `size`
    (remembered: fitting tries the same text at the same sizes many times)."""
    key = (font.key, text, size, width)
    lines = _WRAPPED.get(key)
    if lines is None:
        lines = _wrap(text, font, size, width)
        if len(_WRAPPED) > 200_000:
            _WRAPPED.clear()
        _WRAPPED[key] = lines
    return lines


def _wrap(text: str, font: FontMetrics, size: float, width: float) -> list[str]:
    limit = width * WRAP_SAFETY
    lines: list[str] = []
    for raw in text.split("\n") or [""]:
        line = ""
        line_width = 0.0
        for token in _tokens(raw):
            token_width = font.text_width(token, size)
            if line and line_width + font.text_width(token.rstrip(" "), size) > limit:
                lines.append(line.rstrip(" "))
                line, line_width = "", 0.0
                token = token.lstrip(" ")
                token_width = font.text_width(token, size)
            if token_width > limit and not line:
                # A single word longer than the line: break it between characters.
                for char in token:
                    char_width = font.width(char) * size
                    if line and line_width + char_width > limit:
                        lines.append(line)
                        line, line_width = "", 0.0
                    line += char
                    line_width += char_width
                continue
            line += token
            line_width += token_width
        lines.append(line.rstrip(" "))
    return lines


def ellipsize(text: str, font: FontMetrics, size: float, width: float) -> str:
    """`text` on one line, cut with an ellipsis when it is wider than `width` points."""
    limit = width * WRAP_SAFETY
    text = " ".join(text.split())
    if font.text_width(text, size) <= limit:
        return text
    budget = limit - font.width(ELLIPSIS) * size
    out = ""
    used = 0.0
    for char in text:
        used += font.width(char) * size
        if used > budget:
            break
        out += char
    return out.rstrip(" ,;:.-–—") + ELLIPSIS


@dataclass
class Para:
    """A paragraph to fit: its text, bullet level, whether it is bold, its size relative to the
    frame's size (a kicker above a headline is smaller) and its own colour, if any."""

    text: str
    level: int = 0
    bullet: bool = True
    bold: bool = False
    scale: float = 1.0
    colour: str | None = None


@dataclass
class FitResult:
    """What fitting decided: the font size and the (possibly shortened) paragraphs."""

    size: float
    paragraphs: list[Para]
    height: float
    shortened: bool = False
    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Box:
    """The inside of a text frame in points, and how the paragraphs are indented."""

    width: float
    height: float
    indent: float = 18.0
    """Left margin of a level-0 bullet paragraph (each level adds the same again)."""
    space_before: float = 0.35
    """Space before each paragraph after the first, as a multiple of the font size."""


def para_lines(para: Para, box: Box, font: FontMetrics, size: float) -> list[str]:
    indent = box.indent * (para.level + 1) if para.bullet else box.indent * para.level
    size = size * para.scale
    return wrap(para.text, font, size, max(box.width - indent, size))


def text_height(paras: list[Para], box: Box, family: str, size: float) -> float:
    """Height in points the paragraphs take in `box` at `size` (as drawn: wrapped lines,
    paragraph spacing, taller lines for fallback glyphs)."""
    total = 0.0
    for index, para in enumerate(paras):
        font = metrics(family, para.bold)
        if index:
            total += box.space_before * size * para.scale
        for line in para_lines(para, box, font, size):
            total += line_height(font, size * para.scale, line)
    return total


def fit(
    paras: list[Para],
    box: Box,
    family: str,
    max_size: float,
    min_size: float,
    max_lines: int | None = None,
) -> FitResult:
    """Fit paragraphs into `box`, trying in turn:

    1. the largest size from `max_size` down to `min_size` at which every paragraph fits
       whole within `max_lines` lines each (a preference: fewer, bigger lines);
    2. the largest size at which every paragraph fits whole, on as many lines as it needs:
       text wraps before it is ever shortened;
    3. only when not even `min_size` holds it all: at `min_size`, the paragraph that
       overflows is cut with an ellipsis and the ones after it are dropped.

    Text cut or dropped is returned in `dropped`, so the caller can give it in full in the
    speaker notes."""
    sizes = _sizes(max_size, min_size)
    whole: float | None = None
    for size in sizes:
        if text_height(paras, box, family, size) > box.height:
            continue
        if whole is None:
            whole = size
        if max_lines is None or all(
            len(para_lines(p, box, metrics(family, p.bold), size)) <= max_lines for p in paras
        ):
            return FitResult(size, paras, text_height(paras, box, family, size))
    if whole is not None:
        return FitResult(whole, paras, text_height(paras, box, family, whole))
    return _shorten(paras, box, family, min_size, None)


def _sizes(max_size: float, min_size: float) -> list[float]:
    sizes = []
    size = max_size
    while size >= min_size:
        sizes.append(size)
        size -= 1
    return sizes or [min_size]


def _clip(para: Para, box: Box, family: str, size: float, cap: int, room: float = 1e9) -> Para:
    """`para` cut to at most `cap` lines (and `room` points), ending in an ellipsis; the
    paragraph itself when it already fits; an empty paragraph when not even one line fits."""
    font = metrics(family, para.bold)
    lines = para_lines(para, box, font, size)
    size = size * para.scale
    height = sum(line_height(font, size, line) for line in lines)
    if len(lines) <= cap and height <= room:
        return para
    indent = box.indent * (para.level + 1) if para.bullet else box.indent * para.level
    keep = min(cap, len(lines))
    while keep > 0:
        head = lines[:keep]
        # "word…" when that fits the line, else cut shorter: never a run of ellipses.
        last = ellipsize(
            head[-1].rstrip(" ,;:.-–—" + ELLIPSIS) + ELLIPSIS, font, size, box.width - indent
        )
        if not last.endswith(ELLIPSIS):
            last += ELLIPSIS
        short = Para(
            " ".join([*head[:-1], last]), para.level, para.bullet, para.bold, para.scale,
            para.colour,
        )  # fmt: skip
        short_lines = para_lines(short, box, font, size / para.scale)
        short_height = sum(line_height(font, size, line) for line in short_lines)
        if len(short_lines) <= keep and short_height <= room:
            return short
        keep -= 1
    return Para("", para.level, para.bullet, para.bold)


def _shorten(
    paras: list[Para], box: Box, family: str, size: float, max_lines: int | None
) -> FitResult:
    kept: list[Para] = []
    dropped: list[str] = []
    used = 0.0
    cap = max_lines or 10_000
    for index, para in enumerate(paras):
        gap = box.space_before * size if kept else 0.0
        room = box.height - used - gap
        short = _clip(para, box, family, size, cap, room)
        if short is para:
            kept.append(para)
            used += gap + text_height([para], box, family, size)
            continue
        if short.text:
            kept.append(short)
            used += gap + text_height([short], box, family, size)
        dropped.extend(p.text for p in paras[index:])
        break
    return FitResult(size, kept, used, shortened=True, dropped=dropped)
