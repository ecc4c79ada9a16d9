"""Checks the system libraries qbrgen's renderers need and says what to install if missing.

Run by `make` after installing (`python -m qbrgen.system_check`).
"""

from __future__ import annotations

import ctypes.util
import shutil
import sys

PANGO_HINT = (
    "WeasyPrint (account plans, digests and kits as PDF) needs Pango >= 1.44: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu), "
    "dnf install pango (Fedora), brew install pango (macOS)"
)

HARFBUZZ_HINT = (
    "WeasyPrint subsets the fonts of every PDF with HarfBuzz-subset >= 4.1; without it, it "
    "falls back to fontTools, about 20% more CPU per PDF: "
    "apt-get install libharfbuzz-subset0 (Debian/Ubuntu), dnf install harfbuzz (Fedora), "
    "brew install harfbuzz (macOS)"
)


def harfbuzz_subset_problem() -> str | None:
    """Why WeasyPrint would subset fonts with fontTools on this machine (the library it looks
    for is missing or older than 4.1), or None when HarfBuzz-subset is there."""
    names = ("harfbuzz-subset", "harfbuzz-subset-0", "libharfbuzz-subset-0")
    if not any(ctypes.util.find_library(name) for name in names):
        return "libharfbuzz-subset not found"
    found = ctypes.util.find_library("harfbuzz")
    try:
        library = ctypes.CDLL(found or "libharfbuzz.so.0")
        at_least = library.hb_version_atleast
        at_least.restype = ctypes.c_int
        if not at_least(4, 1, 0):
            return "HarfBuzz older than 4.1"
    except (OSError, AttributeError):
        return "libharfbuzz not loadable"
    return None


def missing() -> list[str]:
    """Human-readable list of what is missing; empty when all is well."""
    problems = []
    if (
        ctypes.util.find_library("pango-1.0") is None
        and ctypes.util.find_library("libpango-1.0-0") is None
    ):
        problems.append(PANGO_HINT)
    harfbuzz = harfbuzz_subset_problem()
    if harfbuzz is not None:
        problems.append(f"{HARFBUZZ_HINT} ({harfbuzz})")
    return problems


def optional() -> list[str]:
    """Tools that only some tests and `look` use."""
    notes = []
    if shutil.which("soffice") is None:
        notes.append(
            "LibreOffice (soffice) not found: round-trip tests are skipped; apt-get install libreoffice-impress libreoffice-calc"
        )
    if not _has_font("Noto Color Emoji"):
        notes.append(
            "Noto Color Emoji not found: emoji in account text print as empty boxes in PDFs; "
            "apt-get install fonts-noto-color-emoji (dnf install google-noto-emoji-color-fonts, "
            "brew install --cask font-noto-color-emoji)"
        )
    if shutil.which("qpdf") is None:
        notes.append("qpdf not found: PDF structure checks are skipped; apt-get install qpdf")
    return notes


def _has_font(family: str) -> bool:
    """True when fontconfig knows `family` (no fc-list: assume it is there)."""
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    try:
        out = subprocess.run([fc_list, family], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(out.strip())


def main() -> int:
    problems = missing()
    for problem in problems:
        print(f"qbrgen: missing system library: {problem}", file=sys.stderr)
    for note in optional():
        print(f"qbrgen: note: {note}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
