"""The presenter's prep brief: an internal PDF beside each deck, built by `qbrgen qbr` and by
`qbrgen build` (tracked by the manifest like every document)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

from conftest import FIXTURES, ROOT, require_tool, run_cli

DECK_WS = FIXTURES / "deck" / "ws"


def _text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_build_makes_a_brief_per_presented_account_and_tracks_it(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(DECK_WS, ws)
    first = run_cli("build", "--only", "qbr,brief", "--json", "-j", "1", "-w", str(ws))
    assert first.returncode == 0, first.stdout + first.stderr
    summary = json.loads(first.stdout)
    assert summary["counts"]["brief"]["built"] == 3 and summary["counts"]["qbr"]["built"] == 3
    manifest = json.loads((ws / "output" / "manifest.json").read_text())
    rel = "acme/Acme-Logistics-QBR-prep-brief-2026-Q3.pdf"
    assert manifest["files"][rel]["renderer"] == "brief"
    assert "templates:deck" in manifest["files"][rel]["inputs"]  # the deck template's notes
    again = json.loads(run_cli("build", "--only", "brief", "--json", "-w", str(ws)).stdout)
    assert again["counts"]["brief"] == {"built": 0, "unchanged": 3, "failed": 0, "kept": 0}
    # changing the deck template rebuilds the briefs (their talking points come from it)
    (ws / "templates" / "deck").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "deck" / "qbr.yaml", ws / "templates" / "deck" / "qbr.yaml")
    with open(ws / "templates" / "deck" / "qbr.yaml", "a") as handle:
        handle.write("\n")
    third = json.loads(run_cli("build", "--only", "brief", "--json", "-w", str(ws)).stdout)
    assert third["counts"]["brief"]["built"] == 3


def test_brief_holds_what_the_deck_must_not(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(DECK_WS, ws)
    result = run_cli("qbr", "acme", "borealis", "-w", str(ws), check=True)
    briefs = [ws / line for line in result.stdout.split() if line.endswith(".pdf")]
    assert len(briefs) == 2
    acme = re.sub(r"\s+", " ", _text(briefs[0]))
    assert "INTERNAL · FOR THE PRESENTER ONLY" in acme.upper()
    assert "Champion may leave after the reorganisation" in acme  # internal risk
    assert "Prepare the renewal discount options" in acme  # internal action
    assert "Remember {{ account.name }}" in acme  # account notes, literal
    assert "Health" in acme and "Biggest drag" in acme
    assert "Ask for the decision: Go ahead with the Nordics pilot?" in acme
    red = re.sub(r"\s+", " ", _text(briefs[1]))
    assert "Do not propose expansion (Forecasting add-on): health is red" in red
    assert "held back: health red" in red
    assert "Stale record" in red or "not updated" in red  # the warnings
    for path in briefs:
        assert 2 <= len(PdfReader(str(path)).pages) <= 3


def test_every_sample_brief_is_two_or_three_pages_and_valid(sample_workspace: Path) -> None:
    qpdf = require_tool("qpdf")
    result = run_cli("qbr", "-w", str(sample_workspace), check=True)
    briefs = [sample_workspace / line for line in result.stdout.split() if line.endswith(".pdf")]
    assert len(briefs) == len(list((ROOT / "accounts").glob("*.yaml"))) - 1  # one churned
    for path in briefs:
        assert 2 <= len(PdfReader(str(path)).pages) <= 3, path.name
        check = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
