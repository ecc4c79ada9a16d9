"""Audience by construction: the customer's QBR deck is built from a customer view in which
internal fields do not exist, whatever the deck template says; the presenter's prep brief
has all of them."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from conftest import FIXTURES, run_cli
from deck_measure import all_texts, notes_text
from qbrgen.errors import TemplateError
from qbrgen.render import Selection, load_renderers, render_env
from qbrgen.render.audience import (
    CUSTOMER_FIELDS,
    CUSTOMER_KPIS,
    INTERNAL_NAMES,
    CustomerView,
    customer_view,
)
from qbrgen.render.context import customer_context
from qbrgen.run import open_run

MARKER_WS = FIXTURES / "deck" / "marker"
MARKER = "INTERNAL-MARKER"
MARKERS = [
    "notes",
    "risk-title",
    "risk-mitigation",
    "opportunity",
    "opportunity-rationale",
    "held-opportunity",
    "held-rationale",
    "action",
    "review-notes",
    "renewal-notes",
    "movement-note",
    "interaction",
    "email",
    "respondent",
]
"""Every internal-only text field of accounts/marker.yaml holds INTERNAL-MARKER-<one of these>."""


@pytest.fixture(scope="module")
def marker_outputs(tmp_path_factory) -> tuple[Path, Path, str]:
    ws = tmp_path_factory.mktemp("marker") / "ws"
    shutil.copytree(MARKER_WS, ws)
    result = run_cli("qbr", "-w", str(ws), check=True)
    deck = ws / "output" / "marker" / "Marlow-Freight-QBR-2026-Q3.pptx"
    brief = ws / "output" / "marker" / "Marlow-Freight-QBR-prep-brief-2026-Q3.pdf"
    assert deck.is_file() and brief.is_file(), result.stdout
    return deck, brief, result.stdout


def test_the_fixture_marks_every_internal_field() -> None:
    text = (MARKER_WS / "accounts" / "marker.yaml").read_text()
    assert sorted(set(re.findall(r"INTERNAL-MARKER-([a-z-]+)", text))) == sorted(MARKERS)


def _zip_parts_with(data: bytes, needle: bytes, where: str = "") -> list[str]:
    """Every part of a zip package (and of the packages inside it: chart workbooks) whose
    bytes contain `needle`."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            blob = package.read(name)
            if blob[:2] == b"PK":
                found += _zip_parts_with(blob, needle, f"{where}{name}!")
            if needle in blob:
                found.append(where + name)
    return found


def test_customer_deck_holds_no_internal_marker(marker_outputs) -> None:
    deck, _, _ = marker_outputs
    prs = Presentation(str(deck))
    assert len(prs.slides) > 10
    for number, slide in enumerate(prs.slides, start=1):
        texts = all_texts(slide) + [notes_text(slide)]
        assert not [t for t in texts if MARKER in t], f"slide {number}"
        for shape in slide.shapes:
            if shape.has_chart:
                for series in shape.chart.plots[0].series:
                    assert MARKER not in series.name
    props = prs.core_properties
    for name in (
        "author", "category", "comments", "content_status", "identifier", "keywords",
        "language", "last_modified_by", "subject", "title", "version",
    ):  # fmt: skip
        assert MARKER not in (getattr(props, name) or ""), name
    # Every part of the package, chart workbooks included: nothing anywhere.
    assert _zip_parts_with(deck.read_bytes(), MARKER.encode()) == []
    with zipfile.ZipFile(deck) as package:
        assert not [n for n in package.namelist() if "comment" in n.lower()]


def test_customer_deck_speaks_no_internal_language(marker_outputs) -> None:
    deck, _, _ = marker_outputs
    prs = Presentation(str(deck))
    words = " ".join(t for s in prs.slides for t in all_texts(s) + [notes_text(s)]).lower()
    for internal in (
        "health", "detractor", "pipeline", "lifetime value", "single-threaded", "sentiment",
        "for the presenter", "warning", "churn", "expansion waits",
    ):  # fmt: skip
        assert internal not in words, internal
    # the shared records are there
    assert "route exports fail for long routes" in words
    assert "ship the route export fix" in words


def test_prep_brief_holds_every_marker(marker_outputs) -> None:
    from pypdf import PdfReader

    _, brief, _ = marker_outputs
    pages = PdfReader(str(brief)).pages
    assert 2 <= len(pages) <= 3
    text = re.sub(r"\s+", "", " ".join(page.extract_text() for page in pages))
    missing = [m for m in MARKERS if f"{MARKER}-{m}" not in text]
    assert missing == []
    for heading in ("Whattoask", "Whattoavoid", "Whoisintheroom", "Everyrisk", "Talkingpoints"):
        assert heading in text, heading


# --- the customer view ------------------------------------------------------------------------


def _customer_ctx(ws: Path = MARKER_WS) -> dict:
    run = open_run(ws)
    renderer = load_renderers(["qbr"])["qbr"]
    (job,) = renderer.plan(run, Selection(run.select()))
    return customer_context(job, render_env(run))


def test_customer_context_has_no_internal_names() -> None:
    ctx = _customer_ctx()
    assert not INTERNAL_NAMES & set(ctx)
    assert set(ctx["k"]) <= CUSTOMER_KPIS
    assert set(ctx["reasons"]) <= CUSTOMER_KPIS
    account = ctx["account"]
    assert isinstance(account, CustomerView)
    for name in ("notes", "owner", "id", "arr_movements", "renewals", "interactions"):
        assert name not in account
        with pytest.raises(AttributeError, match="not on customer documents"):
            getattr(account, name)
    person = account.stakeholders[0]
    assert set(person.fields()) == {"name", "title", "executive_sponsor"}
    # only shared records, and no opportunity at all while health is red
    assert [r.title for r in account.risks] == ["Route exports fail for long routes"]
    assert [a.title for a in account.actions] == ["Ship the route export fix"]
    assert account.opportunities == [] and ctx["open_opportunities"] == []
    assert ctx["agreed_last_time"][0].title == "Ship the route export fix"


def test_customer_view_lists_only_allowed_fields() -> None:
    run = open_run(MARKER_WS)
    view = customer_view(run.portfolio.by_id("marker").account)
    allowed = CUSTOMER_FIELDS[type(run.portfolio.by_id("marker").account)]
    assert set(view.fields()) == set(allowed)
    with pytest.raises(AttributeError):
        view.name = "changed"  # read-only


def test_shared_opportunity_reaches_a_healthy_customer(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(MARKER_WS, ws)
    path = ws / "accounts" / "marker.yaml"
    data = yaml.safe_load(path.read_text())
    # make the account healthy: adoption, happy people, goals on track, tickets resolved
    for usage in data["usage"]:
        usage["active_users"] = 190
    for person in data["stakeholders"]:
        person["sentiment"] = "positive"
        person["last_contact"] = "2026-10-01"
    data["stakeholders"][1]["role"] = "decision_maker"
    data["surveys"][0]["score"] = 10
    data["goals"][0]["status"] = "on_track"
    for ticket in data["tickets"]:
        ticket["resolved"] = "2026-08-10"
    path.write_text(yaml.safe_dump(data))
    ctx = _customer_ctx(ws)
    assert [o.title for o in ctx["account"].opportunities] == ["INTERNAL-MARKER-held-opportunity"]
    assert not hasattr(ctx["account"].opportunities[0], "value")


# --- deck templates cannot print what the view does not hold ----------------------------------


def _override(tmp_path: Path, yaml_text: str) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(MARKER_WS, ws)
    (ws / "templates" / "deck").mkdir(parents=True)
    (ws / "templates" / "deck" / "qbr.yaml").write_text(yaml_text)
    return ws


def _render(ws: Path) -> Presentation:
    run = open_run(ws)
    renderer = load_renderers(["qbr"])["qbr"]
    (job,) = renderer.plan(run, Selection(run.select()))
    ((_, data),) = renderer.render(job, render_env(run)).items()
    return Presentation(io.BytesIO(data))


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("{{ health.score }}", "health"),
        ("{{ account.notes }}", "notes"),
        ("{{ k.health_score }}", "health_score"),
        ('{{ k.nrr|kpi("nrr") }}', "nrr"),
        ("{{ warnings|length }}", "warnings"),
        ("{{ account.stakeholders[0].sentiment }}", "sentiment"),
        ("{{ kpis.values }}", "kpis"),
    ],
)
def test_an_override_cannot_print_an_internal_field(
    tmp_path: Path, expression: str, name: str
) -> None:
    ws = _override(
        tmp_path,
        f"slides:\n  - {{id: leak, kind: bullets, title: 'Leak', bullets: ['{expression}']}}\n",
    )
    with pytest.raises(TemplateError) as caught:
        _render(ws)
    message = str(caught.value)
    assert "slide 'leak'" in message and name in message
    assert "internal" in message and "audience: internal" in message


def test_internal_definitions_and_charts_are_refused_in_a_customer_deck(tmp_path: Path) -> None:
    ws = _override(
        tmp_path,
        "slides:\n  - {id: s, kind: bullets, title: S, bullets: [x], definitions: [health_score]}\n",
    )
    with pytest.raises(TemplateError, match="KPI 'health_score' is internal"):
        _render(ws)
    ws = _override(
        tmp_path / "b",
        "slides:\n  - {id: money, kind: chart, title: ARR, chart: {kind: arr}}\n",
    )
    with pytest.raises(TemplateError, match="chart 'arr' is internal"):
        _render(ws)


def test_an_internal_deck_says_so_and_may_show_internal_fields(tmp_path: Path) -> None:
    ws = _override(
        tmp_path,
        "audience: internal\nslides:\n"
        "  - {id: h, kind: bullets, title: 'Health {{ health.score|number(1) }}',"
        " bullets: ['{{ account.notes }}'], definitions: [health_score]}\n"
        "  - {id: money, kind: chart, title: ARR, chart: {kind: arr}}\n",
    )
    prs = _render(ws)
    assert prs.slides[0].shapes.title.text_frame.text.startswith("Health ")
    assert "INTERNAL-MARKER-notes" in " ".join(all_texts(prs.slides[0]))
    assert prs.core_properties.category == "QBR (internal)"
    (chart,) = [s.chart for s in prs.slides[1].shapes if s.has_chart]
    assert chart.series[0].name == "ARR"


def test_unknown_audience_is_a_clear_error(tmp_path: Path) -> None:
    ws = _override(tmp_path, "audience: everyone\nslides: []\n")
    with pytest.raises(TemplateError, match="audience: expected customer or internal"):
        _render(ws)


def test_renderers_declare_their_audience() -> None:
    renderers = load_renderers()
    assert renderers["qbr"].audience == "customer"
    assert renderers["brief"].audience == "internal"
    assert renderers["plan"].audience == "internal"
    assert renderers["scorecard"].audience == "internal"
    assert renderers["digest"].audience == "internal"
    kit = renderers["kit"]
    assert kit.audience_of("kits/senior-saas/job-description.pdf") == "candidate"
    assert kit.audience_of("kits/senior-saas/interview-guide.pdf") == "internal"
