"""A measured check over every sample deck: content slides use their content area (about 45%
or more covered, measured from the shapes read back), and no text is shortened anywhere —
text wraps, shrinks within limits or continues on the next slide instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from conftest import FIXTURES, ROOT, run_cli
from deck_measure import coverage, is_content, shortened, slide_id, slide_kind

MIN_COVERAGE = 0.45


def _measure(paths: list[Path]) -> tuple[list[str], list[str], int]:
    low, cut, counted = [], [], 0
    for path in paths:
        prs = Presentation(str(path))
        for number, slide in enumerate(prs.slides, start=1):
            where = f"{path.parent.name} slide {number} ({slide_id(slide)})"
            if shortened(slide):
                cut.append(f"{where}: {shortened(slide)[:2]}")
            if is_content(slide):
                counted += 1
                share = coverage(slide, prs)
                if share < MIN_COVERAGE:
                    low.append(f"{where}: {share:.0%} covered")
            else:
                assert slide_kind(slide) in ("cover", "section")
    return low, cut, counted


@pytest.fixture(scope="module")
def sample_decks(tmp_path_factory) -> list[Path]:

    ws = tmp_path_factory.mktemp("samples") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    result = run_cli("qbr", "--no-brief", "-w", str(ws), check=True)
    return [ws / line for line in result.stdout.split()]


def test_every_sample_deck_fills_its_content_slides(sample_decks) -> None:
    assert len(sample_decks) == len(list((ROOT / "accounts").glob("*.yaml"))) - 1  # one churned
    low, cut, counted = _measure(sample_decks)
    assert counted > 100
    assert low == []
    assert cut == []


def test_sample_decks_fill_a_real_company_template(sample_decks, tmp_path: Path) -> None:
    """The same check on the A4 Japanese template: a thin title band, a small body
    placeholder, its own footer line."""
    source = sample_decks[0].parent.parent.parent
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(source / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(source / "accounts", ws / "accounts")
    (ws / "templates").mkdir()
    shutil.copy(FIXTURES / "deck" / "templates" / "m3-a4-ja.pptx", ws / "templates")
    config = yaml.safe_load((ws / "qbrgen.yaml").read_text())
    config["deck"] = {"template": "m3-a4-ja.pptx"}
    (ws / "qbrgen.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    result = run_cli("qbr", "--no-brief", "-w", str(ws), check=True)
    low, cut, counted = _measure([ws / line for line in result.stdout.split()])
    assert counted > 100
    assert low == []
    assert cut == []
