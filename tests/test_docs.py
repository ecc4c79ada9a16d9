"""The documentation: generated pages match the code, every link resolves inside the
repository, and the site builds in strict mode (no warning, no broken link or anchor)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from qbrgen.docs_pages import PAGES

DOCS = ROOT / "docs"
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_page_matches_the_code(name: str) -> None:
    committed = (DOCS / name).read_text("utf-8")
    assert committed == PAGES[name](), (
        f"docs/{name} is out of date: run `make docs-pages` and commit it"
    )


def test_kpi_reference_explains_every_kpi_component_and_warning() -> None:
    from qbrgen.kpis.definitions import DEFINITIONS, HEALTH_COMPONENT_DEFINITIONS, WARNING_LABELS

    page = (DOCS / "kpis.md").read_text("utf-8")
    for item in DEFINITIONS:
        assert f"### {item.label}\n\n{item.definition}\n\nKey `{item.key}`" in page, item.key
    for name, text in HEALTH_COMPONENT_DEFINITIONS.items():
        assert f"| {name} |" in page and text in page, name
    for code, label in WARNING_LABELS.items():
        assert f"| `{code}` | {label} |" in page, code
    for section in ("Periods", "Revenue", "Renewals", "Growth", "Lifetime value"):
        assert f"\n## {section}\n" in page, section
    for section in ("Engagement", "Health and risk", "Display", "Warnings"):
        assert f"\n## {section}\n" in page, section


def test_kpis_definitions_prints_the_reference() -> None:
    result = run_cli("kpis", "--definitions")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (DOCS / "kpis.md").read_text("utf-8")


def links(path: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text("utf-8"), flags=re.MULTILINE | re.DOTALL)
    return [target for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name
)
def test_every_link_resolves_inside_the_repository(page: Path) -> None:
    """README may link anywhere in the repository; a docs page only to other docs pages
    (the site is built from docs/ alone). No link leaves the repository."""
    inside = ROOT if page.name == "README.md" else DOCS
    for target in links(page):
        path = target.split("#", 1)[0]
        if not path:
            continue
        resolved = (page.parent / path).resolve()
        assert resolved.exists(), f"{page.name}: broken link {target}"
        real = (page.parent / path).absolute()
        assert str(os.path.normpath(real)).startswith(str(inside)), (
            f"{page.name}: {target} points outside {inside.relative_to(ROOT.parent)}"
        )


def test_docs_send_nobody_to_the_source_tree() -> None:
    """A user who installed the wheel has no src/ folder: the docs use `templates --copy`."""
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = page.read_text("utf-8")
        assert "src/qbrgen/templates" not in text, page.name
        assert "../shared" not in text and "/work/" not in text, page.name


def test_site_builds_in_strict_mode(tmp_path: Path) -> None:
    """`make docs` in short: any MkDocs warning (a page outside the navigation, a broken link
    or anchor, a missing README snippet) fails the strict build."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    built = (tmp_path / "account-files" / "index.html").read_text("utf-8")
    assert "Reports every problem in every file" in built  # the README's section, included
    assert (tmp_path / "building" / "index.html").read_text("utf-8").count("Never half-written")
