"""Text measurement for every script: fonts in .ttc collections are read (Noto CJK, the macOS
system fonts), and Japanese, Chinese and Korean text the brand font lacks is measured with
the CJK font that draws it, not guessed."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from qbrgen.render._pptx_text import (
    CJK_FALLBACK,
    Box,
    Para,
    font_file,
    line_height,
    metrics,
    text_height,
    wrap,
)

JAPANESE = "四半期ビジネスレビューへようこそ。本日の議題をご確認ください"


def test_a_face_of_a_font_collection_is_read() -> None:
    found = font_file(CJK_FALLBACK)
    assert found is not None, "fonts-noto-cjk is not installed (.ci/run installs it)"
    path, index = found
    assert path.suffix == ".ttc"
    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        assert font["name"].getDebugName(1).startswith(CJK_FALLBACK)
        advance = font["hmtx"][font.getBestCmap()[ord("会")]][0] / font["head"].unitsPerEm
    face = metrics(CJK_FALLBACK, fallback=None)
    assert face.path == path and face.index == index
    assert face.has("会") and face.width("会") == advance
    bold = font_file(CJK_FALLBACK, bold=True)
    assert bold is not None and bold[0] != path


def test_cjk_text_is_measured_with_the_font_that_draws_it() -> None:
    body = metrics("DejaVu Sans")
    cjk = metrics(CJK_FALLBACK, fallback=None)
    assert not body.has("会") and body.fallback is not None
    assert body.width("会") == cjk.width("会") == 1.0  # the font's advance, not a guess
    assert body.width("、") == cjk.width("、")
    assert body.width("A") != cjk.width("A")  # Latin stays DejaVu's
    assert line_height(body, 10, JAPANESE) == 10 * cjk.line_factor
    assert cjk.line_factor > body.line_factor
    guessed = metrics("DejaVu Sans", fallback=None)
    assert guessed.width("会") == 1.05  # without a CJK font: the generous guess


def test_japanese_wraps_between_characters_at_the_measured_width() -> None:
    body = metrics("DejaVu Sans")
    lines = wrap(JAPANESE, body, 10, 100)
    assert "".join(lines) == JAPANESE
    assert all(body.text_width(line, 10) <= 95 for line in lines)
    assert max(len(line) for line in lines) == 9  # 95 pt of 10 pt characters
    box = Box(width=100, height=1000, indent=0)
    height = text_height([Para(JAPANESE, bullet=False)], box, "DejaVu Sans", 10)
    assert height == len(lines) * 10 * metrics(CJK_FALLBACK, fallback=None).line_factor
