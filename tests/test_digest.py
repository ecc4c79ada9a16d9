"""The weekly account review: pinned word for word on a four-account fixture book, every
warning type of the sample portfolio flagged, --owner narrowing, and a 1-2 page PDF.

Regenerate the golden file after an intended change with QBRGEN_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, require_tool, run_cli
from qbrgen.build import render_now
from qbrgen.render import Selection
from qbrgen.render.digest import LISTS, WARNING_LIST, build_digest, md
from qbrgen.run import open_run

FIXTURE = FIXTURES / "digest"
GOLDEN = FIXTURE / "expected.md"
TITLES = {code: title for code, title, _ in LISTS}


@pytest.fixture
def fixture_book(tmp_path: Path) -> Path:
    dest = tmp_path / "book"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("expected.md", "output"))
    return dest


def _section(markdown: str, title: str) -> str:
    """The text of one '### n. title (count)' section."""
    start = markdown.index(f". {title} (")
    end = markdown.find("\n### ", start)
    end = markdown.find("\n## ", start) if end == -1 else end
    return markdown[start:end]


def test_fixture_digest_says_exactly_this(fixture_book: Path) -> None:
    run = open_run(fixture_book)
    paths = render_now(run, "digest", Selection(run.accounts, {"pdf": False}))
    assert [p.name for p in paths] == [
        "digest-2026-10-15.md",
        "digest-2026-10-15-health-bands.svg",
        "digest-2026-10-15-renewals.svg",
    ]
    path = paths[0]
    text = path.read_text(encoding="utf-8")
    if os.environ.get("QBRGEN_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_fixture_verdicts_and_lists(fixture_book: Path) -> None:
    run = open_run(fixture_book)
    digest = build_digest(
        [a.account for a in run.accounts], run.report.accounts, run.report.as_of,
        str(run.report.quarter), "Fixture Analytics", None, run.formatter,
    )  # fmt: skip
    verdicts = {a.account_id: a.verdict for a in digest.accounts}
    assert verdicts == {
        "harbor": "moved",
        "slipstream": "slipped",
        "stallwood": "stalled",
        "quiet": "stalled",
    }
    harbor = next(a for a in digest.accounts if a.account_id == "harbor")
    assert harbor.directions == ["reduced risk", "increased value", "clarified next step"]
    # most urgent first: the renewal at risk, then the red expansion, then the rest
    assert [a.account_id for a in digest.accounts] == ["harbor", "slipstream", "stallwood", "quiet"]
    on = {lst.code: [i.account_id for i in lst.items] for lst in digest.lists}
    assert on == {
        "renewal_at_risk": ["harbor"],
        "escalation_past_target": ["harbor"],
        "expansion_without_health": ["slipstream"],
        "single_threaded_near_renewal": ["stallwood"],
        "next_step": ["stallwood", "slipstream"],
        "utilisation_above_seats": [],
        "risk_ageing": ["stallwood"],
        "stale_record": ["stallwood"],
        "renewal_hides_contraction": ["slipstream"],
    }


def test_owner_narrows_to_one_book(fixture_book: Path) -> None:
    result = run_cli(
        "digest", "--owner", "ben ode", "--no-pdf", "-w", str(fixture_book), check=True
    )
    path = fixture_book / "output" / "portfolio" / "digest-2026-10-15-ben-ode.md"
    assert result.stdout.split()[0] == "output/portfolio/digest-2026-10-15-ben-ode.md"
    assert "output/portfolio/digest-2026-10-15-ben-ode-renewals.svg" in result.stdout.split()
    text = path.read_text(encoding="utf-8")
    assert "Ben Ode's book · 2 accounts" in text
    assert "Slipstream Inc" in text and "Quiet Harbour Foods" in text
    assert "Stallwood" not in text and "Harbor" not in text.replace("Quiet Harbour", "")
    bad = run_cli("digest", "--owner", "Nobody", "-w", str(fixture_book))
    assert bad.returncode == 2 and "owners are: Ana Ruiz, Ben Ode" in bad.stderr


def test_markdown_escapes_account_text() -> None:
    assert md("[x](http://evil) *bold* | <b>") == r"\[x\](http://evil) \*bold\* \| \<b\>"
    assert md("two\nlines") == "two lines"


def test_sample_digest_flags_every_warning_type(sample_workspace: Path) -> None:
    result = run_cli("digest", "-w", str(sample_workspace), check=True)
    run = open_run(sample_workspace)
    as_of = run.report.as_of.isoformat()
    md_path = sample_workspace / "output" / "portfolio" / f"digest-{as_of}.md"
    pdf_path = md_path.with_suffix(".pdf")
    assert result.stdout.split() == [
        f"output/portfolio/digest-{as_of}.md",
        f"output/portfolio/digest-{as_of}.pdf",
        f"output/portfolio/digest-{as_of}-health-bands.svg",
        f"output/portfolio/digest-{as_of}-renewals.svg",
    ]
    text = md_path.read_text(encoding="utf-8")
    warnings = run.report.portfolio.warnings
    assert warnings, "the sample portfolio should raise warnings"
    for warning in warnings:
        section = _section(text, TITLES[WARNING_LIST[warning.code]])
        name = md(run.report.accounts[warning.account_id].name)
        assert f"**{name}**" in section, (warning.code, name)
        assert md(warning.message) in section, warning.code
    past_target = [
        (k.name, e["subject"])
        for k in run.report.accounts.values()
        for e in k.open_escalations
        if e["past_target"]
    ]
    for name, subject in past_target:
        assert subject in _section(text, TITLES["escalation_past_target"])
    for account in run.accounts:
        assert f"**{md(account.account.name)}** · " in text  # one line per account
    pages = PdfReader(pdf_path).pages
    assert 1 <= len(pages) <= 2
    pdf_text = " ".join(page.extract_text() for page in pages)
    assert "Weekly account review" in pdf_text and "Needs action first" in pdf_text
    qpdf = require_tool("qpdf")
    check = subprocess.run([qpdf, "--check", str(pdf_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    from pdf_checks import assert_clean_pdf

    assert_clean_pdf(pdf_path)
    # an "as of" line at the top, the two pictures in the PDF and linked from the Markdown
    assert pdf_text.lstrip().startswith("Weekly account review") and "As of " in pdf_text[:200]
    assert "Active accounts per health band" in pdf_text and "ARR renewing per week" in pdf_text
    markdown = md_path.read_text(encoding="utf-8")
    for name in ("health-bands", "renewals"):
        svg = md_path.with_name(f"digest-{as_of}-{name}.svg")
        assert f"]({svg.name})" in markdown
        assert svg.read_text(encoding="utf-8").startswith("<?xml")


def test_golden_file_is_committed() -> None:
    assert GOLDEN.is_file(), "run with QBRGEN_REGEN_GOLDEN=1 once to create it"
    assert ROOT.joinpath("tests", "fixtures", "digest", "accounts").is_dir()
