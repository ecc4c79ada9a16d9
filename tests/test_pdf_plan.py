"""Account plans (PDF): every section and the KPI engine's numbers are in the PDF, the PDF is
structurally valid and archival, account text stays text, templates override and fail loudly,
and a very large account breaks its tables cleanly across pages."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, require_tool, run_cli
from pdf_checks import assert_clean_pdf, notdef_glyphs
from qbrgen.build import render_now
from qbrgen.errors import MissingSystemDependency, TemplateError
from qbrgen.render import Selection, pdf_plan, render_env
from qbrgen.render import _pdf as pdf_layer
from qbrgen.run import open_run, parse_days

PLAN_FIXTURE = FIXTURES / "plan"
SECTION_TITLES = [title for _, title in pdf_plan.SECTIONS]


# --- helpers ----------------------------------------------------------------------------------


def page_texts(path: Path) -> list[str]:
    """Text of each page in content-stream order (`pdftotext -raw` keeps a table cell's lines
    together, and reads the subset CJK/Arabic fonts), whitespace collapsed."""
    pdftotext = require_tool("pdftotext")
    out = subprocess.run(
        [pdftotext, "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [re.sub(r"\s+", " ", page) for page in pages]


def full_text(path: Path) -> str:
    return " ".join(page_texts(path))


def qpdf_check(path: Path) -> None:
    qpdf = require_tool("qpdf")
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, f"qpdf --check {path.name}:\n{result.stdout}{result.stderr}"


def xmp(reader: PdfReader) -> str:
    metadata = reader.trailer["/Root"]["/Metadata"].get_object()
    return metadata.get_data().decode("utf-8", "replace")


def figures_with_alt(reader: PdfReader) -> tuple[int, int]:
    """(figures, figures with /Alt) in the structure tree of a tagged PDF."""
    figures = with_alt = 0
    stack: list[Any] = [reader.trailer["/Root"]["/StructTreeRoot"]]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        if node.get("/S") == "/Figure":
            figures += 1
            with_alt += 1 if node.get("/Alt") else 0
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return figures, with_alt


def write_stress_account(folder: Path) -> None:
    """60 stakeholders, 40 risks, 30 actions and long text in Chinese, Arabic and emoji."""
    cjk = "续约前需要与采购部门确认预算和合同条款，并安排高管会议。"
    arabic = "يجب تأكيد الميزانية مع قسم المشتريات قبل التجديد وترتيب اجتماع تنفيذي."
    emoji = "🚀📈✅"
    roles = ["executive_sponsor", "decision_maker", "champion", "user", "influencer", "detractor"]
    levels = ["high", "medium", "low"]
    moods = ["positive", "neutral", "negative"]
    stakeholders = [
        {
            "name": f"{['王小明', 'محمد عبد الله', 'Zoë Ångström', 'Jean-Baptiste Dupont-Moretti'][i % 4]} {i}",
            "title": f"Director of {['数据平台', 'العمليات', 'Global Revenue Operations and Strategic Planning'][i % 3]}",
            "role": roles[i % 6],
            "influence": levels[i % 3],
            "sentiment": moods[(i // 3) % 3],
            "last_contact": (dt.date(2026, 10, 10) - dt.timedelta(days=7 * i)).isoformat(),
            "executive_sponsor": i == 0,
        }
        for i in range(60)
    ]
    risks = [
        {
            "title": f"R{i}-begin {cjk} {emoji} Risk number {i} about the renewal path and budget cycle",
            "severity": ["critical", "high", "medium", "low"][i % 4],
            "owner": "Dana Whitfield",
            "opened": (dt.date(2026, 10, 1) - dt.timedelta(days=9 * i)).isoformat(),
            "mitigation": f"{arabic} Weekly review with the customer's programme office. R{i}-end",
            "status": ["open", "mitigating", "closed"][i % 3],
            **({"closed": "2026-10-05"} if i % 3 == 2 else {}),
        }
        for i in range(40)
    ]
    actions = [
        {
            "title": f"A{i} {cjk[:12]} {emoji} step {i} of the mutual action plan with a long description",
            "owner": "Dana Whitfield",
            "due": (dt.date(2026, 9, 1) + dt.timedelta(days=5 * i)).isoformat(),
        }
        for i in range(30)
    ]
    account = {
        "id": "stress-test",
        "name": "Stress Test 株式会社 شركة 🚀",
        "industry": "Manufacturing",
        "segment": "enterprise",
        "owner": "Dana Whitfield",
        "updated": "2026-10-12",
        "contract": {
            "arr": 900000,
            "start_date": "2025-06-01",
            "renewal_date": "2027-06-01",
            "licensed_seats": 2000,
            "products": [f"Module {n}" for n in range(12)],
        },
        "arr_movements": [
            {"date": "2024-06-01", "type": "new", "amount": 800000},
            {"date": "2026-01-10", "type": "expansion", "amount": 100000},
        ],
        "usage": [
            {
                "period_end": f"2026-0{m}-30" if m != 3 else "2026-03-31",
                "active_users": 1200 + 50 * m,
                "feature_adoption": {f"feature_{n}": round(0.1 * n, 2) for n in range(1, 10)},
            }
            for m in (3, 6, 9)
        ],
        "tickets": [
            {
                "id": f"T{i}",
                "subject": f"{arabic[:30]} ticket {i}",
                "severity": ["low", "medium", "high"][i % 3],
                "opened": (dt.date(2026, 9, 28) - dt.timedelta(days=11 * i)).isoformat(),
                "resolved": (dt.date(2026, 9, 30) - dt.timedelta(days=11 * i)).isoformat(),
            }
            for i in range(25)
        ],
        "stakeholders": stakeholders,
        "goals": [
            {
                "title": f"G{i} {cjk}",
                "metric": arabic,
                "target": f"{i * 10}%",
                "status": "on_track",
                "milestones": [
                    {"title": f"M{i}.{j} {emoji}", "due": "2026-12-31"} for j in range(3)
                ],
            }
            for i in range(6)
        ],
        "risks": risks,
        "opportunities": [
            {
                "title": f"O{i} {cjk[:10]}",
                "type": "upsell",
                "value": 10000 + i,
                "stage": "qualified",
                "close_date": "2027-01-31",
                "rationale": arabic,
            }
            for i in range(20)
        ],
        "actions": actions,
        "notes": "\n".join(
            [cjk * 3, arabic * 3, emoji * 10, "A very long unbroken token: " + "x" * 300]
        ),
    }
    (folder / "stress-test.yaml").write_text(
        yaml.safe_dump(account, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def fixture_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "plan-ws"
    shutil.copytree(PLAN_FIXTURE, ws)
    return ws


# --- every sample account ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Plans for every sample account, made once through the real CLI."""
    ws = tmp_path_factory.mktemp("sample") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    result = run_cli("plan", "-w", str(ws), check=True)
    paths = [ws / line for line in result.stdout.split()]
    return ws, paths


def test_every_sample_account_gets_a_valid_plan(sample_plans: tuple[Path, list[Path]]) -> None:
    ws, paths = sample_plans
    run = open_run(ws)
    assert len(paths) == len(run.accounts) > 0
    quarter = str(run.report.quarter)
    for item in run.accounts:
        expected = ws / "output" / pdf_plan.output_name(item.account, quarter)
        assert expected in paths
        assert expected.read_bytes().startswith(b"%PDF-")
    for path in paths:
        assert_clean_pdf(path)
        pages = len(PdfReader(path).pages)
        assert 4 <= pages <= 20, f"{path.name}: {pages} pages"


def test_plan_holds_every_section_and_the_kpi_numbers(
    sample_plans: tuple[Path, list[Path]],
) -> None:
    ws, _ = sample_plans
    run = open_run(ws)
    fmt = run.formatter
    quarter = str(run.report.quarter)
    for item in run.accounts:
        account = item.account
        kpis = run.report.accounts[account.id]
        path = ws / "output" / pdf_plan.output_name(account, quarter)
        texts = page_texts(path)
        text = " ".join(texts)
        # The table of contents lists the sections with page numbers; each section is there.
        for title in SECTION_TITLES:
            assert title in texts[0], f"{account.id}: '{title}' missing from the contents"
            assert text.count(title) >= 2, f"{account.id}: section '{title}' missing"
        assert account.name in text
        assert fmt.money(kpis["arr"]) in text
        if kpis.health.score is not None:
            assert (
                f"{kpis.health.band.upper()} · {fmt.kpi(kpis.health.score, 'health_score')}" in text
            )
        for key in ("nrr", "grr", "seat_utilisation"):
            if kpis[key] is not None:
                assert fmt.kpi(kpis[key], "ratio") in text, (account.id, key)
        if kpis["days_to_renewal"] is not None:
            assert f"in {kpis['days_to_renewal']} days" in text
        if kpis.health.biggest_drag:
            drag = fmt.label(kpis.health.biggest_drag, "components")
            assert f"Biggest drag: {drag}" in text
        for warning in kpis.warnings:
            assert pdf_plan.WARNING_LABELS[warning.code] in text, (account.id, warning.code)
        if account.stakeholders:
            assert account.stakeholders[0].name in text
        for risk in account.risks:
            assert risk.title[:30] in text
        # Mutual action plan: every overdue open action is marked with its days overdue.
        for action in account.actions:
            if action.status == "open" and action.due < run.report.as_of:
                assert f"OVERDUE · {(run.report.as_of - action.due).days} d" in text
        # Running footer: page X of Y, as-of date and the inputs hash on every page.
        digest = run.inputs_hash(item)
        for number, page in enumerate(texts, start=1):
            assert f"Page {number} of {len(texts)}" in page
            assert digest in page


def test_expansion_is_withheld_on_an_unhealthy_account(
    sample_plans: tuple[Path, list[Path]],
) -> None:
    ws, _ = sample_plans
    run = open_run(ws)
    quarter = str(run.report.quarter)
    seen_hold = seen_ok = False
    for item in run.accounts:
        kpis = run.report.accounts[item.account.id]
        text = full_text(ws / "output" / pdf_plan.output_name(item.account, quarter))
        unhealthy = kpis.health.band == "red" or kpis["status"] == "churned"
        assert ("Not healthy enough to expand" in text) == unhealthy, item.account.id
        seen_hold |= unhealthy
        seen_ok |= not unhealthy
    assert seen_hold and seen_ok, "the sample should have healthy and unhealthy accounts"


def test_pdf_metadata_and_archival_variant(sample_plans: tuple[Path, list[Path]]) -> None:
    ws, paths = sample_plans
    run = open_run(ws)
    reader = PdfReader(paths[0])
    meta = reader.metadata
    assert meta is not None
    assert meta.title and meta.title.startswith("Account plan: ")
    assert meta.author == run.workspace.config.company.name
    assert f"qbrgen {run.version}" in (meta.get("/Keywords") or "")
    assert re.search(r"inputs [0-9a-f]{12}", meta.subject or "")
    packet = xmp(reader)
    assert re.search(r'pdfaid:part(="|>)3', packet) and re.search(
        r'pdfaid:conformance(="|>)U', packet
    )
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 from qbrgen.yaml


# --- safety -----------------------------------------------------------------------------------


def test_account_text_is_shown_literally_and_nothing_outside_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ws = fixture_workspace(tmp_path)
    fetchers: list[Any] = []
    original = pdf_layer.guarded_fetcher

    def recording(*args: Any, **kwargs: Any) -> Any:
        fetcher = original(*args, **kwargs)
        fetchers.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdf_layer, "guarded_fetcher", recording)
    run = open_run(ws)
    with caplog.at_level(logging.WARNING):
        [path] = render_now(run, "plan", Selection(run.select(["hostile-notes"])))
    unexpected = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("weasyprint", "qbrgen")) and "HarfBuzz" not in r.getMessage()
    ]
    assert not unexpected, unexpected  # no refused fetch, no unsupported CSS, no missing alt
    text = full_text(path)
    for literal in (
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        "{{ config }}",
        "<style>body { display: none }</style>",
        "Hostile <b>Notes</b> & Co",
        "Robert'); DROP TABLE stakeholders;--",
        "{% include '/etc/passwd' %}",
        "Follow up on {{ account.notes }}",
        "<script>alert(1)</script>",
    ):
        assert literal in text, literal
    assert "root:x:0:0" not in text
    [fetcher] = fetchers
    logo = (ws / "logo.svg").resolve().as_uri()
    assert logo in fetcher.requested and logo not in fetcher.refused  # the branding logo loads
    allowed = [ws.resolve(), *(f.resolve() for f in render_env(run).theme.folders)]
    for url in fetcher.requested:
        if url.startswith("data:"):
            continue
        assert url.startswith("file://"), url
        local = Path(url.removeprefix("file://")).resolve()
        assert any(local.is_relative_to(folder) for folder in allowed), url
    reader = PdfReader(path)
    assert not reader.attachments
    qpdf_check(path)
    # The fixture asks for PDF/UA: tagged, titled, every chart a Figure with alt text.
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] in (True, "true")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    assert re.search(r"pdfuaid:part(=\"|>)1", xmp(reader))
    figures, with_alt = figures_with_alt(reader)
    assert figures >= 5 and figures == with_alt
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter


def test_fetcher_refuses_everything_outside_the_allowed_folders(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path)
    templates = ws / "templates"
    (templates / "plan").mkdir(parents=True)
    (templates / "img.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    )
    (templates / "escape.svg").symlink_to("/etc/passwd")
    env = render_env(open_run(ws))
    theme_folders = [f.resolve() for f in env.theme.folders]
    fetcher = pdf_layer.guarded_fetcher(pdf_layer.allowed_folders(env), theme_folders, [])
    assert fetcher.fetch((templates / "img.svg").resolve().as_uri()).read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/x",
        templates.resolve().as_uri() + "/../accounts/hostile-notes.yaml",
        templates.resolve().as_uri() + "/escape.svg",
        (ws / "accounts" / "hostile-notes.yaml").resolve().as_uri(),
    ):
        with pytest.raises(ValueError, match="qbrgen refuses"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7
    # A template that asks for outside files still renders; the requests are refused and logged.
    html = (
        '<html><body><p>x</p><img src="file:///etc/passwd" alt="x">'
        '<img src="http://example.com/a.png" alt="y"><link rel="attachment" href="file:///etc/passwd">'
        "</body></html>"
    )
    recorder = pdf_layer.guarded_fetcher(pdf_layer.allowed_folders(env), theme_folders, [])
    data = pdf_layer.html_to_pdf(
        html, env, title="probe", inputs_hash="0", fetcher=recorder, attachments_allowed=True
    )
    assert data.startswith(b"%PDF")
    assert (
        "file:///etc/passwd" in recorder.refused and "http://example.com/a.png" in recorder.refused
    )


def test_missing_pango_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = render_env(open_run(fixture_workspace(tmp_path)))
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now fails, as without Pango
    with pytest.raises(MissingSystemDependency, match="Pango"):
        pdf_layer.html_to_pdf("<p>x</p>", env, title="x")


def test_css_string_cannot_escape_a_style_element() -> None:
    quoted = pdf_layer.css_string('a"b\\c</style><script>\n')
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "\n" not in inner


# --- templates --------------------------------------------------------------------------------


def test_undefined_variable_in_a_workspace_template_names_template_and_line(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path)
    override = ws / "templates" / "plan" / "risks.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '<section id="sec-risks">\n<h2 id="risks">Risks</h2>\n{{ risk_registr }}\n</section>\n'
    )
    run = open_run(ws)
    jobs = pdf_plan.plan(run, Selection(run.select(["later-renewal"])))
    with pytest.raises(TemplateError, match=r"risks\.html:3.*risk_registr"):
        pdf_plan.render(jobs[0], render_env(run))
    result = run_cli("plan", "later-renewal", "-w", str(ws))
    assert result.returncode == 1
    assert "risks.html:3" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("fault", ["undefined", "syntax", "missing include"])
def test_template_errors_name_the_chain_of_including_templates(tmp_path: Path, fault: str) -> None:
    ws = fixture_workspace(tmp_path)
    folder = ws / "templates" / "plan"
    folder.mkdir(parents=True)
    (folder / "risks.html").write_text(
        '<section id="sec-risks">\n<h2 id="risks">Risks</h2>\n{% include "plan/_mine.html" %}\n'
        "</section>\n"
    )
    body = {"undefined": "<p>{{ risk_registr }}</p>\n", "syntax": "<p>\n{% if %}\n"}
    if fault in body:
        (folder / "_mine.html").write_text(body[fault])
    run = open_run(ws)
    jobs = pdf_plan.plan(run, Selection(run.select(["later-renewal"])))
    with pytest.raises(TemplateError) as raised:
        pdf_plan.render(jobs[0], render_env(run))
    message = str(raised.value)
    first = {
        "undefined": "plan/_mine.html:1: 'risk_registr' is undefined",
        "syntax": "plan/_mine.html:2: template syntax error: Expected an expression",
        "missing include": "template 'plan/_mine.html' not found in ",
    }[fault]
    assert message.startswith(first), message
    assert "(included from plan/risks.html:3, included from plan/plan.html:" in message


def test_workspace_template_overrides_the_built_in_one(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path)
    override = ws / "templates" / "plan" / "overview.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '<section id="sec-overview"><h2 id="overview">Account overview</h2>'
        "<p>Custom overview for {{ account.name }} by the workspace theme.</p></section>\n"
    )
    run = open_run(ws)
    jobs = pdf_plan.plan(run, Selection(run.select(["later-renewal"])))
    assert "plan/overview.html" in jobs[0].templates
    assert render_env(run).theme.find("plan/overview.html").origin == "workspace"
    [path] = render_now(run, "plan", Selection(run.select(["later-renewal"])))
    text = full_text(path)
    assert "Custom overview for Later Renewal Ltd by the workspace theme." in text
    assert "Biggest drag" not in text  # the built-in overview is gone
    assert "Renewal path" in text  # the rest of the built-in theme stays


# --- selection --------------------------------------------------------------------------------


def test_renewing_within_selects_the_accounts_renewing_in_the_window(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path)
    run = open_run(ws)
    assert [a.account.id for a in run.select(renewing_within=parse_days("120d"))] == [
        "hostile-notes"
    ]
    assert {a.account.id for a in run.select(renewing_within=parse_days("7m"))} == {
        "hostile-notes",
        "later-renewal",
    }
    assert run.select(renewing_within=parse_days("10d")) == []
    result = run_cli("plan", "--renewing-within", "120d", "-w", str(ws), check=True)
    written = result.stdout.split()
    assert len(written) == 1 and written[0].startswith("output/hostile-notes/")
    result = run_cli("plan", "--renewing-within", "10d", "-w", str(ws))
    assert result.returncode == 0 and "no account renewing within 10 days" in result.stderr
    result = run_cli("plan", "--renewing-within", "soon", "-w", str(ws))
    assert result.returncode == 2 and "120d" in result.stderr


# --- stress -----------------------------------------------------------------------------------


def test_stress_account_breaks_tables_cleanly_across_pages(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path)
    write_stress_account(ws / "accounts")
    run = open_run(ws)
    assert not run.portfolio.problems.errors, run.portfolio.problems.errors
    [path] = render_now(run, "plan", Selection(run.select(["stress-test"])))
    assert_clean_pdf(path)  # CJK, Arabic and emoji all drawn by an embedded font
    texts = page_texts(path)
    assert 10 <= len(texts) <= 60, len(texts)
    # Each risk row stays whole: its first and last words are on the same page.
    for i in range(40):
        begin = [n for n, t in enumerate(texts) if f"R{i}-begin" in t]
        end = [n for n, t in enumerate(texts) if f"R{i}-end" in t]
        assert len(begin) == 1 and begin == end, (i, begin, end)
    # The risk table and the stakeholder table span pages, with the header row on each.
    risk_pages = sorted({n for n, t in enumerate(texts) if re.search(r"R\d+-begin", t)})
    assert len(risk_pages) >= 2
    for n in risk_pages:
        assert re.search(
            r"Risk\s+Severity\s+Owner\s+Opened\s+Age\s+Status\s+Mitigation", texts[n]
        ), n
    stakeholder_pages = sorted(
        {n for n, t in enumerate(texts) if "王小明" in t and "Director of" in t}
    )
    assert len(stakeholder_pages) >= 2
    for n in stakeholder_pages:
        assert re.search(
            r"#\s+Name\s+Title\s+Role\s+Influence\s+Sentiment\s+Last contact", texts[n]
        ), n
    text = " ".join(texts)
    assert "续约前需要与采购部门确认预算" in text
    assert "Stress Test" in text


def test_notdef_scan_finds_a_character_no_font_has(tmp_path: Path) -> None:
    env = render_env(open_run(fixture_workspace(tmp_path)))
    data = pdf_layer.html_to_pdf("<p>ok \u0378 and \U0010fffd</p>", env, title="probe")
    path = tmp_path / "probe.pdf"
    path.write_bytes(data)
    assert len(notdef_glyphs(path)) >= 1  # the scan that passes the plans can fail


def test_no_raw_keys_in_a_plan(sample_plans: tuple[Path, list[Path]]) -> None:
    _, paths = sample_plans
    for path in paths:
        text = full_text(path)
        for key in ("mid_market", "executive_sponsor", "decision_maker", "on_track", "at_risk",
                    "cross_sell", "not_started", "feature_"):  # fmt: skip
            assert key not in text, (path.name, key)
        assert "of the previous quarter" not in text  # support trend as counts and a change


def test_running_header_and_tiles_hold_any_name_and_amount(tmp_path: Path) -> None:
    """A 100-character Japanese/Arabic/emoji name and $999,999,999 ARR: the running header
    stays one line inside the page, the ARR tile one line, the Arabic title right to left."""
    ws = fixture_workspace(tmp_path)
    write_stress_account(ws / "accounts")
    source = ws / "accounts" / "stress-test.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["name"] = (
        "株式会社サンプル通信ホールディングス شركة الاتصالات المتقدمة للتجارة 🚀 "
        "Very Long International Holdings Group of Companies"
    )
    data["contract"]["arr"] = 999_999_999
    data["arr_movements"] = [{"date": "2024-06-01", "type": "new", "amount": 999_999_999}]
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = open_run(ws)
    [path] = render_now(run, "plan", Selection(run.select(["stress-test"])))
    assert_clean_pdf(path)
    reader = PdfReader(path)
    for number in (1, 2, len(reader.pages) - 1):
        lines = _lines_with_positions(path, number + 1)
        header = [line for line in lines if "Account plan" in line[2] and line[1] < 80]
        assert header, f"page {number + 1}: no running header"
        for x, y, _text in header:
            assert y > 0 and x >= 0, f"page {number + 1}: header outside the page at {x},{y}"
        assert sum(text.count("…") for *_, text in header) <= 2
    texts = page_texts(path)
    assert "$999,999,999" in texts[0] and "$999,999,999" in texts[1]  # one piece, not wrapped
    assert "株式会社サンプル通信ホールディングス" in texts[0]  # no space inserted


def _lines_with_positions(path: Path, page: int) -> list[tuple[float, float, str]]:
    """(x, y from the top, text) of each text line of a page (pdftotext -bbox-layout)."""
    pdftotext = require_tool("pdftotext")
    html = subprocess.run(
        [pdftotext, "-bbox-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True, check=True,
    ).stdout.decode("utf-8", "replace")  # fmt: skip
    out = []
    for match in re.finditer(
        r'<line xMin="([\d.-]+)" yMin="([\d.-]+)"[^>]*>(.*?)</line>', html, re.S
    ):
        words = re.findall(r">([^<]*)</word>", match.group(3))
        out.append((float(match.group(1)), float(match.group(2)), " ".join(words)))
    return out
