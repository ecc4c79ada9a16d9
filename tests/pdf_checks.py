"""PDF checks every generated PDF must pass: qpdf's structure check, every font embedded
(pdffonts), and no .notdef glyph (a character no font could draw: a box on screen, and not
PDF/A). Shared by the plan, digest and kit tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from conftest import require_tool

_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")
_CIDRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)")


def qpdf_errors(path: Path) -> str:
    """'' when `qpdf --check` passes, else its report."""
    qpdf = require_tool("qpdf")
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def fonts_not_embedded(path: Path) -> list[str]:
    """Names of the fonts `pdffonts` lists as not embedded."""
    pdffonts = require_tool("pdffonts")
    out = subprocess.run(
        [pdffonts, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    missing = []
    for line in out[2:]:
        fields = line.split()
        # name type... encoding emb sub uni object ID: 'emb' is the 5th field from the end
        if len(fields) >= 6 and fields[-5] != "yes":
            missing.append(fields[0])
    return missing


def notdef_glyphs(path: Path) -> list[str]:
    """Every (font, code) of the PDF's text that draws glyph 0 (.notdef).

    WeasyPrint writes each font with an encoding CMap holding exactly the codes the text uses,
    each mapped to a glyph (CID = GID, CIDToGIDMap Identity); a character no font has is
    mapped to CID 0. Fonts with Identity-H have their text scanned for code 0 instead."""
    reader = PdfReader(path)
    found: list[str] = []
    seen: set[int] = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {}) or {}
        for name, ref in fonts.items():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            encoding = font.get("/Encoding")
            if encoding is None or not hasattr(encoding, "get_object"):
                continue
            encoding = encoding.get_object()
            if not hasattr(encoding, "get_data"):
                continue  # a named encoding (Identity-H): scanned below
            data = encoding.get_data()
            for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
                for code, cid in _CIDCHAR.findall(block):
                    if int(cid) == 0:
                        found.append(f"{font.get('/BaseFont')} code {code.decode()}")
            for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
                for low, _high, cid in _CIDRANGE.findall(block):
                    if int(cid) == 0:
                        found.append(f"{font.get('/BaseFont')} code {low.decode()}")
        found += _identity_zero_codes(reader, page)
    return found


def _identity_zero_codes(reader: PdfReader, page: object) -> list[str]:
    from pypdf.generic import ContentStream

    fonts = page.get("/Resources", {}).get("/Font", {}) or {}  # type: ignore[attr-defined]
    identity = {
        name for name, ref in fonts.items() if ref.get_object().get("/Encoding") == "/Identity-H"
    }
    if not identity:
        return []
    out = []
    current = None
    for operands, op in ContentStream(page.get_contents(), reader).operations:  # type: ignore[attr-defined]
        if op == b"Tf":
            current = operands[0]
        elif op in (b"Tj", b"TJ") and current in identity:
            items = operands[0] if op == b"TJ" else [operands[0]]
            for item in items:
                raw = getattr(item, "original_bytes", None)
                if raw and any(raw[i] == raw[i + 1] == 0 for i in range(0, len(raw) - 1, 2)):
                    out.append(f"{current} code 0000")
    return out


def assert_clean_pdf(path: Path) -> None:
    """qpdf passes, every font is embedded, no .notdef glyph."""
    errors = qpdf_errors(path)
    assert not errors, f"qpdf --check {path.name}:\n{errors}"
    assert not fonts_not_embedded(path), (path.name, fonts_not_embedded(path))
    assert not notdef_glyphs(path), (path.name, notdef_glyphs(path))
