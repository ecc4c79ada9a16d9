"""A newcomer's first hour, as docs/getting-started.md tells it: every command on the page is
run in a fresh folder with only the installed package, and its output compared with what the
page shows. A change to a message, a count or a path fails here until the page says it too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PAGE = ROOT / "docs" / "getting-started.md"
FENCE = re.compile(r'^```(\w+)(?: title="([^"]*)")?\n(.*?)^```$', re.MULTILINE | re.DOTALL)
CHANGE = " (change one line)"
NOT_QBRGEN = ("python3 -m venv ", "pip install ")
"""Setup commands the page shows and the test stands in for (qbrgen is installed already)."""


def steps() -> list[tuple[str, str | None, str]]:
    """The page's code blocks in order: (language, title, text)."""
    return [(m.group(1), m.group(2), m.group(3)) for m in FENCE.finditer(PAGE.read_text("utf-8"))]


def qbrgen(args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `qbrgen`, piped and 80 columns wide, as a person's terminal log would be."""
    import shlex

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FORCE_COLOR")}
    env.update(COLUMNS="80", NO_COLOR="1")
    return subprocess.run(
        [str(Path(sys.executable).parent / "qbrgen"), *shlex.split(args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )


def assert_shows(command: str, expected: list[str], actual: str) -> None:
    """Every line the page shows appears in the output, in order ('…' stands for any lines)."""
    lines = [line.rstrip() for line in actual.splitlines()]
    at = 0
    for want in (line.rstrip() for line in expected):
        if want in ("…", ""):
            continue
        try:
            at = lines.index(want, at) + 1
        except ValueError:
            raise AssertionError(
                f"`{command}`: the page shows\n  {want}\nbut the output (from line {at + 1}) "
                f"is:\n{actual}"
            ) from None


def change_line(path: Path, new: str) -> None:
    """Replace the line holding the same key (commented out or not) with `new`."""
    key = new.split(":", 1)[0].strip()
    lines = path.read_text("utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.lstrip("# ").startswith(f"{key}:"):
            lines[i] = new + "\n"
            path.write_text("".join(lines), "utf-8")
            return
    raise AssertionError(f"{path.name} has no line for '{key}' to change")


def test_the_first_hour_as_the_page_tells_it(tmp_path: Path) -> None:
    cwd = tmp_path
    ran: list[str] = []
    for language, title, text in steps():
        if language == "yaml" and title:
            if title.endswith(CHANGE):
                for line in text.splitlines():
                    change_line(cwd / title.removesuffix(CHANGE), line)
            else:
                (cwd / title).write_text(text, "utf-8")
            continue
        if language != "console":
            continue
        blocks = re.split(r"^\$ ", text, flags=re.MULTILINE)[1:]
        for block in blocks:
            command, *expected = block.splitlines()
            if command.startswith("cd "):
                cwd = cwd / command[3:]
                assert cwd.is_dir(), command
            elif command.startswith("qbrgen "):
                result = qbrgen(command.removeprefix("qbrgen "), cwd)
                failing = any(re.search(r"; [1-9]\d* errors?$", line) for line in expected)
                assert result.returncode == (1 if failing else 0), (command, result.stdout)
                assert_shows(command, expected, result.stdout)
                ran.append(command.split()[1])
            else:
                assert command.startswith(NOT_QBRGEN), f"the test cannot run `{command}`"
    # The page walks the first hour: a workspace, an account, validate, a deck, a plan, a build.
    assert {"init", "validate", "kpis", "qbr", "plan", "build"} <= set(ran), ran
    assert ran.index("init") < ran.index("validate") < ran.index("qbr") < ran.index("build")

    ws = tmp_path / "acme-cs"
    from pptx import Presentation
    from pypdf import PdfReader

    deck = Presentation(str(ws / "output/fjordline-freight/Fjordline-Freight-QBR-2026-Q3.pptx"))
    cover = " ".join(
        shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame
    )
    assert "Fjordline Freight" in cover and "2026-Q3" in cover
    plan = PdfReader(ws / "output/fjordline-freight/Fjordline-Freight-account-plan-2026-Q3.pdf")
    assert "Fjordline Freight" in plan.pages[0].extract_text()
    for name in ("portfolio/scorecard-2026-Q3.xlsx", "portfolio/digest-2026-10-15.md"):
        assert (ws / "output" / name).stat().st_size > 0, name
    account = (ws / "accounts" / "fjordline-freight.yaml").read_text("utf-8")
    assert 'region: "NO"' in account  # the page's fix is what ends up in the file
